"""Bulletins and the reports' entrypoints in process (SQLite), with personnel, training and cases in process too (the
assessment and the report read their facts): what each answers is the contract schema's dump of what it keeps."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from enforcement_testing import BUREAU, RUN_DATE, db_connection, wait_until
from sqlalchemy import text

from enforcement_contracts import supervision as contract
from enforcement_contracts import supervision_reports as reports_contract
from enforcement_contracts.errors import Conflict, NotFound, ValidationFailed

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"  # 县市场监管局
MARKET_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}


@pytest.fixture
def suite(personnel, run_service):
    """Supervision with the three services it reads its facts from, each in this process."""
    run_service("training")
    run_service("cases")
    return run_service("supervision", settings={"SUPERVISION": {"overdue_check_seconds": 1}, "RPC_TIMEOUT": 5})


def test_bulletins_take_the_period_as_from_and_to_and_answer_in_the_contract_s_shape(suite):
    today = RUN_DATE
    item = suite.call("issue_item", BUREAU, {"agency_code": MARKET, "kind": "report_request", "title": "报送统计"})
    with db_connection(suite.database_url) as conn:  # time passing: its deadline is now in the past
        conn.execute(text("UPDATE supervision_items SET due_on = :d"), {"d": today - timedelta(days=1)})
        conn.commit()
    wait_until(lambda: suite.call("get_item", BUREAU, item["item_id"])["overdue"], message="the item fell overdue")

    period = {"from": today.isoformat(), "to": today.isoformat()}
    listed = suite.call("overdue_list", BUREAU, period)
    [entry] = listed["items"]
    assert (listed["total"], listed["page"], listed["per_page"]) == (1, 1, 50)
    assert suite.call("overdue_list", BUREAU, {**period, "page": 2, "per_page": 1}) == {
        "items": [],
        "total": 1,
        "page": 2,
        "per_page": 1,
        "total_exact": True,
        "next": None,
    }
    assert entry == contract.BulletinEntry().dump(contract.BulletinEntry().load(entry))
    assert (entry["item_id"], entry["overdue_on"], entry["answered_on"]) == (item["item_id"], today.isoformat(), None)
    with pytest.raises(ValidationFailed) as old_names:
        suite.call("overdue_list", BUREAU, {"period_from": today.isoformat(), "period_to": today.isoformat()})
    assert {"from", "to"} <= set(old_names.value.fields)
    with pytest.raises(ValidationFailed) as reversed_period:
        suite.call("overdue_list", BUREAU, {"from": today.isoformat(), "to": (today - timedelta(days=1)).isoformat()})
    assert "to" in reversed_period.value.fields
    with pytest.raises(ValidationFailed) as future:
        suite.call("publish_bulletin", BUREAU, {**period, "to": (today + timedelta(days=1)).isoformat(), "title": "x"})
    assert future.value.fields == {"to": ["must not be in the future"]}

    bulletin = suite.call("publish_bulletin", BUREAU, {**period, "title": "逾期督办事项通报"})
    assert set(bulletin) == set(contract.BulletinOut().fields)
    assert (bulletin["period_from"], bulletin["period_to"], bulletin["entries"]) == (
        period["from"],
        period["to"],
        [entry],
    )
    with pytest.raises(Conflict) as again:
        suite.call("publish_bulletin", BUREAU, {**period, "title": "again"})
    assert again.value.fields == {"from": ["already published"]}
    assert suite.call("list_bulletins", MARKET_ADMIN) == {
        "items": [bulletin],
        "total": 1,
        "page": 1,
        "per_page": 50,
        "total_exact": True,
        "next": None,
    }


def test_assessment_filings_and_surveys_answer_in_the_contract_s_shape(suite):
    year = RUN_DATE.year
    survey = {
        "agency_code": MARKET,
        "year": year,
        "score": 91,
        "respondents": 300,
        "surveyor": "第三方测评机构",
        "surveyed_on": date(year, 1, 2).isoformat(),
    }
    recorded = suite.call("record_satisfaction", BUREAU, survey)
    assert recorded == {**survey, "score": 91.0, "note": "", "recorded_by": BUREAU["username"]}
    assert suite.call("list_satisfaction", MARKET_ADMIN, year) == {
        "items": [recorded],
        "total": 1,
        "page": 1,
        "per_page": 50,
        "total_exact": True,
        "next": None,
    }

    run = suite.call("run_assessment", BUREAU, {"year": year})
    assert set(run) == set(reports_contract.AssessmentRun().fields) and run["year"] == year
    assert set(reports_contract.AgencyScore().fields) == set(run["ranking"][0])
    assert set(reports_contract.IndicatorScore().fields) == set(run["ranking"][0]["indicators"][0])
    assert run["min_weight_with_data"] == 0.5
    # nothing measured yet (the survey is not weighted): no agency has a score or a rank
    assert all(s["no_data"] and s["rank"] is None and s["total"] is None for s in run["ranking"])
    assert [(a["agency_code"], a["reason"]) for a in run["not_assessed"]] == [
        ("140928-czj", "no_enforcement_duties"),
        ("140928-fgw", "no_enforcement_duties"),
    ]
    assert not {"140928-czj", "140928-fgw", "140928-sfj"} & {s["agency_code"] for s in run["ranking"]}
    assert suite.call("latest_assessment", BUREAU, year) == run
    with pytest.raises(NotFound):
        suite.call("latest_assessment", BUREAU, year - 1)

    filed = suite.call("file_annual_report", BUREAU, {"year": year - 1})
    assert set(filed) == set(reports_contract.ReportFiling().fields)
    assert (filed["scope"], filed["filed_on"], filed["filed_by"]) == (
        "county",
        RUN_DATE.isoformat(),
        BUREAU["username"],
    )
    assert filed["report"]["year"] == year - 1 and filed["report"]["scope"] == "county"
    assert suite.call("get_annual_report_filing", BUREAU, filed["filing_id"]) == filed
    with pytest.raises(Conflict):
        suite.call("file_annual_report", BUREAU, {"year": year - 1})
    listed = suite.call("annual_report_filings", BUREAU, year - 1)
    county = next(r for r in listed["filings"] if r["scope"] == "county")
    assert county == {
        "scope": "county",
        "agency_name": "全县 county",
        "filed": True,
        "filing_id": filed["filing_id"],
        "filed_on": filed["filed_on"],
        "on_time": filed["on_time"],
        "overdue": False,
    }
    assert listed["due_on"] == date(year, 1, 31).isoformat()


def test_satisfaction_results_are_read_a_page_at_a_time(suite):
    year = RUN_DATE.year - 1
    for code, score in (("140928-scjgj", 91), ("140928-jtysj", 85)):
        survey = {
            "agency_code": code,
            "year": year,
            "score": score,
            "respondents": 100,
            "surveyor": "第三方测评机构",
            "surveyed_on": date(year, 3, 1).isoformat(),
        }
        suite.call("record_satisfaction", BUREAU, survey)
    everything = suite.call("list_satisfaction", BUREAU, year, {"per_page": 500})
    assert [s["agency_code"] for s in everything["items"]] == ["140928-jtysj", "140928-scjgj"]
    second = suite.call("list_satisfaction", BUREAU, year, {"page": 2, "per_page": 1})
    assert second == {
        "items": [everything["items"][1]],
        "total": 2,
        "page": 2,
        "per_page": 1,
        "total_exact": True,
        "next": None,
    }
    assert suite.call("list_satisfaction", MARKET_ADMIN, year, {"page": 1, "per_page": 1})["total"] == 1
    with pytest.raises(ValidationFailed) as refused:
        suite.call("list_satisfaction", BUREAU, year, {"per_page": 501})
    assert set(refused.value.fields) == {"per_page"}
