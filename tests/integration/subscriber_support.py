"""Shared by the subscriber tests (test_subscribers.py, test_subscriber_definitions.py, test_subscriber_examples.py,
test_subscribers_over_http.py): the management API of the run's vhost, subscribers made and cleaned up, events to
publish. Not a test module.
"""

from __future__ import annotations

import uuid

from enforcement_testing import REPO_ROOT, free_port

from enforcement_contracts.events import Envelope
from enforcement_contracts.training import compliance as training_compliance
from enforcement_kernel import rabbitmq_management as mgmt
from enforcement_kernel import subscribers as subs

DEFINITIONS_FILE = REPO_ROOT / "deploy" / "rabbitmq" / "definitions.json"


def hours_updated(seq: int) -> Envelope:
    data = training_compliance.HOURS_UPDATED.dump(
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
        type=training_compliance.HOURS_UPDATED.type,
        source="training",
        data=data,
        schemaversion=training_compliance.HOURS_UPDATED.version,
        subject=f"officer-{seq}",
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def subscriber_uri(amqp_uri: str, created: dict) -> str:
    host_and_vhost = amqp_uri.split("@", 1)[1]
    return f"amqp://{created['user']}:{created['password']}@{host_and_vhost}"


def management_api(amqp_uri):
    """The management API for this run's vhost; deletes the subscriber users the tests made (users are
    global to the node, unlike queues, which go with the vhost). A generator for a fixture to ``yield from``."""
    api = mgmt.ManagementApi(mgmt.ManagementSettings.from_env(vhost=mgmt.vhost_of(amqp_uri)))
    made: list[str] = []
    api.made = made
    yield api
    for user in made:
        api.delete_user(user)


def fresh_vhost_api(management):
    """A vhost of its own (deleted afterwards), for loading definitions into. A generator for a fixture."""
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


def add(management, name: str, events) -> dict:
    management.made.append(subs.USER_PREFIX + name)
    return subs.add_subscriber(management, name, events)


def start_gateway(start_service, amqp_uri, tmp_path, **extra_env):
    """The gateway as a process on a free port with its SQLite file in tmp_path: (process, API base URL, session)."""
    import requests

    web = free_port()
    gateway = start_service(
        "gateway",
        f"sqlite:///{tmp_path}/gateway.db",
        amqp_uri,
        extra_env={"WEB_SERVER_ADDRESS": f"127.0.0.1:{web}", **extra_env},
    )
    http = requests.Session()
    http.trust_env = False
    http.passwords = {}  # (username, given) -> the password changed at the first login (see login)
    return gateway, f"http://127.0.0.1:{web}/api/v1", http


def login(http, base: str, username: str, password: str) -> dict:
    """The Authorization header of a logged-in account. An account that must change its password first (the seeded
    admin, one created by the bureau) changes it to ``password + "-new"``, remembered on ``http`` for this test."""
    passwords = http.__dict__.setdefault("passwords", {})
    given, password = password, passwords.get((username, password), password)
    answer = http.post(f"{base}/auth/login", json={"username": username, "password": password}, timeout=10)
    assert answer.status_code == 200, answer.text
    headers = {"Authorization": f"Bearer {answer.json()['token']}"}
    if answer.json().get("must_change_password"):
        new = {"current_password": password, "new_password": password + "-new"}
        changed = http.post(f"{base}/auth/password", json=new, headers=headers, timeout=10)
        assert changed.status_code == 200, changed.text
        passwords[(username, given)] = password + "-new"
    return headers
