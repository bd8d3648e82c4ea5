"""``enforcement-subscribers add|list|remove|events|export-definitions``: onboard outside systems to the events.

The RabbitMQ management API is reached with ``RABBITMQ_MANAGEMENT_URL``, ``RABBITMQ_ADMIN_USER`` and
``RABBITMQ_ADMIN_PASSWORD``; the vhost comes from ``--vhost``, ``RABBITMQ_VHOST`` or ``AMQP_URI``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from enforcement_contracts.errors import Conflict, NotFound, Unavailable, ValidationFailed
from enforcement_contracts.events import all_event_types

from .rabbitmq_management import ManagementApi, ManagementSettings
from .subscriber_definitions import DefinitionUser, definitions, export_definitions, password_hash
from .subscribers import NAME_RULE, add_subscriber, list_subscribers, remove_subscriber, subscriber_topology


def _parser() -> argparse.ArgumentParser:
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
    return parser


def _events() -> None:
    for event in all_event_types():
        print(f"{event.type:45} v{event.version}  {event.description}")


def _add(api: ManagementApi, args) -> None:
    created = add_subscriber(api, args.name, args.events)
    print(f"subscriber {created['name']} created in vhost {created['vhost']}")
    print(f"  user:              {created['user']}")
    print(f"  password:          {created['password']}   (shown once: give it to the subscriber now)")
    print(f"  queue:             {created['queue']}")
    print(f"  dead-letter queue: {created['dead_letter_queue']}")
    print(f"  events:            {', '.join(created['events'])}")


def _list(api: ManagementApi, args) -> None:
    rows = list_subscribers(api)
    if not rows:
        print(f"no subscribers in vhost {api.vhost}")
    for row in rows:
        print(
            f"{row['name']:20} waiting={row['messages']:<6} dead={row['dead_letters']:<4} "
            f"consumers={row['consumers']}  {', '.join(row['events'])}" + ("" if row["user_exists"] else "  (no user!)")
        )


def _remove(api: ManagementApi, args) -> None:
    remove_subscriber(api, args.name)
    print(f"subscriber {args.name} removed")


def _export(api: ManagementApi, args) -> None:
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
        document = definitions(api.vhost, subs, users)
    else:
        document = export_definitions(api, users)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
        return
    with open(args.output, "w", encoding="utf-8") as out:
        out.write(text)
    print(
        f"wrote {args.output}: {len(document['queues'])} queues, {len(document['bindings'])} bindings, "
        f"{len(document['users'])} users",
        file=sys.stderr,
    )


COMMANDS = {"add": _add, "list": _list, "remove": _remove, "export-definitions": _export}


def main(argv=None) -> None:
    args = _parser().parse_args(argv)
    try:
        if args.command == "events":
            _events()
            return
        api = ManagementApi(ManagementSettings.from_env(vhost=args.vhost))
        COMMANDS[args.command](api, args)
    except (ValidationFailed, Conflict, NotFound, Unavailable) as exc:
        sys.exit(f"enforcement-subscribers: {exc}")
