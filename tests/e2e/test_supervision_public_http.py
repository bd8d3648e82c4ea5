"""End to end over HTTP, without logging in: the complaint form's agencies, a complaint registered and followed by
its random receipt number (never the complainant, the contact or the text), and the yearly reports' public list
(nothing before a report is filed). Every answer is checked against /openapi.json."""

from __future__ import annotations

import pytest
from enforcement_testing import RUN_DATE

pytestmark = pytest.mark.timeout(180)

SCJ = "140928-scjgj"  # 县市场监管局
PASSWORD = "a-long-enough-password"


def test_a_complaint_is_followed_by_its_receipt_number_and_reports_are_public_once_filed(supervision_suite):
    suite = supervision_suite
    public = suite.anonymous()

    agencies = public.get("/public/complaints/agencies", params={"per_page": 500})
    assert agencies.status_code == 200 and agencies.headers["Cache-Control"].startswith("public")
    codes = [a["code"] for a in agencies.json()["items"]]
    assert SCJ in codes and all(set(a) == {"code", "name"} for a in agencies.json()["items"])

    registered = public.post(
        "/public/complaints",
        json={
            "agency_code": SCJ,
            "complainant_kind": "citizen",
            "complainant_name": "李四",
            "contact": "13912345678",
            "summary": "执法人员态度粗暴",
        },
    )
    assert registered.status_code == 201, registered.text
    code = registered.json()["receipt_code"]
    progress = public.get(f"/public/complaints/{code}")
    assert progress.status_code == 200, progress.text
    body = progress.json()
    assert (body["state"], body["agency_code"], body["receipt_code"]) == ("registered", SCJ, code)
    assert "李" not in progress.text and "1391" not in progress.text and "粗暴" not in progress.text

    # the complaint's number is no key: the staff route needs a login; a wrong receipt number is a 404
    assert public.get(f"/supervision/complaints/{registered.json()['complaint_id']}").status_code == 401
    assert public.get("/public/complaints/0000-0000-0000").status_code == 404
    bad = public.get("/public/complaints/x")
    assert bad.status_code == 400 and "receipt_code" in bad.json()["fields"]

    # the agency accepts it: the public sees 已受理 and the deadline to conclude
    admin = suite.admin()
    created = admin.post(
        "/users", json={"username": "scj-admin", "password": PASSWORD, "role": "agency_admin", "agency_code": SCJ}
    )
    assert created.status_code == 201, created.text
    scj = suite.login("scj-admin", PASSWORD)
    decided = scj.post(
        f"/supervision/complaints/{registered.json()['complaint_id']}/decision",
        json={"accept": True, "reasons": "属于受理范围"},
    )
    assert decided.status_code == 200, decided.text
    accepted = public.get(f"/public/complaints/{code.lower()}").json()
    assert (accepted["state"], accepted["decided_on"]) == ("accepted", RUN_DATE.isoformat())
    assert accepted["conclude_due_on"]

    # the yearly reports: none filed yet
    year = RUN_DATE.year - 1
    listed = public.get("/public/annual-reports", params={"year": year})
    assert listed.status_code == 200 and listed.json() == {
        "items": [],
        "total": 0,
        "page": 1,
        "per_page": 50,
        "total_exact": True,
        "next": None,
    }
    assert public.get(f"/public/annual-reports/{year}/{SCJ}").status_code == 404
    assert public.get("/public/annual-reports").status_code == 400  # the year is required
