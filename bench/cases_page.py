"""Cases page benchmark (issue #14, point 4): what one page of the cases list costs in process, with each case's
children read one case at a time (the way ``list_cases`` built its rows before ``case_dicts``) and read once for the
page (``case_dicts``). Bar: the page's SQL statements do not grow with the page size (a page of 50 issues as many as
a page of 5), and the page of 50 is several times faster than one case at a time.

How: a SQLite file in a temporary folder, migrated and seeded as ``enforcement-migrate`` and ``enforcement-seed``
do, filled with ``bench/cases_stats.py``'s catalogue and ``--cases`` cases (27 agencies x 7 types, filed 2021-2025,
90% decided); the cases are held to the records rules (``CASES.records.required_from`` 2020-01-01, penalty cases
needing recordings), so each row's documents and recordings are looked up too. Then, alternating the two ways in
one loop (same load), it times ``operations.cases.list_cases`` for the bureau's first page of ``--per-page`` cases
``--runs`` times and prints each way's median and best milliseconds and statements per page (SQLAlchemy's
``before_cursor_execute``). The one-case-at-a-time way calls ``case_dicts`` for one case per row, which issues the
same statements per case as the earlier ``case_dict``. The two ways' rows are checked equal. The folder is removed.

    .venv/bin/python bench/cases_page.py [--cases 2000] [--per-page 50] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases_stats import case_rows, item_rows
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

BUREAU = {"username": "bench", "role": "bureau"}
RECORDS = {"required_from": "2020-01-01", "recording_required_for": {"types": ["penalty"]}}
TODAY = date(2026, 1, 5)


def one_at_a_time(batch):
    """``case_dicts`` one case per call: the statements the list issued before, per row."""
    return lambda session, cases, settings, today: [batch(session, [c], settings, today)[0] for c in cases]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--per-page", type=int, default=50)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    from enforcement_testing.inprocess import prepare_database, service_config

    from cases_service import models as m
    from cases_service.operations import cases as case_ops
    from cases_service.operations.common import Settings

    folder = tempfile.mkdtemp(prefix="cases-page-")
    try:
        url = f"sqlite:///{folder}/cases.db"
        config = service_config("cases", url, "amqp://guest:guest@127.0.0.1:5672/", {"CASES": {"records": RECORDS}})
        prepare_database("cases", config)
        engine = create_engine(url)
        items, versions = item_rows(datetime.utcnow())
        with engine.begin() as conn:
            conn.execute(m.Item.__table__.insert(), items)
            conn.execute(m.ItemVersion.__table__.insert(), versions)
            conn.execute(m.Case.__table__.insert(), list(case_rows(1, args.cases, datetime.utcnow())))
        settings = Settings.from_config(config)
        statements = []
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        batch = case_ops.case_dicts
        ways = {"one case at a time": one_at_a_time(batch), "case_dicts (page)": batch}
        times = {name: [] for name in ways}
        counts, rows = {}, {}
        query = {"per_page": args.per_page}
        for _ in range(args.runs):
            for name, fn in ways.items():
                case_ops.case_dicts = fn
                try:
                    with Session(engine) as session:
                        statements.clear()
                        started = time.perf_counter()
                        rows[name] = case_ops.list_cases(session, BUREAU, query, settings, TODAY)["items"]
                        times[name].append((time.perf_counter() - started) * 1000)
                        counts[name] = len(statements)
                finally:
                    case_ops.case_dicts = batch
        first, second = rows.values()
        assert first == second and len(first) == args.per_page, "the two ways answer different rows"
        print(f"{args.cases} cases on SQLite, per_page={args.per_page}, {args.runs} runs, load {os.getloadavg()}")
        for name in ways:
            median, best = statistics.median(times[name]), min(times[name])
            print(f"  {name:20} median {median:7.1f} ms  best {best:7.1f} ms  {counts[name]:4} statements")
        before, after = (statistics.median(times[name]) for name in ways)
        print(f"  speed-up (medians): {before / after:.1f}x")
        engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
