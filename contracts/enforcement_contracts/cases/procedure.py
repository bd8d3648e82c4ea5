"""Cases and their procedure: the report (立案), later stages, suspensions and extensions, the decision and
penalty, the case as read, and the case events.

A party's ID number appears only in ``Party`` (input); every output carries the masked form, and no event
carries it at all."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from ..common import AGENCY_CODE, CursorPageQuery, DateRange, StrictSchema
from ..events import EventType, register
from .common import LENIENT_LISTS, MONEY, MONEY_DOC, NOT_BLANK, PENALTY_KINDS, SERVICE, TYPE_CODE
from .legal_review import LegalReview, LegalReviewCreate
from .records import RecordsChecks

PARTY_KINDS = ("citizen", "organisation")

PROCEDURES = ("ordinary", "simplified")  # 普通程序; 简易程序 (当场处罚, art. 51)

HARMS = ("none", "life_health", "financial")  # art. 36: the last two extend the limitation period

CASE_STATUSES = ("filed", "decided", "closed", "revoked")

# who withdrew a hearing request (art. 64), as the written withdrawal says: the party itself or its agent (委托代理人)
HEARING_WITHDRAWN_BY = ("party", "agent")
HEARING_WITHDRAWN_BY_DOC = {
    "description": "who withdrew the hearing request: party (当事人) or agent (委托代理人); with hearing_withdrawn_on"
}


def _withdrawal_complete(data: dict) -> None:
    """A withdrawal of the hearing request is recorded with its day and who withdrew it, both or neither."""
    if data.get("hearing_withdrawn_on") is not None and data.get("hearing_withdrawn_by") is None:
        raise ValidationError("say who withdrew the hearing request (party or agent)", "hearing_withdrawn_by")
    if data.get("hearing_withdrawn_by") is not None and data.get("hearing_withdrawn_on") is None:
        raise ValidationError("give the day the hearing request was withdrawn", "hearing_withdrawn_on")


class Party(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(PARTY_KINDS))
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), NOT_BLANK])
    id_number = fields.String(
        load_default=None,
        allow_none=True,
        load_only=True,
        validate=validate.Length(min=6, max=30),
        metadata={"description": "a citizen's ID number; stored encrypted, shown masked"},
    )
    credit_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=6, max=30),
        metadata={"description": "an organisation's unified social credit code"},
    )
    is_enterprise = fields.Boolean(load_default=False)


class CaseOfficer(StrictSchema):
    officer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    acted_on = fields.List(
        fields.Date(),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=50),
        metadata={"description": "the dates the officer acted; default: every stage date up to the decision"},
    )


class Suspension(StrictSchema):
    """中止: the 90-day clock stops from ``suspended_on`` until ``resumed_on`` (days between are excluded)."""

    suspended_on = fields.Date(required=True)
    resumed_on = fields.Date(load_default=None, allow_none=True)
    reason = fields.String(required=True, validate=[validate.Length(min=2, max=500), NOT_BLANK])


class Extension(StrictSchema):
    """延长: approved by the agency head before the deadline (art. 60)."""

    days = fields.Integer(required=True, validate=validate.Range(min=1, max=365))
    approved_on = fields.Date(required=True)
    approved_by = fields.String(required=True, validate=[validate.Length(min=1, max=60), NOT_BLANK])
    reason = fields.String(required=True, validate=[validate.Length(min=2, max=500), NOT_BLANK])


class Penalty(StrictSchema):
    """fine_amount is given if and only if kinds include fine (0 or null otherwise)."""

    kinds = fields.List(
        fields.String(validate=validate.OneOf(PENALTY_KINDS)),
        required=True,
        validate=validate.Length(max=len(PENALTY_KINDS)),
        metadata={"description": "empty: no penalty (e.g. 首违不罚)"},
    )
    fine_amount = fields.Decimal(places=2, load_default=None, allow_none=True, validate=MONEY, metadata=MONEY_DOC)

    @validates_schema
    def _fine(self, data, **_kwargs):
        has_fine = "fine" in data.get("kinds", [])
        if has_fine and data.get("fine_amount") is None:
            raise ValidationError("a fine needs its amount", "fine_amount")
        if not has_fine and data.get("fine_amount") not in (None, 0):
            raise ValidationError("an amount needs the kind 'fine'", "fine_amount")


STAGE_FIELDS = (
    "investigation_ended_on",
    "notice_on",
    "hearing_requested_on",
    "hearing_notice_on",
    "hearing_held_on",
    "hearing_withdrawn_on",
    "served_on",
    "executed_on",
    "closed_on",
)


class Decision(StrictSchema):
    decided_on = fields.Date(required=True)
    penalty = fields.Nested(
        Penalty,
        load_default=None,
        allow_none=True,
        metadata={"description": "for penalty cases (行政处罚); absent for other types"},
    )
    circumstance = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=30),
        metadata={"description": "the benchmark tier applied"},
    )
    lenient = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(LENIENT_LISTS),
        metadata={"description": "the lenient list applied, if any"},
    )
    summary = fields.String(load_default="", validate=validate.Length(max=2000))


class CaseReport(StrictSchema):
    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    case_number = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=60), NOT_BLANK],
        metadata={"description": "the agency's case number (文号), unique per agency"},
    )
    item_id = fields.String(required=True)
    filed_on = fields.Date(required=True, metadata={"description": "立案"})
    party = fields.Nested(Party, required=True)
    officers = fields.List(fields.Nested(CaseOfficer), required=True, validate=validate.Length(min=1, max=20))
    procedure = fields.String(load_default="ordinary", validate=validate.OneOf(PROCEDURES))
    violation_on = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "when the violation happened (ended, if continuous)"},
    )
    detected_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "defaults to filed_on"})
    harm = fields.String(load_default="none", validate=validate.OneOf(HARMS))
    minor_violation = fields.Boolean(load_default=False, metadata={"description": "轻微 and corrected in time"})
    investigation_ended_on = fields.Date(load_default=None, allow_none=True)
    notice_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "告知 (art. 44)"})
    hearing_requested_on = fields.Date(load_default=None, allow_none=True)
    hearing_notice_on = fields.Date(load_default=None, allow_none=True)
    hearing_held_on = fields.Date(load_default=None, allow_none=True)
    hearing_withdrawn_on = fields.Date(
        load_default=None, allow_none=True, metadata={"description": "the party withdrew its hearing request (撤回)"}
    )
    hearing_withdrawn_by = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(HEARING_WITHDRAWN_BY),
        metadata=HEARING_WITHDRAWN_BY_DOC,
    )
    served_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "送达"})
    executed_on = fields.Date(load_default=None, allow_none=True)
    closed_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "结案"})
    suspensions = fields.List(fields.Nested(Suspension), load_default=list, validate=validate.Length(max=20))
    extensions = fields.List(fields.Nested(Extension), load_default=list, validate=validate.Length(max=10))
    legal_review = fields.Nested(
        LegalReviewCreate,
        load_default=None,
        allow_none=True,
        metadata={"description": "a review already held (reported with a decided case)"},
    )
    decision = fields.Nested(Decision, load_default=None, allow_none=True)

    @validates_schema
    def _withdrawal(self, data, **_kwargs):
        _withdrawal_complete(data)


class CaseUpdate(StrictSchema):
    """Later stages as they happen; a stage date once recorded is not changed (its measurement stands)."""

    investigation_ended_on = fields.Date()
    notice_on = fields.Date()
    hearing_requested_on = fields.Date()
    hearing_notice_on = fields.Date()
    hearing_held_on = fields.Date()
    hearing_withdrawn_on = fields.Date(metadata={"description": "the party withdrew its hearing request (撤回)"})
    hearing_withdrawn_by = fields.String(
        validate=validate.OneOf(HEARING_WITHDRAWN_BY), metadata=HEARING_WITHDRAWN_BY_DOC
    )
    served_on = fields.Date()
    executed_on = fields.Date()
    closed_on = fields.Date()
    suspensions = fields.List(
        fields.Nested(Suspension),
        validate=validate.Length(max=20),
        metadata={"description": "added; an open one (no resumed_on) may be resumed by sending it again"},
    )
    extensions = fields.List(
        fields.Nested(Extension), validate=validate.Length(max=10), metadata={"description": "added"}
    )
    officers = fields.List(
        fields.Nested(CaseOfficer),
        validate=validate.Length(min=1, max=20),
        metadata={"description": "added to the case's officers"},
    )

    @validates_schema
    def _withdrawal(self, data, **_kwargs):
        _withdrawal_complete(data)


class CaseWarning(StrictSchema):
    code = fields.String()
    field = fields.String()
    message = fields.String()


class PartyOut(StrictSchema):
    kind = fields.String()
    name = fields.String()
    id_number_masked = fields.String(allow_none=True)
    credit_code = fields.String(allow_none=True)
    is_enterprise = fields.Boolean()


DEADLINE_KINDS = ("decided", "served", "published", "withdrawn")
DEADLINE_UNITS = ("days", "workdays")  # 自然日 (art. 60's 90 days), 工作日 (the 7- and 3-day periods)


class CaseDeadline(StrictSchema):
    """One obligation of the case with its deadline as the service counts it (the county's settings and calendar)."""

    kind = fields.String(
        metadata={"description": "decided (art. 60), served (art. 61), published (公示), withdrawn (撤回公示)"}
    )
    starts_on = fields.Date(metadata={"description": "the day the period runs from (not counted)"})
    limit = fields.Integer(metadata={"description": "the period's length in its unit"})
    unit = fields.String(metadata={"description": "days (calendar days) or workdays"})
    due_on = fields.Date(metadata={"description": "the last day in time"})
    met_on = fields.Date(allow_none=True, metadata={"description": "when the obligation was met; null while open"})
    on_time = fields.Boolean(allow_none=True, metadata={"description": "null while open"})


class Case(StrictSchema):
    case_id = fields.String()
    agency_code = fields.String()
    case_number = fields.String()
    item_id = fields.String()
    item_version = fields.Integer()
    item_name = fields.String()
    type_code = fields.String()
    domain = fields.String()
    status = fields.String()
    party = fields.Nested(PartyOut)
    officers = fields.List(fields.Nested(CaseOfficer))
    procedure = fields.String()
    violation_on = fields.Date(allow_none=True)
    detected_on = fields.Date(allow_none=True)
    harm = fields.String()
    minor_violation = fields.Boolean()
    filed_on = fields.Date()
    investigation_ended_on = fields.Date(allow_none=True)
    notice_on = fields.Date(allow_none=True)
    hearing_requested_on = fields.Date(allow_none=True)
    hearing_notice_on = fields.Date(allow_none=True)
    hearing_held_on = fields.Date(allow_none=True)
    hearing_withdrawn_on = fields.Date(allow_none=True)
    hearing_withdrawn_by = fields.String(allow_none=True, metadata=HEARING_WITHDRAWN_BY_DOC)
    hearing_withdrawal_recorded_by = fields.String(
        allow_none=True, metadata={"description": "the user who recorded the withdrawal"}
    )
    decided_on = fields.Date(allow_none=True)
    served_on = fields.Date(allow_none=True)
    executed_on = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    revoked_on = fields.Date(allow_none=True)
    decision_due_on = fields.Date(
        allow_none=True, metadata={"description": "90 days (a setting) plus suspensions and extensions"}
    )
    penalty_kinds = fields.List(fields.String())
    fine_amount = fields.Float(allow_none=True)
    circumstance = fields.String(allow_none=True)
    lenient = fields.String(allow_none=True)
    decision_summary = fields.String()
    is_major = fields.Boolean()
    legal_reviews = fields.List(fields.Nested(LegalReview))
    suspensions = fields.List(fields.Nested(Suspension))
    extensions = fields.List(fields.Nested(Extension))
    warnings = fields.List(fields.Nested(CaseWarning))
    published_on = fields.Date(allow_none=True)
    publication_withdrawn_on = fields.Date(allow_none=True)
    deadlines = fields.List(
        fields.Nested(CaseDeadline), metadata={"description": "the obligations that apply to the case so far"}
    )
    records = fields.Nested(
        RecordsChecks,
        metadata={
            "description": "its records checks: the documents it lacks and its recordings (for a case filed before "
            "CASES.records.required_from nothing is required: no documents listed, no recording required)"
        },
    )


class CaseQuery(CursorPageQuery, DateRange):
    """``from`` / ``to``: the filing date (立案) lies in that period."""

    agency_code = fields.String(validate=AGENCY_CODE)
    type_code = fields.String(validate=TYPE_CODE)
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    flagged = fields.Boolean(metadata={"description": "only cases with warnings"})
    overdue = fields.Boolean(
        metadata={
            "description": "only cases whose decision or publication is past its deadline and still not done, as the"
            " hourly deadline watch found them (false: none)"
        }
    )
    publication = fields.String(
        validate=validate.OneOf(["to_publish", "to_withdraw"]),
        metadata={
            "description": "the agency's publication work: to_publish, decisions of a type that must be published"
            " (公示) and are not yet; to_withdraw, published decisions changed or revoked and not yet withdrawn"
        },
    )


class WarningOut(StrictSchema):
    code = fields.String(required=True)
    field = fields.String(required=True)
    message = fields.String(required=True)


class CaseReported(StrictSchema):
    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    case_number = fields.String(required=True)
    item_id = fields.String(required=True)
    item_version = fields.Integer(required=True)
    type_code = fields.String(required=True)
    party_kind = fields.String(required=True)
    party_name_masked = fields.String(required=True)
    is_enterprise = fields.Boolean(required=True)
    procedure = fields.String(required=True)
    filed_on = fields.Date(required=True)
    officer_ids = fields.List(fields.String(), required=True)
    is_major = fields.Boolean(required=True)


class CaseUpdated(StrictSchema):
    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    changed = fields.List(fields.String(), required=True)
    status = fields.String(required=True)


class CaseDecided(StrictSchema):
    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    case_number = fields.String(required=True)
    type_code = fields.String(required=True)
    decided_on = fields.Date(required=True)
    penalty_kinds = fields.List(fields.String(), required=True)
    fine_amount = fields.Float(allow_none=True, required=True)
    is_major = fields.Boolean(required=True)
    days_taken = fields.Integer(
        required=True, metadata={"description": "calendar days from 立案, suspensions excluded"}
    )
    decision_due_on = fields.Date(allow_none=True, required=True)


class CaseFlagged(StrictSchema):
    """New warnings recorded on a case (the law's deadlines missed, a penalty outside its benchmark, ...)."""

    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    case_number = fields.String(required=True)
    warnings = fields.List(fields.Nested(WarningOut), required=True)


CASE_REPORTED = register(EventType(SERVICE, "case.reported", CaseReported, 1, "An agency reported a case (立案)."))

CASE_UPDATED = register(EventType(SERVICE, "case.updated", CaseUpdated, 1, "Stages of a case were recorded."))

CASE_DECIDED = register(EventType(SERVICE, "case.decided", CaseDecided, 1, "A case was decided."))

CASE_FLAGGED = register(EventType(SERVICE, "case.flagged", CaseFlagged, 1, "Warnings were recorded on a case."))


class CaseImport(StrictSchema):
    """What a spreadsheet import did: every row passed and was imported (or, with ``dry_run``, would have been)."""

    rows = fields.Integer(required=True, metadata={"description": "case rows in the sheet"})
    imported = fields.Integer(required=True)
    case_ids = fields.List(fields.String(), required=True)
    dry_run = fields.Boolean(required=True)
