"""The subscriber topology and the definitions document, as pure functions (no broker)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from enforcement_contracts.errors import ValidationFailed
from enforcement_kernel import rabbitmq_management as mgmt
from enforcement_kernel import subscriber_definitions as defs
from enforcement_kernel import subscribers as subs


def test_topology_names_queues_user_and_read_only_rights():
    topology = subs.subscriber_topology(
        "credit", "personnel.certificate.issued, cases.decision.published,personnel.certificate.issued"
    )
    assert topology.event_types == (
        "personnel.certificate.issued",
        "cases.decision.published",
    )  # deduplicated, in order
    assert (topology.queue, topology.dead_letter_queue, topology.user) == ("sub.credit", "sub.credit.dlq", "sub-credit")
    assert topology.bindings == [("personnel.events", "certificate.issued"), ("cases.events", "decision.published")]
    assert topology.queue_arguments == {
        "x-dead-letter-exchange": "enforcement.dead-letter",
        "x-dead-letter-routing-key": "sub.credit",
    }
    rights = topology.permissions
    assert rights["configure"] == rights["write"] == "^$"
    read = re.compile(rights["read"])
    assert read.match("sub.credit") and read.match("sub.credit.dlq")
    for other in ("sub.credit2", "sub.creditx.dlq", "subxcredit", "rpc-personnel", "personnel.events", "amq.default"):
        assert not read.match(other), other
    assert not re.match(rights["write"], "amq.default") and not re.match(rights["write"], "personnel.events")


@pytest.mark.parametrize(
    "events, message",
    [
        (["personnel.certificate.isued"], "unknown event type: personnel.certificate.isued"),
        (["a.b", "personnel.certificate.issued", "c.d"], "unknown event types: a.b, c.d"),
        ([], "name at least one event type"),
        ("", "name at least one event type"),
    ],
)
def test_unknown_or_missing_event_types_are_named(events, message):
    with pytest.raises(ValidationFailed) as refused:
        subs.subscriber_topology("credit", events)
    assert refused.value.fields == {"events": [message]}


@pytest.mark.parametrize(
    "name", ["", "ab", "Credit", "credit system", "credit.system", "-credit", "credit-", "a" * 41, "sub/credit", None]
)
def test_bad_names_are_refused(name):
    with pytest.raises(ValidationFailed) as refused:
        subs.subscriber_topology(name, ["personnel.certificate.issued"])
    assert list(refused.value.fields) == ["name"]


def test_password_hash_is_rabbitmq_sha256_with_salt():
    salt = b"\x90\x8d\xc6\x0a"
    hashed = base64.b64decode(defs.password_hash("test12", salt=salt))
    assert hashed[:4] == salt and hashed[4:] == hashlib.sha256(salt + b"test12").digest()
    assert defs.password_hash("same") != defs.password_hash("same"), "a fresh salt each time"


def test_definitions_hold_exchanges_queues_bindings_users_and_rights():
    topology = subs.subscriber_topology("hotline", ["cases.case.decided"])
    doc = defs.definitions(
        "county", [topology], [defs.DefinitionUser("suite", "HASH", tags="administrator")], {"sub-hotline": "SUBHASH"}
    )
    assert doc["vhosts"] == [{"name": "county"}]
    assert {e["name"] for e in doc["exchanges"]} >= {
        "personnel.events",
        "training.events",
        "cases.events",
        "enforcement.dead-letter",
    }
    assert {(u["name"], u["password_hash"]) for u in doc["users"]} == {("suite", "HASH"), ("sub-hotline", "SUBHASH")}
    sub_rights = next(p for p in doc["permissions"] if p["user"] == "sub-hotline")
    assert sub_rights["vhost"] == "county" and sub_rights["write"] == "^$"
    assert {q["name"] for q in doc["queues"]} == {"sub.hotline", "sub.hotline.dlq"}
    assert {(b["source"], b["destination"], b["routing_key"]) for b in doc["bindings"]} == {
        ("enforcement.dead-letter", "sub.hotline.dlq", "sub.hotline"),
        (topology.bindings[0][0], "sub.hotline", topology.bindings[0][1]),
    }
    # a subscriber without a known hash gets none: it cannot log in until an operator sets a password
    assert defs.definitions("/", [topology])["users"][0]["password_hash"] == ""


@pytest.mark.parametrize(
    "uri, vhost",
    [
        ("amqp://guest:guest@127.0.0.1:5672/", "/"),
        ("amqp://guest:guest@127.0.0.1:5672", "/"),
        ("amqp://u:p@broker:5672/county", "county"),
        ("amqp://u:p@broker:5672/%2F", "/"),
        (None, "/"),
    ],
)
def test_vhost_of_amqp_uri(uri, vhost):
    assert mgmt.vhost_of(uri) == vhost
