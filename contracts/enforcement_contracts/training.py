"""Contract of the training service (events only so far: the personnel service consumes them).

The training service publishes a full snapshot of an officer's yearly hours after every change
(``hours.updated``) rather than single attendances, so a consumer's read model is one upsert and
an older snapshot (lower ``revision``) arriving late never overwrites a newer one.
"""
from __future__ import annotations

from marshmallow import fields, validate

from .common import AGENCY_CODE, StrictSchema
from .events import EventType, register

SOURCE = "training"
EXAM_KINDS = ("qualification", "renewal")


class HoursUpdated(StrictSchema):
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    revision = fields.Integer(required=True, validate=validate.Range(min=0))
    hours_by_category = fields.Dict(keys=fields.String(), values=fields.Float(validate=validate.Range(min=0)), required=True,
                                    metadata={"description": "hours per category code, e.g. public_law, professional, political"})
    required_courses_done = fields.Boolean(required=True)


class ExamResult(StrictSchema):
    result_id = fields.String(required=True)
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    exam_kind = fields.String(required=True, validate=validate.OneOf(EXAM_KINDS))
    score = fields.Float(required=True, validate=validate.Range(min=0, max=1000))
    pass_mark = fields.Float(required=True, validate=validate.Range(min=0, max=1000))
    sat_on = fields.Date(required=True)


HOURS_UPDATED = register(EventType(SOURCE, "hours.updated", HoursUpdated, 1,
                                   "An officer's training hours for a calendar year changed (full snapshot)."))
EXAM_PASSED = register(EventType(SOURCE, "exam.passed", ExamResult, 1,
                                 "An officer passed a qualification or renewal exam."))
EXAM_FAILED = register(EventType(SOURCE, "exam.failed", ExamResult, 1,
                                 "An officer failed a qualification or renewal exam."))
