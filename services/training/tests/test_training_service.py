"""The training service's entrypoints in process (nameko's testing tools), over the real broker, on SQLite and on
PostgreSQL.

Every test runs the training service class in this process (``run_service``, through ``in_process``) against a fresh
database (migrated and seeded as the operators' commands do) and calls its entrypoints as a standalone RPC proxy would
see them (``cluster``, see conftest.py). The officer directory is fed the way the personnel service feeds it:
``personnel.*`` events through the broker. The import command still runs as the operators run it: a process of its own.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from enforcement_testing import (
    BUREAU,
    db_count,
    db_counts,
    db_rows,
    drop_event_queues,
    publish_event,
    wait_until,
)
from training_support import (
    FARM,
    MARKET,
    MARKET_ADMIN,
    REQUIRED,
    TODAY,
    WRITE_TABLES,
    YEAR,
    bureau_session,
    register_officers,
)

from enforcement_contracts import personnel
from enforcement_contracts.errors import Conflict, Forbidden, ValidationFailed

pytestmark = pytest.mark.timeout(120)


# --- attendance, corrections and the events other services rely on ------------------------------
def test_an_officer_update_renames_and_moves_the_officer_in_the_directory(training, amqp_uri):
    moved, older = register_officers(amqp_uri, training.database_url, 2)
    publish_event(
        amqp_uri,
        personnel.OFFICER_UPDATED,
        {
            "officer_id": moved,
            "agency_code": FARM,
            "changed": ["name"],
            "name": "王五",
            "position": "科员",
            "domains": ["agriculture"],
        },
    )
    # an event published before the values were added to the contract: the agency still applies, the name stays
    publish_event(
        amqp_uri, personnel.OFFICER_UPDATED, {"officer_id": older, "agency_code": FARM, "changed": ["position"]}
    )

    def moved_to_farm():
        rows = db_rows(training.database_url, "SELECT officer_id, agency_code, name FROM officers")
        found = {r["officer_id"]: (r["agency_code"], r["name"]) for r in rows if r["agency_code"] == FARM}
        return found if len(found) == 2 else None

    seen = wait_until(moved_to_farm, message="both updates applied")
    assert seen[moved] == (FARM, "王五") and seen[older] == (FARM, f"执法员{older[-4:]}")


def test_attendance_snapshots_corrections_and_compliance_reached(training, cluster, collect_events, amqp_uri):
    events = collect_events(
        "training", "hours.updated", "compliance.reached", "attendance.recorded", "attendance.corrected"
    )
    [officer] = register_officers(amqp_uri, training.database_url, 1)
    required = bureau_session(cluster, hours=4, course_id=REQUIRED)
    law = bureau_session(cluster, "public_law", hours=12, held_on=TODAY - timedelta(days=1))
    law2 = bureau_session(cluster, "public_law", hours=12)
    skills = bureau_session(cluster, "professional", hours=10, ends_on=TODAY)
    skills2 = bureau_session(cluster, "professional", hours=10)
    skills3 = bureau_session(cluster, "professional", hours=10)

    def attend(session, hours):
        return cluster.training.record_attendance(
            BUREAU, {"officer_id": officer, "session_id": session["session_id"], "hours": hours}
        )

    attend(required, 4)
    attend(law, 12)
    first = attend(law2, 12)
    for s in (skills, skills2, skills3):
        attend(s, 10)
    status = cluster.training.officer_compliance(BUREAU, officer)
    # 4 + 12 + 12 = 28 h of public law is short: nothing reached yet
    assert status["compliant"] is False and status["shortfall_by_category"] == {"public_law": 2.0, "professional": 0.0}

    corrected = cluster.training.correct_attendance(
        BUREAU, first["attendance_id"], {"hours": 10, "reason": "签到表核对"}
    )
    assert corrected["version"] == 2 and [v["hours"] for v in corrected["history"]] == [12.0]
    extra = bureau_session(cluster, "public_law", hours=4)
    attend(extra, 4)  # 4 + 12 + 10 + 4 = 30: exactly the threshold
    status = cluster.training.officer_compliance(BUREAU, officer)
    assert status["compliant"] is True and status["hours_by_category"]["public_law"] == 30.0
    attend(bureau_session(cluster, "political", hours=2), 2)  # compliant already: not announced again

    events.wait_for(8 + 1 + 9 + 1, timeout=20)  # recorded, corrected, a snapshot after each, reached once
    events.collect_for(1)  # and nothing more
    snapshots = events.of_type("training.hours.updated")
    revisions = [e["data"]["revision"] for e in snapshots]
    assert revisions == sorted(revisions) and len(set(revisions)) == len(revisions) == 9  # 8 attendances + 1 correction
    last = snapshots[-1]["data"]
    assert last == {
        "officer_id": officer,
        "agency_code": MARKET,
        "year": YEAR,
        "revision": 9,
        "required_courses_done": True,
        "hours_by_category": {"political": 2.0, "professional": 30.0, "public_law": 30.0},
    }
    reached = events.of_type("training.compliance.reached")
    assert len(reached) == 1 and reached[0]["data"]["year"] == YEAR and reached[0]["subject"] == officer
    [change] = events.of_type("training.attendance.corrected")
    assert (change["data"]["old_hours"], change["data"]["hours"], change["data"]["version"]) == (12.0, 10.0, 2)
    assert len(events.of_type("training.attendance.recorded")) == 8
    assert (
        training.metric(
            "enforcement_training_recorded_seconds_total", service="training", agency=MARKET, category="public_law"
        )
        == (4 + 12 + 12 + 4) * 3600
    )
    assert officer not in training.metrics_text()


# --- year end, exams, scope -----------------------------------------------------------------------
def test_closing_a_year_announces_each_short_officer_once(training, cluster, amqp_uri, collect_events):
    events = collect_events("training", "officer.short_at_year_end")
    last_year = YEAR - 1
    officers = register_officers(amqp_uri, training.database_url, 3)
    law = bureau_session(cluster, hours=12, held_on=date(last_year, 3, 1), ends_on=date(last_year, 12, 31))
    cluster.training.record_attendance(
        BUREAU, {"officer_id": officers[0], "session_id": law["session_id"], "hours": 12}
    )
    with pytest.raises(Forbidden):
        cluster.training.close_year(MARKET_ADMIN, last_year)
    with pytest.raises(Conflict):
        cluster.training.close_year(BUREAU, YEAR)
    first = cluster.training.close_year(BUREAU, last_year)
    assert first == {"year": last_year, "officers": 3, "compliant": 0, "short": 3, "announced": 3}
    again = cluster.training.close_year(BUREAU, last_year)
    assert again["announced"] == 0 and again["short"] == 3
    received = events.collect_for(3)
    assert sorted(e["data"]["officer_id"] for e in received) == sorted(officers)
    short = next(e["data"] for e in received if e["data"]["officer_id"] == officers[0])
    assert short["shortfall_by_category"] == {"public_law": 18.0, "professional": 30.0}
    assert "required_course_not_done" in short["reasons"]
    assert (
        training.metric("enforcement_training_officers_short", service="training", agency=MARKET, year=last_year) == 3
    )
    assert (
        training.metric("enforcement_training_compliance_ratio", service="training", agency=MARKET, year=last_year) == 0
    )


def test_exam_results_are_published_as_passed_or_failed(training, cluster, amqp_uri, collect_events):
    events = collect_events("training", "exam.passed", "exam.failed")
    passing, failing = register_officers(amqp_uri, training.database_url, 2)
    sitting = cluster.training.schedule_exam(
        BUREAU, {"exam_kind": "qualification", "title": "2026年行政执法资格考试", "sat_on": TODAY.isoformat()}
    )
    assert sitting["pass_mark"] == 60
    ok = cluster.training.record_exam_result(BUREAU, sitting["sitting_id"], {"officer_id": passing, "score": 60})
    ko = cluster.training.record_exam_result(BUREAU, sitting["sitting_id"], {"officer_id": failing, "score": 59.5})
    assert ok["passed"] is True and ko["passed"] is False
    with pytest.raises(Conflict):
        cluster.training.record_exam_result(BUREAU, sitting["sitting_id"], {"officer_id": passing, "score": 90})
    later = cluster.training.schedule_exam(
        BUREAU, {"exam_kind": "renewal", "title": "换证考试", "sat_on": (TODAY + timedelta(days=9)).isoformat()}
    )
    with pytest.raises(Conflict):
        cluster.training.record_exam_result(BUREAU, later["sitting_id"], {"officer_id": passing, "score": 80})
    with pytest.raises(ValidationFailed) as unknown:
        cluster.training.record_exam_result(BUREAU, sitting["sitting_id"], {"officer_id": "nobody", "score": 80})
    assert list(unknown.value.fields) == ["officer_id"]
    with pytest.raises(ValidationFailed) as too_high:
        cluster.training.record_exam_result(BUREAU, sitting["sitting_id"], {"officer_id": failing, "score": 101})
    assert "score" in too_high.value.fields
    received = events.wait_for(2)
    by_type = {e["type"]: e["data"] for e in received}
    assert by_type["training.exam.passed"] == {
        "result_id": ok["result_id"],
        "officer_id": passing,
        "agency_code": MARKET,
        "exam_kind": "qualification",
        "score": 60.0,
        "pass_mark": 60.0,
        "sat_on": TODAY.isoformat(),
    }
    assert by_type["training.exam.failed"]["officer_id"] == failing
    assert len(events.collect_for(1)) == 2


def test_an_agency_admin_only_touches_its_own_officers(training, cluster, amqp_uri):
    [mine] = register_officers(amqp_uri, training.database_url, 1, MARKET)
    [theirs] = register_officers(amqp_uri, training.database_url, 1, FARM)
    session = bureau_session(cluster, hours=4)
    before = db_counts(training.database_url, *WRITE_TABLES)
    with pytest.raises(Forbidden):
        cluster.training.record_attendance(
            MARKET_ADMIN, {"officer_id": theirs, "session_id": session["session_id"], "hours": 2}
        )
    with pytest.raises(Forbidden):
        cluster.training.officer_compliance(MARKET_ADMIN, theirs)
    with pytest.raises(Forbidden):
        cluster.training.compliance_table(MARKET_ADMIN, {"agency_code": FARM})
    with pytest.raises(Forbidden):  # an agency session organised by another agency
        cluster.training.create_session(
            MARKET_ADMIN,
            {
                "course_id": REQUIRED,
                "held_on": TODAY.isoformat(),
                "hours": 2,
                "delivery": "offline",
                "organiser": {"kind": "agency", "agency_codes": [FARM]},
            },
        )
    with pytest.raises(Forbidden):  # required courses are the bureau's decision
        cluster.training.create_course(MARKET_ADMIN, {"title": "必修", "category_code": "public_law", "required": True})
    assert db_counts(training.database_url, *WRITE_TABLES) == before
    cluster.training.record_attendance(
        MARKET_ADMIN, {"officer_id": mine, "session_id": session["session_id"], "hours": 2}
    )
    table = cluster.training.compliance_table(MARKET_ADMIN, {})
    assert [r["officer_id"] for r in table["items"]] == [mine]
    sector = cluster.training.create_course(MARKET_ADMIN, {"title": "联合执法技能", "category_code": "professional"})
    joint = cluster.training.create_session(
        MARKET_ADMIN,
        {
            "course_id": sector["course_id"],  # a required course's sessions are the bureau's (test_training_partners)
            "held_on": TODAY.isoformat(),
            "hours": 2,
            "delivery": "offline",
            "organiser": {"kind": "joint", "agency_codes": [MARKET, FARM]},
        },
    )
    assert joint["organiser"] == {"kind": "joint", "agency_codes": [MARKET, FARM]}
    assert joint["joint_state"] == "pending" and [p["agency_code"] for p in joint["partners"]] == [FARM]
    rows = db_rows(training.database_url, "SELECT recorded_by FROM attendance")
    assert rows == [{"recorded_by": "market-admin"}]


def test_departed_officer_read_model(training, cluster, amqp_uri):
    [officer] = register_officers(amqp_uri, training.database_url, 1)
    session = bureau_session(cluster, hours=4, held_on=TODAY - timedelta(days=5), ends_on=TODAY)
    publish_event(
        amqp_uri,
        personnel.OFFICER_DEPARTED,
        {
            "officer_id": officer,
            "agency_code": MARKET,
            "reason": "retirement",
            "departed_on": (TODAY - timedelta(days=2)).isoformat(),
            "certificate_number": None,
            "certificate_cancelled": False,
        },
    )
    wait_until(
        lambda: (
            db_rows(training.database_url, "SELECT status FROM officers WHERE officer_id = :o", o=officer)[0]["status"]
            == "departed"
        ),
        message="departure in the read model",
    )
    with pytest.raises(ValidationFailed) as after:
        cluster.training.record_attendance(
            BUREAU,
            {"officer_id": officer, "session_id": session["session_id"], "hours": 2, "attended_on": TODAY.isoformat()},
        )
    assert "left the post" in after.value.fields["officer_id"][0]
    before = cluster.training.record_attendance(
        BUREAU,
        {
            "officer_id": officer,
            "session_id": session["session_id"],
            "hours": 2,
            "attended_on": (TODAY - timedelta(days=4)).isoformat(),
        },
    )
    assert before["hours"] == 2.0
    assert cluster.training.compliance_table(BUREAU, {})["total"] == 0  # not in post at the year's end


def test_officers_whose_events_went_elsewhere_are_filled_in_from_personnel(
    sqlite_url, tmp_path, amqp_uri, in_process, cluster, collect_events
):
    """Another subscriber took personnel's events before training's queues existed: the directory sync catches up."""
    from personnel_service.rules import id_check_char

    personnel_db = f"sqlite:///{tmp_path / 'personnel.db'}"
    drop_event_queues(amqp_uri, "training")  # no training queue at all: the events go to the other subscriber only
    other_subscriber = collect_events("personnel", "officer.registered", "officer.departed", "agency.registered")
    in_process("personnel", personnel_db)
    ids = []
    for seq in range(3):
        first17 = f"140928199001{seq + 10:02d}123"
        officer = cluster.personnel.register_officer(
            BUREAU, {"agency_code": MARKET, "name": f"早到{seq}", "id_number": first17 + id_check_char(first17)}
        )
        ids.append(officer["officer_id"])
    cluster.personnel.record_departure(BUREAU, ids[2], {"reason": "retirement", "departed_on": TODAY.isoformat()})
    other_subscriber.wait_for(27 + 3 + 1)  # routed, so personnel's outbox marked them sent: training never gets them

    training = in_process("training", sqlite_url)  # its counters count from its start
    rows = wait_until(
        lambda: db_rows(sqlite_url, "SELECT officer_id, status FROM officers ORDER BY name") or None,
        message="officers filled in at start",
    )
    assert {r["officer_id"]: r["status"] for r in rows} == {ids[0]: "active", ids[1]: "active", ids[2]: "departed"}
    assert db_count(sqlite_url, "agencies") == 27
    assert cluster.training.officer_compliance(BUREAU, ids[0])["officer_id"] == ids[0]
    assert (
        training.wait_metric(
            "enforcement_calls_total", 1, service="training", kind="timer", entrypoint="sync_directory", outcome="ok"
        )
        == 1
    )
