"""Outbox relay benchmark (issue #14, point 3): how soon a committed event reaches a subscriber, and how fast the relay
drains a backlog compared with a raw kombu publisher.

What. The kernel's ``OutboxRelay`` runs in a real nameko ``ServiceContainer`` of a small service (``relaybench``:
the kernel's ``Database`` and ``OutboxRelay``, nothing else) on PostgreSQL (default, a fresh database) or SQLite
(``--sqlite``). A plain kombu subscriber (a process of its own) consumes a queue bound to ``relaybench.events``.

How, in one invocation (same machine load for every figure):
1. In-process latency: this process commits ``--events`` single-event transactions, one every ``--interval``
   seconds, through the container's ``Database`` (as a worker does); latency = the subscriber's delivery time minus
   the commit time (wall clocks of one machine).
2. Cross-process latency (PostgreSQL only): another process commits the same way through a replica whose relay is
   off, so only ``LISTEN``/``NOTIFY`` can wake this relay. The relay's poll is 30 s here: a delivery in
   milliseconds was woken, not polled. (SQLite serves one process per file: there is no other replica.)
3. Throughput, in ``--rounds`` alternating rounds (the machine's load changes by the minute): ``--backlog``/rounds
   rows committed while no relay runs, then a fresh relay container (default settings, batch 500) drains them;
   seconds from its start until no row is pending. Before or after it (in turn), a raw kombu publisher with
   publisher confirms (persistent, mandatory, one message at a time as the relay publishes, bodies of the rows' own
   size) publishes as many messages to the same exchange. Events/s of each side over all rounds, and their ratio.

Bars: p50 latency <= 50 ms (both paths); relay throughput >= 0.7x the raw publisher's. Exit 1 when one is missed or
an event was lost. RabbitMQ vhost and database of its own, dropped at the end.

    .venv/bin/python bench/relay.py [--sqlite] [--events 500] [--interval 0.02] [--backlog 20000] [--rounds 4]
"""

from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from contextlib import ExitStack  # noqa: E402
from pathlib import Path  # noqa: E402

from marshmallow import Schema, fields  # noqa: E402

from enforcement_contracts.events import EventType  # noqa: E402
from enforcement_kernel.db import Database, KernelBase, make_engine  # noqa: E402
from enforcement_kernel.outbox import OutboxRelay  # noqa: E402

SERVICE = "relaybench"
QUEUE = "relaybench-subscriber"
LATENCY_BAR_MS = 50.0
THROUGHPUT_BAR = 0.7


class TickSchema(Schema):
    seq = fields.Integer(required=True)
    phase = fields.String(required=True)
    note = fields.String(required=True)


TICK = EventType(SERVICE, "tick", TickSchema)
NOTE = "案件已登记，待审核" * 8  # a payload of an ordinary event's size (the envelope is about 600 bytes)


class RelayBench:
    name = SERVICE
    db = Database()
    outbox = OutboxRelay()


def container(url: str, amqp: str, relay: bool, poll: float = 1.0):
    from nameko.containers import ServiceContainer

    config = {"AMQP_URI": amqp, "DATABASE_URL": url, "max_workers": 4, "OUTBOX": {"relay": relay, "poll_seconds": poll}}
    c = ServiceContainer(RelayBench, config)
    c.start()
    return c


def database(c):
    return next(d for d in c.dependencies if d.attr_name == "db")


def commit_paced(c, phase: str, n: int, interval: float) -> dict[int, float]:
    """``n`` single-event transactions at a steady pace; {seq: wall time when its commit returned}."""
    db, committed = database(c), {}
    start = time.monotonic()
    for seq in range(n):
        eventlet.sleep(max(0.0, start + seq * interval - time.monotonic()))
        with db.transaction() as tx:
            tx.emit(TICK, {"seq": seq, "phase": phase, "note": NOTE})
        committed[seq] = time.time()
    return committed


# --- the subscriber and the other committer, each a process of its own ------------------------------------------
def subscribe(amqp: str, out: str) -> None:
    """Consume QUEUE; write "phase seq time" per delivery of the latency phases, a count for the rest."""
    from kombu import Connection, Consumer, Exchange, Queue

    exchange = Exchange(f"{SERVICE}.events", type="topic", durable=True)
    queue = Queue(QUEUE, exchange=exchange, routing_key="#", durable=True)
    counts: dict[str, int] = {}
    with Connection(amqp) as conn, open(out, "w", encoding="utf-8") as log:

        def on_message(body, message):
            received = time.time()
            data = json.loads(body)["data"] if isinstance(body, (str, bytes)) else body.get("data", {})
            phase = data.get("phase", "raw")
            counts[phase] = counts.get(phase, 0) + 1
            if phase in ("in-process", "cross-process"):
                log.write(f"{phase} {data['seq']} {received:.6f}\n")
                log.flush()
            message.ack()

        channel = conn.channel()
        exchange(channel).declare()
        queue(channel).declare()
        queue(channel).purge()
        with Consumer(channel, [queue], callbacks=[on_message], accept=["json"], prefetch_count=500):
            print("ready", flush=True)
            while True:
                try:
                    conn.drain_events(timeout=1)
                except TimeoutError:
                    pass
                except KeyboardInterrupt:
                    break
                if os.path.exists(out + ".stop"):
                    break
    Path(out + ".counts").write_text(json.dumps(counts))


def commit_elsewhere(url: str, amqp: str, n: int, interval: float, out: str) -> None:
    """A replica whose relay is off commits ``n`` events; writes {seq: commit time}."""
    c = container(url, amqp, relay=False)
    try:
        committed = commit_paced(c, "cross-process", n, interval)
    finally:
        c.stop()
    Path(out).write_text(json.dumps(committed))


# --- measurements ---------------------------------------------------------------------------------------------------
def latencies(sub_log: str, phase: str, committed: dict, wait: float = 15.0) -> dict:
    deadline = time.monotonic() + wait
    while True:
        delivered = {}
        for line in Path(sub_log).read_text(encoding="utf-8").splitlines():
            p, seq, at = line.split()
            if p == phase:
                delivered.setdefault(int(seq), float(at))
        if len(delivered) >= len(committed) or time.monotonic() > deadline:
            break
        eventlet.sleep(0.2)
    ms = sorted((delivered[int(s)] - t) * 1000 for s, t in committed.items() if int(s) in delivered)
    return {
        "events": len(committed),
        "lost": len(committed) - len(ms),
        "p50_ms": statistics.median(ms) if ms else float("nan"),
        "p99_ms": ms[min(len(ms) - 1, int(len(ms) * 0.99))] if ms else float("nan"),
        "max_ms": ms[-1] if ms else float("nan"),
    }


def fill_backlog(c, n: int, per_tx: int = 500) -> None:
    db = database(c)
    for first in range(0, n, per_tx):
        with db.transaction() as tx:
            for seq in range(first, min(n, first + per_tx)):
                tx.emit(TICK, {"seq": seq, "phase": "backlog", "note": NOTE})


def pending(engine) -> int:
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM outbox_events WHERE status != 'sent'")).scalar_one()


def relay_drain(url: str, amqp: str, n: int) -> dict:
    engine = make_engine(url, pool_size=2)
    try:
        started = time.monotonic()
        c = container(url, amqp, relay=True)  # default settings: batch 100, poll 1 s
        try:
            while pending(engine):
                eventlet.sleep(0.25)
            seconds = time.monotonic() - started
        finally:
            c.stop()
    finally:
        engine.dispose()
    return {"events": n, "seconds": seconds, "per_second": n / seconds}


def raw_publish(url: str, amqp: str, n: int) -> dict:
    """A raw kombu publisher with confirms: persistent, mandatory, one at a time, the outbox rows' own bodies."""
    from kombu import Connection, Exchange, Producer
    from sqlalchemy import text

    engine = make_engine(url, pool_size=2)
    with engine.connect() as conn:
        body = conn.execute(text("SELECT body FROM outbox_events ORDER BY id DESC LIMIT 1")).scalar_one()
    engine.dispose()
    body = body if isinstance(body, dict) else json.loads(body)
    body["data"]["phase"] = "raw"
    exchange = Exchange(f"{SERVICE}.events", type="topic", durable=True)
    with Connection(amqp, transport_options={"confirm_publish": True}) as conn:
        producer = Producer(conn.channel(), exchange=exchange, serializer="json")
        started = time.monotonic()
        for seq in range(n):
            producer.publish(
                body, routing_key=TICK.routing_key, delivery_mode=2, mandatory=True, message_id=f"raw-{seq}"
            )
        seconds = time.monotonic() - started
    return {"events": n, "seconds": seconds, "per_second": n / seconds, "body_bytes": len(json.dumps(body))}


# --- setup and the run ----------------------------------------------------------------------------------------------
def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True)


def run(args) -> int:
    from enforcement_testing import fresh_postgres_database

    vhost = f"enf-bench-relay-{os.getpid()}"
    rabbitmqctl("add_vhost", vhost)
    amqp = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    results: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": "SQLite" if args.sqlite else "PostgreSQL",
    }
    with tempfile.TemporaryDirectory(prefix="relaybench-") as tmp, ExitStack() as stack:
        stack.callback(rabbitmqctl, "delete_vhost", vhost)
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        url = f"sqlite:///{tmp}/relaybench.db" if args.sqlite else stack.enter_context(fresh_postgres_database())
        engine = make_engine(url)
        KernelBase.metadata.create_all(engine)
        engine.dispose()

        sub_log = f"{tmp}/subscriber.log"
        subscriber = subprocess.Popen(
            [sys.executable, __file__, "_subscribe", amqp, sub_log], stdout=subprocess.PIPE, text=True
        )
        stack.callback(subscriber.wait, 30)
        stack.callback(Path(sub_log + ".stop").touch)
        if subscriber.stdout.readline().strip() != "ready":
            raise SystemExit("the subscriber did not start")

        # 1 and 2: latency, the relay polling only every 30 s
        relaying = container(url, amqp, relay=True, poll=30.0)
        try:
            eventlet.sleep(1.0)
            committed = commit_paced(relaying, "in-process", args.events, args.interval)
            results["in_process"] = latencies(sub_log, "in-process", committed)
            if not args.sqlite:
                out = f"{tmp}/committed.json"
                other = subprocess.Popen(
                    [sys.executable, __file__, "_commit", url, amqp, str(args.events), str(args.interval), out]
                )
                if other.wait(timeout=args.events * args.interval + 120) != 0:
                    raise SystemExit("the committing process failed")
                committed = json.loads(Path(out).read_text())
                results["cross_process"] = latencies(sub_log, "cross-process", committed)
        finally:
            relaying.stop()

        # 3: throughput, the relay draining a backlog, then a raw publisher, in alternating rounds (same load)
        rounds, per_round = [], args.backlog // args.rounds
        for i in range(args.rounds):
            writer = container(url, amqp, relay=False)
            try:
                fill_backlog(writer, per_round)
            finally:
                writer.stop()
            measured = {}
            for side in ("relay", "raw") if i % 2 == 0 else ("raw", "relay"):  # neither always goes first
                measured[side] = (relay_drain if side == "relay" else raw_publish)(url, amqp, per_round)
            rounds.append(measured)
        for side in ("relay", "raw"):
            events, seconds = sum(r[side]["events"] for r in rounds), sum(r[side]["seconds"] for r in rounds)
            results[side] = {"events": events, "seconds": seconds, "per_second": events / seconds}
        results["raw"]["body_bytes"] = rounds[0]["raw"]["body_bytes"]
        results["round_ratios"] = [r["relay"]["per_second"] / r["raw"]["per_second"] for r in rounds]
        results["ratio"] = results["relay"]["per_second"] / results["raw"]["per_second"]

        Path(sub_log + ".stop").touch()
        subscriber.wait(timeout=30)
        results["subscriber_counts"] = json.loads(Path(sub_log + ".counts").read_text())
    results["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return report(results, args)


def report(results: dict, args) -> int:
    print(f"Outbox relay benchmark, {results['database']}, {results['date']}, {results['machine']}")
    print(f"load average after the run: {results['load_average']}")
    failures = []
    for key, label in (("in_process", "in-process commit"), ("cross_process", "commit in another process")):
        if key not in results:
            continue
        r = results[key]
        print(
            f"latency, {label}: {r['events']} events, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
            f"max {r['max_ms']:.1f} ms, lost {r['lost']}"
        )
        if r["lost"]:
            failures.append(f"{label}: {r['lost']} events not delivered")
        if not r["p50_ms"] <= LATENCY_BAR_MS:
            failures.append(f"{label}: p50 {r['p50_ms']:.1f} ms > {LATENCY_BAR_MS:.0f} ms")
    relay, raw = results["relay"], results["raw"]
    print(f"relay draining {relay['events']} rows: {relay['seconds']:.1f} s, {relay['per_second']:.0f} events/s")
    print(
        f"raw kombu, confirms, persistent, {raw['body_bytes']} B: {raw['seconds']:.1f} s, "
        f"{raw['per_second']:.0f} events/s"
    )
    rounds = ", ".join(f"{r:.2f}" for r in results["round_ratios"])
    print(f"ratio {results['ratio']:.2f} (bar >= {THROUGHPUT_BAR}); by round: {rounds}")
    print(f"subscriber received: {results['subscriber_counts']}")
    if results["ratio"] < THROUGHPUT_BAR:
        failures.append(f"throughput ratio {results['ratio']:.2f} < {THROUGHPUT_BAR}")
    if results["subscriber_counts"].get("backlog", 0) < relay["events"]:
        failures.append("the subscriber did not receive every backlog event")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print("PASS" if not failures else "FAIL: " + "; ".join(failures))
    return 1 if failures else 0


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_subscribe":
        return subscribe(*sys.argv[2:4])
    if len(sys.argv) > 1 and sys.argv[1] == "_commit":
        url, amqp, n, interval, out = sys.argv[2:7]
        return commit_elsewhere(url, amqp, int(n), float(interval), out)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of a fresh PostgreSQL database")
    parser.add_argument("--events", type=int, default=500, help="single-event transactions per latency figure")
    parser.add_argument("--interval", type=float, default=0.02, help="seconds between those commits")
    parser.add_argument("--backlog", type=int, default=20000, help="rows the relay drains")
    parser.add_argument("--rounds", type=int, default=4, help="alternating relay/raw rounds the backlog is split in")
    parser.add_argument("--json", help="also write the results to this file")
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
