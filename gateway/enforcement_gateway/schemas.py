"""Payloads of the gateway's own routes (accounts and audit); service payloads come from the contracts."""

from marshmallow import ValidationError, fields, validate, validates_schema

from enforcement_contracts.common import AGENCY_CODE, Actor, CursorPageQuery, DateRange, StrictSchema

from .auth import ROLES

# the rules of every password someone chooses (auth.password_problems)
PASSWORD_RULES = (
    "at least GATEWAY.min_password_length (12) characters, at least 4 different ones; not only spaces; not one of "
    "the 30,000 most common passwords; not containing the username (in any case); no control or invisible "
    "characters (Unicode category C)"
)


class LoginRequest(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=60))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=200), metadata={"verbatim": True}
    )


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
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(max=200),
        metadata={"verbatim": True, "description": PASSWORD_RULES},
    )
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    agency_code = fields.String(load_default=None, allow_none=True, validate=AGENCY_CODE)
    officer_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))


class UserScope(StrictSchema):
    """What an account may see: its role, agency and officer (any of them; what is left out stays, except that a
    bureau account has neither agency nor officer). When anything changes, every token of the account is revoked.
    Nobody changes their own account (409)."""

    role = fields.String(validate=validate.OneOf(ROLES))
    agency_code = fields.String(allow_none=True, validate=AGENCY_CODE)
    officer_id = fields.String(allow_none=True, validate=validate.Length(max=32))

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("give role, agency_code or officer_id", "_schema")


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
    """Change your own password: the current one (a wrong one counts toward the account's login throttling like a
    failed login) and a new one that follows ``PASSWORD_RULES`` and is not the current one. Every other token of the
    account is revoked; the one used for this request stays valid."""

    current_password = fields.String(required=True, load_only=True, validate=PASSWORD, metadata={"verbatim": True})
    new_password = fields.String(
        required=True, load_only=True, validate=PASSWORD, metadata={"verbatim": True, "description": PASSWORD_RULES}
    )


class PasswordChanged(StrictSchema):
    changed = fields.Boolean(metadata={"description": "the new password is set; other sessions were logged out"})


class PasswordReset(StrictSchema):
    """The bureau sets an account's password (``PASSWORD_RULES``). The account must change it at its next login;
    its login throttling is lifted and every token of it revoked."""

    new_password = fields.String(
        required=True, load_only=True, validate=PASSWORD, metadata={"verbatim": True, "description": PASSWORD_RULES}
    )


class AuditQuery(DateRange, CursorPageQuery):
    """The audit trail, newest first, a page at a time. Filters, all optional and combined: ``actor`` (the username,
    exactly), ``action`` (the route as recorded, exactly: ``POST /api/v1/users/<username>/disable``), ``target``
    (a part of the target, e.g. an officer's id or a username), ``from``/``to`` (days, UTC as ``at``, both
    included)."""

    actor = fields.String(validate=validate.Length(min=1, max=60))
    action = fields.String(validate=validate.Length(min=1, max=120))
    target = fields.String(validate=validate.Length(min=1, max=200))


class AuditEntry(StrictSchema):
    """One thing done or refused: every login, every write, every read of personal data (the officer lookup by ID
    number) and every refused attempt (401, 403, and 404 on a staff route). ``target`` is a JSON object of the
    route's path parameters and, for a POST that created or found something, its id."""

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
