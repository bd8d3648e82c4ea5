"""Pure pieces of retries, dead letters, replay and history retention (no broker)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from enforcement_contracts.errors import ValidationFailed
from enforcement_kernel import dead_letters
from enforcement_kernel.handlers import (
    ATTEMPTS_HEADER,
    ERROR_HEADER,
    QUEUE_HEADER,
    failed_attempts,
    next_step,
    retry_delay,
)
from enforcement_kernel.outbox import check_processed_retention, prune_processed, prune_sent, retention_cutoff
from enforcement_kernel.replay import parse_request, parse_time, plan

QUEUE = "evt-training-exam.passed--personnel.on_exam_passed"


# --- attempts and delays -------------------------------------------------------------------------------
def test_attempts_are_counted_from_our_header_and_start_at_zero():
    assert failed_attempts(None) == 0
    assert failed_attempts({}) == 0
    assert failed_attempts({ATTEMPTS_HEADER: 2}) == 2
    assert failed_attempts({ATTEMPTS_HEADER: "3"}) == 3
    # RabbitMQ's own x-death counts (e.g. an operator's re-queue through the DLX) do not count as attempts
    assert failed_attempts({"x-death": [{"queue": QUEUE, "reason": "rejected", "count": 4}]}) == 0
    assert failed_attempts({ATTEMPTS_HEADER: "garbage"}) == 0
    assert failed_attempts({ATTEMPTS_HEADER: -5}) == 0


def test_the_delay_doubles_per_attempt_and_is_capped():
    assert [retry_delay(n, first=2, maximum=300) for n in range(1, 6)] == [2, 4, 8, 16, 32]
    assert retry_delay(20, first=2, maximum=300) == 300
    assert retry_delay(1, first=0.5, maximum=0.5) == retry_delay(4, first=0.5, maximum=0.5) == 0.5


def test_a_message_is_retried_until_the_last_attempt_then_dead_lettered():
    assert [next_step(n, 5) for n in range(1, 6)] == ["retry"] * 4 + ["dead-letter"]
    assert next_step(1, 1) == "dead-letter"
    assert next_step(7, 5) == "dead-letter"  # max_attempts lowered while messages waited


# --- dead letters --------------------------------------------------------------------------------------
def test_the_original_queue_comes_from_our_header_then_x_death_then_the_name():
    assert dead_letters.dead_letter_queue(QUEUE) == dead_letters.dead_letter_queue(QUEUE + ".dlq") == QUEUE + ".dlq"
    assert dead_letters.origin_queue(QUEUE + ".dlq", {QUEUE_HEADER: "other"}) == "other"
    assert (
        dead_letters.origin_queue(
            "sub.credit.dlq",
            {
                "x-death": [
                    {"queue": "sub.credit.retry", "reason": "expired"},
                    {"queue": "sub.credit", "reason": "rejected"},
                ]
            },
        )
        == "sub.credit"
    )
    assert dead_letters.origin_queue("sub.credit.dlq", None) == "sub.credit"


def test_a_requeued_message_gets_its_attempts_again_but_keeps_its_history():
    headers = {
        ATTEMPTS_HEADER: 5,
        QUEUE_HEADER: QUEUE,
        ERROR_HEADER: "OperationalError: x",
        "x-death": [{"count": 1}],
        "nameko.correlation_id": "abc",
    }
    assert dead_letters.requeue_headers(headers) == {"x-death": [{"count": 1}], "nameko.correlation_id": "abc"}


def test_a_dead_letter_is_described_with_reason_attempts_error_and_a_truncated_body():
    body = (
        '{"id": "e1", "type": "training.exam.passed", "time": "2026-11-27T08:00:00+00:00", "data": {"x": "'
        + "y" * 3000
        + '"}}'
    )
    info = dead_letters.describe(
        QUEUE + ".dlq",
        body.encode(),
        {"message_id": "e1"},
        {
            ATTEMPTS_HEADER: 5,
            QUEUE_HEADER: QUEUE,
            ERROR_HEADER: "OperationalError: locked",
            "x-death": [{"queue": QUEUE + ".retry", "reason": "expired", "time": datetime(2026, 11, 27, 8, 0)}],
        },
        body_limit=100,
    )
    assert (info["event_id"], info["type"], info["queue"], info["reason"], info["attempts"]) == (
        "e1",
        "training.exam.passed",
        QUEUE,
        "failed",
        5,
    )
    assert info["error"] == "OperationalError: locked"
    assert info["body"].startswith(body[:100]) and info["body"].endswith(f"({len(body)} characters)")
    assert info["headers"]["x-death"][0]["time"] == "2026-11-27T08:00:00"

    rejected = dead_letters.describe(
        QUEUE + ".dlq", b"not json", {}, {"x-death": [{"queue": QUEUE, "reason": "rejected"}]}
    )
    assert (rejected["event_id"], rejected["type"], rejected["reason"], rejected["body"]) == (
        None,
        None,
        "rejected",
        "not json",
    )


# --- replay requests -----------------------------------------------------------------------------------
def test_a_replay_request_is_normalised():
    request = parse_request(
        "personnel",
        " sub.credit ",
        "personnel.officer.registered, personnel.officer.departed",
        "2026-11-01T08:00:00+08:00",
        "2026-11-02",
    )
    assert request.queue == "sub.credit"
    assert request.event_types == ("personnel.officer.registered", "personnel.officer.departed")
    assert request.since == datetime(2026, 11, 1, 0, 0)  # UTC
    assert request.until == datetime(2026, 11, 2)
    assert parse_request("personnel", "q", ["personnel.officer.registered"] * 2, "2026-11-01").event_types == (
        "personnel.officer.registered",
    )


@pytest.mark.parametrize(
    "args, field",
    [
        (("", ["personnel.officer.registered"], "2026-11-01"), "queue"),
        (("q", [], "2026-11-01"), "event_types"),
        (("q", ["personnel.no.such"], "2026-11-01"), "event_types"),
        (("q", ["training.hours.updated"], "2026-11-01"), "event_types"),  # not personnel's to replay
        (("q", ["personnel.officer.registered"], "last week"), "since"),
        (("q", ["personnel.officer.registered"], None), "since"),
        (("q", ["personnel.officer.registered"], "2026-11-02", "2026-11-01"), "until"),
        (("q", ["personnel.officer.registered"], "2026-11-02", "soon"), "until"),
    ],
)
def test_a_bad_replay_request_names_the_field(args, field):
    with pytest.raises(ValidationFailed) as error:
        parse_request("personnel", *args)
    assert set(error.value.fields) == {field}


def test_the_replay_command_asks_each_producer_for_its_own_types():
    assert plan(["personnel.officer.registered", "training.hours.updated", "personnel.officer.departed"]) == {
        "personnel": ["personnel.officer.registered", "personnel.officer.departed"],
        "training": ["training.hours.updated"],
    }
    with pytest.raises(ValueError, match="unknown event type: cases.nope"):
        plan(["cases.nope"])


def test_times_without_an_offset_are_utc():
    assert parse_time("2026-11-01") == datetime(2026, 11, 1)
    assert parse_time("2026-11-01T10:00:00Z") == datetime(2026, 11, 1, 10)
    assert parse_time("2026-11-01T18:00:00+08:00") == datetime(2026, 11, 1, 10)


# --- history retention ---------------------------------------------------------------------------------
def test_retention_keeps_the_configured_days_and_zero_keeps_everything():
    now = datetime(2026, 11, 27, 12, 0)
    assert retention_cutoff(now, 400) == now - timedelta(days=400)
    assert retention_cutoff(now, 0) is None and retention_cutoff(now, None) is None


def test_pruning_deletes_only_old_sent_rows(tmp_path):
    from sqlalchemy import create_engine, func, select
    from sqlalchemy.orm import sessionmaker

    from enforcement_kernel.db import OutboxRow, kernel_metadata

    engine = create_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    kernel_metadata.create_all(engine)
    Session = sessionmaker(engine)
    old, recent = datetime(2025, 1, 1), datetime(2026, 11, 1)
    with Session() as session:
        for n, (created, status) in enumerate(
            [(old, "sent")] * 4 + [(old, "unrouted"), (old, "unroutable"), (old, "pending"), (recent, "sent")]
        ):
            session.add(
                OutboxRow(
                    event_id=f"e{n}",
                    event_type="personnel.officer.registered",
                    exchange="personnel.events",
                    routing_key="officer.registered",
                    body={},
                    created_at=created,
                    status=status,
                )
            )
        session.commit()
    assert prune_sent(Session, datetime(2026, 1, 1), batch=2) == 5  # several batches
    with Session() as session:
        left = session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all()
    assert dict(left) == {"sent": 1, "unroutable": 1, "pending": 1}
    engine.dispose()


def test_an_unroutable_row_is_retried_for_a_day_then_kept_only_as_history():
    from enforcement_kernel.outbox import unroutable_status

    created = datetime(2026, 11, 1, 8, 0)
    assert unroutable_status(created, created + timedelta(hours=23, minutes=59), 86400) == "unroutable"
    assert unroutable_status(created, created + timedelta(hours=24), 86400) == "unrouted"
    assert unroutable_status(created, created, 0) == "unrouted"  # 0: never wait for a subscriber


def test_processed_ids_are_forgotten_only_after_the_producers_history(tmp_path):
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import sessionmaker

    from enforcement_kernel.db import ProcessedEvent, kernel_metadata

    engine = create_engine(f"sqlite:///{tmp_path / 'processed.db'}")
    kernel_metadata.create_all(engine)
    Session = sessionmaker(engine)
    old, recent = datetime(2025, 1, 1), datetime(2026, 11, 1)
    with Session() as session:
        for n in range(5):  # the same event id under two handlers is two rows
            for handler in ("supervision.on_measured", "supervision.on_missed"):
                session.add(ProcessedEvent(handler=handler, event_id=f"e{n}", processed_at=old if n < 4 else recent))
        session.commit()
    assert prune_processed(Session, datetime(2026, 1, 1), batch=3) == 8  # several batches
    with Session() as session:
        left = session.execute(select(ProcessedEvent.handler, ProcessedEvent.event_id)).all()
    assert sorted(left) == [("supervision.on_measured", "e4"), ("supervision.on_missed", "e4")]
    engine.dispose()


@pytest.mark.parametrize("processed, sent", [(400, 400), (300, 400), (430, 0)])
def test_a_processed_retention_not_beyond_the_history_refuses_to_start(processed, sent):
    with pytest.raises(ValueError, match="HANDLERS.keep_processed_days"):
        check_processed_retention(processed, sent)


@pytest.mark.parametrize("processed, sent", [(430, 400), (0, 400), (0, 0)])
def test_a_processed_retention_beyond_the_history_or_for_ever_is_accepted(processed, sent):
    assert check_processed_retention(processed, sent) is None
