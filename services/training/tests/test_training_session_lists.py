"""A session's attendance and an exam sitting's results, as the console's pages read them: pages by officer name, each
row with the officer's name, an agency's admin seeing its own officers only (in process, SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from enforcement_testing import BUREAU
from training_support import FARM, MARKET, MARKET_ADMIN, TODAY, bureau_session, register_officers

from enforcement_contracts.errors import NotFound

pytestmark = pytest.mark.timeout(120)

FARM_ADMIN = {"username": "farm-admin", "role": "agency_admin", "agency_code": FARM}


def test_a_sessions_attendance_is_a_page_scoped_to_the_agency(training, cluster, amqp_uri, database_url):
    market = register_officers(amqp_uri, database_url, 2, MARKET, "m")
    farm = register_officers(amqp_uri, database_url, 1, FARM, "f")
    session = bureau_session(cluster, hours=4)
    for officer_id in (*market, *farm):
        cluster.training.record_attendance(
            BUREAU, {"officer_id": officer_id, "session_id": session["session_id"], "hours": 3}
        )

    every = cluster.training.session_attendance(BUREAU, session["session_id"], {"per_page": 10})
    assert every["total"] == 3 and {a["officer_id"] for a in every["items"]} == {*market, *farm}
    assert all(a["officer_name"].startswith("执法员") and a["course_title"] for a in every["items"])
    assert [a["officer_name"] for a in every["items"]] == sorted(a["officer_name"] for a in every["items"])

    mine = cluster.training.session_attendance(MARKET_ADMIN, session["session_id"])
    assert mine["total"] == 2 and {a["officer_id"] for a in mine["items"]} == set(market)
    second = cluster.training.session_attendance(MARKET_ADMIN, session["session_id"], {"page": 2, "per_page": 1})
    assert second == {
        "items": [mine["items"][1]],
        "total": 2,
        "page": 2,
        "per_page": 1,
        "total_exact": True,
        "next": None,
    }
    assert cluster.training.session_attendance(FARM_ADMIN, session["session_id"])["total"] == 1

    one = cluster.training.get_attendance(BUREAU, every["items"][0]["attendance_id"])
    assert one["officer_name"] == every["items"][0]["officer_name"]
    with pytest.raises(NotFound):
        cluster.training.session_attendance(BUREAU, "no-such-session")


def test_a_sittings_results_are_a_page_scoped_to_the_agency(training, cluster, amqp_uri, database_url):
    market = register_officers(amqp_uri, database_url, 2, MARKET, "m")
    farm = register_officers(amqp_uri, database_url, 1, FARM, "f")
    sitting = cluster.training.schedule_exam(
        BUREAU, {"exam_kind": "qualification", "title": "资格考试", "sat_on": (TODAY - timedelta(days=3)).isoformat()}
    )
    assert cluster.training.get_exam(sitting["sitting_id"]) == sitting
    for officer_id, score in zip((*market, *farm), (85, 40, 70), strict=True):
        recorded = cluster.training.record_exam_result(
            BUREAU, sitting["sitting_id"], {"officer_id": officer_id, "score": score}
        )
        assert recorded["officer_name"].startswith("执法员")

    every = cluster.training.sitting_results(BUREAU, sitting["sitting_id"])
    assert every["total"] == 3 and sorted(r["score"] for r in every["items"]) == [40, 70, 85]
    assert {r["officer_id"]: r["passed"] for r in every["items"]} == {market[0]: True, market[1]: False, farm[0]: True}
    mine = cluster.training.sitting_results(MARKET_ADMIN, sitting["sitting_id"], {"page": 1, "per_page": 1})
    assert mine["total"] == 2 and len(mine["items"]) == 1 and mine["items"][0]["officer_id"] in market
    assert cluster.training.officer_exam_results(BUREAU, farm[0])["items"][0]["officer_name"].startswith("执法员")
    for call in (lambda: cluster.training.get_exam("nope"), lambda: cluster.training.sitting_results(BUREAU, "nope")):
        with pytest.raises(NotFound):
            call()


def test_the_compliance_table_names_the_rules_it_judged_by(training, cluster, amqp_uri, database_url):
    register_officers(amqp_uri, database_url, 1, MARKET, "m")
    table = cluster.training.compliance_table(MARKET_ADMIN, {})
    assert table["total"] == 1 and table["thresholds"] == {"public_law": 30.0, "professional": 30.0}
    assert table["rotation_deadline"] == "2024-06-30"
