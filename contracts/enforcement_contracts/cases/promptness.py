"""Promptness: the per-agency table of obligations met on time, and the promptness and deadline events."""

from __future__ import annotations

from marshmallow import fields, validate

from ..common import AGENCY_CODE, DEADLINE_UNITS, DateRange, PromptnessMeasured, StrictSchema, registered_obligation
from ..events import EventType, register
from .common import SERVICE


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


class DeadlineMissed(StrictSchema):
    """An obligation still open after its deadline, announced once per case (or transfer) and kind (no personal
    data)."""

    PRODUCER_CHECKS = (registered_obligation,)

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
            "description": "case_decided, decision_published, publication_withdrawn (a published decision changed or "
            "revoked and not withdrawn 3 working days after the change), transfer_decided (3 working days after the "
            "proposal), transfer_handed_over (24 hours after the approval) or transfer_acknowledged (3 working days "
            "after the hand-over): named as the promptness measurement that follows once it is met",
            "example": "case_decided",
        },
    )
    started_on = fields.Date(
        required=True,
        metadata={
            "description": "立案 (case_decided), the decision day, the day of the latest change or revocation "
            "(publication_withdrawn), the transfer's proposal, approval or hand-over day"
        },
    )
    due_on = fields.Date(required=True, metadata={"description": "the last day in time"})
    detected_on = fields.Date(required=True)
    reference = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "the transfer id for a transfer leg, else the case id (as the measurement names it)"},
    )
    deadline = fields.Float(
        load_default=None, allow_none=True, metadata={"description": "the deadline in deadline_unit"}
    )
    deadline_unit = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(DEADLINE_UNITS),
        metadata={"description": "workdays, days or hours (transfer_handed_over); null from older producers"},
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
        "its legal time limit (case_decided), a penalty decision not served within 7 "
        "working days (decision_served), a decision not published in time "
        "(decision_published), a changed or revoked decision's publication not withdrawn in "
        "time (publication_withdrawn), or a transfer leg not met in time (transfer_decided, "
        "transfer_handed_over, transfer_acknowledged). Once per case or transfer and "
        "kind.",
    )
)
