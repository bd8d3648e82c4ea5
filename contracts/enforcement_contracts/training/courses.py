"""Training categories (data a county extends) and courses, with their events."""

from __future__ import annotations

from marshmallow import fields, validate

from ..common import PageQuery, StrictSchema
from .common import CATEGORY_CODE, COURSE_KINDS, event


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
    required = fields.Boolean(load_default=False, metadata={"description": "every officer must attend it each year"})
    counts_hours = fields.Boolean(
        load_default=True, metadata={"description": "its hours count towards the yearly thresholds"}
    )
    description = fields.String(load_default="", validate=validate.Length(max=1000))


class Course(CourseCreate):
    course_id = fields.String()


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


CATEGORY_CREATED = event("category.created", CategoryCreated, "A training category was added.")
COURSE_CREATED = event("course.created", CourseCreated, "A course, drill or skills contest was created.")
