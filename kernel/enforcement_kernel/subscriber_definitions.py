"""Outside subscribers as a RabbitMQ definitions file (``load_definitions`` at boot, or the management API).

``definitions`` renders the event exchanges, the dead-letter exchange and each subscriber's queues, bindings,
user and permissions; ``export_definitions`` does the same for the subscribers that exist on a broker now,
with their current password hashes.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field

from enforcement_contracts.events import all_event_types

from .rabbitmq_management import ManagementApi
from .subscribers import DEAD_LETTER_EXCHANGE, SubscriberTopology, list_subscribers

HASHING_ALGORITHM = "rabbit_password_hashing_sha256"


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's ``rabbit_password_hashing_sha256``: base64(salt + sha256(salt + password)), 4-byte salt."""
    salt = salt if salt is not None else secrets.token_bytes(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode("utf-8")).digest()).decode("ascii")


@dataclass
class DefinitionUser:
    name: str
    password_hash: str  # "" = no password login until an operator sets one
    tags: str = ""
    permissions: dict = field(default_factory=lambda: {"configure": ".*", "write": ".*", "read": ".*"})


def _exchange(vhost: str, name: str, kind: str) -> dict:
    return {
        "name": name,
        "vhost": vhost,
        "type": kind,
        "durable": True,
        "auto_delete": False,
        "internal": False,
        "arguments": {},
    }


def _binding(vhost: str, source: str, queue: str, routing_key: str) -> dict:
    return {
        "source": source,
        "vhost": vhost,
        "destination": queue,
        "destination_type": "queue",
        "routing_key": routing_key,
        "arguments": {},
    }


def _add_user(doc: dict, vhost: str, user: DefinitionUser) -> None:
    doc["users"].append(
        {
            "name": user.name,
            "password_hash": user.password_hash,
            "hashing_algorithm": HASHING_ALGORITHM,
            "tags": user.tags,
        }
    )
    doc["permissions"].append({"user": user.name, "vhost": vhost, **user.permissions})


def _add_subscriber(doc: dict, vhost: str, sub: SubscriberTopology, hashed: str) -> None:
    _add_user(doc, vhost, DefinitionUser(sub.user, hashed, permissions=sub.permissions))
    doc["queues"].append(
        {"name": sub.queue, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": sub.queue_arguments}
    )
    doc["queues"].append(
        {"name": sub.dead_letter_queue, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": {}}
    )
    doc["bindings"].append(_binding(vhost, DEAD_LETTER_EXCHANGE, sub.dead_letter_queue, sub.queue))
    for exchange, routing_key in sub.bindings:
        doc["bindings"].append(_binding(vhost, exchange, sub.queue, routing_key))


def definitions(
    vhost: str,
    subscribers: list[SubscriberTopology],
    users: list[DefinitionUser] = (),
    subscriber_hashes: dict[str, str] | None = None,
) -> dict:
    """A RabbitMQ definitions document: the vhost, every event exchange, the dead-letter exchange,
    the subscribers' queues, bindings, users and permissions, plus any other ``users`` (e.g. the
    services' own account, which must be there because a node that loads definitions at boot
    creates no default user).

    ``subscriber_hashes`` maps a subscriber user to its password hash; a missing one is exported
    with an empty hash (no password login) for the operator to set with ``rabbitmqctl change_password``.
    """
    subscriber_hashes = subscriber_hashes or {}
    exchanges = sorted({e.exchange for e in all_event_types()})
    doc = {
        "rabbit_version": "3.10.8",
        "vhosts": [{"name": vhost}],
        "users": [],
        "permissions": [],
        "exchanges": [_exchange(vhost, name, "topic") for name in exchanges]
        + [_exchange(vhost, DEAD_LETTER_EXCHANGE, "direct")],
        "queues": [],
        "bindings": [],
    }
    for user in users:
        _add_user(doc, vhost, user)
    for sub in subscribers:
        _add_subscriber(doc, vhost, sub, subscriber_hashes.get(sub.user, ""))
    return doc


def export_definitions(api: ManagementApi, users: list[DefinitionUser] = ()) -> dict:
    """The definitions of the subscribers that exist now, with their current password hashes."""
    subscribers, hashes = [], {}
    for sub in list_subscribers(api):
        topology = SubscriberTopology(sub["name"], tuple(sub["events"]))
        subscribers.append(topology)
        user = api.user(topology.user)
        if user and user.get("hashing_algorithm", HASHING_ALGORITHM) == HASHING_ALGORITHM:
            hashes[topology.user] = user.get("password_hash", "")
    return definitions(api.vhost, subscribers, users, hashes)
