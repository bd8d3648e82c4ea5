"""Legal review (法制审核) of major decisions, and its event."""

from __future__ import annotations

from marshmallow import fields, validate

from ..common import StrictSchema
from ..events import EventType, register
from .common import SERVICE


class LegalReviewCreate(StrictSchema):
    reviewer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reviewed_on = fields.Date(required=True)
    passed = fields.Boolean(required=True)
    opinion = fields.String(load_default="", validate=validate.Length(max=2000))


class LegalReview(StrictSchema):
    review_id = fields.Integer()
    case_id = fields.String()
    reviewer_id = fields.String()
    reviewed_on = fields.Date()
    passed = fields.Boolean()
    opinion = fields.String()


class LegalReviewRecorded(StrictSchema):
    review_id = fields.Integer(required=True)
    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    reviewer_id = fields.String(required=True)
    reviewed_on = fields.Date(required=True)
    passed = fields.Boolean(required=True)


LEGAL_REVIEW_RECORDED = register(
    EventType(
        SERVICE,
        "legal_review.recorded",
        LegalReviewRecorded,
        1,
        "A legal review (法制审核) of a major decision was recorded.",
    )
)
