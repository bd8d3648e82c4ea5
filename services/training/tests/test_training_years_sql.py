"""Training years in the database's yearly aggregate (SQLite file, no broker): a course counts as required in the
years it was required, an officer counts in the years they were in post (pro-rated in a part year), the rotation is
owed by officers in post before its deadline and counts training inside its window. The county summary (the
metric, the supervision service's report and assessment read it) and closing a year follow the same rule."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_training_compliance_sql import BUREAU, MARKET, SETTINGS, attend, compliance, db, new_session, write

from enforcement_contracts.errors import Forbidden, ValidationFailed
from enforcement_kernel.db import OutboxRow
from training_service import models as m
from training_service.operations import compliance as compliance_ops
from training_service.operations import courses, directory
from training_service.seed_data import REQUIRED_COURSE
from training_service.settings import Settings

__all__ = ["db"]  # the fixture, shared with the compliance tests


def register(engine, officer_id, appointed_on, agency=MARKET):
    write(
        engine,
        directory.apply_officer_registered,
        {"officer_id": officer_id, "agency_code": agency, "name": officer_id, "appointed_on": appointed_on},
    )


def full_year(engine, officer, year):
    """30 h of each category and the plan's required course, all in ``year``."""
    for category in ("public_law", "professional"):
        attend(
            engine, officer, new_session(engine, date(year, 3, 2), 12, category=category), 12, today=date(2026, 12, 1)
        )
        attend(
            engine, officer, new_session(engine, date(year, 3, 3), 12, category=category), 12, today=date(2026, 12, 1)
        )
        attend(engine, officer, new_session(engine, date(year, 3, 4), 6, category=category), 6, today=date(2026, 12, 1))


def test_a_course_made_required_in_2026_does_not_make_2024_short(db):
    full_year(db, "o1", 2024)
    plan_course = new_session(db, date(2024, 5, 6), 2, course_id=REQUIRED_COURSE)
    attend(db, "o1", plan_course, 2, today=date(2026, 12, 1))
    assert compliance(db, "o1", 2024).compliant is True
    added = write(
        db,
        lambda tx: courses.create_course(
            tx, BUREAU, {"title": "新法速递", "category_code": "public_law", "required": True}, today=date(2026, 3, 1)
        ),
    )
    assert added["required_from"] == 2026 and added["required_until"] is None
    result = compliance(db, "o1", 2024)
    assert result.compliant is True and result.required_courses_missing == 0
    assert compliance(db, "o1", 2026).required_courses_missing == 2  # both owed in 2026
    # the bureau says it was required from 2024 after all: 2024 now owes it
    write(
        db,
        courses.change_required_years,
        BUREAU,
        added["course_id"],
        {"required": True, "required_from": 2024},
        date(2026, 3, 2),
    )
    assert compliance(db, "o1", 2024).required_courses_missing == 1
    # ... and only until 2025: no longer owed in 2026
    write(
        db,
        courses.change_required_years,
        BUREAU,
        added["course_id"],
        {"required": True, "required_from": 2024, "required_until": 2025},
        date(2026, 3, 3),
    )
    assert compliance(db, "o1", 2026).required_courses_missing == 1
    with Session(db) as session:
        assert session.execute(
            select(OutboxRow).where(OutboxRow.event_type == "training.course.required_years_changed")
        ).first()


def test_required_years_are_the_bureaus_and_must_make_sense(db):
    admin = {"username": "a", "role": "agency_admin", "agency_code": MARKET}
    with pytest.raises(Forbidden):
        write(db, courses.change_required_years, admin, REQUIRED_COURSE, {"required": False}, date(2026, 3, 1))
    bad = {"required": True, "required_from": 2026, "required_until": 2025}
    with pytest.raises(ValidationFailed) as caught:
        write(db, courses.change_required_years, BUREAU, REQUIRED_COURSE, bad, date(2026, 3, 1))
    assert "required_until" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        write(
            db,
            lambda tx: courses.create_course(
                tx,
                BUREAU,
                {"title": "选修", "category_code": "public_law", "required_from": 2024},
                today=date(2026, 3, 1),
            ),
        )
    assert "required_from" in caught.value.fields
    with Session(db) as session:
        assert session.get(m.Course, REQUIRED_COURSE).required_from == 2023  # unchanged, from the seed


def test_an_officer_registered_in_november_2026_is_not_in_2025(db):
    register(db, "late", date(2026, 11, 10))
    with Session(db) as session:
        in_2025 = {c.officer_id for c in compliance_ops.aggregate(session, 2025, SETTINGS)}
        in_2026 = {c.officer_id: c for c in compliance_ops.aggregate(session, 2026, SETTINGS)}
        summary, _ = compliance_ops.compliance_summary(session, BUREAU, 2025, SETTINGS)
    assert "late" not in in_2025 and in_2025 == {"o1", "o2", "o3"}
    assert summary["county"]["officers"] == 3  # what the metric, the filed report and the assessment read
    late = in_2026["late"]  # 52 days of 2026: 30 h x 52 / 365 = 4.27 -> 4.5 h
    assert late.days_in_post == 52 and late.owed_hours_by_category == {"public_law": 4.5, "professional": 4.5}
    assert late.shortfall_by_category == {"public_law": 4.5, "professional": 4.5}
    closed = write(db, compliance_ops.close_year, BUREAU, 2025, SETTINGS, date(2026, 12, 1))
    assert closed["officers"] == 3 and closed["announced"] == 3
    with Session(db) as session:
        announced = [
            row.body["data"]["officer_id"]
            for row in session.execute(
                select(OutboxRow).where(OutboxRow.event_type == "training.officer.short_at_year_end")
            ).scalars()
        ]
    assert "late" not in announced


def test_a_part_year_officer_meeting_the_pro_rated_hours_is_compliant(db):
    register(db, "mid", date(2025, 7, 1))  # 184 days of 2025: 30 x 184 / 365 = 15.12 -> 15.5 h
    law = new_session(db, date(2025, 9, 1), 12, ends_on=date(2025, 9, 30))
    law2 = new_session(db, date(2025, 9, 2), 4)
    skills = new_session(db, date(2025, 9, 3), 12, category="professional", ends_on=date(2025, 9, 30))
    skills2 = new_session(db, date(2025, 9, 4), 4, category="professional")
    plan_course = new_session(db, date(2025, 9, 5), 2, course_id=REQUIRED_COURSE)
    for session_id, hours in ((law, 12), (law2, 3.5), (skills, 12), (skills2, 3.5), (plan_course, 0.5)):
        attend(db, "mid", session_id, hours, today=date(2025, 12, 31))
    result = compliance(db, "mid", 2025)
    assert result.owed_hours_by_category == {"public_law": 15.5, "professional": 15.5}
    assert result.hours_by_category["public_law"] == 16.0 and result.hours_by_category["professional"] == 15.5
    assert result.compliant is True, result.reasons


def test_the_rotation_counts_training_inside_its_window_for_officers_in_post_before_it(db):
    before_window = new_session(db, date(2022, 12, 30), 2)
    in_window = new_session(db, date(2023, 1, 1), 2)
    register(db, "new", date(2024, 7, 1))
    attend(db, "o1", before_window, 2, today=date(2024, 12, 1))
    attend(db, "o2", in_window, 2, today=date(2024, 12, 1))
    assert compliance(db, "o1", 2024).rotation_done is False  # trained before the window opened
    assert compliance(db, "o2", 2024).rotation_done is True  # the window's first day
    assert compliance(db, "new", 2024).rotation_done is None  # appointed after the deadline: not owed
    wide = Settings.from_config({"TRAINING": {"rotation_deadline": "2024-06-30", "rotation_window_start": ""}})
    with Session(db) as session:
        [o1] = compliance_ops.aggregate(session, 2024, wide, officer_ids=["o1"])
    assert o1.rotation_done is True  # no window start: any training before the deadline


def test_the_directory_keeps_in_post_dates_and_domains_from_events_and_the_sync(db):
    write(
        db,
        directory.apply_officer_registered,
        {"officer_id": "o9", "agency_code": MARKET, "name": "九", "appointed_on": "2025-04-01", "domains": ["b", "a"]},
    )
    changed = write(
        db,
        directory.sync_directory,
        [],
        [
            {
                "officer_id": "o9",
                "agency_code": MARKET,
                "name": "九",
                "appointed_on": "2025-04-01",
                "domains": ["a", "b"],
            },
            {"officer_id": "o1", "agency_code": MARKET, "name": "o1", "appointed_on": "2020-05-06", "domains": []},
        ],
        [],
    )
    assert changed == 1  # o9 already as personnel has it; o1 gains its appointment date
    with Session(db) as session:
        o9, o1 = session.get(m.Officer, "o9"), session.get(m.Officer, "o1")
        assert (o9.appointed_on, o9.domains) == (date(2025, 4, 1), ["a", "b"])
        assert o1.appointed_on == date(2020, 5, 6)
