"""The outbox relay: publishes committed events with publisher confirms and mandatory routing.

A row is marked sent only after the broker confirmed it. A crash between commit and publish
leaves the row pending and the next relay (after restart) sends it; a crash between publish
and marking it sent re-sends it with the same event id, which idempotent consumers ignore.
An unroutable event (no queue bound yet) stays in the table and is retried with back-off, so a
subscriber that declares its queue soon after still receives it. After ``OUTBOX.unroutable_retry_seconds``
(a day) the relay stops trying: the row becomes ``unrouted``, final like ``sent`` and part of the history,
so a subscriber that arrives later gets it by replay, and events nobody subscribes to are not re-published
for ever.

Sent rows are the producer's event history (``enforcement_kernel.replay`` re-delivers from it):
they are kept ``OUTBOX.keep_sent_days`` (400; 0 keeps them for ever) and pruned in batches every
``OUTBOX.prune_every_seconds`` (3600) by the relay. In the same pass it forgets the ids of events this
service's handlers applied more than ``HANDLERS.keep_processed_days`` (430) ago: longer than any producer
keeps its history, so no replay can bring back an event whose id was forgotten.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import eventlet
from eventlet.queue import Empty, LightQueue
from kombu import Connection, Exchange, Producer
from nameko.extensions import DependencyProvider
from sqlalchemy import delete, func, select, text, update

from . import metrics, pg_listen
from .config import setting
from .db import OutboxRow, ProcessedEvent, utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300
PUBLISH_RETRY = {"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 2}
CONFIRM_TIMEOUT_SECONDS = 30.0
ERROR_PAUSE_SECONDS = 5.0  # after a failed pass (broker or database away), at most this long before the next
DEFAULT_KEEP_SENT_DAYS = 400
DEFAULT_KEEP_PROCESSED_DAYS = 430  # a month beyond the producers' history: see check_processed_retention
DEFAULT_UNROUTABLE_RETRY_SECONDS = 86400
PRUNE_BATCH = 1000
UNSENT = ("pending", "unroutable")  # the relay's work
HISTORY = ("sent", "unrouted")  # published, or given up on for want of a subscriber: replayable, prunable


def backoff_seconds(attempts: int) -> int:
    """1, 2, 4 ... capped at five minutes."""
    return min(2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def unroutable_status(created_at: datetime, now: datetime, retry_seconds: float) -> str:
    """What an unroutable row becomes: retried (``unroutable``) while young, ``unrouted`` (final) once older
    than ``retry_seconds``."""
    return "unrouted" if (now - created_at).total_seconds() >= float(retry_seconds) else "unroutable"


def retention_cutoff(now: datetime, keep_days) -> datetime | None:
    """Sent rows created before this are pruned; None (keep everything) when ``keep_days`` is 0 or unset."""
    if not keep_days or float(keep_days) <= 0:
        return None
    return now - timedelta(days=float(keep_days))


def prune_sent(sessionmaker, cutoff: datetime, batch: int = PRUNE_BATCH) -> int:
    """Delete history rows (sent or unrouted) created before ``cutoff``, a batch per transaction (short locks);
    returns how many. Pending and unroutable rows are never pruned: they are not published yet."""
    deleted = 0
    while True:
        with sessionmaker() as session:
            ids = (
                session.execute(
                    select(OutboxRow.id)
                    .where(OutboxRow.status.in_(HISTORY), OutboxRow.created_at < cutoff)
                    .order_by(OutboxRow.id)
                    .limit(batch)
                )
                .scalars()
                .all()
            )
            if not ids:
                return deleted
            session.execute(delete(OutboxRow).where(OutboxRow.id.in_(ids)))
            session.commit()
            deleted += len(ids)


def check_processed_retention(keep_processed_days, keep_sent_days) -> None:
    """Refuse to start with a retention of processed ids shorter than the event history: a replay of an event
    whose id was forgotten would apply it twice."""
    keep_processed, keep_sent = float(keep_processed_days or 0), float(keep_sent_days or 0)
    if keep_processed > 0 and (keep_sent <= 0 or keep_processed <= keep_sent):
        raise ValueError(
            f"HANDLERS.keep_processed_days ({keep_processed_days}) must be 0 (keep for ever) or more "
            f"than OUTBOX.keep_sent_days ({keep_sent_days}): a replayed event must still be recognised"
        )


def prune_processed(sessionmaker, cutoff: datetime, batch: int = PRUNE_BATCH) -> int:
    """Forget the ids of events applied before ``cutoff``, a batch per transaction; returns how many."""
    deleted = 0
    while True:
        with sessionmaker() as session:
            keys = session.execute(
                select(ProcessedEvent.handler, ProcessedEvent.event_id)
                .where(ProcessedEvent.processed_at < cutoff)
                .limit(batch)
            ).all()
            if not keys:
                return deleted
            for handler in {handler for handler, _ in keys}:
                session.execute(
                    delete(ProcessedEvent).where(
                        ProcessedEvent.handler == handler,
                        ProcessedEvent.event_id.in_([event_id for h, event_id in keys if h == handler]),
                    )
                )
            session.commit()
            deleted += len(keys)


class OutboxRelay(DependencyProvider):
    """Runs inside the service's container next to its ``db`` dependency.

    It wakes when a transaction that emitted events commits: in process (``Database.after_commit``) and, on
    PostgreSQL, in every replica (``LISTEN`` on the channel the transaction notified, see ``pg_listen``); otherwise
    every ``OUTBOX.poll_seconds``, the backstop. Wake-ups coalesce: however many commits arrive during a pass, one
    more pass follows. A pass publishes a batch with confirms, then marks the confirmed rows sent in one short write;
    a full batch is followed at once by the next.
    """

    def setup(self):
        config = self.container.config
        self.service = config.get("SERVICE_NAME", self.container.service_name)
        self.enabled = bool(setting(config, "OUTBOX.relay", True))
        self.poll_seconds = float(setting(config, "OUTBOX.poll_seconds", 1.0))
        self.batch = int(setting(config, "OUTBOX.batch", 500))
        self.listen = bool(setting(config, "OUTBOX.listen", True))
        self.gauge_seconds = float(setting(config, "OUTBOX.gauge_seconds", 1.0))
        self.keep_sent_days = setting(config, "OUTBOX.keep_sent_days", DEFAULT_KEEP_SENT_DAYS)
        self.prune_every = float(setting(config, "OUTBOX.prune_every_seconds", 3600))
        self.keep_processed_days = setting(config, "HANDLERS.keep_processed_days", DEFAULT_KEEP_PROCESSED_DAYS)
        check_processed_retention(self.keep_processed_days, self.keep_sent_days)
        self.unroutable_retry = float(
            setting(config, "OUTBOX.unroutable_retry_seconds", DEFAULT_UNROUTABLE_RETRY_SECONDS)
        )
        self._next_prune = 0.0  # monotonic; the first pass prunes
        self._next_gauges = 0.0  # monotonic; the first pass refreshes the backlog gauges
        self._gauges_stale = False  # rows went since the gauges' last refresh
        self._listener = None
        self._connection = self._producer = None  # the relay's own, opened by its first pass
        self._returned = []  # message ids the broker returned unroutable (mandatory) since the last publish
        self._exchanges: dict[str, Exchange] = {}
        self._wake = LightQueue(maxsize=1)
        self._running = False
        self.database = next(d for d in self.container.dependencies if d.attr_name == "db")
        self.database.after_commit.append(lambda _emitted: self.wake())

    def start(self):
        self.declare_exchange()
        self._running = True
        if self.enabled:
            self.container.spawn_managed_thread(self._loop)
            if self.listen and self.database.engine.dialect.name == "postgresql":
                self._listener = self.container.spawn_managed_thread(self._listen)

    @property
    def exchange_name(self) -> str:
        return f"{self.container.service_name}.events"

    def declare_exchange(self) -> None:
        """Declare this service's event exchange (durable topic) before it takes work: an outside subscriber that
        binds to every ``*.events`` exchange early must find it, not wait for the service's first event."""
        with Connection(self.container.config["AMQP_URI"], connect_timeout=10) as conn:
            Exchange(self.exchange_name, type="topic", durable=True)(conn.default_channel).declare()

    def stop(self):
        self._running = False
        self.wake()
        if self._listener is not None:
            self._listener.kill()  # it waits on its socket: end it now (its connection is closed on the way out)

    def kill(self):
        self._running = False

    def wake(self):
        try:
            self._wake.put_nowait(True)
        except Exception:  # already awake: this wake-up joins the pending one
            pass

    def _listen(self):
        wake, running = lambda: self.wake(), lambda: self._running
        pg_listen.listen(
            self.database.engine, self.database.notify_channel, wake, running, ignore=self.database.notify_payload
        )

    def _loop(self):
        try:
            self._relay_until_stopped()
        finally:
            self._close_producer()

    def _relay_until_stopped(self):
        while self._running:
            full = False
            try:
                full = self.relay_once() >= self.batch
                self.prune_if_due()
            except Exception:  # the broker or the database is away: try again later, never die
                log.exception("outbox relay pass failed")
                eventlet.sleep(min(self.poll_seconds, ERROR_PAUSE_SECONDS))
                continue  # then try again: the rows after the failing one are still due
            if full:
                eventlet.sleep(0)  # a backlog: the next batch at once, letting the workers in between
                continue
            timeout = self.poll_seconds
            if self._gauges_stale:  # the last refresh was skipped: one more pass when it is due, not at the poll
                timeout = min(timeout, max(self._next_gauges - time.monotonic(), 0.0))
            try:
                self._wake.get(timeout=timeout)
            except Empty:
                pass

    def relay_once(self) -> int:
        """Publish one batch of due rows; returns how many rows it handled (published or not)."""
        engine = self.database.engine
        postgresql = engine.dialect.name == "postgresql"
        query = (
            select(
                OutboxRow.id,
                OutboxRow.event_id,
                OutboxRow.event_type,
                OutboxRow.exchange,
                OutboxRow.routing_key,
                OutboxRow.body,
                OutboxRow.created_at,
                OutboxRow.attempts,
            )
            .where(OutboxRow.status.in_(UNSENT), OutboxRow.next_attempt_at <= utcnow())
            .order_by(OutboxRow.id)
            .limit(self.batch)
        )
        if postgresql:
            # replicas never publish the same row at once: the rows stay locked until marked
            with self.database.sessionmaker() as session:
                rows = session.execute(query.with_for_update(skip_locked=True)).all()
                self._publish_and_mark(session, rows)
        else:
            # SQLite: read, publish with no transaction open (no write lock while waiting on the broker), then one
            # short write. One relay per SQLite file (one service process), so nobody else takes these rows.
            with self.database.sessionmaker() as session:
                rows = session.execute(query).all()
                session.rollback()
                self._publish_and_mark(session, rows)
        self._gauges_stale = self._gauges_stale or bool(rows)
        self.gauges_if_due()
        return len(rows)

    def _publish_and_mark(self, session, rows) -> None:
        """Publish ``rows`` in order, then record every outcome in one commit, also when the broker fails half way:
        the confirmed rows stay sent, the failing one backs off, the rest stay due."""
        sent, unroutable, failed = [], [], None
        try:
            for row in rows:
                if not self._running:
                    break
                outcome = self._publish(row)
                (sent if outcome else unroutable).append((row, utcnow()))
        except Exception as exc:
            failed = (row, f"{type(exc).__name__}: {exc}"[:500])
            raise
        finally:
            self._mark(session, sent, unroutable, failed)

    def _mark(self, session, sent, unroutable, failed) -> None:
        if not (sent or unroutable or failed):
            session.rollback()
            return
        table = OutboxRow.__table__
        if session.get_bind().dialect.name == "postgresql":
            # a mark lost in a database crash only re-sends those events with their ids (as a relay crash does):
            # no need to wait for the disk
            session.execute(text("SET LOCAL synchronous_commit = off"))
        if sent:
            session.execute(
                update(table)
                .where(table.c.id.in_([row.id for row, _ in sent]))
                .values(status="sent", sent_at=sent[-1][1], last_error=None, attempts=table.c.attempts + 1)
            )
        for row, now in unroutable:
            status = unroutable_status(row.created_at, now, self.unroutable_retry)
            session.execute(
                update(table)
                .where(table.c.id == row.id)
                .values(
                    status=status,
                    attempts=row.attempts + 1,
                    last_error="no queue bound for this routing key",
                    next_attempt_at=now + timedelta(seconds=backoff_seconds(row.attempts + 1)),
                )
            )
        if failed:
            row, error = failed
            session.execute(
                update(table)
                .where(table.c.id == row.id)
                .values(
                    attempts=row.attempts + 1,
                    last_error=error,
                    next_attempt_at=utcnow() + timedelta(seconds=backoff_seconds(row.attempts + 1)),
                )
            )
        session.commit()

    def _publisher(self) -> Producer:
        """One connection and producer for the relay's thread, with publisher confirms; kombu's ``ensure`` reconnects
        it after a connection error (``retry`` below)."""
        if self._producer is None:
            self._connection = Connection(
                self.container.config["AMQP_URI"], transport_options={"confirm_publish": True}, connect_timeout=10
            )
            self._producer = Producer(self._connection, serializer="json", on_return=self._on_return)
        return self._producer

    def _on_return(self, exc, exchange, routing_key, message) -> None:
        # a mandatory message no queue takes comes back before its confirm: publish() sees it once confirmed
        self._returned.append(message.properties.get("message_id"))

    def _close_producer(self) -> None:
        connection, self._connection, self._producer = self._connection, None, None
        if connection is not None:
            try:
                connection.release()
            except Exception:  # already gone with the broker
                pass

    def publish(self, body, exchange_name: str, routing_key: str, message_id: str) -> bool:
        """Publish one message, persistent and mandatory, and wait for the broker's confirm; False when the broker
        returned it unroutable. Raises when it cannot be confirmed (after kombu's retries)."""
        exchange = self._exchanges.get(exchange_name)
        if exchange is None:
            exchange = self._exchanges[exchange_name] = Exchange(exchange_name, type="topic", durable=True)
        producer = self._publisher()
        self._returned.clear()
        try:
            producer.publish(
                body,
                exchange=exchange,
                routing_key=routing_key,
                declare=[exchange],  # once per connection (kombu remembers what it declared)
                message_id=message_id,
                delivery_mode=2,
                mandatory=True,
                retry=True,
                retry_policy=PUBLISH_RETRY,
                confirm_timeout=CONFIRM_TIMEOUT_SECONDS,  # a silently dead connection fails, not hangs
            )
        except Exception:
            self._close_producer()  # a fresh connection for the next attempt: no confirm of this one left behind
            raise
        return message_id not in self._returned

    def _publish(self, row) -> bool:
        """Publish one row with confirms; False when the broker returned it unroutable."""
        if not self.publish(row.body, row.exchange, row.routing_key, row.event_id):
            if unroutable_status(row.created_at, utcnow(), self.unroutable_retry) == "unrouted":
                log.info(
                    "no subscriber for %s after %.0f s: kept in the history for replay, no longer retried",
                    row.event_type,
                    self.unroutable_retry,
                    extra={"event_type": row.event_type, "event_id": row.event_id},
                )
            metrics.EVENTS_UNROUTABLE.labels(self.service, row.event_type).inc()
            return False
        metrics.EVENTS_PUBLISHED.labels(self.service, row.event_type).inc()
        return True

    def prune_if_due(self) -> int:
        if time.monotonic() < self._next_prune:
            return 0
        self._next_prune = time.monotonic() + self.prune_every
        now, deleted = utcnow(), 0
        cutoff = retention_cutoff(now, self.keep_sent_days)
        if cutoff is not None:
            deleted = prune_sent(self.database.sessionmaker, cutoff)
            if deleted:
                log.info("pruned %d sent outbox rows created before %s", deleted, cutoff.isoformat())
        processed_cutoff = retention_cutoff(now, self.keep_processed_days)
        if processed_cutoff is not None:
            forgotten = prune_processed(self.database.sessionmaker, processed_cutoff)
            if forgotten:
                log.info("forgot %d processed event ids applied before %s", forgotten, processed_cutoff.isoformat())
        return deleted

    def backlog(self) -> dict:
        """Unsent rows by status, and the age of the oldest pending one (unroutable rows wait for a subscriber)."""
        with self.database.sessionmaker() as session:
            rows = session.execute(
                select(OutboxRow.status, func.count(OutboxRow.id), func.min(OutboxRow.created_at))
                .where(OutboxRow.status.in_(UNSENT))
                .group_by(OutboxRow.status)
            ).all()
        counts = {"pending": 0, "unroutable": 0}
        oldest_pending = None
        for status, count, oldest in rows:
            counts[status] = int(count)
            if status == "pending":
                oldest_pending = oldest
        age = max((utcnow() - oldest_pending).total_seconds(), 0.0) if oldest_pending else 0.0
        return {"counts": counts, "oldest_pending_age": age}

    def gauges_if_due(self) -> None:
        """The backlog gauges (a GROUP BY over the unsent rows) at most every ``OUTBOX.gauge_seconds``."""
        if time.monotonic() >= self._next_gauges:
            self._next_gauges = time.monotonic() + self.gauge_seconds
            self._gauges_stale = False
            self.update_gauges()

    def update_gauges(self) -> dict:
        state = self.backlog()
        for status, count in state["counts"].items():
            metrics.OUTBOX_BACKLOG.labels(self.service, status).set(count)
        metrics.OUTBOX_OLDEST_AGE.labels(self.service).set(state["oldest_pending_age"])
        return state

    def get_dependency(self, worker_ctx):
        return self
