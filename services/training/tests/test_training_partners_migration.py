"""The session-partners migration (issue 13) keeps what sessions scheduled before it allowed: the bureau's open to
every agency, the others to their organisers, and a joint session's co-organisers (every agency but the first) as
having confirmed, so attendance already recorded or still to come in them is not refused."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from enforcement_kernel.migrations import upgrade
from training_service.plugin import PLUGIN

BEFORE = "f13c0de00001"


def test_sessions_scheduled_before_keep_what_they_allowed(tmp_path):
    url = f"sqlite:///{tmp_path / 'training.db'}"
    upgrade(PLUGIN.migrations, url, BEFORE)
    engine = create_engine(url, poolclass=NullPool)
    now = datetime(2026, 11, 20, 9, 0)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO categories (code, name, created_at) VALUES ('professional', '业务', :t)"), {"t": now}
        )
        conn.execute(
            text(
                "INSERT INTO courses (course_id, title, category_code, kind, required, counts_hours, description,"
                " created_by, created_at) VALUES ('c1', 'c1', 'professional', 'training', 0, 1, '', 'seed', :t)"
            ),
            {"t": now},
        )
        for sid, kind, codes in (
            ("s-bureau", "bureau", []),
            ("s-agency", "agency", ["A"]),
            ("s-joint", "joint", ["A", "B", "C"]),
        ):
            conn.execute(
                text(
                    "INSERT INTO sessions (session_id, course_id, held_on, ends_on, hours, delivery, organiser_kind,"
                    " organiser_agencies, location, created_by, created_at)"
                    " VALUES (:s, 'c1', :d, :d, 2, 'offline', :k, :codes, '', 'seed', :t)"
                ),
                {"s": sid, "k": kind, "codes": json.dumps(codes), "d": date(2026, 5, 6), "t": now},
            )
        conn.execute(
            text(
                "INSERT INTO officers (officer_id, agency_code, name, status, updated_at)"
                " VALUES ('o1', 'A', 'o1', 'active', :t)"
            ),
            {"t": now},
        )
        conn.execute(  # attendance refers to a session: the migration must not rebuild the table under it
            text(
                "INSERT INTO attendance (attendance_id, officer_id, session_id, attended_on, hours, version, note,"
                " recorded_by, created_at, updated_at) VALUES ('a1', 'o1', 's-joint', :d, 2, 1, '', 'seed', :t, :t)"
            ),
            {"d": date(2026, 5, 6), "t": now},
        )
    upgrade(PLUGIN.migrations, url)
    with engine.connect() as conn:
        opened = {
            sid: (json.loads(open_to), bool(wide))
            for sid, open_to, wide in conn.execute(text("SELECT session_id, open_to, open_county_wide FROM sessions"))
        }
        partners = conn.execute(
            text("SELECT session_id, agency_code, state FROM session_partners ORDER BY agency_code")
        ).all()
    engine.dispose()
    assert opened == {"s-bureau": ([], True), "s-agency": ([], False), "s-joint": ([], False)}
    assert [tuple(p) for p in partners] == [("s-joint", "B", "confirmed"), ("s-joint", "C", "confirmed")]
