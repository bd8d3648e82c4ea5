"""Payloads of the gateway's own routes (accounts and audit); service payloads come from the contracts."""

from marshmallow import fields, validate

from enforcement_contracts.common import AGENCY_CODE, Actor, DateRange, PageQuery, StrictSchema

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
    must_change_password = fields.Boolean(
        metadata={
            "description": "every route but /auth/me, /auth/password and /auth/logout answers 403 "
            "password_change_required until the password is changed (POST /auth/password)"
        }
    )


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
    must_change_password = fields.Boolean(
        metadata={"description": "set for the seeded admin and for accounts created or reset by the bureau"}
    )


class Me(Actor):
    """Who is logged in (the ``Actor`` the services see) and whether they must change their password first."""

    must_change_password = fields.Boolean()


PASSWORD = validate.Length(min=1, max=200)


class PasswordChange(StrictSchema):
    """Change your own password: the current one (a wrong one counts toward the lockout like a failed login) and a
    new one of at least ``GATEWAY.min_password_length`` characters, not the username, not the current one. Every other
    token of the account is revoked; the one used for this request stays valid."""

    current_password = fields.String(required=True, load_only=True, validate=PASSWORD)
    new_password = fields.String(required=True, load_only=True, validate=PASSWORD)


class PasswordChanged(StrictSchema):
    changed = fields.Boolean(metadata={"description": "the new password is set; other sessions were logged out"})


class PasswordReset(StrictSchema):
    """The bureau sets an account's password: at least ``GATEWAY.min_password_length`` characters, not the username.
    The account must change it at its next login; its lockout is lifted and every token of it revoked."""

    new_password = fields.String(required=True, load_only=True, validate=PASSWORD)


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
