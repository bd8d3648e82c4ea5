"""Onboarding outside subscribers (the credit system, the 12345 hotline ...) to the suite's events.

A subscriber ``NAME`` gets, in one vhost:

- a durable queue ``sub.NAME`` bound to ``<source>.events`` with routing key = event name, for each
  event type it asked for; events published while it is offline wait there;
- a dead-letter queue ``sub.NAME.dlq`` (through the kernel's dead-letter exchange, the same way
  service queues are dead-lettered) for the messages it rejects;
- a RabbitMQ user ``sub-NAME`` with a generated password and the narrowest rights that still let it
  consume: configure nothing, write nothing (so it cannot publish a forged event, nor bind its queue
  to more events), read only its two queues. The administrator creates the queues and bindings,
  because binding would need ``write`` on the queue.

``subscriber_topology`` is the pure description; ``add_subscriber``, ``list_subscribers`` and
``remove_subscriber`` apply it through the RabbitMQ management HTTP API (``rabbitmq_management``), and
``subscriber_definitions`` renders it as a RabbitMQ definitions file for ``load_definitions``; the
command is ``subscribers_cli``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from enforcement_contracts.errors import Conflict, NotFound, ValidationFailed
from enforcement_contracts.events import all_event_types

from .rabbitmq_management import ManagementApi, ManagementSettings

# The kernel's dead-letter exchange (enforcement_kernel.handlers.DEAD_LETTER_EXCHANGE); not imported
# from there so this module, its CLI and the subscriber docs need no nameko.
DEAD_LETTER_EXCHANGE = "enforcement.dead-letter"
QUEUE_PREFIX = "sub."
USER_PREFIX = "sub-"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
NAME_RULE = "3-40 characters: lower-case letters, digits and '-', starting with a letter"


@dataclass(frozen=True)
class SubscriberTopology:
    """Everything the broker needs for one subscriber."""

    name: str
    event_types: tuple[str, ...]

    @property
    def queue(self) -> str:
        return f"{QUEUE_PREFIX}{self.name}"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.queue}.dlq"

    @property
    def user(self) -> str:
        return f"{USER_PREFIX}{self.name}"

    @property
    def queue_arguments(self) -> dict:
        return {"x-dead-letter-exchange": DEAD_LETTER_EXCHANGE, "x-dead-letter-routing-key": self.queue}

    @property
    def permissions(self) -> dict:
        # '^$' matches no name (the default exchange counts as 'amq.default', so it is not matched either)
        read = "^" + re.escape(self.queue) + r"(\.dlq)?$"
        return {"configure": "^$", "write": "^$", "read": read}

    @property
    def bindings(self) -> list[tuple[str, str]]:
        """(exchange, routing key) of each event type, in the order asked."""
        by_type = {e.type: e for e in all_event_types()}
        return [(by_type[t].exchange, by_type[t].routing_key) for t in self.event_types]

    def summary(self) -> dict:
        return {
            "name": self.name,
            "user": self.user,
            "queue": self.queue,
            "dead_letter_queue": self.dead_letter_queue,
            "events": list(self.event_types),
        }


def validate_name(name) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ValidationFailed(f"invalid subscriber name {name!r}: {NAME_RULE}", {"name": [NAME_RULE]})
    return name


def validate_event_types(event_types) -> tuple[str, ...]:
    """The requested event types, deduplicated in order; every one must be a published event type."""
    known = {e.type for e in all_event_types()}
    if isinstance(event_types, str):
        event_types = event_types.split(",")
    wanted = [t.strip() for t in (event_types or []) if t and t.strip()]
    if not wanted:
        raise ValidationFailed("name at least one event type", {"events": ["name at least one event type"]})
    unknown = [t for t in wanted if t not in known]
    if unknown:
        message = f"unknown event type{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}"
        raise ValidationFailed(
            f"{message} (`enforcement-subscribers events` lists the known ones)", {"events": [message]}
        )
    return tuple(dict.fromkeys(wanted))


def subscriber_topology(name: str, event_types) -> SubscriberTopology:
    """The validated topology of one subscriber; ``ValidationFailed`` names the bad field."""
    return SubscriberTopology(validate_name(name), validate_event_types(event_types))


def generate_password() -> str:
    return secrets.token_urlsafe(24)


# ------------------------------------------------------------------------------------------------
# Operations (the CLI and the gateway's bureau routes call these)
# ------------------------------------------------------------------------------------------------
def management_api(config: dict) -> ManagementApi:
    """The management API client for a service's config (its ``SUBSCRIBERS`` section over the environment)."""
    return ManagementApi(ManagementSettings.from_config(config))


def add_subscriber(api: ManagementApi, name: str, event_types) -> dict:
    """Create the subscriber; returns its summary with the generated ``password`` (shown once, stored nowhere)."""
    topology = subscriber_topology(name, event_types)
    api.require_vhost()
    if api.queue(topology.queue) is not None or api.user(topology.user) is not None:
        raise Conflict(f"subscriber {name} already exists; remove it first to change its events")
    # the exchanges first: a subscriber may start before the service that publishes to them
    for exchange in sorted({exchange for exchange, _ in topology.bindings}):
        api.put_exchange(exchange, "topic")
    api.put_exchange(DEAD_LETTER_EXCHANGE, "direct")
    api.put_queue(topology.dead_letter_queue, {})
    api.bind(DEAD_LETTER_EXCHANGE, topology.dead_letter_queue, topology.queue)
    api.put_queue(topology.queue, topology.queue_arguments)
    for exchange, routing_key in topology.bindings:
        api.bind(exchange, topology.queue, routing_key)
    # the user last: it can only connect once everything it may read exists
    password = generate_password()
    api.put_user(topology.user, password)
    api.put_permissions(topology.user, topology.permissions)
    return {**topology.summary(), "vhost": api.vhost, "password": password}


def _events_of(bindings: list[dict]) -> list[str]:
    events = []
    for binding in bindings:
        source = binding.get("source", "")
        if source.endswith(".events"):
            events.append(f"{source[: -len('.events')]}.{binding['routing_key']}")
    return sorted(events)


def list_subscribers(api: ManagementApi) -> list[dict]:
    """Every subscriber queue in the vhost, with its events, waiting messages and whether its user exists."""
    api.require_vhost()
    out = []
    for queue in api.queues():
        qname = queue["name"]
        if not qname.startswith(QUEUE_PREFIX) or qname.endswith(".dlq"):
            continue
        name = qname[len(QUEUE_PREFIX) :]
        topology = SubscriberTopology(name, ())
        dlq = api.queue(topology.dead_letter_queue) or {}
        out.append(
            {
                **topology.summary(),
                "events": _events_of(api.queue_bindings(qname)),
                "vhost": api.vhost,
                "messages": int(queue.get("messages", 0) or 0),
                "consumers": int(queue.get("consumers", 0) or 0),
                "dead_letters": int(dlq.get("messages", 0) or 0),
                "user_exists": api.user(topology.user) is not None,
            }
        )
    return sorted(out, key=lambda s: s["name"])


def remove_subscriber(api: ManagementApi, name: str) -> dict:
    """Delete the user (its connections close), then both queues with what is in them."""
    topology = SubscriberTopology(validate_name(name), ())
    api.require_vhost()
    if api.queue(topology.queue) is None and api.user(topology.user) is None:
        raise NotFound(f"no subscriber named {name}")
    api.delete_user(topology.user)
    api.delete_queue(topology.queue)
    api.delete_queue(topology.dead_letter_queue)
    return {"name": name, "removed": True}
