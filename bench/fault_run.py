"""Fault run (issue #13): a scenario over HTTP while every process of the stack is killed in turn.

What it shows, over the real stack: 0 acknowledged writes lost, 0 events lost, how many duplicates an outside
subscriber is delivered (RabbitMQ delivers at least once) and that deduplicating by event id removes them.

How:
- its own RabbitMQ node (``faultrun-<pid>@localhost`` on free ports, no plugins, data in a temporary folder), so
  restarting the broker does not disturb the shared one on 127.0.0.1:5672; stopped at the end;
- fresh PostgreSQL databases for personnel, training, cases and supervision (``--sqlite``: SQLite files), the
  gateway on SQLite, as ``tests/e2e`` runs it; dropped at the end;
- an outside plain-kombu subscriber as its own process (this file, ``subscribe``): a durable queue of its own bound
  to every ``<service>.events`` exchange (``#``), every delivery (event id, routing key) recorded in a SQLite file,
  deduplicated by id. It acknowledges in batches after its commits, as a subscriber tuned for throughput does, so
  a crash or a broker restart redelivers what it had stored but not yet acknowledged;
- the four services and the gateway as processes (``enforcement_testing.ServiceProcess``: migrate, seed, run);
- workers loop over a county's chain of writes through the gateway, each logged in as the bureau or an agency
  administrator: register an officer, three attendances (the required course, public law, professional), an exam
  result, the certificate (once personnel's read model has training's facts), a case with two certified officers,
  a supervision item. Every write the gateway answered with 2xx is recorded with the id it returned;
- meanwhile, in turn: SIGKILL and restart personnel, training, cases, supervision, the gateway, the subscriber; stop
  and start the broker node;
- at the end, once every outbox is empty: every acknowledged write read back over HTTP; every event of the five
  outbox tables (services and gateway) compared with the subscriber's ids.

Exit 1 if an acknowledged write or an event was lost, or an outbox did not empty.

    .venv/bin/python bench/fault_run.py [--workers 2] [--interval 12] [--down 3] [--faults personnel,...,broker]
        [--snapshot HEAD] [--sqlite] [--output F] [--json F] [--keep]

Needs PostgreSQL on 127.0.0.1:5432 (trust auth; not with ``--sqlite``) and RabbitMQ installed (the shared node is
not touched: rabbitmqctl and rabbitmq-server are run with a HOME, cookie and configuration of their own).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SERVICES = ("training", "supervision", "cases", "personnel")  # start order: consumers before producers
PRODUCERS = (*SERVICES, "gateway")  # every database with the kernel's outbox table
EXCHANGES = tuple(f"{name}.events" for name in PRODUCERS)
SUBSCRIBER_QUEUE = "faultrun.subscriber"
SCJ = "140928-scjgj"  # 县市场监管局
DOMAIN = "market_supervision"
REQUIRED_COURSE = "gbf-2023-27"  # seeded as required for every officer
ADMIN_PASSWORD = "Fault-run-bureau-2026"
AGENCY_PASSWORD = "Fault-run-agency-2026"
RABBIT_SBIN_GLOB = "/usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin"


def log(message: str) -> None:
    print(f"{datetime.now():%H:%M:%S} {message}", flush=True)


# --- the subscriber (its own process) ---------------------------------------------------------------------------
def open_store(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS deliveries (n INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, "
        "exchange TEXT NOT NULL, routing_key TEXT NOT NULL, redelivered INTEGER NOT NULL, received_at REAL NOT NULL)"
    )
    # dedupe by id: the first delivery of an id is the event, any later one a duplicate
    db.execute(
        "CREATE TABLE IF NOT EXISTS events (event_id TEXT PRIMARY KEY, exchange TEXT NOT NULL, "
        "routing_key TEXT NOT NULL, first_n INTEGER NOT NULL)"
    )
    db.execute("CREATE TABLE IF NOT EXISTS bound (at REAL NOT NULL)")
    return db


def subscribe(amqp_uri: str, store: str, ack_every: float) -> None:
    """Consume until SIGTERM; reconnects after a broker restart (what was not acknowledged comes again)."""
    from kombu import Connection, Consumer, Exchange, Queue, binding

    db = open_store(store)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    queue = Queue(
        SUBSCRIBER_QUEUE,
        bindings=[binding(Exchange(name, type="topic", durable=True), routing_key="#") for name in EXCHANGES],
        durable=True,
    )
    while not stopping.is_set():
        try:
            with Connection(amqp_uri, heartbeat=10, connect_timeout=3) as conn:
                conn.connect()
                channel = conn.channel()
                # the services declare their exchanges the same way (topic, durable): declaring is idempotent
                queue(channel).declare()
                db.execute("INSERT INTO bound VALUES (?)", (time.time(),))
                unacked = []

                def on_message(message, unacked=unacked):
                    body = json.loads(message.body)
                    info = message.delivery_info
                    db.execute("BEGIN IMMEDIATE")
                    cur = db.execute(
                        "INSERT INTO deliveries (event_id, exchange, routing_key, redelivered, received_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (body["id"], info["exchange"], info["routing_key"], int(info["redelivered"]), time.time()),
                    )
                    db.execute(
                        "INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?)",
                        (body["id"], info["exchange"], info["routing_key"], cur.lastrowid),
                    )
                    db.execute("COMMIT")
                    unacked.append(message)  # acknowledged with the next batch, after the commit

                with Consumer(channel, queues=[queue], on_message=on_message, prefetch_count=100, auto_declare=False):
                    last_ack = time.monotonic()
                    while not stopping.is_set():
                        try:
                            conn.drain_events(timeout=0.2)
                        except TimeoutError:
                            conn.heartbeat_check()
                        if unacked and time.monotonic() - last_ack >= ack_every:
                            last = unacked[-1]
                            last.channel.basic_ack(last.delivery_tag, multiple=True)
                            unacked.clear()
                            last_ack = time.monotonic()
                    if unacked:
                        unacked[-1].channel.basic_ack(unacked[-1].delivery_tag, multiple=True)
        except Exception as exc:  # the broker went away: connect again
            if not stopping.is_set():
                print(f"subscriber: {type(exc).__name__}: {exc}; reconnecting", flush=True)
                time.sleep(1)
    db.close()


class Subscriber:
    def __init__(self, amqp_uri: str, workdir: Path, ack_every: float):
        self.store = workdir / "subscriber.sqlite3"
        self.log_path = workdir / "subscriber.log"
        self.args = [sys.executable, __file__, "subscribe", amqp_uri, str(self.store), str(ack_every)]
        self.proc = None
        open_store(str(self.store)).close()

    def start(self) -> None:
        before = self._bound()
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(self.args, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        deadline = time.monotonic() + 30
        while self._bound() == before:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"subscriber did not bind its queue: {self.log_path.read_text()[-2000:]}")
            time.sleep(0.2)

    def _bound(self) -> int:
        with contextlib.closing(sqlite3.connect(self.store, timeout=30)) as db:
            return db.execute("SELECT count(*) FROM bound").fetchone()[0]

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)

    def counts(self) -> tuple[int, set]:
        with contextlib.closing(sqlite3.connect(self.store, timeout=30)) as db:
            deliveries = db.execute("SELECT count(*) FROM deliveries").fetchone()[0]
            ids = {row[0] for row in db.execute("SELECT event_id FROM events")}
        return deliveries, ids

    def per_exchange(self) -> dict:
        with contextlib.closing(sqlite3.connect(self.store, timeout=30)) as db:
            rows = db.execute("SELECT exchange, count(*), count(DISTINCT event_id) FROM deliveries GROUP BY exchange")
            return {exchange: (total, distinct) for exchange, total, distinct in rows}

    def duplicate_kinds(self) -> Counter:
        """The duplicates by how they came: the broker's redelivery of a message the subscriber had stored but not
        acknowledged (``redelivered`` set), or the same event published again (a relay that crashed between the
        broker's confirm and marking its row sent publishes it once more)."""
        with contextlib.closing(sqlite3.connect(self.store, timeout=30)) as db:
            rows = db.execute(
                "SELECT d.redelivered, count(*) FROM deliveries d JOIN events e ON e.event_id = d.event_id "
                "WHERE d.n <> e.first_n GROUP BY d.redelivered"
            )
            return Counter({"redelivered by the broker" if flag else "published again": n for flag, n in rows})


# --- the broker node of its own ---------------------------------------------------------------------------------
class OwnBroker:
    """A RabbitMQ node with its own name, ports, cookie (HOME), configuration, data and logs."""

    def __init__(self, workdir: Path):
        from enforcement_testing import free_port

        matches = sorted(Path("/").glob(RABBIT_SBIN_GLOB.lstrip("/")))
        if not matches:
            raise SystemExit(f"RabbitMQ is not installed ({RABBIT_SBIN_GLOB} not found)")
        self.sbin = matches[-1]
        self.dir = workdir / "rabbitmq"
        for sub in ("mnesia", "log"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        self.port, dist = free_port(), free_port()
        self.node = f"faultrun-{os.getpid()}@localhost"
        (self.dir / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{self.port}\n")
        (self.dir / "enabled_plugins").write_text("[].\n")  # no management, no prometheus: no ports to clash
        (self.dir / "rabbitmq-env.conf").write_text("")  # not /etc/rabbitmq's, which names the shared node
        self.env = {
            **os.environ,
            "HOME": str(self.dir),  # its own Erlang cookie
            "RABBITMQ_CONF_ENV_FILE": str(self.dir / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.dir / "log"),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(dist),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        }
        self.proc = None
        self.uri = f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def ctl(self, *args: str, timeout: float = 90) -> str:
        done = subprocess.run(
            [str(self.sbin / "rabbitmqctl"), "-n", self.node, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)}: {done.stderr or done.stdout}")
        return done.stdout

    def start(self) -> None:
        with open(self.dir / "server.out", "ab") as out:
            self.proc = subprocess.Popen(
                [str(self.sbin / "rabbitmq-server")], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 120
        while True:  # until the node has registered with epmd, await_startup fails at once
            try:
                self.ctl("await_startup", "--timeout", "60", timeout=90)
                return
            except RuntimeError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                self.ctl("stop", timeout=60)
                self.proc.wait(30)
            except (RuntimeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(10)


# --- the scenario over HTTP -------------------------------------------------------------------------------------
class Api:
    def __init__(self, base: str, token: str | None = None):
        import requests

        self.base = base
        self.session = requests.Session()
        self.session.trust_env = False  # loopback, no proxy
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kw):
        """The response, or None when the gateway did not answer (killed, refused, timed out)."""
        import requests

        try:
            return self.session.request(method, self.base + path, timeout=20, **kw)
        except requests.RequestException:
            return None


def login(base: str, username: str, password: str, new_password: str | None = None) -> Api:
    """Logged in; an account that must change its password first changes it, then logs in again with the new one."""
    answer = Api(base).call("POST", "/auth/login", json={"username": username, "password": password})
    if answer is None or answer.status_code != 200:
        raise RuntimeError(f"login {username}: {describe(answer)}")
    if answer.json().get("must_change_password"):
        changed = Api(base, answer.json()["token"]).call(
            "POST", "/auth/password", json={"current_password": password, "new_password": new_password}
        )
        if changed is None or changed.status_code != 200:
            raise RuntimeError(f"password change {username}: {describe(changed)}")
        return login(base, username, new_password)
    return Api(base, answer.json()["token"])


def describe(response) -> str:
    return "no answer" if response is None else f"{response.status_code} {response.text[:500]}"


def created(response, status: int = 201) -> dict:
    if response is None or response.status_code != status:
        raise RuntimeError(f"setup step refused: {describe(response)}")
    return response.json()


class Ledger:
    """Every write the gateway acknowledged (2xx) with what reads it back; the attempts that were not."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked: list[tuple[str, str, str]] = []  # (kind, id, GET path that must show it)
        self.attempts = Counter()
        self.unanswered = Counter()  # no answer, 5xx: maybe applied, never acknowledged
        self.refused = Counter()  # 4xx after an unanswered try of the same write: it was applied
        self.other = Counter()

    def ack(self, kind: str, ident: str, path: str) -> None:
        with self.lock:
            self.acked.append((kind, ident, path))


class Workload:
    """Workers repeating the county's chain of writes until told to stop."""

    def __init__(self, base: str, admin: Api, agency: Api, fixtures: dict, ledger: Ledger, run_date):
        self.base, self.admin, self.agency, self.fx, self.ledger = base, admin, agency, fixtures, ledger
        self.run_date = run_date
        self.stopping = threading.Event()
        self.chains = Counter()

    def write(self, api: Api, kind: str, path: str, body: dict, ident_key: str, read: str, retries: int = 40):
        """Retry until answered: the created object (2xx, recorded), ``"applied"`` (4xx after an unanswered try:
        the earlier one went through), or None (refused outright, or stopping)."""
        unanswered = False
        for _ in range(retries):
            with self.ledger.lock:
                self.ledger.attempts[kind] += 1
            answer = api.call("POST", path, json=body)
            if answer is not None and 200 <= answer.status_code < 300:
                data = answer.json()
                ident = str(data[ident_key])
                self.ledger.ack(kind, ident, read.format_map({**data, "id": ident}))
                return data
            if answer is not None and 400 <= answer.status_code < 500:
                with self.ledger.lock:
                    (self.ledger.refused if unanswered else self.ledger.other)[(kind, answer.status_code)] += 1
                if not unanswered:
                    log(f"{kind} refused: {answer.status_code} {answer.text[:300]}")
                return "applied" if unanswered else None
            unanswered = True
            with self.ledger.lock:
                self.ledger.unanswered[kind] += 1
            if self.stopping.is_set():
                return None
            time.sleep(1)
        return None

    def wait(self, api: Api, path: str, test, timeout: float = 90) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stopping.is_set():
            answer = api.call("GET", path)
            if answer is not None and answer.status_code == 200 and test(answer.json()):
                return True
            time.sleep(0.5)
        return False

    def chain(self, worker: int, n: int, certified: list) -> None:
        from enforcement_testing import valid_id_number

        fx, today = self.fx, self.run_date
        seq = worker * 400 + n
        officer = self.write(
            self.agency,
            "officer",
            "/officers",
            {"agency_code": SCJ, "name": f"容错{seq}", "id_number": valid_id_number(seq), "domains": [DOMAIN]},
            "officer_id",
            "/officers/{id}",
        )
        if not isinstance(officer, dict):
            return
        oid = officer["officer_id"]
        if not self.wait(self.agency, f"/training/officers/{oid}/compliance", lambda _: True):
            return
        for session, hours in ((fx["required"], 4), (fx["law"], 26), (fx["skills"], 30)):
            body = {"officer_id": oid, "session_id": session, "hours": hours}
            if (
                self.write(
                    self.agency,
                    "attendance",
                    "/training/attendance",
                    body,
                    "attendance_id",
                    "/training/attendance/{id}",
                )
                is None
            ):
                return
        result = self.write(
            self.admin,
            "exam_result",
            f"/training/exams/{fx['sitting']}/results",
            {"officer_id": oid, "score": 85},
            "result_id",
            "/training/officers/{officer_id}/exams",
        )
        if result is None:
            return
        if not self.wait(self.agency, f"/officers/{oid}/eligibility", lambda body: body.get("eligible")):
            return
        cert = self.write(
            self.admin,
            "certificate",
            "/certificates",
            {"officer_id": oid, "domains": [DOMAIN]},
            "number",
            "/certificates/{id}",
        )
        if cert is None:
            return
        certified.append(oid)
        if len(certified) >= 2:
            case = {
                "agency_code": SCJ,
                "case_number": f"五市监罚〔{today.year}〕{seq}号",
                "item_id": fx["item"],
                "filed_on": today.isoformat(),
                "violation_on": (today - timedelta(days=3)).isoformat(),
                "party": {"kind": "organisation", "name": f"容错商贸{seq}", "credit_code": f"91140928MA{seq:08d}"},
                "officers": [{"officer_id": certified[-2]}, {"officer_id": oid}],
            }
            if self.write(self.agency, "case", "/cases", case, "case_id", "/cases/{id}") is None:
                return
        item = {
            "agency_code": SCJ,
            "kind": "rectification",
            "title": f"容错整改{seq}",
            "body": "执法公示信息不全，限期整改",
            "deadline_workdays": 15,
        }
        self.write(self.admin, "supervision_item", "/supervision/items", item, "item_id", "/supervision/items/{id}")
        with self.ledger.lock:
            self.chains["complete"] += 1

    def run(self, worker: int) -> None:
        certified: list = []
        n = 0
        while not self.stopping.is_set():
            n += 1
            try:
                self.chain(worker, n, certified)
            except Exception as exc:  # a bug in the scenario, not a fault: show it and carry on
                log(f"worker {worker}: {type(exc).__name__}: {exc}")
                time.sleep(1)


def setup_fixtures(admin: Api, agency: Api, run_date) -> dict:
    """Once: the sessions the officers attend, an exam sitting, a catalogue item for the cases."""
    day = run_date.isoformat()
    law = created(
        admin.call("POST", "/training/courses", json={"title": "行政处罚法（容错）", "category_code": "public_law"})
    )
    skills = created(
        admin.call(
            "POST", "/training/courses", json={"title": "市场监管执法技能（容错）", "category_code": "professional"}
        )
    )

    def session(course_id: str, hours: float) -> str:
        # at most 12 hours a day: a longer session spans the days before the run's date
        first = max(run_date - timedelta(days=int((hours - 1) // 12)), run_date.replace(month=1, day=1))
        body = {
            "course_id": course_id,
            "held_on": first.isoformat(),
            "ends_on": day,
            "hours": hours,
            "delivery": "offline",
            "organiser": {"kind": "bureau"},
        }
        return created(admin.call("POST", "/training/sessions", json=body))["session_id"]

    sitting = created(
        admin.call(
            "POST",
            "/training/exams",
            json={"exam_kind": "qualification", "title": "行政执法资格考试（容错）", "sat_on": day},
        )
    )
    item = created(
        agency.call(
            "POST",
            "/catalogue/items",
            json={
                "agency_code": SCJ,
                "code": "SCJ-CF-901",
                "type_code": "penalty",
                "name": "未按规定公示营业执照",
                "domain": DOMAIN,
                "legal_basis": "《市场主体登记管理条例》第四十八条",
                "effective_from": "2022-03-01",
            },
        )
    )
    return {
        "required": session(REQUIRED_COURSE, 4),
        "law": session(law["course_id"], 26),
        "skills": session(skills["course_id"], 30),
        "sitting": sitting["sitting_id"],
        "item": item["item_id"],
    }


# --- the run ----------------------------------------------------------------------------------------------------
def outbox_rows(urls: dict) -> dict:
    from enforcement_testing import db_rows

    return {name: db_rows(url, "SELECT event_id, routing_key, status FROM outbox_events") for name, url in urls.items()}


def machine() -> str:
    load = os.getloadavg()
    with open("/proc/meminfo") as info:
        mem_kb = int(info.readline().split()[1])
    return (
        f"{platform.node()}, {os.cpu_count()} cores, {mem_kb / 1024 / 1024:.1f} GB, Linux {platform.release()}, "
        f"Python {platform.python_version()}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )


def snapshot(rev: str, workdir: Path) -> tuple[str, str]:
    """``rev`` of the repository exported (``git archive``) into the work folder: (its commit, a PYTHONPATH that puts
    its packages before the virtualenv's editable installs of the working tree). A run then measures one commit,
    whatever half-done changes the working tree holds."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    tree = workdir / "source"
    tree.mkdir()
    archive = subprocess.Popen(["git", "archive", sha], cwd=REPO, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(tree)], stdin=archive.stdout, check=True)
    archive.wait()
    roots = sorted(str(p.parent) for p in tree.glob("**/pyproject.toml") if p.parent != tree)
    return sha, os.pathsep.join(roots)


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True, text=True
    )
    return done.stdout.strip() + (" (with uncommitted changes in the tree)" if dirty.stdout.strip() else "")


def probe(proc, which: str) -> str:
    from enforcement_testing import http_get

    try:
        return str(http_get(f"{proc.ops_url}/health/{which}", timeout=3)[0])
    except OSError as exc:
        return type(exc).__name__


def restart(proc, down: float) -> None:
    import pytest

    proc.kill()
    time.sleep(down)
    proc.start(wait=False)
    try:
        proc.wait_ready(timeout=120)
    except pytest.fail.Exception as exc:  # the harness reports with pytest.fail
        raise RuntimeError(str(exc)) from None


def supervise(processes: dict, recover: float) -> dict:
    """Until every process answers /health/ready 200, acting as the deployment would: a process that exited is
    started again at once (docker-compose's ``restart: unless-stopped``); one still running but not ready after
    ``recover`` seconds is noted (live? ready?) and SIGKILLed and started again, as a liveness probe would have it."""
    exited, stuck, notes = [], [], []
    deadline = time.monotonic() + recover
    waiting = list(processes.values())
    while waiting:
        for proc in list(waiting):
            if not proc.running:
                notes.append(f"{proc.name} exited with {proc.proc.returncode}: started again")
                log("  " + notes[-1])
                exited.append(proc.name)
                proc.kill()  # closes its log
                proc.start(wait=False)
            elif probe(proc, "ready") == "200":
                waiting.remove(proc)
        if waiting and time.monotonic() > deadline:
            for proc in waiting:
                notes.append(
                    f"{proc.name} running but not ready after {recover:g}s (/health/live {probe(proc, 'live')}, "
                    f"/health/ready {probe(proc, 'ready')}): SIGKILL and start"
                )
                log("  " + notes[-1])
                stuck.append(proc.name)
                restart(proc, 0)
            break
        time.sleep(0.3)
    return {"exited": exited, "stuck": stuck, "notes": notes}


def inject(fault: str, processes: dict, broker: OwnBroker, subscriber: Subscriber, down: float, recover: float) -> dict:
    """One fault, then until every process is ready again; returns what happened and how long it took."""
    t0 = time.monotonic()
    if fault == "broker":
        broker.stop()
        time.sleep(down)
        broker.start()
        name = "broker node stopped and started"
    elif fault == "subscriber":
        subscriber.kill()
        time.sleep(down)
        subscriber.start()
        name = "subscriber SIGKILL, restarted"
    else:
        restart(processes[fault], down)
        name = f"{fault} SIGKILL, restarted"
    after = supervise(processes, recover)
    return {
        "fault": name,
        "ready_after_s": round(time.monotonic() - t0, 1),
        "note": "; ".join(after["notes"]),
        "exited": after["exited"],
        "stuck": after["stuck"],
    }


def settle(urls: dict, subscriber: Subscriber, timeout: float) -> tuple[dict, int, set, dict, float]:
    """Until every outbox row is final, the subscriber holds every outbox id and nothing new came for two polls
    5 s apart (a request the broker kept while its service was down may still be applied late), or the timeout."""
    started = time.monotonic()
    previous = None
    while True:
        rows = outbox_rows(urls)
        deliveries, ids = subscriber.counts()
        per_exchange = subscriber.per_exchange()
        unsent = sum(r["status"] not in ("sent", "unrouted") for rs in rows.values() for r in rs)
        outbox = {r["event_id"] for rs in rows.values() for r in rs}
        quiet = previous == (len(outbox), deliveries)
        if (not unsent and not outbox - ids and quiet) or time.monotonic() - started > timeout:
            return rows, deliveries, ids, per_exchange, time.monotonic() - started
        previous = (len(outbox), deliveries)
        time.sleep(5)


def read_back(admin: Api, ledger: Ledger, patience: float = 120) -> dict:
    """kind -> (acknowledged, read back); the lost ones listed with the answer that says so. A read that gets no
    answer or a 5xx is tried again for up to ``patience`` seconds (a stalled service is slow, not a loss); one that
    never gets an answer is listed as unreadable, which fails the run too (nothing shows the write is there)."""
    found, lost = Counter(), []
    for kind, ident, path in ledger.acked:
        answer = None
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            answer = admin.call("GET", path)
            if answer is not None and answer.status_code < 500:
                break
            time.sleep(2)
        if answer is not None and answer.status_code == 200 and ident in answer.text:
            found[kind] += 1
        else:
            why = "no answer" if answer is None else f"{answer.status_code} {answer.text[:120]}"
            lost.append(
                (kind, ident, path, why if answer is not None and answer.status_code < 500 else f"unreadable: {why}")
            )
    acked = Counter(kind for kind, _, _ in ledger.acked)
    return {"acked": acked, "found": found, "lost": lost}


def report(
    args, source, started_at, elapsed, faults, ledger, workload, back, rows, deliveries, ids, per, settle_s, subscriber
) -> tuple[str, dict]:
    lines = [
        "Fault run (bench/fault_run.py, issue #13)",
        f"date: {started_at:%Y-%m-%d %H:%M} UTC; {source}",
        f"machine: {machine()}",
        f"databases: {'SQLite' if args.sqlite else 'PostgreSQL'} (services), SQLite (gateway); "
        "broker: a RabbitMQ node of its own",
        f"workers: {args.workers}; {args.interval:g}s of traffic before each fault, {args.down:g}s down; "
        f"run {elapsed:.0f}s, then {settle_s:.0f}s until every outbox was empty",
        "",
        "Faults (in order, while the workers wrote):",
        "| # | fault | back after (s) | note |",
        "|---|---|---|---|",
    ]
    lines += [f"| {i} | {f['fault']} | {f['ready_after_s']} | {f['note']} |" for i, f in enumerate(faults, 1)]
    exited = [f"{name} (fault {i})" for i, fault in enumerate(faults, 1) for name in fault["exited"]]
    stuck = [f"{name} (fault {i})" for i, fault in enumerate(faults, 1) for name in fault["stuck"]]
    lines.append(
        "Processes that exited on a fault other than their own kill (started again, as a restart policy does): "
        f"{', '.join(exited) or 'none'}; running but not ready after {args.recover:g}s (killed and started again): "
        f"{', '.join(stuck) or 'none'}."
    )
    lines += [
        "",
        "Writes through the gateway:",
        "| write | attempts | acknowledged (2xx) | read back | lost |",
        "|---|---|---|---|---|",
    ]
    kinds = ["officer", "attendance", "exam_result", "certificate", "case", "supervision_item"]
    ack_lost = len(back["lost"])
    for kind in kinds:
        acked, found = back["acked"][kind], back["found"][kind]
        lines.append(f"| {kind} | {ledger.attempts[kind]} | {acked} | {found} | {acked - found} |")
    lines.append(
        f"| total | {sum(ledger.attempts.values())} | {sum(back['acked'].values())} | "
        f"{sum(back['found'].values())} | {ack_lost} |"
    )
    lines.append(
        f"Not acknowledged (no answer or 5xx while a process was down): {sum(ledger.unanswered.values())} tries "
        f"({', '.join(f'{k} {v}' for k, v in sorted(ledger.unanswered.items())) or 'none'}); "
        f"4xx on a retry because the unanswered try had been applied: {sum(ledger.refused.values())}; "
        f"other 4xx: {sum(ledger.other.values())} ({dict(ledger.other) or 'none'}). "
        f"Chains completed: {workload.chains['complete']}."
    )
    lines += [
        "",
        "Events (outbox tables vs. the outside subscriber):",
        "| producer | outbox events | not final | delivered to subscriber | distinct ids | duplicates | lost |",
        "|---|---|---|---|---|---|---|",
    ]
    all_outbox, total_unsent = set(), 0
    for name in PRODUCERS:
        outbox = {r["event_id"] for r in rows[name]}
        unsent = sum(r["status"] not in ("sent", "unrouted") for r in rows[name])
        all_outbox |= outbox
        total_unsent += unsent
        total, distinct = per.get(f"{name}.events", (0, 0))
        lines.append(
            f"| {name} | {len(outbox)} | {unsent} | {total} | {distinct} | {total - distinct} | {len(outbox - ids)} |"
        )
    lost_events = all_outbox - ids
    extra = ids - all_outbox
    lines.append(
        f"| total | {len(all_outbox)} | {total_unsent} | {deliveries} | {len(ids)} | {deliveries - len(ids)} | "
        f"{len(lost_events)} |"
    )
    statuses = Counter(r["status"] for rs in rows.values() for r in rs)
    lines += [
        "",
        f"Outbox rows by status: {dict(statuses)}.",
        f"Duplicates by origin: {dict(subscriber.duplicate_kinds()) or 'none'}.",
        f"Deduplicated by id, the subscriber holds {len(ids)} events; the outboxes hold {len(all_outbox)}: "
        f"{'the same ids' if ids == all_outbox else f'{len(lost_events)} missing, {len(extra)} not from an outbox'}.",
    ]
    ok = not ack_lost and not lost_events and not total_unsent and not extra
    lines += [
        "",
        f"acknowledged writes lost: {ack_lost}; events lost: {len(lost_events)}; "
        f"duplicates delivered: {deliveries - len(ids)} "
        f"(removed by dedupe: {'yes' if ids == all_outbox else 'no'})",
        f"verdict: {'PASS' if ok else 'FAIL'}",
    ]
    summary = {
        "acknowledged": sum(back["acked"].values()),
        "read_back": sum(back["found"].values()),
        "acknowledged_lost": ack_lost,
        "outbox_events": len(all_outbox),
        "not_final": total_unsent,
        "deliveries": deliveries,
        "distinct_ids": len(ids),
        "duplicates": deliveries - len(ids),
        "events_lost": len(lost_events),
        "not_from_an_outbox": len(extra),
        "faults": [fault["fault"] for fault in faults],
        "exited": exited,
        "stuck": stuck,
        "passed": ok,
    }
    if back["lost"]:
        lines += ["", "Lost writes:"] + [f"  {k} {i} {p} -> {s}" for k, i, p, s in back["lost"][:50]]
    if lost_events:
        lines += ["", "Lost events (first 50):"] + [f"  {e}" for e in sorted(lost_events)[:50]]
    return "\n".join(lines) + "\n", summary


def main() -> int:
    # One run told in order (start, load, faults, settle, check, stop), so longer than 50 lines on purpose.
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="concurrent chains of writes")
    parser.add_argument("--interval", type=float, default=12, help="seconds of traffic before each fault")
    parser.add_argument("--down", type=float, default=3, help="seconds a killed process stays down")
    parser.add_argument("--ack-every", type=float, default=0.5, help="the subscriber's acknowledgement batch (s)")
    parser.add_argument("--faults", default="personnel,training,cases,supervision,gateway,subscriber,broker")
    parser.add_argument(
        "--recover", type=float, default=60, help="seconds the processes get to reconnect by themselves"
    )
    parser.add_argument("--sqlite", action="store_true", help="the services on SQLite files instead of PostgreSQL")
    parser.add_argument("--settle", type=float, default=240, help="seconds to wait for the outboxes to empty")
    parser.add_argument("--output", help="also write the report to this file")
    parser.add_argument("--snapshot", metavar="REV", help="run the services of this commit (e.g. HEAD), not the tree")
    parser.add_argument("--json", help="write the totals to this file as JSON (for the test)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, databases, subscriber store)")
    args = parser.parse_args()

    # a SIGTERM (e.g. from `timeout`) unwinds through the clean-up below instead of leaving the processes running
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    from enforcement_testing import RUN_DATE, ServiceProcess, db_count, free_port, fresh_postgres_database, wait_until

    started_at = datetime.now(timezone.utc)
    workdir = Path(tempfile.mkdtemp(prefix="faultrun-"))
    log(f"work folder {workdir}")
    broker = OwnBroker(workdir)
    processes: dict = {}
    subscriber = None
    workload = None
    threads: list = []
    with contextlib.ExitStack() as stack:
        try:
            broker.start()
            log(f"broker {broker.node} on 127.0.0.1:{broker.port}")
            subscriber = Subscriber(broker.uri, workdir, args.ack_every)
            subscriber.start()  # bound before any service publishes: every event is routed to it
            urls = {}
            for name in SERVICES:
                urls[name] = (
                    f"sqlite:///{workdir}/{name}.db" if args.sqlite else stack.enter_context(fresh_postgres_database())
                )
            urls["gateway"] = f"sqlite:///{workdir}/gateway.db"
            web = free_port()
            extra = {"RPC_TIMEOUT": "5"}
            source = f"commit {commit()} (the working tree)"
            if args.snapshot:
                sha, extra["PYTHONPATH"] = snapshot(args.snapshot, workdir)
                source = f"commit {sha} (exported with git archive; services imported from it)"
            for name in PRODUCERS:
                env = dict(extra, **({"WEB_SERVER_ADDRESS": f"127.0.0.1:{web}"} if name == "gateway" else {}))
                proc = ServiceProcess(name, urls[name], broker.uri, workdir / f"{name}.log", extra_env=env)
                proc.prepare()
                proc.start()
                processes[name] = proc
                log(f"{name} ready")
            base = f"http://127.0.0.1:{web}/api/v1"
            admin = login(base, "admin", "change-me-now", ADMIN_PASSWORD)
            created(
                admin.call(
                    "POST",
                    "/users",
                    json={
                        "username": "scj-fault",
                        "password": AGENCY_PASSWORD + "-0",
                        "role": "agency_admin",
                        "agency_code": SCJ,
                    },
                )
            )
            agency = login(base, "scj-fault", AGENCY_PASSWORD + "-0", AGENCY_PASSWORD)
            # training must know the seeded agencies (personnel's events) before it takes attendance
            wait_until(lambda: db_count(urls["training"], "agencies") >= 27, timeout=60, message="agencies in training")
            fixtures = setup_fixtures(admin, agency, RUN_DATE)
            ledger = Ledger()
            workload = Workload(base, admin, agency, fixtures, ledger, RUN_DATE)
            threads = [threading.Thread(target=workload.run, args=(w,), daemon=True) for w in range(args.workers)]
            t_start = time.monotonic()
            for thread in threads:
                thread.start()
            faults = []
            for fault in [f.strip() for f in args.faults.split(",") if f.strip()]:
                time.sleep(args.interval)
                log(f"fault: {fault}")
                faults.append(inject(fault, processes, broker, subscriber, args.down, args.recover))
                log(f"  back after {faults[-1]['ready_after_s']}s")
            time.sleep(args.interval)
            workload.stopping.set()
            for thread in threads:
                thread.join(120)
            elapsed = time.monotonic() - t_start
            log("workload stopped; waiting for the outboxes to empty")
            rows, deliveries, ids, per, settle_s = settle(urls, subscriber, args.settle)
            back = read_back(admin, ledger)
            text, summary = report(
                args,
                source,
                started_at,
                elapsed,
                faults,
                ledger,
                workload,
                back,
                rows,
                deliveries,
                ids,
                per,
                settle_s,
                subscriber,
            )
            print("\n" + text)
            if args.output:
                Path(args.output).write_text(text, encoding="utf-8")
            if args.json:
                Path(args.json).write_text(json.dumps(summary, indent=1), encoding="utf-8")
            return 0 if summary["passed"] else 1
        finally:
            if workload is not None:
                workload.stopping.set()
            for proc in processes.values():
                if proc.running:
                    proc.proc.send_signal(signal.SIGTERM)
            for proc in processes.values():
                with contextlib.suppress(subprocess.TimeoutExpired):
                    if proc.proc is not None:
                        proc.proc.wait(30)
                proc.kill()
            if subscriber is not None:
                subscriber.stop()
            broker.stop()
            if args.keep:
                log(f"kept {workdir}")
            else:
                shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "subscribe":
        subscribe(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    else:
        sys.exit(main())
