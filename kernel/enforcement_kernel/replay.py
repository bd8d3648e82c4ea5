"""Replay: re-deliver a producer's past events from its outbox history to one queue.

A subscriber that joined late or lost its data asks for every event of some types since a point in
time. The producer sends its sent outbox rows (the history; pruned after ``OUTBOX.keep_sent_days``)
with their ORIGINAL envelopes and ids, oldest first, straight to the named queue through the
default exchange (routing key = queue name): nobody else receives them. Publisher confirms and
``mandatory``: a queue deleted half-way is an error, not silence. Idempotent consumers (the
kernel's handlers, or any subscriber that keeps the ids it saw) ignore what they already have.

Times are ISO 8601; one without an offset is UTC (the outbox stores naive UTC). The window is
``since <= created_at < until``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from .cli import quiet_library_warnings

quiet_library_warnings()  # these are console scripts too: before nameko and eventlet are imported

from amqp.exceptions import NotFound as AmqpNotFound
from kombu import Connection
from nameko.amqp.publish import Publisher, UndeliverableMessage
from sqlalchemy import select

from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_contracts.events import REGISTRY, all_event_types

from .db import OutboxRow
from .outbox import HISTORY

log = logging.getLogger(__name__)

REPLAY_HEADER = "x-enforcement-replay"  # set on re-delivered copies, so a subscriber can tell them apart


@dataclass(frozen=True)
class ReplayRequest:
    queue: str
    event_types: tuple[str, ...]
    since: datetime  # naive UTC
    until: datetime | None  # naive UTC, exclusive


def parse_time(value) -> datetime:
    """An ISO 8601 date or date-time as naive UTC (no offset means UTC already)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        moment = datetime.fromisoformat(text)  # raises ValueError
    else:
        raise ValueError("not a date-time")
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def parse_request(source: str, queue, event_types, since, until=None) -> ReplayRequest:
    """Validate a replay request for the producer ``source``; ``ValidationFailed`` names every bad field."""
    all_event_types()  # every contract module registered
    errors: dict[str, list[str]] = {}
    if not isinstance(queue, str) or not queue.strip():
        errors["queue"] = ["name the queue to deliver to"]
    if isinstance(event_types, str):
        event_types = list(event_types.split(","))
    types = tuple(dict.fromkeys(t.strip() for t in event_types or () if isinstance(t, str) and t.strip()))
    if not types:
        errors["event_types"] = ["name at least one event type"]
    else:
        unknown = [t for t in types if t not in REGISTRY]
        foreign = [t for t in types if t in REGISTRY and REGISTRY[t].source != source]
        messages = []
        if unknown:
            messages.append(f"unknown event type: {', '.join(unknown)}")
        if foreign:
            messages.append(f"not published by {source}: {', '.join(foreign)}")
        if messages:
            errors["event_types"] = messages
    start = end = None
    try:
        start = parse_time(since)
    except (TypeError, ValueError):
        errors["since"] = ["must be an ISO 8601 date or date-time"]
    if until is not None:
        try:
            end = parse_time(until)
        except (TypeError, ValueError):
            errors["until"] = ["must be an ISO 8601 date or date-time"]
    if start is not None and end is not None and end <= start:
        errors["until"] = ["must be after since"]
    if errors:
        raise ValidationFailed("invalid replay request", errors)
    return ReplayRequest(queue=queue.strip(), event_types=types, since=start, until=end)


def require_queue(amqp_uri: str, queue: str) -> None:
    """A passive declare: the queue must exist (replay never creates one)."""
    with Connection(amqp_uri, connect_timeout=5) as conn:
        try:
            conn.default_channel.queue_declare(queue=queue, passive=True)
        except AmqpNotFound:
            raise ValidationFailed(
                f"queue {queue!r} does not exist", {"queue": ["no such queue on the broker"]}
            ) from None


def history_query(request: ReplayRequest, after_id: int, batch: int):
    """The next ``batch`` history rows (sent, or unrouted for want of a subscriber) of the requested types in the
    window, in creation order."""
    query = (
        select(OutboxRow.id, OutboxRow.event_id, OutboxRow.body)
        .where(
            OutboxRow.status.in_(HISTORY),
            OutboxRow.event_type.in_(request.event_types),
            OutboxRow.created_at >= request.since,
            OutboxRow.id > after_id,
        )
        .order_by(OutboxRow.id)
        .limit(batch)
    )
    if request.until is not None:
        query = query.where(OutboxRow.created_at < request.until)
    return query


def replay(sessionmaker, amqp_uri: str, request: ReplayRequest, batch: int = 500) -> int:
    """Publish every matching history row to ``request.queue``; returns how many the broker confirmed."""
    require_queue(amqp_uri, request.queue)
    publisher = Publisher(amqp_uri, use_confirms=True, mandatory=True)
    sent, last_id = 0, 0
    while True:
        with sessionmaker() as session:
            rows = session.execute(history_query(request, last_id, batch)).all()
        if not rows:
            break
        for row in rows:
            try:
                publisher.publish(
                    row.body,
                    exchange="",
                    routing_key=request.queue,
                    message_id=row.event_id,
                    serializer="json",
                    headers={REPLAY_HEADER: True},
                    retry=True,
                    retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 2},
                )
            except UndeliverableMessage:
                raise Conflict(
                    f"queue {request.queue!r} disappeared during the replay after {sent} events",
                    {"queue": ["no longer exists"]},
                ) from None
            sent += 1
        last_id = rows[-1].id
    log.info(
        "replayed %d events of %s since %s to %s",
        sent,
        ", ".join(request.event_types),
        request.since.isoformat(),
        request.queue,
    )
    return sent


def plan(event_types: list[str]) -> dict[str, list[str]]:
    """The producing service of each type (the type's source prefix); ``ValueError`` names unknown types."""
    all_event_types()
    unknown = [t for t in event_types if t not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown event type: {', '.join(unknown)}")
    by_source: dict[str, list[str]] = {}
    for name in dict.fromkeys(event_types):
        by_source.setdefault(REGISTRY[name].source, []).append(name)
    return by_source


def _parser():
    import argparse
    import os

    parser = argparse.ArgumentParser(
        prog="enforcement-replay",
        description="Re-deliver past events from their producers' history to one existing queue,"
        " with their original ids.",
    )
    parser.add_argument("--queue", required=True, help="the queue to deliver to (e.g. sub.credit); must exist")
    parser.add_argument("--types", required=True, help="comma-separated event types, e.g. personnel.officer.registered")
    parser.add_argument("--since", required=True, help="ISO 8601 date or date-time; no offset means UTC")
    parser.add_argument("--until", help="exclusive end, same format (default: now)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for each producer (default 600)")
    parser.add_argument(
        "--amqp-uri",
        default=os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"),
        help="broker (default: $AMQP_URI)",
    )
    return parser


def _replay_all(args, by_source: dict[str, list[str]]) -> tuple[int, bool]:
    """Ask each producer in turn; (events re-delivered, whether any producer failed)."""
    import sys

    from nameko.exceptions import RpcTimeout, UnknownService
    from nameko.standalone.rpc import ClusterRpcProxy

    from enforcement_contracts.errors import ServiceError

    from . import rpc  # noqa: F401  (rebuilds ValidationFailed & co. on this side)

    total, failed = 0, False
    with ClusterRpcProxy({"AMQP_URI": args.amqp_uri}, timeout=args.timeout) as cluster:
        for source, names in by_source.items():
            try:
                sent = getattr(cluster, source).replay_events(args.queue, names, args.since, args.until)
            except ServiceError as exc:
                fields = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in (exc.fields or {}).items())
                print(f"{source}: {exc.message}" + (f" ({fields})" if fields else ""), file=sys.stderr)
                failed = True
                continue
            except (RpcTimeout, UnknownService) as exc:
                print(f"{source}: did not answer ({type(exc).__name__}: {exc}); is it running?", file=sys.stderr)
                failed = True
                continue
            total += sent
            print(f"{source}: {sent} events ({', '.join(names)}) re-delivered to {args.queue}")
    return total, failed


def main(argv=None) -> None:
    """``enforcement-replay --queue Q --types a.b,c.d --since 2026-11-01T00:00 [--until ...]``"""
    import sys

    parser = _parser()
    args = parser.parse_args(argv)
    types = [t.strip() for t in args.types.split(",") if t.strip()]
    try:
        by_source = plan(types)
    except ValueError as exc:
        parser.error(str(exc))
    for option, value in (("--since", args.since), ("--until", args.until)):
        try:
            if value is not None:
                parse_time(value)
        except ValueError:
            parser.error(f"{option}: not an ISO 8601 date or date-time: {value!r}")
    total, failed = _replay_all(args, by_source)
    print(f"total: {total}")
    if failed:
        sys.exit(1)
