"""Every response keeps the shape the gateway and the other services read: produced by the contract schemas now,
checked here key by key against what the hand-written serialisers returned (in process, SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from enforcement_testing import BUREAU, RUN_DATE

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"  # 县市场监管局


def test_responses_keep_their_shape(personnel, staff):
    # one walk through every response (over 50 lines): each step needs the record the one before created
    agency = personnel.call("create_agency", BUREAU, {"code": "140928-test", "name": "测试局", "kind": "other"})
    assert agency == {
        "code": "140928-test",
        "name": "测试局",
        "kind": "other",
        "is_supervisor": False,
        "is_police": False,
        "domains": [],
        "officer_count": 0,
        "certified_count": 0,
    }
    officer, cert = staff.certified_officer(60)
    listed = {a["code"]: a for a in personnel.call("list_agencies", BUREAU, {"per_page": 500})["items"]}
    assert listed[MARKET]["officer_count"] == 1 and set(listed[MARKET]) == set(agency)
    assert set(officer) == {
        "officer_id",
        "agency_code",
        "name",
        "id_number_masked",
        "position",
        "domains",
        "is_police",
        "police_card_number",
        "status",
        "appointed_on",
        "departed_on",
        "certificate_number",
        "certificate_status",
    }
    assert officer["departed_on"] is None and officer["certificate_number"] is None
    assert officer["appointed_on"] == RUN_DATE.isoformat()
    assert officer["police_card_number"] is None
    assert set(cert) == {
        "number",
        "check_code",
        "officer_id",
        "agency_code",
        "domains",
        "issued_on",
        "expires_on",
        "status",
        "status_reason",
        "cancelled_on",
        "renewal_window_opens",
    }
    page = personnel.call("list_officers", BUREAU, {"agency_code": MARKET})
    assert page["total"] == 1 and (page["page"], page["per_page"]) == (1, 50)
    assert page["items"] == [personnel.call("get_officer", BUREAU, officer["officer_id"])]
    assert page["items"][0]["certificate_number"] == cert["number"]

    eligibility = personnel.call("eligibility", BUREAU, officer["officer_id"])
    assert eligibility == {
        "officer_id": officer["officer_id"],
        "year": RUN_DATE.year,
        "eligible": True,
        "reasons": [],
    }
    check = personnel.call("check_certificate", cert["number"], cert["check_code"])
    assert set(check) == {
        "number",
        "valid",
        "details",
        "status",
        "holder_name",
        "agency_name",
        "domains",
        "expires_on",
        "reason_code",
        "reason",
        "holder_departed_on",
        "issuing_authority",
    }
    assert (check["reason_code"], check["reason"], check["holder_departed_on"]) == (None, None, None)
    assert check["expires_on"] == cert["expires_on"] and check["domains"] == cert["domains"]

    reviewer = personnel.call(
        "register_legal_reviewer",
        BUREAU,
        {"agency_code": MARKET, "name": "律师甲", "kind": "public_lawyer", "has_legal_qualification": False},
    )
    assert {k: v for k, v in reviewer.items() if k != "reviewer_id"} == {
        "agency_code": MARKET,
        "name": "律师甲",
        "kind": "public_lawyer",
        "has_legal_qualification": False,
        "qualification_number": None,
        "officer_id": None,
        "first_reviewed_on": None,
        "may_review_major_decisions": False,
    }
    assert personnel.call("list_legal_reviewers", BUREAU, MARKET) == {
        "items": [reviewer],
        "total": 1,
        "page": 1,
        "per_page": 50,
        "total_exact": True,
        "next": None,
    }

    assessment = personnel.call(
        "record_assessment", BUREAU, officer["officer_id"], {"year": 2024, "grade": "competent"}
    )
    assert assessment == {
        "officer_id": officer["officer_id"],
        "agency_code": MARKET,
        "year": 2024,
        "grade": "competent",
        "note": "",
        "certificate_suspended": False,
    }
    today = RUN_DATE.isoformat()
    departure = personnel.call(
        "record_departure", BUREAU, officer["officer_id"], {"reason": "other", "departed_on": today}
    )
    assert departure == {
        "officer_id": officer["officer_id"],
        "reason": "other",
        "departed_on": today,
        "certificate_number": cert["number"],
        "certificate_cancelled": True,
    }
    verdict = personnel.call(
        "may_enforce", {"officer_id": officer["officer_id"], "domain": "market_supervision", "on_date": today}
    )
    assert set(verdict) == {
        "officer_id",
        "domain",
        "on_date",
        "allowed",
        "reason",
        "certificate_number",
        "police_card_number",
    }
    assert verdict["on_date"] == today and verdict["allowed"] is False
