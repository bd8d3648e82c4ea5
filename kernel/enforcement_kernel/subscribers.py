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

``subscriber_topology`` is the pure description; ``ManagementApi`` applies it through the RabbitMQ
management HTTP API (the standard remote way; no shell on the broker host needed), and
``definitions`` renders it as a RabbitMQ definitions file for ``load_definitions``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from enforcement_contracts.errors import Conflict, NotFound, Unavailable, ValidationFailed
from enforcement_contracts.events import all_event_types

# The kernel's dead-letter exchange (enforcement_kernel.handlers.DEAD_LETTER_EXCHANGE); not imported
# from there so this module, its CLI and the subscriber docs need no nameko.
DEAD_LETTER_EXCHANGE = "enforcement.dead-letter"
QUEUE_PREFIX = "sub."
USER_PREFIX = "sub-"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
NAME_RULE = "3-40 characters: lower-case letters, digits and '-', starting with a letter"
HASHING_ALGORITHM = "rabbit_password_hashing_sha256"


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


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's ``rabbit_password_hashing_sha256``: base64(salt + sha256(salt + password)), 4-byte salt."""
    salt = salt if salt is not None else secrets.token_bytes(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode("utf-8")).digest()).decode("ascii")


# ------------------------------------------------------------------------------------------------
# Definitions file
# ------------------------------------------------------------------------------------------------
@dataclass
class DefinitionUser:
    name: str
    password_hash: str  # "" = no password login until an operator sets one
    tags: str = ""
    permissions: dict = field(default_factory=lambda: {"configure": ".*", "write": ".*", "read": ".*"})


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
        "exchanges": [
            {
                "name": name,
                "vhost": vhost,
                "type": "topic",
                "durable": True,
                "auto_delete": False,
                "internal": False,
                "arguments": {},
            }
            for name in exchanges
        ]
        + [
            {
                "name": DEAD_LETTER_EXCHANGE,
                "vhost": vhost,
                "type": "direct",
                "durable": True,
                "auto_delete": False,
                "internal": False,
                "arguments": {},
            }
        ],
        "queues": [],
        "bindings": [],
    }
    for user in users:
        doc["users"].append(
            {
                "name": user.name,
                "password_hash": user.password_hash,
                "hashing_algorithm": HASHING_ALGORITHM,
                "tags": user.tags,
            }
        )
        doc["permissions"].append({"user": user.name, "vhost": vhost, **user.permissions})
    for sub in subscribers:
        doc["users"].append(
            {
                "name": sub.user,
                "password_hash": subscriber_hashes.get(sub.user, ""),
                "hashing_algorithm": HASHING_ALGORITHM,
                "tags": "",
            }
        )
        doc["permissions"].append({"user": sub.user, "vhost": vhost, **sub.permissions})
        doc["queues"].append(
            {"name": sub.queue, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": sub.queue_arguments}
        )
        doc["queues"].append(
            {"name": sub.dead_letter_queue, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": {}}
        )
        doc["bindings"].append(
            {
                "source": DEAD_LETTER_EXCHANGE,
                "vhost": vhost,
                "destination": sub.dead_letter_queue,
                "destination_type": "queue",
                "routing_key": sub.queue,
                "arguments": {},
            }
        )
        for exchange, routing_key in sub.bindings:
            doc["bindings"].append(
                {
                    "source": exchange,
                    "vhost": vhost,
                    "destination": sub.queue,
                    "destination_type": "queue",
                    "routing_key": routing_key,
                    "arguments": {},
                }
            )
    return doc


# ------------------------------------------------------------------------------------------------
# The management HTTP API
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ManagementSettings:
    url: str = "http://127.0.0.1:15672"
    user: str = "guest"
    password: str = "guest"
    vhost: str = "/"
    timeout: float = 10.0

    @classmethod
    def from_env(cls, vhost: str | None = None, amqp_uri: str | None = None) -> ManagementSettings:
        """``RABBITMQ_MANAGEMENT_URL``, ``RABBITMQ_ADMIN_USER``/``_PASSWORD``, and the vhost given, else
        ``RABBITMQ_VHOST``, else the one in ``amqp_uri`` / ``$AMQP_URI``, else ``/``."""
        return cls(
            url=os.environ.get("RABBITMQ_MANAGEMENT_URL", cls.url).rstrip("/"),
            user=os.environ.get("RABBITMQ_ADMIN_USER", cls.user),
            password=os.environ.get("RABBITMQ_ADMIN_PASSWORD", cls.password),
            vhost=vhost or os.environ.get("RABBITMQ_VHOST") or vhost_of(amqp_uri or os.environ.get("AMQP_URI")),
        )

    @classmethod
    def from_config(cls, config: dict) -> ManagementSettings:
        """A service's ``SUBSCRIBERS`` section (management_url, admin_user, admin_password, vhost) over the env."""
        base = cls.from_env(amqp_uri=config.get("AMQP_URI"))
        section = config.get("SUBSCRIBERS") or {}
        return cls(
            url=(section.get("management_url") or base.url).rstrip("/"),
            user=section.get("admin_user") or base.user,
            password=section.get("admin_password") or base.password,
            vhost=section.get("vhost") or base.vhost,
        )


def vhost_of(amqp_uri: str | None) -> str:
    """The vhost of an AMQP URI (``amqp://u:p@host:5672/name`` -> ``name``; empty path -> ``/``)."""
    if not amqp_uri:
        return "/"
    path = urllib.parse.urlsplit(amqp_uri).path
    return urllib.parse.unquote(path[1:]) if len(path) > 1 else "/"


def quote(part: str) -> str:
    """One path segment of a management API URL (the default vhost ``/`` is ``%2F``)."""
    return urllib.parse.quote(part, safe="")


class ManagementApi:
    """A small client of the RabbitMQ management API for one vhost (stdlib only)."""

    def __init__(self, settings: ManagementSettings):
        self.settings = settings
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({})
        )  # the broker is never behind a proxy
        token = base64.b64encode(f"{settings.user}:{settings.password}".encode()).decode()
        self._auth = f"Basic {token}"

    @property
    def vhost(self) -> str:
        return self.settings.vhost

    def _path(self, *parts: str) -> str:
        return "/api/" + "/".join(quote(p) for p in parts)

    def request(self, method: str, path: str, body=None, ok_missing: bool = False):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.settings.url + path,
            data=data,
            method=method,
            headers={"Authorization": self._auth, "Content-Type": "application/json"},
        )
        try:
            with self._opener.open(req, timeout=self.settings.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and ok_missing:
                return None
            detail = exc.read().decode(errors="replace")[:300]
            if exc.code == 404:
                raise NotFound(f"RabbitMQ has no {path}: {detail}") from None
            if exc.code in (401, 403):
                raise Unavailable(f"the RabbitMQ management API refused the admin credentials ({exc.code})") from None
            raise Unavailable(f"RabbitMQ management API: {method} {path} answered {exc.code}: {detail}") from None
        except OSError as exc:
            raise Unavailable(
                f"RabbitMQ management API at {self.settings.url} is not reachable ({exc}); "
                "enable the rabbitmq_management plugin (scripts/brokers does)"
            ) from None
        return json.loads(raw) if raw else None

    # --- reads ---
    def require_vhost(self) -> None:
        if self.request("GET", self._path("vhosts", self.vhost), ok_missing=True) is None:
            raise NotFound(
                f"RabbitMQ has no vhost {self.vhost!r}: give the suite's vhost (--vhost, RABBITMQ_VHOST or AMQP_URI)"
            )

    def user(self, name: str) -> dict | None:
        return self.request("GET", self._path("users", name), ok_missing=True)

    def queue(self, name: str) -> dict | None:
        return self.request("GET", self._path("queues", self.vhost, name), ok_missing=True)

    def queues(self) -> list[dict]:
        return self.request("GET", self._path("queues", self.vhost)) or []

    def queue_bindings(self, name: str) -> list[dict]:
        return self.request("GET", self._path("queues", self.vhost, name, "bindings")) or []

    def definitions(self) -> dict:
        return self.request("GET", self._path("definitions", self.vhost))

    def load_definitions(self, document: dict) -> None:
        self.request("POST", self._path("definitions", self.vhost), document)

    # --- writes ---
    def put_user(self, name: str, password: str) -> None:
        self.request("PUT", self._path("users", name), {"password": password, "tags": ""})

    def put_permissions(self, user: str, permissions: dict) -> None:
        self.request("PUT", self._path("permissions", self.vhost, user), permissions)

    def put_exchange(self, name: str, kind: str) -> None:
        self.request(
            "PUT",
            self._path("exchanges", self.vhost, name),
            {"type": kind, "durable": True, "auto_delete": False, "internal": False, "arguments": {}},
        )

    def put_queue(self, name: str, arguments: dict) -> None:
        self.request(
            "PUT",
            self._path("queues", self.vhost, name),
            {"durable": True, "auto_delete": False, "arguments": arguments},
        )

    def bind(self, exchange: str, queue: str, routing_key: str) -> None:
        self.request(
            "POST",
            self._path("bindings", self.vhost, "e", exchange, "q", queue),
            {"routing_key": routing_key, "arguments": {}},
        )

    def delete_queue(self, name: str) -> None:
        self.request("DELETE", self._path("queues", self.vhost, name), ok_missing=True)

    def delete_user(self, name: str) -> None:
        self.request("DELETE", self._path("users", name), ok_missing=True)


# ------------------------------------------------------------------------------------------------
# Operations (the CLI and the gateway's bureau routes call these)
# ------------------------------------------------------------------------------------------------
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


# ------------------------------------------------------------------------------------------------
# enforcement-subscribers
# ------------------------------------------------------------------------------------------------
def main(argv=None) -> None:
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="enforcement-subscribers",
        description="Onboard outside systems to the suite's events (RabbitMQ management API: "
        "RABBITMQ_MANAGEMENT_URL, RABBITMQ_ADMIN_USER, RABBITMQ_ADMIN_PASSWORD; vhost from --vhost, "
        "RABBITMQ_VHOST or AMQP_URI).",
    )
    parser.add_argument("--vhost", help="the suite's vhost (default: RABBITMQ_VHOST, else AMQP_URI's, else /)")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create the subscriber's user, queue, bindings and dead-letter queue")
    add.add_argument("name", help=NAME_RULE)
    add.add_argument("--events", required=True, help="comma-separated event types, e.g. personnel.certificate.issued")
    commands.add_parser("list", help="list subscribers with their events and waiting messages")
    remove = commands.add_parser("remove", help="delete the subscriber's user and queues (waiting events are lost)")
    remove.add_argument("name")
    commands.add_parser("events", help="list the event types a subscriber can ask for")
    export = commands.add_parser("export-definitions", help="write a RabbitMQ definitions file")
    export.add_argument("--output", "-o", default="-", help="file to write (default: standard output)")
    export.add_argument(
        "--offline",
        action="store_true",
        help="do not ask the broker: exchanges plus the subscribers given with --subscriber",
    )
    export.add_argument(
        "--subscriber",
        action="append",
        default=[],
        metavar="NAME=TYPE,TYPE",
        help="with --offline: a subscriber to include (its user gets no password until set)",
    )
    export.add_argument(
        "--service-user",
        metavar="USER",
        help="include the services' account (full rights on the vhost); its password is read from "
        "RABBITMQ_SERVICE_PASSWORD",
    )
    args = parser.parse_args(argv)

    try:
        if args.command == "events":
            for event in all_event_types():
                print(f"{event.type:45} v{event.version}  {event.description}")
            return
        settings = ManagementSettings.from_env(vhost=args.vhost)
        api = ManagementApi(settings)
        if args.command == "add":
            created = add_subscriber(api, args.name, args.events)
            print(f"subscriber {created['name']} created in vhost {created['vhost']}")
            print(f"  user:              {created['user']}")
            print(f"  password:          {created['password']}   (shown once: give it to the subscriber now)")
            print(f"  queue:             {created['queue']}")
            print(f"  dead-letter queue: {created['dead_letter_queue']}")
            print(f"  events:            {', '.join(created['events'])}")
        elif args.command == "list":
            rows = list_subscribers(api)
            if not rows:
                print(f"no subscribers in vhost {settings.vhost}")
            for row in rows:
                print(
                    f"{row['name']:20} waiting={row['messages']:<6} dead={row['dead_letters']:<4} "
                    f"consumers={row['consumers']}  {', '.join(row['events'])}"
                    + ("" if row["user_exists"] else "  (no user!)")
                )
        elif args.command == "remove":
            remove_subscriber(api, args.name)
            print(f"subscriber {args.name} removed")
        elif args.command == "export-definitions":
            users = []
            if args.service_user:
                secret = os.environ.get("RABBITMQ_SERVICE_PASSWORD")
                if not secret:
                    sys.exit("set RABBITMQ_SERVICE_PASSWORD to the services' password for --service-user")
                users.append(DefinitionUser(args.service_user, password_hash(secret), tags="administrator"))
            if args.offline:
                subs = []
                for spec in args.subscriber:
                    name, _, types = spec.partition("=")
                    subs.append(subscriber_topology(name, types))
                document = definitions(settings.vhost, subs, users)
            else:
                document = export_definitions(api, users)
            text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
            if args.output == "-":
                sys.stdout.write(text)
            else:
                with open(args.output, "w", encoding="utf-8") as out:
                    out.write(text)
                print(
                    f"wrote {args.output}: {len(document['queues'])} queues, {len(document['bindings'])} bindings, "
                    f"{len(document['users'])} users",
                    file=sys.stderr,
                )
    except (ValidationFailed, Conflict, NotFound, Unavailable) as exc:
        sys.exit(f"enforcement-subscribers: {exc}")
