"""The outbox relay wakes when events are committed, not at its next poll; a batch is marked after the broker confirms.

Real containers (nameko ``ServiceContainer`` of a small service with the kernel's ``Database`` and ``OutboxRelay``),
the real broker and databases. Every relay here polls only once a minute, so an event delivered within seconds was
woken: on PostgreSQL across replicas by ``LISTEN``/``NOTIFY`` (a commit in one container wakes the relay of another
that shares the database), on SQLite in process.
"""

from __future__ import annotations

import json
import time

import pytest
from enforcement_testing import db_rows, fresh_postgres_database, wait_until
from marshmallow import Schema, fields
from sqlalchemy import text

from enforcement_contracts.events import EventType
from enforcement_kernel.db import Database, KernelBase, make_engine
from enforcement_kernel.outbox import OutboxRelay

pytestmark = pytest.mark.timeout(90)

SERVICE = "wakeprobe"
POLL = 60.0  # far beyond every wait below: a delivery in time was woken, not polled


class PingSchema(Schema):
    seq = fields.Integer(required=True)


PING = EventType(SERVICE, "ping", PingSchema)


class WakeProbe:
    name = SERVICE
    db = Database()
    outbox = OutboxRelay()


def start_replica(url: str, amqp_uri: str, relay: bool = True, batch: int = 100):
    from nameko.containers import ServiceContainer

    config = {
        "AMQP_URI": amqp_uri,
        "DATABASE_URL": url,
        "max_workers": 4,
        "OUTBOX": {"relay": relay, "poll_seconds": POLL, "batch": batch},
    }
    container = ServiceContainer(WakeProbe, config)
    container.start()
    return container


def provider(container, name: str):
    return next(d for d in container.dependencies if d.attr_name == name)


def commit_pings(container, *seqs: int) -> float:
    """One transaction emitting a ping per ``seq``; returns when it committed (monotonic)."""
    with provider(container, "db").transaction() as tx:
        for seq in seqs:
            tx.emit(PING, {"seq": seq})
    return time.monotonic()


@pytest.fixture
def replicas(amqp_uri):
    started = []

    def start(url: str, **kwargs):
        container = start_replica(url, amqp_uri, **kwargs)
        started.append(container)
        return container

    yield start
    for container in started:
        container.stop()


def create_tables(url: str) -> None:
    engine = make_engine(url)
    KernelBase.metadata.create_all(engine)
    engine.dispose()


def idle(container) -> None:
    """Until the relay's first pass (at start) is over and it waits for a wake-up or its poll."""
    relay = provider(container, "outbox")
    wait_until(lambda: relay._next_gauges > 0, timeout=10, message="the relay's first pass")
    time.sleep(0.3)


def backlog_gauge(status: str) -> float | None:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value("enforcement_outbox_backlog", {"service": SERVICE, "status": status})


def delivered_within(events, n: int, seconds: float) -> float:
    started = time.monotonic()
    events.wait_for(n, timeout=seconds)
    return time.monotonic() - started


def test_a_commit_in_one_replica_wakes_the_relay_of_another_on_postgresql(replicas, collect_events):
    events = collect_events(SERVICE, "ping")
    with fresh_postgres_database() as url:
        create_tables(url)
        relaying = replicas(url)
        writer = replicas(url, relay=False)  # its own in-process wake-up has no relay to wake
        idle(relaying)

        commit_pings(writer, 1)
        assert delivered_within(events, 1, 5.0) < 5.0
        assert [e["data"]["seq"] for e in events.received] == [1]

        # the listener's connection is lost (a database restart, a network cut): it reconnects and catches up
        admin = make_engine(url)
        with admin.connect() as conn:
            ended = conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name = 'outbox-listener'"
                )
            ).all()
        admin.dispose()
        assert len(ended) == 1, "one relay listens"
        commit_pings(writer, 2)
        delivered_within(events, 2, 10.0)

        # still listening after the reconnection
        idle(relaying)
        commit_pings(writer, 3, 4)
        delivered_within(events, 4, 5.0)
        assert [e["data"]["seq"] for e in events.collect_for(0.5)] == [1, 2, 3, 4]
        assert db_rows(url, "SELECT status, attempts FROM outbox_events GROUP BY status, attempts") == [
            {"status": "sent", "attempts": 1}
        ]


def test_a_rolled_back_transaction_notifies_nobody(replicas, collect_events):
    events = collect_events(SERVICE, "ping")
    with fresh_postgres_database() as url:
        create_tables(url)
        relaying = replicas(url)
        writer = replicas(url, relay=False)
        idle(relaying)
        woken = []
        relay = provider(relaying, "outbox")
        original, relay.wake = relay.wake, lambda: (woken.append(1), original())
        with pytest.raises(RuntimeError):
            with provider(writer, "db").transaction() as tx:
                tx.emit(PING, {"seq": 1})
                raise RuntimeError("the change fails")
        assert events.collect_for(1.0) == [] and woken == []
        commit_pings(writer, 2)
        events.wait_for(1, timeout=5.0)
        assert woken and [e["data"]["seq"] for e in events.received] == [2]


def test_on_sqlite_the_committing_process_wakes_its_relay(replicas, collect_events, tmp_path):
    events = collect_events(SERVICE, "ping")
    url = f"sqlite:///{tmp_path / 'wake.db'}"
    create_tables(url)
    container = replicas(url)
    idle(container)
    commit_pings(container, 1)
    delivered_within(events, 1, 5.0)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_backlog_drains_batch_after_batch_and_a_broker_error_keeps_the_confirmed(
    backend, replicas, collect_events, tmp_path
):
    """Rows beyond one batch go at once (not a batch per poll); when the broker fails half way through a batch the
    rows it confirmed stay sent, the failing one backs off, the others stay due and nothing is published twice."""
    events = collect_events(SERVICE, "ping")
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'backlog.db'}"
        _check_backlog(url, replicas, events)
    else:
        with fresh_postgres_database() as url:
            _check_backlog(url, replicas, events)


def _check_backlog(url, replicas, events):
    create_tables(url)
    writer = replicas(url, relay=False)
    for first in range(0, 50, 10):
        commit_pings(writer, *range(first, first + 10))
    container = replicas(url, batch=7)
    events.wait_for(50, timeout=10.0)  # 8 batches with a poll of a minute: each full batch is followed at once
    # the backlog gauge, refreshed at most once a second during the drain, shows the end of it within a second or so
    wait_until(lambda: backlog_gauge("pending") == 0, timeout=5, message="the backlog gauge back at 0")

    relay = provider(container, "outbox")
    real_publish, calls = relay.publish, []

    def failing_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise ConnectionError("the broker went away")
        return real_publish(*args, **kwargs)

    relay.publish = failing_third
    commit_pings(container, 100, 101, 102, 103, 104)
    wait_until(lambda: len(calls) >= 3, timeout=10, message="the relay's pass")
    time.sleep(0.5)
    rows = db_rows(url, "SELECT body, status, attempts, last_error FROM outbox_events")
    by_seq = {(r["body"] if isinstance(r["body"], dict) else json.loads(r["body"]))["data"]["seq"]: r for r in rows}
    assert [by_seq[s]["status"] for s in (100, 101, 102, 103, 104)] == ["sent", "sent", "pending", "pending", "pending"]
    assert by_seq[102]["attempts"] == 1 and "the broker went away" in by_seq[102]["last_error"]
    assert (by_seq[103]["attempts"], by_seq[104]["attempts"]) == (0, 0)

    relay.publish = real_publish
    # after its pause for errors (5 s at most) and the failing row's back-off (1 s), the relay sends the rest
    wait_until(
        lambda: db_rows(url, "SELECT COUNT(*) AS n FROM outbox_events WHERE status = 'sent'")[0]["n"] == 55,
        timeout=15,
        message="the rest sent",
    )
    received = events.collect_for(0.5)
    assert sorted(e["data"]["seq"] for e in received) == list(range(50)) + [100, 101, 102, 103, 104]
