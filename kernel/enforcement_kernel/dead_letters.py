"""``enforcement-dead-letters``: list, show, re-queue and purge dead letters, over plain AMQP.

Every consuming queue ``Q`` (a service handler's ``evt-...`` queue or a subscriber's ``sub.NAME``)
has ``Q.dlq``; ``rpc-SERVICE.dlq`` holds the RPC requests a service abandoned (``enforcement_kernel.poison``), to
show and purge, never to re-queue. This command needs only ``AMQP_URI`` (no management API): it reads messages with
``basic_get``; messages it does not take (``show``, or ``--id`` not matching) are left unacknowledged
and return to the dead-letter queue, in order, when it disconnects.

``requeue`` publishes a dead letter back to its original queue (default exchange, routing key = the
queue, confirms, ``mandatory``) with the same body, message id and headers, minus the attempt
counter (the handler gets its full number of attempts again), then acknowledges it in the
dead-letter queue. The event id is unchanged, so a handler that already applied the event ignores it.
Events never carry personal data, so nothing is masked; big bodies are truncated on display.

    enforcement-dead-letters list [--queue Q ...] [--json]
    enforcement-dead-letters show --queue Q [--id EVENT_ID ...] [--limit 20] [--json]
    enforcement-dead-letters requeue --queue Q (--id EVENT_ID ... | --all)
    enforcement-dead-letters purge --queue Q (--id EVENT_ID ... | --all)
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
from datetime import datetime

from .cli import quiet_library_warnings

quiet_library_warnings()  # these are console scripts too: before nameko and eventlet are imported

from .handlers import ATTEMPTS_HEADER, ERROR_HEADER, QUEUE_HEADER

DLQ_SUFFIX = ".dlq"
BODY_LIMIT = 2000


def dead_letter_queue(queue: str) -> str:
    """``Q`` or ``Q.dlq`` -> ``Q.dlq``."""
    return queue if queue.endswith(DLQ_SUFFIX) else queue + DLQ_SUFFIX


def origin_queue(dlq: str, headers: dict | None) -> str:
    """The queue a dead letter came from: the handler's header, else the first rejection in ``x-death``,
    else the dead-letter queue's name without ``.dlq``."""
    headers = headers or {}
    if headers.get(QUEUE_HEADER):
        return str(headers[QUEUE_HEADER])
    for death in headers.get("x-death") or ():
        if isinstance(death, dict) and death.get("reason") == "rejected" and death.get("queue"):
            return str(death["queue"])
    return dlq[: -len(DLQ_SUFFIX)] if dlq.endswith(DLQ_SUFFIX) else dlq


def requeue_headers(headers: dict | None) -> dict:
    """The headers a re-queued message carries: everything but the handler's attempt bookkeeping."""
    return {k: v for k, v in (headers or {}).items() if k not in (ATTEMPTS_HEADER, QUEUE_HEADER, ERROR_HEADER)}


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def describe(dlq: str, body: bytes | str, properties: dict, headers: dict | None, body_limit: int = BODY_LIMIT) -> dict:
    """What an operator needs to see of one dead letter (pure: used by ``show`` and the tests)."""
    headers = headers or {}
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else str(body)
    envelope = None
    try:
        envelope = json.loads(text)
    except ValueError:
        pass
    deaths = [d for d in headers.get("x-death") or () if isinstance(d, dict)]
    reason = "failed" if headers.get(ERROR_HEADER) else (deaths[0].get("reason") if deaths else None)
    info = {
        "event_id": properties.get("message_id") or (envelope.get("id") if isinstance(envelope, dict) else None),
        "type": envelope.get("type") if isinstance(envelope, dict) else None,
        "time": envelope.get("time") if isinstance(envelope, dict) else None,
        "queue": origin_queue(dlq, headers),
        "reason": reason,
        "attempts": headers.get(ATTEMPTS_HEADER),
        "error": headers.get(ERROR_HEADER),
        "headers": _jsonable(headers),
        "body": text if len(text) <= body_limit else text[:body_limit] + f"... ({len(text)} characters)",
    }
    return info


def message_id(message) -> str | None:
    mid = message.properties.get("message_id")
    if mid:
        return mid
    try:
        return json.loads(message.body).get("id")
    except (ValueError, AttributeError):
        return None


def installed_handler_queues() -> list[str]:
    """The event queues of every service installed here (their names follow nameko's ``evt-...`` rule)."""
    from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

    from .handlers import ReliableEventHandler
    from .service import installed_plugins

    queues = []
    for plugin in installed_plugins().values():
        try:
            cls = plugin.load_class()
        except Exception as exc:  # a broken install should not hide the others' dead letters
            print(f"warning: cannot load {plugin.name}: {exc}", file=sys.stderr)
            continue
        for method_name, member in inspect.getmembers(cls):
            for entrypoint in getattr(member, ENTRYPOINT_EXTENSIONS_ATTR, ()):
                if isinstance(entrypoint, ReliableEventHandler):
                    queues.append(f"evt-{entrypoint.source_service}-{entrypoint.event_type}--{cls.name}.{method_name}")
        queues.append(f"rpc-{cls.name}")  # its abandoned RPC requests (enforcement_kernel.poison)
    return sorted(set(queues))


def queue_depth(channel, name: str) -> int | None:
    """Messages ready in ``name``; None when the queue does not exist."""
    from amqp.exceptions import NotFound

    try:
        _, count, _ = channel.queue_declare(queue=name, passive=True)
        return count
    except NotFound:
        return None


def _connect(amqp_uri: str, confirms: bool = False):
    from kombu import Connection

    return Connection(amqp_uri, connect_timeout=10, transport_options={"confirm_publish": True} if confirms else {})


def list_queues(amqp_uri: str, queues: list[str]) -> list[dict]:
    rows = []
    with _connect(amqp_uri) as conn:
        for queue in queues:
            dlq = dead_letter_queue(queue)
            channel = conn.channel()  # a passive declare of a missing queue closes the channel
            try:
                rows.append({"queue": dlq, "messages": queue_depth(channel, dlq)})
            finally:
                try:
                    channel.close()
                except Exception:
                    pass
    return rows


def _take(channel, dlq: str, limit: int):
    """Up to ``limit`` messages, unacknowledged (they go back unless acknowledged)."""
    taken = []
    while len(taken) < limit:
        message = channel.basic_get(dlq, no_ack=False)
        if message is None:
            break
        taken.append(message)
    return taken


def show(
    amqp_uri: str, queue: str, ids: set[str] | None = None, limit: int = 20, body_limit: int = BODY_LIMIT
) -> list[dict]:
    dlq = dead_letter_queue(queue)
    with _connect(amqp_uri) as conn:
        channel = conn.channel()
        depth = queue_depth(channel, dlq)
        if depth is None:
            raise SystemExit(f"no queue {dlq}")
        found = []
        for message in _take(channel, dlq, depth if ids else min(limit, depth)):
            mid = message_id(message)
            if ids and mid not in ids:
                continue
            found.append(describe(dlq, message.body, message.properties, message.headers, body_limit))
            if len(found) >= limit:
                break
        channel.close()  # everything read goes back to the dead-letter queue
    return found


def requeue(amqp_uri: str, queue: str, ids: set[str] | None) -> list[str]:
    """Re-publish the chosen dead letters (all when ``ids`` is None) to their original queue; returns their ids."""
    from kombu import Producer

    dlq = dead_letter_queue(queue)
    if dlq.startswith("rpc-"):
        # nobody waits for the answer any more, and the request stopped the service each time it ran
        raise SystemExit(f"{dlq} holds abandoned RPC requests: show them, then purge; they are not re-queued")
    moved = []
    with _connect(amqp_uri, confirms=True) as conn:
        channel = conn.channel()
        depth = queue_depth(channel, dlq)
        if depth is None:
            raise SystemExit(f"no queue {dlq}")
        producer = Producer(conn.channel())
        checked: set[str] = set()
        for message in _take(channel, dlq, depth):  # only what was there at the start
            mid = message_id(message)
            if ids is not None and mid not in ids:
                continue
            target = origin_queue(dlq, message.headers)
            if target not in checked:
                probe = conn.channel()  # a passive declare of a missing queue closes its channel
                if queue_depth(probe, target) is None:
                    raise SystemExit(f"the original queue {target} does not exist: nothing re-queued from there")
                probe.close()
                checked.add(target)
            properties = {
                k: v
                for k, v in message.properties.items()
                if k in ("message_id", "correlation_id", "type", "app_id", "timestamp")
            }
            producer.publish(
                message.body,
                exchange="",
                routing_key=target,
                mandatory=True,
                delivery_mode=2,
                content_type=message.content_type,
                content_encoding=message.content_encoding,
                headers=requeue_headers(message.headers),
                **properties,
            )
            channel.basic_ack(message.delivery_tag)  # only after the broker confirmed the copy
            moved.append(mid)
        channel.close()
    return moved


def purge(amqp_uri: str, queue: str, ids: set[str] | None) -> int:
    dlq = dead_letter_queue(queue)
    with _connect(amqp_uri) as conn:
        channel = conn.channel()
        depth = queue_depth(channel, dlq)
        if depth is None:
            raise SystemExit(f"no queue {dlq}")
        if ids is None:
            return channel.queue_purge(dlq) or 0
        dropped = 0
        for message in _take(channel, dlq, depth):
            if message_id(message) in ids:
                channel.basic_ack(message.delivery_tag)
                dropped += 1
        channel.close()
    return dropped


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="enforcement-dead-letters",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--amqp-uri",
        default=os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"),
        help="broker (default: $AMQP_URI)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="dead-letter queues and how many messages wait in each")
    listing.add_argument(
        "--queue",
        action="append",
        default=[],
        help="a queue (or its .dlq) besides the installed services' handler queues; repeatable",
    )
    listing.add_argument("--json", action="store_true")
    for name, text in (
        ("show", "print dead letters (envelope, reason, attempts, last error)"),
        ("requeue", "put dead letters back on their original queue"),
        ("purge", "delete dead letters"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--queue", required=True, help="the consuming queue or its .dlq")
        sub.add_argument("--id", action="append", dest="ids", help="an event id; repeatable")
        if name == "show":
            sub.add_argument("--limit", type=int, default=20)
            sub.add_argument("--body-limit", type=int, default=BODY_LIMIT, help="characters of each body shown")
            sub.add_argument("--json", action="store_true")
        else:
            sub.add_argument("--all", action="store_true", help="every message in the dead-letter queue")
    return parser


def _list_command(args, ids) -> None:
    queues = sorted(
        set(installed_handler_queues()) | {q[: -len(DLQ_SUFFIX)] if q.endswith(DLQ_SUFFIX) else q for q in args.queue}
    )
    rows = list_queues(args.amqp_uri, queues)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for row in rows:
        print(f"{'absent' if row['messages'] is None else row['messages']:>8}  {row['queue']}")


def _show_command(args, ids) -> None:
    found = show(args.amqp_uri, args.queue, ids, args.limit, args.body_limit)
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return
    for info in found:
        print(
            f"event {info['event_id']}  {info['type']}  {info['time']}\n"
            f"  from {info['queue']}: {info['reason']}, attempts {info['attempts']}"
            + (f"\n  last error: {info['error']}" if info["error"] else "")
            + f"\n  headers: {json.dumps(info['headers'], ensure_ascii=False)}\n  body: {info['body']}\n"
        )
    print(f"{len(found)} shown")


def _requeue_command(args, ids) -> None:
    moved = requeue(args.amqp_uri, args.queue, ids)
    missing = sorted(ids - set(moved)) if ids else []
    print(f"re-queued {len(moved)}: {', '.join(m or '?' for m in moved)}")
    if missing:
        sys.exit(f"not found in {dead_letter_queue(args.queue)}: {', '.join(missing)}")


def _purge_command(args, ids) -> None:
    print(f"purged {purge(args.amqp_uri, args.queue, ids)} from {dead_letter_queue(args.queue)}")


COMMANDS = {"list": _list_command, "show": _show_command, "requeue": _requeue_command, "purge": _purge_command}


def main(argv=None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command in ("requeue", "purge") and bool(args.ids) == bool(args.all):
        parser.error(f"{args.command}: give --id (one or more) or --all")
    ids = set(args.ids) if getattr(args, "ids", None) else None
    COMMANDS[args.command](args, ids)


if __name__ == "__main__":
    main()
