"""Publication (公示) of decisions, their change or revocation, the public list, and their events."""

from __future__ import annotations

from marshmallow import fields, validate

from ..common import AGENCY_CODE, DateRange, PageQuery, StrictSchema
from ..events import EventType, register
from .common import NOT_BLANK, SERVICE, TYPE_CODE

CHANGE_GROUNDS = ("agency", "reconsideration", "litigation")  # 自行纠正, 行政复议, 行政诉讼


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


class PublicQuery(PageQuery, DateRange):
    """``from`` / ``to``: the publication date (公示) lies in that period."""

    agency_code = fields.String(validate=AGENCY_CODE)
    type_code = fields.String(validate=TYPE_CODE)


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
