"""What happens when things go wrong: crashes, redelivery, poison messages, a stopped service, restarts.

The fault tests run the real personnel process against the real broker (kill, restart, stop, poison messages);
the outbox crash runs on SQLite and PostgreSQL (the relay locks rows differently there), the others on SQLite.
Redelivery is about the handler, not the process: it runs the service in process (``run_service``), on SQLite.
"""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest
from enforcement_testing import (
    BUREAU,
    RUN_DATE,
    db_count,
    db_rows,
    publish_event,
    publish_raw,
    valid_id_number,
    wait_until,
)
from kombu import Connection

from enforcement_contracts.training import compliance as training_compliance
from enforcement_contracts.training import exams as training_exams
from enforcement_kernel.handlers import DEAD_LETTER_EXCHANGE

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"
HOURS_QUEUE = f"evt-training-{training_compliance.HOURS_UPDATED.routing_key}--personnel.on_hours_updated"
HANDLED = "enforcement_events_handled_total"


def officer_payload(seq: int) -> dict:
    return {
        "agency_code": MARKET,
        "name": f"可靠性{seq}",
        "id_number": valid_id_number(seq),
        "domains": ["market_supervision"],
    }


def queue_depth(amqp_uri: str, name: str) -> int:
    """Messages ready in a queue (passive declare: fails if the queue does not exist)."""
    with Connection(amqp_uri, connect_timeout=5) as conn:
        _, count, _ = conn.default_channel.queue_declare(queue=name, passive=True)
        return count


def purge(amqp_uri: str, name: str) -> None:
    with Connection(amqp_uri, connect_timeout=5) as conn:
        conn.default_channel.queue_purge(name)


def config_without_relay(tmp_path):
    """The packaged personnel config with only ``OUTBOX.relay`` turned off, for ``$CONFIG``."""
    from enforcement_kernel.config import load_config
    from personnel_service.plugin import PLUGIN

    text = open(PLUGIN.config_path, encoding="utf-8").read()
    patched, n = re.subn(r"(?m)^(OUTBOX:\n(?:[ \t]+.*\n)*?[ \t]+relay:[ \t]*)true[ \t]*$", r"\1false", text)
    assert n == 1, "config.yml no longer has OUTBOX.relay: true; update this test"
    path = tmp_path / "personnel-no-relay.yml"
    path.write_text(patched, encoding="utf-8")
    packaged, changed = load_config("personnel", default_path=PLUGIN.config_path), load_config("personnel", path)
    assert changed["OUTBOX"]["relay"] is False
    assert {k: v for k, v in changed.items() if k != "OUTBOX"} == {k: v for k, v in packaged.items() if k != "OUTBOX"}
    return path


# --- crash between commit and publish ------------------------------------------------------------
def test_event_committed_before_a_crash_is_published_exactly_once_after_restart(
    database_url, amqp_uri, start_service, rpc, collect_events, tmp_path
):
    events = collect_events("personnel", "officer.registered")
    service = start_service(
        "personnel", database_url, amqp_uri, extra_env={"CONFIG": str(config_without_relay(tmp_path))}
    )

    officer = rpc.personnel.register_officer(BUREAU, officer_payload(11))
    [row] = db_rows(
        database_url,
        "SELECT event_id, status, attempts FROM outbox_events WHERE event_type = :t",
        t="personnel.officer.registered",
    )
    assert (row["status"], row["attempts"]) == ("pending", 0)  # committed with the officer, not yet published
    assert events.collect_for(1.5) == []

    service.kill()  # the crash: nothing runs on the way down
    service.env.pop("CONFIG")
    service.start()

    [envelope] = events.wait_for(1, timeout=20)
    assert envelope["id"] == row["event_id"] and envelope["data"]["officer_id"] == officer["officer_id"]
    assert len(events.collect_for(3.0)) == 1, f"published more than once: {[e['id'] for e in events.received]}"
    [after] = db_rows(
        database_url, "SELECT status, attempts, sent_at FROM outbox_events WHERE event_id = :e", e=row["event_id"]
    )
    assert after["status"] == "sent" and after["attempts"] == 1 and after["sent_at"] is not None
    assert db_count(database_url, "outbox_events", "status = 'pending'") == 0


# --- at-least-once delivery: redelivered events change nothing -----------------------------------
def handled(outcome: str, event_type: str) -> float:
    """This process's count of personnel's handled events (in process, metrics are process-wide: compare deltas)."""
    from prometheus_client import REGISTRY

    labels = {"service": "personnel", "event_type": event_type, "outcome": outcome}
    return REGISTRY.get_sample_value(HANDLED, labels) or 0.0


def wait_handled(before: dict, outcome: str, event_type: str, expected: float) -> float:
    """Until the delta since ``before`` reaches ``expected`` (bounded, like ``wait_metric``); returns the delta."""
    delta = lambda: handled(outcome, event_type) - before[(outcome, event_type)]  # noqa: E731
    wait_until(lambda: delta() >= expected, timeout=15, message=f"{expected:g} {outcome} {event_type}")
    return delta()


def test_redelivered_events_have_one_effect(amqp_uri, run_service):
    """In process (the handler's idempotence is the point, not the process): the real handler, database and broker."""
    service = run_service("personnel")
    sqlite_url = service.database_url
    exam_type, hours_type = training_exams.EXAM_PASSED.type, training_compliance.HOURS_UPDATED.type
    before = {(o, t): handled(o, t) for o in ("ok", "duplicate") for t in (exam_type, hours_type)}
    officer_id = uuid.uuid4().hex

    exam = publish_event(
        amqp_uri,
        training_exams.EXAM_PASSED,
        {
            "result_id": uuid.uuid4().hex,
            "officer_id": officer_id,
            "agency_code": MARKET,
            "exam_kind": "qualification",
            "score": 75.0,
            "pass_mark": 60.0,
            "sat_on": RUN_DATE,
        },
    )
    publish_event(amqp_uri, training_exams.EXAM_PASSED, exam.data, event_id=exam.id)  # the broker redelivers it

    assert wait_handled(before, "duplicate", exam_type, 1) == 1
    assert handled("ok", exam_type) - before[("ok", exam_type)] == 1
    assert db_count(sqlite_url, "exam_results", "officer_id = :o", o=officer_id) == 1
    assert db_count(sqlite_url, "processed_events", "event_id = :e", e=exam.id) == 1

    hours = {
        "officer_id": officer_id,
        "agency_code": MARKET,
        "year": RUN_DATE.year,
        "revision": 3,
        "hours_by_category": {"public_law": 12.5, "professional": 8.0},
        "required_courses_done": False,
    }
    first = publish_event(amqp_uri, training_compliance.HOURS_UPDATED, hours)
    publish_event(amqp_uri, training_compliance.HOURS_UPDATED, hours, event_id=first.id)

    assert wait_handled(before, "duplicate", hours_type, 1) == 1
    assert handled("ok", hours_type) - before[("ok", hours_type)] == 1
    rows = db_rows(
        sqlite_url, "SELECT revision, hours_by_category FROM training_hours WHERE officer_id = :o", o=officer_id
    )
    assert len(rows) == 1 and rows[0]["revision"] == 3
    stored = rows[0]["hours_by_category"]
    assert (json.loads(stored) if isinstance(stored, str) else stored) == {"public_law": 12.5, "professional": 8.0}
    assert db_count(sqlite_url, "processed_events", "handler = 'personnel.on_hours_updated'") == 1


# --- poison messages go to the dead-letter queue, the service carries on -------------------------
def publish_poison(amqp_uri: str) -> tuple[dict, dict]:
    """Two messages personnel's hours handler must reject: not an envelope, and an envelope whose payload is invalid."""
    exchange, key = training_compliance.HOURS_UPDATED.exchange, training_compliance.HOURS_UPDATED.routing_key
    malformed = {"hello": "not an envelope"}
    publish_raw(amqp_uri, exchange, key, malformed)
    bad_payload = {
        "specversion": "1.0",
        "id": uuid.uuid4().hex,
        "source": "training",
        "type": "training.hours.updated",
        "time": "2025-01-01T00:00:00+00:00",
        "schemaversion": 1,
        "data": {
            "officer_id": "x",
            "agency_code": MARKET,
            "year": 1900,
            "revision": -1,
            "hours_by_category": {},
            "required_courses_done": "maybe",
        },
    }
    publish_raw(amqp_uri, exchange, key, bad_payload)
    return malformed, bad_payload


def test_poison_messages_are_dead_lettered_and_the_service_keeps_working(sqlite_url, amqp_uri, start_service, rpc):
    service = start_service("personnel", sqlite_url, amqp_uri)
    dlq = f"{HOURS_QUEUE}.dlq"
    purge(amqp_uri, dlq)
    exchange = training_compliance.HOURS_UPDATED.exchange
    malformed, bad_payload = publish_poison(amqp_uri)

    deadline = time.monotonic() + 15
    while queue_depth(amqp_uri, dlq) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert queue_depth(amqp_uri, dlq) == 2
    assert queue_depth(amqp_uri, HOURS_QUEUE) == 0  # rejected, not requeued in a loop
    labels = {"service": "personnel", "event_type": "training.hours.updated"}
    assert service.metric(HANDLED, outcome="invalid", **labels) == 2

    # the dead letters are the original messages, with where they came from
    with Connection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.default_channel
        letters = [channel.basic_get(dlq, no_ack=True) for _ in range(2)]
    assert [json.loads(m.body) for m in letters] == [malformed, bad_payload]
    death = letters[0].headers["x-death"][0]
    assert death["queue"] == HOURS_QUEUE and death["reason"] == "rejected" and death["exchange"] == exchange
    assert letters[0].delivery_info["exchange"] == DEAD_LETTER_EXCHANGE

    # still consuming, still answering, still ready
    officer_id = uuid.uuid4().hex
    publish_event(
        amqp_uri,
        training_compliance.HOURS_UPDATED,
        {
            "officer_id": officer_id,
            "agency_code": MARKET,
            "year": RUN_DATE.year,
            "revision": 1,
            "hours_by_category": {"public_law": 30.0},
            "required_courses_done": True,
        },
    )
    assert service.wait_metric(HANDLED, 1, outcome="ok", **labels) == 1
    assert db_count(sqlite_url, "training_hours", "officer_id = :o", o=officer_id) == 1
    assert rpc.personnel.echo("still here") == "still here"
    assert service.health("ready")[0] == 200
    assert service.running


# --- a stopped service: callers get a timeout, not a hang ------------------------------------------
def test_rpc_to_a_stopped_service_times_out(sqlite_url, amqp_uri, start_service, rpc_factory):
    from nameko.exceptions import RpcTimeout

    service = start_service("personnel", sqlite_url, amqp_uri)
    assert service.stop() == 0
    try:
        with rpc_factory(timeout=2) as cluster:
            started = time.monotonic()
            with pytest.raises(RpcTimeout):
                cluster.personnel.echo("anyone?")
            elapsed = time.monotonic() - started
        assert 1.5 <= elapsed < 3.5, f"timed out after {elapsed:.2f}s"
    finally:
        purge(amqp_uri, "rpc-personnel")  # nobody waits for that call any more


# --- restart ---------------------------------------------------------------------------------------
def test_restart_is_ready_again_with_nothing_left_pending(sqlite_url, amqp_uri, start_service, rpc, collect_events):
    events = collect_events("personnel", "officer.registered")
    service = start_service("personnel", sqlite_url, amqp_uri)
    first = rpc.personnel.register_officer(BUREAU, officer_payload(21))
    events.wait_for(1)

    assert service.stop() == 0
    status = None
    try:
        status, _ = service.health("ready")
    except OSError:
        pass  # nothing listens any more: that is the point
    assert status is None

    service.start()  # waits for /health/ready 200 and an RPC answer
    status, body = service.health("ready")
    assert status == 200 and body["checks"] == {"database": "ok", "broker": "ok", "outbox": "ok"}
    assert db_count(sqlite_url, "outbox_events", "status = 'pending'") == 0

    assert rpc.personnel.get_officer(BUREAU, first["officer_id"])["name"] == first["name"]
    second = rpc.personnel.register_officer(BUREAU, officer_payload(22))
    received = events.wait_for(2)
    assert [e["data"]["officer_id"] for e in events.collect_for(1.0)] == [first["officer_id"], second["officer_id"]]
    assert len({e["id"] for e in received}) == 2
    assert db_count(sqlite_url, "outbox_events", "status = 'pending'") == 0
