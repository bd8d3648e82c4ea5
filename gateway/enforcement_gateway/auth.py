"""Logins, tokens and lockout. Passwords are hashed with werkzeug's scrypt; tokens are random
and stored only as SHA-256; repeated failed logins lock the account for a while."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from enforcement_contracts.errors import Conflict, Unauthorized, ValidationFailed
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
    }


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
        raise Unauthorized(
            f"account locked after repeated failed logins; try again after {user.locked_until.isoformat()}Z"
        )
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= settings.lockout_after:
            user.locked_until = now + settings.lockout_for
            user.failed_logins = 0
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
    if row is None or row.revoked or row.expires_at <= (now or utcnow()):
        raise Unauthorized("token unknown, revoked or expired; log in again")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise Unauthorized("account disabled")
    return user


def logout(session, authorization: str) -> None:
    _, _, token = authorization.partition(" ")
    row = session.get(Token, token_hash(token.strip()))
    if row is not None:
        row.revoked = True


def create_user(session, data: dict, settings: AuthSettings) -> User:
    errors = {}
    if len(data["password"]) < settings.min_password_length:
        errors["password"] = [f"must be at least {settings.min_password_length} characters"]
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
    )
    session.add(user)
    session.flush()
    return user
