"""The reads the console's personnel pages need (in process, SQLite and PostgreSQL): officers found by a part of the
name and by their latest certificate's status, an agency with its counts, an officer's certificates with their status
history, and an officer's yearly assessments."""

from __future__ import annotations

import pytest
from enforcement_testing import BUREAU, RUN_DATE

from enforcement_contracts.errors import Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"  # 县市场监管局
TRANSPORT = "140928-jtysj"  # 县交通运输局
MARKET_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
TRANSPORT_ADMIN = {"username": "jt-admin", "role": "agency_admin", "agency_code": TRANSPORT}


def names(page: dict) -> list[str]:
    return [o["name"] for o in page["items"]]


def test_officers_are_found_by_name_and_by_their_certificate_status(personnel, staff):
    certified, cert = staff.certified_officer(81)
    plain = personnel.call("register_officer", BUREAU, staff.officer_payload(82, name="王小明"))
    suspended, suspended_cert = staff.certified_officer(83)
    personnel.call(
        "change_certificate_status", BUREAU, suspended_cert["number"], {"status": "suspended", "reason": "调查中"}
    )
    personnel.call("register_officer", BUREAU, staff.officer_payload(84, TRANSPORT, name="王大力"))

    assert names(personnel.call("list_officers", BUREAU, {"name": "王"})) == ["王大力", "王小明"]
    assert names(personnel.call("list_officers", BUREAU, {"name": "小明"})) == ["王小明"]
    assert personnel.call("list_officers", BUREAU, {"name": "%"})["total"] == 0  # a wildcard is a character
    # an agency administrator searches their own agency only
    assert names(personnel.call("list_officers", MARKET_ADMIN, {"name": "王"})) == ["王小明"]

    def having(status: str) -> list[str]:
        listed = personnel.call("list_officers", BUREAU, {"certificate_status": status})
        return [o["officer_id"] for o in listed["items"]]

    by_status = {status: having(status) for status in ("valid", "suspended", "none", "cancelled")}
    assert by_status["valid"] == [certified["officer_id"]]
    assert by_status["suspended"] == [suspended["officer_id"]]
    assert plain["officer_id"] in by_status["none"] and certified["officer_id"] not in by_status["none"]
    assert by_status["cancelled"] == []
    combined = personnel.call("list_officers", BUREAU, {"certificate_status": "none", "agency_code": TRANSPORT})
    assert names(combined) == ["王大力"] and combined["total"] == 1

    with pytest.raises(ValidationFailed) as refused:
        personnel.call("list_officers", BUREAU, {"certificate_status": "lost"})
    assert "certificate_status" in refused.value.fields
    assert cert["status"] == "valid"


def test_an_agency_is_read_with_its_counts(personnel, staff):
    staff.certified_officer(91)
    staff.certified_officer(92)
    personnel.call("register_officer", BUREAU, staff.officer_payload(93))
    departed, _ = staff.certified_officer(94)
    personnel.call(
        "record_departure",
        BUREAU,
        departed["officer_id"],
        {"reason": "transfer", "departed_on": RUN_DATE.isoformat()},
    )

    market = personnel.call("get_agency", MARKET_ADMIN, MARKET)
    assert market["code"] == MARKET and market["name"] == "县市场监管局"
    assert market["officer_count"] == 3 and market["certified_count"] == 2
    listed = {a["code"]: a for a in personnel.call("list_agencies", BUREAU, {"per_page": 500})["items"]}
    assert listed[MARKET]["certified_count"] == 2 and listed[TRANSPORT]["certified_count"] == 0
    assert personnel.call("get_agency", TRANSPORT_ADMIN, MARKET)["code"] == MARKET  # agencies are no secret
    with pytest.raises(NotFound):
        personnel.call("get_agency", BUREAU, "140928-nowhere")


def test_an_officers_certificates_come_with_their_history_and_assessments_by_year(personnel, staff):
    officer, cert = staff.certified_officer(95)
    oid, number = officer["officer_id"], cert["number"]
    personnel.call("change_certificate_status", BUREAU, number, {"status": "suspended", "reason": "案件调查"})
    personnel.call("change_certificate_status", MARKET_ADMIN, number, {"status": "valid", "reason": "调查结束"})
    this_year = RUN_DATE.year
    personnel.call("record_assessment", BUREAU, oid, {"year": this_year - 2, "grade": "excellent"})
    personnel.call("record_assessment", BUREAU, oid, {"year": this_year - 1, "grade": "competent", "note": "良好"})

    record = personnel.call("get_certificate", MARKET_ADMIN, number)
    assert record["status"] == "valid" and record["renewal_window_opens"]
    assert [(h["old_status"], h["new_status"], h["reason"]) for h in record["history"]] == [
        (None, "valid", "issued"),
        ("valid", "suspended", "案件调查"),
        ("suspended", "valid", "调查结束"),
    ]
    assert [h["actor"] for h in record["history"]] == [BUREAU["username"], BUREAU["username"], "scj-admin"]

    listed = personnel.call("list_officer_certificates", MARKET_ADMIN, oid)
    assert listed["total"] == 1 and listed["items"][0]["number"] == number
    assert listed["items"][0]["history"] == record["history"]
    own = {"username": "officer95", "role": "officer", "agency_code": MARKET, "officer_id": oid}
    assert personnel.call("list_officer_certificates", own, oid, {"page": 1, "per_page": 5})["total"] == 1
    with pytest.raises(Forbidden):
        personnel.call("list_officer_certificates", TRANSPORT_ADMIN, oid)

    assessments = personnel.call("list_assessments", own, oid)
    assert [(a["year"], a["grade"]) for a in assessments["items"]] == [
        (this_year - 1, "competent"),
        (this_year - 2, "excellent"),
    ]
    assert assessments["items"][0]["note"] == "良好" and assessments["total"] == 2
    second = personnel.call("list_assessments", BUREAU, oid, {"page": 2, "per_page": 1})
    assert [a["year"] for a in second["items"]] == [this_year - 2] and second["total"] == 2
    with pytest.raises(Forbidden):
        personnel.call("list_assessments", TRANSPORT_ADMIN, oid)
    with pytest.raises(NotFound):
        personnel.call("list_assessments", BUREAU, "no-such-officer")
