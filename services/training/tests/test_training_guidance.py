"""Sector guidance in training (issue 12, rule 11), on the database without a broker: a county department's admin
organises the training of the townships it guides — a session of a guided township, the attendance of that township's
officers in the guided domain (one record, a correction, a spreadsheet) — and nothing beyond it."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from test_training_compliance_sql import MARKET, SETTINGS, TODAY, db, new_session, write
from training_support import xlsx

from enforcement_contracts.errors import Forbidden, ValidationFailed
from enforcement_kernel.db import Tx
from training_service import models as m
from training_service.operations import attendance, courses, directory, imports
from training_service.operations import sessions as session_ops

__all__ = ["db"]

TOWN, VILLAGE = "140928-yancheng", "140928-qiansuo"
MARKET_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}


@pytest.fixture
def guided(db):
    for code, name in ((TOWN, "砚城镇"), (VILLAGE, "前所乡")):
        write(db, directory.apply_agency_registered, {"code": code, "name": name, "kind": "township"})
    for officer_id, agency, domains in (
        ("t-market", TOWN, ["market_supervision"]),
        ("t-farm", TOWN, ["agriculture"]),
        ("v-market", VILLAGE, ["market_supervision"]),
    ):
        write(
            db,
            directory.apply_officer_registered,
            {"officer_id": officer_id, "agency_code": agency, "name": officer_id, "domains": domains},
        )
    write(
        db,
        directory.apply_guidance_assigned,
        {"guidance_id": "g1", "agency_code": MARKET, "township_code": TOWN, "domain": "market_supervision"},
    )
    return db


def township_session(codes, kind="agency", course_id="gbf-2023-27"):
    return {
        "course_id": course_id,
        "held_on": date(2025, 3, 3),
        "hours": 4,
        "delivery": "offline",
        "organiser": {"kind": kind, "agency_codes": codes},
    }


def record(engine, actor, officer, session_id, hours=2):
    payload = {"officer_id": officer, "session_id": session_id, "hours": hours}
    return write(engine, attendance.record_attendance, actor, payload, SETTINGS, TODAY)


def test_a_guiding_department_organises_a_guided_townships_session(guided):
    # not the required 27号 course: its sessions are the bureau's (issue 13)
    course = write(
        guided, courses.create_course, MARKET_ADMIN, {"title": "市场监管执法技能", "category_code": "professional"}
    )
    alone = write(
        guided,
        session_ops.create_session,
        MARKET_ADMIN,
        township_session([TOWN], course_id=course["course_id"]),
        SETTINGS,
    )
    assert alone["organiser"] == {"kind": "agency", "agency_codes": [TOWN]}
    for codes, kind in (([VILLAGE], "agency"), ([TOWN, VILLAGE], "joint")):  # the village is not guided
        with pytest.raises(Forbidden):
            write(guided, session_ops.create_session, MARKET_ADMIN, township_session(codes, kind), SETTINGS)


def test_it_records_and_corrects_the_attendance_of_the_townships_officers_in_the_guided_domain(guided):
    session_id = new_session(guided, date(2025, 3, 3), 4)
    done = record(guided, MARKET_ADMIN, "t-market", session_id)
    assert done["agency_code"] == TOWN
    corrected = write(
        guided,
        attendance.correct_attendance,
        MARKET_ADMIN,
        done["attendance_id"],
        {"hours": 3, "reason": "签到表核对"},
        SETTINGS,
        TODAY,
    )
    assert corrected["hours"] == 3.0
    assert attendance.read_attendance(Session(guided), MARKET_ADMIN, done["attendance_id"])["hours"] == 3.0
    for officer in ("t-farm", "v-market"):  # another domain; a township not guided
        with pytest.raises(Forbidden):
            record(guided, MARKET_ADMIN, officer, session_id)
    write(
        guided,
        directory.apply_guidance_ended,
        {"guidance_id": "g1", "agency_code": MARKET, "township_code": TOWN, "domain": "market_supervision"},
    )
    other = new_session(guided, date(2025, 3, 4), 4)
    with pytest.raises(Forbidden):
        record(guided, MARKET_ADMIN, "t-market", other)
    with Session(guided) as session:
        assert session.execute(select(func.count()).select_from(m.Attendance)).scalar_one() == 1


def test_a_spreadsheet_of_the_guided_townships_officers_is_checked_row_by_row(guided):
    session_id = new_session(guided, date(2025, 3, 3), 4)
    rows = [["t-market", session_id, 2], ["t-farm", session_id, 2], ["v-market", session_id, 2]]
    with Session(guided) as session:
        with pytest.raises(ValidationFailed) as caught:
            imports.import_attendance(
                Tx(session, "training"), MARKET_ADMIN, base64.b64decode(xlsx(rows)), SETTINGS, TODAY
            )
    problems = caught.value.fields["rows"]
    assert [(p["row"], p["column"]) for p in problems] == [(3, "officer_id"), (4, "officer_id")]
