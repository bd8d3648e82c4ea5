"""Contract of the supervision service: supervision items addressed to agencies, complaints (投诉举报), bulletins
(通报) of overdue items, and the county-wide promptness table.

RPC methods (service ``supervision``) take the caller's ``actor`` (``common.Actor``): the bureau issues, verifies,
returns and closes items and sees everything; an agency admin acknowledges and answers its own items and handles the
complaints about its own enforcement. Complaint registration is public. A complainant's name and contact details
appear only in ``ComplaintRegister`` (input); outputs carry them masked and no event carries them at all.
"""

from __future__ import annotations

from marshmallow import fields, validate

from .common import AGENCY_CODE, CursorPageQuery, DateRange, DeadlineMissed, PageQuery, StrictSchema
from .events import EventType, register

SERVICE = "supervision"

ITEM_KINDS = (
    "rectification",
    "complaint_referral",
    "transfer_followup",
    "report_request",
)  # 整改通知, 投诉转办, 移送跟踪, 报告要求
ITEM_STATES = ("issued", "acknowledged", "answered", "returned", "verified", "closed")
COMPLAINANT_KINDS = ("enterprise", "citizen")
COMPLAINT_STATES = ("registered", "accepted", "refused", "concluded")
OUTCOMES = ("upheld", "not_upheld")
TEXT = validate.Length(min=1, max=4000)
NOTE = validate.Length(max=4000)

# Promptness kinds this service measures itself.
KIND_ITEM_ANSWERED = "supervision_item_answered"
KIND_COMPLAINT_ACCEPTED = "complaint_accepted"
KIND_COMPLAINT_CONCLUDED = "complaint_concluded"
KIND_ANNUAL_REPORT_FILED = "annual_report_filed"  # from 31 December to the filing, due by 31 January


# --- items -------------------------------------------------------------------------------------
class ItemIssue(StrictSchema):
    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    kind = fields.String(required=True, validate=validate.OneOf(ITEM_KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(load_default="", validate=NOTE)
    deadline_workdays = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=250),
        metadata={"description": "working days to answer; the kind's setting if omitted"},
    )
    complaint_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))


class ItemNote(StrictSchema):
    """Acknowledge, verify or close: an optional note."""

    note = fields.String(load_default="", validate=NOTE)


class ItemAnswer(StrictSchema):
    answer = fields.String(required=True, validate=TEXT)


class ItemReturn(StrictSchema):
    reason = fields.String(required=True, validate=TEXT)
    deadline_workdays = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=250),
        metadata={"description": "working days to answer again; the setting if omitted"},
    )


class ItemQuery(CursorPageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)
    kind = fields.String(validate=validate.OneOf(ITEM_KINDS))
    state = fields.String(validate=validate.OneOf(ITEM_STATES))
    overdue = fields.Boolean()
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class HistoryOut(StrictSchema):
    action = fields.String()
    state = fields.String()
    on = fields.Date()
    by = fields.String()
    note = fields.String()


class ItemOut(StrictSchema):
    item_id = fields.Integer()
    agency_code = fields.String()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    state = fields.String()
    issued_on = fields.Date()
    deadline_workdays = fields.Integer()
    due_on = fields.Date()
    acknowledged_on = fields.Date(allow_none=True)
    answered_on = fields.Date(allow_none=True)
    answer = fields.String(allow_none=True)
    answered_on_time = fields.Boolean(allow_none=True)
    verified_on = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    returns = fields.Integer()
    overdue = fields.Boolean()
    overdue_on = fields.Date(allow_none=True)
    origin = fields.String()
    occurrences = fields.Integer()
    details = fields.Dict()
    complaint_id = fields.Integer(allow_none=True)
    issued_by = fields.String()
    history = fields.List(fields.Nested(HistoryOut))


class _Period(DateRange):
    """A period both ends of which are given: ``from`` and ``to``, both included."""

    date_from = fields.Date(required=True, data_key="from", metadata={"description": "first day included (YYYY-MM-DD)"})
    date_to = fields.Date(required=True, data_key="to", metadata={"description": "last day included (YYYY-MM-DD)"})


class BulletinQuery(_Period):
    """The items that fell overdue (for the first time) between ``from`` and ``to``."""

    agency_code = fields.String(validate=AGENCY_CODE)


class OverdueQuery(BulletinQuery, PageQuery):
    """The items that fell overdue between ``from`` and ``to`` (one agency's, optionally), a page at a time."""


class BulletinPublish(_Period):
    """The bulletin of the period ``from`` .. ``to`` (ended: ``to`` not after today); one per period."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=200))


class BulletinEntry(StrictSchema):
    item_id = fields.Integer(required=True)
    agency_code = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    issued_on = fields.Date(required=True)
    due_on = fields.Date(required=True)
    overdue_on = fields.Date(required=True)
    state = fields.String(required=True)
    answered_on = fields.Date(allow_none=True, required=True)


class BulletinOut(StrictSchema):
    """A published bulletin; ``entries`` as they stood when it was published."""

    bulletin_id = fields.Integer()
    title = fields.String()
    period_from = fields.Date()
    period_to = fields.Date()
    published_on = fields.Date()
    published_by = fields.String()
    entries = fields.List(fields.Nested(BulletinEntry))


# --- complaints --------------------------------------------------------------------------------
class ComplaintRegister(StrictSchema):
    agency_code = fields.String(
        required=True,
        validate=AGENCY_CODE,
        metadata={"description": "the agency whose enforcement the complaint is about"},
    )
    complainant_kind = fields.String(required=True, validate=validate.OneOf(COMPLAINANT_KINDS))
    complainant_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    contact = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[0-9+\- ]{5,20}$|^[^@\s]+@[^@\s]+\.[^@\s]+$", error="must be a phone number or an e-mail address"
        ),
    )
    summary = fields.String(required=True, validate=TEXT)


class ComplaintDecision(StrictSchema):
    """Accept or refuse; the reasons are written either way."""

    accept = fields.Boolean(required=True)
    reasons = fields.String(required=True, validate=TEXT)


class ComplaintExtension(StrictSchema):
    days = fields.Integer(required=True, validate=validate.Range(min=1, max=365))
    reason = fields.String(required=True, validate=TEXT)


class ComplaintConclusion(StrictSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    conclusion = fields.String(required=True, validate=TEXT)


class ComplaintQuery(CursorPageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)
    state = fields.String(validate=validate.OneOf(COMPLAINT_STATES))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    due_by = fields.Date(
        metadata={
            "description": "only open complaints whose next deadline (to accept while registered, to conclude while "
            "accepted) falls on or before this day (YYYY-MM-DD): the to-do lists read these, not every complaint"
        }
    )


class ComplaintOut(StrictSchema):
    complaint_id = fields.Integer()
    agency_code = fields.String()
    complainant_kind = fields.String()
    complainant_name_masked = fields.String()
    contact_masked = fields.String()
    summary = fields.String()
    received_on = fields.Date()
    state = fields.String()
    accept_due_on = fields.Date()
    decided_on = fields.Date(allow_none=True)
    decision_reasons = fields.String(allow_none=True)
    conclude_due_on = fields.Date(allow_none=True)
    extension_days = fields.Integer(allow_none=True)
    extension_reason = fields.String(allow_none=True)
    concluded_on = fields.Date(allow_none=True)
    outcome = fields.String(allow_none=True)
    conclusion = fields.String(allow_none=True)


RECEIPT_CODE = validate.Regexp(
    r"^[0-9A-Za-z][0-9A-Za-z -]{9,22}$", error="must be the receipt number as given, like 7KQ4-M9XP-2HTW"
)


class ComplaintReceipt(StrictSchema):
    """What the public complainant gets back: ``receipt_code`` (查询码) looks up the progress
    (``GET /public/complaints/<receipt_code>``); it is random (60 bits), unlike the complaint's number."""

    complaint_id = fields.Integer()
    receipt_code = fields.String(
        metadata={"description": "12 random characters in groups of four, e.g. 7KQ4-M9XP-2HTW"}
    )
    received_on = fields.Date()
    accept_due_on = fields.Date()


class ComplaintProgress(StrictSchema):
    """A complaint's progress as anyone holding its receipt number sees it: dates, deadlines, the decision and
    the conclusion; never the complainant, the contact details or the complaint's own text."""

    receipt_code = fields.String()
    agency_code = fields.String(metadata={"description": "the agency the complaint is about (it handles it)"})
    state = fields.String(metadata={"description": "registered, accepted, refused or concluded"})
    received_on = fields.Date()
    accept_due_on = fields.Date()
    decided_on = fields.Date(allow_none=True)
    decision_reasons = fields.String(allow_none=True)
    conclude_due_on = fields.Date(allow_none=True)
    extension_days = fields.Integer(allow_none=True)
    concluded_on = fields.Date(allow_none=True)
    outcome = fields.String(allow_none=True)
    conclusion = fields.String(allow_none=True)


class ReceiptPath(StrictSchema):
    receipt_code = fields.String(required=True, validate=RECEIPT_CODE)


class PublicAgency(StrictSchema):
    """An agency a complaint may be about (the public form's list)."""

    code = fields.String()
    name = fields.String()


# --- promptness --------------------------------------------------------------------------------
class PromptnessTableQuery(_Period):
    """The obligations that ended between ``from`` and ``to``."""

    agency_code = fields.String(validate=AGENCY_CODE)
    by_kind = fields.Boolean(load_default=True, metadata={"description": "also one row per agency and kind"})


class PromptnessTableRow(StrictSchema):
    agency_code = fields.String()
    kind = fields.String(metadata={"description": "'all' for the agency's overall row"})
    measurements = fields.Integer()
    on_time = fields.Integer()
    on_time_ratio = fields.Float()
    mean_workdays = fields.Float()
    median_workdays = fields.Float()
    max_workdays = fields.Integer()


# --- events ------------------------------------------------------------------------------------
class ItemIssued(StrictSchema):
    item_id = fields.Integer(required=True)
    agency_code = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    issued_on = fields.Date(required=True)
    due_on = fields.Date(required=True)
    origin = fields.String(required=True, metadata={"description": "manual, or the event type that opened it"})


class ItemChanged(StrictSchema):
    item_id = fields.Integer(required=True)
    agency_code = fields.String(required=True)
    kind = fields.String(required=True)
    action = fields.String(
        required=True,
        validate=validate.OneOf(["acknowledged", "answered", "returned", "verified", "closed", "recurred"]),
    )
    state = fields.String(required=True)
    on = fields.Date(required=True)
    due_on = fields.Date(required=True)


class ItemOverdue(StrictSchema):
    """Escalation: the agency did not answer by the deadline."""

    item_id = fields.Integer(required=True)
    agency_code = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    issued_on = fields.Date(required=True)
    due_on = fields.Date(required=True)
    overdue_on = fields.Date(required=True)


class BulletinPublished(StrictSchema):
    bulletin_id = fields.Integer(required=True)
    title = fields.String(required=True)
    period_from = fields.Date(required=True)
    period_to = fields.Date(required=True)
    published_on = fields.Date(required=True)
    entries = fields.List(fields.Nested(BulletinEntry), required=True)


class ComplaintEvent(StrictSchema):
    """A complaint's step; never the complainant's name or contact details."""

    complaint_id = fields.Integer(required=True)
    agency_code = fields.String(required=True)
    complainant_kind = fields.String(required=True)
    state = fields.String(required=True)
    on = fields.Date(required=True)
    outcome = fields.String(allow_none=True, load_default=None)


class AnnualReportFiled(StrictSchema):
    """The yearly statistics report (行政执法统计年报) of an agency, or of the county, was filed (报送)."""

    year = fields.Integer(required=True)
    scope = fields.String(required=True, metadata={"description": "county, or the agency's code"})
    agency_code = fields.String(
        allow_none=True,
        load_default=None,
        metadata={"description": "the agency that filed; null for the county's report (filed by the bureau)"},
    )
    filed_on = fields.Date(required=True)
    due_on = fields.Date(required=True)
    on_time = fields.Boolean(required=True)


ITEM_ISSUED = register(
    EventType(
        SERVICE,
        "item.issued",
        ItemIssued,
        1,
        "A supervision item was addressed to an agency (by the bureau or automatically).",
    )
)
ITEM_CHANGED = register(
    EventType(
        SERVICE,
        "item.changed",
        ItemChanged,
        1,
        "A supervision item moved on: acknowledged, answered, returned, verified, closed, or its cause recurred.",
    )
)
ITEM_OVERDUE = register(
    EventType(
        SERVICE, "item.overdue", ItemOverdue, 1, "Escalation: a supervision item was not answered by its deadline."
    )
)
BULLETIN_PUBLISHED = register(
    EventType(
        SERVICE,
        "bulletin.published",
        BulletinPublished,
        1,
        "The bureau published a bulletin (通报) of the items overdue in a period.",
    )
)
COMPLAINT_REGISTERED = register(
    EventType(
        SERVICE,
        "complaint.registered",
        ComplaintEvent,
        1,
        "A complaint (投诉举报) was registered (no complainant details).",
    )
)
COMPLAINT_DECIDED = register(
    EventType(
        SERVICE, "complaint.decided", ComplaintEvent, 1, "A complaint was accepted or refused with written reasons."
    )
)
COMPLAINT_EXTENDED = register(
    EventType(
        SERVICE,
        "complaint.extended",
        ComplaintEvent,
        1,
        "The bureau approved the one extension of a complaint's conclusion deadline.",
    )
)
COMPLAINT_CONCLUDED = register(
    EventType(SERVICE, "complaint.concluded", ComplaintEvent, 1, "A complaint was concluded, upheld or not upheld.")
)
ANNUAL_REPORT_FILED = register(
    EventType(
        SERVICE,
        "annual_report.filed",
        AnnualReportFiled,
        1,
        "An agency (or the bureau, for the county) filed its yearly statistics "
        "report (报送), due by 31 January; the figures are frozen as filed.",
    )
)
DEADLINE_MISSED = register(
    EventType(
        SERVICE,
        "deadline.missed",
        DeadlineMissed,
        1,
        "An obligation of supervision's own still open after its deadline, announced once: complaint_accepted (not "
        "accepted or refused within its working days) or complaint_concluded (not concluded within its calendar days "
        "and any approved extension), reference 'complaint <id>' (no complainant details); annual_report_filed (an "
        "agency's yearly statistics report not filed by its due date), reference 'annual-report-<year>:<agency>'.",
    )
)
