"""The training-years migration backfills existing rows: a required course is required from the earlier of the
year it was created and the year of its first session (the plan's course from 2023); officers' appointment dates
stay unknown until the directory sync brings them from personnel."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from enforcement_kernel.migrations import upgrade
from training_service.plugin import PLUGIN

BEFORE = "6735913760c5"


def test_required_courses_get_their_first_year(tmp_path):
    url = f"sqlite:///{tmp_path / 'training.db'}"
    upgrade(PLUGIN.migrations, url, BEFORE)
    engine = create_engine(url, poolclass=NullPool)
    created = datetime(2026, 11, 20, 9, 0)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO categories (code, name, created_at) VALUES ('public_law', '公共法律知识', :t)"),
            {"t": created},
        )
        for course_id, required in (("gbf-2023-27", True), ("held-earlier", True), ("new", True), ("optional", False)):
            conn.execute(
                text(
                    "INSERT INTO courses (course_id, title, category_code, kind, required, counts_hours, description,"
                    " created_by, created_at) VALUES (:id, :id, 'public_law', 'training', :req, 1, '', 'seed', :t)"
                ),
                {"id": course_id, "req": required, "t": created},
            )
        conn.execute(
            text(
                "INSERT INTO sessions (session_id, course_id, held_on, ends_on, hours, delivery, organiser_kind,"
                " organiser_agencies, location, created_by, created_at)"
                " VALUES ('s1', 'held-earlier', :d, :d, 2, 'online', 'bureau', '[]', '', 'seed', :t)"
            ),
            {"d": date(2024, 5, 6), "t": created},
        )
        conn.execute(
            text(
                "INSERT INTO officers (officer_id, agency_code, name, status, updated_at)"
                " VALUES ('o1', 'a', 'o1', 'active', :t)"
            ),
            {"t": created},
        )
    upgrade(PLUGIN.migrations, url)
    with engine.connect() as conn:
        years = dict(conn.execute(text("SELECT course_id, required_from FROM courses")).all())
        appointed = conn.execute(text("SELECT appointed_on FROM officers")).scalar_one()
    engine.dispose()
    assert years == {"gbf-2023-27": 2023, "held-earlier": 2024, "new": 2026, "optional": None}
    assert appointed is None
