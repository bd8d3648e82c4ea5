"""Two replicas of personnel behind one gateway (issue #14, point 5): throughput, and nothing processed twice.

What: personnel on a fresh PostgreSQL database and one gateway (its own PostgreSQL database), first with ONE
`enforcement-run personnel` process, then with TWO on the same database and the same RabbitMQ vhost (the broker
spreads the `rpc-personnel` queue between their consumers), then with one again (the second stopped: the background
load of a shared machine drifts, so two are compared with the mean of one before and after). In the same run, with
wrk as `loadgen` runs it (20 connections, a 2 s warm-up, medians of rounds): GET one officer, and PATCH one officer
with a real change each time (a new `position` per request, spread over 20 officers so that row locks on one officer
do not serialise the writers). It also reads the CPU time the gateway and each replica spent per request
(/proc/<pid>/stat over the rounds).

How nothing is processed twice is shown:
- a plain kombu subscriber (a queue of its own bound to `personnel.events`, `#`) records every delivery from before
  the first load to the end; after the loads the outbox holds exactly one `officer.updated` row per changing PATCH
  answered 200 (each answer's `position` is found once; wrk's last in-flight requests of a round are applied but
  their answers not read: listed apart), and the subscriber saw every outbox event id, none twice (the two relays
  claim rows with `FOR UPDATE SKIP LOCKED`);
- during the two-replica write load, training events personnel consumes (`training.exam.passed`,
  `training.hours.updated`: `@consumes` in services/personnel) are published straight to `training.events`, each
  twice with the same id (a redelivery): `processed_events` has one row per (handler, event id), `exam_results` one
  row per result, and the replicas' `enforcement_events_handled_total` count each event once `ok`, its copy
  `duplicate`;
- the timers: personnel's `announce_expired_certificates` (500 per tick) and `watch_deadlines` run at start in both
  replicas (`eager`). Before the two start together, 600 officers with an expired certificate and an application
  pending for 200 days are written in SQL: exactly 600 `certificate.expired` and 600 `deadline.missed` events must
  follow, one per certificate and application.

The bar: total throughput with two replicas is not lower than with one (ratio 2/1 >= 1.0 for GET and for PATCH; on a
2-core machine with the gateway, wrk and PostgreSQL on the same cores it will not double), and every duplicate count
above is 0. It also measures bytes per row (`pg_total_relation_size` / rows) of the tables the sizing in
docs/scaling.md needs, including 20,000 cases filled as bench/cases_stats.py fills them. Exit 1 when a bar is missed.

    .venv/bin/python bench/replicas.py [--seconds 10] [--rounds 3] [--cycles 1] [--json FILE] [--keep-logs DIR]
        [--personnel-config FILE]

``--cycles 2`` adds two more phases (two replicas, then one) and compares the means of the phases of each kind.

Needs wrk, RabbitMQ on 127.0.0.1:5672 (guest) with `rabbitmqctl`, PostgreSQL on 127.0.0.1:5432 (trust auth); a vhost
and databases of its own, dropped at the end. About 4 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import loadgen
from cases_stats import admin_connection

BIN = Path(sys.executable).parent
AGENCY = "140928-scjgj"
OFFICERS = 20  # registered over HTTP; the PATCH load spreads over them
TIMER_ROWS = 600  # expired certificates and overdue applications written before the two replicas start
EVENT_PAIRS = 40  # training events published twice each during the two-replica write load
CASES_FOR_SIZE = 20_000
PASSWORD = "bench-replicas-password"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- infrastructure -------------------------------------------------------------------------------------------------
class Databases:
    """Fresh PostgreSQL databases named after this run, dropped (WITH FORCE) at the end."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.names: list[str] = []
        conn, url = admin_connection()
        conn.close()
        self.base = url.rsplit("/", 1)[0]

    def create(self, what: str) -> str:
        name = f"{self.prefix}_{what}"
        conn, _ = admin_connection()
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        self.names.append(name)
        return f"{self.base}/{name}"

    def drop_all(self) -> None:
        conn, _ = admin_connection()
        with conn.cursor() as cur:
            for name in self.names:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


def sql(url: str, statement: str, params=None, fetch: bool = True):
    import psycopg2

    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(statement, params)
        rows = cur.fetchall() if fetch and cur.description else None
    conn.close()
    return rows


def vhost_create(name: str) -> None:
    for args in (["add_vhost", name], ["set_permissions", "-p", name, "guest", ".*", ".*", ".*"]):
        subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True)


def vhost_delete(name: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], capture_output=True)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(base: str, method: str, path: str, body=None, token=None, timeout: float = 15):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Process:
    """One `enforcement-run NAME` process with its own ops port and log."""

    def __init__(self, name: str, label: str, env: dict, workdir: Path):
        self.name, self.label = name, label
        self.ops = free_port()
        self.env = dict(env, OPS_PORT=str(self.ops))
        self.log_path = workdir / f"{label}.log"
        self.proc: subprocess.Popen | None = None

    def prepare(self) -> None:
        for tool in ("enforcement-migrate", "enforcement-seed"):
            subprocess.run([BIN / tool, self.name], env=self.env, check=True, capture_output=True, timeout=300)

    def start(self) -> Process:
        out = open(self.log_path, "a")
        self.proc = subprocess.Popen([BIN / "enforcement-run", self.name], env=self.env, stdout=out, stderr=out)
        return self

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.label} exited with {self.proc.returncode}: see {self.log_path}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.ops}/health/ready", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"{self.label} not ready after {timeout:.0f} s: see {self.log_path}")

    def metrics(self) -> str:
        if self.proc.poll() is not None:  # a replica that died during the load is a finding, not a crash of this script
            tail = self.log_path.read_text(errors="replace")[-3000:]
            raise SystemExit(f"{self.label} exited with code {self.proc.returncode}; its log ends:\n{tail}")
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ops}/metrics", timeout=5) as answer:
            return answer.read().decode()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=45)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def metric_sum(text: str, name: str, **labels) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        head, value = line.rsplit(" ", 1)
        found = dict(re.findall(r'(\w+)="([^"]*)"', head))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(value)
    return total


# --- the subscriber -------------------------------------------------------------------------------------------------
class Subscriber(threading.Thread):
    """A plain kombu consumer: a queue of its own bound to `personnel.events` (`#`); records every delivery."""

    def __init__(self, amqp_uri: str, queue_name: str):
        super().__init__(daemon=True)
        self.amqp_uri, self.queue_name = amqp_uri, queue_name
        self.deliveries: list[tuple[str, str, bool]] = []  # (event id, routing key, redelivered)
        self.lock = threading.Lock()
        self.bound = threading.Event()
        self.stopping = threading.Event()

    def run(self) -> None:
        from kombu import Connection, Consumer, Exchange, Queue

        exchange = Exchange("personnel.events", type="topic", durable=True)  # as the relay declares it
        queue = Queue(self.queue_name, exchange=exchange, routing_key="#", durable=False, auto_delete=False)
        with Connection(self.amqp_uri, heartbeat=0, connect_timeout=5) as conn:
            channel = conn.channel()
            exchange(channel).declare()
            queue(channel).declare()
            self.bound.set()

            def on_message(message):
                body = json.loads(message.body)
                info = message.delivery_info
                with self.lock:
                    self.deliveries.append((body["id"], info["routing_key"], bool(info.get("redelivered"))))
                message.ack()

            with Consumer(channel, queues=[queue], on_message=on_message, prefetch_count=200, auto_declare=False):
                while not self.stopping.is_set():
                    try:
                        conn.drain_events(timeout=0.5)
                    except TimeoutError:
                        pass
                    except OSError as exc:  # socket.timeout is an OSError on 3.10+
                        if "timed out" not in str(exc):
                            raise
            queue(channel).delete()

    def snapshot(self) -> list[tuple[str, str, bool]]:
        with self.lock:
            return list(self.deliveries)


# --- load -----------------------------------------------------------------------------------------------------------
PATCH_LUA = """
local officers = {%(officers)s}
local threads = {}
local counter = 0
answered = ""
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function request()
  counter = counter + 1
  local officer = officers[(counter %% #officers) + 1]
  local body = '{"position":"%(tag)s-' .. tid .. '-' .. counter .. '"}'
  return wrk.format(nil, "/api/v1/officers/" .. officer, nil, body)
end

function response(status, headers, body)
  if status == 200 then
    local position = string.match(body, '"position"%%s*:%%s*"([^"]*)"')
    if position then answered = answered .. position .. "\\n" end
  end
end

function done(summary, latency, requests)
  local out = io.open("%(out)s", "w")
  for _, thread in ipairs(threads) do out:write(thread:get("answered")) end
  out:close()
end
"""


def patch_once(base: str, token: str, officers: list[str], tag: str, seconds: int, connections: int, workdir: Path):
    """One wrk run of changing PATCHes; returns (loadgen.Result, the positions answered 200). A position is
    ``<tag>-<wrk thread>-<request>``: unique in the run, so each answered 200 is one change."""
    out = workdir / f"{tag}.answered"
    script = workdir / f"{tag}.lua"
    script.write_text(
        PATCH_LUA % {"officers": ",".join(f'"{o}"' for o in officers), "token": token, "tag": tag, "out": out}
    )
    command = [
        loadgen.wrk_binary(),
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout=10s",
        "--latency",
        "-s",
        str(script),
        base + "/api/v1/officers/" + officers[0],
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return loadgen.parse(done.stdout), [line for line in out.read_text().splitlines() if line]


def median_result(results: list) -> dict:
    """As loadgen.measure sums up its rounds: each figure the median of the rounds, requests and errors summed."""
    return loadgen.Result(
        rps=statistics.median(r.rps for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        requests=sum(r.requests for r in results),
        errors=sum(r.errors for r in results),
    ).as_dict()


def cpu_seconds(processes: list[Process]) -> dict:
    """User + system CPU seconds each process has used so far (/proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for p in processes:
        fields = Path(f"/proc/{p.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        out[p.label] = (int(fields[11]) + int(fields[12])) / ticks
    return out


def cpu_per_request(before: dict, after: dict, requests: int) -> dict:
    return {label: round((after[label] - before[label]) * 1000 / max(requests, 1), 2) for label in before}


def measure_paths(base, token, officers, label, args, workdir, processes, before_patch=None):
    """GET then PATCH: a 2 s warm-up and ``args.rounds`` runs of wrk each, as loadgen.measure does, with the CPU time
    each of ``processes`` spent per request over the rounds. Returns (figures, positions answered, run tags)."""
    wrk = {"connections": args.connections}
    get_url = f"{base}/api/v1/officers/{officers[0]}"
    headers = {"Authorization": f"Bearer {token}"}
    log(f"{label}: GET one officer ({args.rounds} x {args.seconds} s, {args.connections} connections)")
    loadgen.run_once(get_url, headers=headers, seconds=2, **wrk)
    before = cpu_seconds(processes)
    rounds = [loadgen.run_once(get_url, headers=headers, seconds=args.seconds, **wrk) for _ in range(args.rounds)]
    get = median_result(rounds)
    get["cpu_ms_per_request"] = cpu_per_request(before, cpu_seconds(processes), get["requests"])

    log(f"{label}: PATCH one officer, a new position each time")
    if before_patch:
        before_patch()
    tags = [f"{label}w"] + [f"{label}r{n}" for n in range(args.rounds)]
    _, answered = patch_once(base, token, officers, tags[0], 2, args.connections, workdir)
    before, rounds = cpu_seconds(processes), []
    for tag in tags[1:]:
        result, positions = patch_once(base, token, officers, tag, args.seconds, args.connections, workdir)
        rounds.append(result)
        answered += positions
    patch = median_result(rounds)
    patch["cpu_ms_per_request"] = cpu_per_request(before, cpu_seconds(processes), patch["requests"])
    return {"get": get, "patch": patch}, answered, tags


# --- training events, twice each ------------------------------------------------------------------------------------
def publish_training_events(amqp_uri: str, officers: list[str], tag: str, today: date) -> dict:
    """``EVENT_PAIRS`` exam.passed and one hours.updated per officer, each published twice back to back with the same
    id (a redelivery: the two copies usually reach different replicas)."""
    from kombu import Connection, Exchange, Producer

    from enforcement_contracts.events import Envelope
    from enforcement_contracts.training import compliance, exams

    exchange = Exchange("training.events", type="topic", durable=True)
    sent = Counter()
    with Connection(amqp_uri, connect_timeout=5, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        exchange(channel).declare()
        producer = Producer(channel)

        def twice(event_type, data, subject):
            envelope = Envelope(
                type=event_type.type,
                source=event_type.source,
                data=event_type.dump(data),
                schemaversion=event_type.version,
                subject=subject,
            )
            for _ in range(2):
                producer.publish(
                    envelope.to_dict(),
                    exchange=exchange,
                    routing_key=event_type.routing_key,
                    serializer="json",
                    delivery_mode=2,
                    mandatory=True,
                    message_id=envelope.id,
                )
            sent[event_type.type] += 1

        for n in range(EVENT_PAIRS):
            officer = officers[n % len(officers)]
            result = {
                "result_id": f"{tag}-exam-{n}",
                "officer_id": officer,
                "agency_code": AGENCY,
                "exam_kind": "qualification",
                "score": 80.0,
                "pass_mark": 60.0,
                "sat_on": today,
            }
            twice(exams.EXAM_PASSED, result, officer)
            if n < len(officers):
                hours = {
                    "officer_id": officer,
                    "agency_code": AGENCY,
                    "year": today.year,
                    "revision": 1,
                    "hours_by_category": {"public_law": 12.0, "professional": 20.0},
                    "required_courses_done": True,
                }
                twice(compliance.HOURS_UPDATED, hours, officer)
            time.sleep(0.1)
    return dict(sent)


# --- timer fixtures -------------------------------------------------------------------------------------------------
TIMER_FIXTURES_SQL = """
INSERT INTO officers (officer_id, agency_code, name, id_number_encrypted, id_number_hash, id_number_masked, position,
                      domains, is_police, status, appointed_on, created_at, updated_at)
SELECT 'tmr' || lpad(g::text, 8, '0'), %(agency)s, '定时' || g, repeat('x', 120), md5('a' || g) || md5('b' || g),
       '140928**********' || lpad((g %% 100)::text, 2, '0'), '', '["market_supervision"]'::json, false, 'active',
       %(appointed)s, now(), now()
FROM generate_series(1, %(n)s) g;
INSERT INTO certificates (number, officer_id, agency_code, domains, issued_on, expires_on, status, expiry_announced,
                          check_code, created_at)
SELECT 'T' || lpad(g::text, 14, '0'), 'tmr' || lpad(g::text, 8, '0'), %(agency)s, '["market_supervision"]'::json,
       %(issued)s, %(expired)s, 'valid', false, 'BENCH' || g, now()
FROM generate_series(1, %(n)s) g;
INSERT INTO certificate_applications (application_id, officer_id, agency_code, domains, state, filed_on, filed_by,
                                      created_at)
SELECT 'app' || lpad(g::text, 8, '0'), 'tmr' || lpad(g::text, 8, '0'), %(agency)s, '["market_supervision"]'::json,
       'pending', %(filed)s, 'bench', now()
FROM generate_series(1, %(n)s) g;
"""


def timer_outcome(url: str) -> dict:
    rows = dict(
        sql(
            url,
            "SELECT event_type, count(*) FROM outbox_events WHERE event_type IN "
            "('personnel.certificate.expired', 'personnel.deadline.missed') GROUP BY event_type",
        )
    )
    distinct = dict(
        sql(
            url,
            "SELECT event_type, count(DISTINCT subject) FROM ("
            " SELECT event_type, body->>'subject' AS subject FROM outbox_events) e"
            " WHERE event_type IN ('personnel.certificate.expired', 'personnel.deadline.missed') GROUP BY event_type",
        )
    )
    return {
        "expired_events": rows.get("personnel.certificate.expired", 0),
        "expired_distinct_certificates": distinct.get("personnel.certificate.expired", 0),
        "missed_events": rows.get("personnel.deadline.missed", 0),
        "missed_distinct_references": distinct.get("personnel.deadline.missed", 0),
        "deadline_miss_rows": sql(url, "SELECT count(*) FROM deadline_misses")[0][0],
        "announced_flags": sql(url, "SELECT count(*) FROM certificates WHERE expiry_announced")[0][0],
    }


# --- sizes ----------------------------------------------------------------------------------------------------------
def table_sizes(url: str, tables: list[str]) -> dict:
    """Rows and bytes (table, indexes and TOAST: pg_total_relation_size) of each table."""
    sizes = {}
    for table in tables:
        rows = sql(url, f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}")[0]
        sizes[table] = {"rows": rows[0], "bytes": rows[1], "bytes_per_row": round(rows[1] / rows[0]) if rows[0] else 0}
    return sizes


GROWTH_ROWS = 10_000


def grow(url: str, table: str, where: str, overrides: dict, n: int = GROWTH_ROWS) -> dict:
    """Bytes per row as a table grows: ``n`` copies of one real row (``where``; ``overrides`` give the columns that
    must differ, as SQL of ``g``, 1..n) inserted, and pg_total_relation_size measured before and after."""
    columns = [
        name
        for name, default in sql(
            url,
            "SELECT column_name, column_default FROM information_schema.columns WHERE table_name = %s "
            "ORDER BY ordinal_position",
            (table,),
        )
        if not (default or "").startswith("nextval") or name in overrides
    ]
    select = ", ".join(overrides.get(c, c) for c in columns)
    before = sql(url, f"SELECT pg_total_relation_size('{table}')")[0][0]
    sql(
        url,
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} "
        f"FROM (SELECT * FROM {table} WHERE {where} LIMIT 1) src CROSS JOIN generate_series(1, {n}) g",
        fetch=False,
    )
    after = sql(url, f"SELECT pg_total_relation_size('{table}')")[0][0]
    return {"rows": n, "bytes": after - before, "bytes_per_row": round((after - before) / n)}


def grown_sizes(personnel_url: str, gateway_url: str, officer_id: str) -> dict:
    """Each table that grows with the work, grown by copies of a real row (an officer registered over HTTP, with its
    encrypted ID number; an officer.updated outbox row; a processed event; an audit record of a PATCH)."""
    unique = "md5('grow' || g)"
    return {
        "personnel.officers": grow(
            personnel_url,
            "officers",
            f"officer_id = '{officer_id}'",
            {
                "officer_id": "substr(" + unique + ", 1, 32)",
                "id_number_hash": unique + " || md5('hash' || g)",
                "police_card_number": "NULL",
            },
        ),
        "personnel.outbox_events": grow(
            personnel_url,
            "outbox_events",
            "event_type = 'personnel.officer.updated'",
            {"event_id": unique},
        ),
        "personnel.processed_events": grow(personnel_url, "processed_events", "true", {"event_id": unique}),
        "gateway.audit_records": grow(gateway_url, "audit_records", "true ORDER BY id DESC", {}),
    }


def cases_sizes(databases: Databases, env: dict) -> dict:
    """``CASES_FOR_SIZE`` cases (and their promptness measurements) filled as bench/cases_stats.py fills them."""
    import cases_stats  # its fill, so the figures match bench/cases_stats.py's data

    url = databases.create("cases")
    for tool in ("enforcement-migrate", "enforcement-seed"):  # the seed brings the item types the items refer to
        subprocess.run([BIN / tool, "cases"], env=dict(env, DATABASE_URL=url), check=True, capture_output=True)
    params = {"agencies": cases_stats.AGENCIES, "types": cases_stats.TYPES}
    sql(url, cases_stats.ITEMS_SQL, params, fetch=False)
    sql(url, cases_stats.CASES_SQL, {**params, "first": 1, "last": CASES_FOR_SIZE}, fetch=False)
    sizes = table_sizes(url, ["cases", "promptness_measurements"])
    # the generated rows are thin (no officers, no summary): their own width tells the indexes' share apart
    sizes["cases"]["row_bytes_avg"] = round(sql(url, "SELECT avg(pg_column_size(c.*)) FROM cases c")[0][0])
    return sizes


# --- the run --------------------------------------------------------------------------------------------------------
def machine() -> dict:
    return {
        "cores": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def settle(url: str, subscriber: Subscriber, timeout: float = 90) -> None:
    """Until every outbox row is sent and the subscriber has seen as many distinct ids, stable for 2 s."""
    deadline, last, stable_since = time.time() + timeout, None, time.time()
    while time.time() < deadline:
        pending, sent = sql(
            url,
            "SELECT count(*) FILTER (WHERE status <> 'sent'), count(*) FILTER (WHERE status = 'sent')"
            " FROM outbox_events",
        )[0]
        seen = len({d[0] for d in subscriber.snapshot()})
        state = (pending, sent, seen)
        if state != last:
            last, stable_since = state, time.time()
        elif pending == 0 and seen >= sent and time.time() - stable_since >= 2:
            return
        time.sleep(0.3)
    log(f"not settled after {timeout:.0f} s: pending, sent, seen = {last}")


def check_outbox(url: str, answered: list[str], subscriber: Subscriber, runs: list[str], connections: int) -> dict:
    """The officer.updated rows against the answered PATCHes (by position), and the outbox against the deliveries.
    A row whose answer wrk never read (in flight at a run's cut-off) is allowed up to one per connection per run."""
    rows = sql(
        url,
        "SELECT event_id, body->'data'->>'position' FROM outbox_events WHERE event_type = 'personnel.officer.updated'",
    )
    positions = Counter(p for _, p in rows if p and p.split("-")[0] in runs)
    answered_count = Counter(answered)
    doubled_rows = sum(n - 1 for n in positions.values() if n > 1)
    missing = [p for p in answered_count if positions[p] != 1]
    unanswered = Counter(p.split("-")[0] for p in positions if p not in answered_count)
    all_ids = {r[0] for r in sql(url, "SELECT event_id FROM outbox_events")}
    deliveries = subscriber.snapshot()
    per_id = Counter(d[0] for d in deliveries)
    return {
        "patches_answered_200": len(answered),
        "answered_positions_repeated": sum(n - 1 for n in answered_count.values() if n > 1),
        "officer_updated_rows": sum(positions.values()),
        "rows_per_answered_patch_not_1": len(missing),
        "rows_doubled": doubled_rows,
        "rows_without_read_answer": sum(unanswered.values()),
        "rows_without_read_answer_most_in_a_run": max(unanswered.values(), default=0),
        "connections": connections,
        "outbox_rows": len(all_ids),
        "deliveries": len(deliveries),
        "distinct_ids_delivered": len(per_id),
        "duplicate_deliveries": sum(n - 1 for n in per_id.values() if n > 1),
        "redelivered_flag": sum(1 for d in deliveries if d[2]),
        "outbox_ids_not_delivered": len(all_ids - set(per_id)),
        "delivered_ids_not_in_outbox": len(set(per_id) - all_ids),
    }


def check_consumed(url: str, replicas: list[Process], sent: dict, tag: str) -> dict:
    processed = {
        handler: (n, distinct)
        for handler, n, distinct in sql(
            url, "SELECT handler, count(*), count(DISTINCT event_id) FROM processed_events GROUP BY handler"
        )
    }
    texts = [r.metrics() for r in replicas]
    handled = {}
    for event_type in sent:
        handled[event_type] = {
            outcome: [
                metric_sum(t, "enforcement_events_handled_total", event_type=event_type, outcome=outcome) for t in texts
            ]
            for outcome in ("ok", "duplicate", "error")
        }
    return {
        "published_pairs": sent,
        "processed_events": {h: {"rows": n, "distinct_ids": d} for h, (n, d) in processed.items()},
        "exam_results_rows": sql(url, "SELECT count(*) FROM exam_results WHERE result_id LIKE %s", (f"{tag}-exam-%",))[
            0
        ][0],
        "handled_per_replica": handled,
    }


def spread(replicas: list[Process]) -> dict:
    """Per replica: RPC calls answered ok (update_officer, get_officer) since it started, and its timer runs."""
    out = {}
    for r in replicas:
        text = r.metrics()
        out[r.label] = {
            "update_officer_ok": metric_sum(text, "enforcement_calls_total", entrypoint="update_officer", outcome="ok"),
            "get_officer_ok": metric_sum(text, "enforcement_calls_total", entrypoint="get_officer", outcome="ok"),
            "timer_runs": {
                name: metric_sum(text, "enforcement_calls_total", kind="timer", entrypoint=name)
                for name in ("announce_expired_certificates", "watch_deadlines")
            },
        }
    return out


def integrity_errors(paths: list[Path]) -> dict:
    return {p.stem: p.read_text(errors="replace").count("IntegrityError") for p in paths if p.exists()}


def main() -> int:
    # Over 50 lines: the run is one sequence (start, load with one, restart as two, load, check, report).
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=loadgen.DEFAULT_SECONDS)
    parser.add_argument("--rounds", type=int, default=loadgen.DEFAULT_ROUNDS)
    parser.add_argument("--connections", type=int, default=loadgen.DEFAULT_CONNECTIONS)
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--keep-logs", help="copy the processes' logs to this folder")
    parser.add_argument(
        "--cycles", type=int, default=1, help="phases: one, two, one, then (two, one) again for each cycle above 1"
    )
    parser.add_argument("--personnel-config", help="a config.yml for the personnel replicas (e.g. OUTBOX.listen off)")
    args = parser.parse_args()

    run = f"enf_bench_replicas_{os.getpid()}"
    tag = uuid.uuid4().hex[:6]
    today = datetime.now(timezone(timedelta(hours=8))).date()  # the county's date, as CLOCK_TODAY pins it below
    vhost = run.replace("_", "-")
    amqp = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    databases = Databases(run)
    vhost_create(vhost)
    workdir = Path(tempfile.mkdtemp(prefix="replicas-"))
    processes: list[Process] = []
    subscriber = Subscriber(amqp, f"bench-replicas-{os.getpid()}")
    results: dict = {
        "date": today.isoformat(),
        "machine": machine(),
        "commit": git_commit(),
        "personnel_config": args.personnel_config,
    }

    def stop_everything(*_):
        for p in processes:
            p.stop()
        subscriber.stopping.set()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # the clean-up below runs
    try:
        personnel_url, gateway_url = databases.create("personnel"), databases.create("gateway")
        base_env = {k: v for k, v in os.environ.items() if k != "CONFIG"}
        base_env.update(
            {"AMQP_URI": amqp, "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1", "CLOCK_TODAY": today.isoformat()}
        )
        personnel_env = dict(base_env, DATABASE_URL=personnel_url)
        if args.personnel_config:
            personnel_env["CONFIG"] = str(Path(args.personnel_config).resolve())
        web = free_port()
        gateway = Process(
            "gateway",
            "gateway",
            dict(
                base_env, DATABASE_URL=gateway_url, WEB_SERVER_ADDRESS=f"127.0.0.1:{web}", GATEWAY_SERVICES="personnel"
            ),
            workdir,
        )
        first = Process("personnel", "personnel-a", personnel_env, workdir)
        second = Process("personnel", "personnel-b", personnel_env, workdir)
        processes += [first, second, gateway]
        log(f"databases {databases.names}, vhost {vhost}, logs in {workdir}")
        first.prepare()
        gateway.prepare()
        subscriber.start()
        if not subscriber.bound.wait(15):
            raise SystemExit("the subscriber could not bind its queue")
        first.start()
        gateway.start()
        first.wait_ready()
        gateway.wait_ready()
        base = f"http://127.0.0.1:{web}"
        status, login = http(base, "POST", "/api/v1/auth/login", {"username": "admin", "password": "change-me-now"})
        assert status == 200, (status, login)
        token = login["token"]
        if login.get("must_change_password"):
            change = {"current_password": "change-me-now", "new_password": PASSWORD}
            status, answer = http(base, "POST", "/api/v1/auth/password", change, token)
            assert status in (200, 204), (status, answer)
        officers = [register_officer(base, token, n) for n in range(OFFICERS)]
        log(f"{len(officers)} officers registered")

        results["one"], answered, runs = measure_paths(
            base, token, officers, f"{tag}1", args, workdir, [first, gateway]
        )

        log(f"stopping the one replica; {TIMER_ROWS} expired certificates and overdue applications written in SQL")
        first.stop()
        sql(
            personnel_url,
            TIMER_FIXTURES_SQL,
            {
                "agency": AGENCY,
                "n": TIMER_ROWS,
                "appointed": today - timedelta(days=2000),
                "issued": today - timedelta(days=1900),
                "expired": today - timedelta(days=10),
                "filed": today - timedelta(days=200),
            },
            fetch=False,
        )
        log("starting two replicas together (both run their timers at start)")
        first.start()
        second.start()
        first.wait_ready()
        second.wait_ready()
        deadline = time.time() + 120
        while time.time() < deadline:
            outcome = timer_outcome(personnel_url)
            if outcome["expired_events"] >= TIMER_ROWS and outcome["missed_events"] >= TIMER_ROWS:
                break
            time.sleep(1)
        time.sleep(3)  # anything a slower replica would still add
        results["timers"] = timer_outcome(personnel_url)

        publisher = {}
        events = threading.Thread(
            target=lambda: publisher.update(publish_training_events(amqp, officers, tag, today)), daemon=True
        )
        # the redelivered training events go out while the two replicas take the write load
        results["two"], more, tags = measure_paths(
            base, token, officers, f"{tag}2", args, workdir, [first, second, gateway], before_patch=events.start
        )
        answered, runs = answered + more, runs + tags
        events.join(timeout=60)
        results["spread_two"] = spread([first, second])
        results["consumed"] = check_consumed(personnel_url, [first, second], publisher, tag)
        results["timers"]["integrity_errors_in_logs"] = integrity_errors([first.log_path, second.log_path])

        # one replica again (the second stopped gracefully): the background load of a shared machine drifts, so the
        # two replicas are compared with the mean of one replica before and after them
        log("stopping the second replica")
        second.stop()
        results["one_again"], more, tags = measure_paths(
            base, token, officers, f"{tag}3", args, workdir, [first, gateway]
        )
        answered, runs = answered + more, runs + tags
        results["phases"] = [("one", 1), ("two", 2), ("one_again", 1)]
        for cycle in range(2, args.cycles + 1):  # two again, then one again: more phases, less drift
            second.start()
            second.wait_ready()
            two, more, tags = measure_paths(
                base, token, officers, f"{tag}{2 * cycle}", args, workdir, [first, second, gateway]
            )
            answered, runs = answered + more, runs + tags
            second.stop()
            one, more, tags = measure_paths(
                base, token, officers, f"{tag}{2 * cycle + 1}", args, workdir, [first, gateway]
            )
            answered, runs = answered + more, runs + tags
            results[f"two_{cycle}"], results[f"one_{cycle}"] = two, one
            results["phases"] += [(f"two_{cycle}", 2), (f"one_{cycle}", 1)]

        log("waiting for the relays and the subscriber to settle")
        settle(personnel_url, subscriber)
        results["outbox"] = check_outbox(personnel_url, answered, subscriber, runs, args.connections)
        log("measuring bytes per row")
        results["sizes"] = {
            "personnel": table_sizes(
                personnel_url,
                [
                    "officers",
                    "certificates",
                    "certificate_applications",
                    "deadline_misses",
                    "outbox_events",
                    "processed_events",
                    "exam_results",
                ],
            ),
            "gateway": table_sizes(gateway_url, ["audit_records"]),
            "cases": cases_sizes(databases, base_env),
            "grown": grown_sizes(personnel_url, gateway_url, officers[0]),
        }
    finally:
        stop_everything()
        if args.keep_logs:
            Path(args.keep_logs).mkdir(parents=True, exist_ok=True)
            for p in workdir.glob("*.log"):
                shutil.copy(p, args.keep_logs)
        shutil.rmtree(workdir, ignore_errors=True)
        databases.drop_all()
        vhost_delete(vhost)
    results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    verdicts = report(results)
    if args.json:
        Path(args.json).write_text(json.dumps({**results, "verdicts": verdicts}, indent=2, ensure_ascii=False))
    return 0 if all(v["pass"] for v in verdicts.values()) else 1


def register_officer(base: str, token: str, n: int) -> str:
    from personnel_service.rules import id_check_char

    first17 = f"140928{date(1980, 1, 1) + timedelta(days=n * 37):%Y%m%d}{n % 1000:03d}"
    body = {"agency_code": AGENCY, "name": f"副本{n}", "id_number": first17 + id_check_char(first17)}
    body["domains"] = ["market_supervision"]
    status, answer = http(base, "POST", "/api/v1/officers", body, token)
    if status != 201:
        raise SystemExit(f"registering an officer: {status} {answer}")
    return answer["officer_id"]


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip()


def report(r: dict) -> dict:
    m = r["machine"]
    print()
    print(
        f"{r['date']}, commit {r['commit']}, {m['cores']} cores, load average {m['load_average']} at the start, "
        f"{m['load_average_end']} at the end"
    )
    print(f"{'path':36s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'requests':>9s} {'errors':>7s}")
    for path in ("get", "patch"):
        for n, (label, replicas) in enumerate(r["phases"], 1):
            x = r[label][path]
            name = f"{n}. {'GET' if path == 'get' else 'PATCH'} one officer, {replicas} replica{'s' * (replicas > 1)}"
            print(
                f"{name:36s} {x['rps']:8.1f} {x['p50_ms']:8.1f} {x['p99_ms']:8.1f} {x['requests']:9d} {x['errors']:7d}"
                f"  CPU ms/request {x['cpu_ms_per_request']}"
            )

    def mean_rps(path: str, replicas: int) -> float:
        return statistics.mean(r[label][path]["rps"] for label, n in r["phases"] if n == replicas)

    ratios = {path: mean_rps(path, 2) / mean_rps(path, 1) for path in ("get", "patch")}
    print(
        "ratio mean of the two-replica phases / mean of the one-replica phases (which come before and after): "
        f"GET {ratios['get']:.2f}, PATCH {ratios['patch']:.2f}"
    )
    print("spread over the replicas (RPC calls answered ok, timer runs):")
    for label, x in r["spread_two"].items():
        print(f"  {label}: {x}")
    o, t, c = r["outbox"], r["timers"], r["consumed"]
    print(f"outbox and subscriber: {json.dumps(o)}")
    print(f"timers at the two replicas' start: {json.dumps(t, ensure_ascii=False)}")
    print(f"training events twice each: {json.dumps(c, ensure_ascii=False)}")
    print("bytes per row (pg_total_relation_size / rows):")
    for db, tables in r["sizes"].items():
        for table, x in tables.items():
            what = f"{table} grown by" if db == "grown" else f"{db}.{table}:"
            print(f"  {what} {x['rows']} rows, {x['bytes']} bytes, {x['bytes_per_row']} bytes/row")

    handled = c["handled_per_replica"]
    ok = {e: sum(v["ok"]) for e, v in handled.items()}
    dup = {e: sum(v["duplicate"]) for e, v in handled.items()}
    errors = {e: sum(v["error"]) for e, v in handled.items()}
    processed_ok = all(v["rows"] == v["distinct_ids"] for v in c["processed_events"].values())
    consumed_once = all(ok[e] == n and dup[e] == n and errors[e] == 0 for e, n in c["published_pairs"].items())
    verdicts = {
        "GET: two replicas >= one": {"pass": ratios["get"] >= 1.0, "value": round(ratios["get"], 3)},
        "PATCH: two replicas >= one": {"pass": ratios["patch"] >= 1.0, "value": round(ratios["patch"], 3)},
        "one outbox row per answered changing PATCH": {
            "pass": o["rows_per_answered_patch_not_1"] == 0
            and o["rows_doubled"] == 0
            and o["answered_positions_repeated"] == 0
            and o["rows_without_read_answer_most_in_a_run"] <= o["connections"],
            "value": f"{o['patches_answered_200']} answered, {o['officer_updated_rows']} rows "
            f"({o['rows_without_read_answer']} applied with the answer unread at wrk's cut-off)",
        },
        "every outbox event delivered, none twice": {
            "pass": o["duplicate_deliveries"] == 0
            and o["outbox_ids_not_delivered"] == 0
            and o["delivered_ids_not_in_outbox"] == 0,
            "value": f"{o['deliveries']} deliveries, {o['distinct_ids_delivered']} ids, {o['outbox_rows']} outbox rows",
        },
        "consumed events applied once each": {
            "pass": consumed_once
            and processed_ok
            and c["exam_results_rows"] == c["published_pairs"].get("training.exam.passed", -1),
            "value": f"ok {ok}, duplicate {dup}, error {errors}, exam_results {c['exam_results_rows']}",
        },
        "timers in two replicas announce once": {
            "pass": t["expired_events"] == t["expired_distinct_certificates"] == TIMER_ROWS
            and t["missed_events"] == t["missed_distinct_references"] == t["deadline_miss_rows"] == TIMER_ROWS,
            "value": f"{t['expired_events']} expired, {t['missed_events']} missed for {TIMER_ROWS} each",
        },
    }
    for name, v in verdicts.items():
        print(f"{'PASS' if v['pass'] else 'FAIL'}  {name}: {v['value']}")
    print(
        "(two replicas share 2 cores with the gateway, wrk and PostgreSQL: the total does not double here; the bar is "
        "that it does not drop)"
    )
    return verdicts


if __name__ == "__main__":
    sys.exit(main())
