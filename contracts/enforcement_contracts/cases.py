"""Contract of the cases service: the enforcement-item catalogue, discretion benchmarks, cases and their
procedural checks, legal review, publication and promptness.

RPC methods (service ``cases``) take and return the payloads below as JSON-ready dicts; every write
takes the caller's ``actor`` (see ``common.Actor``) so the service scopes it to the caller's agency.
A party's ID number appears only in ``Party`` (input); every output carries the masked form, and no
event carries it at all. Natural persons' names appear in events and public lists masked (张*).
"""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from .common import AGENCY_CODE, DateRange, PageQuery, PromptnessMeasured, StrictSchema
from .events import EventType, register

SERVICE = "cases"

# Enforcement types (行政处罚, 行政许可, ...) are data in the service (a table seeded with the seven of the plan);
# only the shape of a code is fixed here.
TYPE_CODE = validate.Regexp(r"^[a-z][a-z_]{1,29}$", error="must be a lower-case code like penalty")
ITEM_CODE = validate.Regexp(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$", error="must be 1-40 letters, digits, '.', '_' or '-'")
# Enforcement domains (执法类别) are the personnel service's codes: certificates cover them.
DOMAIN_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$", error="must be a lower-case code like market_supervision")
LENIENT_LISTS = ("lighter", "mitigated", "first_violation_exempt")  # 从轻, 减轻, 首违不罚
PARTY_KINDS = ("citizen", "organisation")
PROCEDURES = ("ordinary", "simplified")  # 普通程序; 简易程序 (当场处罚, art. 51)
HARMS = ("none", "life_health", "financial")  # art. 36: the last two extend the limitation period
# 行政处罚法 art. 9 (plus "other" for kinds set by other laws)
PENALTY_KINDS = (
    "warning",
    "criticism",
    "fine",
    "confiscate_income",
    "confiscate_property",
    "suspend_licence",
    "lower_qualification",
    "revoke_licence",
    "restrict_business",
    "order_closure",
    "order_shutdown",
    "restrict_practice",
    "detention",
    "other",
)
CASE_STATUSES = ("filed", "decided", "closed", "revoked")
CHANGE_GROUNDS = ("agency", "reconsideration", "litigation")  # 自行纠正, 行政复议, 行政诉讼


class _Money(validate.Validator):
    """0 to 100 billion yuan. Not a ``Range``: apispec would render its bounds as Decimal strings."""

    error = "must be between 0 and 100000000000"

    def __call__(self, value):
        if value < 0 or value > 10**11:
            raise ValidationError(self.error)
        return value


MONEY = _Money()
MONEY_DOC = {"minimum": 0, "maximum": 10**11, "description": "yuan"}
NOT_BLANK = validate.Regexp(r"\S", error="must not be blank")


# --- catalogue (行政执法事项目录) -------------------------------------------------------------
class ItemType(StrictSchema):
    code = fields.String()
    name = fields.String()
    publish_decisions = fields.Boolean(metadata={"description": "decisions of this type are published (公示)"})
    penalty_procedure = fields.Boolean(metadata={"description": "the Administrative Penalty Law's procedure applies"})


class ItemCreate(StrictSchema):
    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    code = fields.String(required=True, validate=ITEM_CODE, metadata={"description": "the agency's own item code"})
    type_code = fields.String(required=True, validate=TYPE_CODE)
    name = fields.String(required=True, validate=[validate.Length(min=2, max=200), NOT_BLANK])
    domain = fields.String(required=True, validate=DOMAIN_CODE)
    legal_basis = fields.String(
        required=True,
        validate=[validate.Length(min=2, max=4000), NOT_BLANK],
        metadata={"description": "the law, regulation or rule and article; no basis, no item"},
    )
    effective_from = fields.Date(metadata={"description": "defaults to today"})


class ItemChange(StrictSchema):
    """A change makes a new version in force from ``effective_from``; cases keep the version they were filed under."""

    name = fields.String(validate=[validate.Length(min=2, max=200), NOT_BLANK])
    domain = fields.String(validate=DOMAIN_CODE)
    legal_basis = fields.String(validate=[validate.Length(min=2, max=4000), NOT_BLANK])
    effective_from = fields.Date(required=True)
    reason = fields.String(required=True, validate=[validate.Length(min=2, max=500), NOT_BLANK])


class ItemCancel(StrictSchema):
    cancelled_on = fields.Date(required=True)
    reason = fields.String(required=True, validate=[validate.Length(min=2, max=500), NOT_BLANK])


class ItemVersion(StrictSchema):
    version = fields.Integer()
    name = fields.String()
    domain = fields.String()
    legal_basis = fields.String()
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True, metadata={"description": "last day in force; null while current"})


class Item(StrictSchema):
    item_id = fields.String()
    agency_code = fields.String()
    code = fields.String()
    type_code = fields.String()
    name = fields.String()
    domain = fields.String()
    legal_basis = fields.String()
    version = fields.Integer()
    effective_from = fields.Date()
    cancelled_on = fields.Date(allow_none=True)
    versions = fields.List(fields.Nested(ItemVersion), metadata={"description": "every version, oldest first"})


class ItemQuery(PageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)
    type_code = fields.String(validate=TYPE_CODE)
    include_cancelled = fields.Boolean(load_default=False)


class DormantQuery(StrictSchema):
    agency_code = fields.String(validate=AGENCY_CODE)
    as_of = fields.Date(metadata={"description": "defaults to today"})


class DormantItem(StrictSchema):
    """An item with no case in the last N years (a setting, 5): proposed for cancellation or adjustment."""

    item_id = fields.String()
    agency_code = fields.String()
    code = fields.String()
    type_code = fields.String()
    name = fields.String()
    last_case_filed_on = fields.Date(allow_none=True)
    in_catalogue_since = fields.Date()


# --- discretion benchmarks (裁量基准) and the lenient lists -----------------------------------
class Tier(StrictSchema):
    """One circumstance tier (e.g. 轻微/一般/较重/严重): the penalty kinds and the fine range it allows."""

    tier = fields.String(
        required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,29}$", error="must be a lower-case code like minor")
    )
    label = fields.String(required=True, validate=[validate.Length(min=1, max=60), NOT_BLANK])
    penalty_kinds = fields.List(
        fields.String(validate=validate.OneOf(PENALTY_KINDS)),
        required=True,
        validate=validate.Length(min=1, max=len(PENALTY_KINDS)),
    )
    fine_min = fields.Decimal(places=2, allow_none=True, load_default=None, validate=MONEY, metadata=MONEY_DOC)
    fine_max = fields.Decimal(places=2, allow_none=True, load_default=None, validate=MONEY, metadata=MONEY_DOC)
    note = fields.String(load_default="", validate=validate.Length(max=1000))

    @validates_schema
    def _range(self, data, **_kwargs):
        low, high = data.get("fine_min"), data.get("fine_max")
        if "fine" in data.get("penalty_kinds", []) and (low is None or high is None):
            raise ValidationError("a tier that allows a fine gives its range", "fine_max")
        if low is not None and high is not None and low > high:
            raise ValidationError("must not be below fine_min", "fine_max")


class BenchmarkSet(StrictSchema):
    tiers = fields.List(fields.Nested(Tier), required=True, validate=validate.Length(min=1, max=20))
    effective_from = fields.Date(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=1000))

    @validates_schema
    def _unique(self, data, **_kwargs):
        codes = [t["tier"] for t in data.get("tiers", [])]
        if len(codes) != len(set(codes)):
            raise ValidationError("tier codes must be unique", "tiers")


class TierOut(StrictSchema):
    tier = fields.String()
    label = fields.String()
    penalty_kinds = fields.List(fields.String())
    fine_min = fields.Float(allow_none=True)
    fine_max = fields.Float(allow_none=True)
    note = fields.String()


class Benchmark(StrictSchema):
    item_id = fields.String()
    agency_code = fields.String()
    version = fields.Integer()
    tiers = fields.List(fields.Nested(TierOut))
    effective_from = fields.Date()
    note = fields.String()


class LenientEntryCreate(StrictSchema):
    list_kind = fields.String(required=True, validate=validate.OneOf(LENIENT_LISTS))
    item_id = fields.String(required=True)
    conditions = fields.String(required=True, validate=[validate.Length(min=2, max=2000), NOT_BLANK])
    effective_from = fields.Date(required=True)


class LenientEntryRemove(StrictSchema):
    removed_on = fields.Date(required=True)
    reason = fields.String(required=True, validate=[validate.Length(min=2, max=500), NOT_BLANK])


class LenientEntry(StrictSchema):
    entry_id = fields.Integer()
    agency_code = fields.String()
    list_kind = fields.String()
    item_id = fields.String()
    item_name = fields.String()
    conditions = fields.String()
    effective_from = fields.Date()
    removed_on = fields.Date(allow_none=True)


class LenientQuery(StrictSchema):
    agency_code = fields.String(validate=AGENCY_CODE)
    list_kind = fields.String(validate=validate.OneOf(LENIENT_LISTS))
    include_removed = fields.Boolean(load_default=False)


class MajorRuleCreate(StrictSchema):
    """An entry of an agency's major-decision list (重大执法决定法制审核目录): an item, a penalty kind, or a fine
    from an amount; a case matching any entry needs a passed legal review before it is decided."""

    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    item_id = fields.String(load_default=None, allow_none=True)
    penalty_kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(PENALTY_KINDS))
    fine_from = fields.Decimal(places=2, load_default=None, allow_none=True, validate=MONEY, metadata=MONEY_DOC)
    note = fields.String(load_default="", validate=validate.Length(max=500))

    @validates_schema
    def _one(self, data, **_kwargs):
        if sum(data.get(k) is not None for k in ("item_id", "penalty_kind", "fine_from")) != 1:
            raise ValidationError("give exactly one of item_id, penalty_kind, fine_from", "_schema")


class MajorRule(StrictSchema):
    rule_id = fields.Integer()
    agency_code = fields.String()
    item_id = fields.String(allow_none=True)
    penalty_kind = fields.String(allow_none=True)
    fine_from = fields.Float(allow_none=True)
    note = fields.String()


# --- cases ----------------------------------------------------------------------------------
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
    "served_on",
    "executed_on",
    "closed_on",
)


class LegalReviewCreate(StrictSchema):
    reviewer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reviewed_on = fields.Date(required=True)
    passed = fields.Boolean(required=True)
    opinion = fields.String(load_default="", validate=validate.Length(max=2000))


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


class CaseUpdate(StrictSchema):
    """Later stages as they happen; a stage date once recorded is not changed (its measurement stands)."""

    investigation_ended_on = fields.Date()
    notice_on = fields.Date()
    hearing_requested_on = fields.Date()
    hearing_notice_on = fields.Date()
    hearing_held_on = fields.Date()
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


class LegalReview(StrictSchema):
    review_id = fields.Integer()
    case_id = fields.String()
    reviewer_id = fields.String()
    reviewed_on = fields.Date()
    passed = fields.Boolean()
    opinion = fields.String()


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


class CaseQuery(PageQuery, DateRange):
    """``from`` / ``to``: the filing date (立案) lies in that period."""

    agency_code = fields.String(validate=AGENCY_CODE)
    type_code = fields.String(validate=TYPE_CODE)
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    flagged = fields.Boolean(metadata={"description": "only cases with warnings"})


class Revocation(StrictSchema):
    """The decision was changed or revoked (on reconsideration, litigation or by the agency itself)."""

    changed_on = fields.Date(required=True)
    revoked = fields.Boolean(load_default=True, metadata={"description": "false: changed, not revoked"})
    reason = fields.String(required=True, validate=[validate.Length(min=2, max=1000), NOT_BLANK])
    ground = fields.String(
        load_default="agency",
        validate=validate.OneOf(CHANGE_GROUNDS),
        metadata={
            "description": "who changed it: the agency itself, or 行政复议 / 行政诉讼"
            " (counted as reversed in the assessment)"
        },
    )


class PublicationCreate(StrictSchema):
    published_on = fields.Date(required=True)


class PublicationWithdraw(StrictSchema):
    withdrawn_on = fields.Date(required=True)


class PublishedDecision(StrictSchema):
    """What the public sees (公示): no ID numbers, natural persons' names masked."""

    case_id = fields.String()
    agency_code = fields.String()
    agency_name = fields.String()
    case_number = fields.String()
    type_code = fields.String()
    item_name = fields.String()
    legal_basis = fields.String()
    party_name = fields.String()
    party_kind = fields.String()
    penalty_kinds = fields.List(fields.String())
    fine_amount = fields.Float(allow_none=True)
    decision_summary = fields.String()
    decided_on = fields.Date()
    published_on = fields.Date()


class PublicQuery(PageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)
    type_code = fields.String(validate=TYPE_CODE)


class PromptnessQuery(DateRange):
    """``from`` / ``to``: the measured obligation was met (or found late) in that period."""

    agency_code = fields.String(validate=AGENCY_CODE)


class PromptnessRow(StrictSchema):
    agency_code = fields.String()
    kind = fields.String()
    measurements = fields.Integer()
    on_time = fields.Integer()
    on_time_ratio = fields.Float()
    mean_workdays = fields.Float()


class StatsQuery(StrictSchema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    agency_code = fields.String(validate=AGENCY_CODE)


class StatsRow(StrictSchema):
    """行政执法统计: per agency and type, cases filed and decided in the year and fines decided."""

    agency_code = fields.String()
    type_code = fields.String()
    cases = fields.Integer()
    decided = fields.Integer()
    fined = fields.Integer()
    fine_total = fields.Float()


# --- transfers (案件移送, 国务院令310号) -------------------------------------------------------------
INSPECTION_KINDS = (
    "routine",
    "double_random",
    "complaint",
    "referral",
    "special",
)  # 日常, 双随机, 投诉举报, 转办交办, 专项


class TransferCreate(StrictSchema):
    to_agency_code = fields.String(
        required=True,
        validate=AGENCY_CODE,
        metadata={"description": "another agency, or the police (县公安局) for a suspected crime"},
    )
    reason = fields.String(required=True, validate=[validate.Length(min=2, max=1000), NOT_BLANK])
    proposed_on = fields.Date(
        required=True, metadata={"description": "the officers' transfer proposal (the head decides within 3 days)"}
    )


class TransferDecision(StrictSchema):
    decided_at = fields.DateTime(
        required=True, metadata={"description": "the head's decision (hand-over within 24 hours)"}
    )
    approved = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class TransferHandover(StrictSchema):
    handed_over_at = fields.DateTime(required=True)


class TransferAcknowledge(StrictSchema):
    acknowledged_on = fields.Date(
        required=True, metadata={"description": "the receiver's acknowledgement (within 3 days)"}
    )


class Transfer(StrictSchema):
    transfer_id = fields.String()
    case_id = fields.String()
    from_agency_code = fields.String()
    to_agency_code = fields.String()
    to_police = fields.Boolean()
    reason = fields.String()
    proposed_on = fields.Date()
    decided_at = fields.DateTime(allow_none=True)
    approved = fields.Boolean(allow_none=True)
    handed_over_at = fields.DateTime(allow_none=True)
    acknowledged_on = fields.Date(allow_none=True)
    status = fields.String(metadata={"description": "proposed, refused, approved, handed_over, acknowledged"})


class TransferQuery(PageQuery):
    agency_code = fields.String(validate=AGENCY_CODE, metadata={"description": "as sender or receiver"})


# --- enterprise inspections (涉企行政检查) ------------------------------------------------------
class DirectoryEntry(StrictSchema):
    credit_code = fields.String(required=True, validate=validate.Length(min=6, max=30))
    name = fields.String(required=True, validate=[validate.Length(min=2, max=200), NOT_BLANK])
    category = fields.String(load_default="", validate=validate.Length(max=60))


class DirectoryUpload(StrictSchema):
    """An agency's directory of inspection targets (检查对象名录库), the pool of the double-random draw."""

    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    entries = fields.List(fields.Nested(DirectoryEntry), required=True, validate=validate.Length(min=1, max=5000))


class InspectionCreate(StrictSchema):
    agency_code = fields.String(required=True, validate=AGENCY_CODE, metadata={"description": "the lead agency"})
    credit_code = fields.String(required=True, validate=validate.Length(min=6, max=30))
    enterprise_name = fields.String(required=True, validate=[validate.Length(min=2, max=200), NOT_BLANK])
    inspected_on = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(INSPECTION_KINDS))
    domain = fields.String(required=True, validate=DOMAIN_CODE)
    officers = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)), required=True, validate=validate.Length(min=1, max=20)
    )
    joint_agencies = fields.List(
        fields.String(validate=AGENCY_CODE),
        load_default=list,
        validate=validate.Length(max=10),
        metadata={"description": "the other agencies of a joint inspection (联合检查)"},
    )
    draw_id = fields.String(load_default=None, allow_none=True)
    result = fields.String(load_default="", validate=validate.Length(max=2000))


class Inspection(StrictSchema):
    inspection_id = fields.String()
    agency_code = fields.String()
    credit_code = fields.String()
    enterprise_name = fields.String()
    inspected_on = fields.Date()
    kind = fields.String()
    domain = fields.String()
    officers = fields.List(fields.String())
    joint_agencies = fields.List(fields.String())
    draw_id = fields.String(allow_none=True)
    result = fields.String()
    warnings = fields.List(fields.Nested(CaseWarning))


class InspectionQuery(PageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)
    credit_code = fields.String(validate=validate.Length(min=6, max=30))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class DrawCreate(StrictSchema):
    """双随机: targets drawn from the agency's directory, two certified inspectors drawn for each."""

    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    domain = fields.String(required=True, validate=DOMAIN_CODE)
    target_count = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))
    category = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    drawn_on = fields.Date(required=True)
    seed = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=4, max=64),
        metadata={"description": "recorded; drawn at random when absent"},
    )


class DrawAssignment(StrictSchema):
    credit_code = fields.String()
    enterprise_name = fields.String()
    officer_ids = fields.List(fields.String())


class Draw(StrictSchema):
    draw_id = fields.String()
    agency_code = fields.String()
    domain = fields.String()
    category = fields.String(allow_none=True)
    drawn_on = fields.Date()
    seed = fields.String()
    target_pool_size = fields.Integer()
    inspector_pool_size = fields.Integer()
    assignments = fields.List(fields.Nested(DrawAssignment))
    published_on = fields.Date(allow_none=True)


class DrawReplay(StrictSchema):
    draw_id = fields.String()
    seed = fields.String()
    reproduced = fields.Boolean(metadata={"description": "the recorded pools and seed give the recorded result again"})
    assignments = fields.List(fields.Nested(DrawAssignment))


class DrawPublish(StrictSchema):
    published_on = fields.Date(required=True)


# --- case-file review (案卷评查) -------------------------------------------------------------------
CHECKLIST_SECTIONS = ("basic", "form", "content")  # a failed basic item fails the file; form 20 + content 80 points
REVIEW_GRADES = ("excellent", "pass", "fail")  # 优秀, 合格, 不合格
CHECK_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$", error="must be a lower-case code like legal_basis")


class ChecklistItem(StrictSchema):
    code = fields.String(required=True, validate=CHECK_CODE)
    label = fields.String(required=True, validate=[validate.Length(min=2, max=200), NOT_BLANK])
    section = fields.String(required=True, validate=validate.OneOf(CHECKLIST_SECTIONS))
    points = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=100),
        metadata={"description": "the most a form or content item can deduct; 0 for basic items"},
    )


class ChecklistCreate(StrictSchema):
    effective_from = fields.Date(required=True)
    items = fields.List(fields.Nested(ChecklistItem), required=True, validate=validate.Length(min=1, max=100))


class Checklist(StrictSchema):
    version = fields.Integer()
    effective_from = fields.Date()
    items = fields.List(fields.Nested(ChecklistItem))


class ReviewBatchCreate(StrictSchema):
    """The bureau draws closed cases at random (a recorded seed) for review."""

    agency_code = fields.String(load_default=None, allow_none=True, validate=AGENCY_CODE)
    type_code = fields.String(load_default=None, allow_none=True, validate=TYPE_CODE)
    closed_from = fields.Date(required=True)
    closed_to = fields.Date(required=True)
    size = fields.Integer(required=True, validate=validate.Range(min=1, max=500))
    seed = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=4, max=64))

    @validates_schema
    def _period(self, data, **_kwargs):
        if data.get("closed_from") and data.get("closed_to") and data["closed_from"] > data["closed_to"]:
            raise ValidationError("must not be before closed_from", "closed_to")


class Deduction(StrictSchema):
    code = fields.String(required=True, validate=CHECK_CODE)
    points = fields.Integer(required=True, validate=validate.Range(min=1, max=100))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class ReviewAssignment(StrictSchema):
    file_id = fields.String(required=True)
    reviewer_id = fields.String(required=True, metadata={"description": "an officer (personnel) of another agency"})


class ReviewAssign(StrictSchema):
    assignments = fields.List(fields.Nested(ReviewAssignment), required=True, validate=validate.Length(min=1, max=500))


class ReviewScore(StrictSchema):
    scored_on = fields.Date(required=True)
    basic_failures = fields.List(fields.String(validate=CHECK_CODE), load_default=list)
    deductions = fields.List(fields.Nested(Deduction), load_default=list)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ReviewFile(StrictSchema):
    file_id = fields.String()
    batch_id = fields.String()
    case_id = fields.String()
    case_number = fields.String()
    agency_code = fields.String()
    reviewer_id = fields.String(allow_none=True)
    scored_on = fields.Date(allow_none=True)
    basic_failures = fields.List(fields.String())
    form_score = fields.Integer(allow_none=True)
    content_score = fields.Integer(allow_none=True)
    total = fields.Integer(allow_none=True)
    grade = fields.String(allow_none=True)


class ReviewBatch(StrictSchema):
    batch_id = fields.String()
    drawn_on = fields.Date()
    seed = fields.String()
    agency_code = fields.String(allow_none=True)
    type_code = fields.String(allow_none=True)
    closed_from = fields.Date()
    closed_to = fields.Date()
    population_size = fields.Integer()
    checklist_version = fields.Integer()
    files = fields.List(fields.Nested(ReviewFile))


class ReviewFileQuery(PageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)
    grade = fields.String(validate=validate.OneOf(REVIEW_GRADES))


# --- events ---------------------------------------------------------------------------------
class ItemRegistered(StrictSchema):
    item_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    code = fields.String(required=True)
    type_code = fields.String(required=True)
    name = fields.String(required=True)
    domain = fields.String(required=True)
    legal_basis = fields.String(required=True)
    version = fields.Integer(required=True)
    effective_from = fields.Date(required=True)


class ItemChanged(ItemRegistered):
    reason = fields.String(required=True)
    changed = fields.List(fields.String(), required=True)


class ItemCancelled(StrictSchema):
    item_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    code = fields.String(required=True)
    cancelled_on = fields.Date(required=True)
    reason = fields.String(required=True)


class BenchmarkFiled(StrictSchema):
    """备案: a discretion benchmark (or a new version of it) filed with the justice bureau."""

    item_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    item_code = fields.String(required=True)
    version = fields.Integer(required=True)
    effective_from = fields.Date(required=True)
    tiers = fields.List(fields.Nested(TierOut), required=True)
    filed_by = fields.String(required=True)


class LenientListFiled(StrictSchema):
    """备案: an entry added to or removed from one of an agency's lenient lists (从轻/减轻/首违不罚)."""

    agency_code = fields.String(required=True)
    list_kind = fields.String(required=True, validate=validate.OneOf(LENIENT_LISTS))
    action = fields.String(required=True, validate=validate.OneOf(["added", "removed"]))
    entry_id = fields.Integer(required=True)
    item_id = fields.String(required=True)
    item_code = fields.String(required=True)
    conditions = fields.String(required=True)
    effective_on = fields.Date(required=True)
    filed_by = fields.String(required=True)


class MajorListChanged(StrictSchema):
    agency_code = fields.String(required=True)
    action = fields.String(required=True, validate=validate.OneOf(["added", "removed"]))
    rule_id = fields.Integer(required=True)
    item_id = fields.String(allow_none=True, required=True)
    penalty_kind = fields.String(allow_none=True, required=True)
    fine_from = fields.Float(allow_none=True, required=True)


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


class LegalReviewRecorded(StrictSchema):
    review_id = fields.Integer(required=True)
    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    reviewer_id = fields.String(required=True)
    reviewed_on = fields.Date(required=True)
    passed = fields.Boolean(required=True)


class DecisionRevoked(StrictSchema):
    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    changed_on = fields.Date(required=True)
    revoked = fields.Boolean(required=True)
    reason = fields.String(required=True)


class DecisionPublished(StrictSchema):
    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    case_number = fields.String(required=True)
    type_code = fields.String(required=True)
    decided_on = fields.Date(required=True)
    published_on = fields.Date(required=True)
    on_time = fields.Boolean(required=True)


class PublicationWithdrawn(StrictSchema):
    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    withdrawn_on = fields.Date(required=True)
    on_time = fields.Boolean(required=True)


class TransferEvent(StrictSchema):
    transfer_id = fields.String(required=True)
    case_id = fields.String(required=True)
    from_agency_code = fields.String(required=True)
    to_agency_code = fields.String(required=True)
    to_police = fields.Boolean(required=True)
    status = fields.String(required=True)
    on = fields.Date(required=True, metadata={"description": "the day of this step"})


class InspectionRecorded(StrictSchema):
    inspection_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    credit_code = fields.String(required=True)
    inspected_on = fields.Date(required=True)
    kind = fields.String(required=True)
    joint_agencies = fields.List(fields.String(), required=True)
    warnings = fields.List(fields.Nested(WarningOut), required=True)


class DrawPublished(StrictSchema):
    """双随机一公开: a draw made public (targets; the inspectors by id only)."""

    draw_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    domain = fields.String(required=True)
    drawn_on = fields.Date(required=True)
    seed = fields.String(required=True)
    published_on = fields.Date(required=True)
    assignments = fields.List(fields.Nested(DrawAssignment), required=True)


class ReviewBatchDrawn(StrictSchema):
    batch_id = fields.String(required=True)
    drawn_on = fields.Date(required=True)
    seed = fields.String(required=True)
    agency_code = fields.String(allow_none=True, required=True)
    type_code = fields.String(allow_none=True, required=True)
    population_size = fields.Integer(required=True)
    case_ids = fields.List(fields.String(), required=True)


class ReviewFileScored(StrictSchema):
    file_id = fields.String(required=True)
    batch_id = fields.String(required=True)
    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    checklist_version = fields.Integer(required=True)
    total = fields.Integer(required=True)
    grade = fields.String(required=True, validate=validate.OneOf(REVIEW_GRADES))
    basic_failures = fields.List(fields.String(), required=True)


class CorrectionOpened(StrictSchema):
    """错案纠正 (and, for accountability.opened, 过错责任追究) after a failing case file."""

    record_id = fields.Integer(required=True)
    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    file_id = fields.String(required=True)
    officer_ids = fields.List(fields.String(), required=True)
    opened_on = fields.Date(required=True)
    reason = fields.String(required=True)


class ChecklistFiled(StrictSchema):
    version = fields.Integer(required=True)
    effective_from = fields.Date(required=True)
    items = fields.Integer(required=True, metadata={"description": "how many items"})
    filed_by = fields.String(required=True)


class DirectoryUpdated(StrictSchema):
    agency_code = fields.String(required=True)
    added = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    total = fields.Integer(required=True)


class DrawRecorded(StrictSchema):
    draw_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    domain = fields.String(required=True)
    drawn_on = fields.Date(required=True)
    seed = fields.String(required=True)
    targets = fields.Integer(required=True)


class ReviewersAssigned(StrictSchema):
    batch_id = fields.String(required=True)
    assignments = fields.List(fields.Nested(ReviewAssignment), required=True)


class DeadlineMissed(StrictSchema):
    """An obligation still open after its deadline, announced once per case (or transfer) and kind (no personal
    data)."""

    case_id = fields.String(required=True)
    transfer_id = fields.String(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "the transfer whose leg is late (transfer_* kinds); null for the case's own deadlines. The "
            "promptness measurement that follows names the transfer id (else the case id) as reference"
        },
    )
    agency_code = fields.String(
        required=True,
        metadata={
            "description": "the agency bound by the obligation: for transfer_acknowledged the receiving agency, "
            "for the "
            "other transfer legs the sending one"
        },
    )
    kind = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={
            "description": "case_decided, decision_published, transfer_decided (3 working days after the proposal), "
            "transfer_handed_over (24 hours after the approval) or transfer_acknowledged (3 working days "
            "after the hand-over): named as the promptness measurement that follows once it is met"
        },
    )
    started_on = fields.Date(
        required=True,
        metadata={
            "description": "立案 (case_decided), the decision day, the transfer's proposal, approval or hand-over day"
        },
    )
    due_on = fields.Date(required=True, metadata={"description": "the last day in time"})
    detected_on = fields.Date(required=True)


ITEM_REGISTERED = register(
    EventType(
        SERVICE,
        "item.registered",
        ItemRegistered,
        1,
        "An enforcement item (行政执法事项) entered an agency's catalogue.",
    )
)
ITEM_CHANGED = register(
    EventType(
        SERVICE,
        "item.changed",
        ItemChanged,
        1,
        "An item got a new version (name, domain or legal basis); earlier cases keep theirs.",
    )
)
ITEM_CANCELLED = register(EventType(SERVICE, "item.cancelled", ItemCancelled, 1, "An item left the catalogue."))
BENCHMARK_FILED = register(
    EventType(
        SERVICE,
        "benchmark.filed",
        BenchmarkFiled,
        1,
        "A discretion benchmark version was filed with the justice bureau (备案).",
    )
)
LENIENT_LIST_FILED = register(
    EventType(
        SERVICE,
        "lenient_list.filed",
        LenientListFiled,
        1,
        "A lenient-list change (从轻/减轻/首违不罚) was filed with the justice bureau (备案).",
    )
)
MAJOR_LIST_CHANGED = register(
    EventType(
        SERVICE,
        "major_list.changed",
        MajorListChanged,
        1,
        "An agency's major-decision list (重大执法决定法制审核目录) changed.",
    )
)
CASE_REPORTED = register(EventType(SERVICE, "case.reported", CaseReported, 1, "An agency reported a case (立案)."))
CASE_UPDATED = register(EventType(SERVICE, "case.updated", CaseUpdated, 1, "Stages of a case were recorded."))
CASE_DECIDED = register(EventType(SERVICE, "case.decided", CaseDecided, 1, "A case was decided."))
CASE_FLAGGED = register(EventType(SERVICE, "case.flagged", CaseFlagged, 1, "Warnings were recorded on a case."))
LEGAL_REVIEW_RECORDED = register(
    EventType(
        SERVICE,
        "legal_review.recorded",
        LegalReviewRecorded,
        1,
        "A legal review (法制审核) of a major decision was recorded.",
    )
)
DECISION_REVOKED = register(
    EventType(
        SERVICE,
        "decision.revoked",
        DecisionRevoked,
        1,
        "A decision was changed or revoked; its publication must be withdrawn.",
    )
)
DECISION_PUBLISHED = register(
    EventType(SERVICE, "decision.published", DecisionPublished, 1, "A 许可 or 处罚 decision was published (公示).")
)
PUBLICATION_WITHDRAWN = register(
    EventType(
        SERVICE,
        "publication.withdrawn",
        PublicationWithdrawn,
        1,
        "A published decision was withdrawn after it was changed or revoked.",
    )
)
PROMPTNESS_MEASURED = register(
    EventType(
        SERVICE,
        "promptness.measured",
        PromptnessMeasured,
        1,
        "An obligation with a deadline ended (case_decided, decision_served, "
        "decision_published, publication_withdrawn, transfer_*).",
    )
)
DEADLINE_MISSED = register(
    EventType(
        SERVICE,
        "deadline.missed",
        DeadlineMissed,
        1,
        "A deadline passed with the obligation still open: a case not decided within "
        "its legal time limit (case_decided), a decision not published in time "
        "(decision_published), or a transfer leg not met in time (transfer_decided, "
        "transfer_handed_over, transfer_acknowledged). Once per case or transfer and "
        "kind.",
    )
)
TRANSFER_PROPOSED = register(
    EventType(
        SERVICE,
        "transfer.proposed",
        TransferEvent,
        1,
        "A case is proposed for transfer to another agency or the police (案件移送).",
    )
)
TRANSFER_DECIDED = register(
    EventType(SERVICE, "transfer.decided", TransferEvent, 1, "The agency head approved or refused a transfer.")
)
TRANSFER_HANDED_OVER = register(
    EventType(SERVICE, "transfer.handed_over", TransferEvent, 1, "A transferred case was handed over to the receiver.")
)
TRANSFER_ACKNOWLEDGED = register(
    EventType(SERVICE, "transfer.acknowledged", TransferEvent, 1, "The receiver acknowledged a transferred case.")
)
INSPECTION_RECORDED = register(
    EventType(
        SERVICE,
        "inspection.recorded",
        InspectionRecorded,
        1,
        "An enterprise inspection (涉企行政检查) was recorded, with its warnings.",
    )
)
DRAW_PUBLISHED = register(
    EventType(SERVICE, "draw.published", DrawPublished, 1, "A double-random draw (双随机一公开) was published.")
)
REVIEW_BATCH_DRAWN = register(
    EventType(
        SERVICE,
        "review_batch.drawn",
        ReviewBatchDrawn,
        1,
        "The bureau drew a batch of closed cases for case-file review (案卷评查).",
    )
)
REVIEW_FILE_SCORED = register(
    EventType(
        SERVICE, "review_file.scored", ReviewFileScored, 1, "A case file was scored against the checklist; its grade."
    )
)
CORRECTION_OPENED = register(
    EventType(SERVICE, "correction.opened", CorrectionOpened, 1, "A failing case file opened a correction (错案纠正).")
)
ACCOUNTABILITY_OPENED = register(
    EventType(
        SERVICE,
        "accountability.opened",
        CorrectionOpened,
        1,
        "A failing case file opened an accountability record (过错责任追究).",
    )
)
CHECKLIST_FILED = register(
    EventType(
        SERVICE, "checklist.filed", ChecklistFiled, 1, "A new case-file review checklist version (评查标准) was filed."
    )
)
DIRECTORY_UPDATED = register(
    EventType(
        SERVICE,
        "directory.updated",
        DirectoryUpdated,
        1,
        "An agency's directory of inspection targets (检查对象名录库) changed.",
    )
)
DRAW_RECORDED = register(
    EventType(
        SERVICE,
        "draw.recorded",
        DrawRecorded,
        1,
        "A double-random draw was made (its seed recorded; published separately).",
    )
)
REVIEWERS_ASSIGNED = register(
    EventType(
        SERVICE, "review_batch.assigned", ReviewersAssigned, 1, "Reviewers were assigned to files of a review batch."
    )
)


class FactsQuery(StrictSchema):
    """A calendar year of yearly facts per agency (the supervision service's assessment and statistics report)."""

    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class AgencyCaseFacts(StrictSchema):
    """One agency's cases in a calendar year, for the yearly assessment and 行政执法统计年报."""

    agency_code = fields.String()
    by_type = fields.List(fields.Nested(StatsRow))
    decisions = fields.Integer(metadata={"description": "cases decided in the year"})
    publications = fields.Integer(metadata={"description": "decisions published in the year"})
    publications_on_time = fields.Integer()
    review_grades = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "case files scored in the year, by grade"},
    )
    changed_by_ground = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "decisions changed or revoked in the year, by ground"},
    )
    decisions_reversed = fields.Integer(metadata={"description": "changed or revoked on reconsideration or litigation"})
