"""End to end over HTTP (issue 13): training sessions — a required course's sessions are the bureau's; a joint
session's co-organiser confirms through the gateway before its officers' attendance counts; attendance in another
agency's session needs the session open to the officer's agency. Refusals name the field and write nothing; every
answer is checked against /openapi.json."""

from __future__ import annotations

import pytest
from enforcement_testing import db_counts
from test_http import NRJ, SCJ, agency_admin, register
from test_training_http import REQUIRED, TODAY, TRAINING_TABLES, agencies_known, course, known_to_training, session_of

pytestmark = pytest.mark.timeout(240)


def test_joint_sessions_wait_for_the_co_organiser_and_attendance_needs_an_open_session(training_suite):
    suite = training_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-admin")
    nrj = agency_admin(suite, admin, NRJ, "nrj-admin")
    agencies_known(suite)
    mine = register(scj, SCJ, 801)["officer_id"]
    theirs = register(nrj, NRJ, 802, domains=("agriculture",))["officer_id"]
    for oid in (mine, theirs):
        known_to_training(admin, oid)
    skills = course(scj, "professional", "联合执法技能")

    # a required course's sessions are the bureau's
    before = db_counts(suite.training_db, *TRAINING_TABLES)
    joint_body = {
        "course_id": REQUIRED,
        "held_on": TODAY.isoformat(),
        "hours": 4,
        "delivery": "offline",
        "organiser": {"kind": "joint", "agency_codes": [SCJ, NRJ]},
    }
    refused = scj.post("/training/sessions", json=joint_body)
    assert refused.status_code == 409
    assert refused.json()["fields"] == {"organiser.kind": ["a required course's sessions are the bureau's"]}
    assert db_counts(suite.training_db, *TRAINING_TABLES) == before

    joint = scj.post("/training/sessions", json={**joint_body, "course_id": skills})
    assert joint.status_code == 201, joint.text
    joint = joint.json()
    assert joint["joint_state"] == "pending" and joint["partners"] == [
        {"agency_code": NRJ, "state": "pending", "decided_on": None}
    ]
    body = {"officer_id": theirs, "session_id": joint["session_id"], "hours": 2}
    waiting = nrj.post("/training/attendance", json=body)
    assert waiting.status_code == 409 and "session_id" in waiting.json()["fields"]
    assert (
        scj.post(f"/training/sessions/{joint['session_id']}/confirmation", json={"decision": "confirmed"}).status_code
        == 409
    )
    bad = nrj.post(f"/training/sessions/{joint['session_id']}/confirmation", json={"decision": "maybe"})
    assert bad.status_code == 400 and "decision" in bad.json()["fields"]
    confirmed = nrj.post(f"/training/sessions/{joint['session_id']}/confirmation", json={"decision": "confirmed"})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["joint_state"] == "confirmed"
    assert admin.get(f"/training/sessions/{joint['session_id']}").json()["partners"][0]["state"] == "confirmed"
    assert nrj.post("/training/attendance", json=body).status_code == 201

    # another agency's own session: closed unless open to the officer's agency
    closed = session_of(scj, skills, 4, organiser={"kind": "agency", "agency_codes": [SCJ]})
    shut = nrj.post("/training/attendance", json={**body, "session_id": closed["session_id"]})
    assert shut.status_code == 409 and shut.json()["fields"] == {
        "session_id": ["the session is not open to the officer's agency"]
    }
    opened = scj.post(
        "/training/sessions",
        json={
            **joint_body,
            "course_id": skills,
            "organiser": {"kind": "agency", "agency_codes": [SCJ]},
            "open_to": [NRJ],
        },
    )
    assert opened.status_code == 201 and opened.json()["open_to"] == [NRJ]
    assert nrj.post("/training/attendance", json={**body, "session_id": opened.json()["session_id"]}).status_code == 201
    assert (
        scj.post(
            "/training/attendance", json={**body, "officer_id": mine, "session_id": closed["session_id"]}
        ).status_code
        == 201
    )
