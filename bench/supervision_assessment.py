"""Yearly assessment benchmark (issue #5): the full yearly assessment of 50 agencies over 100,000 and then
1,000,000 promptness measurements, on SQLite and on PostgreSQL. Bar: under 2 seconds.

Creates a database of its own (a SQLite file under /tmp; a PostgreSQL database on 127.0.0.1:5432, trust auth, user
postgres or root), applies the supervision service's migrations with ``enforcement-migrate supervision``, fills it
in SQL (50 agencies; every measurement ends in the assessed year, the worst case; 40 supervision items and 20
complaints per agency, a satisfaction survey each), then times what ``run_assessment`` does apart from storing the
run: ``facts.local_facts`` (the GROUP BY queries over the service's tables) + ``facts.gather`` + ``assessment.assess``
with every installed indicator and the packaged weights (median of 5 runs).

The remote facts (certificates, training, cases) come from a fact source injected here with generated figures for the
50 agencies, not from running personnel, training and cases services: their own queries are benchmarked in
``bench/cases_stats.py``; over RPC they add three round trips (a few milliseconds each, see ``bench/gateway_floor.py``).

    .venv/bin/python bench/supervision_assessment.py [--sizes 100000,1000000] [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BIN = Path(sys.executable).parent
ADMIN_URLS = ("postgresql://postgres@127.0.0.1:5432/postgres", "postgresql://root@127.0.0.1:5432/postgres")
AGENCIES = [f"140928-a{n:02d}" for n in range(50)]
YEAR = 2024
KINDS = [
    "supervision_item_answered",
    "complaint_accepted",
    "complaint_concluded",
    "transfer_acknowledged",
    "decision_published",
    "case_decided",
    "certificate_cancelled",
]

# n runs over first..last; every row ends in YEAR; about 85% on time
SERIES = {
    "sqlite": "WITH RECURSIVE g(n) AS (SELECT :first UNION ALL SELECT n + 1 FROM g WHERE n < :last) ",
    "postgresql": "WITH g AS (SELECT generate_series(:first, :last) AS n) ",
}
DAY = {
    "sqlite": "date('2024-01-01', '+' || (n % 366) || ' days')",
    "postgresql": "date '2024-01-01' + (n % 366)",
}
START_DAY = {
    "sqlite": "date('2024-01-01', '+' || (n % 366) || ' days', '-' || (n % 20) || ' days')",
    "postgresql": "date '2024-01-01' + (n % 366) - (n % 20)",
}
AGENCY_OF = "'140928-a' || substr('0' || (n % 50), -2, 2)"
AGENCY_OF_PG = "'140928-a' || lpad((n % 50)::text, 2, '0')"


def measurements_sql(dialect: str) -> str:
    agency = AGENCY_OF if dialect == "sqlite" else AGENCY_OF_PG
    kinds = "CASE n % 7 " + " ".join(f"WHEN {i} THEN '{k}'" for i, k in enumerate(KINDS)) + " END"
    return (
        SERIES[dialect]
        + f"""
INSERT INTO promptness_measurements (event_id, source, agency_code, kind, reference, started_on, ended_on,
                                     workdays_taken, deadline_workdays, seconds, on_time, year, recorded_at)
SELECT 'bench-' || n, 'cases', {agency}, {kinds}, 'ref-' || n, {START_DAY[dialect]}, {DAY[dialect]},
       n % 20, 15, NULL, (n % 20) < 17, {YEAR}, CURRENT_TIMESTAMP FROM g"""
    )


def local_rows_sql(dialect: str) -> list[str]:
    agency = AGENCY_OF if dialect == "sqlite" else AGENCY_OF_PG
    true, false = ("1", "0") if dialect == "sqlite" else ("true", "false")
    return [
        SERIES[dialect]
        + f"""
INSERT INTO supervision_items (agency_code, kind, title, body, state, issued_on, deadline_workdays, due_on, returns,
                               overdue, answered_on_time, year, issued_by, origin, occurrences, details, created_at,
                               updated_at)
SELECT {agency}, 'rectification', '整改通知 ' || n, '', 'closed', {DAY[dialect]}, 15, {DAY[dialect]}, 0,
       CASE WHEN n % 9 = 0 THEN {true} ELSE {false} END, CASE WHEN n % 9 = 0 THEN {false} ELSE {true} END, {YEAR},
       'bench', 'manual', 1, '{{}}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM g""",
        SERIES[dialect]
        + f"""
INSERT INTO complaints (agency_code, complainant_kind, complainant_name_enc, contact_enc, contact_hash, summary,
                        received_on, state, accept_due_on, concluded_on, outcome, year, created_at, updated_at)
SELECT {agency}, 'enterprise', 'x', 'x', 'h' || n, '投诉', {DAY[dialect]}, 'concluded', {DAY[dialect]},
       {DAY[dialect]}, CASE WHEN n % 4 = 0 THEN 'upheld' ELSE 'not_upheld' END, {YEAR}, CURRENT_TIMESTAMP,
       CURRENT_TIMESTAMP FROM g""",
    ]


class BenchFactSource:
    """Generated figures for the 50 agencies in place of the personnel, training and cases services."""

    def agencies(self) -> list[dict]:
        return [
            {"code": code, "name": f"机关{i}", "is_supervisor": False, "is_police": False}
            for i, code in enumerate(AGENCIES)
        ]

    def certification(self, year: int) -> list[dict]:
        return [
            {
                "agency_code": code,
                "officers": 20 + i % 7,
                "certified": 18 + i % 7 - i % 3,
                "certificates_issued": 3,
                "certificates_cancelled": 1,
            }
            for i, code in enumerate(AGENCIES)
        ]

    def training(self, year: int) -> list[dict]:
        return [
            {"agency_code": code, "officers": 20 + i % 7, "compliant": 15 + i % 7} for i, code in enumerate(AGENCIES)
        ]

    def cases(self, year: int) -> list[dict]:
        return [
            {
                "agency_code": code,
                "decisions": 300,
                "publications": 120,
                "publications_on_time": 100 + i % 20,
                "review_grades": {"excellent": i % 4, "pass": 5, "fail": i % 2},
                "changed_by_ground": {"reconsideration": i % 3},
                "decisions_reversed": i % 3,
                "by_type": [{"type_code": "penalty", "cases": 320, "decided": 300, "fined": 200, "fine_total": 1e6}],
            }
            for i, code in enumerate(AGENCIES)
        ]

    def type_names(self) -> dict[str, str]:
        return {"penalty": "行政处罚"}


def timed(fn, runs: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def postgres_database():
    import psycopg2

    for admin_url in ADMIN_URLS:
        try:
            conn = psycopg2.connect(admin_url, connect_timeout=5)
            break
        except psycopg2.OperationalError:
            continue
    else:
        raise SystemExit(
            "PostgreSQL is not reachable on 127.0.0.1:5432 as postgres or root (scripts/brokers --postgres)"
        )
    conn.autocommit = True
    name = f"enf_bench_supervision_{uuid.uuid4().hex[:8]}"
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg2://", 1) + f"/{name}"

    def drop():
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.close()

    return url, drop


def run(dialect: str, sizes: list[int]) -> None:
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from enforcement_kernel.config import load_config, setting
    from enforcement_kernel.db import make_engine
    from supervision_service import facts
    from supervision_service.assessment import Policy, assess, load_indicators
    from supervision_service.plugin import PLUGIN

    if dialect == "sqlite":
        folder = tempfile.mkdtemp(prefix="bench-supervision-")
        url, drop = f"sqlite:///{folder}/supervision.db", lambda: shutil.rmtree(folder, ignore_errors=True)
    else:
        url, drop = postgres_database()
    try:
        env = dict(os.environ, DATABASE_URL=url, LOG_LEVEL="WARNING")
        subprocess.run([BIN / "enforcement-migrate", "supervision"], env=env, check=True, capture_output=True)
        config = load_config("supervision", default_path=PLUGIN.config_path)
        policy, indicators = Policy.from_settings(setting(config, "ASSESSMENT")), load_indicators()
        source = BenchFactSource()
        engine = make_engine(url, pool_size=2)
        with engine.begin() as conn:
            for sql in local_rows_sql(dialect):
                conn.execute(text(sql), {"first": 1, "last": 40 * len(AGENCIES)})
        print(f"{dialect}: {'measurements':>12} {'load s':>8} {'assessment s':>13} {'agencies':>9}")
        loaded = 0
        for size in sizes:
            started = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(text(measurements_sql(dialect)), {"first": loaded + 1, "last": size})
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            load, loaded = time.perf_counter() - started, size

            def assessment():
                with Session(engine) as session:
                    local = facts.local_facts(session, YEAR)
                return local, assess(facts.gather(local, source, YEAR), policy, indicators)

            seconds, (local, ranking) = timed(assessment)
            measured = sum(values.get("promptness_measurements", 0) for values in local.values())
            assert len(ranking) == len(AGENCIES) and measured == size, (len(ranking), measured)
            print(f"{'':{len(dialect) + 1}} {size:>12} {load:>8.1f} {seconds:>13.3f} {len(ranking):>9}")
            if seconds >= 2:
                print(f"  BAR MISSED: the assessment took {seconds:.2f}s at {size} measurements on {dialect}")
        engine.dispose()
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()

    from enforcement_kernel.cli import quiet_library_warnings

    quiet_library_warnings()
    for dialect in args.databases.split(","):
        run(dialect.strip(), sorted(int(s) for s in args.sizes.split(",")))


if __name__ == "__main__":
    main()
