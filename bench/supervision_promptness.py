"""Supervision promptness benchmark (issue #5): the per-agency (and per-kind) promptness table for a year, on
100,000 and 1,000,000 measurements of 50 agencies, on SQLite and PostgreSQL. Bar: under 2 seconds, done in SQL.

For each backend and size: a fresh database migrated with the service's Alembic scripts, filled with generated
measurements (50 agencies x 7 kinds, ended 2024-2025 evenly, 0-30 working days, deadline 5/7/10, on time when
within it), then the service's own query (``operations.promptness_table``: one GROUP BY over the period, statistics
from the per-day histogram) timed for the year 2025 (about half the rows), median of 5 runs after one warm-up.
Databases are removed at the end.

    .venv/bin/python bench/supervision_promptness.py [--sizes 100000,1000000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
ADMIN_URLS = ("postgresql://postgres@127.0.0.1:5432/postgres", "postgresql://root@127.0.0.1:5432/postgres")
AGENCIES = [f"140928-a{n:02d}" for n in range(50)]
KINDS = [
    "certificate_cancelled",
    "case_decided",
    "decision_published",
    "transfer_acknowledged",
    "supervision_item_answered",
    "complaint_accepted",
    "complaint_concluded",
]
DEADLINES = [5, 7, 10]
BUREAU = {"username": "bench", "role": "bureau", "agency_code": None, "officer_id": None}
FIRST_DAY = date(2024, 1, 1)
DAYS = 731  # 2024-01-01 .. 2025-12-31

PG_FILL = """
INSERT INTO promptness_measurements (event_id, source, agency_code, kind, reference, started_on, ended_on,
                                     workdays_taken, deadline_workdays, seconds, on_time, year, recorded_at)
SELECT md5(%(salt)s || n), 'bench', (%(agencies)s::text[])[1 + n %% 50], (%(kinds)s::text[])[1 + (n / 50) %% 7],
       'r' || n, e - (n %% 31) * 7 / 5, e, n %% 31, d, NULL, (n %% 31) <= d,
       extract(year from e)::int, now()
FROM (SELECT n, (date %(first)s + (n::bigint * 7919 %% %(days)s)::int) AS e, (ARRAY[5,7,10])[1 + n %% 3] AS d
      FROM generate_series(%(lo)s, %(hi)s) n) g
"""


def rows(lo: int, hi: int):
    for n in range(lo, hi):
        ended = FIRST_DAY + timedelta(days=n * 7919 % DAYS)
        taken, deadline = n % 31, DEADLINES[n % 3]
        yield {
            "event_id": f"bench-{n}",
            "source": "bench",
            "agency_code": AGENCIES[n % 50],
            "kind": KINDS[(n // 50) % 7],
            "reference": f"r{n}",
            "started_on": ended - timedelta(days=taken * 7 // 5),
            "ended_on": ended,
            "workdays_taken": taken,
            "deadline_workdays": deadline,
            "seconds": None,
            "on_time": taken <= deadline,
            "year": ended.year,
            "recorded_at": ended,
        }


def migrate(url: str) -> None:
    from enforcement_kernel.migrations import upgrade
    from supervision_service.plugin import PLUGIN

    upgrade(PLUGIN.migrations, url)


def fill_sqlite(url: str, size: int) -> None:
    from sqlalchemy import create_engine

    from supervision_service.models import PromptnessMeasurement

    engine = create_engine(url)
    table = PromptnessMeasurement.__table__
    with engine.begin() as conn:
        for lo in range(0, size, 50_000):
            conn.execute(table.insert(), list(rows(lo, min(size, lo + 50_000))))
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def fill_postgresql(url: str, size: int) -> None:
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        for lo in range(0, size, 250_000):
            cur.execute(
                PG_FILL,
                {
                    "salt": uuid.uuid4().hex,
                    "agencies": AGENCIES,
                    "kinds": KINDS,
                    "first": FIRST_DAY.isoformat(),
                    "days": DAYS,
                    "lo": lo,
                    "hi": min(size, lo + 250_000) - 1,
                },
            )
        cur.execute("VACUUM ANALYZE promptness_measurements")
    conn.close()


def time_table(url: str) -> tuple[float, int]:
    from sqlalchemy.orm import Session

    from enforcement_kernel.db import make_engine
    from supervision_service.operations import promptness

    engine = make_engine(url, pool_size=1)
    query = {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31), "by_kind": True}
    timings = []
    for run in range(6):
        with Session(engine) as session:
            started = time.perf_counter()
            table = promptness.promptness_table(session, BUREAU, query)
            elapsed = time.perf_counter() - started
        if run:  # the first run warms the caches
            timings.append(elapsed)
    engine.dispose()
    assert len(table) == 50 * 8, len(table)  # 50 agencies x (7 kinds + "all")
    return statistics.median(timings), sum(r["measurements"] for r in table if r["kind"] == "all")


def pg_database():
    import psycopg2

    for admin_url in ADMIN_URLS:
        try:
            conn = psycopg2.connect(admin_url, connect_timeout=5)
        except psycopg2.OperationalError:
            continue
        conn.autocommit = True
        name = f"bench_supervision_{uuid.uuid4().hex[:8]}"
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        return conn, name, admin_url.rsplit("/", 1)[0] + f"/{name}"
    raise SystemExit("PostgreSQL is not reachable on 127.0.0.1:5432 as postgres or root (scripts/brokers --postgres)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'backend':<11} {'rows':>9} {'rows in 2025':>12} {'fill s':>7} {'table s (median of 5)':>22}")
    for backend in args.backends.split(","):
        for size in sizes:
            if backend == "sqlite":
                folder = tempfile.mkdtemp(prefix="bench-supervision-")
                url = f"sqlite:///{folder}/supervision.db"

                def cleanup(folder=folder):
                    return [os.remove(p) for p in Path(folder).iterdir()] and os.rmdir(folder)

                fill = fill_sqlite
            else:
                admin, name, url = pg_database()

                def cleanup(admin=admin, name=name):
                    with admin.cursor() as cur:
                        cur.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                    admin.close()

                fill = fill_postgresql
            try:
                migrate(url)
                started = time.perf_counter()
                fill(url, size)
                filled = time.perf_counter() - started
                seconds, in_year = time_table(url)
                print(f"{backend:<11} {size:>9,} {in_year:>12,} {filled:>7.1f} {seconds:>22.3f}", flush=True)
            finally:
                cleanup()


if __name__ == "__main__":
    main()
