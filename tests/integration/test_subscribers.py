"""Onboarding outside subscribers: user, queue, bindings and dead-letter queue through the real RabbitMQ management
API, read-only rights enforced by RabbitMQ itself, the command (the definitions export: test_subscriber_definitions.py;
the bureau's gateway routes: test_subscribers_over_http.py; the examples: test_subscriber_examples.py)."""

from __future__ import annotations

import os
import re
import subprocess
import time

import pytest
from amqp.exceptions import AccessRefused
from enforcement_testing import BIN_DIR, wait_until
from kombu import Connection, Exchange, Producer, Queue
from subscriber_support import add, hours_updated, management_api, subscriber_uri, unique

from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_contracts.events import Envelope
from enforcement_contracts.training import compliance as training_compliance
from enforcement_kernel import rabbitmq_management as mgmt
from enforcement_kernel import subscribers as subs


@pytest.fixture(scope="module")
def management(amqp_uri):
    yield from management_api(amqp_uri)


def test_unknown_event_type_is_refused_by_name_and_nothing_is_created(management, amqp_uri):
    name = unique("typo")
    with pytest.raises(ValidationFailed) as refused:
        subs.add_subscriber(management, name, ["personnel.certificate.issued", "personnel.certificate.isued"])
    assert refused.value.fields == {"events": ["unknown event type: personnel.certificate.isued"]}
    with pytest.raises(ValidationFailed) as bad_name:
        subs.add_subscriber(management, "Credit System", ["personnel.certificate.issued"])
    assert "name" in bad_name.value.fields
    # the command says the same and exits non-zero
    done = subprocess.run(
        [
            str(BIN_DIR / "enforcement-subscribers"),
            "--vhost",
            mgmt.vhost_of(amqp_uri),
            "add",
            name,
            "--events",
            "training.hours.updatd",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "unknown event type: training.hours.updatd" in done.stderr
    assert management.queue(f"sub.{name}") is None and management.user(f"sub-{name}") is None


def test_offline_subscriber_receives_all_1000_events_when_it_connects(management, amqp_uri):
    created = add(management, unique("credit"), ["training.hours.updated", "personnel.certificate.issued"])
    assert created["queue"] == f"sub.{created['name']}" and len(created["password"]) >= 24
    with pytest.raises(Conflict):
        subs.add_subscriber(management, created["name"], ["training.hours.updated"])

    # 1,000 events published (confirmed, mandatory) while nobody consumes the subscriber's queue
    published = []
    exchange = Exchange(training_compliance.HOURS_UPDATED.exchange, type="topic", durable=True)
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        producer = Producer(conn.channel())
        for seq in range(1000):
            envelope = hours_updated(seq)
            producer.publish(
                envelope.to_dict(),
                exchange=exchange,
                routing_key=training_compliance.HOURS_UPDATED.routing_key,
                serializer="json",
                delivery_mode=2,
                mandatory=True,
                message_id=envelope.id,
            )
            published.append(envelope.id)
    wait_until(
        lambda: (management.queue(created["queue"]) or {}).get("messages") == 1000,
        timeout=30,
        message="1000 messages waiting in the subscriber queue",
    )

    received = []
    with Connection(subscriber_uri(amqp_uri, created)) as conn:
        queue = Queue(created["queue"], channel=conn.channel(), no_declare=True)
        deadline = time.monotonic() + 60
        while len(received) < 1000 and time.monotonic() < deadline:
            message = queue.get(accept=["json"])
            if message is None:
                time.sleep(0.05)
                continue
            received.append(Envelope.from_dict(message.payload).id)
            message.ack()
    assert sorted(received) == sorted(published)
    assert len(set(received)) == 1000


def test_subscriber_user_is_refused_publishing_binding_and_declaring(management, amqp_uri):
    created = add(management, unique("hotline"), ["personnel.certificate.issued"])
    assert management.request("GET", f"/api/permissions/{mgmt.quote(management.vhost)}/{created['user']}") == {
        "user": created["user"],
        "vhost": management.vhost,
        "configure": "^$",
        "write": "^$",
        "read": "^" + re.escape(created["queue"]) + r"(\.dlq)?$",
    }
    uri = subscriber_uri(amqp_uri, created)
    forged = hours_updated(1).to_dict()
    with Connection(uri, transport_options={"confirm_publish": True}) as conn:
        with pytest.raises(AccessRefused, match="ACCESS_REFUSED.*training.events"):
            Producer(conn.channel()).publish(
                forged, exchange="training.events", routing_key="hours.updated", serializer="json"
            )
    with Connection(uri) as conn:
        with pytest.raises(AccessRefused):
            conn.channel().queue_bind(created["queue"], "training.events", routing_key="#")
    with Connection(uri) as conn:
        with pytest.raises(AccessRefused):
            conn.channel().queue_declare(f"sub.{created['name']}-more", durable=True)
    # nor into a service's RPC queue through the default exchange
    with Connection(uri, transport_options={"confirm_publish": True}) as conn:
        with pytest.raises(AccessRefused):
            Producer(conn.channel()).publish({"x": 1}, exchange="", routing_key="rpc-personnel")
    # it may consume its own queue (passive declare needs no rights) and nobody else's
    with Connection(uri) as conn:
        assert conn.channel().queue_declare(created["queue"], passive=True).queue == created["queue"]
    other = add(management, unique("other"), ["personnel.certificate.issued"])
    with Connection(uri) as conn:
        with pytest.raises(AccessRefused):
            conn.channel().basic_get(other["queue"])


def test_command_adds_lists_and_removes_a_subscriber(management, amqp_uri):
    name = unique("credit")
    management.made.append(f"sub-{name}")
    env = {**os.environ, "RABBITMQ_VHOST": management.vhost}
    tool = str(BIN_DIR / "enforcement-subscribers")

    def run(*args):
        done = subprocess.run([tool, *args], capture_output=True, text=True, timeout=60, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout

    out = run("add", name, "--events", "personnel.certificate.issued,cases.decision.published")
    password = next(line.split()[1] for line in out.splitlines() if line.strip().startswith("password:"))
    with Connection(subscriber_uri(amqp_uri, {"user": f"sub-{name}", "password": password})) as conn:
        conn.connect()
    listed = {row["name"]: row for row in subs.list_subscribers(management)}
    assert listed[name]["events"] == ["cases.decision.published", "personnel.certificate.issued"]
    assert name in run("list")
    bindings = {(b["source"], b["routing_key"]) for b in management.queue_bindings(f"sub.{name}")}
    assert {("personnel.events", "certificate.issued"), ("cases.events", "decision.published")} <= bindings
    dlq_bindings = {(b["source"], b["routing_key"]) for b in management.queue_bindings(f"sub.{name}.dlq")}
    assert (subs.DEAD_LETTER_EXCHANGE, f"sub.{name}") in dlq_bindings
    run("remove", name)
    assert management.queue(f"sub.{name}") is None and management.queue(f"sub.{name}.dlq") is None
    assert management.user(f"sub-{name}") is None
