"""The training routes the console's pages read, over HTTP: a session's attendance and an exam sitting's results
(pages by officer name, an agency's admin seeing its own officers), one sitting, the compliance table's rules; every
answer as /openapi.json documents it (the suite's client checks each one)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from enforcement_testing import RUN_DATE
from test_http import NRJ, SCJ, agency_admin, register
from test_training_http import agencies_known, attend, course, known_to_training, session_of

DAY = RUN_DATE - timedelta(days=1)


@pytest.mark.timeout(180)
def test_a_sessions_attendance_and_a_sittings_results_over_http(training_suite):
    suite = training_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-admin")
    agencies_known(suite)
    mine = register(scj, SCJ, 901)["officer_id"]
    theirs = register(admin, NRJ, 902, domains=("agriculture",))["officer_id"]
    for officer_id in (mine, theirs):
        known_to_training(admin, officer_id)
    session = session_of(admin, course(admin, "public_law", "宪法学习"), 4, held_on=DAY)
    for officer_id in (mine, theirs):
        attend(admin, officer_id, session, 3)

    every = admin.get(f"/training/sessions/{session['session_id']}/attendance")
    assert every.status_code == 200 and every.json()["total"] == 2
    assert {a["officer_name"] for a in every.json()["items"]} == {"执法员901", "执法员902"}
    own = scj.get(f"/training/sessions/{session['session_id']}/attendance", params={"per_page": 1})
    assert own.status_code == 200 and own.json()["total"] == 1 and own.json()["items"][0]["officer_id"] == mine
    assert admin.get("/training/sessions/nope/attendance").status_code == 404

    sitting = admin.post(
        "/training/exams", json={"exam_kind": "qualification", "title": "资格考试", "sat_on": DAY.isoformat()}
    ).json()
    read = admin.get(f"/training/exams/{sitting['sitting_id']}")
    assert read.status_code == 200 and read.json() == sitting
    results_path = f"/training/exams/{sitting['sitting_id']}/results"
    for officer_id, score in ((mine, 75), (theirs, 50)):
        recorded = admin.post(results_path, json={"officer_id": officer_id, "score": score})
        assert recorded.status_code == 201, recorded.text
    results = admin.get(results_path).json()
    assert {r["officer_id"]: r["passed"] for r in results["items"]} == {mine: True, theirs: False}
    scoped = scj.get(results_path).json()
    assert [r["officer_name"] for r in scoped["items"]] == ["执法员901"]
    assert admin.get("/training/exams/nope").status_code == 404

    table = scj.get("/training/compliance").json()
    assert table["thresholds"] == {"public_law": 30.0, "professional": 30.0} and "rotation_deadline" in table
