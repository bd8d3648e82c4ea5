"""The two example subscribers in examples/: the plain kombu one (dedupe, dead letters) and the plugin package the
runner picks up."""

from __future__ import annotations

import os
import subprocess

import pytest
from enforcement_testing import BIN_DIR, REPO_ROOT, wait_until
from kombu import Connection, Exchange, Producer
from subscriber_support import add, hours_updated, management_api, subscriber_uri, unique

KOMBU_EXAMPLE = REPO_ROOT / "examples" / "kombu_subscriber" / "subscriber.py"


@pytest.fixture(scope="module")
def management(amqp_uri):
    yield from management_api(amqp_uri)


def _publish_three_a_duplicate_and_two_bad(amqp_uri: str) -> list:
    """Three hours.updated events, the second twice (a redelivery or a replay), one with an invalid payload and one
    that is not JSON; returns the three good envelopes."""
    events = [hours_updated(seq) for seq in range(3)]
    broken_payload = hours_updated(99).to_dict()
    del broken_payload["data"]["year"]
    exchange = Exchange("training.events", type="topic", durable=True)
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        producer = Producer(conn.channel(), exchange=exchange, routing_key="hours.updated")
        for envelope in events + [events[1]]:
            producer.publish(envelope.to_dict(), serializer="json", delivery_mode=2, message_id=envelope.id)
        producer.publish(broken_payload, serializer="json", delivery_mode=2)
        producer.publish(b"{not json", content_type="application/json", content_encoding="utf-8", delivery_mode=2)
    return events


def test_kombu_example_processes_events_skips_a_duplicate_and_dead_letters_bad_ones(management, amqp_uri, tmp_path):
    created = add(management, unique("kombu"), ["training.hours.updated"])
    events = _publish_three_a_duplicate_and_two_bad(amqp_uri)
    store = tmp_path / "subscriber.sqlite3"

    def run_example():
        done = subprocess.run(
            [
                str(BIN_DIR / "python"),
                str(KOMBU_EXAMPLE),
                "--queue",
                created["queue"],
                "--store",
                str(store),
                "--idle-exit",
                "2",
            ],
            capture_output=True,
            text=True,
            timeout=90,
            env={**os.environ, "AMQP_URI": subscriber_uri(amqp_uri, created)},
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stderr  # logging goes to stderr

    log = run_example()
    import sqlite3

    with sqlite3.connect(store) as db:
        stored = [row[0] for row in db.execute("SELECT id FROM events ORDER BY id")]
    assert stored == sorted(e.id for e in events)
    assert f"duplicate training.hours.updated {events[1].id} skipped" in log
    assert log.count("rejected to the dead-letter queue") == 2 and "invalid training.hours.updated payload" in log
    wait_until(
        lambda: (management.queue(created["dead_letter_queue"]) or {}).get("messages") == 2,
        timeout=15,
        message="2 dead letters",
    )
    # the management API's queue figures are sampled (every 5 s by default): wait for them rather than read once
    wait_until(
        lambda: (management.queue(created["queue"]) or {}).get("messages") == 0,
        timeout=15,
        message="the subscriber's queue empty",
    )
    # a restart sees nothing new and keeps what it has
    assert "processed" not in run_example()
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 3


def test_plugin_example_runs_under_the_runner_and_counts_each_event_once(amqp_uri, start_service, sqlite_url, rpc):
    from importlib.metadata import entry_points

    from enforcement_testing import publish_event

    from enforcement_contracts import personnel

    assert "certificate_counter" in {ep.name for ep in entry_points(group="enforcement.services")}, (
        "install examples/plugin_subscriber (scripts/setup does)"
    )
    counter = start_service("certificate_counter", sqlite_url, amqp_uri)  # enforcement-migrate, -seed, enforcement-run

    def issued(number: str, agency: str) -> dict:
        return {
            "certificate_number": number,
            "officer_id": f"officer-{number}",
            "agency_code": agency,
            "domains": ["market"],
            "issued_on": "2026-11-27",
            "expires_on": "2031-11-26",
        }

    first = publish_event(amqp_uri, personnel.CERTIFICATE_ISSUED, issued("A1", "140928001"))
    publish_event(amqp_uri, personnel.CERTIFICATE_ISSUED, issued("A1", "140928001"), event_id=first.id)  # redelivery
    publish_event(amqp_uri, personnel.CERTIFICATE_ISSUED, issued("A2", "140928001"))
    publish_event(amqp_uri, personnel.CERTIFICATE_ISSUED, issued("B1", "140928002"))
    handled = {"service": "certificate_counter", "event_type": "personnel.certificate.issued"}
    assert counter.wait_metric("enforcement_events_handled_total", 3, outcome="ok", **handled) == 3
    assert counter.wait_metric("enforcement_events_handled_total", 1, outcome="duplicate", **handled) == 1
    assert rpc.certificate_counter.counts() == {"140928001": 2, "140928002": 1}
