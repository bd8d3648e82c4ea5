"""Schema building blocks shared by every contract module."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

AGENCY_CODE = validate.Regexp(r"^[0-9A-Za-z-]{2,40}$", error="must be 2-40 letters, digits or '-'")


class StrictSchema(Schema):
    """Unknown fields are an error, never silently dropped."""

    class Meta:
        unknown = RAISE


class PageQuery(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class Actor(StrictSchema):
    """Who is asking, as the gateway authenticated them; services scope reads and writes by it."""

    username = fields.String(required=True)
    role = fields.String(
        required=True, validate=validate.OneOf(["bureau", "agency_admin", "officer", "public", "system"])
    )
    agency_code = fields.String(allow_none=True, load_default=None)
    officer_id = fields.String(allow_none=True, load_default=None)


class PromptnessMeasured(StrictSchema):
    """One obligation with a deadline that has ended: the unit of 'how promptly each agency responds'."""

    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    kind = fields.String(required=True, validate=validate.Length(min=1, max=60))
    reference = fields.String(
        required=True,
        metadata={
            "description": "what the obligation was about (certificate number, case number); never personal data"
        },
    )
    started_on = fields.Date(required=True)
    ended_on = fields.Date(required=True)
    workdays_taken = fields.Integer(required=True, validate=validate.Range(min=0))
    deadline_workdays = fields.Integer(required=True, validate=validate.Range(min=0))
    on_time = fields.Boolean(required=True)
    seconds_taken = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0),
        metadata={
            "description": "time taken in seconds where both instants are known (a transfer's hand-over, counted in "
            "hours); null where the obligation is dated by days only"
        },
    )
