"""Qualification and renewal exams: sittings and results, with their events."""

from __future__ import annotations

from marshmallow import fields, validate

from ..common import AGENCY_CODE, StrictSchema
from .common import EXAM_KINDS, event


class ExamSittingCreate(StrictSchema):
    exam_kind = fields.String(required=True, validate=validate.OneOf(EXAM_KINDS))
    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    sat_on = fields.Date(required=True)


class ExamSitting(ExamSittingCreate):
    sitting_id = fields.String()
    pass_mark = fields.Float()
    max_score = fields.Float()


class ExamResultCreate(StrictSchema):
    officer_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    score = fields.Float(required=True, validate=validate.Range(min=0, max=1000))


class ExamResultOut(StrictSchema):
    result_id = fields.String()
    sitting_id = fields.String()
    officer_id = fields.String()
    officer_name = fields.String(metadata={"description": "as the personnel service announced it"})
    agency_code = fields.String()
    exam_kind = fields.String()
    sat_on = fields.Date()
    score = fields.Float()
    pass_mark = fields.Float()
    passed = fields.Boolean()


# --- events ---------------------------------------------------------------------------------
class ExamResult(StrictSchema):
    result_id = fields.String(required=True)
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    exam_kind = fields.String(required=True, validate=validate.OneOf(EXAM_KINDS))
    score = fields.Float(required=True, validate=validate.Range(min=0, max=1000))
    pass_mark = fields.Float(required=True, validate=validate.Range(min=0, max=1000))
    sat_on = fields.Date(required=True)


class ExamScheduled(StrictSchema):
    sitting_id = fields.String(required=True)
    exam_kind = fields.String(required=True, validate=validate.OneOf(EXAM_KINDS))
    title = fields.String(required=True)
    sat_on = fields.Date(required=True)
    pass_mark = fields.Float(required=True)


EXAM_PASSED = event("exam.passed", ExamResult, "An officer passed a qualification or renewal exam.")
EXAM_FAILED = event("exam.failed", ExamResult, "An officer failed a qualification or renewal exam.")
EXAM_SCHEDULED = event("exam.scheduled", ExamScheduled, "A qualification or renewal exam sitting was scheduled.")
