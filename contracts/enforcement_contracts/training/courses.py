"""Training categories (data a county extends) and courses, with their events."""

from __future__ import annotations

from marshmallow import fields, validate

from ..common import PageQuery, StrictSchema
from .common import CATEGORY_CODE, COURSE_KINDS, YEAR, event


class CategoryCreate(StrictSchema):
    code = fields.String(required=True, validate=CATEGORY_CODE)
    name = fields.String(required=True, validate=validate.Length(min=2, max=60))


class Category(CategoryCreate):
    yearly_minimum_hours = fields.Float(
        allow_none=True, metadata={"description": "the yearly threshold (a setting), if any"}
    )


class CourseCreate(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    category_code = fields.String(required=True, validate=CATEGORY_CODE)
    kind = fields.String(load_default="training", validate=validate.OneOf(COURSE_KINDS))
    required = fields.Boolean(
        load_default=False, metadata={"description": "every officer must attend it each year it is required"}
    )
    required_from = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=YEAR,
        metadata={"description": "first year it is required (a required course only; defaults to this year)"},
    )
    required_until = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=YEAR,
        metadata={"description": "last year it is required (a required course only; none: no end)"},
    )
    counts_hours = fields.Boolean(
        load_default=True, metadata={"description": "its hours count towards the yearly thresholds"}
    )
    description = fields.String(load_default="", validate=validate.Length(max=1000))


class Course(CourseCreate):
    course_id = fields.String()


class CourseRequiredYears(StrictSchema):
    """The bureau makes a course required (from a year, until a year) or no longer required. Making it required
    without ``required_from`` means from this year; ``required: false`` clears the years (never required)."""

    required = fields.Boolean(required=True)
    required_from = fields.Integer(load_default=None, allow_none=True, validate=YEAR)
    required_until = fields.Integer(load_default=None, allow_none=True, validate=YEAR)


class CourseQuery(PageQuery):
    """Courses, filtered by category, kind or whether required, a page at a time."""

    category_code = fields.String(validate=CATEGORY_CODE)
    kind = fields.String(validate=validate.OneOf(COURSE_KINDS))
    required = fields.Boolean()


# --- events ---------------------------------------------------------------------------------
class CategoryCreated(StrictSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class CourseCreated(StrictSchema):
    course_id = fields.String(required=True)
    title = fields.String(required=True)
    category_code = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(COURSE_KINDS))
    required = fields.Boolean(required=True)
    counts_hours = fields.Boolean(required=True)
    required_from = fields.Integer(load_default=None, allow_none=True, metadata={"description": "first year required"})
    required_until = fields.Integer(load_default=None, allow_none=True, metadata={"description": "last year required"})


class CourseRequiredYearsChanged(StrictSchema):
    course_id = fields.String(required=True)
    required = fields.Boolean(required=True)
    required_from = fields.Integer(required=True, allow_none=True)
    required_until = fields.Integer(required=True, allow_none=True)


CATEGORY_CREATED = event("category.created", CategoryCreated, "A training category was added.")
COURSE_CREATED = event("course.created", CourseCreated, "A course, drill or skills contest was created.")
COURSE_REQUIRED_YEARS_CHANGED = event(
    "course.required_years_changed",
    CourseRequiredYearsChanged,
    "The years in which a course is required changed (made required, given an end, or no longer required).",
)
