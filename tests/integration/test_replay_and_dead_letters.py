"""Replay from the producer's history, retries with a delay, dead letters and the command that re-queues them.

One real personnel process (SQLite) for the whole module, configured with 3 attempts 1.5 s apart and 2 s of
re-publishing for an event no queue is bound for. Handler
failures are real database errors: the test installs a SQLite trigger that aborts inserts into
``exam_results`` for officer ids with a marker, and "fixes the cause" by dropping it.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timezone

import pytest
from enforcement_testing import (
    BUREAU,
    RUN_DATE,
    EventCollector,
    ServiceProcess,
    db_count,
    db_rows,
    publish_event,
    valid_id_number,
    wait_until,
)
from kombu import Connection
from replay_support import (
    drain,
    drop_trigger,
    fail_inserts_for,
    insert_pending,
    queue_depth,
    temporary_queue,
    tool,
)

from enforcement_contracts.errors import ValidationFailed
from enforcement_contracts.training import exams as training_exams
from enforcement_kernel.handlers import ATTEMPTS_HEADER, retry_queue_name
from enforcement_kernel.replay import REPLAY_HEADER

pytestmark = pytest.mark.timeout(180)

MARKET = "140928-scjgj"
MAX_ATTEMPTS = 3
EXAM_QUEUE = f"evt-training-{training_exams.EXAM_PASSED.routing_key}--personnel.on_exam_passed"
EXAM_DLQ = f"{EXAM_QUEUE}.dlq"
HANDLED = "enforcement_events_handled_total"
EXAM_LABELS = {"service": "personnel", "event_type": "training.exam.passed"}
DLQ_GAUGE = "enforcement_dead_letter_messages"
UNROUTABLE_RETRY = 2  # seconds the relay keeps re-publishing an event no queue is bound for


@pytest.fixture(scope="module")
def personnel(amqp_uri, tmp_path_factory):
    """The personnel service with few, short retries and a fast dead-letter gauge."""
    from personnel_service.plugin import PLUGIN

    folder = tmp_path_factory.mktemp("replay-dlq")
    config = folder / "personnel.yml"
    packaged = open(PLUGIN.config_path, encoding="utf-8").read()
    assert "\nOUTBOX:\n" in packaged
    config.write_text(
        packaged.replace("\nOUTBOX:\n", f"\nOUTBOX:\n  unroutable_retry_seconds: {UNROUTABLE_RETRY}\n")
        + f"\nHANDLERS:\n  max_attempts: {MAX_ATTEMPTS}\n  retry_delay_seconds: 1.5\n"
        "  retry_delay_max_seconds: 1.5\n  dead_letter_poll_seconds: 0.5\n",
        encoding="utf-8",
    )
    service = ServiceProcess(
        "personnel",
        f"sqlite:///{folder / 'personnel.db'}",
        amqp_uri,
        folder / "personnel.log",
        extra_env={"CONFIG": str(config)},
    )
    service.prepare()
    service.start()
    with Connection(amqp_uri, connect_timeout=5) as conn:
        conn.default_channel.queue_purge(EXAM_DLQ)  # what other modules' tests left in this run's vhost
    yield service
    service.stop()


def exam_passed(amqp_uri: str, officer_id: str):
    return publish_event(
        amqp_uri,
        training_exams.EXAM_PASSED,
        {
            "result_id": uuid.uuid4().hex,
            "officer_id": officer_id,
            "agency_code": MARKET,
            "exam_kind": "qualification",
            "score": 80.0,
            "pass_mark": 60.0,
            "sat_on": RUN_DATE,
        },
    )


def register(rpc, name: str, seq: int) -> dict:
    return rpc.personnel.register_officer(
        BUREAU,
        {"agency_code": MARKET, "name": name, "id_number": valid_id_number(seq), "domains": ["market_supervision"]},
    )


# --- replay ------------------------------------------------------------------------------------------
def test_replay_delivers_the_original_events_of_the_requested_types_and_window_to_one_queue(personnel, amqp_uri, rpc):
    live = EventCollector(amqp_uri, "personnel", ["officer.registered", "officer.updated"])
    try:
        start = datetime.now(timezone.utc)
        first = register(rpc, "重放甲", 401)
        live.wait_for(1)
        middle = datetime.now(timezone.utc)
        later = [register(rpc, f"重放{n}", 402 + n) for n in range(2)]
        rpc.personnel.update_officer(BUREAU, later[0]["officer_id"], {"position": "科员"})
        originals = live.wait_for(4)
    finally:
        live.close()
    registered = {e["data"]["officer_id"]: e for e in originals if e["type"] == "personnel.officer.registered"}
    assert set(registered) == {first["officer_id"], *(o["officer_id"] for o in later)}
    # the relay marks a row sent only after the confirm: wait for that before asking for the history
    unsent = "status != 'sent' AND event_type LIKE 'personnel.officer.%'"
    wait_until(lambda: db_count(personnel.database_url, "outbox_events", unsent) == 0, message="outbox sent")

    with temporary_queue(amqp_uri, "replay-test") as fresh:
        done = tool(
            "enforcement-replay",
            "--queue",
            fresh,
            "--types",
            "personnel.officer.registered",
            "--since",
            middle.isoformat(),
            amqp_uri=amqp_uri,
        )
        assert "personnel: 2 events" in done.stdout
        replayed = drain(amqp_uri, fresh)
        expected = [registered[o["officer_id"]] for o in later]
        assert [json.loads(m.body) for m in replayed] == expected  # same ids and envelopes, in creation order
        assert [m.properties["message_id"] for m in replayed] == [e["id"] for e in expected]
        assert all(m.headers.get(REPLAY_HEADER) is True for m in replayed)

        # an explicit window over the RPC: only the first registration is before ``middle``
        assert (
            rpc.personnel.replay_events(fresh, ["personnel.officer.registered"], start.isoformat(), middle.isoformat())
            == 1
        )
        [only] = drain(amqp_uri, fresh)
        assert json.loads(only.body) == registered[first["officer_id"]]
    refuses_bad_requests(rpc, amqp_uri, fresh, start)


def refuses_bad_requests(rpc, amqp_uri: str, fresh: str, start: datetime) -> None:
    """Unknown types, a queue that does not exist (any more), a time that is not one: refused, over RPC and by the
    command."""
    with pytest.raises(ValidationFailed) as unknown:
        rpc.personnel.replay_events(
            "whatever", ["personnel.officer.vanished", "training.hours.updated"], start.isoformat()
        )
    assert set(unknown.value.fields) == {"event_types"}
    with pytest.raises(ValidationFailed) as missing:
        rpc.personnel.replay_events(fresh, ["personnel.officer.registered"], start.isoformat())
    assert set(missing.value.fields) == {"queue"}
    with pytest.raises(ValidationFailed) as times:
        rpc.personnel.replay_events(fresh, ["personnel.officer.registered"], "yesterday")
    assert set(times.value.fields) == {"since"}
    refused = tool(
        "enforcement-replay",
        "--queue",
        fresh,
        "--types",
        "cases.nothing.like.this",
        "--since",
        "2026-01-01",
        amqp_uri=amqp_uri,
        check=False,
    )
    assert refused.returncode != 0 and "unknown event type: cases.nothing.like.this" in refused.stderr


def test_an_event_nobody_subscribes_to_is_given_up_after_the_retry_window_and_still_replayable(personnel, amqp_uri):
    """The relay stops re-publishing an unroutable event after OUTBOX.unroutable_retry_seconds; the row stays in the
    history as ``unrouted`` and a subscriber that comes later gets it by replay, with its original id."""

    from enforcement_contracts import personnel as contract
    from enforcement_contracts.event_examples import example_data
    from enforcement_contracts.events import Envelope

    event_type = contract.ASSESSMENT_RECORDED
    envelope = Envelope(
        type=event_type.type,
        source=event_type.source,
        data=event_type.dump(example_data(event_type)),
        schemaversion=event_type.version,
        subject="unbound",
    )
    unbound_key = f"{event_type.routing_key}.unbound-{uuid.uuid4().hex[:8]}"  # no queue is bound to this key
    since = datetime.now(timezone.utc)
    insert_pending(personnel.database_url, envelope, unbound_key)  # as if the service had emitted it
    final = "event_id = :id AND status = 'unrouted'"
    wait_until(
        lambda: db_count(personnel.database_url, "outbox_events", final, id=envelope.id) == 1,
        timeout=30,
        message="the relay gave up on the unroutable event",
    )
    attempts_sql = "SELECT attempts FROM outbox_events WHERE event_id = :id"
    [row] = db_rows(personnel.database_url, attempts_sql, id=envelope.id)
    attempts = row["attempts"]
    assert attempts >= 2  # it was retried before being given up
    time.sleep(3)  # longer than its last back-off: a given-up row is not published again
    assert db_rows(personnel.database_url, attempts_sql, id=envelope.id) == [{"attempts": attempts}]

    with temporary_queue(amqp_uri, "late-subscriber") as late:
        tool(
            "enforcement-replay",
            "--queue",
            late,
            "--types",
            event_type.type,
            "--since",
            since.isoformat(),
            amqp_uri=amqp_uri,
        )
        replayed = [json.loads(m.body) for m in drain(amqp_uri, late)]
        assert [e["id"] for e in replayed] == [envelope.id]


# --- retries and dead letters -------------------------------------------------------------------------
def test_a_transient_failure_is_retried_after_a_delay_and_applied_once(personnel, amqp_uri):
    trigger = fail_inserts_for(personnel.database_url, "flaky-")
    errors, ok = (
        personnel.metric(HANDLED, outcome="error", **EXAM_LABELS),
        personnel.metric(HANDLED, outcome="ok", **EXAM_LABELS),
    )
    officer_id = f"flaky-{uuid.uuid4().hex[:8]}"
    event = exam_passed(amqp_uri, officer_id)

    wait_until(
        lambda: personnel.metric(HANDLED, outcome="error", **EXAM_LABELS) >= errors + 1, message="first attempt failed"
    )
    drop_trigger(personnel.database_url, trigger)  # the cause goes away while the message waits 1.5 s
    assert queue_depth(amqp_uri, retry_queue_name(EXAM_QUEUE)) == 1  # parked, not looping

    assert personnel.wait_metric(HANDLED, ok + 1, outcome="ok", **EXAM_LABELS) == ok + 1
    assert personnel.metric(HANDLED, outcome="error", **EXAM_LABELS) == errors + 1
    assert db_count(personnel.database_url, "exam_results", "officer_id = :o", o=officer_id) == 1
    assert db_count(personnel.database_url, "processed_events", "event_id = :e", e=event.id) == 1
    assert queue_depth(amqp_uri, EXAM_DLQ) == 0


def dead_letter_again(amqp_uri: str, event) -> None:
    """Put ``event`` in the exam queue's dead-letter queue again, as if it had used up its attempts once more."""
    from kombu import Producer

    with Connection(amqp_uri, connect_timeout=5) as conn:
        Producer(conn.default_channel).publish(
            event.to_dict(),
            exchange="",
            routing_key=EXAM_DLQ,
            serializer="json",
            message_id=event.id,
            headers={ATTEMPTS_HEADER: MAX_ATTEMPTS},
        )


def test_a_poison_message_is_dead_lettered_after_the_attempts_then_requeued_and_applied_once(personnel, amqp_uri):
    trigger = fail_inserts_for(personnel.database_url, "poison-")
    errors, ok = (
        personnel.metric(HANDLED, outcome="error", **EXAM_LABELS),
        personnel.metric(HANDLED, outcome="ok", **EXAM_LABELS),
    )
    officer_id = f"poison-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    event = exam_passed(amqp_uri, officer_id)

    wait_until(lambda: queue_depth(amqp_uri, EXAM_DLQ) == 1, timeout=30, message="dead-lettered")
    assert time.monotonic() - started >= (MAX_ATTEMPTS - 1) * 1.5 - 0.2  # waited between attempts: no hot loop
    assert personnel.metric(HANDLED, outcome="error", **EXAM_LABELS) == errors + MAX_ATTEMPTS
    assert queue_depth(amqp_uri, EXAM_QUEUE) == 0 and queue_depth(amqp_uri, retry_queue_name(EXAM_QUEUE)) == 0
    assert wait_until(
        lambda: personnel.metric(DLQ_GAUGE, service="personnel", queue=EXAM_DLQ) == 1, message="dead-letter gauge"
    )

    listed = json.loads(tool("enforcement-dead-letters", "list", "--json", amqp_uri=amqp_uri).stdout)
    assert {"queue": EXAM_DLQ, "messages": 1} in listed
    [shown] = json.loads(
        tool("enforcement-dead-letters", "show", "--queue", EXAM_QUEUE, "--json", amqp_uri=amqp_uri).stdout
    )
    assert shown["event_id"] == event.id and shown["type"] == "training.exam.passed"
    assert shown["queue"] == EXAM_QUEUE and shown["reason"] == "failed" and shown["attempts"] == MAX_ATTEMPTS
    assert "exam store refused" in shown["error"]
    assert json.loads(shown["body"]) == event.to_dict()
    assert queue_depth(amqp_uri, EXAM_DLQ) == 1  # showing takes nothing away

    drop_trigger(personnel.database_url, trigger)  # the cause is fixed
    done = tool("enforcement-dead-letters", "requeue", "--queue", EXAM_DLQ, "--id", event.id, amqp_uri=amqp_uri)
    assert f"re-queued 1: {event.id}" in done.stdout
    assert personnel.wait_metric(HANDLED, ok + 1, outcome="ok", **EXAM_LABELS) == ok + 1
    assert db_count(personnel.database_url, "exam_results", "officer_id = :o", o=officer_id) == 1
    assert queue_depth(amqp_uri, EXAM_DLQ) == 0
    wait_until(lambda: personnel.metric(DLQ_GAUGE, service="personnel", queue=EXAM_DLQ) == 0, message="gauge back to 0")
    assert personnel.metric(HANDLED, outcome="error", **EXAM_LABELS) == errors + MAX_ATTEMPTS

    # the same event re-queued once more (say, by mistake) changes nothing
    duplicates = personnel.metric(HANDLED, outcome="duplicate", **EXAM_LABELS)
    dead_letter_again(amqp_uri, event)
    tool("enforcement-dead-letters", "requeue", "--queue", EXAM_DLQ, "--all", amqp_uri=amqp_uri)
    assert personnel.wait_metric(HANDLED, duplicates + 1, outcome="duplicate", **EXAM_LABELS) == duplicates + 1
    assert db_count(personnel.database_url, "exam_results", "officer_id = :o", o=officer_id) == 1
