"""The training service end to end: gateway, training and personnel as real processes on the real broker.

The headline: attendance and an exam pass recorded through the gateway make the personnel service
issue a certificate it refused before — training publishes, personnel consumes, nothing stubbed.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from enforcement_testing import RUN_DATE, db_count, db_counts, wait_until
from openpyxl import load_workbook
from test_http import NRJ, SCJ, agency_admin, register

from training_service.spreadsheets import TEMPLATE_HEADERS, write_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TODAY = RUN_DATE
REQUIRED = "gbf-2023-27"  # 国办发〔2023〕27号, seeded as required
TRAINING_TABLES = ("attendance", "attendance_versions", "attendance_imports", "sessions", "courses", "outbox_events")


def known_to_training(api, officer_id: str) -> None:
    """personnel.officer.registered reaches training asynchronously: wait (bounded) until it did."""
    wait_until(
        lambda: api.get(f"/training/officers/{officer_id}/compliance").status_code == 200,
        message=f"training knows officer {officer_id}",
    )


def agencies_known(suite) -> None:
    wait_until(lambda: db_count(suite.training_db, "agencies") >= 27, message="the seeded agencies reached training")


def session_of(api, course_id: str, hours: float, held_on: date = TODAY, organiser=None) -> dict:
    response = api.post(
        "/training/sessions",
        json={
            "course_id": course_id,
            "held_on": held_on.isoformat(),
            "hours": hours,
            "delivery": "offline",
            "organiser": organiser or {"kind": "bureau"},
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def course(api, category: str, title: str) -> str:
    response = api.post("/training/courses", json={"title": title, "category_code": category})
    assert response.status_code == 201, response.text
    return response.json()["course_id"]


def attend(api, officer_id: str, session: dict, hours: float) -> dict:
    response = api.post(
        "/training/attendance", json={"officer_id": officer_id, "session_id": session["session_id"], "hours": hours}
    )
    assert response.status_code == 201, response.text
    return response.json()


def upload(api, content: bytes, content_type: str = XLSX, **params):
    return api.post("/training/attendance/import", data=content, headers={"Content-Type": content_type}, params=params)


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
@pytest.mark.timeout(240)
@pytest.mark.parametrize("training_suite", [None, "postgresql"], indirect=True, ids=["sqlite", "postgresql"])
def test_attendance_and_exam_pass_through_the_gateway_unlock_a_certificate(training_suite, collect_events):
    suite = training_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-admin")
    agencies_known(suite)
    officer = register(scj, SCJ, 501)
    oid = officer["officer_id"]
    known_to_training(scj, oid)
    request = {"officer_id": oid, "domains": ["market_supervision"]}

    refused = scj.post("/certificate-applications", json=request)  # the agency applies (申领)
    assert refused.status_code == 409
    reasons = " ".join(refused.json()["fields"]["officer_id"])
    assert "public legal knowledge" in reasons and "required course" in reasons and "qualification exam" in reasons

    published = collect_events("training", "hours.updated", "exam.passed", "compliance.reached")
    # the bureau runs the public-law training (with the compulsory 27号 course), the agency its own sector's
    law = course(admin, "public_law", "行政处罚法专题")
    skills = course(scj, "professional", "市场监管执法技能")
    own = {"kind": "agency", "agency_codes": [SCJ]}
    for sess, hours in (
        (session_of(admin, REQUIRED, 4), 4),
        (session_of(admin, law, 12), 12),
        (session_of(admin, law, 12), 12),
        (session_of(admin, law, 2), 2),
        (session_of(scj, skills, 12, organiser=own), 12),
        (session_of(scj, skills, 12, organiser=own), 12),
        (session_of(scj, skills, 6, organiser=own), 6),
    ):
        attend(scj, oid, sess, hours)
    status = scj.get(f"/training/officers/{oid}/compliance").json()
    assert status["compliant"] is True, status
    assert status["hours_by_category"]["public_law"] == 30.0 and status["hours_by_category"]["professional"] == 30.0

    still = scj.post("/certificate-applications", json=request)  # hours are there now, the exam is not
    assert still.status_code == 409 and any("exam" in r for r in still.json()["fields"]["officer_id"])

    sitting = admin.post(
        "/training/exams",
        json={"exam_kind": "qualification", "title": f"{TODAY.year}年行政执法资格考试", "sat_on": TODAY.isoformat()},
    )
    assert sitting.status_code == 201, sitting.text
    assert (
        scj.post(
            f"/training/exams/{sitting.json()['sitting_id']}/results", json={"officer_id": oid, "score": 85}
        ).status_code
        == 403
    )  # results are the bureau's
    result = admin.post(
        f"/training/exams/{sitting.json()['sitting_id']}/results", json={"officer_id": oid, "score": 85}
    )
    assert result.status_code == 201 and result.json()["passed"] is True

    wait_until(
        lambda: scj.get(f"/officers/{oid}/eligibility").json()["eligible"],
        message="personnel's read model has training's hours and exam pass",
    )
    filed = scj.post("/certificate-applications", json=request)
    assert filed.status_code == 201, filed.text
    approved = admin.post(f"/certificate-applications/{filed.json()['application_id']}/approval")  # the bureau
    assert approved.status_code == 200, approved.text
    issued = admin.get(f"/certificates/{approved.json()['certificate_number']}")
    assert issued.json()["officer_id"] == oid and issued.json()["status"] == "valid"

    events = published.wait_for(7 + 1 + 1)  # a snapshot per attendance, the exam pass, compliance reached once
    assert [e["data"]["revision"] for e in published.of_type("training.hours.updated")] == list(range(1, 8))
    assert len(published.of_type("training.compliance.reached")) == 1
    assert all(e["data"]["officer_id"] == oid for e in events)
    summary = admin.get("/training/compliance/summary").json()
    assert summary["thresholds"] == {"public_law": 30.0, "professional": 30.0}
    market = next(a for a in summary["agencies"] if a["agency_code"] == SCJ)
    assert (market["officers"], market["compliant"], market["short"], market["agency_name"]) == (
        1,
        1,
        0,
        "县市场监管局",
    )
    assert (
        suite.training.wait_metric(
            "enforcement_training_compliance_ratio", 1, service="training", agency=SCJ, year=TODAY.year
        )
        == 1
    )
    assert (
        suite.training.metric(
            "enforcement_training_recorded_seconds_total", service="training", agency=SCJ, category="professional"
        )
        == 30 * 3600
    )
    assert oid not in suite.training.metrics_text()


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
@pytest.mark.timeout(180)
def test_spreadsheet_upload_all_or_nothing_and_the_export(training_suite):
    suite = training_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-admin")
    agencies_known(suite)
    mine = [register(scj, SCJ, 600 + i)["officer_id"] for i in range(3)]
    theirs = register(admin, NRJ, 610, domains=("agriculture",))["officer_id"]
    for oid in (*mine, theirs):
        known_to_training(admin, oid)
    law = course(admin, "public_law", "宪法学习")
    sessions = [session_of(admin, law, 4) for _ in range(4)]
    rows = [(oid, s["session_id"], 3.5, TODAY.isoformat(), "签到") for oid in mine for s in sessions]  # rows 2..13
    before = db_counts(suite.training_db, *TRAINING_TABLES)

    bad = list(rows)
    bad[1] = (mine[0], sessions[1]["session_id"], 99, None, "")  # row 3: more than the session
    bad[6] = (theirs, sessions[2]["session_id"], 2, None, "")  # row 8: another agency's officer
    bad[10] = (mine[2], "no-such-session", 2, None, "")  # row 12: unknown session
    refused = upload(scj, write_table("签到表", TEMPLATE_HEADERS, bad), filename="bad.xlsx")
    assert refused.status_code == 400, refused.text
    body = refused.json()
    assert [(p["row"], p["column"]) for p in body["rows"]] == [
        (3, "hours"),
        (8, "officer_id"),
        (12, "session_id"),
    ]
    assert "nothing was imported" in body["message"]
    assert db_counts(suite.training_db, *TRAINING_TABLES) == before

    malformed = upload(scj, b"PK\x03\x04 this is not really a workbook")
    assert malformed.status_code == 400 and "not a readable .xlsx" in malformed.json()["fields"]["file"][0]
    wrong_type = upload(scj, write_table("x", TEMPLATE_HEADERS, rows), content_type="application/json")
    assert wrong_type.status_code == 415 and XLSX in wrong_type.json()["message"]
    assert db_counts(suite.training_db, *TRAINING_TABLES) == before

    dry = upload(scj, write_table("签到表", TEMPLATE_HEADERS, rows), dry_run="true")
    assert dry.status_code == 201 and dry.json() == {
        "import_id": None,
        "rows": 12,
        "imported": 0,
        "officers": 3,
        "dry_run": True,
    }
    assert db_counts(suite.training_db, *TRAINING_TABLES) == before
    done = upload(scj, write_table("签到表", TEMPLATE_HEADERS, rows), filename="签到表.xlsx")
    assert done.status_code == 201, done.text
    assert done.json()["imported"] == 12 and db_count(suite.training_db, "attendance") == 12
    assert db_count(suite.training_db, "attendance_imports", "filename = :f", f="签到表.xlsx") == 1

    export = scj.get("/training/compliance/export", params={"year": TODAY.year})
    assert export.status_code == 200 and export.headers["Content-Type"] == XLSX
    assert "attachment" in export.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(export.content), read_only=True).worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    assert len(table) == 1 + 3 and sorted(r[0] for r in table[1:]) == sorted(mine)
    public_law = next(i for i, h in enumerate(table[0]) if "public_law" in h and "差" not in h)
    assert {r[public_law] for r in table[1:]} == {14.0}
    assert scj.get("/training/compliance/export", params={"agency_code": NRJ}).status_code == 403
    assert admin.get("/training/compliance/export").status_code == 400  # the bureau names the agency
    template = scj.get("/training/attendance/import-template")
    assert template.status_code == 200 and len(template.content) > 1000

    audit = admin.get("/audit", params={"actor": "scj-admin"}).json()["items"]
    statuses = [a["status"] for a in audit if a["action"] == "POST /api/v1/training/attendance/import"]
    assert sorted(statuses) == [201, 201, 400, 400, 415]


# Every refusal of a family of routes against one running suite (starting one takes ~15 s): longer than 50 lines.
@pytest.mark.timeout(180)
def test_bad_training_input_is_a_clear_4xx_and_writes_nothing(training_suite):
    suite = training_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-admin")
    agencies_known(suite)
    oid = register(scj, SCJ, 701)["officer_id"]
    other = register(admin, NRJ, 702, domains=("agriculture",))["officer_id"]
    for officer_id in (oid, other):
        known_to_training(admin, officer_id)
    law = course(admin, "public_law", "行政许可法")
    held = session_of(admin, law, 4)
    upcoming = session_of(admin, law, 4, held_on=TODAY + timedelta(days=10))
    before = db_counts(suite.training_db, *TRAINING_TABLES)

    def expect(response, status, field=None):
        assert response.status_code == status, response.text
        body = response.json()
        assert "Traceback" not in response.text and body["error"] and body["message"]
        if field:
            assert field in body["fields"], body
        return body

    good = {"officer_id": oid, "session_id": held["session_id"], "hours": 2}
    expect(scj.post("/training/attendance", json={**good, "hours": -2}), 400, "hours")
    expect(scj.post("/training/attendance", json={**good, "hours": 1e9}), 400, "hours")
    expect(scj.post("/training/attendance", json={**good, "hours": "lots"}), 400, "hours")
    assert (
        "more than the session"
        in expect(scj.post("/training/attendance", json={**good, "hours": 6}), 400, "hours")["message"]
    )
    expect(scj.post("/training/attendance", json={**good, "officer_id": "no-such-officer"}), 400, "officer_id")
    expect(scj.post("/training/attendance", json={**good, "session_id": "no-such-session"}), 400, "session_id")
    future = expect(
        scj.post("/training/attendance", json={**good, "attended_on": (TODAY + timedelta(days=30)).isoformat()}),
        400,
        "attended_on",
    )
    assert "future" in future["fields"]["attended_on"][0]
    expect(scj.post("/training/attendance", json={**good, "session_id": upcoming["session_id"]}), 400, "attended_on")
    expect(scj.post("/training/attendance", json={**good, "attended_on": "yesterday"}), 400, "attended_on")
    expect(scj.post("/training/attendance", json={**good, "colour": "red"}), 400, "colour")
    expect(
        scj.post("/training/attendance", data="{not json", headers={"Content-Type": "application/json"}), 400, "_body"
    )
    expect(scj.post("/training/attendance", json={**good, "officer_id": other}), 403)
    expect(
        scj.post(
            "/training/sessions",
            json={
                "course_id": law,
                "held_on": TODAY.isoformat(),
                "hours": 30,
                "delivery": "offline",
                "organiser": {"kind": "bureau"},
            },
        ),
        403,
    )
    expect(
        admin.post(
            "/training/sessions",
            json={
                "course_id": law,
                "held_on": TODAY.isoformat(),
                "hours": 30,
                "delivery": "offline",
                "organiser": {"kind": "bureau"},
            },
        ),
        400,
        "hours",
    )
    expect(
        admin.post(
            "/training/sessions",
            json={
                "course_id": law,
                "held_on": TODAY.isoformat(),
                "hours": 3,
                "delivery": "by carrier pigeon",
                "organiser": {"kind": "bureau"},
            },
        ),
        400,
        "delivery",
    )
    expect(
        admin.post(
            "/training/sessions",
            json={
                "course_id": law,
                "held_on": TODAY.isoformat(),
                "hours": 3,
                "delivery": "online",
                "organiser": {"kind": "joint", "agency_codes": [SCJ]},
            },
        ),
        400,
        "organiser.agency_codes",  # nested messages are named by their dotted path
    )
    expect(
        admin.post(
            "/training/sessions",
            json={
                "course_id": law,
                "held_on": TODAY.isoformat(),
                "hours": 3,
                "delivery": "online",
                "organiser": {"kind": "agency", "agency_codes": ["140928-nowhere"]},
            },
        ),
        400,
        "organiser.agency_codes",
    )
    expect(
        admin.post("/training/courses", json={"title": "无此类别", "category_code": "astrology"}), 400, "category_code"
    )
    expect(scj.get("/training/compliance", params={"agency_code": NRJ}), 403)
    expect(scj.get(f"/training/officers/{other}/compliance"), 403)
    expect(admin.get("/training/officers/no-such-officer/compliance"), 404)
    expect(admin.post(f"/training/years/{TODAY.year}/close"), 409, "year")
    expect(scj.post(f"/training/years/{TODAY.year - 1}/close"), 403)
    assert db_counts(suite.training_db, *TRAINING_TABLES) == before

    # the same request, corrected, goes through; a correction keeps the earlier version
    record = attend(scj, oid, held, 2)
    fixed = scj.post(
        f"/training/attendance/{record['attendance_id']}/correction", json={"hours": 3.5, "reason": "补录"}
    )
    assert fixed.status_code == 200, fixed.text
    history = scj.get(f"/training/attendance/{record['attendance_id']}").json()
    assert history["hours"] == 3.5 and history["version"] == 2 and [v["hours"] for v in history["history"]] == [2.0]
    expect(
        scj.post(f"/training/attendance/{record['attendance_id']}/correction", json={"hours": 5, "reason": "x" * 3}),
        400,
        "hours",
    )
    listed = scj.get(f"/training/officers/{oid}/attendance").json()["items"]
    assert [(a["hours"], a["version"]) for a in listed] == [(3.5, 2)]
