"""Shared by the replay and dead-letter tests (test_replay_and_dead_letters.py): the operators' commands, queues
looked at and emptied over plain AMQP, real database failures on demand, outbox rows written as a service would.
Not a test module.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from contextlib import contextmanager
from datetime import datetime

from enforcement_testing import BIN_DIR, REPO_ROOT, db_connection
from kombu import Connection


def tool(name: str, *args: str, amqp_uri: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(BIN_DIR / name), *args],
        env={"AMQP_URI": amqp_uri, "PATH": str(BIN_DIR)},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert done.returncode == 0, f"{name} {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def queue_depth(amqp_uri: str, name: str) -> int:
    with Connection(amqp_uri, connect_timeout=5) as conn:
        return conn.default_channel.queue_declare(queue=name, passive=True)[1]


def drain(amqp_uri: str, name: str) -> list:
    with Connection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.default_channel
        messages = []
        while (message := channel.basic_get(name, no_ack=True)) is not None:
            messages.append(message)
        return messages


def fail_inserts_for(database_url: str, marker: str) -> str:
    """A real database error for exam results of officers whose id starts with ``marker``; returns the trigger."""
    from sqlalchemy import text

    trigger = "fail_" + marker.strip("-")
    with db_connection(database_url) as conn:
        conn.execute(
            text(
                f"CREATE TRIGGER {trigger} BEFORE INSERT ON exam_results "
                f"WHEN NEW.officer_id LIKE '{marker}%' BEGIN SELECT RAISE(ABORT, 'exam store refused'); END"
            )
        )
        conn.commit()
    return trigger


def drop_trigger(database_url: str, trigger: str) -> None:
    from sqlalchemy import text

    with db_connection(database_url) as conn:
        conn.execute(text(f"DROP TRIGGER {trigger}"))
        conn.commit()


@contextmanager
def temporary_queue(amqp_uri: str, prefix: str):
    """A durable queue of its own (a subscriber's), deleted afterwards."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    with Connection(amqp_uri, connect_timeout=5) as conn:
        conn.default_channel.queue_declare(queue=name, durable=True, auto_delete=False)
    try:
        yield name
    finally:
        with Connection(amqp_uri, connect_timeout=5) as conn:
            conn.default_channel.queue_delete(name)


def insert_pending(database_url: str, envelope, routing_key: str) -> None:
    """A pending outbox row for ``envelope`` with its own routing key."""
    from sqlalchemy import text

    from enforcement_contracts.events import REGISTRY

    event_type = REGISTRY[envelope.type]
    with db_connection(database_url) as conn:
        conn.execute(
            text(
                "INSERT INTO outbox_events (event_id, event_type, exchange, routing_key, body, created_at, "
                "status, attempts, next_attempt_at) VALUES (:id, :type, :exchange, :key, :body, :now, "
                "'pending', 0, :now)"
            ),
            {
                "id": envelope.id,
                "type": event_type.type,
                "exchange": event_type.exchange,
                "key": routing_key,
                "body": json.dumps(envelope.to_dict()),
                "now": datetime.utcnow(),
            },
        )
        conn.commit()
