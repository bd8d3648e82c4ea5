"""Training benchmark (issue #3): import 10k and 100k attendance rows, and the county compliance table.

Uses the service's own use cases (``operations.import_attendance`` and ``operations.aggregate``)
against a fresh, migrated and seeded database per run: a temporary SQLite file, and PostgreSQL
on 127.0.0.1:5432 when it answers (a temporary database, dropped afterwards). 5,000 officers in
the county's 27 agencies; the sessions are sized so every officer has rows/5,000 attendances.
The import time covers reading the .xlsx, checking every row, writing the rows, one snapshot
per officer-year and the outbox events; generating the file is not timed.

    .venv/bin/python bench/training_import.py [--sizes 10000 100000] [--officers 5000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import tempfile
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--officers", type=int, default=5000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
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
