"""The yearly assessment tells "nothing went wrong" from "nothing to measure" (issue 12, rule 10): a clean record
earns its points, an indicator with nothing to measure weighs nothing (the total is re-weighted over those with
data), an agency with too little data gets no score (无数据) and no rank, and agencies without enforcement duties are
not assessed. Pure: no broker, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from enforcement_contracts import supervision_reports as contract
from enforcement_contracts.errors import ValidationFailed
from enforcement_kernel.config import load_config, setting
from supervision_service import indicators
from supervision_service import reports_models as rm
from supervision_service.assessment import AgencyFacts, Policy, assess, load_indicators, not_assessed, reweigh
from supervision_service.operations.assessments import run_out

CONFIG = Path(indicators.__file__).with_name("config.yml")


@pytest.fixture(scope="module")
def installed():
    return load_indicators()


@pytest.fixture(scope="module")
def policy():
    return Policy.from_settings(setting(load_config("supervision", default_path=CONFIG), "ASSESSMENT"))


def facts(code="A-01", **values) -> AgencyFacts:
    return AgencyFacts(agency_code=code, agency_name=code, **values)


# the agency of the scenario: data for every indicator, 60.57 points (the same before and after the change)
SCENARIO = {
    "officers": 8,
    "certified": 7,  # 87.5%: 11.25 of 15
    "training_officers": 10,
    "training_compliant": 8,  # 80%: 9 of 15
    "review_grades": {"excellent": 1, "pass": 2, "fail": 1},  # 0.65: 9.75 of 15
    "items": 10,
    "items_overdue": 1,  # 10%: 6.67 of 10
    "publications": 20,
    "publications_on_time": 17,  # 85%: 7 of 10
    "complaints_concluded": 4,
    "complaints_upheld": 1,  # 25%: 5 of 10
    "decisions": 100,
    "decisions_reversed": 1,  # 1%: 8 of 10
    "promptness_measurements": 1000,
    "promptness_on_time": 630,  # 63%: 3.9 of 15
}


def test_the_packaged_settings_re_weight_missing_data_and_leave_out_agencies_without_enforcement_duties(policy):
    assert policy.min_weight_with_data == 0.5
    assert policy.without_enforcement_duties == {"140928-czj", "140928-fgw"}  # 县财政局, 县发展和改革委员会


@pytest.mark.parametrize(
    "section, field, message",
    [
        ({"no_data_ratio": 1.0}, "ASSESSMENT.no_data_ratio", "no longer used"),
        ({"min_weight_with_data": 1.5}, "ASSESSMENT.min_weight_with_data", "from 0 to 1"),
        ({"min_weight_with_data": -0.1}, "ASSESSMENT.min_weight_with_data", "from 0 to 1"),
        ({"min_weight_with_data": "half"}, "ASSESSMENT.min_weight_with_data", "from 0 to 1"),
        ({"without_enforcement_duties": "140928-czj"}, "ASSESSMENT.without_enforcement_duties", "list of agency"),
        ({"without_enforcement_duties": ["县财政局"]}, "ASSESSMENT.without_enforcement_duties", "list of agency"),
    ],
)
def test_wrong_no_data_settings_are_refused_naming_the_setting(section, field, message):
    with pytest.raises(ValidationFailed) as refused:
        Policy.from_settings({"weights": {"certification": 100}, **section})
    assert message in refused.value.fields[field][0]


def test_zero_overdue_of_the_items_issued_is_a_clean_record_and_no_item_is_no_data(installed, policy):
    params = policy.params["overdue_items"]
    clean = indicators.OVERDUE_ITEMS.measure(facts(items=4, items_overdue=0), params)
    assert clean.ratio == 1.0 and clean.detail == "0 overdue of 4 supervision items (0.0%)"
    assert indicators.OVERDUE_ITEMS.measure(facts(items=0), params).ratio is None
    # the same for every rate: a denominator with nothing wrong earns the points, a denominator of 0 is no data
    assert indicators.DECISIONS_REVERSED.measure(facts(decisions=3), policy.params["decisions_reversed"]).ratio == 1.0
    assert indicators.COMPLAINTS_UPHELD.measure(facts(complaints=3), policy.params["complaints_upheld"]).ratio is None

    scenario_without_items = {**SCENARIO, "items": 0, "items_overdue": 0}
    clean_items = {**SCENARIO, "items_overdue": 0}
    with_items, without_items = assess(
        [facts("A-01", **clean_items), facts("B-02", **scenario_without_items)], policy, installed
    )
    breakdown = {i.code: i for i in with_items.indicators}
    assert breakdown["overdue_items"].has_data and breakdown["overdue_items"].points == 10  # the clean record
    missing = {i.code: i for i in without_items.indicators}["overdue_items"]
    assert (missing.has_data, missing.points, missing.points_possible) == (False, None, None)
    assert without_items.weight_with_data == 90


def test_the_total_is_re_weighted_over_the_indicators_with_data(installed, policy):
    agency = facts(
        officers=4,
        certified=4,  # 15 points with data, ratio 1
        training_officers=4,
        training_compliant=2,  # 15, ratio 0
        items=2,  # 10, ratio 1 (a clean record)
        promptness_measurements=10,
        promptness_on_time=9,  # 15, ratio 0.8
    )
    [score] = assess([agency], policy, installed)
    assert score.weight_with_data == 55 and not score.no_data and score.rank == 1
    assert score.total == round(100 * (15 * 1 + 15 * 0 + 10 * 1 + 15 * 0.8) / 55, 2) == 67.27
    shown = {i.code: i for i in score.indicators if i.has_data}
    assert {code: i.points_possible for code, i in shown.items()} == {
        "certification": 27.27,
        "training": 27.27,
        "overdue_items": 18.18,
        "promptness": 27.27,
    }
    assert shown["promptness"].points == round(100 * 15 / 55 * 0.8, 2)
    assert sum(i.points for i in shown.values()) == pytest.approx(score.total, abs=0.02)
    assert all(i.points is None and i.ratio is None for i in score.indicators if not i.has_data)


def test_pure_re_weighting_at_the_minimum_share():
    assert reweigh([(50, 1.0), (50, None)], 0.5) == (100, 50)  # exactly the minimum share: scored
    assert reweigh([(49, 1.0), (51, None)], 0.5) == (None, 49)  # just below it: no data
    assert reweigh([(10, 0.5), (90, None)], 0.0) == (50, 10)  # no minimum: any data is scored
    assert reweigh([(100, None)], 0.0) == (None, 0)  # nothing measured is never a score
    assert reweigh([(40, 0.0), (60, 1.0)], 1.0) == (60, 100)  # every indicator has data: no re-weighting


def test_an_agency_with_data_below_the_minimum_share_is_unranked_and_listed_after_the_ranked(installed, policy):
    thin = facts("A-01", officers=4, certified=4, training_officers=4, training_compliant=4)  # 30 of 100 points
    nothing = facts("C-03")
    ranked = facts("B-02", **SCENARIO)
    result = assess([thin, nothing, ranked], policy, installed)
    assert [(s.agency_code, s.rank, s.total, s.no_data) for s in result] == [
        ("B-02", 1, 60.57, False),
        ("A-01", None, None, True),
        ("C-03", None, None, True),
    ]
    assert result[1].weight_with_data == 30 and [i.has_data for i in result[1].indicators][:2] == [True, True]
    assert all(i.points is None for i in result[1].indicators)  # no score: no points either
    lenient = replace(policy, min_weight_with_data=0.3)
    assert [(s.agency_code, s.rank) for s in assess([thin, ranked], lenient, installed)] == [("A-01", 1), ("B-02", 2)]


def test_agencies_without_enforcement_duties_are_not_assessed_even_with_data(installed, policy):
    year = [facts("140928-czj", **SCENARIO), facts("140928-scjgj", **SCENARIO), facts("140928-fgw")]
    result = assess(year, policy, installed)
    assert [s.agency_code for s in result] == ["140928-scjgj"] and result[0].rank == 1
    left_out = not_assessed(year, policy)
    assert [(a.agency_code, a.reason) for a in left_out] == [
        ("140928-czj", "no_enforcement_duties"),
        ("140928-fgw", "no_enforcement_duties"),
    ]
    assert left_out[0].as_dict() == {
        "agency_code": "140928-czj",
        "agency_name": "140928-czj",
        "reason": "no_enforcement_duties",
    }


def test_the_agency_on_60_57_points_now_ranks_above_the_27_agencies_with_nothing_to_measure(installed, policy):
    """The issue's scenario: with missing data worth full points, 27 agencies that had done nothing scored 100 and
    the one agency with a record (60.57) ranked 28th of 28. Now it is the only one ranked; the others are 无数据."""
    idle = [facts(f"140928-x{n:02d}") for n in range(27)]
    worked = facts("140928-zz", **SCENARIO)  # last by code: its rank is not an accident of ordering
    result = assess([*idle, worked], policy, installed)
    assert (result[0].agency_code, result[0].total, result[0].rank) == ("140928-zz", 60.57, 1)
    assert all(s.no_data and s.rank is None and s.total is None for s in result[1:]) and len(result) == 28
    assert [s.agency_code for s in result[1:]] == [f.agency_code for f in idle]


def test_a_run_kept_before_the_change_reads_in_today_s_shape():
    """Runs kept while missing data earned full points say so: every agency ranked, has_data read from the ratio."""
    old_score = {
        "agency_code": "140928-nyncj",
        "agency_name": "县农业农村局",
        "total": 100.0,
        "rank": 1,
        "indicators": [
            {"code": "certification", "title": "持证率", "weight": 60.0, "points": 60.0, "ratio": None, "detail": "-"},
            {"code": "training", "title": "培训", "weight": 40.0, "points": 40.0, "ratio": 1.0, "detail": "4 of 4"},
        ],
    }
    run = rm.AssessmentRun(
        id=7, year=2025, weights={"certification": 60, "training": 40}, results=[old_score], run_by="admin"
    )
    run.run_at = datetime(2026, 1, 5, 9, 0)
    shown = run_out(run)
    assert set(shown) == set(contract.AssessmentRun().fields)
    assert (shown["min_weight_with_data"], shown["not_assessed"]) == (None, [])
    [score] = shown["ranking"]
    assert (score["no_data"], score["weight_with_data"], score["rank"], score["total"]) == (False, 40.0, 1, 100.0)
    assert [(i["has_data"], i["points"], i["points_possible"]) for i in score["indicators"]] == [
        (False, 60.0, 60.0),
        (True, 40.0, 40.0),
    ]
