"""The procedure rules of issue 12 through the cases service's entrypoints, in process with the personnel service
beside it (on SQLite and PostgreSQL): legal review before a major decision of every enforcement type, reviewers from
the county pool and art. 58's first review, a requested hearing that blocks the decision until it is held or the
request is withdrawn, and the two-officers rule by enforcement type."""

from __future__ import annotations

import pytest
from enforcement_testing import BUREAU, db_connection, db_count, db_rows

from cases_service.operations.common import Settings
from enforcement_contracts.errors import Conflict, ValidationFailed

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"  # 县市场监管局
TRANSPORT = "140928-jtysj"  # 县交通运输局
JUSTICE = "140928-sfj"  # 县司法局: the county pool of reviewers by default
SCJ_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}


def _reviewer(desk, agency_code: str, name: str, qualification: str | None = None, **extra) -> dict:
    payload = {"agency_code": agency_code, "name": name, "kind": "public_lawyer"}
    payload |= {"has_legal_qualification": qualification is not None, "qualification_number": qualification}
    return desk.personnel.register_legal_reviewer(BUREAU, {**payload, **extra})


def _review(desk, case: dict, reviewer: dict, on: str = "2024-08-01") -> dict:
    return desk.cases.record_legal_review(
        SCJ_ADMIN, case["case_id"], {"reviewer_id": reviewer["reviewer_id"], "reviewed_on": on, "passed": True}
    )


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_a_licensing_decision_on_the_major_list_waits_for_a_review_by_the_agency_or_the_county_pool(
    desk, cases_service, collect_events
):
    events = collect_events("cases", "legal_review.recorded", "case.decided", "major_list.changed")
    officers = desk.certified_officers(41, 2)
    licence = desk.penalty_item(code="SCJ-XK-001", type_code="licensing", name="食品经营许可")
    with pytest.raises(ValidationFailed) as unknown_type:
        desk.cases.add_major_rule(SCJ_ADMIN, {"agency_code": MARKET, "type_code": "licence"})
    assert "type_code" in unknown_type.value.fields
    rule = desk.cases.add_major_rule(SCJ_ADMIN, {"agency_code": MARKET, "type_code": "licensing"})
    assert rule["type_code"] == "licensing" and rule["item_id"] is None
    # one certified officer is enough for a licence (the county's setting leaves licensing out of the two-officer rule)
    case = desk.cases.report_case(SCJ_ADMIN, desk.report(licence, officers[:1], number="五市监许〔2024〕1号"))
    assert case["is_major"] is True

    with pytest.raises(Conflict) as blocked:
        desk.cases.decide_case(SCJ_ADMIN, case["case_id"], {"decided_on": "2024-08-02"})
    assert list(blocked.value.fields) == ["legal_review"]

    pool_lawyer = _reviewer(desk, JUSTICE, "公职律师丁", "A20201409283")
    other_agency = _reviewer(desk, TRANSPORT, "公职律师戊", "A20201409284")
    first_timer = _reviewer(desk, MARKET, "法律顾问己", kind="legal_adviser")
    for reviewer, expected in (
        (other_agency, "not a registered legal reviewer of the case's agency or of the county's reviewer pool"),
        (first_timer, "a first legal review needs the legal professional qualification"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            _review(desk, case, reviewer)
        assert refused.value.fields["reviewer_id"][0].startswith(expected)
    assert db_count(cases_service.database_url, "legal_reviews") == 0, "a refused review writes nothing"

    review = _review(desk, case, pool_lawyer)
    assert review["passed"] is True and review["reviewer_id"] == pool_lawyer["reviewer_id"]
    decided = desk.cases.decide_case(SCJ_ADMIN, case["case_id"], {"decided_on": "2024-08-02"})
    assert decided["status"] == "decided" and decided["is_major"] is True

    # a reviewer who reviewed before continues without the qualification (art. 58): their earlier review, carried
    # over from the agency's records before this service, is on file here
    second = desk.cases.report_case(SCJ_ADMIN, desk.report(licence, officers[:1], number="五市监许〔2024〕2号"))
    with db_connection(cases_service.database_url) as conn, conn.begin():
        conn.exec_driver_sql(
            "INSERT INTO legal_reviews (case_id, reviewer_id, reviewed_on, passed, opinion, created_by, created_at)"
            f" VALUES ('{case['case_id']}', '{first_timer['reviewer_id']}', '2024-07-30', TRUE, '', 'history',"
            " '2024-07-30 09:00:00')"
        )
    assert _review(desk, second, first_timer, on="2024-08-05")["passed"] is True

    received = events.wait_for(4)
    assert [e["type"] for e in received].count("cases.legal_review.recorded") == 2
    assert events.of_type("cases.case.decided")[0]["data"]["is_major"] is True


def test_coercion_needs_two_officers_and_its_reviewer_may_not_be_one_of_them(desk):
    officers = desk.certified_officers(51, 2)
    coercion = desk.penalty_item(code="SCJ-QZ-001", type_code="coercion", name="查封扣押不符合食品安全标准的食品")
    desk.cases.add_major_rule(SCJ_ADMIN, {"agency_code": MARKET, "item_id": coercion["item_id"]})
    # the law's two officers for coercion, whatever the county's setting says about other types
    with pytest.raises(ValidationFailed) as alone:
        desk.cases.report_case(SCJ_ADMIN, desk.report(coercion, officers[:1], number="五市监强〔2024〕1号"))
    assert "at least 2" in alone.value.fields["officers"][0]
    case = desk.cases.report_case(SCJ_ADMIN, desk.report(coercion, officers, number="五市监强〔2024〕2号"))
    lawyer = _reviewer(desk, MARKET, "公职律师辛", "A20201409285", officer_id=officers[1]["officer_id"])
    with pytest.raises(ValidationFailed) as refused:
        _review(desk, case, lawyer)
    assert refused.value.fields["reviewer_id"] == ["the reviewer is an officer on this case"]
    with pytest.raises(Conflict) as blocked:
        desk.cases.decide_case(SCJ_ADMIN, case["case_id"], {"decided_on": "2024-08-02"})
    assert list(blocked.value.fields) == ["legal_review"]


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_a_requested_hearing_blocks_the_decision_until_the_withdrawal_is_recorded(desk, cases_service, collect_events):
    events = collect_events("cases", "case.updated")
    officers = desk.certified_officers(61, 2)
    item = desk.penalty_item()
    # told of the right on Monday 2 Sep 2024; asked on Friday 6 Sep, the 4th working day: in time
    case = desk.cases.report_case(
        SCJ_ADMIN, desk.report(item, officers, notice_on="2024-09-02", hearing_requested_on="2024-09-06")
    )
    decision = {"decided_on": "2024-09-20", "penalty": {"kinds": ["warning"]}}
    with pytest.raises(Conflict) as blocked:
        desk.cases.decide_case(SCJ_ADMIN, case["case_id"], decision)
    assert list(blocked.value.fields) == ["hearing_held_on"]
    assert "withdrawal" in blocked.value.fields["hearing_held_on"][0]

    with pytest.raises(ValidationFailed) as who:
        desk.cases.update_case(SCJ_ADMIN, case["case_id"], {"hearing_withdrawn_on": "2024-09-10"})
    assert "hearing_withdrawn_by" in who.value.fields
    with pytest.raises(ValidationFailed) as whom:
        desk.cases.update_case(
            SCJ_ADMIN, case["case_id"], {"hearing_withdrawn_on": "2024-09-10", "hearing_withdrawn_by": "lawyer"}
        )
    assert "hearing_withdrawn_by" in whom.value.fields
    with pytest.raises(ValidationFailed) as before:
        desk.cases.update_case(
            SCJ_ADMIN, case["case_id"], {"hearing_withdrawn_on": "2024-09-05", "hearing_withdrawn_by": "party"}
        )
    assert "must not be before hearing_requested_on" in before.value.fields["hearing_withdrawn_on"][0]
    assert db_rows(cases_service.database_url, "SELECT hearing_withdrawn_on FROM cases") == [
        {"hearing_withdrawn_on": None}
    ]

    withdrawn = desk.cases.update_case(
        SCJ_ADMIN, case["case_id"], {"hearing_withdrawn_on": "2024-09-10", "hearing_withdrawn_by": "party"}
    )
    assert withdrawn["hearing_withdrawn_on"] == "2024-09-10" and withdrawn["hearing_withdrawn_by"] == "party"
    assert withdrawn["hearing_withdrawal_recorded_by"] == "scj-admin"
    with pytest.raises(Conflict):
        desk.cases.update_case(
            SCJ_ADMIN, case["case_id"], {"hearing_withdrawn_on": "2024-09-10", "hearing_withdrawn_by": "agent"}
        )
    with pytest.raises(Conflict):
        desk.cases.update_case(
            SCJ_ADMIN, case["case_id"], {"hearing_withdrawn_on": "2024-09-11", "hearing_withdrawn_by": "party"}
        )

    decided = desk.cases.decide_case(SCJ_ADMIN, case["case_id"], decision)
    assert decided["status"] == "decided" and decided["is_major"] is False
    # an entry added to the major-decision list after the decision does not reach back to block later stages
    desk.cases.add_major_rule(SCJ_ADMIN, {"agency_code": MARKET, "item_id": item["item_id"]})
    served = desk.cases.update_case(SCJ_ADMIN, case["case_id"], {"served_on": "2024-09-23"})
    assert served["served_on"] == "2024-09-23" and served["is_major"] is False
    updated = events.wait_for(2)
    assert [e["data"]["changed"] for e in updated] == [["hearing_withdrawn_on"], ["served_on"]]


def test_the_countys_settings_name_the_reviewer_pool_and_the_two_officer_types():
    default = Settings.from_config({})
    assert default.reviewer_pool == frozenset({JUSTICE})
    assert default.case_rules.two_officer_types == ("penalty", "coercion", "inspection")
    county = Settings.from_config(
        {
            "CASES": {
                "two_officers_types": ["penalty", "coercion", "inspection", "licensing"],
                "legal_review": {"allow_county_pool": "false", "county_pool_agencies": [JUSTICE, TRANSPORT]},
            }
        }
    )
    assert county.reviewer_pool == frozenset() and "licensing" in county.case_rules.two_officer_types
    pooled = Settings.from_config({"CASES": {"legal_review": {"county_pool_agencies": [JUSTICE, TRANSPORT]}}})
    assert pooled.reviewer_pool == frozenset({JUSTICE, TRANSPORT})
