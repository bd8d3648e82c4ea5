"""Case transfers (案件移送, 国务院令310号) to another agency or the police, and their events."""

from __future__ import annotations

from marshmallow import fields, validate

from ..common import AGENCY_CODE, PageQuery, StrictSchema
from ..events import EventType, register
from .common import NOT_BLANK, SERVICE


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


class TransferEvent(StrictSchema):
    transfer_id = fields.String(required=True)
    case_id = fields.String(required=True)
    from_agency_code = fields.String(required=True)
    to_agency_code = fields.String(required=True)
    to_police = fields.Boolean(required=True)
    status = fields.String(required=True)
    on = fields.Date(required=True, metadata={"description": "the day of this step"})


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
