"""Lists growth benchmark (issue #14, point 4): does the cost of a list page, of the county dashboard and of the
yearly reports grow with the data? Bar: the p99 of each list path at 20 clients grows by at most 2x from the
smallest size to the largest (1k to 1M rows); the yearly reports at 1M rows stay within their earlier 0.14-0.80 s.

How: for each database kind (SQLite files in a temporary folder, PostgreSQL databases of its own on 127.0.0.1:5432)
it creates the five databases (personnel, training, cases, supervision, gateway), applies ``enforcement-migrate``
and ``enforcement-seed`` to each and starts the four services and the gateway (``enforcement-run``, a RabbitMQ vhost
of its own). Then, for each size N (1k -> 10k -> 100k -> 1M: each step adds the rows it lacks, timed and printed),
it fills the databases directly with SQLAlchemy Core inserts against the services' own tables:
- cases: N, ``bench/cases_stats.py``'s catalogue and cases (27 agencies x 7 types, filed 2021-2025, 90% decided;
  on PostgreSQL its own SQL, with a promptness measurement per decided case; on SQLite its ``case_rows``);
- officers: min(N, 50,000), ``bench/console_pages.py``'s registrations (valid ID numbers, encrypted, hashed and
  masked with personnel's cipher), the county departments three times a township's share;
- supervision items, complaints (name and contact encrypted with supervision's cipher), supervision's promptness
  measurements and the gateway's audit records: N x ``--fraction`` each (1.0 unless told), over the 27 agencies
  and the five years before today; items and complaints older than 60 days are closed, the recent ones open.
Then it analyses the databases (planner statistics) and, logged in as the bureau admin, measures each path with
``bench/loadgen.py`` (wrk, 20 connections, ``--seconds`` x ``--rounds`` after a 1 s warm-up):
- each list (officers, cases, supervision items, complaints, audit): the first page; the next page (the ``after``
  cursor of the first page's ``next`` when the server offers one, otherwise ``page=2``); a filtered first page (by
  agency; the audit by an agency admin's username);
- the county dashboard's calls (console ``views/overview.py`` ``_bureau``: promptness, annual report, overdue
  items, the complaints near their deadline, training compliance, pending certificate applications);
- the yearly reports of last year (the supervision annual report, the cases' yearly statistics): also timed alone,
  one request at a time (median of 3).
It prints a growth table per database: each path's p99 (and req/s) at each size, the ratio p99(largest) /
p99(smallest) and PASS when <= 2.0. ``--json FILE`` writes everything. Everything is dropped at the end unless
``--keep``.

    .venv/bin/python bench/lists_growth.py [--sizes 1000,10000,100000,1000000] [--sqlite | --postgres]
        [--seconds 5] [--rounds 1] [--fraction 1.0] [--json bench/results/lists_growth.json] [--keep]
        [--commit 741dae4]
    .venv/bin/python bench/lists_growth.py --table bench/results/lists_growth.json  # its tables again
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loadgen
from cases_stats import AGENCIES, CASES_SQL, ITEMS_SQL, TYPES, admin_connection, case_rows, item_rows
from console_pages import (
    Stack,
    create_databases,
    drop_databases,
    migrate_and_seed,
    officer_payload,
    weighted_agencies,
)

SERVICES = ("personnel", "training", "cases", "supervision", "gateway")
ADMIN = ("admin", "change-me-now")
NEW_PASSWORD = "Bench-lists-2026"
AGENCY = "140928-scjgj"
BAR = 2.0
MAX_OFFICERS = 50_000
CHUNK = 5_000
SPAN_DAYS = 1826  # five years


# --- the data ------------------------------------------------------------------------------------------------------
def _spread(n: int) -> int:
    """Days before today of row ``n``: spread evenly over five years whatever the size (a multiplicative hash)."""
    return (n * 7919) % SPAN_DAYS


def insert(engine, table, rows) -> int:
    """Core inserts of ``rows`` (an iterable of dicts) in chunks, one transaction each; answers the count."""
    done, chunk = 0, []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            with engine.begin() as conn:
                conn.execute(table.insert(), chunk)
            done, chunk = done + len(chunk), []
    if chunk:
        with engine.begin() as conn:
            conn.execute(table.insert(), chunk)
        done += len(chunk)
    return done


def officer_rows(first: int, last: int, weighted: list[str], police: set[str], cipher, today: date):
    """Officers ``first``..``last - 1`` as ``register_officer`` would store them (no event: nothing reads one)."""
    from personnel_service import rules

    now = datetime.utcnow()
    for n in range(first, last):
        payload = officer_payload(n, weighted, random.Random(n), police)
        id_number = payload["id_number"]
        yield {
            "officer_id": hashlib.md5(f"officer{n}".encode()).hexdigest(),
            "agency_code": payload["agency_code"],
            "name": payload["name"],
            "id_number_encrypted": cipher.encrypt(id_number),
            "id_number_hash": cipher.lookup_hash(id_number),
            "id_number_masked": rules.mask_id_number(id_number),
            "position": payload["position"],
            "domains": payload["domains"],
            "is_police": "police_card_number" in payload,
            "police_card_number": payload.get("police_card_number"),
            "status": "active" if n % 25 else "departed",
            "appointed_on": today - timedelta(days=_spread(n) * 3),
            "departed_on": today - timedelta(days=_spread(n)) if n % 25 == 0 else None,
            "created_at": now,
            "updated_at": now,
        }


def item_rows_supervision(first: int, last: int, today: date):
    """Supervision items: four kinds, closed after 60 days, the open ones in every state, one in 20 overdue."""
    kinds = ("rectification", "complaint_referral", "transfer_followup", "report_request")
    now = datetime.utcnow()
    for n in range(first, last):
        issued = today - timedelta(days=_spread(n))
        due = issued + timedelta(days=14)
        old = (today - issued).days > 60
        state = ("verified", "closed")[n % 2] if old else ("issued", "acknowledged", "answered", "returned")[n % 4]
        answered = issued + timedelta(days=n % 20) if old or state == "answered" else None
        overdue = n % 20 == 0 and (old or due < today)
        yield {
            "agency_code": f"140928-{AGENCIES[n % 27]}",
            "kind": kinds[n % 4],
            "title": f"督办事项 第{n}号：请按期整改并书面报告",
            "body": "经检查发现执法案卷存在程序问题，请于期限内整改。",
            "state": state,
            "issued_on": issued,
            "deadline_workdays": 10,
            "due_on": due,
            "acknowledged_on": issued + timedelta(days=1) if state != "issued" else None,
            "first_answered_on": answered,
            "answered_on": answered,
            "answer": "已整改" if answered else None,
            "verified_on": issued + timedelta(days=25) if state == "verified" else None,
            "closed_on": issued + timedelta(days=25) if old else None,
            "returns": 0,
            "overdue": overdue,
            "overdue_on": due + timedelta(days=1) if overdue else None,
            "escalated_due_on": due if overdue else None,
            "answered_on_time": (answered <= due) if answered else None,
            "year": issued.year,
            "issued_by": "admin",
            "origin": "manual",
            "occurrences": 1,
            "details": {},
            "created_at": now,
            "updated_at": now,
        }


def receipt_code(n: int) -> str:
    """A unique receipt number in the service's form (12 characters of its alphabet, dashes every 4)."""
    from supervision_service.rules import RECEIPT_ALPHABET, RECEIPT_LENGTH

    raw, k = [], n * 2654435761 % (32**RECEIPT_LENGTH)  # a bijection: unique, not sequential
    for _ in range(RECEIPT_LENGTH):
        k, digit = divmod(k, len(RECEIPT_ALPHABET))
        raw.append(RECEIPT_ALPHABET[digit])
    return "-".join("".join(raw[i : i + 4]) for i in range(0, RECEIPT_LENGTH, 4))


def complaint_rows(first: int, last: int, today: date, cipher):
    """Complaints from 1,000 complainants (encrypted once each: repeat complainants are common), open when recent."""
    people = [
        (cipher.encrypt(f"投诉人{i}"), cipher.encrypt(f"1390000{i:04d}"), cipher.lookup_hash(f"1390000{i:04d}"))
        for i in range(1000)
    ]
    now = datetime.utcnow()
    for n in range(first, last):
        received = today - timedelta(days=_spread(n))
        old = (today - received).days > 60
        state = ("concluded", "concluded", "refused")[n % 3] if old else ("registered", "accepted")[n % 2]
        decided = received + timedelta(days=5) if state != "registered" else None
        name, contact, contact_hash = people[n % 1000]
        yield {
            "agency_code": f"140928-{AGENCIES[n % 27]}",
            "complainant_kind": ("enterprise", "citizen")[n % 2],
            "complainant_name_enc": name,
            "contact_enc": contact,
            "contact_hash": contact_hash,
            "summary": f"反映执法人员检查时未出示执法证件（第{n}件）",
            "receipt_code": receipt_code(n),
            "received_on": received,
            "state": state,
            "accept_due_on": received + timedelta(days=7),
            "decided_on": decided,
            "decision_reasons": "符合受理条件" if decided else None,
            "conclude_due_on": received + timedelta(days=35) if decided and state != "refused" else None,
            "concluded_on": received + timedelta(days=30) if state == "concluded" else None,
            "outcome": ("upheld", "not_upheld")[n % 2] if state == "concluded" else None,
            "conclusion": "经核查，已责令整改" if state == "concluded" else None,
            "year": received.year,
            "created_at": now,
            "updated_at": now,
        }


def promptness_rows(first: int, last: int, today: date):
    """Supervision's record of the suite's deadlines, as ``cases.promptness.measured`` events record them."""
    now = datetime.utcnow()
    for n in range(first, last):
        ended = today - timedelta(days=_spread(n))
        taken = 5 + n % 60
        yield {
            "event_id": hashlib.md5(f"bench-promptness-{n}".encode()).hexdigest(),
            "source": "cases",
            "agency_code": f"140928-{AGENCIES[n % 27]}",
            "kind": ("case_decided", "decision_published")[n % 2],
            "reference": hashlib.md5(f"case{n}".encode()).hexdigest(),
            "started_on": ended - timedelta(days=taken * 7 // 5),
            "ended_on": ended,
            "workdays_taken": taken,
            "deadline_workdays": 60,
            "on_time": taken <= 60,
            "year": ended.year,
            "recorded_at": now,
        }


AUDIT_ACTIONS = (
    "POST /api/v1/auth/login",
    "PATCH /api/v1/officers/<officer_id>",
    "POST /api/v1/cases",
    "POST /api/v1/cases/<case_id>/decision",
    "POST /api/v1/training/sessions/<session_id>/attendance",
    "GET /api/v1/officers/by-id-number",
    "POST /api/v1/supervision/items/<int:item_id>/answer",
)


def audit_rows(first: int, last: int, today: date):
    """The gateway's audit trail: the 27 agencies' admins (``admin-<agency>``) and the bureau, 10 rows a minute at
    most, the newest today; one in 30 refused."""
    start = datetime.combine(today, datetime.min.time())
    for n in range(first, last):
        agency = AGENCIES[n % 27]
        refused = n % 30 == 0
        yield {
            "at": start - timedelta(days=_spread(n), seconds=n % 86400),
            "username": "admin" if n % 10 == 0 else f"admin-{agency}",
            "role": "bureau" if n % 10 == 0 else "agency_admin",
            "action": AUDIT_ACTIONS[n % len(AUDIT_ACTIONS)],
            "target": json.dumps({"id": hashlib.md5(f"target{n}".encode()).hexdigest()}),
            "status": 403 if refused else 200,
            "outcome": "forbidden" if refused else "ok",
            "client_ip": f"10.0.{n % 27}.{n % 250 + 1}",
            "correlation_id": hashlib.md5(f"corr{n}".encode()).hexdigest(),
            "detail": None,
        }


def run_sql(engine, sql: str, params: dict) -> None:
    """``cases_stats``' PostgreSQL statements (psycopg2's parameters), in one transaction."""
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute(sql, {"agencies": AGENCIES, "types": TYPES, **params})
        raw.commit()
    finally:
        raw.close()


class Filler:
    """Brings the five databases from the rows they hold to the next size (each call adds the missing rows)."""

    def __init__(self, urls: dict[str, str], fraction: float, today: date):
        from enforcement_kernel.config import load_config
        from enforcement_kernel.db import make_engine
        from personnel_service.plugin import PLUGIN as PERSONNEL
        from personnel_service.settings import cipher_from_config
        from supervision_service.operations.common import cipher_from_config as supervision_cipher
        from supervision_service.plugin import PLUGIN as SUPERVISION

        self.urls, self.fraction, self.today = urls, fraction, today
        self.postgres = urls["cases"].startswith("postgresql")
        self.engines = {name: make_engine(url, pool_size=1) for name, url in urls.items()}
        self.personnel_cipher = cipher_from_config(load_config("personnel", None, PERSONNEL.config_path))
        self.supervision_cipher = supervision_cipher(load_config("supervision", None, SUPERVISION.config_path))
        self.weighted = weighted_agencies(self.engines["personnel"])
        self.had = {"cases": 0, "officers": 0, "others": 0}

    def fill(self, size: int) -> dict:
        """Rows added per table, and the seconds it took (``seconds``)."""

        from cases_service import models as cm
        from enforcement_gateway.models import AuditRecord
        from personnel_service import models as pm
        from supervision_service import models as sm

        started, added, today = time.perf_counter(), {}, self.today
        if not self.had["cases"]:
            self._catalogue(cm)
        if size > self.had["cases"]:
            first, last = self.had["cases"] + 1, size
            if self.postgres:  # cases_stats' own SQL: generated in the database, ten times faster than inserts
                run_sql(self.engines["cases"], CASES_SQL, {"first": first, "last": last})
                added["cases"] = last - first + 1
            else:
                added["cases"] = insert(
                    self.engines["cases"], cm.Case.__table__, case_rows(first, last, datetime.utcnow())
                )
            self.had["cases"] = size
        officers = min(size, MAX_OFFICERS)
        if officers > self.had["officers"]:
            rows = officer_rows(self.had["officers"], officers, *self.weighted, self.personnel_cipher, today)
            added["officers"] = insert(self.engines["personnel"], pm.Officer.__table__, rows)
            self.had["officers"] = officers
        others = int(size * self.fraction)
        if others > self.had["others"]:
            first, sup = self.had["others"], self.engines["supervision"]
            added["supervision_items"] = insert(
                sup, sm.SupervisionItem.__table__, item_rows_supervision(first, others, today)
            )
            rows = complaint_rows(first, others, today, self.supervision_cipher)
            added["complaints"] = insert(sup, sm.Complaint.__table__, rows)
            added["promptness"] = insert(sup, sm.PromptnessMeasurement.__table__, promptness_rows(first, others, today))
            added["audit_records"] = insert(
                self.engines["gateway"], AuditRecord.__table__, audit_rows(first, others, today)
            )
            self.had["others"] = others
        self.analyse()
        added["seconds"] = round(time.perf_counter() - started, 1)
        return added

    def _catalogue(self, cm) -> None:
        if self.postgres:
            run_sql(self.engines["cases"], ITEMS_SQL, {})
            return
        items, versions = item_rows(datetime.utcnow())
        insert(self.engines["cases"], cm.Item.__table__, items)
        insert(self.engines["cases"], cm.ItemVersion.__table__, versions)

    def analyse(self) -> None:
        """Planner statistics, as autovacuum (PostgreSQL) or an ``ANALYZE`` after a bulk load (SQLite) keeps them."""
        for engine in self.engines.values():
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE" if self.postgres else "ANALYZE")

    def close(self) -> None:
        for engine in self.engines.values():
            engine.dispose()


# --- the measurements ----------------------------------------------------------------------------------------------
LISTS = {  # list → (path, filter of its first page)
    "officers": ("/officers", {"agency_code": AGENCY}),
    "cases": ("/cases", {"agency_code": AGENCY}),
    "supervision items": ("/supervision/items", {"agency_code": AGENCY}),
    "complaints": ("/supervision/complaints", {"agency_code": AGENCY}),
    "audit": ("/audit", {"actor": "admin-" + AGENCY.split("-", 1)[1]}),
}
PER_PAGE = 20


def dashboard(today: date) -> dict[str, tuple[str, dict]]:
    """The county dashboard's gateway calls (console views/overview.py ``_bureau``), this year's."""
    from enforcement_console.views.overview import MAX_ROWS, NEAR_WORKING_DAYS, _last_day_within

    near = {"due_by": _last_day_within(today, NEAR_WORKING_DAYS).isoformat(), "per_page": MAX_ROWS}
    return {
        "dashboard: promptness": (
            "/supervision/promptness",
            {"from": date(today.year, 1, 1).isoformat(), "to": today.isoformat()},
        ),
        "dashboard: annual report": ("/supervision/annual-reports", {"year": today.year}),
        "dashboard: overdue items": ("/supervision/items", {"overdue": "true", "per_page": 10}),
        # the open complaints whose next deadline is near, as the console asks since 2a7a0d7 (before: 500 a state)
        "dashboard: complaints registered": ("/supervision/complaints", {"state": "registered", **near}),
        "dashboard: complaints accepted": ("/supervision/complaints", {"state": "accepted", **near}),
        "dashboard: training compliance": ("/training/compliance/summary", {"year": today.year}),
        "dashboard: pending applications": ("/certificate-applications", {"state": "pending", "per_page": 10}),
    }


def yearly(today: date) -> dict[str, tuple[str, dict]]:
    """Last year's reports: the supervision annual report (行政执法统计年报) and the cases' yearly statistics."""
    return {
        "yearly: annual report": ("/supervision/annual-reports", {"year": today.year - 1}),
        "yearly: cases statistics": ("/cases/statistics", {"year": today.year - 1}),
    }


class Api:
    def __init__(self, base: str):
        import requests

        self.base, self.http = base, requests.Session()
        self.http.trust_env = False

    def login(self) -> None:
        """The bureau admin's token, after the first password change (then a fresh login: a change may end the
        tokens issued before it)."""
        answer = self.http.post(
            f"{self.base}/auth/login", json={"username": ADMIN[0], "password": ADMIN[1]}, timeout=30
        )
        if answer.status_code == 401:  # changed by an earlier size's login
            answer = self.http.post(
                f"{self.base}/auth/login", json={"username": ADMIN[0], "password": NEW_PASSWORD}, timeout=30
            )
        answer.raise_for_status()
        body = answer.json()
        self.http.headers["Authorization"] = f"Bearer {body['token']}"
        if body.get("must_change_password"):
            changed = self.http.post(
                f"{self.base}/auth/password",
                json={"current_password": ADMIN[1], "new_password": NEW_PASSWORD},
                timeout=30,
            )
            changed.raise_for_status()
            return self.login()

    def url(self, path: str, query: dict) -> str:
        return f"{self.base}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")

    def get(self, path: str, query: dict):
        return self.http.get(self.url(path, query), timeout=120)


def paths(api: Api, today: date) -> dict[str, str]:
    """Every measured path → its URL; a list's next page from its first page's answer (``next``, else page 2)."""
    urls = {}
    for name, (path, filtered) in LISTS.items():
        first = {"per_page": PER_PAGE}
        urls[f"{name}: first page"] = api.url(path, first)
        answer = api.get(path, first)
        answer.raise_for_status()
        body = answer.json()
        if "next" in body:
            urls[f"{name}: next page"] = api.url(path, {**first, "after": body["next"]}) if body["next"] else None
        else:
            urls[f"{name}: next page"] = api.url(path, {**first, "page": 2})
        urls[f"{name}: filtered"] = api.url(path, {**first, **filtered})
    for name, (path, query) in {**dashboard(today), **yearly(today)}.items():
        urls[name] = api.url(path, query)
    return urls


def keyset(api: Api) -> bool:
    """Whether the server answers lists with a ``next`` cursor (the keyset pagination of issue 14)."""
    return "next" in api.get("/officers", {"per_page": 1}).json()


def alone_ms(api: Api, url: str, runs: int = 3) -> float | None:
    """One request at a time: the median time of ``runs`` (after one warm-up); None when one fails."""
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        if api.http.get(url, timeout=120).status_code != 200:
            return None
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[1:])


def drain(api: Api, url: str, limit_s: float = 120):
    """Ask until an answer is not a 503 (at most ``limit_s``): wrk leaves requests queued at a saturated service
    when it stops, and the gateway's RPC timeout answers 503 to those behind them; the next path must not pay for
    them. Answers the last response."""
    deadline = time.monotonic() + limit_s
    while True:
        answer = api.http.get(url, timeout=120)
        if answer.status_code != 503 or time.monotonic() > deadline:
            return answer
        time.sleep(1)


def measure_all(api: Api, today: date, args) -> dict:
    """Each path under load (wrk) and the yearly reports alone; answers path → figures."""
    headers = {"Authorization": api.http.headers["Authorization"]}
    out = {}
    for name, url in paths(api, today).items():
        if url is None:
            out[name] = {"note": "one page only: no next page"}
            continue
        check = drain(api, url)
        if check.status_code != 200:
            out[name] = {"error": f"HTTP {check.status_code}: {check.text[:200]}"}
            print(f"    {name}: HTTP {check.status_code} {check.text[:200]}")
            continue
        alone = alone_ms(api, url)  # first, on a quiet server
        result = loadgen.measure(
            url,
            headers=headers,
            connections=args.connections,
            seconds=args.seconds,
            rounds=args.rounds,
            warmup_seconds=1,
            timeout_s=30,
        )
        drain(api, url)
        out[name] = {**result.as_dict(), "alone_ms": round(alone, 1) if alone is not None else None}
        if not result.requests:  # wrk's figures are zeros: nothing answered within the time
            out[name]["error"] = f"no answer in {args.seconds} s"
        print(
            f"    {name:38s} {result.rps:7.1f} req/s  p50 {result.p50_ms:7.1f}  p99 {result.p99_ms:7.1f} ms"
            f"  ({result.errors} errors)  alone {alone or 0:.0f} ms",
            flush=True,
        )
    return out


# --- a run per database --------------------------------------------------------------------------------------------
def run_database(kind: str, args, today: date, conn, admin_url: str, report: dict) -> None:
    """Create, migrate and seed the five databases of ``kind``, start the stack, then fill and measure each size
    (into ``report`` as it goes: a stopped run keeps the sizes it measured)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"enf-bench-lists-{kind}-"))
    vhost = f"enf-bench-lists-{os.getpid()}-{kind}"  # its own: a suite running on "/" does not take its calls
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(
        ["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
        check=True,
        capture_output=True,
    )
    if kind == "postgres":
        urls = create_databases(conn, admin_url, prefix="enf_bench_lists")
    else:
        urls = {service: f"sqlite:///{workdir}/{service}.db" for service in SERVICES}
    stack, filler = None, None
    report.update(sizes={}, fill={})
    try:
        for service, url in urls.items():
            migrate_and_seed(service, url)
        stack = Stack(workdir, f"amqp://guest:guest@127.0.0.1:5672/{vhost}", urls)
        stack.start_all()
        time.sleep(5)  # the start-up announcements (agencies) reach the other services
        filler = Filler(urls, args.fraction, today)
        api = Api(stack.api)
        api.login()
        report["keyset"] = keyset(api)
        print(f"\n[{kind}] lists answer a next cursor: {report['keyset']} (logs in {workdir})", flush=True)
        for size in args.sizes:
            added = filler.fill(size)
            report["fill"][size] = added
            print(f"  {size:>9,} rows: filled in {added['seconds']:.0f} s {json.dumps(added)}", flush=True)
            load = os.getloadavg()[0]
            report["sizes"][size] = {"load_before": load, "paths": measure_all(api, today, args)}
            report["sizes"][size]["load_after"] = os.getloadavg()[0]
    finally:
        if filler:
            filler.close()
        if stack:
            stack.stop()
        if args.keep:
            print(f"kept {', '.join(urls.values())}, vhost {vhost}, {workdir}")
        else:
            if kind == "postgres":
                drop_databases(conn, urls)
            subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True)
            shutil.rmtree(workdir, ignore_errors=True)


YEARLY_BEFORE_MS = 800  # the yearly reports at 1M rows before issue 14: 0.14-0.80 s


def growth_table(kind: str, report: dict, seconds: float) -> list[str]:
    """Two blocks: each path's p99 ms (req/s) at 20 clients at each size, p99(largest) / p99(smallest), PASS when
    <= BAR (the lists and the dashboard); then each path alone (one request at a time, median ms) and its ratio.
    The yearly reports are judged by their time alone at the largest size (not above ``YEARLY_BEFORE_MS``). A p99
    at 90% of wrk's window or more is marked saturated, not judged (the window capped it)."""
    sizes = sorted(report["sizes"])
    if not sizes:
        return [f"[{kind}] nothing measured"]
    names = list(report["sizes"][sizes[0]]["paths"])
    span = f"ratio = at {sizes[-1]:,} / at {sizes[0]:,}"
    lines = []
    for block, title in (("p99", f"p99 ms (req/s) at 20 clients; {span}"), ("alone", f"alone, median ms; {span}")):
        lines += [f"[{kind}] {title}", f"{'path':38s}" + "".join(f"{s:>16,}" for s in sizes) + "   ratio  verdict"]
        for name in names:
            cells, values, failing = [], [], False
            for size in sizes:
                r = report["sizes"][size]["paths"].get(name, {})
                if block == "alone" and r.get("alone_ms") is not None:
                    cells.append(f"{r['alone_ms']:.0f}")
                    values.append(r["alone_ms"])
                elif "error" in r or "note" in r or "p99_ms" not in r:
                    cells.append(r.get("error", r.get("note", "-"))[:15])
                    values.append(None)
                elif block == "p99":
                    cells.append(f"{r['p99_ms']:.0f} ({r['rps']:.0f})" + ("!" if r["errors"] else ""))
                    failing = failing or bool(r["errors"])
                    values.append(r["p99_ms"])
                elif r.get("alone_ms") is None:
                    cells.append("failed")
                    values.append(None)
                else:
                    cells.append(f"{r['alone_ms']:.0f}")
                    values.append(r["alone_ms"])
            ratio = values[-1] / values[0] if len(values) > 1 and values[0] and values[-1] else None
            if name.startswith("yearly:"):
                last = values[-1] if block == "alone" else None
                verdict = "" if last is None else ("ok" if last <= YEARLY_BEFORE_MS else "SLOWER")
            elif block == "alone":
                verdict = ""
            elif any(v is not None and v >= 0.9 * seconds * 1000 for v in values):
                # a p99 near wrk's window is the window, not the path's: more requests than it could answer
                verdict = "saturated"
            elif failing:  # some answers were errors (! in the cell): their time is not the path's
                verdict = "errors"
            else:
                verdict = "-" if ratio is None else ("PASS" if ratio <= BAR else "FAIL")
                report.setdefault("verdicts", {})[name] = verdict
            report.setdefault("ratios", {}).setdefault(block, {})[name] = ratio
            shown = f"{ratio:6.2f}" if ratio is not None else "     -"
            lines.append(f"{name:38s}" + "".join(f"{c:>16s}" for c in cells) + f"  {shown}  {verdict}")
        lines.append("")
    return lines


def _dist_info(project: Path) -> None:
    """The package's metadata beside it, from its pyproject.toml: its entry points (the services, the assessment's
    indicators) are then the commit's, found on PYTHONPATH before the working tree's installed ones."""
    import tomllib

    meta = tomllib.loads(project.read_text(encoding="utf-8"))["project"]
    name = meta["name"].replace("-", "_")
    info = project.parent / f"{name}-{meta['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n")
    groups = {**meta.get("entry-points", {}), "console_scripts": meta.get("scripts", {})}
    text = "".join(
        f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in points.items()) + "\n" for group, points in groups.items()
    )
    (info / "entry_points.txt").write_text(text)


def export_commit(rev: str) -> tuple[Path, str]:
    """``rev``'s tree exported as ``fault_run.snapshot`` does, its packages first on the children's PYTHONPATH, each
    with its own entry points beside it: the services, migrations and seeds of that commit. Answers the folder and
    the commit's short name."""
    from fault_run import snapshot

    tree = Path(tempfile.mkdtemp(prefix="enf-bench-lists-tree-"))
    short, pythonpath = snapshot(rev, tree)
    for root in pythonpath.split(os.pathsep):
        _dist_info(Path(root) / "pyproject.toml")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (pythonpath, os.environ.get("PYTHONPATH"))))
    return tree, short


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--sqlite", action="store_true", help="SQLite only")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL only")
    parser.add_argument("--seconds", type=int, default=5, help="wrk's time per round")
    parser.add_argument("--rounds", type=int, default=1, help="rounds per path (their medians)")
    parser.add_argument("--connections", type=int, default=loadgen.DEFAULT_CONNECTIONS)
    parser.add_argument("--fraction", type=float, default=1.0, help="items, complaints, audit rows per case")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--keep", action="store_true", help="keep the databases, the vhost and the logs")
    parser.add_argument("--commit", help="run the services (and their migrations) of this commit, e.g. the one before")
    parser.add_argument("--table", type=Path, help="print the growth tables of a --json file written before; no run")
    args = parser.parse_args()
    if args.table:
        written = json.loads(args.table.read_text())
        for kind, report in written.items():
            if kind != "meta":
                report["sizes"] = {int(size): value for size, value in report.get("sizes", {}).items()}
                print("\n".join(growth_table(kind, report, written["meta"]["seconds"])))
        return
    args.sizes = sorted(int(s) for s in args.sizes.split(","))
    kinds = [k for k, on in (("sqlite", args.sqlite), ("postgres", args.postgres)) if on] or ["sqlite", "postgres"]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stop runs the clean-up (finally) too

    from enforcement_kernel.cli import quiet_library_warnings

    quiet_library_warnings()
    loadgen.wrk_binary()
    today = date.today()
    conn, admin_url = admin_connection()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    commit += " + working tree" if not args.commit else ""
    tree = None
    if args.commit:
        tree, commit = export_commit(args.commit)
    meta = {
        "date": datetime.utcnow().isoformat(timespec="seconds") + "Z",
        "commit": commit,
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
        "load_average": os.getloadavg(),
        "sizes": args.sizes,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "connections": args.connections,
        "fraction": args.fraction,
    }
    print(f"lists growth: {json.dumps(meta)}", flush=True)
    reports, failed = {}, False
    try:
        for kind in kinds:
            run_database(kind, args, today, conn, admin_url, reports.setdefault(kind, {}))
    finally:
        conn.close()
        if tree:
            shutil.rmtree(tree, ignore_errors=True)
        print()
        for kind, report in reports.items():
            for line in growth_table(kind, report, args.seconds):
                print(line)
            counts = Counter(report.get("verdicts", {}).values())
            print(f"[{kind}] verdicts: {dict(counts)}")
            failed = failed or any(counts[v] for v in ("FAIL", "saturated", "errors"))
        meta["load_average_end"] = os.getloadavg()
        print(f"load average at the end {meta['load_average_end']}")
        if args.json:
            args.json.write_text(json.dumps({"meta": meta, **reports}, indent=1, ensure_ascii=False) + "\n")
    # saturated or failing paths are not shown to meet the bar: the verdict is PASS only when every path passed
    print(f"verdict (lists and dashboard, p99 growth <= {BAR}x): {'NOT MET' if failed else 'PASS'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
