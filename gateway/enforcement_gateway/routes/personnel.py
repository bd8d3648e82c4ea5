"""HTTP routes of the personnel service. Agency scoping is enforced by the service itself
(the actor travels with every call); the gateway checks the role and validates the input."""

from __future__ import annotations

from marshmallow import fields, validate

from enforcement_contracts import personnel as c
from enforcement_contracts.common import PageQuery, StrictSchema, page_of

from ..routing import ADMINS, BUREAU, PUBLIC, STAFF, Route, forward


class IdNumberLookup(StrictSchema):
    id_number = fields.String(required=True, validate=validate.Length(equal=18))


class YearQuery(StrictSchema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class EchoQuery(StrictSchema):
    message = fields.String(load_default="ok", validate=validate.Length(max=100))


ROUTES = [
    Route(
        "GET",
        "/agencies",
        forward("personnel.list_agencies", "actor", "query"),
        STAFF,
        "List agencies",
        "personnel",
        query=PageQuery,
        response=page_of(c.Agency),
    ),
    Route(
        "POST",
        "/agencies",
        forward("personnel.create_agency", "actor", "body"),
        BUREAU,
        "Register an agency",
        "personnel",
        body=c.AgencyCreate,
        response=c.Agency,
        status=201,
    ),
    Route(
        "GET",
        "/officers",
        forward("personnel.list_officers", "actor", "query"),
        STAFF,
        "List officers",
        "personnel",
        query=c.OfficerQuery,
        response=page_of(c.Officer),
    ),
    Route(
        "POST",
        "/officers",
        forward("personnel.register_officer", "actor", "body"),
        ADMINS,
        "Register an officer",
        "personnel",
        body=c.OfficerCreate,
        response=c.Officer,
        status=201,
    ),
    Route(
        "POST",
        "/officers/lookup",
        forward("personnel.find_officer_by_id_number", "actor", "body.id_number"),
        ADMINS,
        "Find an officer by ID card number",
        "personnel",
        body=IdNumberLookup,
        response=c.Officer,
        audit=False,
    ),
    Route(
        "GET",
        "/officers/<officer_id>",
        forward("personnel.get_officer", "actor", "path.officer_id"),
        STAFF,
        "Read an officer",
        "personnel",
        response=c.Officer,
    ),
    Route(
        "PATCH",
        "/officers/<officer_id>",
        forward("personnel.update_officer", "actor", "path.officer_id", "body"),
        ADMINS,
        "Update an officer",
        "personnel",
        body=c.OfficerUpdate,
        response=c.Officer,
    ),
    Route(
        "POST",
        "/officers/<officer_id>/departure",
        forward("personnel.record_departure", "actor", "path.officer_id", "body"),
        ADMINS,
        "Record a departure",
        "personnel",
        body=c.DepartureCreate,
        status=201,
        response=c.Departure,
    ),
    Route(
        "GET",
        "/officers/<officer_id>/eligibility",
        forward("personnel.eligibility", "actor", "path.officer_id", "query.year"),
        STAFF,
        "Certificate eligibility",
        "personnel",
        query=YearQuery,
        response=c.Eligibility,
    ),
    Route(
        "POST",
        "/officers/<officer_id>/assessments",
        forward("personnel.record_assessment", "actor", "path.officer_id", "body"),
        ADMINS,
        "Record a yearly assessment",
        "personnel",
        body=c.AssessmentCreate,
        response=c.Assessment,
        status=201,
    ),
    Route(
        "POST",
        "/certificates",
        forward("personnel.issue_certificate", "actor", "body"),
        ADMINS,
        "Issue a certificate",
        "personnel",
        body=c.CertificateIssue,
        response=c.Certificate,
        status=201,
    ),
    Route(
        "GET",
        "/certificates/<number>",
        forward("personnel.get_certificate", "actor", "path.number"),
        STAFF,
        "Read a certificate",
        "personnel",
        response=c.Certificate,
    ),
    Route(
        "POST",
        "/certificates/<number>/status",
        forward("personnel.change_certificate_status", "actor", "path.number", "body"),
        ADMINS,
        "Suspend, reinstate, cancel or revoke a certificate",
        "personnel",
        body=c.CertificateStatusChange,
        response=c.Certificate,
    ),
    Route(
        "POST",
        "/certificates/<number>/renewal",
        forward("personnel.renew_certificate", "actor", "path.number"),
        ADMINS,
        "Renew a certificate (renewal exam passed in the window)",
        "personnel",
        response=c.Certificate,
    ),
    Route(
        "GET",
        "/public/certificates/<number>",
        forward("personnel.check_certificate", "path.number"),
        PUBLIC,
        "Check a certificate's validity (public)",
        "public",
        response=c.CertificateCheck,
    ),
    Route(
        "POST",
        "/legal-reviewers",
        forward("personnel.register_legal_reviewer", "actor", "body"),
        ADMINS,
        "Register a legal reviewer",
        "personnel",
        body=c.LegalReviewerCreate,
        response=c.LegalReviewer,
        status=201,
    ),
    Route(
        "GET",
        "/legal-reviewers",
        forward("personnel.list_legal_reviewers", "actor", "query.agency_code", "page"),
        STAFF,
        "List legal reviewers",
        "personnel",
        query=c.ReviewerQuery,
        response=page_of(c.LegalReviewer),
    ),
    Route(
        "GET",
        "/promptness",
        forward("personnel.promptness", "actor", "query.date_from", "query.date_to"),
        STAFF,
        "Promptness of certificate cancellation per agency",
        "personnel",
        query=c.PromptnessQuery,
        response=c.PromptnessRow,
        many=True,
    ),
    Route(
        "GET",
        "/personnel/echo",
        forward("personnel.echo", "query"),
        STAFF,
        "Echo through the personnel service (a baseline for benchmarks)",
        "personnel",
        query=EchoQuery,
        response=EchoQuery,
    ),
]
