"""Onboarding outside subscribers: user, queue, bindings and dead-letter queue through the real
RabbitMQ management API, read-only rights enforced by RabbitMQ itself, the definitions export, and
the bureau's gateway routes over real HTTP."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
from amqp.exceptions import AccessRefused
from enforcement_testing import BIN_DIR, REPO_ROOT, free_port, wait_until
from kombu import Connection, Exchange, Producer, Queue

from enforcement_contracts import training
from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_contracts.events import Envelope
from enforcement_kernel import rabbitmq_management as mgmt
from enforcement_kernel import subscriber_definitions as defs
from enforcement_kernel import subscribers as subs

DEFINITIONS_FILE = REPO_ROOT / "deploy" / "rabbitmq" / "definitions.json"


def hours_updated(seq: int) -> Envelope:
    data = training.HOURS_UPDATED.dump(
        {
            "officer_id": f"officer-{seq}",
            "agency_code": "140928001",
            "year": 2026,
            "revision": seq,
            "hours_by_category": {"public_law": 12.0},
            "required_courses_done": True,
        }
    )
    return Envelope(
        type=training.HOURS_UPDATED.type,
        source="training",
        data=data,
        schemaversion=training.HOURS_UPDATED.version,
        subject=f"officer-{seq}",
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def subscriber_uri(amqp_uri: str, created: dict) -> str:
    host_and_vhost = amqp_uri.split("@", 1)[1]
    return f"amqp://{created['user']}:{created['password']}@{host_and_vhost}"


@pytest.fixture(scope="module")
def management(amqp_uri):
    """The management API for this run's vhost; deletes the subscriber users the tests made (users are
    global to the node, unlike queues, which go with the vhost)."""
    api = mgmt.ManagementApi(mgmt.ManagementSettings.from_env(vhost=mgmt.vhost_of(amqp_uri)))
    made: list[str] = []
    api.made = made
    yield api
    for user in made:
        api.delete_user(user)


def add(management, name: str, events) -> dict:
    management.made.append(subs.USER_PREFIX + name)
    return subs.add_subscriber(management, name, events)


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
    exchange = Exchange(training.HOURS_UPDATED.exchange, type="topic", durable=True)
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        producer = Producer(conn.channel())
        for seq in range(1000):
            envelope = hours_updated(seq)
            producer.publish(
                envelope.to_dict(),
                exchange=exchange,
                routing_key=training.HOURS_UPDATED.routing_key,
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


@pytest.fixture
def fresh_vhost(management):
    name = unique("enf-test-defs")
    management.request("PUT", f"/api/vhosts/{mgmt.quote(name)}")
    yield mgmt.ManagementApi(
        mgmt.ManagementSettings(
            url=management.settings.url,
            user=management.settings.user,
            password=management.settings.password,
            vhost=name,
        )
    )
    management.request("DELETE", f"/api/vhosts/{mgmt.quote(name)}", ok_missing=True)


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


def test_gateway_routes_are_bureau_only_and_show_the_password_once(management, amqp_uri, start_service, tmp_path):
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from enforcement_gateway import auth

    web = free_port()
    gateway_db = f"sqlite:///{tmp_path}/gateway.db"
    gateway = start_service("gateway", gateway_db, amqp_uri, extra_env={"WEB_SERVER_ADDRESS": f"127.0.0.1:{web}"})
    engine = create_engine(gateway_db)
    with Session(engine) as session:  # an agency administrator (creating one over HTTP needs the personnel service)
        auth.create_user(
            session,
            {
                "username": "agency-admin",
                "password": "agency-admin-pass",
                "role": "agency_admin",
                "agency_code": "140928001",
            },
            auth.AuthSettings.from_config({}),
        )
        session.commit()
    engine.dispose()
    base = f"http://127.0.0.1:{web}/api/v1"
    http = requests.Session()
    http.trust_env = False

    def login(username, password):
        answer = http.post(f"{base}/auth/login", json={"username": username, "password": password}, timeout=10)
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    bureau, agency = login("admin", "change-me-now"), login("agency-admin", "agency-admin-pass")
    name = unique("credit")
    management.made.append(f"sub-{name}")
    body = {"name": name, "events": ["personnel.certificate.issued"]}
    assert http.post(f"{base}/subscribers", json=body, headers=agency, timeout=10).status_code == 403
    assert http.get(f"{base}/subscribers", headers=agency, timeout=10).status_code == 403
    assert http.post(f"{base}/subscribers", json=body, timeout=10).status_code == 401
    assert management.queue(f"sub.{name}") is None

    bad = http.post(
        f"{base}/subscribers", json={"name": name, "events": ["personnel.nothing"]}, headers=bureau, timeout=10
    )
    assert bad.status_code == 400 and bad.json()["fields"] == {"events": ["unknown event type: personnel.nothing"]}
    bad_name = http.post(
        f"{base}/subscribers",
        json={"name": "A B", "events": ["personnel.certificate.issued"]},
        headers=bureau,
        timeout=10,
    )
    assert bad_name.status_code == 400 and "name" in bad_name.json()["fields"]
    assert management.queue(f"sub.{name}") is None

    created = http.post(f"{base}/subscribers", json=body, headers=bureau, timeout=10)
    assert created.status_code == 201, created.text
    password = created.json()["password"]
    assert created.json()["vhost"] == management.vhost
    with Connection(subscriber_uri(amqp_uri, created.json())) as conn:
        assert conn.channel().queue_declare(f"sub.{name}", passive=True).queue == f"sub.{name}"
    listed = http.get(f"{base}/subscribers", headers=bureau, timeout=10).json()
    row = next(r for r in listed if r["name"] == name)
    assert row["events"] == ["personnel.certificate.issued"] and "password" not in row
    assert http.post(f"{base}/subscribers", json=body, headers=bureau, timeout=10).status_code == 409

    removed = http.delete(f"{base}/subscribers/{name}", headers=bureau, timeout=10)
    assert removed.status_code == 200 and management.user(f"sub-{name}") is None
    assert http.delete(f"{base}/subscribers/{name}", headers=bureau, timeout=10).status_code == 404

    audit = http.get(f"{base}/audit", headers=bureau, timeout=10).json()
    actions = [a["action"] for a in (audit["items"] if isinstance(audit, dict) else audit)]
    assert "POST /api/v1/subscribers" in actions and "DELETE /api/v1/subscribers/<name>" in actions
    assert password not in json.dumps(audit) and password not in gateway.log_text()
    assert password not in Path(tmp_path / "gateway.db").read_bytes().decode("latin-1")


# ------------------------------------------------------------------------------------------------
# The two example subscribers in examples/
# ------------------------------------------------------------------------------------------------
KOMBU_EXAMPLE = REPO_ROOT / "examples" / "kombu_subscriber" / "subscriber.py"


def test_kombu_example_processes_events_skips_a_duplicate_and_dead_letters_bad_ones(management, amqp_uri, tmp_path):
    created = add(management, unique("kombu"), ["training.hours.updated"])
    events = [hours_updated(seq) for seq in range(3)]
    broken_payload = hours_updated(99).to_dict()
    del broken_payload["data"]["year"]
    exchange = Exchange("training.events", type="topic", durable=True)
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        producer = Producer(conn.channel(), exchange=exchange, routing_key="hours.updated")
        for envelope in events + [events[1]]:  # the second one twice: a redelivery or a replay
            producer.publish(envelope.to_dict(), serializer="json", delivery_mode=2, message_id=envelope.id)
        producer.publish(broken_payload, serializer="json", delivery_mode=2)
        producer.publish(b"{not json", content_type="application/json", content_encoding="utf-8", delivery_mode=2)
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
    assert management.queue(created["queue"])["messages"] == 0
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


def test_the_bureau_replays_a_subscriber_s_past_events_over_http(
    management, amqp_uri, start_service, tmp_path, rpc, collect_events
):
    """Officers registered before the subscriber existed reach its queue by replay, with their original ids; only
    the types it is bound to; a producer that does not answer is a 503 naming it."""
    from datetime import datetime, timedelta, timezone

    from enforcement_testing import valid_id_number

    since = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()
    announced = collect_events("personnel", "officer.registered")  # routes them: they are sent, so in the history
    personnel = start_service("personnel", f"sqlite:///{tmp_path}/personnel.db", amqp_uri)
    officers = [
        rpc.personnel.register_officer(
            {"username": "admin", "role": "bureau"},
            {
                "agency_code": "140928-scjgj",
                "name": f"执法员{n}",
                "id_number": valid_id_number(700 + n),
                "domains": ["market_supervision"],
            },
        )
        for n in range(3)
    ]
    ids = {e["id"] for e in announced.wait_for(3) if e["data"]["officer_id"] in {o["officer_id"] for o in officers}}
    assert len(ids) == 3

    web = free_port()
    start_service(
        "gateway",
        f"sqlite:///{tmp_path}/gateway.db",
        amqp_uri,
        extra_env={"WEB_SERVER_ADDRESS": f"127.0.0.1:{web}", "RPC_TIMEOUT": "2"},
    )
    base, http = f"http://127.0.0.1:{web}/api/v1", requests.Session()
    http.trust_env = False
    token = http.post(f"{base}/auth/login", json={"username": "admin", "password": "change-me-now"}, timeout=10)
    bureau = {"Authorization": f"Bearer {token.json()['token']}"}
    name = unique("credit")
    management.made.append(f"sub-{name}")
    created = http.post(
        f"{base}/subscribers",
        json={"name": name, "events": ["personnel.officer.registered"]},
        headers=bureau,
        timeout=10,
    )
    assert created.status_code == 201, created.text

    def replay(body, subscriber=name):
        return http.post(f"{base}/subscribers/{subscriber}/replay", json=body, headers=bureau, timeout=60)

    assert replay({"since": since}, subscriber="nobody-here").status_code == 404
    not_bound = replay({"since": since, "events": ["personnel.certificate.issued"]})
    assert not_bound.status_code == 400 and "personnel.certificate.issued" in not_bound.json()["fields"]["events"][0]
    assert "since" in replay({"since": "yesterday"}).json()["fields"]
    assert "since" in replay({}).json()["fields"]
    with Connection(subscriber_uri(amqp_uri, created.json())) as conn:  # nothing was sent by the refusals
        assert conn.channel().queue_declare(f"sub.{name}", passive=True).message_count == 0

    done = replay({"since": since})
    assert done.status_code == 200, done.text
    assert done.json() == {"name": name, "queue": f"sub.{name}", "delivered": {"personnel": 3}, "total": 3}
    received = []
    with Connection(subscriber_uri(amqp_uri, created.json())) as conn:
        queue = Queue(f"sub.{name}", no_declare=True)
        with conn.SimpleQueue(queue) as simple:
            for _ in range(3):
                message = simple.get(timeout=10)
                received.append(message.payload["id"])
                message.ack()
    assert set(received) == ids

    # the producer stops: the replay is a 503 naming it, and nothing half-done is hidden
    assert personnel.stop() == 0
    gone = replay({"since": since})
    assert gone.status_code == 503 and "personnel" in gone.json()["fields"], gone.text
