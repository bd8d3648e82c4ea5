"""The yearly compliance aggregation as the database computes it (SQLite file, no broker).

The rules are pure (test_training_rules.py); these tests check the GROUP BY that feeds them:
which attendance counts in which year, a corrected record counting once with its new value,
activities whose hours do not count, required courses, the rotation deadline, departed officers.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from enforcement_contracts.errors import Conflict, Forbidden, ValidationFailed
from enforcement_kernel.db import OutboxRow, Tx, kernel_metadata, make_engine
from training_service import models as m
from training_service.operations import attendance, courses, directory, seed
from training_service.operations import compliance as compliance_ops
from training_service.operations import sessions as session_ops
from training_service.seed_data import CATEGORIES, COURSES, REQUIRED_COURSE
from training_service.settings import Settings

BUREAU = {"username": "tester", "role": "bureau"}
MARKET, FARM = "140928-scjgj", "140928-nyncj"
SETTINGS = Settings.from_config(
    {"TRAINING": {"yearly_hours": {"public_law": 30, "professional": 30}, "rotation_deadline": "2024-06-30"}}
)
TODAY = date(2025, 3, 10)


@pytest.fixture
def db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'training.db'}", pool_size=1)
    m.Base.metadata.create_all(engine)
    kernel_metadata.create_all(engine)
    with Session(engine) as session:
        tx = Tx(session, "training")
        seed.seed(tx, CATEGORIES, COURSES)
        for code, name in ((MARKET, "县市场监管局"), (FARM, "县农业农村局")):
            directory.apply_agency_registered(tx, {"code": code, "name": name, "kind": "department"})
        for officer_id, agency in (("o1", MARKET), ("o2", MARKET), ("o3", FARM)):
            directory.apply_officer_registered(
                tx, {"officer_id": officer_id, "agency_code": agency, "name": officer_id}
            )
        session.commit()
    yield engine
    engine.dispose()


def write(engine, fn, *args):
    with Session(engine) as session:
        result = fn(Tx(session, "training"), *args)
        session.commit()
        return result


def new_session(
    engine, held_on, hours, course_id=None, category="public_law", ends_on=None, kind="training", counts=True
):
    if course_id is None:
        course_id = write(
            engine,
            courses.create_course,
            BUREAU,
            {"title": f"课程 {category} {held_on}", "category_code": category, "kind": kind, "counts_hours": counts},
        )["course_id"]
    return write(
        engine,
        session_ops.create_session,
        BUREAU,
        {
            "course_id": course_id,
            "held_on": held_on,
            "ends_on": ends_on,
            "hours": hours,
            "delivery": "offline",
            "organiser": {"kind": "bureau", "agency_codes": []},
        },
        SETTINGS,
    )["session_id"]


def attend(engine, officer, session_id, hours, attended_on=None, today=TODAY):
    return write(
        engine,
        attendance.record_attendance,
        BUREAU,
        {"officer_id": officer, "session_id": session_id, "hours": hours, "attended_on": attended_on},
        SETTINGS,
        today,
    )


def compliance(engine, officer, year):
    with Session(engine) as session:
        [result] = compliance_ops.aggregate(session, year, SETTINGS, officer_ids=[officer])
        return result


def test_exactly_thirty_hours_each_and_the_required_course_make_compliance(db):
    law = new_session(db, date(2025, 1, 10), 12, ends_on=date(2025, 3, 1))
    skills = new_session(db, date(2025, 2, 1), 12, category="professional", ends_on=date(2025, 3, 1))
    required = new_session(db, date(2025, 1, 6), 6, course_id=REQUIRED_COURSE, ends_on=date(2025, 3, 1))
    attend(db, "o1", required, 6)
    for hours_left, session_id in ((12, law), (12, skills)):
        attend(db, "o1", session_id, hours_left)
    short = compliance(db, "o1", 2025)
    assert short.hours_by_category == {"political": 0.0, "professional": 12.0, "public_law": 18.0}
    assert short.compliant is False and short.required_courses_done is True
    law2 = new_session(db, date(2025, 2, 3), 12)
    skills2 = new_session(db, date(2025, 2, 4), 12, category="professional")
    skills3 = new_session(db, date(2025, 2, 5), 6, category="professional")
    attend(db, "o1", law2, 12)
    attend(db, "o1", skills2, 12)
    assert compliance(db, "o1", 2025).shortfall_by_category == {"public_law": 0.0, "professional": 6.0}
    attend(db, "o1", skills3, 6)
    result = compliance(db, "o1", 2025)
    assert result.hours_by_category["public_law"] == 30.0 and result.hours_by_category["professional"] == 30.0
    assert result.compliant is True


def test_the_year_is_the_year_of_the_attendance_dec_31_and_jan_1(db):
    online = new_session(db, date(2024, 12, 1), 12, ends_on=date(2025, 1, 31))
    other = new_session(db, date(2024, 12, 1), 12, ends_on=date(2025, 1, 31))
    attend(db, "o1", online, 10, attended_on=date(2024, 12, 31))
    attend(db, "o1", other, 4, attended_on=date(2025, 1, 1))
    assert compliance(db, "o1", 2024).hours_by_category["public_law"] == 10.0
    assert compliance(db, "o1", 2025).hours_by_category["public_law"] == 4.0


def test_a_corrected_record_counts_once_with_its_new_value_and_keeps_its_history(db):
    session_id = new_session(db, date(2025, 1, 10), 8)
    record = attend(db, "o1", session_id, 8)
    corrected = write(
        db,
        attendance.correct_attendance,
        BUREAU,
        record["attendance_id"],
        {"hours": 5.5, "reason": "签到表核对"},
        SETTINGS,
        TODAY,
    )
    assert corrected["version"] == 2 and corrected["hours"] == 5.5
    assert [(v["version"], v["hours"]) for v in corrected["history"]] == [(1, 8.0)]
    assert compliance(db, "o1", 2025).hours_by_category["public_law"] == 5.5
    again = write(
        db,
        attendance.correct_attendance,
        BUREAU,
        record["attendance_id"],
        {"hours": 6.0, "reason": "复核"},
        SETTINGS,
        TODAY,
    )
    assert [(v["version"], v["hours"]) for v in again["history"]] == [(1, 8.0), (2, 5.5)]
    assert compliance(db, "o1", 2025).hours_by_category["public_law"] == 6.0
    with Session(db) as session:
        assert session.execute(select(func.count()).select_from(m.Attendance)).scalar_one() == 1


def test_correcting_the_date_moves_the_hours_to_the_other_year(db):
    session_id = new_session(db, date(2024, 12, 20), 8, ends_on=date(2025, 1, 20))
    record = attend(db, "o1", session_id, 8, attended_on=date(2024, 12, 31))
    write(
        db,
        attendance.correct_attendance,
        BUREAU,
        record["attendance_id"],
        {"attended_on": date(2025, 1, 2), "reason": "日期录错"},
        SETTINGS,
        TODAY,
    )
    assert compliance(db, "o1", 2024).hours_by_category["public_law"] == 0.0
    assert compliance(db, "o1", 2025).hours_by_category["public_law"] == 8.0
    with Session(db) as session:  # both years got a new snapshot with an increasing revision
        revisions = dict(session.execute(select(m.OfficerYear.year, m.OfficerYear.revision)).all())
        assert revisions == {2024: 2, 2025: 1}


def test_rotation_deadline_counts_training_on_or_before_it(db):
    on_deadline = new_session(db, date(2024, 6, 30), 2)
    day_after = new_session(db, date(2024, 7, 1), 2)
    drill = new_session(db, date(2024, 3, 1), 2, category="professional", kind="drill")
    attend(db, "o1", on_deadline, 2, today=date(2024, 12, 1))
    attend(db, "o2", day_after, 2, today=date(2024, 12, 1))
    attend(db, "o3", drill, 2, today=date(2024, 12, 1))  # a drill is not training
    assert compliance(db, "o1", 2024).rotation_done is True
    assert compliance(db, "o2", 2024).rotation_done is False
    assert compliance(db, "o3", 2024).rotation_done is False
    assert compliance(db, "o2", 2025).rotation_done is None


def test_activity_hours_count_only_when_marked_so(db):
    counted = write(
        db,
        session_ops.record_activity,
        BUREAU,
        {
            "kind": "drill",
            "title": "执法全过程现场演练",
            "category_code": "professional",
            "counts_hours": True,
            "held_on": date(2025, 2, 1),
            "hours": 4,
            "delivery": "offline",
            "organiser": {"kind": "bureau"},
        },
        SETTINGS,
    )
    uncounted = write(
        db,
        session_ops.record_activity,
        BUREAU,
        {
            "kind": "contest",
            "title": "执法技能竞赛",
            "category_code": "professional",
            "counts_hours": False,
            "held_on": date(2025, 2, 2),
            "hours": 6,
            "delivery": "offline",
            "organiser": {"kind": "bureau"},
        },
        SETTINGS,
    )
    attend(db, "o1", counted["session_id"], 4)
    attend(db, "o1", uncounted["session_id"], 6)
    assert compliance(db, "o1", 2025).hours_by_category["professional"] == 4.0


def test_table_covers_officers_in_post_at_year_end_and_rolls_up_by_agency(db):
    write(
        db,
        directory.apply_officer_departed,
        {
            "officer_id": "o2",
            "agency_code": MARKET,
            "reason": "retirement",
            "departed_on": date(2024, 8, 1),
            "certificate_number": None,
            "certificate_cancelled": False,
        },
    )
    with Session(db) as session:
        assert {c.officer_id for c in compliance_ops.aggregate(session, 2024, SETTINGS)} == {"o1", "o3"}
        assert {c.officer_id for c in compliance_ops.aggregate(session, 2023, SETTINGS)} == {"o1", "o2", "o3"}
        summary, agencies = compliance_ops.compliance_summary(session, BUREAU, 2025, SETTINGS)
        assert summary["county"]["officers"] == 2 and summary["county"]["short"] == 2
        assert summary["county"]["shortfall_by_category"] == {"public_law": 60.0, "professional": 60.0}
        assert {a["agency_code"]: a["agency_name"] for a in summary["agencies"]} == {
            MARKET: "县市场监管局",
            FARM: "县农业农村局",
        }
        own = compliance_ops.compliance_summary(
            session, {"username": "a", "role": "agency_admin", "agency_code": FARM}, 2025, SETTINGS
        )[0]
        assert own["county"]["agency_code"] == FARM and [a["agency_code"] for a in own["agencies"]] == [FARM]


def test_the_table_is_one_aggregate_query_not_a_row_per_attendance(db):
    sessions = [new_session(db, date(2025, 1, day), 2) for day in range(1, 11)]
    for session_id in sessions:
        for officer in ("o1", "o2", "o3"):
            attend(db, officer, session_id, 2)
    statements = []
    listener = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    event.listen(db, "before_cursor_execute", listener)
    try:
        with Session(db) as session:
            results = compliance_ops.aggregate(session, 2025, SETTINGS)
    finally:
        event.remove(db, "before_cursor_execute", listener)
    assert {r.hours_by_category["public_law"] for r in results} == {20.0}
    grouped = [s for s in statements if "GROUP BY" in s.upper()]
    assert len(grouped) == 1 and len(statements) <= 3, statements  # categories, required count, the aggregate


def test_refused_writes_leave_nothing(db):
    session_id = new_session(db, date(2025, 3, 1), 4)
    future = new_session(db, date(2025, 4, 1), 4)
    with Session(db) as session:
        before = session.execute(select(func.count()).select_from(OutboxRow)).scalar_one()
    farm_admin = {"username": "farm", "role": "agency_admin", "agency_code": FARM}
    cases = [
        (ValidationFailed, BUREAU, {"officer_id": "nobody", "session_id": session_id, "hours": 1}, "officer_id"),
        (ValidationFailed, BUREAU, {"officer_id": "o1", "session_id": "nothing", "hours": 1}, "session_id"),
        (ValidationFailed, BUREAU, {"officer_id": "o1", "session_id": session_id, "hours": 5}, "hours"),
        (ValidationFailed, BUREAU, {"officer_id": "o1", "session_id": session_id, "hours": -2}, "hours"),
        (ValidationFailed, BUREAU, {"officer_id": "o1", "session_id": future, "hours": 2}, "attended_on"),
        (Forbidden, farm_admin, {"officer_id": "o1", "session_id": session_id, "hours": 2}, None),
    ]
    for error, actor, payload, field in cases:
        with pytest.raises(error) as caught:
            write(db, attendance.record_attendance, actor, payload, SETTINGS, TODAY)
        if field:
            assert field in caught.value.fields, (payload, caught.value.fields)
    attend(db, "o1", session_id, 4)
    with pytest.raises(Conflict):
        attend(db, "o1", session_id, 4)
    with Session(db) as session:
        assert session.execute(select(func.count()).select_from(m.Attendance)).scalar_one() == 1
        # the one write announced: attendance.recorded, hours.updated
        assert session.execute(select(func.count()).select_from(OutboxRow)).scalar_one() == before + 2
