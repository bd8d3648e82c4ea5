"""HTTP routes of the personnel service. Agency scoping is enforced by the service itself
(the actor travels with every call); the gateway checks the role and validates the input."""

from __future__ import annotations

from marshmallow import fields, validate

from enforcement_contracts import personnel as c
from enforcement_contracts import personnel_applications as ca
from enforcement_contracts.common import PageQuery, StrictSchema, page_of

from ..routing import ADMINS, BUREAU, PUBLIC, STAFF, Route, forward


class IdNumberLookup(StrictSchema):
    id_number = fields.String(required=True, validate=validate.Length(equal=18))


class YearQuery(StrictSchema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class EchoQuery(StrictSchema):
    message = fields.String(load_default="ok", validate=validate.Length(max=100))


class CertificateCheckQuery(StrictSchema):
    code = fields.String(
        validate=validate.Length(max=32),
        metadata={"description": "the check code printed on the card (查验码); without it only validity is answered"},
    )


def check_certificate(call):
    """The public check. A wrong check code costs ``GATEWAY.certificate_check_rate_limit.wrong_code_cost`` requests
    of the caller's allowance, so codes cannot be guessed at the rate numbers can be read."""
    answer = call.services.personnel.check_certificate(call.params["number"], call.query.get("code"))
    if call.query.get("code") and not answer.get("details"):
        limiter = call.settings.limiters[call.route.limit]
        limiter.charge(call.settings.client_of(call.request), call.settings.wrong_code_cost - 1)
    return answer


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
        "GET",
        "/agencies/<code>",
        forward("personnel.get_agency", "actor", "path.code"),
        STAFF,
        "Read an agency with its counts of officers and certified officers",
        "personnel",
        response=c.Agency,
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
        "/guidance",
        forward("personnel.list_guidance", "actor", "query"),
        STAFF,
        "List sector guidance: which county department guides which township in which domain",
        "personnel",
        query=c.GuidanceQuery,
        response=page_of(c.Guidance),
    ),
    Route(
        "POST",
        "/guidance",
        forward("personnel.assign_guidance", "actor", "body"),
        BUREAU,
        "Record that a county department guides a township in a domain",
        "personnel",
        body=c.GuidanceCreate,
        response=c.Guidance,
        status=201,
    ),
    Route(
        "POST",
        "/guidance/<guidance_id>/end",
        forward("personnel.end_guidance", "actor", "path.guidance_id", "body"),
        BUREAU,
        "End a sector guidance relation",
        "personnel",
        body=c.GuidanceEnd,
        response=c.Guidance,
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
        audit=True,  # a read of personal data: who looked up whom (the officer found, never the number)
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
        "GET",
        "/officers/<officer_id>/certificates",
        forward("personnel.list_officer_certificates", "actor", "path.officer_id", "page"),
        STAFF,
        "An officer's certificates, the latest first, each with its status history",
        "personnel",
        query=PageQuery,
        response=page_of(c.CertificateRecord),
    ),
    Route(
        "GET",
        "/officers/<officer_id>/assessments",
        forward("personnel.list_assessments", "actor", "path.officer_id", "page"),
        STAFF,
        "An officer's yearly assessments, the latest year first",
        "personnel",
        query=PageQuery,
        response=page_of(c.Assessment),
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
        BUREAU,
        "Issue a certificate directly (the issuing authority; an agency applies instead)",
        "personnel",
        body=c.CertificateIssue,
        response=c.Certificate,
        status=201,
    ),
    Route(
        "POST",
        "/certificate-applications",
        forward("personnel.file_certificate_application", "actor", "body"),
        ADMINS,
        "Apply for an officer's certificate (the agency; the issuing authority decides)",
        "personnel",
        body=ca.CertificateApplicationCreate,
        response=ca.CertificateApplication,
        status=201,
    ),
    Route(
        "GET",
        "/certificate-applications",
        forward("personnel.list_certificate_applications", "actor", "query"),
        ADMINS,
        "List certificate applications (pending first, the oldest first; an agency sees its own)",
        "personnel",
        query=ca.CertificateApplicationQuery,
        response=page_of(ca.CertificateApplication),
    ),
    Route(
        "GET",
        "/certificate-applications/<application_id>",
        forward("personnel.get_certificate_application", "actor", "path.application_id"),
        ADMINS,
        "Read a certificate application",
        "personnel",
        response=ca.CertificateApplication,
    ),
    Route(
        "POST",
        "/certificate-applications/<application_id>/approval",
        forward("personnel.approve_certificate_application", "actor", "path.application_id"),
        BUREAU,
        "Approve a certificate application (issues the certificate)",
        "personnel",
        response=ca.CertificateApplication,
    ),
    Route(
        "POST",
        "/certificate-applications/<application_id>/refusal",
        forward("personnel.refuse_certificate_application", "actor", "path.application_id", "body"),
        BUREAU,
        "Refuse a certificate application with reasons",
        "personnel",
        body=ca.CertificateApplicationRefusal,
        response=ca.CertificateApplication,
    ),
    Route(
        "GET",
        "/certificates/<number>",
        forward("personnel.get_certificate", "actor", "path.number"),
        STAFF,
        "Read a certificate with its status history",
        "personnel",
        response=c.CertificateRecord,
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
        check_certificate,
        PUBLIC,
        "Check a certificate's validity (public; the holder only with the card's check code)",
        "public",
        query=CertificateCheckQuery,
        response=c.CertificateCheck,
        limiter="certificate_check",
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
