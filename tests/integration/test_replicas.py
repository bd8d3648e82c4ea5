"""Two replicas of personnel on one PostgreSQL database (issue 14): the timers both run at start announce each
expired certificate and each missed deadline once, and the two relays publish each event once.

Both containers run in this process on the same database and broker, as two `enforcement-run personnel` would; their
timers (`eager`: at start) run at the same moment in green threads with connections of their own, so the database
sees two replicas. 700 expired certificates are more than one tick announces (500): both replicas must take part,
each claiming rows the other has not (`FOR UPDATE SKIP LOCKED` and the `expiry_announced` flag). 300 applications
pending for 200 days are each a missed deadline (`SKIP LOCKED` and one `deadline_misses` row per miss, unique).
bench/replicas.py measures the same with two processes under load.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import eventlet
import pytest
from enforcement_testing import RUN_DATE, db_rows, fresh_postgres_database, wait_until
from sqlalchemy import text

from enforcement_kernel.db import make_engine

pytestmark = pytest.mark.timeout(120)

AGENCY = "140928-scjgj"
EXPIRED, OVERDUE = 700, 300

FIXTURES = """
INSERT INTO officers (officer_id, agency_code, name, id_number_encrypted, id_number_hash, id_number_masked, position,
                      domains, is_police, status, appointed_on, created_at, updated_at)
SELECT 'rep' || lpad(g::text, 8, '0'), :agency, '副本' || g, 'not-read-here', md5('a' || g) || md5('b' || g),
       '140928**********00', '', '["market_supervision"]'::json, false, 'active', :appointed, now(), now()
FROM generate_series(1, :expired) g;
INSERT INTO certificates (number, officer_id, agency_code, domains, issued_on, expires_on, status, expiry_announced,
                          check_code, created_at)
SELECT 'R' || lpad(g::text, 14, '0'), 'rep' || lpad(g::text, 8, '0'), :agency, '["market_supervision"]'::json,
       :issued, :expired_on, 'valid', false, 'CHECK' || g, now()
FROM generate_series(1, :expired) g;
INSERT INTO certificate_applications (application_id, officer_id, agency_code, domains, state, filed_on, filed_by,
                                      created_at)
SELECT 'app' || lpad(g::text, 8, '0'), 'rep' || lpad(g::text, 8, '0'), :agency, '["market_supervision"]'::json,
       'pending', :filed, 'test', now()
FROM generate_series(1, :overdue) g;
"""


def _write_fixtures(url: str) -> None:
    engine = make_engine(url, pool_size=1)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(FIXTURES),
                {
                    "agency": AGENCY,
                    "expired": EXPIRED,
                    "overdue": OVERDUE,
                    "appointed": RUN_DATE - timedelta(days=2000),
                    "issued": RUN_DATE - timedelta(days=1900),
                    "expired_on": RUN_DATE - timedelta(days=10),
                    "filed": RUN_DATE - timedelta(days=200),
                },
            )
    finally:
        engine.dispose()


def _outbox(url: str) -> Counter:
    rows = db_rows(url, "SELECT event_type, status FROM outbox_events")
    return Counter((r["event_type"], r["status"]) for r in rows)


def test_two_replicas_announce_each_expiry_and_each_miss_once(run_service, collect_events):
    with fresh_postgres_database() as url:
        first = run_service("personnel", database_url=url, start=False)  # migrated and seeded once
        second = run_service("personnel", database_url=url, start=False)
        _write_fixtures(url)
        collector = collect_events("personnel", "certificate.expired", "deadline.missed")
        try:
            # both at once: their eager timers and relays run side by side
            for started in [eventlet.spawn(s.container.start) for s in (first, second)]:
                started.wait()

            def announced() -> bool:
                outbox = _outbox(url)
                return (
                    outbox[("personnel.certificate.expired", "sent")] >= EXPIRED
                    and outbox[("personnel.deadline.missed", "sent")] >= OVERDUE
                )

            wait_until(announced, timeout=60, message="every expiry and miss announced and sent")
            collector.wait_for(EXPIRED + OVERDUE, timeout=30)
            received = collector.collect_for(2)  # nothing more arrives: no second announcement, no second publish

            outbox = _outbox(url)
            assert outbox[("personnel.certificate.expired", "sent")] == EXPIRED
            assert outbox[("personnel.deadline.missed", "sent")] == OVERDUE
            ids = Counter(e["id"] for e in received)
            assert len(received) == EXPIRED + OVERDUE and max(ids.values()) == 1
            subjects = Counter((e["type"], e["subject"]) for e in received)
            assert len(subjects) == EXPIRED + OVERDUE  # one event per certificate and per application
            assert db_rows(url, "SELECT count(*) AS n FROM deadline_misses")[0]["n"] == OVERDUE
            flagged = db_rows(url, "SELECT count(*) AS n FROM certificates WHERE expiry_announced")[0]["n"]
            assert flagged == EXPIRED
            # both ticks ran (one per replica; the two containers share this process's metrics): a tick announces at
            # most 500, so each replica announced part of the 700
            ticks = first.metric(
                "enforcement_calls_total",
                service="personnel",
                kind="timer",
                entrypoint="announce_expired_certificates",
                outcome="ok",
            )
            assert ticks == pytest.approx(2)
        finally:
            first.stop()
            second.stop()
