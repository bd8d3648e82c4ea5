"""Database per service: engine, kernel tables (outbox, processed events) and transactions.

A service's change and the events announcing it are written in one transaction (``Tx.emit``
adds an outbox row); the relay publishes after commit. A consumed event's id is recorded in the
same transaction as its effect (``Tx.claim``), so redelivery changes nothing.
"""

from __future__ import annotations

import os
import re
import uuid
import zlib
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from nameko.extensions import DependencyProvider
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from enforcement_contracts.events import Envelope, EventType

from . import logs

kernel_metadata = MetaData()


def utcnow() -> datetime:
    """Naive UTC: the same on SQLite and PostgreSQL columns without time zone."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class KernelBase(DeclarativeBase):
    metadata = kernel_metadata


class OutboxRow(KernelBase):
    """An event waiting to be (or already) published; also the producer's event history."""

    __tablename__ = "outbox_events"
    id = Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    event_id = Column(String(64), nullable=False, unique=True)
    event_type = Column(String(120), nullable=False)
    exchange = Column(String(120), nullable=False)
    routing_key = Column(String(120), nullable=False)
    body = Column(JSON, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    status = Column(String(12), nullable=False, default="pending")  # pending | sent | unroutable | unrouted
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False, default=utcnow)
    sent_at = Column(DateTime)
    last_error = Column(Text)
    __table_args__ = (
        Index("ix_outbox_unsent", "status", "next_attempt_at"),
        Index("ix_outbox_type_created", "event_type", "created_at"),
    )


class ProcessedEvent(KernelBase):
    """One row per (handler, event id) already applied."""

    __tablename__ = "processed_events"
    handler = Column(String(160), primary_key=True)
    event_id = Column(String(64), primary_key=True)
    processed_at = Column(DateTime, nullable=False, default=utcnow)


def normalise_url(url: str) -> str:
    """Plain ``postgresql://`` means psycopg2 here: eventlet makes psycopg2 cooperative, not psycopg 3
    (which SQLAlchemy 2.1 picks by default)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def make_engine(url: str, pool_size: int = 10):
    """An engine sized to the worker count; SQLite gets WAL and a busy timeout."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=max(2, pool_size // 2), pool_pre_ping=True)


def notify_channel(service: str) -> str:
    """The PostgreSQL NOTIFY channel that wakes ``service``'s outbox relays: a lower-case identifier, so ``LISTEN``
    (which folds unquoted names) and ``pg_notify`` (which takes the name as given) agree."""
    return "outbox_" + re.sub(r"[^a-z0-9_]", "_", service.lower())


# What a database says when it cannot serve now (down, restarting, out of connections, busy): a passing condition
# the caller may retry, not a bug of the service (PostgreSQL's and SQLite's own words).
_UNAVAILABLE_WORDS = (
    "too many clients",
    "too many connections",
    "could not connect",
    "connection refused",
    "server closed the connection",
    "terminating connection",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "database is locked",
)


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot serve now (answered 503, retried), rather than that a statement is
    wrong (a bug: answered 500/502 and logged with its traceback)."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, PoolTimeout):  # every connection of the pool is in use
        return True
    if not isinstance(exc, OperationalError):
        return False
    if exc.connection_invalidated:
        return True
    text = str(getattr(exc, "orig", exc)).lower()
    return any(words in text for words in _UNAVAILABLE_WORDS)


def advisory_key(name: str) -> int:
    """A PostgreSQL advisory lock key for ``name``: stable across processes and releases (not Python's hash)."""
    return zlib.crc32(name.encode()) - 2**31


class Tx:
    """One unit of work: a session plus the outbox of the events it announces."""

    def __init__(self, session: Session, source: str):
        self.session = session
        self.source = source
        self.emitted: list[Envelope] = []
        self.on_commit: list = []  # callables run once the transaction committed (e.g. metrics)

    def emit(self, event_type: EventType, data: dict, subject: str | None = None) -> Envelope:
        """Validate the payload against its contract and queue it in this transaction's outbox."""
        if event_type.source != self.source:
            raise ValueError(f"{self.source} cannot publish {event_type.type}")
        payload = event_type.dump(data)
        envelope = Envelope(
            type=event_type.type,
            source=self.source,
            data=payload,
            schemaversion=event_type.version,
            subject=subject,
            correlationid=logs.correlation_id(),
        )
        self.session.add(
            OutboxRow(
                event_id=envelope.id,
                event_type=envelope.type,
                exchange=event_type.exchange,
                routing_key=event_type.routing_key,
                body=envelope.to_dict(),
            )
        )
        self.emitted.append(envelope)
        return envelope

    def serialise(self, name: str) -> None:
        """Wait until no other transaction holds ``name``, then hold it until this one ends: a job that two replicas
        run (a timer) runs one at a time, the second seeing what the first committed. PostgreSQL: a transaction
        advisory lock; SQLite: nothing (its file serves one service process, so there is no second replica)."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key(name)})

    def claim(self, handler: str, event_id: str) -> bool:
        """Record that ``handler`` applies ``event_id`` now; False if it already did."""
        seen = self.session.execute(
            select(ProcessedEvent.event_id).where(
                ProcessedEvent.handler == handler, ProcessedEvent.event_id == event_id
            )
        ).first()
        if seen:
            return False
        self.session.add(ProcessedEvent(handler=handler, event_id=event_id))
        return True


class DatabaseUnit:
    """What a worker gets as ``self.db``."""

    def __init__(self, provider: Database):
        self._provider = provider

    @property
    def engine(self):
        return self._provider.engine

    @contextmanager
    def transaction(self):
        with self._provider.transaction() as tx:
            yield tx

    @contextmanager
    def read(self):
        """A session for queries only; nothing it does is committed."""
        session = self._provider.sessionmaker()
        try:
            yield session
        finally:
            session.rollback()
            session.close()


class Database(DependencyProvider):
    """The service's own database. The attribute must be named ``db`` (handlers and the relay find it there)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # callables(emitted envelopes), e.g. the relay's wake-up in this process (other replicas: pg_notify below)
        self.after_commit = []

    def setup(self):
        config = self.container.config
        self.source = config.get("SERVICE_NAME", self.container.service_name)
        self.url = os.environ.get("DATABASE_URL") or config["DATABASE_URL"]
        # Workers, the relay and the health probe each may hold a connection at once.
        self.engine = make_engine(self.url, pool_size=int(config.get("max_workers", 10)) + 2)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self.notify_channel = notify_channel(self.source)
        self.notify_payload = uuid.uuid4().hex  # this container's: its own relay, woken in process, ignores it
        self._notify = self.engine.dialect.name == "postgresql"

    def stop(self):
        self.engine.dispose()

    @contextmanager
    def transaction(self):
        session = self.sessionmaker()
        tx = Tx(session, self.source)
        try:
            yield tx
            if tx.emitted and self._notify:
                # delivered by PostgreSQL at commit only (never for a rollback): wakes every replica's relay
                session.execute(
                    text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": self.notify_channel, "payload": self.notify_payload},
                )
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        for callback in tx.on_commit:
            callback()
        if tx.emitted:
            for callback in self.after_commit:
                callback(tx.emitted)

    def get_dependency(self, worker_ctx):
        return DatabaseUnit(self)
