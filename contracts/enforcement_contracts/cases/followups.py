"""What follows a failing case file (案卷评查 不合格): a correction (错案纠正) and an accountability record
(过错责任追究), each opened → assigned → decided → closed, with their deadlines watched, the outcome recorded and,
for an officer who acted with due diligence, an exemption (尽职免责 / 容错纠错) with its grounds. The vocabularies
are data here; the service checks every outcome against them (a code not listed is a 400 naming the field)."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from ..common import AGENCY_CODE, CursorPageQuery, StrictSchema, UtcDateTime
from ..events import EventType, register
from .common import NOT_BLANK, SERVICE

KINDS = ("correction", "accountability")  # 错案纠正, 过错责任追究
STATES = ("opened", "assigned", "decided", "closed")

#: 错案纠正: how the wrong decision or file was put right (行政复议法 / 行政诉讼法 / 行政处罚法 terms)
CORRECTION_MEASURES = {
    "revoked": "撤销",
    "changed": "变更",
    "remade": "重新作出",
    "confirmed_illegal": "确认违法",
    "supplemented": "补正",
    "ordered_performance": "责令履行",
    "file_rectified": "案卷整改完善",
}

#: 过错责任追究: what an officer concerned is held to (行政执法过错责任追究; 公职人员政务处分法 for 处分)
ACCOUNTABILITY_OUTCOMES = {
    "criticism_education": "批评教育",
    "written_self_examination": "责令作出书面检查",
    "admonishment": "诫勉谈话",
    "circulated_criticism": "通报批评",
    "certificate_suspended": "暂扣行政执法证件",
    "certificate_withdrawn": "收回行政执法证件",
    "removed_from_post": "调离行政执法岗位",
    "disciplinary_sanction": "给予处分",
    "referred_to_discipline": "移送纪检监察机关",
    "referred_to_judiciary": "移送司法机关",
    "no_fault": "经调查无过错，不予追究",
}

#: the two kinds of exemption an officer may be granted instead of an outcome
EXEMPTION_KINDS = {"due_diligence": "尽职免责", "error_tolerance": "容错纠错"}

#: the recognised grounds of an exemption (each recorded with a text saying how it applies)
EXEMPTION_GROUNDS = {
    "unclear_rules": "法律法规规章规定不明确或者标准不统一，执法人员按照通常理解履职",
    "rules_changed": "依照当时的法律法规和政策履职，后因规定调整而出现偏差",
    "party_concealment": "行政相对人隐瞒事实、提供虚假材料，执法人员已尽审慎审查义务",
    "objective_limits": "受技术手段、客观条件所限或者不可抗力，无法发现或者制止",
    "duty_performed": "已按照规定程序和标准履行检查、审核职责",
    "collective_decision": "执行集体决策或者上级书面决定，且已提出不同意见",
    "reform_trial": "在改革创新、先行先试中出现失误，且未谋取私利",
    "corrected_promptly": "主动发现并及时纠正，未造成不良后果或者已消除影响",
}

CODE_DOC = "one of the listed codes (the vocabulary is data in enforcement_contracts.cases.followups)"


class FollowupQuery(CursorPageQuery):
    """Corrections and accountability records, latest first (an agency: its own)."""

    agency_code = fields.String(validate=AGENCY_CODE)
    kind = fields.String(validate=validate.OneOf(KINDS))
    state = fields.String(validate=validate.OneOf(STATES))
    overdue = fields.Boolean(metadata={"description": "true: only those whose current step's deadline has passed"})


class FollowupAssign(StrictSchema):
    """To whom the record goes: the person or unit responsible for the correction, or for accountability the unit
    that investigates (调查核实)."""

    assigned_on = fields.Date(required=True, metadata={"description": "not before opened_on nor after today"})
    assignee = fields.String(
        required=True,
        validate=[validate.Length(min=2, max=200), NOT_BLANK],
        metadata={"description": "the responsible person or unit (accountability: who investigates)"},
    )
    assignee_agency_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=AGENCY_CODE,
        metadata={"description": "the agency of the responsible unit, when it is one of the county's agencies"},
    )
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class Exemption(StrictSchema):
    kind = fields.String(
        required=True, validate=validate.OneOf(tuple(EXEMPTION_KINDS)), metadata={"description": "尽职免责 or 容错纠错"}
    )
    ground = fields.String(
        required=True, validate=validate.OneOf(tuple(EXEMPTION_GROUNDS)), metadata={"description": CODE_DOC}
    )
    text = fields.String(
        required=True,
        validate=[validate.Length(min=2, max=2000), NOT_BLANK],
        metadata={"description": "how the ground applies to this officer"},
    )


class OfficerOutcome(StrictSchema):
    """One officer concerned: an outcome, or an exemption with its grounds (exactly one of the two)."""

    officer_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    outcome = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(tuple(ACCOUNTABILITY_OUTCOMES)),
        metadata={"description": CODE_DOC},
    )
    exemption = fields.Nested(Exemption, load_default=None, allow_none=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))

    @validates_schema
    def _one_of(self, data, **_):
        if (data.get("outcome") is None) == (data.get("exemption") is None):
            raise ValidationError("give either an outcome or an exemption", "outcome")


class FollowupDecide(StrictSchema):
    """The outcome: for a correction ``measure`` (what was corrected); for an accountability record ``officers``,
    each officer concerned once, with an outcome or an exemption. The other field is refused."""

    decided_on = fields.Date(required=True, metadata={"description": "not before assigned_on nor after today"})
    measure = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(tuple(CORRECTION_MEASURES)),
        metadata={"description": f"a correction's: {CODE_DOC}"},
    )
    officers = fields.List(
        fields.Nested(OfficerOutcome), load_default=None, allow_none=True, validate=validate.Length(min=1, max=50)
    )
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class FollowupClose(StrictSchema):
    closed_on = fields.Date(required=True, metadata={"description": "not before decided_on nor after today"})
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class Followup(StrictSchema):
    record_id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(KINDS))
    state = fields.String(validate=validate.OneOf(STATES))
    case_id = fields.String()
    case_number = fields.String()
    file_id = fields.String()
    agency_code = fields.String()
    officer_ids = fields.List(fields.String(), metadata={"description": "the officers concerned (accountability)"})
    reason = fields.String()
    opened_on = fields.Date()
    assigned_on = fields.Date(allow_none=True)
    assignee = fields.String(allow_none=True)
    assignee_agency_code = fields.String(allow_none=True)
    assigned_by = fields.String(allow_none=True)
    assigned_at = UtcDateTime(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    decided_by = fields.String(allow_none=True)
    measure = fields.String(allow_none=True, metadata={"description": "a correction's outcome"})
    officers = fields.List(fields.Nested(OfficerOutcome), metadata={"description": "an accountability's outcomes"})
    exemptions = fields.Integer(metadata={"description": "officers exempted (尽职免责 / 容错纠错)"})
    closed_on = fields.Date(allow_none=True)
    closed_by = fields.String(allow_none=True)
    notes = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "per step"})
    due_on = fields.Date(allow_none=True, metadata={"description": "the current step's last day in time"})
    overdue = fields.Boolean(metadata={"description": "the current step's deadline has passed"})


class FollowupChanged(StrictSchema):
    """A correction or accountability record moved on (ids and codes only: no names, no texts)."""

    record_id = fields.Integer(required=True)
    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    on = fields.Date(required=True, metadata={"description": "the day of this step"})
    assignee_agency_code = fields.String(load_default=None, allow_none=True)
    measure = fields.String(load_default=None, allow_none=True, metadata={"description": "correction.decided"})
    outcomes = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        load_default=None,
        allow_none=True,
        metadata={
            "description": "accountability.decided: officer id -> outcome code, or exemption:<ground> for an officer "
            "exempted"
        },
    )


def _event(kind: str, state: str, words: str):
    return register(EventType(SERVICE, f"{kind}.{state}", FollowupChanged, 1, words))


CORRECTION_ASSIGNED = _event("correction", "assigned", "A correction (错案纠正) was assigned to whoever puts it right.")
CORRECTION_DECIDED = _event("correction", "decided", "A correction's outcome was recorded (撤销, 变更, 补正, ...).")
CORRECTION_CLOSED = _event("correction", "closed", "A correction (错案纠正) was closed.")
ACCOUNTABILITY_ASSIGNED = _event(
    "accountability", "assigned", "An accountability record (过错责任追究) was assigned to the investigating unit."
)
ACCOUNTABILITY_DECIDED = _event(
    "accountability",
    "decided",
    "An accountability record's outcome per officer concerned was recorded, or an exemption (尽职免责, 容错纠错).",
)
ACCOUNTABILITY_CLOSED = _event("accountability", "closed", "An accountability record (过错责任追究) was closed.")

EVENTS = {
    ("correction", "assigned"): CORRECTION_ASSIGNED,
    ("correction", "decided"): CORRECTION_DECIDED,
    ("correction", "closed"): CORRECTION_CLOSED,
    ("accountability", "assigned"): ACCOUNTABILITY_ASSIGNED,
    ("accountability", "decided"): ACCOUNTABILITY_DECIDED,
    ("accountability", "closed"): ACCOUNTABILITY_CLOSED,
}
