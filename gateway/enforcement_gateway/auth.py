"""Logins, tokens, lockout and passwords. Passwords are hashed with werkzeug's scrypt; tokens are random
and stored only as SHA-256; repeated failed logins (and wrong current passwords when changing it) lock the account
for a while. An account whose password someone else chose (the seeded admin, one created or reset by the bureau)
must change it before anything else (``must_change_password``)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from enforcement_contracts.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from enforcement_kernel.config import setting
from enforcement_kernel.db import utcnow

from .models import Token, User

ROLES = ("bureau", "agency_admin", "officer")
# Compared against when the username is unknown, so timing does not reveal which usernames exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


@dataclass(frozen=True)
class AuthSettings:
    token_ttl: timedelta
    lockout_after: int
    lockout_for: timedelta
    min_password_length: int

    @classmethod
    def from_config(cls, config: dict) -> AuthSettings:
        return cls(
            token_ttl=timedelta(minutes=int(setting(config, "GATEWAY.token_ttl_minutes", 480))),
            lockout_after=int(setting(config, "GATEWAY.lockout_after_failures", 5)),
            lockout_for=timedelta(minutes=int(setting(config, "GATEWAY.lockout_minutes", 15))),
            min_password_length=int(setting(config, "GATEWAY.min_password_length", 10)),
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_of(user: User | None) -> dict:
    if user is None:
        return {"username": "anonymous", "role": "public", "agency_code": None, "officer_id": None}
    return {
        "username": user.username,
        "role": user.role,
        "agency_code": user.agency_code,
        "officer_id": user.officer_id,
    }


def user_dict(user: User) -> dict:
    return {
        "username": user.username,
        "role": user.role,
        "agency_code": user.agency_code,
        "officer_id": user.officer_id,
        "active": user.active,
        "locked_until": user.locked_until.isoformat() + "Z" if user.locked_until else None,
        "must_change_password": bool(user.must_change_password),
    }


def password_problems(password: str, username: str, settings: AuthSettings) -> list[str]:
    """What is wrong with a password someone chose for ``username`` (empty when it will do)."""
    problems = []
    if len(password) < settings.min_password_length:
        problems.append(f"must be at least {settings.min_password_length} characters")
    if password.strip().lower() == username.strip().lower():
        problems.append("must not be the username")
    return problems


def _locked_message(user: User) -> str:
    return f"account locked after repeated failed attempts; try again after {user.locked_until.isoformat()}Z"


def _count_failure(user: User, settings: AuthSettings, now: datetime) -> None:
    """A wrong password (at login or when changing it): five in a row lock the account for a while."""
    user.failed_logins += 1
    if user.failed_logins >= settings.lockout_after:
        user.locked_until = now + settings.lockout_for
        user.failed_logins = 0


def login(
    session, username: str, password: str, settings: AuthSettings, now: datetime | None = None
) -> tuple[User, str, datetime]:
    """Check the password; returns (user, token, expiry) or raises Unauthorized (counting the failure)."""
    now = now or utcnow()
    user = session.execute(select(User).where(User.username == username)).scalars().first()
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        raise Unauthorized("wrong username or password")
    if user.locked_until and user.locked_until > now:
        raise Unauthorized(_locked_message(user))
    if not check_password_hash(user.password_hash, password):
        _count_failure(user, settings, now)
        raise Unauthorized("wrong username or password")
    user.failed_logins, user.locked_until = 0, None
    token = secrets.token_urlsafe(32)
    expires = now + settings.token_ttl
    session.add(Token(token_hash=token_hash(token), user_id=user.id, expires_at=expires))
    return user, token, expires


def authenticate(session, authorization: str | None, now: datetime | None = None) -> User | None:
    """The user behind an ``Authorization: Bearer`` header; None without one; Unauthorized when bad."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("use 'Authorization: Bearer <token>'")
    row = session.get(Token, token_hash(token.strip()))
    user = session.get(User, row.user_id) if row is not None else None
    # a disabled account says so to whoever holds one of its tokens (disabling revoked them all)
    if row is not None and (user is None or not user.active):
        raise Unauthorized("account disabled")
    if row is None or row.revoked or row.expires_at <= (now or utcnow()):
        raise Unauthorized("token unknown, revoked or expired; log in again")
    return user


def logout(session, authorization: str) -> None:
    _, _, token = authorization.partition(" ")
    row = session.get(Token, token_hash(token.strip()))
    if row is not None:
        row.revoked = True


def revoke_tokens(session, user: User, keep: str | None = None) -> int:
    """Revoke every live token of ``user`` except ``keep`` (a token as sent); how many were revoked."""
    stmt = update(Token).where(Token.user_id == user.id, Token.revoked.is_(False))
    if keep is not None:
        stmt = stmt.where(Token.token_hash != token_hash(keep))
    return session.execute(stmt.values(revoked=True)).rowcount


def bearer_token(authorization: str) -> str:
    return authorization.partition(" ")[2].strip()


def change_password(
    session,
    username: str,
    current_password: str,
    new_password: str,
    authorization: str,
    settings: AuthSettings,
    now: datetime | None = None,
) -> tuple[User, ValidationFailed | None]:
    """The account's own change: (user, None) when changed, else (user, the error to answer) so that the caller can
    commit a wrong current password's count toward the lockout before answering. The token of this request stays
    valid, every other token of the account is revoked."""
    now = now or utcnow()
    user = session.execute(select(User).where(User.username == username)).scalars().one()
    if user.locked_until and user.locked_until > now:
        return user, ValidationFailed("account locked", {"current_password": [_locked_message(user)]})
    if not check_password_hash(user.password_hash, current_password):
        _count_failure(user, settings, now)
        return user, ValidationFailed("wrong current password", {"current_password": ["wrong password"]})
    problems = password_problems(new_password, user.username, settings)
    if new_password == current_password:
        problems.append("must differ from the current password")
    if problems:
        return user, ValidationFailed("invalid new password", {"new_password": problems})
    user.password_hash = generate_password_hash(new_password)
    user.must_change_password = False
    user.failed_logins, user.locked_until = 0, None
    revoke_tokens(session, user, keep=bearer_token(authorization))
    return user, None


def _user_named(session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalars().first()
    if user is None:
        raise NotFound(f"no user {username}")
    return user


def reset_password(session, username: str, new_password: str, settings: AuthSettings) -> User:
    """The bureau sets an account's password: it must be changed at the next login; the lockout is lifted and every
    token of the account revoked."""
    user = _user_named(session, username)
    problems = password_problems(new_password, user.username, settings)
    if problems:
        raise ValidationFailed("invalid new password", {"new_password": problems})
    user.password_hash = generate_password_hash(new_password)
    user.must_change_password = True
    user.failed_logins, user.locked_until = 0, None
    revoke_tokens(session, user)
    return user


def set_active(session, username: str, active: bool, by: str) -> User:
    """Enable or disable an account; disabling revokes its tokens, and nobody disables their own account."""
    user = _user_named(session, username)
    if not active and user.username == by:
        raise Conflict("you cannot disable your own account", {"username": ["is your own account"]})
    user.active = active
    if not active:
        revoke_tokens(session, user)
    return user


def create_user(session, data: dict, settings: AuthSettings, must_change_password: bool = True) -> User:
    """A new account; its password was chosen by someone else, so by default it must be changed at the first
    login."""
    errors = {}
    problems = password_problems(data["password"], data["username"], settings)
    if problems:
        errors["password"] = problems
    if data["role"] in ("agency_admin", "officer") and not data.get("agency_code"):
        errors["agency_code"] = ["required for this role"]
    if data["role"] == "officer" and not data.get("officer_id"):
        errors["officer_id"] = ["required for the officer role"]
    if data["role"] == "bureau" and data.get("agency_code"):
        errors["agency_code"] = ["a bureau account sees every agency; leave it empty"]
    if errors:
        raise ValidationFailed("invalid user", errors)
    if session.execute(select(User.id).where(User.username == data["username"])).first():
        raise Conflict("username taken", {"username": ["already exists"]})
    user = User(
        username=data["username"],
        password_hash=generate_password_hash(data["password"]),
        role=data["role"],
        agency_code=data.get("agency_code"),
        officer_id=data.get("officer_id"),
        must_change_password=must_change_password,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user
