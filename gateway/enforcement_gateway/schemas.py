"""Payloads of the gateway's own routes (accounts and audit); service payloads come from the contracts."""

from marshmallow import fields, validate

from enforcement_contracts.common import AGENCY_CODE, DateRange, PageQuery, StrictSchema

from .auth import ROLES


class LoginRequest(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=60))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class LoginResponse(StrictSchema):
    token = fields.String()
    expires_at = fields.String()
    username = fields.String()
    role = fields.String()
    agency_code = fields.String(allow_none=True)


class UserCreate(StrictSchema):
    username = fields.String(
        required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{3,60}$", error="3-60 letters, digits, _ . -")
    )
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    agency_code = fields.String(load_default=None, allow_none=True, validate=AGENCY_CODE)
    officer_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))


class User(StrictSchema):
    username = fields.String()
    role = fields.String()
    agency_code = fields.String(allow_none=True)
    officer_id = fields.String(allow_none=True)
    active = fields.Boolean()
    locked_until = fields.String(allow_none=True)


class AuditQuery(DateRange, PageQuery):
    """The audit trail, newest first, a page at a time; ``from``/``to`` are days (UTC, as ``at``), both included."""

    username = fields.String()


class AuditEntry(StrictSchema):
    at = fields.String(metadata={"description": "when, in UTC (ISO 8601 with Z)"})
    username = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    action = fields.String()
    target = fields.String(allow_none=True)
    status = fields.Integer()
    outcome = fields.String()
    correlation_id = fields.String(allow_none=True)


class LoggedOut(StrictSchema):
    logged_out = fields.Boolean(metadata={"description": "the token no longer opens anything"})
