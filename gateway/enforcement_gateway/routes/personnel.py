"""HTTP routes of the personnel service. Agency scoping is enforced by the service itself
(the actor travels with every call); the gateway checks the role and validates the input."""

from __future__ import annotations

from marshmallow import fields, validate

from enforcement_contracts import personnel as c
from enforcement_contracts.common import AGENCY_CODE, StrictSchema

from ..routing import ADMINS, BUREAU, PUBLIC, STAFF, Route


class IdNumberLookup(StrictSchema):
    id_number = fields.String(required=True, validate=validate.Length(equal=18))


class YearQuery(StrictSchema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class AgencyFilter(StrictSchema):
    agency_code = fields.String(validate=AGENCY_CODE)


class EchoQuery(StrictSchema):
    message = fields.String(load_default="ok", validate=validate.Length(max=100))


def _p(call):
    return call.rpc.personnel


ROUTES = [
    Route(
        "GET",
        "/agencies",
        lambda call: _p(call).list_agencies(call.actor),
        STAFF,
        "List agencies",
        "personnel",
        response=c.Agency,
        many=True,
    ),
    Route(
        "POST",
        "/agencies",
        lambda call: _p(call).create_agency(call.actor, call.body),
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
        lambda call: _p(call).list_officers(call.actor, dict(call.query.items())),
        STAFF,
        "List officers",
        "personnel",
        query=c.OfficerQuery,
    ),
    Route(
        "POST",
        "/officers",
        lambda call: _p(call).register_officer(call.actor, call.body),
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
        lambda call: _p(call).find_officer_by_id_number(call.actor, call.body["id_number"]),
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
        lambda call: _p(call).get_officer(call.actor, call.params["officer_id"]),
        STAFF,
        "Read an officer",
        "personnel",
        response=c.Officer,
    ),
    Route(
        "PATCH",
        "/officers/<officer_id>",
        lambda call: _p(call).update_officer(call.actor, call.params["officer_id"], call.body),
        ADMINS,
        "Update an officer",
        "personnel",
        body=c.OfficerUpdate,
        response=c.Officer,
    ),
    Route(
        "POST",
        "/officers/<officer_id>/departure",
        lambda call: _p(call).record_departure(call.actor, call.params["officer_id"], call.body),
        ADMINS,
        "Record a departure",
        "personnel",
        body=c.DepartureCreate,
        status=201,
    ),
    Route(
        "GET",
        "/officers/<officer_id>/eligibility",
        lambda call: _p(call).eligibility(call.actor, call.params["officer_id"], call.query.get("year")),
        STAFF,
        "Certificate eligibility",
        "personnel",
        query=YearQuery,
        response=c.Eligibility,
    ),
    Route(
        "POST",
        "/officers/<officer_id>/assessments",
        lambda call: _p(call).record_assessment(call.actor, call.params["officer_id"], call.body),
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
        lambda call: _p(call).issue_certificate(call.actor, call.body),
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
        lambda call: _p(call).get_certificate(call.actor, call.params["number"]),
        STAFF,
        "Read a certificate",
        "personnel",
        response=c.Certificate,
    ),
    Route(
        "POST",
        "/certificates/<number>/status",
        lambda call: _p(call).change_certificate_status(call.actor, call.params["number"], call.body),
        ADMINS,
        "Suspend, reinstate, cancel or revoke a certificate",
        "personnel",
        body=c.CertificateStatusChange,
        response=c.Certificate,
    ),
    Route(
        "POST",
        "/certificates/<number>/renewal",
        lambda call: _p(call).renew_certificate(call.actor, call.params["number"]),
        ADMINS,
        "Renew a certificate (renewal exam passed in the window)",
        "personnel",
        response=c.Certificate,
    ),
    Route(
        "GET",
        "/public/certificates/<number>",
        lambda call: _p(call).check_certificate(call.params["number"]),
        PUBLIC,
        "Check a certificate's validity (public)",
        "public",
        response=c.CertificateCheck,
    ),
    Route(
        "POST",
        "/legal-reviewers",
        lambda call: _p(call).register_legal_reviewer(call.actor, call.body),
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
        lambda call: _p(call).list_legal_reviewers(call.actor, call.query.get("agency_code")),
        STAFF,
        "List legal reviewers",
        "personnel",
        query=AgencyFilter,
        response=c.LegalReviewer,
        many=True,
    ),
    Route(
        "GET",
        "/promptness",
        lambda call: _p(call).promptness(call.actor, _iso(call.query.get("since")), _iso(call.query.get("until"))),
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
        lambda call: _p(call).echo({"message": call.query["message"]}),
        STAFF,
        "Echo through the personnel service (a baseline for benchmarks)",
        "personnel",
        query=EchoQuery,
    ),
]


def _iso(value):
    return value.isoformat() if value is not None else None
