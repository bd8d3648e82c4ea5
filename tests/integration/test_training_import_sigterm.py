"""SIGTERM reaches a training service that is importing a large sheet (issue 13: it used to be ignored while parsing).

The import pauses for other green threads every few hundred rows, so the runner's signal handler runs at once: the
graceful stop waits ``SHUTDOWN_GRACE_SECONDS`` for the running import, then kills it; its transaction is rolled
back. Before, the signal waited until the whole import had finished and been committed. On PostgreSQL, as in
production: on SQLite the import does not pause while it holds the write lock (the service's README says why), so a
kill that comes during its writing waits for the commit.
"""

from __future__ import annotations

import base64
import signal
import time
import uuid
from datetime import date, timedelta

import pytest
from enforcement_testing import RUN_DATE, db_count, fresh_postgres_database
from sqlalchemy import create_engine, insert

from training_service import models as m
from training_service.spreadsheets import TEMPLATE_HEADERS, write_table

GRACE = 3
OFFICERS, SESSIONS = 5000, 20  # 100,000 rows: an import of 20 s or more on this machine, far past the grace


def fill(url: str) -> list[tuple]:
    """Officers and sessions as the directory and the catalogue would hold them; the sheet's rows."""
    officers = [f"o{i:05d}{uuid.uuid4().hex[:6]}" for i in range(OFFICERS)]
    sessions = [uuid.uuid4().hex for _ in range(SESSIONS)]
    start = date(RUN_DATE.year, 1, 1)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            insert(m.Officer),
            [
                {"officer_id": o, "agency_code": "140928-scjgj", "name": f"执法员{i}", "status": "active"}
                for i, o in enumerate(officers)
            ],
        )
        conn.execute(
            insert(m.Course),
            [
                {
                    "course_id": "sigterm",
                    "title": "sigterm",
                    "category_code": "public_law",
                    "kind": "training",
                    "required": False,
                    "counts_hours": True,
                    "description": "",
                    "created_by": "test",
                }
            ],
        )
        conn.execute(
            insert(m.Session),
            [
                {
                    "session_id": s,
                    "course_id": "sigterm",
                    "held_on": start + timedelta(days=i),
                    "ends_on": start + timedelta(days=i),
                    "hours": 4.0,
                    "delivery": "online",
                    "organiser_kind": "bureau",
                    "organiser_agencies": [],
                    "location": "",
                    "created_by": "test",
                }
                for i, s in enumerate(sessions)
            ],
        )
    engine.dispose()
    return [(o, s, 3.5, None, "") for s in sessions for o in officers]


@pytest.mark.timeout(300)
def test_a_service_importing_a_large_sheet_stops_on_sigterm_within_its_grace(start_service, amqp_uri, rpc_factory):
    with fresh_postgres_database() as url:
        stop_while_importing(start_service, amqp_uri, rpc_factory, url)


def stop_while_importing(start_service, amqp_uri, rpc_factory, url: str) -> None:
    training = start_service("training", url, amqp_uri, extra_env={"SHUTDOWN_GRACE_SECONDS": str(GRACE)})
    content = write_table("attendance", TEMPLATE_HEADERS, fill(url))
    proxy = rpc_factory(timeout=300)
    cluster = proxy.start()
    try:
        cluster.training.import_attendance.call_async(
            {"username": "admin", "role": "bureau"}, base64.b64encode(content).decode()
        )
        time.sleep(3)  # the import is under way (it lasts 20 s or more)
        training.proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        code = training.proc.wait(timeout=GRACE + 30)
        stopped_after = time.monotonic() - signalled
    finally:
        proxy.stop()
    assert code is not None and stopped_after < GRACE + 30
    assert f"graceful stop took longer than {GRACE}s; killing the service" in training.log_text()
    assert db_count(url, "attendance") == 0 and db_count(url, "attendance_imports") == 0  # rolled back, not done
