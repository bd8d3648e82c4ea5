"""Training benchmark (issue #3): import 10k and 100k attendance rows, and the county compliance table.
With ``--live`` (issue #13): the training service stays healthy and small during a 200,000-row import and bombs.

Uses the service's own use cases (``operations.import_attendance`` and ``operations.aggregate``)
against a fresh, migrated and seeded database per run: a temporary SQLite file, and PostgreSQL
on 127.0.0.1:5432 when it answers (a temporary database, dropped afterwards). 5,000 officers in
the county's 27 agencies; the sessions are sized so every officer has rows/5,000 attendances.
The import time covers reading the .xlsx, checking every row, writing the rows, one snapshot
per officer-year and the outbox events; generating the file is not timed.

    .venv/bin/python bench/training_import.py [--sizes 10000 100000] [--officers 5000] [--no-postgres]

``--live``: the training service and the gateway run as processes (``enforcement-run``, SQLite, a RabbitMQ vhost of
their own); the database is filled as above (5,000 officers, 40 sessions), then through
``POST /api/v1/training/attendance/import`` come a 200,000-row sheet (the documented maximum) and three bombs (330 MB
of blank rows, the same bomb declaring 4 KB, one 1 GiB cell). Meanwhile a thread asks training's ``/health/ready``
every 0.5 s (2 s timeout) and reads the process's RSS from /proc. Bar: every probe 200 and RSS at most 500 MB
throughout; the import answers 201 within the gateway's ``file_rpc_timeout`` (120 s); each bomb 400. Exit 1 if not.

    .venv/bin/python bench/training_import.py --live [--rows 200000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
warnings.filterwarnings("ignore", message=r"pkg_resources is deprecated")

from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from enforcement_kernel.config import load_config  # noqa: E402
from enforcement_kernel.db import Tx, make_engine  # noqa: E402
from enforcement_kernel.migrations import upgrade  # noqa: E402
from training_service import models as m  # noqa: E402
from training_service import rules  # noqa: E402
from training_service.operations import compliance, imports  # noqa: E402
from training_service.plugin import PLUGIN  # noqa: E402
from training_service.settings import Settings  # noqa: E402
from training_service.spreadsheets import TEMPLATE_HEADERS, write_table  # noqa: E402

SYSTEM = {"username": "bench", "role": "system", "agency_code": None, "officer_id": None}
AGENCIES = [f"140928-a{i:02d}" for i in range(27)]
YEAR = date.today().year


@contextmanager
def sqlite_database():
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'training.db'}"


@contextmanager
def postgres_database():
    import psycopg2

    name = f"enf_bench_{uuid.uuid4().hex[:10]}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    conn = psycopg2.connect(admin, connect_timeout=3)
    conn.autocommit = True
    conn.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        conn.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


def prepare(url: str, officers: int, sessions: int) -> tuple[list[str], list[str]]:
    """Migrate and seed, then the officer directory (as personnel's events would fill it) and the sessions."""
    # Over 50 lines: the database and the sheets of one benchmark run, built in order.
    upgrade(PLUGIN.migrations, url)
    PLUGIN.seed({"DATABASE_URL": url})
    officer_ids = [f"o{i:06d}{uuid.uuid4().hex[:8]}" for i in range(officers)]
    start = date(YEAR, 1, 1)
    engine = make_engine(url, pool_size=1)
    with Session(engine) as session:
        session.execute(
            insert(m.Officer),
            [
                {"officer_id": o, "agency_code": AGENCIES[i % len(AGENCIES)], "name": f"执法员{i}", "status": "active"}
                for i, o in enumerate(officer_ids)
            ],
        )
        session.execute(
            insert(m.Course),
            [
                {
                    "course_id": c,
                    "title": c,
                    "category_code": c,
                    "kind": "training",
                    "required": False,
                    "counts_hours": True,
                    "description": "",
                    "created_by": "bench",
                }
                for c in ("public_law", "professional")
            ],
        )
        session_ids = [uuid.uuid4().hex for _ in range(sessions)]
        session.execute(
            insert(m.Session),
            [
                {
                    "session_id": s,
                    "course_id": ("public_law", "professional")[i % 2],
                    "held_on": start + timedelta(days=i % 300),
                    "ends_on": start + timedelta(days=i % 300),
                    "hours": 4.0,
                    "delivery": "online",
                    "organiser_kind": "bureau",
                    "organiser_agencies": [],
                    "location": "",
                    "created_by": "bench",
                }
                for i, s in enumerate(session_ids)
            ],
        )
        session.commit()
    engine.dispose()
    return officer_ids, session_ids


def run_once(url: str, rows: int, officers: int, settings: Settings) -> dict:
    sessions = max(rows // officers, 1)
    officer_ids, session_ids = prepare(url, officers, sessions)
    data = [(o, s, 3.5, None, "") for s in session_ids for o in officer_ids][:rows]
    content = write_table("attendance", TEMPLATE_HEADERS, data)
    today = date(YEAR, 12, 31) if date.today() > date(YEAR, 12, 31) else date.today()
    engine = make_engine(url, pool_size=1)
    stages: dict[str, float] = {}
    last = [time.perf_counter()]

    def progress(stage, done, total):
        now = time.perf_counter()
        stages[stage] = stages.get(stage, 0.0) + now - last[0]
        last[0] = now

    try:
        with Session(engine) as session:
            started = last[0] = time.perf_counter()
            result = imports.import_attendance(
                Tx(session, "training"), SYSTEM, content, settings, today, progress=progress
            )
            session.commit()
            import_seconds = time.perf_counter() - started
        assert result["imported"] == rows, result
        with Session(engine) as session:
            assert session.execute(select(func.count()).select_from(m.Attendance)).scalar_one() == rows
            started = time.perf_counter()
            table = compliance.aggregate(session, YEAR, settings)
            county, agencies = rules.rollup(table, settings.policy.yearly_hours)
            table_seconds = time.perf_counter() - started
        assert len(table) == officers and county.officers == officers
    finally:
        engine.dispose()
    return {
        "rows": rows,
        "import_s": import_seconds,
        "rows_per_s": rows / import_seconds,
        "table_s": table_seconds,
        "file_kb": len(content) / 1024,
        "stages": stages,
    }


BIN = Path(sys.executable).parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RSS_BAR_MB, PROBE_EVERY = 500, 0.5


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port: int, method: str, path: str, body=None, token=None, content_type="application/json", timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": content_type, **({"Authorization": f"Bearer {token}"} if token else {})}
    data = body if isinstance(body, bytes) else (json.dumps(body) if body is not None else None)
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"null")


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (enforcement-run may run the service in a child)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            if int(entry) == pid or int(stat[1]) == pid:
                for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1024


class Watch(threading.Thread):
    """Probes ``/health/ready`` every 0.5 s and samples the RSS until stopped: the worst of each per phase."""

    def __init__(self, ops_port: int, pid: int):
        super().__init__(daemon=True)
        self.ops_port, self.pid = ops_port, pid
        self.stopped = threading.Event()
        self.reset()

    def reset(self):
        self.probes, self.failed, self.slowest, self.rss = 0, [], 0.0, rss_mb(self.pid)
        self.since = time.perf_counter()

    def run(self):
        while not self.stopped.is_set():
            started = time.perf_counter()
            try:
                status, _ = call(self.ops_port, "GET", "/health/ready", timeout=2)
            except OSError as exc:
                status = type(exc).__name__
            self.probes += 1
            self.slowest = max(self.slowest, time.perf_counter() - started)
            if status != 200:
                self.failed.append(f"{status} at {started - self.since:.1f} s")
            self.rss = max(self.rss, rss_mb(self.pid))
            self.stopped.wait(max(0.0, PROBE_EVERY - (time.perf_counter() - started)))


def start_process(name: str, workdir: Path, env: dict) -> subprocess.Popen:
    log = open(workdir / f"{name}.log", "w")
    return subprocess.Popen([BIN / "enforcement-run", name], env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if call(port, "GET", "/health/ready", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"service on ops port {port} not ready")


def live(rows: int, officers: int, database) -> bool:
    """The issue #13 bar, measured on the running service; True when it is met."""
    # Over 50 lines: processes, data, then each upload watched in turn; one measurement in order.
    from enforcement_testing.xlsx_bombs import SHEET, blank_rows_bomb, declare_size, huge_cell

    vhost = f"enf-bench-{os.getpid()}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True)
    base = dict(os.environ, AMQP_URI=f"amqp://guest:guest@127.0.0.1:5672/{vhost}", LOG_LEVEL="WARNING")
    web, training_ops, gateway_ops = free_port(), free_port(), free_port()
    header = ("officer_id", "session_id", "hours")
    ok = True
    with tempfile.TemporaryDirectory() as tmp, database() as url:
        workdir = Path(tmp)
        print(f"live: training on {url.split(':', 1)[0]}")
        officer_ids, session_ids = prepare(url, officers, max(rows // officers, 1))
        sheet = write_table(
            "attendance", TEMPLATE_HEADERS, [(o, s, 3.5, None, "") for s in session_ids for o in officer_ids][:rows]
        )
        bombs = [("blank rows, 330 MB", blank_rows_bomb(300, header))]
        bombs.append(("same, declaring 4 KB", declare_size(bombs[0][1], SHEET, 4096)))
        bombs.append(("one 1 GiB cell", huge_cell(1024, header)))
        gateway_env = dict(base, DATABASE_URL=f"sqlite:///{workdir / 'gateway.db'}", OPS_PORT=str(gateway_ops))
        for cmd in ("enforcement-migrate", "enforcement-seed"):
            subprocess.run([BIN / cmd, "gateway"], env=gateway_env, check=True, capture_output=True)
        procs = [
            start_process("training", workdir, dict(base, DATABASE_URL=url, OPS_PORT=str(training_ops))),
            start_process("gateway", workdir, dict(gateway_env, WEB_SERVER_ADDRESS=f"127.0.0.1:{web}")),
        ]
        try:
            wait_ready(training_ops)
            wait_ready(gateway_ops)
            password = "Wuzhai-import-bench-2026"
            _, login = call(web, "POST", "/api/v1/auth/login", {"username": "admin", "password": "change-me-now"})
            token = login["token"]
            if login.get("must_change_password"):
                change = {"current_password": "change-me-now", "new_password": password}
                assert call(web, "POST", "/api/v1/auth/password", change, token)[0] == 200
                token = call(web, "POST", "/api/v1/auth/login", {"username": "admin", "password": password})[1]["token"]
            watch = Watch(training_ops, procs[0].pid)
            watch.start()
            print(
                f"live: training pid {procs[0].pid}, RSS at rest {rss_mb(procs[0].pid):.0f} MB; probe every "
                f"{PROBE_EVERY} s; bar: every probe 200, RSS <= {RSS_BAR_MB} MB"
            )
            print(
                f"{'upload':<24}{'file KB':>9}{'status':>8}{'seconds':>9}{'probes':>8}{'failed':>8}"
                f"{'slowest s':>11}{'max RSS MB':>12}  verdict"
            )
            for label, content, expected in [(f"{rows:,} rows", sheet, 201), *((n, c, 400) for n, c in bombs)]:
                watch.reset()
                started = time.perf_counter()
                status, body = call(
                    web,
                    "POST",
                    "/api/v1/training/attendance/import?filename=bench.xlsx",
                    content,
                    token,
                    XLSX,
                    timeout=180,
                )
                seconds = time.perf_counter() - started
                time.sleep(PROBE_EVERY * 2)  # one more probe after the answer
                passed = status == expected and not watch.failed and watch.rss <= RSS_BAR_MB
                ok = ok and passed
                print(
                    f"{label:<24}{len(content) / 1024:>9.0f}{status:>8}{seconds:>9.1f}{watch.probes:>8}"
                    f"{len(watch.failed):>8}{watch.slowest:>11.2f}{watch.rss:>12.0f}  "
                    f"{'PASS' if passed else 'FAIL'}"
                )
                if watch.failed:
                    print(f"    failed probes: {', '.join(watch.failed)}")
                if status != expected or expected == 400:
                    print(f"    {(body or {}).get('fields', {}).get('file', body)}")
            watch.stopped.set()
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=40)
            subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--officers", type=int, default=5000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--live", action="store_true", help="the running service during a large import and bombs")
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the --live import")
    parser.add_argument("--sqlite", action="store_true", help="--live on SQLite (default: PostgreSQL)")
    args = parser.parse_args()
    if args.live:
        sys.exit(0 if live(args.rows, args.officers, sqlite_database if args.sqlite else postgres_database) else 1)
    settings = Settings.from_config(load_config("training", default_path=PLUGIN.config_path))
    backends = [("sqlite", sqlite_database)]
    if not args.no_postgres:
        try:
            with postgres_database():
                pass
            backends.append(("postgresql", postgres_database))
        except Exception as exc:  # no server: SQLite only, and say so
            print(f"(PostgreSQL skipped: {type(exc).__name__}: {exc})")
    print(f"{args.officers} officers, {len(AGENCIES)} agencies; import = read + check + write + snapshots + outbox")
    # stages end at the use case's progress calls: parsing the sheet, then checking and writing every row,
    # then the per-officer-year snapshots with their outbox events
    print(
        f"{'backend':<11}{'rows':>9}{'file KB':>9}{'import s':>10}{'rows/s':>9}{'parse':>8}{'check+write':>13}"
        f"{'snapshots':>11}{'table s':>9}"
    )
    for name, database in backends:
        results = []
        for rows in args.sizes:
            with database() as url:
                r = run_once(url, rows, args.officers, settings)
            results.append(r)
            st = r["stages"]
            print(
                f"{name:<11}{rows:>9}{r['file_kb']:>9.0f}{r['import_s']:>10.2f}{r['rows_per_s']:>9.0f}"
                f"{st.get('read', 0):>8.2f}{st.get('write', 0):>13.2f}"
                f"{st.get('snapshots', 0):>11.2f}{r['table_s']:>9.3f}"
            )
        if len(results) >= 2:
            small, large = results[0], results[-1]
            growth = (large["import_s"] / small["import_s"]) / (large["rows"] / small["rows"])
            verdict = "linear or better" if growth <= 1.1 else "worse than linear"
            print(
                f"{name}: {small['rows']}->{large['rows']} rows: "
                f"time x{large['import_s'] / small['import_s']:.1f} for rows "
                f"x{large['rows'] / small['rows']:.0f} (time per row x{growth:.2f}: {verdict}); "
                f"county table of {args.officers} officers {large['table_s'] * 1000:.0f} ms over {large['rows']} rows"
            )


if __name__ == "__main__":
    main()
