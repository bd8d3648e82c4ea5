"""End to end over HTTP: the bureau issues a notice, the agency answers late, the bureau verifies, and the lateness
shows in the promptness table and on the supervision service's /metrics. Complaints are registered without login,
limited per client address. Roles and agency scope hold; bad input is a 400 naming the field and writes nothing.

Lateness is made by moving the notice's dates into the past in the supervision database (the service reads only its
database, so this is what time passing looks like to it).
"""

from __future__ import annotations

from datetime import date

import pytest
from enforcement_testing import RUN_DATE, db_connection, db_counts, wait_until
from sqlalchemy import text

from enforcement_kernel.workdays import add_workdays, workdays_between

pytestmark = pytest.mark.timeout(180)

SCJ = "140928-scjgj"  # 县市场监管局
NRJ = "140928-nyncj"  # 县农业农村局
PASSWORD = "a-long-enough-password"
TABLES = ("supervision_items", "complaints", "promptness_measurements", "outbox_events")


def agency_admin(suite, admin, agency_code: str, username: str):
    response = admin.post(
        "/users", json={"username": username, "password": PASSWORD, "role": "agency_admin", "agency_code": agency_code}
    )
    assert response.status_code == 201, response.text
    return suite.login(username, PASSWORD)


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_notice_answered_late_is_verified_and_counted_late(supervision_suite):
    suite = supervision_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-admin")
    nrj = agency_admin(suite, admin, NRJ, "nrj-admin")
    before = db_counts(suite.supervision_db, *TABLES)

    # bad input: 400 naming the field, nothing written; an agency cannot issue
    bad = admin.post("/supervision/items", json={"agency_code": SCJ, "kind": "notice", "title": "整改"})
    assert bad.status_code == 400 and "kind" in bad.json()["fields"]
    unknown = admin.post(
        "/supervision/items", json={"agency_code": "140928-nowhere", "kind": "rectification", "title": "整改"}
    )
    assert unknown.status_code == 400 and "agency_code" in unknown.json()["fields"]
    assert (
        scj.post("/supervision/items", json={"agency_code": SCJ, "kind": "rectification", "title": "整改"}).status_code
        == 403
    )
    assert db_counts(suite.supervision_db, *TABLES) == before

    notice = admin.post(
        "/supervision/items",
        json={
            "agency_code": SCJ,
            "kind": "rectification",
            "title": "行政执法公示整改",
            "body": "执法公示信息不全，限期整改",
            "deadline_workdays": 15,
        },
    )
    assert notice.status_code == 201, notice.text
    item_id = notice.json()["item_id"]
    # the notice went out 20 working days ago with 15 to answer
    issued_on = add_workdays(RUN_DATE, -20)
    with db_connection(suite.supervision_db) as conn:
        conn.execute(
            text("UPDATE supervision_items SET issued_on = :issued, due_on = :due WHERE id = :id"),
            {"issued": issued_on, "due": add_workdays(issued_on, 15), "id": item_id},
        )
        conn.commit()
    overdue = wait_until(
        lambda: (lambda r: r if r["overdue"] else None)(admin.get(f"/supervision/items/{item_id}").json()),
        message="the overdue timer escalated the notice",
    )
    assert overdue["overdue_on"] == RUN_DATE.isoformat()
    assert suite.supervision.wait_metric("enforcement_supervision_items_overdue", 1, agency=SCJ) == 1

    # the agency: only its own items; the bureau cannot answer for it, the agency cannot verify
    assert nrj.get(f"/supervision/items/{item_id}").status_code == 403
    assert nrj.post(f"/supervision/items/{item_id}/acknowledge", json={}).status_code == 403
    assert [i["item_id"] for i in scj.get("/supervision/items").json()["items"]] == [item_id]
    assert nrj.get("/supervision/items").json()["items"] == []
    assert scj.post(f"/supervision/items/{item_id}/acknowledge", json={"note": "收到"}).status_code == 200
    assert admin.post(f"/supervision/items/{item_id}/answer", json={"answer": "代答"}).status_code == 403
    empty = scj.post(f"/supervision/items/{item_id}/answer", json={"answer": ""})
    assert empty.status_code == 400 and "answer" in empty.json()["fields"]
    answered = scj.post(f"/supervision/items/{item_id}/answer", json={"answer": "已补全公示信息"})
    assert answered.status_code == 200 and answered.json()["answered_on_time"] is False
    assert scj.post(f"/supervision/items/{item_id}/verify", json={}).status_code == 403
    verified = admin.post(f"/supervision/items/{item_id}/verify", json={"note": "已核查"})
    assert verified.status_code == 200 and verified.json()["state"] == "verified"
    assert admin.post(f"/supervision/items/{item_id}/verify", json={}).status_code == 409

    # the promptness table over HTTP and the ratio on /metrics
    period = {"from": date(RUN_DATE.year, 1, 1).isoformat(), "to": RUN_DATE.isoformat()}
    rows = scj.get("/supervision/promptness", params=period).json()
    answered_row = next(r for r in rows if r["kind"] == "supervision_item_answered")
    assert (answered_row["agency_code"], answered_row["measurements"], answered_row["on_time"]) == (SCJ, 1, 0)
    assert answered_row["max_workdays"] == workdays_between(issued_on, RUN_DATE)  # 20, or 19 on a weekend
    assert nrj.get("/supervision/promptness", params={**period, "agency_code": SCJ}).status_code == 403
    bad_period = admin.get("/supervision/promptness", params={"from": "2025-13-01", "to": "2025-12-31"})
    assert bad_period.status_code == 400 and "from" in bad_period.json()["fields"]
    wait_until(
        lambda: (
            suite.supervision.metric("enforcement_agency_on_time_ratio", agency=SCJ, kind="supervision_item_answered")
            == 0.0
            and f'enforcement_agency_on_time_ratio{{agency="{SCJ}"' in suite.supervision.metrics_text()
        ),
        message="the on-time ratio on /metrics",
    )
    # the ratio may already read 0.0 from the provisional late row of the missed deadline (a refresh before the
    # answer): the overdue gauge falls back at the first refresh after it
    wait_until(
        lambda: suite.supervision.metric("enforcement_supervision_items_overdue", agency=SCJ) == 0,
        message="the answered item no longer overdue on /metrics",
    )

    # the bulletin lists the notice
    today = RUN_DATE.isoformat()
    listed = admin.get("/supervision/overdue", params={"from": today, "to": today}).json()
    assert [e["item_id"] for e in listed["items"]] == [item_id] and listed["total"] == 1
    published = admin.post("/supervision/bulletins", json={"from": today, "to": today, "title": "逾期督办事项通报"})
    assert published.status_code == 201 and len(published.json()["entries"]) == 1

    # in the same suite (three processes are slow to start): complaints
    complaints_are_public_masked_and_rate_limited(suite, admin, scj)


def complaints_are_public_masked_and_rate_limited(suite, admin, scj):
    public = suite.anonymous()
    complaint = {
        "agency_code": SCJ,
        "complainant_kind": "enterprise",
        "complainant_name": "五寨县某商贸有限公司",
        "contact": "13812345678",
        "summary": "同一事项一个月内被检查三次",
    }
    before = db_counts(suite.supervision_db, *TABLES)
    bad = public.post("/public/complaints", json={**complaint, "contact": "tomorrow"})
    assert bad.status_code == 400 and "contact" in bad.json()["fields"]
    assert db_counts(suite.supervision_db, *TABLES) == before
    first = public.post("/public/complaints", json=complaint)
    assert first.status_code == 201, first.text
    assert first.json()["accept_due_on"] == add_workdays(RUN_DATE, 5).isoformat()
    assert public.post("/public/complaints", json=complaint).status_code == 201
    limited = public.post("/public/complaints", json=complaint)  # the 4th from this address (limit 3)
    assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
    assert db_counts(suite.supervision_db, "complaints") == {"complaints": 2}
    assert public.get("/supervision/complaints").status_code == 401

    listed = admin.get("/supervision/complaints").json()
    assert listed["total"] == 2
    shown = listed["items"][0]
    assert shown["contact_masked"] == "138****5678" and "13812345678" not in str(listed)
    decided = scj.post(
        f"/supervision/complaints/{shown['complaint_id']}/decision", json={"accept": True, "reasons": "属于本机关职责"}
    )
    assert decided.status_code == 200 and decided.json()["state"] == "accepted"
    assert (
        scj.post(
            f"/supervision/complaints/{shown['complaint_id']}/extension", json={"days": 10, "reason": "需要现场核查"}
        ).status_code
        == 403
    )
    concluded = scj.post(
        f"/supervision/complaints/{shown['complaint_id']}/conclusion",
        json={"outcome": "upheld", "conclusion": "投诉属实，责令整改"},
    )
    assert concluded.status_code == 200 and concluded.json()["outcome"] == "upheld"
