"""Who organises and who attends a session (issue 13), on the database without a broker: a required course's sessions
are the bureau's; a joint session's co-organiser confirms (pending until then, its officers' attendance refused;
refused: no longer an organiser); attendance in another agency's session needs it open to the officer's agency
(``open_to``, or county-wide; the bureau's always are), one record or a spreadsheet. Refusals name the field and
write nothing."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from test_training_compliance_sql import BUREAU, FARM, MARKET, SETTINGS, TODAY, db, write
from training_support import xlsx

from enforcement_contracts.errors import Conflict, Forbidden, ValidationFailed
from enforcement_kernel.db import OutboxRow, Tx
from training_service import models as m
from training_service.operations import attendance, courses, directory, imports
from training_service.operations import sessions as session_ops
from training_service.seed_data import REQUIRED_COURSE

__all__ = ["db"]

ROADS = "140928-jtysj"  # 县交通运输局: neither organiser nor partner
MARKET_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
FARM_ADMIN = {"username": "nyj-admin", "role": "agency_admin", "agency_code": FARM}
ROADS_ADMIN = {"username": "jtj-admin", "role": "agency_admin", "agency_code": ROADS}
HELD = date(2025, 3, 3)


@pytest.fixture
def county(db):
    write(db, directory.apply_agency_registered, {"code": ROADS, "name": "县交通运输局", "kind": "department"})
    write(db, directory.apply_officer_registered, {"officer_id": "o4", "agency_code": ROADS, "name": "o4"})
    return db


def sector_course(engine, actor=MARKET_ADMIN) -> str:
    return write(engine, courses.create_course, actor, {"title": "执法技能", "category_code": "professional"})[
        "course_id"
    ]


def new_session(engine, actor, kind, codes, course_id=None, **extra) -> dict:
    body = {
        "course_id": course_id or sector_course(engine),
        "held_on": HELD,
        "ends_on": None,
        "hours": 4,
        "delivery": "offline",
        "organiser": {"kind": kind, "agency_codes": codes},
        "location": "",
        **extra,
    }
    return write(engine, session_ops.create_session, actor, body, SETTINGS)


def record(engine, actor, officer, session_id, hours=2) -> dict:
    payload = {"officer_id": officer, "session_id": session_id, "hours": hours}
    return write(engine, attendance.record_attendance, actor, payload, SETTINGS, TODAY)


def counts(engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        return tuple(
            session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (m.Session, m.Attendance, OutboxRow)
        )


def events(engine, event_type: str) -> list[dict]:
    with Session(engine) as session:
        rows = session.execute(select(OutboxRow.body).where(OutboxRow.event_type == event_type)).scalars()
        return [row["data"] for row in rows]


def test_a_required_course_s_sessions_are_organised_by_the_bureau_only(county):
    before = counts(county)
    for kind, codes in (("agency", [MARKET]), ("joint", [MARKET, FARM])):
        with pytest.raises(Conflict) as refused:
            new_session(county, MARKET_ADMIN, kind, codes, course_id=REQUIRED_COURSE)
        assert refused.value.fields == {"organiser": {"kind": ["a required course's sessions are the bureau's"]}}
    with pytest.raises(Conflict):  # the bureau too names itself the organiser
        new_session(county, BUREAU, "agency", [MARKET], course_id=REQUIRED_COURSE)
    assert counts(county) == before
    ours = new_session(county, BUREAU, "bureau", [], course_id=REQUIRED_COURSE)
    assert ours["open_county_wide"] is True and ours["joint_state"] is None and ours["partners"] == []


def test_a_joint_session_waits_for_the_co_organiser_s_confirmation(county):
    joint = new_session(county, MARKET_ADMIN, "joint", [MARKET, FARM])
    assert joint["joint_state"] == "pending"
    assert joint["partners"] == [{"agency_code": FARM, "state": "pending", "decided_on": None}]
    [scheduled] = [e for e in events(county, "training.session.scheduled") if e["session_id"] == joint["session_id"]]
    assert scheduled["pending_partners"] == [FARM] and scheduled["organiser_agencies"] == [MARKET, FARM]

    # the lead's officers attend; the co-organiser's only once it has confirmed
    assert record(county, MARKET_ADMIN, "o1", joint["session_id"])["agency_code"] == MARKET
    before = counts(county)
    with pytest.raises(Conflict) as waiting:
        record(county, FARM_ADMIN, "o3", joint["session_id"])
    assert waiting.value.fields == {"session_id": ["the co-organiser has not confirmed the joint session yet"]}
    assert counts(county) == before

    # only the co-organiser's own administrator decides
    decide = session_ops.decide_partnership
    with pytest.raises(Forbidden):
        write(county, decide, BUREAU, joint["session_id"], {"decision": "confirmed"}, TODAY)
    for actor in (MARKET_ADMIN, ROADS_ADMIN):
        with pytest.raises(Conflict) as stranger:
            write(county, decide, actor, joint["session_id"], {"decision": "confirmed"}, TODAY)
        assert stranger.value.fields == {"session_id": ["not a co-organiser of this session"]}
    assert counts(county) == before

    confirmed = write(county, decide, FARM_ADMIN, joint["session_id"], {"decision": "confirmed"}, TODAY)
    assert confirmed["joint_state"] == "confirmed" and confirmed["partners"][0]["decided_on"] == TODAY.isoformat()
    assert confirmed["organiser"] == {"kind": "joint", "agency_codes": [MARKET, FARM]}
    assert record(county, FARM_ADMIN, "o3", joint["session_id"])["agency_code"] == FARM
    with pytest.raises(Conflict) as again:
        write(county, decide, FARM_ADMIN, joint["session_id"], {"decision": "refused"}, TODAY)
    assert again.value.fields == {"decision": ["already decided"]}
    [decided] = events(county, "training.session.partner_decided")
    assert decided == {
        "session_id": joint["session_id"],
        "agency_code": FARM,
        "decision": "confirmed",
        "decided_on": TODAY.isoformat(),
        "organiser_kind": "joint",
        "organiser_agencies": [MARKET, FARM],
    }
    # a third agency's officer: the session is not open to them
    with pytest.raises(Conflict) as closed:
        record(county, ROADS_ADMIN, "o4", joint["session_id"])
    assert closed.value.fields == {"session_id": ["the session is not open to the officer's agency"]}


def test_a_refusal_leaves_the_session_the_lead_s_own(county):
    joint = new_session(county, MARKET_ADMIN, "joint", [MARKET, FARM])
    refused = write(
        county, session_ops.decide_partnership, FARM_ADMIN, joint["session_id"], {"decision": "refused"}, TODAY
    )
    assert refused["organiser"] == {"kind": "agency", "agency_codes": [MARKET]} and refused["joint_state"] is None
    assert refused["partners"] == [{"agency_code": FARM, "state": "refused", "decided_on": TODAY.isoformat()}]
    with pytest.raises(Conflict) as closed:
        record(county, FARM_ADMIN, "o3", joint["session_id"])
    assert closed.value.fields == {"session_id": ["the session is not open to the officer's agency"]}


def test_the_bureau_s_joint_sessions_and_its_own_need_no_confirmation(county):
    joint = new_session(county, BUREAU, "joint", [MARKET, FARM])
    assert joint["joint_state"] == "confirmed" and joint["partners"] == []
    assert record(county, FARM_ADMIN, "o3", joint["session_id"])["agency_code"] == FARM
    ours = new_session(county, BUREAU, "bureau", [])
    assert record(county, ROADS_ADMIN, "o4", ours["session_id"])["agency_code"] == ROADS  # county-wide


def test_another_agency_s_officers_attend_only_a_session_open_to_their_agency(county):
    closed = new_session(county, MARKET_ADMIN, "agency", [MARKET])
    assert (closed["open_to"], closed["open_county_wide"]) == ([], False)
    with pytest.raises(Conflict) as refused:
        record(county, FARM_ADMIN, "o3", closed["session_id"])
    assert refused.value.fields == {"session_id": ["the session is not open to the officer's agency"]}

    open_to_farm = new_session(county, MARKET_ADMIN, "agency", [MARKET], open_to=[FARM])
    assert open_to_farm["open_to"] == [FARM]
    assert record(county, FARM_ADMIN, "o3", open_to_farm["session_id"])["agency_code"] == FARM
    with pytest.raises(Conflict):
        record(county, ROADS_ADMIN, "o4", open_to_farm["session_id"])
    everyone = new_session(county, MARKET_ADMIN, "agency", [MARKET], open_county_wide=True)
    assert record(county, ROADS_ADMIN, "o4", everyone["session_id"])["agency_code"] == ROADS

    course_id = sector_course(county)
    before = counts(county)
    with pytest.raises(ValidationFailed) as unknown:
        new_session(county, MARKET_ADMIN, "agency", [MARKET], course_id=course_id, open_to=["140928-nowhere"])
    assert unknown.value.fields == {"open_to": ["unknown agency 140928-nowhere"]}
    assert counts(county) == before


def test_a_spreadsheet_row_in_a_session_not_open_to_the_officer_s_agency_is_refused(county):
    closed = new_session(county, MARKET_ADMIN, "agency", [MARKET])
    rows = [["o3", closed["session_id"], 2]]
    before = counts(county)
    with Session(county) as session:
        with pytest.raises(ValidationFailed) as caught:
            imports.import_attendance(
                Tx(session, "training"), FARM_ADMIN, base64.b64decode(xlsx(rows)), SETTINGS, TODAY
            )
    assert caught.value.fields["rows"] == [
        {"row": 2, "column": "session_id", "reason": "the session is not open to the officer's agency"}
    ]
    assert counts(county) == before
