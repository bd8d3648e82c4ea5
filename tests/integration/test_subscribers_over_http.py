"""The bureau's subscriber routes over real HTTP: bureau only, the password shown once and never stored or logged,
and the replay of a subscriber's past events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kombu import Connection, Queue
from subscriber_support import login, management_api, start_gateway, subscriber_uri, unique


@pytest.fixture(scope="module")
def management(amqp_uri):
    yield from management_api(amqp_uri)


def _create_agency_admin(database_url: str) -> None:
    """An agency administrator in the gateway's database (creating one over HTTP needs the personnel service)."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from enforcement_gateway import auth

    engine = create_engine(database_url)
    with Session(engine) as session:
        auth.create_user(
            session,
            {
                "username": "agency-admin",
                "password": "subscriber-desk-2026",
                "role": "agency_admin",
                "agency_code": "140928001",
            },
            auth.AuthSettings.from_config({}),
        )
        session.commit()
    engine.dispose()


def test_gateway_routes_are_bureau_only_and_show_the_password_once(management, amqp_uri, start_service, tmp_path):
    gateway, base, http = start_gateway(start_service, amqp_uri, tmp_path)
    _create_agency_admin(f"sqlite:///{tmp_path}/gateway.db")
    bureau = login(http, base, "admin", "change-me-now")
    agency = login(http, base, "agency-admin", "subscriber-desk-2026")
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
    listed = http.get(f"{base}/subscribers", headers=bureau, timeout=10).json()["items"]
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


def _register_officers(rpc, count: int) -> list[dict]:
    from enforcement_testing import valid_id_number

    return [
        rpc.personnel.register_officer(
            {"username": "admin", "role": "bureau"},
            {
                "agency_code": "140928-scjgj",
                "name": f"执法员{n}",
                "id_number": valid_id_number(700 + n),
                "domains": ["market_supervision"],
            },
        )
        for n in range(count)
    ]


def _take_ids(uri: str, queue_name: str, count: int) -> list[str]:
    """The event ids of the next ``count`` messages on a subscriber's queue, acknowledged."""
    received = []
    with Connection(uri) as conn:
        queue = Queue(queue_name, no_declare=True)
        with conn.SimpleQueue(queue) as simple:
            for _ in range(count):
                message = simple.get(timeout=10)
                received.append(message.payload["id"])
                message.ack()
    return received


def test_the_bureau_replays_a_subscriber_s_past_events_over_http(
    management, amqp_uri, start_service, tmp_path, rpc, collect_events
):
    """Officers registered before the subscriber existed reach its queue by replay, with their original ids; only
    the types it is bound to; a producer that does not answer is a 503 naming it."""
    from datetime import datetime, timedelta, timezone

    since = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()
    announced = collect_events("personnel", "officer.registered")  # routes them: they are sent, so in the history
    personnel = start_service("personnel", f"sqlite:///{tmp_path}/personnel.db", amqp_uri)
    officers = _register_officers(rpc, 3)
    ids = {e["id"] for e in announced.wait_for(3) if e["data"]["officer_id"] in {o["officer_id"] for o in officers}}
    assert len(ids) == 3

    _, base, http = start_gateway(start_service, amqp_uri, tmp_path, RPC_TIMEOUT="2")
    bureau = login(http, base, "admin", "change-me-now")
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

    assert replay({"from": since}, subscriber="nobody-here").status_code == 404
    not_bound = replay({"from": since, "events": ["personnel.certificate.issued"]})
    assert not_bound.status_code == 400 and "personnel.certificate.issued" in not_bound.json()["fields"]["events"][0]
    assert "from" in replay({"from": "yesterday"}).json()["fields"]
    assert "from" in replay({}).json()["fields"]
    with Connection(subscriber_uri(amqp_uri, created.json())) as conn:  # nothing was sent by the refusals
        assert conn.channel().queue_declare(f"sub.{name}", passive=True).message_count == 0

    done = replay({"from": since})
    assert done.status_code == 200, done.text
    assert done.json() == {"name": name, "queue": f"sub.{name}", "delivered": {"personnel": 3}, "total": 3}
    assert set(_take_ids(subscriber_uri(amqp_uri, created.json()), f"sub.{name}", 3)) == ids

    # the producer stops: the replay is a 503 naming it, and nothing half-done is hidden
    assert personnel.stop() == 0
    gone = replay({"from": since})
    assert gone.status_code == 503 and "personnel" in gone.json()["fields"], gone.text
