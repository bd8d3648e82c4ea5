"""Console pages benchmark (issue #11): every list and dashboard page of the console (and one record page of each
kind) with 5,000 officers and 100,000 cases loaded. Bar: each page renders in at most 1 s on this machine, lists are
paginated by the server, and each page loads at most 500 KB of scripts and styles (gzip).

Creates PostgreSQL databases of its own on 127.0.0.1:5432 (trust auth) for personnel, training, cases, supervision
and the gateway and a RabbitMQ vhost of its own; migrates and seeds each (the 27 agencies, the admin account). Loads:
personnel: 5,000 officers registered through the service's own ``register_officer`` (ID numbers valid, encrypted,
hashed and masked by its cipher; their ``officer.registered`` events fill training's directory), spread over the
agencies, certificates (sequential numbers, 5-year validity) for ~88% of the non-police officers; cases:
``bench/cases_stats.py``'s SQL fill (its ``ITEMS_SQL`` and ``CASES_SQL``), shifted so the five years end 100 days
ago, two officers of the agency on each case, the decisions of the types that publish them published; supervision:
the cases' promptness measurements, as their events would have recorded them. No training attendance (every officer
is short of hours). Then starts the four services, the gateway (``GATEWAY_TRUSTED_PROXIES=127.0.0.1``) and
``enforcement-console`` as processes, waits until the start-up work is done (events handled, the cases' deadline
watch, outboxes and queues empty) and analyses every database (planner statistics, as autovacuum keeps them), then
logs in through the console's /login form (the forced first password change at /password) as the bureau, an agency
admin (县市场监管局) and an officer of it (both accounts made through the gateway's ``POST /api/v1/users``).

The pages come from the app itself (``create_app().url_map``): every GET rule without parameters of the staff
blueprints and the portal's, and every rule whose parameters the data fills (an officer, a case, a certificate, a
catalogue item, a supervision item, ...). Each is fetched over HTTP as every role it applies to (a 403 means it does
not; the portal anonymously), one warm-up then the median of 5. Server paging: the officer list and the case list
show fewer than 100 rows of their pager's total, and no page holds more than 500 table rows (more than any bounded
table of the county). The /static scripts and styles a page links are gzipped (level 6, like a web server) and
summed. One more load between two reads of the gateway's /metrics gives the API calls the page made and their time
(a slow page's cause). Downloads (not HTML) are listed, not judged. Exit 1 when a page fails. Everything is dropped
at the end unless --keep.

    .venv/bin/python bench/console_pages.py [--officers 5000] [--cases 100000] [--runs 5] [--keep] [--markdown F]
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases_stats import AGENCIES, CASES_SQL, ITEMS_SQL, TYPES, admin_connection
from gateway_floor import bench_vhost, free_port, wait_ready

BIN = Path(sys.executable).parent
SERVICES = ("personnel", "training", "cases", "supervision", "gateway")
BUREAU = {"username": "bench", "role": "bureau", "agency_code": None, "officer_id": None}
ADMIN = ("admin", "change-me-now")
AGENCY = "140928-scjgj"  # the agency admin's and the officer's agency
BAR_MS, BAR_ASSETS_KB = 1000, 500
# Server paging: a list shows one page (20 rows). A table of more than UNPAGED rows can only be a list of the data
# (officers, cases, ...): the longest bounded table the county has is 27 agencies x 14 kinds of obligation = 378 rows.
# Longer than LONG rows without a pager is noted, not failed (a yearly report of every agency is one such page).
LONG, UNPAGED = 100, 500
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国文红志新春海燕云峰鹏飞宇浩晨亮斌"
POSITIONS = ["执法队员", "执法队员", "执法队员", "科员", "副科长", "科长", "副队长", "队长"]
DOMAINS = {
    "scjgj": "market_supervision",
    "gaj": "public_security",
    "jtysj": "transport",
    "sthjfj": "ecology_environment",
    "nyncj": "agriculture",
    "whlyj": "culture_tourism",
    "zrzyj": "natural_resources",
    "yjj": "emergency_management",
    "rsj": "human_resources",
    "wjj": "health",
    "xzspj": "administrative_approval",
    "zjj": "housing_construction",
    "sfj": "justice",
    "czj": "finance",
    "fgw": "development_reform",
}


# --- the data ------------------------------------------------------------------------------------------------------
def create_databases(conn, admin_url: str, prefix: str = "enf_bench_console") -> dict[str, str]:
    """One database per service, ``<prefix>_<hex>_<service>``; answers service → SQLAlchemy URL."""
    prefix = f"{prefix}_{uuid.uuid4().hex[:8]}"
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg2://", 1)
    urls = {}
    with conn.cursor() as cur:
        for service in SERVICES:
            cur.execute(f'CREATE DATABASE "{prefix}_{service}"')
            urls[service] = f"{base}/{prefix}_{service}"
    return urls


def drop_databases(conn, urls: dict[str, str]) -> None:
    with conn.cursor() as cur:
        for url in urls.values():
            name = url.rsplit("/", 1)[1]
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')


def plain(url: str) -> str:
    """The psycopg2 form of a SQLAlchemy URL."""
    return url.replace("postgresql+psycopg2://", "postgresql://", 1)


def migrate_and_seed(service: str, url: str) -> None:
    env = dict(os.environ, DATABASE_URL=url, LOG_LEVEL="WARNING")
    for cmd in ("enforcement-migrate", "enforcement-seed"):
        done = subprocess.run([BIN / cmd, service], env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{cmd} {service} failed:\n{done.stdout}{done.stderr}")


def id_number(n: int, rng: random.Random) -> str:
    """A valid resident ID (GB 11643) of the county's division code, unique by ``n`` (birth date and sequence)."""
    from personnel_service.rules import id_check_char

    born = date(1966, 1, 1) + timedelta(days=n % 12000)
    first17 = f"140928{born:%Y%m%d}{(n // 12000) * 100 + rng.randrange(100):03d}"
    return first17 + id_check_char(first17)


def weighted_agencies(engine) -> tuple[list[str], frozenset[str]]:
    """The agency codes, a county department three times (it holds about three times a township's officers), and
    the police agencies (their officers carry a police card)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from personnel_service import models as m

    with Session(engine) as session:
        agencies = session.execute(select(m.Agency.code, m.Agency.kind, m.Agency.is_police).order_by(m.Agency.code))
        agencies = agencies.all()
    weighted = [code for code, kind, _ in agencies for _ in range(3 if kind == "department" else 1)]
    return weighted, frozenset(code for code, _, police in agencies if police)


def officer_payload(n: int, weighted: list[str], rng: random.Random, police: frozenset[str] = frozenset()) -> dict:
    """Officer ``n``'s registration (``OfficerCreate``): a name, a valid unique ID number, a post, its domain; in a
    police agency a police card number (unique by ``n``)."""
    agency = weighted[n % len(weighted)]
    payload = {
        "agency_code": agency,
        "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
        "id_number": id_number(n, rng),
        "position": rng.choice(POSITIONS),
        "domains": [DOMAINS.get(agency.split("-", 1)[1], "township_comprehensive")],
    }
    if agency in police:
        payload["police_card_number"] = f"{n + 1:08d}"
    return payload


def fill_personnel(url: str, count: int, today: date) -> list[dict]:
    """``count`` officers through ``register_officer`` (500 a transaction), then their certificates; answers one
    dict per officer (officer_id, agency_code, is_police, certificate)."""
    # Over 50 lines: the officers, then the certificates and their sequences, in one pass each.
    from sqlalchemy.orm import Session

    from enforcement_contracts import personnel as contract
    from enforcement_kernel.config import load_config
    from enforcement_kernel.db import Tx, make_engine
    from personnel_service import models as m
    from personnel_service import rules
    from personnel_service.operations.officers import register_officer
    from personnel_service.plugin import PLUGIN
    from personnel_service.settings import Settings, cipher_from_config

    config = load_config("personnel", None, PLUGIN.config_path)
    cipher, settings = cipher_from_config(config), Settings.from_config(config)
    rng = random.Random(11)
    engine = make_engine(url, pool_size=1)
    weighted, police = weighted_agencies(engine)
    officers = []
    schema = contract.OfficerCreate()
    for first in range(0, count, 500):
        with Session(engine) as session:
            tx = Tx(session, "personnel")
            for n in range(first, min(count, first + 500)):
                out = register_officer(tx, BUREAU, schema.load(officer_payload(n, weighted, rng, police)), cipher)
                officers.append({**out, "certificate": None})
            session.commit()
    issued = []
    for officer in officers:
        if not officer["is_police"] and rng.random() < 0.88:
            issued.append((today - timedelta(days=rng.randrange(20, 1800)), officer))
    issued.sort(key=lambda pair: pair[0])
    last: dict[int, int] = {}
    with Session(engine) as session:
        for issued_on, officer in issued:
            last[issued_on.year] = last.get(issued_on.year, 0) + 1
            number = f"{settings.division_code}{issued_on.year}{last[issued_on.year]:05d}"
            status = rules.SUSPENDED if rng.random() < 0.03 else rules.VALID
            session.add(
                m.Certificate(
                    number=number,
                    officer_id=officer["officer_id"],
                    agency_code=officer["agency_code"],
                    domains=list(officer["domains"]),
                    issued_on=issued_on,
                    expires_on=rules.certificate_expiry(issued_on, settings.validity_years),
                    status=status,
                    status_reason="年度考核不合格" if status == rules.SUSPENDED else None,
                )
            )
            officer["certificate"] = number
        session.add_all(m.CertificateSequence(year=year, last=n) for year, n in last.items())
        session.commit()
    engine.dispose()
    return officers


SHIFT_SQL = """
UPDATE cases SET filed_on = filed_on + %(days)s, decided_on = decided_on + %(days)s;
UPDATE promptness_measurements SET started_on = started_on + %(days)s, ended_on = ended_on + %(days)s;
"""

CASE_OFFICERS_SQL = """
UPDATE cases c SET officers = json_build_array(
        json_build_object('officer_id', a.officer_id, 'acted_on', NULL, 'checked_on', '[]'::json),
        json_build_object('officer_id', b.officer_id, 'acted_on', NULL, 'checked_on', '[]'::json))
FROM (SELECT agency_code, count(*) AS k FROM bench_officers GROUP BY agency_code) n, bench_officers a, bench_officers b
WHERE n.agency_code = c.agency_code AND a.agency_code = c.agency_code AND b.agency_code = c.agency_code
  AND a.idx = substr(c.case_number, 3)::int %% n.k AND b.idx = (substr(c.case_number, 3)::int + 1) %% n.k;
INSERT INTO publications (case_id, agency_code, published_on, created_at)
SELECT case_id, agency_code, LEAST(decided_on + substr(case_number, 3)::int %% 5, %(today)s), now() FROM cases
WHERE decided_on IS NOT NULL AND type_code IN (SELECT code FROM item_types WHERE publish_decisions);
"""


def fill_cases(url: str, size: int, officers: list[dict], today: date) -> None:
    """``cases_stats``' fill, moved to end 100 days ago (so this year has cases and every decision is in the past),
    with two certified officers of the agency on each case and the decisions published (as the county does)."""
    import psycopg2
    from psycopg2.extras import execute_values

    conn = psycopg2.connect(plain(url))
    conn.autocommit = True
    by_agency: dict[str, list[str]] = {}
    for officer in officers:
        if officer["certificate"] or officer["is_police"]:
            by_agency.setdefault(officer["agency_code"], []).append(officer["officer_id"])
    with conn.cursor() as cur:
        cur.execute(ITEMS_SQL, {"agencies": AGENCIES, "types": TYPES})
        cur.execute(CASES_SQL, {"agencies": AGENCIES, "types": TYPES, "first": 1, "last": size})
        cur.execute(SHIFT_SQL, {"days": (today - timedelta(days=100) - date(2025, 12, 31)).days})
        cur.execute("CREATE TEMP TABLE bench_officers (agency_code text, idx int, officer_id text)")
        rows = [(agency, i, o) for agency, ids in by_agency.items() for i, o in enumerate(ids)]
        execute_values(cur, "INSERT INTO bench_officers VALUES %s", rows)
        cur.execute(CASE_OFFICERS_SQL, {"today": today})
    conn.close()


def fill_supervision(cases_url: str, supervision_url: str) -> None:
    """The cases' promptness measurements in supervision's table, as their ``cases.promptness.measured`` events
    would have recorded them."""
    import psycopg2

    buffer = io.StringIO()
    with psycopg2.connect(plain(cases_url)) as source, source.cursor() as cur:
        cur.copy_expert(
            "COPY (SELECT md5('bench-cases-' || id), 'cases', agency_code, kind, reference, started_on, ended_on,"
            " workdays_taken, deadline_workdays, on_time, extract(year from ended_on)::int, now()"
            " FROM promptness_measurements) TO STDOUT",
            buffer,
        )
    buffer.seek(0)
    conn = psycopg2.connect(plain(supervision_url))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.copy_expert(
            "COPY promptness_measurements (event_id, source, agency_code, kind, reference, started_on, ended_on,"
            " workdays_taken, deadline_workdays, on_time, year, recorded_at) FROM STDIN",
            buffer,
        )
        cur.execute("VACUUM ANALYZE promptness_measurements")
    conn.close()


# --- the processes -------------------------------------------------------------------------------------------------
@dataclass
class Stack:
    workdir: Path
    amqp: str
    urls: dict[str, str]
    procs: dict = field(default_factory=dict)
    ops: dict = field(default_factory=dict)
    web: int = 0
    console: int = 0
    secret_key: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.web}/api/v1"

    @property
    def site(self) -> str:
        return f"http://127.0.0.1:{self.console}"

    def start(self, name: str, env_extra: dict | None = None, command: list | None = None) -> None:
        port = free_port()
        env = dict(os.environ, AMQP_URI=self.amqp, OPS_PORT=str(port), LOG_LEVEL="WARNING", **(env_extra or {}))
        if name in self.urls:
            env["DATABASE_URL"] = self.urls[name]
        log = open(self.workdir / f"{name}.log", "a")
        command = command or [BIN / "enforcement-run", name]
        self.procs[name] = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.ops[name] = port

    def start_all(self) -> None:
        # the consumers first: their queues must exist before personnel announces its agencies and officers
        for name in ("training", "supervision", "cases"):
            self.start(name)
        for name in ("training", "supervision", "cases"):
            wait_ready(self.ops[name], timeout=120)
        self.start("personnel")
        self.web = free_port()
        gateway_env = {
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{self.web}",
            "GATEWAY_TRUSTED_PROXIES": "127.0.0.1",
            # one visitor (this script) reads the portal far faster than the per-visitor limit allows
            "GATEWAY_PUBLIC_READ_RATE_LIMIT": "1000000",
        }
        self.start("gateway", gateway_env)
        for name in ("personnel", "gateway"):
            wait_ready(self.ops[name], timeout=120)

    def start_console(self) -> None:
        """The console, started once the services have settled (its own start takes a second)."""
        self.console = free_port()
        console_env = {
            "GATEWAY_URL": f"http://127.0.0.1:{self.web}",
            "CONSOLE_ADDRESS": f"127.0.0.1:{self.console}",
            "CONSOLE_SECRET_KEY": self.secret_key,
            "CONSOLE_PUBLIC_URL": self.site,
        }
        self.start("console", console_env, [BIN / "enforcement-console"])
        self.wait_console()

    def console_exit(self) -> str:
        """Why the console is not answering: its exit code and the last line of its log."""
        proc = self.procs["console"]
        proc.poll()
        lines = (self.workdir / "console.log").read_text(errors="replace").strip().splitlines() or [""]
        return f"exit code {proc.returncode}, log: {lines[-1][-150:]}"

    def wait_console(self, timeout: float = 30) -> None:
        import requests

        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if requests.get(self.site + "/login", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.procs["console"].terminate()
        log = (self.workdir / "console.log").read_text(errors="replace")[-3000:]
        raise SystemExit(f"the console did not answer:\n{log}")

    def settle(self, officers: int, timeout: float = 900) -> float:
        """Wait until training knows every officer and every outbox and queue is empty (twice, 3 s apart): the
        start-up work (personnel's events, the cases' deadline watch, supervision's items) is over."""
        import psycopg2

        started, quiet = time.time(), 0
        while time.time() - started < timeout:
            pending = 0
            for service, url in self.urls.items():
                with psycopg2.connect(plain(url)) as conn, conn.cursor() as cur:
                    cur.execute("SELECT count(*) FROM outbox_events WHERE status = 'pending'")
                    pending += cur.fetchone()[0]
                    if service == "training":
                        cur.execute("SELECT count(*) FROM officers")
                        pending += max(0, officers - cur.fetchone()[0])
            vhost = self.amqp.rsplit("/", 1)[1]
            queues = subprocess.run(
                ["rabbitmqctl", "-q", "list_queues", "-p", vhost, "messages"], capture_output=True, text=True
            ).stdout.split()
            pending += sum(int(n) for n in queues if n.isdigit())
            quiet = quiet + 1 if pending == 0 else 0
            if quiet >= 2:
                self.analyse()
                return time.time() - started
            time.sleep(3)
        raise SystemExit(f"the services did not settle within {timeout:.0f} s (logs in {self.workdir})")

    def analyse(self) -> None:
        """Planner statistics of every table, as autovacuum keeps them on a live database (a bulk fill leaves some
        tables, e.g. the catalogue's item versions, with none: the planner then picks scans of 100,000 cases)."""
        import psycopg2

        for url in self.urls.values():
            conn = psycopg2.connect(plain(url))
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
            conn.close()

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

    def console_error(self, path: str) -> str:
        """The last line of the console's logged traceback for ``path`` (an HTTP 500's cause), if any."""
        lines = (self.workdir / "console.log").read_text(errors="replace").splitlines()
        marks = [i for i, line in enumerate(lines) if line.endswith(f"unexpected error on GET {path}")]
        if not marks:
            return ""
        after = lines[marks[-1] + 1 :]
        end = next((i for i, line in enumerate(after) if re.match(r"\d{4}-\d\d-\d\d ", line)), len(after))
        cause = after[end - 1].strip() if end else ""
        return f": {cause[:120]}" if cause else ""

    def gateway_calls(self) -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
        """The gateway's HTTP routes so far, from its /metrics: route → (calls, seconds), and route → the calls that
        failed on its side (outcome ``unavailable``: a service did not answer within RPC_TIMEOUT; ``error``)."""
        import requests

        text = requests.get(f"http://127.0.0.1:{self.ops['gateway']}/metrics", timeout=10).text
        calls: dict[str, list[float]] = {}
        failed: dict[str, float] = {}
        for line in text.splitlines():
            match = METRIC.match(line)
            if not match or 'kind="http"' not in match["labels"]:
                continue
            labels = dict(re.findall(r'(\w+)="([^"]*)"', match["labels"]))
            route = labels["entrypoint"]
            if _what(match) == "total":
                if labels.get("outcome") in ("unavailable", "error"):
                    failed[route] = failed.get(route, 0) + float(match["value"])
                continue
            entry = calls.setdefault(route, [0.0, 0.0])
            entry[0 if _what(match) == "count" else 1] = float(match["value"])
        return {route: (c, s) for route, (c, s) in calls.items()}, failed


METRIC = re.compile(
    r"^enforcement_(?:call_duration_seconds_(?P<what>sum|count)|calls_(?P<total>total))"
    r"\{(?P<labels>[^}]*)\} (?P<value>\S+)$"
)


def _what(match) -> str:
    return match["what"] or match["total"]


# --- the console as a person uses it ------------------------------------------------------------------------------
CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


LOGIN_PROBLEMS: list[str] = []  # the form's failures (the run goes on with a session signed by the bench)


def console_login(stack: Stack, username: str, password: str, new_password: str):
    """A ``requests`` session signed in through /login (and the first login's change at /password).

    When the form does not sign the person in, the failure is recorded (``LOGIN_PROBLEMS``: the verdict fails) and
    the pages are still measured: the bench logs in to the gateway itself and signs the console's session cookie
    with the console's secret key, the session the form would have made.
    """
    import requests

    http = requests.Session()
    http.trust_env = False
    form = http.get(f"{stack.site}/login", timeout=30)
    answer = http.post(
        f"{stack.site}/login",
        data={"username": username, "password": password, "_csrf": CSRF.search(form.text)[1]},
        timeout=30,
    )
    if answer.status_code != 200 or "/login" in answer.url:
        LOGIN_PROBLEMS.append(
            f"/login as {username} ended at {answer.url.removeprefix(stack.site)} ({answer.status_code})"
        )
        return signed_session(stack, username, password, new_password)
    if answer.url.rstrip("/").endswith("/password"):
        changed = http.post(
            f"{stack.site}/password",
            data={
                "current_password": password,
                "new_password": new_password,
                "new_password_repeat": new_password,
                "_csrf": CSRF.search(answer.text)[1],
            },
            timeout=30,
        )
        if changed.status_code != 200 or changed.url.rstrip("/").endswith("/password"):
            raise SystemExit(f"the first password change of {username} failed: {changed.status_code}")
    return http


def signed_session(stack: Stack, username: str, password: str, new_password: str):
    """The console's session for ``username`` without its login form: the gateway's token (after the first
    password change) in a cookie signed as the console signs it."""
    import requests
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    gateway = requests.Session()
    gateway.trust_env = False
    login = gateway.post(f"{stack.api}/auth/login", json={"username": username, "password": password}, timeout=30)
    if login.status_code != 200:  # the form may have changed the password before it failed
        login = gateway.post(
            f"{stack.api}/auth/login", json={"username": username, "password": new_password}, timeout=30
        )
    body = login.json()
    gateway.headers["Authorization"] = f"Bearer {body['token']}"
    if body.get("must_change_password"):
        changed = gateway.post(
            f"{stack.api}/auth/password", json={"current_password": password, "new_password": new_password}, timeout=30
        )
        if changed.status_code != 200:
            raise SystemExit(f"the first password change of {username} failed: {changed.text}")
    me = gateway.get(f"{stack.api}/auth/me", timeout=30).json()
    app = Flask(__name__)
    app.secret_key = stack.secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    cookie = serializer.dumps(
        {
            "_permanent": True,
            "token": body["token"],
            "user": {k: me.get(k) for k in ("username", "role", "agency_code", "officer_id")},
            "must_change_password": False,
        }
    )
    http = requests.Session()
    http.trust_env = False
    http.cookies.set("enforcement_console", cookie, domain="127.0.0.1", path="/")
    return http


def create_accounts(api: str, admin_password: str, officer: dict) -> dict[str, tuple[str, str]]:
    """The agency admin and the officer, made by the bureau through the gateway; answers role → (user, password)."""
    import requests

    http = requests.Session()
    http.trust_env = False
    login = http.post(f"{api}/auth/login", json={"username": ADMIN[0], "password": admin_password}, timeout=30)
    http.headers["Authorization"] = f"Bearer {login.json()['token']}"
    accounts = {
        "agency_admin": {"username": "bench-scjgj", "role": "agency_admin", "agency_code": AGENCY},
        "officer": {
            "username": "bench-officer",
            "role": "officer",
            "agency_code": AGENCY,
            "officer_id": officer["officer_id"],
        },
    }
    out = {}
    for role, body in accounts.items():
        made = http.post(f"{api}/users", json={**body, "password": "Initial-pass-2026"}, timeout=30)
        if made.status_code != 201:
            raise SystemExit(f"POST /users {role}: {made.status_code} {made.text}")
        out[role] = (body["username"], "Initial-pass-2026")
    return out


# --- the pages -----------------------------------------------------------------------------------------------------
@dataclass
class Page:
    path: str
    endpoint: str
    public: bool
    record: bool


def discover(values: dict) -> tuple[list[Page], list[str]]:
    """GET rules of the staff blueprints (not the account's) and the portal's, from the app's url_map: those without
    parameters, and those whose parameters ``values`` fills (``"<blueprint>.<name>"`` before ``"<name>"``: a
    catalogue item and a supervision item are both ``item_id``). Answers the pages and the rules left out."""
    from enforcement_console.app import create_app
    from enforcement_console.settings import Settings
    from enforcement_console.views import PUBLIC_BLUEPRINTS, STAFF_BLUEPRINTS
    from flask import url_for

    app = create_app(Settings.load(secret_key=uuid.uuid4().hex, parts=frozenset({"staff", "public"})))
    public = {b.name for b in PUBLIC_BLUEPRINTS}
    staff = {b.name for b in STAFF_BLUEPRINTS} - {"account"}
    pages, left_out = [], []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            blueprint = rule.endpoint.rpartition(".")[0]
            if "GET" not in rule.methods or blueprint not in public | staff:
                continue
            filled = {name: values.get(f"{blueprint}.{name}", values.get(name)) for name in rule.arguments}
            missing = sorted(name for name, value in filled.items() if value is None)
            if missing:
                left_out.append(f"{rule.rule} (no value for {', '.join(missing)})")
                continue
            path = url_for(rule.endpoint, **filled)
            pages.append(Page(path, rule.endpoint, blueprint in public, bool(rule.arguments)))
    return pages, left_out


class Assets(HTMLParser):
    """The scripts and stylesheets a page links."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.urls.append(a["href"])


_GZIPPED: dict[str, int] = {}


def assets_gzip(http, site: str, html: str) -> tuple[int, list[str]]:
    """Bytes of the page's /static scripts and styles after gzip -6 (each file once), and anything linked elsewhere."""
    parser = Assets()
    parser.feed(html)
    total, elsewhere = 0, []
    for url in dict.fromkeys(parser.urls):
        if not url.startswith("/static/"):
            elsewhere.append(url)
            continue
        if url not in _GZIPPED:
            body = http.get(site + url, timeout=30)
            body.raise_for_status()
            _GZIPPED[url] = len(gzip.compress(body.content, compresslevel=6))
        total += _GZIPPED[url]
    return total, elsewhere


PAGER_TOTAL = re.compile(r"共\s*(\d+)\s*条")


@dataclass
class Result:
    page: Page
    role: str
    status: int
    median_ms: float = 0.0
    html_bytes: int = 0
    assets_bytes: int = 0
    rows: int = 0
    pager_total: int | None = None
    html: bool = True
    calls: dict = field(default_factory=dict)  # gateway route → (calls, seconds) of one load
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if not self.html:
            return "info"
        return "FAIL" if self.problems else "PASS"


def measure(http, site: str, stack: Stack, page: Page, role: str, runs: int) -> Result | None:
    """One warm-up and ``runs`` timed loads; None when the page is not for this role (403)."""
    warm = http.get(site + page.path, timeout=120)
    if warm.status_code == 403:
        return None
    result = Result(page, role, warm.status_code)
    if warm.status_code != 200:
        result.problems.append(f"HTTP {warm.status_code}" + stack.console_error(page.path))
        return result
    _, failed_before = stack.gateway_calls()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = http.get(site + page.path, timeout=120)
        times.append(time.perf_counter() - started)
    before, _ = stack.gateway_calls()
    http.get(site + page.path, timeout=120)
    after, failed_after = stack.gateway_calls()
    for route, n in failed_after.items():
        if n > failed_before.get(route, 0):  # the page shows the section's error instead of its data
            result.problems.append(f"{n - failed_before.get(route, 0):.0f} x {route} failed at the gateway")
    result.calls = {
        route: (c - before.get(route, (0, 0))[0], s - before.get(route, (0, 0))[1])
        for route, (c, s) in after.items()
        if c > before.get(route, (0, 0))[0]
    }
    result.median_ms = statistics.median(times) * 1000
    result.html_bytes = len(answer.content)
    result.html = answer.headers.get("Content-Type", "").startswith("text/html")
    if not result.html:
        return result
    text = answer.text
    result.assets_bytes, elsewhere = assets_gzip(http, site, text)
    result.rows = len(re.findall(r"<tr[\s>]", text))
    totals = PAGER_TOTAL.findall(text)
    result.pager_total = max(int(t) for t in totals) if totals else None
    if result.median_ms > BAR_MS:
        result.problems.append(f"{result.median_ms:.0f} ms > {BAR_MS}")
    if result.assets_bytes > BAR_ASSETS_KB * 1024:
        result.problems.append(f"assets {result.assets_bytes / 1024:.0f} KB > {BAR_ASSETS_KB}")
    if result.rows > UNPAGED:
        result.problems.append(f"{result.rows} table rows: not paged by the server")
    elif result.rows > LONG and result.pager_total is None:
        result.notes.append(f"{result.rows} table rows, no pager")
    if elsewhere:
        result.problems.append(f"loads from elsewhere: {', '.join(elsewhere)}")
    return result


def api_summary(result: Result) -> str:
    calls = sum(c for c, _ in result.calls.values())
    seconds = sum(s for _, s in result.calls.values())
    return f"{calls:.0f}/{seconds * 1000:.0f}"


def print_table(results: list[Result], markdown: Path | None) -> None:
    head = ("page", "role", "median ms", "HTML KB", "assets KB gz", "rows/total", "API n/ms", "verdict")
    lines = []
    for r in results:
        rows = f"{r.rows}/{r.pager_total}" if r.pager_total is not None else str(r.rows) if r.html else "-"
        verdict = r.verdict + (f" ({'; '.join(r.problems + r.notes)})" if r.problems or r.notes else "")
        lines.append(
            (
                r.page.path,
                r.role,
                f"{r.median_ms:.0f}" if r.status == 200 else "-",
                f"{r.html_bytes / 1024:.1f}" if r.html else f"{r.html_bytes / 1024:.1f} (file)",
                f"{r.assets_bytes / 1024:.1f}" if r.html else "-",
                rows,
                api_summary(r),
                verdict,
            )
        )
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines, strict=True)]
    for line in (head, *lines):
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(str(x).replace("|", "\\|") for x in line) + " |" for line in lines]
        markdown.write_text("\n".join(out) + "\n", encoding="utf-8")


def print_slow(results: list[Result], threshold_ms: float) -> None:
    """Where the time of each slow page goes: the gateway routes of one load, the slowest first."""
    slow = sorted((r for r in results if r.median_ms > threshold_ms), key=lambda r: -r.median_ms)
    if not slow:
        print(f"\nno page above {threshold_ms:.0f} ms")
        return
    print(f"\npages above {threshold_ms:.0f} ms: the gateway calls of one more load (calls x route: total ms)")
    for r in slow:
        api_ms = sum(s for _, s in r.calls.values()) * 1000
        print(f"  {r.page.path} as {r.role}: {r.median_ms:.0f} ms, of which API {api_ms:.0f} ms")
        for route, (calls, seconds) in sorted(r.calls.items(), key=lambda item: -item[1][1])[:5]:
            print(f"      {calls:.0f} x {route}: {seconds * 1000:.0f} ms")


def paging_checks(results: list[Result], officers: int, cases: int) -> list[str]:
    """The bar's example: the officer list holds one page of rows while ``officers`` exist (likewise the cases)."""
    notes = []
    for area, total in (("/personnel/", officers), ("/cases/", cases)):
        lists = [
            r for r in results if r.role == "bureau" and r.page.path.startswith(area) and (r.pager_total or 0) >= total
        ]
        if not lists:
            notes.append(f"NOT CHECKED: no page under {area} shows a pager over all {total} records (not written yet?)")
        for r in lists:
            ok = r.rows < LONG
            notes.append(
                f"{'ok' if ok else 'FAIL'}: {r.page.path} shows {r.rows} rows of {r.pager_total} (server paging)"
            )
    return notes


def main() -> None:
    # Over 50 lines: one measurement in order (databases, fill, processes, log in, pages, table, clean up).
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officers", type=int, default=5000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the databases, the vhost and the logs")
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown to this file")
    args = parser.parse_args()

    from enforcement_kernel.cli import quiet_library_warnings

    quiet_library_warnings()
    today = date.today()
    conn, admin_url = admin_connection()
    workdir = Path(tempfile.mkdtemp(prefix="enf-bench-console-"))
    vhost = bench_vhost()
    urls: dict[str, str] = {}
    stack = None
    failed = True
    try:
        urls = create_databases(conn, admin_url)
        started = time.perf_counter()
        for service, url in urls.items():
            migrate_and_seed(service, url)
        officers = fill_personnel(urls["personnel"], args.officers, today)
        fill_cases(urls["cases"], args.cases, officers, today)
        fill_supervision(urls["cases"], urls["supervision"])
        print(f"loaded {len(officers)} officers, {args.cases} cases in {time.perf_counter() - started:.0f} s")
        stack = Stack(workdir, f"amqp://guest:guest@127.0.0.1:5672/{vhost}", urls)
        stack.start_all()
        print(f"services settled in {stack.settle(len(officers)):.0f} s (logs in {workdir})")
        stack.start_console()

        admin_password = "Bench-bureau-2026"
        sessions = {"bureau": console_login(stack, *ADMIN, admin_password)}
        mine = [o for o in officers if o["agency_code"] == AGENCY and o["certificate"]]
        for role, (user, password) in create_accounts(stack.api, admin_password, mine[0]).items():
            sessions[role] = console_login(stack, user, password, password + "-changed")
        import requests

        sessions["public"] = requests.Session()
        sessions["public"].trust_env = False

        values = {
            "officer_id": mine[0]["officer_id"],
            "number": mine[0]["certificate"],
            "username": "bench-scjgj",
            **_records(urls),
        }
        pages, left_out = discover(values)
        load_before = os.getloadavg()[0]
        results = []
        for page in pages:
            for role in ("public",) if page.public else ("bureau", "agency_admin", "officer"):
                try:
                    result = measure(sessions[role], stack.site, stack, page, role, args.runs)
                except requests.ConnectionError:
                    result = Result(page, role, 0, problems=[f"the console stopped answering: {stack.console_exit()}"])
                    stack.start_console()  # the sessions are cookies signed with its key: they stay valid
                if result is not None:
                    results.append(result)
        load = f"load average {load_before:.1f} before the pages, {os.getloadavg()[0]:.1f} after"
        print(
            f"\n{len(pages)} pages ({today}, {os.cpu_count()} cores, {load}); bar <= {BAR_MS} ms, <= {BAR_ASSETS_KB} KB"
        )
        print_table(results, args.markdown)
        for line in left_out:
            print(f"not measured: {line}")
        notes = paging_checks(results, len(officers), args.cases)
        notes += [f"FAIL: the login form did not sign in: {problem}" for problem in LOGIN_PROBLEMS]
        for line in notes:
            print(line)
        print_slow(results, BAR_MS / 2)
        failed = any(r.verdict == "FAIL" for r in results) or any(n.startswith("FAIL") for n in notes)
        print(f"\nverdict: {'FAIL' if failed else 'PASS'} ({sum(r.verdict == 'FAIL' for r in results)} failing)")
    finally:
        if stack:
            stack.stop()
        if args.keep:
            print(f"kept databases {', '.join(u.rsplit('/', 1)[1] for u in urls.values())}, vhost {vhost}, {workdir}")
        else:
            drop_databases(conn, urls)
            subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True)
            shutil.rmtree(workdir, ignore_errors=True)
        conn.close()
    sys.exit(1 if failed else 0)


# one record of each kind the data holds (of the agency admin's agency where the table has one), for the record pages
RECORDS = {
    "case_id": (
        "cases",
        "SELECT c.case_id FROM cases c JOIN publications p USING (case_id) WHERE c.agency_code = %(agency)s"
        " ORDER BY c.filed_on DESC LIMIT 1",
    ),
    "item_id": ("cases", "SELECT item_id FROM items WHERE agency_code = %(agency)s ORDER BY code LIMIT 1"),
    "draw_id": ("cases", "SELECT draw_id FROM draws WHERE agency_code = %(agency)s LIMIT 1"),
    "transfer_id": ("cases", "SELECT transfer_id FROM transfers LIMIT 1"),
    "batch_id": ("cases", "SELECT batch_id FROM review_batches LIMIT 1"),
    "supervision.item_id": (
        "supervision",
        "SELECT id FROM supervision_items WHERE agency_code = %(agency)s ORDER BY id DESC LIMIT 1",
    ),
    "complaint_id": ("supervision", "SELECT id FROM complaints WHERE agency_code = %(agency)s LIMIT 1"),
    "course_id": ("training", "SELECT course_id FROM courses LIMIT 1"),
    "session_id": ("training", "SELECT session_id FROM sessions LIMIT 1"),
    "sitting_id": ("training", "SELECT sitting_id FROM exam_sittings LIMIT 1"),
}


def _records(urls: dict[str, str]) -> dict:
    """The values ``RECORDS`` finds (a kind with no row, or no such table, is left out)."""
    import psycopg2

    found = {}
    for name, (service, sql) in RECORDS.items():
        with psycopg2.connect(plain(urls[service])) as conn, conn.cursor() as cur:
            try:
                cur.execute(sql, {"agency": AGENCY})
            except psycopg2.Error:
                continue
            row = cur.fetchone()
        if row:
            found[name] = row[0]
    return found


if __name__ == "__main__":
    main()
