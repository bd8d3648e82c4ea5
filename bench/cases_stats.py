"""Cases statistics benchmark (issue #4): the per-agency yearly counts and fines by type, and the per-agency
promptness table, on 100,000 and then 1,000,000 cases in PostgreSQL. Bar: each under 2 seconds, computed in SQL.

Creates a database of its own on the local PostgreSQL (trust auth, user postgres or root), applies the cases
service's migrations with ``enforcement-migrate cases``, fills it with generated rows in SQL (27 agencies x 7 types x
5 items; cases filed 2021-2025, 90% decided, fines on penalty cases; one promptness measurement per decided case),
then times the service's own query functions (``operations.yearly_statistics`` and ``operations.promptness_table``,
median of 5 runs) at each size. The database is dropped at the end.

    .venv/bin/python bench/cases_stats.py [--sizes 100000,1000000] [--keep]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

BIN = Path(sys.executable).parent
ADMIN_URLS = ("postgresql://postgres@127.0.0.1:5432/postgres", "postgresql://root@127.0.0.1:5432/postgres")
AGENCIES = [
    "scjgj",
    "gaj",
    "jtysj",
    "sthjfj",
    "nyncj",
    "whlyj",
    "zrzyj",
    "yjj",
    "rsj",
    "wjj",
    "xzspj",
    "zjj",
    "sfj",
    "czj",
    "fgw",
    "yancheng",
    "xiaohetou",
    "sancha",
    "qiansuo",
    "lijiaping",
    "sunjiaping",
    "liangjiaping",
    "huhui",
    "xinzhai",
    "hanjialou",
    "dongxiuzhuang",
    "xinglingzi",
]
TYPES = ["penalty", "licensing", "levy", "confirmation", "benefit", "coercion", "inspection"]
BUREAU = {"username": "bench", "role": "bureau", "agency_code": None, "officer_id": None}


def admin_connection():
    import psycopg2

    for url in ADMIN_URLS:
        try:
            conn = psycopg2.connect(url, connect_timeout=5)
            conn.autocommit = True
            return conn, url
        except psycopg2.OperationalError:
            continue
    raise SystemExit("PostgreSQL is not reachable on 127.0.0.1:5432 as postgres or root (scripts/brokers --postgres)")


ITEMS_SQL = """
INSERT INTO items (item_id, agency_code, code, type_code, current_version, created_at)
SELECT md5(a || t || i), '140928-' || a, t || '-' || i, t, 1, now()
FROM unnest(%(agencies)s::text[]) a, unnest(%(types)s::text[]) t, generate_series(1, 5) i;
INSERT INTO item_versions (item_id, version, name, domain, legal_basis, effective_from, reason, created_by, created_at)
SELECT item_id, 1, '事项 ' || code, 'market_supervision', '《某法》第一条', date '2015-01-01', 'bench', 'bench', now()
FROM items;
"""

CASES_SQL = """
WITH g AS (
    SELECT n, %(agencies)s::text[] AS ag, %(types)s::text[] AS ty FROM generate_series(%(first)s, %(last)s) n
), c AS (
    SELECT n, '140928-' || ag[1 + n %% 27] AS agency, ty[1 + (n / 27) %% 7] AS type,
           md5(ag[1 + n %% 27] || ty[1 + (n / 27) %% 7] || (1 + n %% 5)) AS item,
           date '2021-01-01' + (n %% 1826) AS filed, (n %% 10 <> 0) AS decided
    FROM g
)
INSERT INTO cases (case_id, agency_code, case_number, item_id, item_version, type_code, domain, status, party_kind,
                   party_name, party_key, is_enterprise, officers, procedure, harm, minor_violation, filed_on,
                   decided_on, penalty_kinds, fine_amount, decision_summary, is_major, warnings, warning_count,
                   created_at, updated_at)
SELECT md5('case' || n), agency, 'B-' || n, item, 1, type, 'market_supervision',
       CASE WHEN decided THEN 'decided' ELSE 'filed' END, 'organisation', '企业' || (n %% 5000),
       md5('party' || (n %% 5000)),
       true, '[]'::json, 'ordinary', 'none', false, filed,
       CASE WHEN decided THEN filed + (n %% 100) END,
       CASE WHEN decided AND type = 'penalty' THEN '["fine"]'::json ELSE '[]'::json END,
       CASE WHEN decided AND type = 'penalty' THEN 100 + (n %% 5000) END, '', false, '[]'::json, 0, now(), now()
FROM c;
INSERT INTO promptness_measurements (agency_code, kind, reference, started_on, ended_on, workdays_taken,
                                     deadline_workdays, on_time, created_at)
SELECT agency_code, CASE WHEN type_code = 'penalty' THEN 'case_decided' ELSE 'decision_published' END, case_id,
       filed_on, decided_on, (decided_on - filed_on) * 5 / 7, 64, (decided_on - filed_on) <= 90, now()
FROM cases WHERE decided_on IS NOT NULL AND substr(case_number, 3)::int BETWEEN %(first)s AND %(last)s;
"""


def item_rows(now) -> tuple[list[dict], list[dict]]:
    """``ITEMS_SQL``'s catalogue as rows for a SQLAlchemy Core insert (a database without md5(), e.g. SQLite):
    answers the items and their first versions."""
    items, versions = [], []
    for a in AGENCIES:
        for t in TYPES:
            for i in range(1, 6):
                item_id = hashlib.md5(f"{a}{t}{i}".encode()).hexdigest()
                items.append(
                    {
                        "item_id": item_id,
                        "agency_code": f"140928-{a}",
                        "code": f"{t}-{i}",
                        "type_code": t,
                        "current_version": 1,
                        "created_at": now,
                    }
                )
                versions.append(
                    {
                        "item_id": item_id,
                        "version": 1,
                        "name": f"事项 {t}-{i}",
                        "domain": "market_supervision",
                        "legal_basis": "《某法》第一条",
                        "effective_from": date(2015, 1, 1),
                        "reason": "bench",
                        "created_by": "bench",
                        "created_at": now,
                    }
                )
    return items, versions


def case_rows(first: int, last: int, now):
    """``CASES_SQL``'s cases ``first``..``last`` (the same values) as rows for a SQLAlchemy Core insert."""
    for n in range(first, last + 1):
        a, t = AGENCIES[n % 27], TYPES[(n // 27) % 7]
        filed, decided = date(2021, 1, 1) + timedelta(days=n % 1826), n % 10 != 0
        penalty = decided and t == "penalty"
        yield {
            "case_id": hashlib.md5(f"case{n}".encode()).hexdigest(),
            "agency_code": f"140928-{a}",
            "case_number": f"B-{n}",
            "item_id": hashlib.md5(f"{a}{t}{1 + n % 5}".encode()).hexdigest(),
            "item_version": 1,
            "type_code": t,
            "domain": "market_supervision",
            "status": "decided" if decided else "filed",
            "party_kind": "organisation",
            "party_name": f"企业{n % 5000}",
            "party_key": hashlib.md5(f"party{n % 5000}".encode()).hexdigest(),
            "is_enterprise": True,
            "officers": [],
            "procedure": "ordinary",
            "harm": "none",
            "minor_violation": False,
            "filed_on": filed,
            "decided_on": filed + timedelta(days=n % 100) if decided else None,
            "penalty_kinds": ["fine"] if penalty else [],
            "fine_amount": 100 + n % 5000 if penalty else None,
            "decision_summary": "",
            "is_major": False,
            "warnings": [],
            "warning_count": 0,
            "created_at": now,
            "updated_at": now,
        }


def timed(fn, runs: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    # Over 50 lines: one measurement in order (fill, warm, time each query, print); nothing in it is reused.
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    from enforcement_kernel.cli import quiet_library_warnings

    quiet_library_warnings()
    import psycopg2
    from sqlalchemy.orm import Session

    from cases_service.operations import promptness as ops
    from enforcement_kernel.db import make_engine

    conn, admin_url = admin_connection()
    name = f"enf_bench_cases_{uuid.uuid4().hex[:8]}"
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg2://", 1) + f"/{name}"
    try:
        env = dict(os.environ, DATABASE_URL=url, LOG_LEVEL="WARNING")
        for cmd in ("enforcement-migrate", "enforcement-seed"):
            subprocess.run([BIN / cmd, "cases"], env=env, check=True, capture_output=True)
        data = psycopg2.connect(url.replace("postgresql+psycopg2://", "postgresql://"))
        data.autocommit = True
        with data.cursor() as cur:
            cur.execute(ITEMS_SQL, {"agencies": AGENCIES, "types": TYPES})
        engine = make_engine(url, pool_size=2)
        print(f"{'cases':>10} {'load s':>8} {'statistics s':>13} {'promptness s':>13} {'rows':>6}")
        loaded = 0
        for size in sizes:
            started = time.perf_counter()
            with data.cursor() as cur:
                cur.execute(CASES_SQL, {"agencies": AGENCIES, "types": TYPES, "first": loaded + 1, "last": size})
                cur.execute("VACUUM ANALYZE cases")
                cur.execute("VACUUM ANALYZE promptness_measurements")
            load = time.perf_counter() - started
            loaded = size
            with Session(engine) as session:
                stats_s, stats = timed(lambda: ops.yearly_statistics(session, BUREAU, {"year": 2024}))
                prompt_s, table = timed(
                    lambda: ops.promptness_table(
                        session, BUREAU, {"since": date(2024, 1, 1), "until": date(2024, 12, 31)}
                    )
                )
            assert sum(r["cases"] for r in stats) > 0 and table
            print(f"{size:>10} {load:>8.1f} {stats_s:>13.3f} {prompt_s:>13.3f} {len(stats):>3}/{len(table):<3}")
            for label, seconds in (("statistics", stats_s), ("promptness", prompt_s)):
                if seconds >= 2:
                    print(f"  BAR MISSED: {label} took {seconds:.2f}s at {size} cases")
        engine.dispose()
        data.close()
    finally:
        if not args.keep:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                )
                cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        else:
            print(f"kept database {name}")
        conn.close()


if __name__ == "__main__":
    main()
