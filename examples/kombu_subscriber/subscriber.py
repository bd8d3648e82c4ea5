#!/usr/bin/env python3
"""A plain-kombu subscriber of the enforcement suite's events: copy it and change ``handle``.

    pip install kombu enforcement-contracts     # the contracts package needs no nameko
    AMQP_URI=amqp://sub-credit:<password>@broker:5672/ python subscriber.py --queue sub.credit

What it does, and why:
- consumes the queue the bureau created for you (``enforcement-subscribers add``); it declares
  nothing, because your user may only read that queue;
- validates the envelope (CloudEvents attributes) and the payload against the published contract;
- remembers every event id it handled in a SQLite file, in the same transaction as your effect:
  RabbitMQ delivers at least once and a replay re-sends old events with their original ids, so a
  duplicate is acknowledged and skipped;
- acknowledges only after the transaction committed (a crash before that redelivers the event);
- rejects a message it can never handle (not JSON, bad envelope, unknown type, invalid payload)
  without requeueing: RabbitMQ moves it to ``<queue>.dlq`` for a person to look at, instead of
  redelivering it forever.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sqlite3
import sys
import time

from kombu import Connection, Consumer, Queue
from marshmallow import ValidationError

from enforcement_contracts.events import Envelope, all_event_types

log = logging.getLogger("subscriber")
EVENT_TYPES = {event.type: event for event in all_event_types()}


class BadMessage(Exception):
    """A message that will never be handled, however often it is delivered."""


def open_store(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)  # explicit BEGIN/COMMIT below
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS processed_events (id TEXT PRIMARY KEY, type TEXT NOT NULL, "
        "received_at REAL NOT NULL)"
    )
    # this example's "effect": keep the events; replace with what your system needs
    db.execute(
        "CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, type TEXT NOT NULL, subject TEXT, "
        "time TEXT NOT NULL, data TEXT NOT NULL)"
    )
    return db


def parse(body) -> tuple[Envelope, dict]:
    """The envelope and the validated payload, or ``BadMessage`` saying what is wrong."""
    try:
        raw = json.loads(body) if isinstance(body, (bytes, str)) else body
    except ValueError as exc:
        raise BadMessage(f"not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise BadMessage("not a JSON object")
    try:
        envelope = Envelope.from_dict(raw)
    except ValidationError as exc:
        raise BadMessage(f"invalid envelope: {exc.messages}") from None
    event_type = EVENT_TYPES.get(envelope.type)
    if event_type is None:
        raise BadMessage(f"unknown event type {envelope.type}")
    if envelope.schemaversion > event_type.version:
        raise BadMessage(
            f"{envelope.type} version {envelope.schemaversion} is newer than this subscriber knows "
            f"({event_type.version}): upgrade enforcement-contracts"
        )
    try:
        data = event_type.load(envelope.data)
    except ValidationError as exc:
        raise BadMessage(f"invalid {envelope.type} payload: {sorted(exc.messages)}") from None
    return envelope, data


def handle(db: sqlite3.Connection, envelope: Envelope, data: dict) -> None:
    """Your effect, inside the transaction that also records the event id. Here: store the event."""
    db.execute(
        "INSERT INTO events (id, type, subject, time, data) VALUES (?, ?, ?, ?, ?)",
        (envelope.id, envelope.type, envelope.subject, envelope.time, json.dumps(envelope.data)),
    )


def process(db: sqlite3.Connection, body) -> str:
    """'processed' or 'duplicate'; raises ``BadMessage``. Commits before returning."""
    envelope, data = parse(body)
    db.execute("BEGIN IMMEDIATE")
    try:
        seen = db.execute("SELECT 1 FROM processed_events WHERE id = ?", (envelope.id,)).fetchone()
        if seen:
            db.execute("ROLLBACK")
            log.info("duplicate %s %s skipped", envelope.type, envelope.id)
            return "duplicate"
        db.execute(
            "INSERT INTO processed_events (id, type, received_at) VALUES (?, ?, ?)",
            (envelope.id, envelope.type, time.time()),
        )
        handle(db, envelope, data)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    log.info("processed %s %s", envelope.type, envelope.id)
    return "processed"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Consume the suite's events from your subscriber queue.")
    parser.add_argument("--queue", required=True, help="your queue, sub.<name>")
    parser.add_argument(
        "--amqp-uri",
        default=os.environ.get("AMQP_URI"),
        help="amqp://sub-<name>:<password>@host:5672/<vhost> (default: $AMQP_URI)",
    )
    parser.add_argument("--store", default="subscriber.sqlite3", help="SQLite file of handled event ids")
    parser.add_argument(
        "--idle-exit",
        type=float,
        default=0,
        help="exit after this many seconds without a message (0: run until stopped)",
    )
    parser.add_argument("--prefetch", type=int, default=20)
    args = parser.parse_args(argv)
    if not args.amqp_uri:
        parser.error("give --amqp-uri or set AMQP_URI")
    return args


def consume(args, db) -> None:
    """Handle messages until SIGTERM/SIGINT (or ``--idle-exit`` seconds without one)."""
    stopping = False

    def stop(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def on_message(message):
        try:
            process(db, message.body)
        except BadMessage as exc:
            log.error("rejected to the dead-letter queue: %s", exc)
            message.reject(requeue=False)
            return
        message.ack()  # only after the commit: a crash before this redelivers, and the dedupe skips it

    # no_declare: the bureau declared the queue; your user has no right to (re)declare or bind it
    queue = Queue(args.queue, no_declare=True)
    with Connection(args.amqp_uri, heartbeat=30) as conn:
        conn.ensure_connection(max_retries=5)
        # on_message gets the raw message: a body that is not JSON is ours to reject, not kombu's to raise on
        with Consumer(conn, queues=[queue], on_message=on_message, prefetch_count=args.prefetch):
            idle_since = time.monotonic()
            while not stopping:
                try:
                    conn.drain_events(timeout=1)
                    idle_since = time.monotonic()
                except TimeoutError:
                    conn.heartbeat_check()
                    if args.idle_exit and time.monotonic() - idle_since >= args.idle_exit:
                        break


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    db = open_store(args.store)
    try:
        consume(args, db)
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
