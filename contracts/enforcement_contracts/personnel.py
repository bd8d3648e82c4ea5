"""Contract of the personnel service: agencies, officers, certificates, departures, assessments.

RPC methods (service ``personnel``) take and return the payloads below as JSON-ready dicts;
every write takes the caller's ``actor`` (see ``common.Actor``) so the service scopes it.
ID card numbers appear only in ``OfficerCreate`` (input); every output carries the masked form.
"""

from __future__ import annotations

from marshmallow import fields, validate

from .common import AGENCY_CODE, CursorPageQuery, DateRange, DeadlineMissed, PageQuery, PromptnessMeasured, StrictSchema
from .events import EventType, register

SERVICE = "personnel"

AGENCY_KINDS = ("department", "township", "other")
CERTIFICATE_STATUSES = ("valid", "suspended", "cancelled", "revoked")
DEPARTURE_REASONS = ("transfer", "resignation", "dismissal", "retirement", "other")
ASSESSMENT_GRADES = ("excellent", "competent", "basically_competent", "incompetent")
REVIEWER_KINDS = ("public_lawyer", "legal_adviser")
# Enforcement domains (执法类别) are data a county extends, so only their shape is fixed here.
DOMAIN_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$", error="must be a lower-case code like market_supervision")


# --- RPC payloads ---------------------------------------------------------------------------
class AgencyCreate(StrictSchema):
    code = fields.String(required=True, validate=AGENCY_CODE)
    name = fields.String(required=True, validate=validate.Length(min=2, max=100))
    kind = fields.String(required=True, validate=validate.OneOf(AGENCY_KINDS))
    is_supervisor = fields.Boolean(load_default=False)
    is_police = fields.Boolean(load_default=False)
    domains = fields.List(
        fields.String(validate=DOMAIN_CODE),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={
            "description": "the agency's enforcement domains (执法类别): a police bureau's officers enforce in "
            "these with their police card"
        },
    )


class Agency(AgencyCreate):
    officer_count = fields.Integer(dump_only=True, metadata={"description": "officers in an enforcement post"})
    certified_count = fields.Integer(
        dump_only=True,
        metadata={"description": "officers in post holding a valid certificate that has not expired"},
    )


class OfficerCreate(StrictSchema):
    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    id_number = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(equal=18),
        metadata={"description": "resident ID (GB 11643); stored encrypted, shown masked"},
    )
    position = fields.String(load_default="", validate=validate.Length(max=100))
    domains = fields.List(fields.String(validate=DOMAIN_CODE), load_default=list, validate=validate.Length(max=20))
    is_police = fields.Boolean(load_default=False)
    appointed_on = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "the day the officer took up the enforcement post (in post from; yearly training is owed "
            "from then); defaults to the day of registration, never in the future"
        },
    )
    police_card_number = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=20),
        metadata={
            "description": "the police card (人民警察证) number: required of a police officer (is_police, or any "
            "officer of a police agency), refused for anyone else; 6 to 10 digits, maybe after 1-2 capital letters"
        },
    )


class OfficerUpdate(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=50))
    appointed_on = fields.Date(metadata={"description": "a corrected day of taking up the post (not in the future)"})
    position = fields.String(validate=validate.Length(max=100))
    domains = fields.List(fields.String(validate=DOMAIN_CODE), validate=validate.Length(max=20))
    police_card_number = fields.String(
        validate=validate.Length(min=1, max=20), metadata={"description": "a police officer's new police card number"}
    )


class Officer(StrictSchema):
    officer_id = fields.String()
    agency_code = fields.String()
    name = fields.String()
    id_number_masked = fields.String()
    position = fields.String()
    domains = fields.List(fields.String())
    is_police = fields.Boolean()
    police_card_number = fields.String(allow_none=True, metadata={"description": "a police officer's police card"})
    status = fields.String(metadata={"description": "active or departed"})
    appointed_on = fields.Date(allow_none=True, metadata={"description": "in post from (appointment)"})
    departed_on = fields.Date(allow_none=True)
    certificate_number = fields.String(allow_none=True)
    certificate_status = fields.String(allow_none=True)


class OfficerQuery(CursorPageQuery):
    """Officers by name, a page at a time (or ``after`` a cursor); ``name`` finds a part of the name,
    ``certificate_status`` is the status of each officer's latest certificate (``none``: never certified)."""

    agency_code = fields.String(validate=AGENCY_CODE)
    status = fields.String(validate=validate.OneOf(["active", "departed"]))
    name = fields.String(validate=validate.Length(min=1, max=50))
    certificate_status = fields.String(validate=validate.OneOf([*CERTIFICATE_STATUSES, "none"]))


class DepartureCreate(StrictSchema):
    reason = fields.String(required=True, validate=validate.OneOf(DEPARTURE_REASONS))
    departed_on = fields.Date(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=500))
    cancel_certificate = fields.Boolean(
        load_default=True,
        metadata={"description": "cancel the certificate now; false when the card has not been taken back yet"},
    )


class Departure(StrictSchema):
    """A recorded departure: whether the certificate was cancelled with it."""

    officer_id = fields.String()
    reason = fields.String()
    departed_on = fields.Date()
    certificate_number = fields.String(allow_none=True)
    certificate_cancelled = fields.Boolean()


class CertificateIssue(StrictSchema):
    officer_id = fields.String(required=True)
    domains = fields.List(fields.String(validate=DOMAIN_CODE), required=True, validate=validate.Length(min=1, max=20))
    issued_on = fields.Date(metadata={"description": "defaults to today"})


class CertificateStatusChange(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(CERTIFICATE_STATUSES))
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class Certificate(StrictSchema):
    number = fields.String()
    check_code = fields.String(
        metadata={"description": "on the card and in its QR link: the public check names the holder only with it"}
    )
    officer_id = fields.String()
    agency_code = fields.String()
    domains = fields.List(fields.String())
    issued_on = fields.Date()
    expires_on = fields.Date()
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    cancelled_on = fields.Date(allow_none=True)
    renewal_window_opens = fields.Date()


class CertificateChange(StrictSchema):
    """One entry of a certificate's status history (issue, suspension, reinstatement, cancellation, renewal)."""

    old_status = fields.String(allow_none=True, metadata={"description": "none for the issue itself"})
    new_status = fields.String()
    reason = fields.String()
    changed_on = fields.Date()
    actor = fields.String(metadata={"description": "the account that made the change"})


class CertificateRecord(Certificate):
    """A certificate with its status history, oldest first."""

    history = fields.List(fields.Nested(CertificateChange))


class CertificateCheck(StrictSchema):
    """What the public sees when checking a certificate number: only ``number``, ``valid`` and ``details`` (false)
    without the card's check code (or with a wrong one); with it, also the holder's name, the agency, the domains and
    the dates, and no other personal data."""

    number = fields.String()
    valid = fields.Boolean()
    details = fields.Boolean(
        metadata={"description": "true when the check code was given and is right: the fields below are present"}
    )
    status = fields.String()
    holder_name = fields.String()
    agency_name = fields.String()
    domains = fields.List(fields.String())
    expires_on = fields.Date()
    reason_code = fields.String(
        allow_none=True,
        metadata={
            "description": "why it is not valid: holder_departed (the holder left the enforcement post, whatever the "
            "card's status), expired or not_valid (suspended, cancelled, revoked); null when valid"
        },
    )
    reason = fields.String(allow_none=True, metadata={"description": "the same in English words; null when valid"})
    holder_departed_on = fields.Date(
        allow_none=True, metadata={"description": "the day the holder left the enforcement post, if they did"}
    )
    issuing_authority = fields.String(metadata={"description": "the issuing authority (发证机关), a county setting"})


class AssessmentCreate(StrictSchema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    grade = fields.String(required=True, validate=validate.OneOf(ASSESSMENT_GRADES))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class Assessment(AssessmentCreate):
    officer_id = fields.String()
    agency_code = fields.String()
    certificate_suspended = fields.Boolean()


class LegalReviewerCreate(StrictSchema):
    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    kind = fields.String(required=True, validate=validate.OneOf(REVIEWER_KINDS))
    has_legal_qualification = fields.Boolean(required=True)
    qualification_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    officer_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=32))
    first_reviewed_on = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "the day of the reviewer's first legal review of a major decision, when they reviewed "
            "before (elsewhere, or before this system): art. 58 asks the legal professional qualification only of a "
            "first review"
        },
    )


class LegalReviewer(LegalReviewerCreate):
    reviewer_id = fields.String()
    may_review_major_decisions = fields.Boolean()


class ReviewerQuery(PageQuery):
    """One agency's legal reviewers (the caller's own for an agency administrator), a page at a time."""

    agency_code = fields.String(validate=AGENCY_CODE)


class MayEnforceQuery(StrictSchema):
    officer_id = fields.String(required=True)
    domain = fields.String(required=True, validate=DOMAIN_CODE)
    on_date = fields.Date(required=True)


class MayEnforce(StrictSchema):
    officer_id = fields.String()
    domain = fields.String()
    on_date = fields.Date()
    allowed = fields.Boolean()
    reason = fields.String()
    certificate_number = fields.String(allow_none=True)
    police_card_number = fields.String(
        allow_none=True, metadata={"description": "a police officer's card, their authority instead of a certificate"}
    )


class Eligibility(StrictSchema):
    officer_id = fields.String()
    year = fields.Integer()
    eligible = fields.Boolean()
    reasons = fields.List(fields.String())


class PromptnessRow(StrictSchema):
    agency_code = fields.String()
    kind = fields.String()
    measurements = fields.Integer()
    on_time = fields.Integer()
    on_time_ratio = fields.Float()
    mean_workdays = fields.Float()


# --- events ---------------------------------------------------------------------------------
class AgencyRegistered(StrictSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    is_supervisor = fields.Boolean(required=True)
    is_police = fields.Boolean(required=True)


class OfficerRegistered(StrictSchema):
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    name = fields.String(required=True)
    position = fields.String(required=True)
    domains = fields.List(fields.String(), required=True)
    is_police = fields.Boolean(required=True)
    appointed_on = fields.Date(
        load_default=None, allow_none=True, metadata={"description": "in post from (absent from older events)"}
    )


class OfficerUpdated(StrictSchema):
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    changed = fields.List(fields.String(), required=True)
    # the record as it now is (never the ID number), so a subscriber need not ask for it; absent from events
    # published before these fields existed
    name = fields.String(load_default=None, allow_none=True)
    position = fields.String(load_default=None, allow_none=True)
    domains = fields.List(fields.String(), load_default=None, allow_none=True)
    appointed_on = fields.Date(load_default=None, allow_none=True)


class OfficerDeparted(StrictSchema):
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    reason = fields.String(required=True)
    departed_on = fields.Date(required=True)
    certificate_number = fields.String(allow_none=True, required=True)
    certificate_cancelled = fields.Boolean(required=True)


class CertificateIssued(StrictSchema):
    certificate_number = fields.String(required=True)
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    domains = fields.List(fields.String(), required=True)
    issued_on = fields.Date(required=True)
    expires_on = fields.Date(required=True)


class CertificateStatusChanged(StrictSchema):
    certificate_number = fields.String(required=True)
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    old_status = fields.String(required=True)
    new_status = fields.String(required=True)
    reason = fields.String(required=True)
    changed_on = fields.Date(required=True)


class CertificateRenewed(StrictSchema):
    certificate_number = fields.String(required=True)
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    old_expires_on = fields.Date(required=True)
    expires_on = fields.Date(required=True)
    renewed_on = fields.Date(required=True)


class CertificateExpired(StrictSchema):
    certificate_number = fields.String(required=True)
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    expired_on = fields.Date(required=True, metadata={"description": "the first day it is no longer valid"})


class AssessmentRecorded(StrictSchema):
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    year = fields.Integer(required=True)
    grade = fields.String(required=True)
    certificate_suspended = fields.Boolean(required=True)


class LegalReviewerRegistered(StrictSchema):
    reviewer_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    kind = fields.String(required=True)
    has_legal_qualification = fields.Boolean(required=True)
    officer_id = fields.String(allow_none=True, required=True)


AGENCY_REGISTERED = register(
    EventType(SERVICE, "agency.registered", AgencyRegistered, 1, "An enforcement agency (执法主体) was registered.")
)
OFFICER_REGISTERED = register(
    EventType(
        SERVICE, "officer.registered", OfficerRegistered, 1, "An officer was registered (no ID number in the event)."
    )
)
OFFICER_UPDATED = register(
    EventType(
        SERVICE,
        "officer.updated",
        OfficerUpdated,
        1,
        "An officer's record changed: the changed fields and the record as it now is.",
    )
)
OFFICER_DEPARTED = register(
    EventType(SERVICE, "officer.departed", OfficerDeparted, 1, "An officer left an enforcement post.")
)
CERTIFICATE_ISSUED = register(
    EventType(SERVICE, "certificate.issued", CertificateIssued, 1, "An enforcement certificate (执法证) was issued.")
)
CERTIFICATE_STATUS_CHANGED = register(
    EventType(
        SERVICE,
        "certificate.status_changed",
        CertificateStatusChanged,
        1,
        "A certificate was suspended, reinstated, cancelled or revoked.",
    )
)
CERTIFICATE_RENEWED = register(
    EventType(
        SERVICE,
        "certificate.renewed",
        CertificateRenewed,
        1,
        "A certificate was renewed after a renewal exam passed in its renewal window.",
    )
)
CERTIFICATE_EXPIRED = register(
    EventType(
        SERVICE,
        "certificate.expired",
        CertificateExpired,
        1,
        "A valid certificate reached its expiry date without renewal.",
    )
)
ASSESSMENT_RECORDED = register(
    EventType(
        SERVICE, "assessment.recorded", AssessmentRecorded, 1, "A yearly officer assessment (年度考核) was recorded."
    )
)
LEGAL_REVIEWER_REGISTERED = register(
    EventType(
        SERVICE,
        "legal_reviewer.registered",
        LegalReviewerRegistered,
        1,
        "A public lawyer or legal adviser was registered for legal review.",
    )
)
PROMPTNESS_MEASURED = register(
    EventType(
        SERVICE,
        "promptness.measured",
        PromptnessMeasured,
        1,
        "An obligation with a deadline ended (kind certificate_cancelled: departure to cancellation; "
        "certificate_application_decided: an application's filing to the issuing authority's decision).",
    )
)
DEADLINE_MISSED = register(
    EventType(
        SERVICE,
        "deadline.missed",
        DeadlineMissed,
        1,
        "An obligation still open after its deadline, announced once: certificate_cancelled (a departed officer's "
        "certificate not taken back within its working days; reference = the certificate number) or "
        "certificate_application_decided (an application undecided by the issuing authority; reference = the "
        "application id).",
    )
)


class PromptnessQuery(DateRange):
    """The measurements whose obligation ended between ``from`` and ``to`` (both included; either may be left open)."""


class FactsQuery(StrictSchema):
    """A calendar year of yearly facts per agency (the supervision service's assessment and statistics report)."""

    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class AgencyCertificationFacts(StrictSchema):
    """One agency's certificates for a year: officers in an enforcement post at the year's end (or today, for the
    current year; police excluded, they carry a police card) and how many of them hold a valid certificate."""

    agency_code = fields.String()
    officers = fields.Integer()
    certified = fields.Integer()
    certificates_issued = fields.Integer(metadata={"description": "issued during the year"})
    certificates_cancelled = fields.Integer(metadata={"description": "cancelled or revoked during the year"})


# --- sector guidance (县直部门指导乡镇) ------------------------------------------------------------
class GuidanceCreate(StrictSchema):
    """The bureau records that a county department guides a township in one enforcement domain."""

    agency_code = fields.String(required=True, validate=AGENCY_CODE, metadata={"description": "the county department"})
    township_code = fields.String(required=True, validate=AGENCY_CODE, metadata={"description": "the township"})
    domain = fields.String(required=True, validate=DOMAIN_CODE, metadata={"description": "the enforcement domain"})
    since = fields.Date(load_default=None, allow_none=True, metadata={"description": "defaults to today"})


class GuidanceEnd(StrictSchema):
    ended_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "defaults to today"})


class Guidance(StrictSchema):
    guidance_id = fields.String()
    agency_code = fields.String()
    agency_name = fields.String(allow_none=True)
    township_code = fields.String()
    township_name = fields.String(allow_none=True)
    domain = fields.String()
    since = fields.Date()
    ended_on = fields.Date(allow_none=True)
    active = fields.Boolean()


class GuidanceQuery(PageQuery):
    """Guidance relations, filtered by the guiding agency, the township, the domain or whether in force."""

    agency_code = fields.String(validate=AGENCY_CODE)
    township_code = fields.String(validate=AGENCY_CODE)
    domain = fields.String(validate=DOMAIN_CODE)
    active = fields.Boolean()


class GuidanceAssigned(StrictSchema):
    guidance_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    township_code = fields.String(required=True)
    domain = fields.String(required=True)
    since = fields.Date(required=True)


class GuidanceEnded(StrictSchema):
    guidance_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    township_code = fields.String(required=True)
    domain = fields.String(required=True)
    ended_on = fields.Date(required=True)


GUIDANCE_ASSIGNED = register(
    EventType(
        SERVICE,
        "guidance.assigned",
        GuidanceAssigned,
        1,
        "A county department now guides a township in an enforcement domain (sector guidance): it may organise "
        "their training and read their supervision items.",
    )
)
GUIDANCE_ENDED = register(EventType(SERVICE, "guidance.ended", GuidanceEnded, 1, "A sector guidance relation ended."))
