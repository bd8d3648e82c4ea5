"""The subscribers as a RabbitMQ definitions file: exported from a live broker or offline, loaded into a fresh vhost
by the real RabbitMQ, and the committed deploy/rabbitmq/definitions.json kept current."""

from __future__ import annotations

import base64
import json
import os
import subprocess

import pytest
from enforcement_testing import BIN_DIR, wait_until
from kombu import Connection, Producer
from subscriber_support import DEFINITIONS_FILE, add, fresh_vhost_api, management_api, subscriber_uri, unique

from enforcement_kernel import subscriber_definitions as defs
from enforcement_kernel import subscribers as subs


@pytest.fixture(scope="module")
def management(amqp_uri):
    yield from management_api(amqp_uri)


@pytest.fixture
def fresh_vhost(management):
    yield from fresh_vhost_api(management)


def test_exported_definitions_load_into_a_fresh_vhost(management, amqp_uri, fresh_vhost, tmp_path):
    created = add(management, unique("province"), ["personnel.certificate.issued", "training.exam.passed"])
    out = tmp_path / "definitions.json"
    done = subprocess.run(
        [str(BIN_DIR / "enforcement-subscribers"), "--vhost", management.vhost, "export-definitions", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text())
    # into another vhost: the same file with the vhost renamed, imported node-wide (users and permissions too)
    text = json.dumps(document).replace(json.dumps(management.vhost), json.dumps(fresh_vhost.vhost))
    fresh_vhost.request("POST", "/api/definitions", json.loads(text))
    queue = fresh_vhost.queue(created["queue"])
    assert queue["durable"] and queue["arguments"] == {
        "x-dead-letter-exchange": subs.DEAD_LETTER_EXCHANGE,
        "x-dead-letter-routing-key": created["queue"],
    }
    assert fresh_vhost.queue(created["dead_letter_queue"]) is not None
    bindings = {(b["source"], b["routing_key"]) for b in fresh_vhost.queue_bindings(created["queue"])}
    assert {("personnel.events", "certificate.issued"), ("training.events", "exam.passed")} <= bindings
    # the exported hash is the live one: the subscriber logs in to the new vhost with its password
    vhost_uri = amqp_uri.rsplit("/", 1)[0] + "/" + fresh_vhost.vhost
    with Connection(subscriber_uri(vhost_uri, created)) as conn:
        assert conn.channel().queue_declare(created["queue"], passive=True).message_count == 0


def test_offline_export_with_a_services_account_loads_node_wide_and_its_password_works(
    management, amqp_uri, fresh_vhost, tmp_path
):
    """What county IT does for a new broker: export without a broker, load at boot, log in."""
    service_user, name = unique("enf-test-suite"), unique("offline")
    management.made.extend([service_user, f"sub-{name}"])
    out = tmp_path / "definitions.json"
    done = subprocess.run(
        [
            str(BIN_DIR / "enforcement-subscribers"),
            "--vhost",
            fresh_vhost.vhost,
            "export-definitions",
            "--offline",
            "--subscriber",
            f"{name}=personnel.certificate.issued",
            "--service-user",
            service_user,
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "RABBITMQ_SERVICE_PASSWORD": "suite-secret-1"},
    )
    assert done.returncode == 0, done.stderr
    fresh_vhost.request("POST", "/api/definitions", json.loads(out.read_text()))
    vhost_uri = amqp_uri.rsplit("@", 1)[1].rsplit("/", 1)[0] + "/" + fresh_vhost.vhost
    with Connection(
        f"amqp://{service_user}:suite-secret-1@{vhost_uri}", transport_options={"confirm_publish": True}
    ) as conn:
        Producer(conn.channel()).publish(
            {"x": 1}, exchange="personnel.events", routing_key="certificate.issued", mandatory=True
        )  # routed: sub.<name> is bound
    assert wait_until(
        lambda: (fresh_vhost.queue(f"sub.{name}") or {}).get("messages") == 1,
        timeout=15,
        message="the message reached the subscriber queue",
    )
    # the subscriber has no password until an operator sets one
    with pytest.raises(Exception, match="ACCESS_REFUSED|403|auth"):
        with Connection(f"amqp://sub-{name}:@{vhost_uri}", connect_timeout=5) as conn:
            conn.connect()


def test_committed_definitions_file_is_current_and_loads(fresh_vhost):
    """deploy/rabbitmq/definitions.json is what the offline export writes, and RabbitMQ accepts it."""
    committed = json.loads(DEFINITIONS_FILE.read_text())
    services_user = next(u for u in committed["users"] if not u["name"].startswith(subs.USER_PREFIX))
    expected = defs.definitions(
        "/",
        [subs.subscriber_topology("example", ["personnel.certificate.issued"])],
        [defs.DefinitionUser(services_user["name"], services_user["password_hash"], tags="administrator")],
    )
    assert committed == expected, (
        "deploy/rabbitmq/definitions.json is stale: regenerate it as deploy/SUBSCRIBERS.md says"
    )
    # a vhost-scoped import (queues, exchanges, bindings) into a fresh vhost
    fresh_vhost.load_definitions({k: v for k, v in committed.items() if k in ("exchanges", "queues", "bindings")})
    assert fresh_vhost.queue("sub.example") is not None and fresh_vhost.queue("sub.example.dlq") is not None
    assert ("personnel.events", "certificate.issued") in {
        (b["source"], b["routing_key"]) for b in fresh_vhost.queue_bindings("sub.example")
    }
    assert (
        defs.password_hash("guest", salt=base64.b64decode(services_user["password_hash"])[:4])
        == services_user["password_hash"]
    ), "the committed services account is guest/guest (dev default)"
