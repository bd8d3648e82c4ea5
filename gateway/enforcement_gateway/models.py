"""Tables of the gateway's own database: people who log in, their tokens, and the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from enforcement_kernel.db import utcnow


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))  # bureau | agency_admin | officer
    agency_code: Mapped[str | None] = mapped_column(String(40))
    officer_id: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    # set when someone else chose the password (the seeded first admin, POST /users, a reset): every staff route
    # but /auth/me, /auth/password and /auth/logout answers 403 password_change_required until it is changed
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Token(Base):
    """Only the SHA-256 of a token is stored: a leaked table cannot be replayed."""

    __tablename__ = "tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LoginThrottle(Base):
    """Failed logins in a row under one key: ``account:<username>`` (lower-cased, whether or not the account exists,
    so that throttling reveals nothing) or ``address:<client address>``. From the ``after``-th failure on, each
    further attempt under the key waits until ``blocked_until`` (a delay that doubles with every failure, capped)."""

    __tablename__ = "login_throttles"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditRecord(Base):
    """Every login, every write, every read of personal data and every refused attempt: who, when, what, outcome."""

    __tablename__ = "audit_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    username: Mapped[str | None] = mapped_column(String(60), index=True)
    role: Mapped[str | None] = mapped_column(String(20))
    # "POST /api/v1/officers" (the route template, never a raw path: no personal data)
    action: Mapped[str] = mapped_column(String(120), index=True)
    # path parameters, e.g. officer_id; on a create, the created object's id (``{"id": ...}``)
    target: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(30))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    # the trail, newest first, by user or by action: a page is an index range scan
    __table_args__ = (
        Index("ix_audit_records_username_list", "username", "id"),
        Index("ix_audit_records_action_list", "action", "id"),
    )
