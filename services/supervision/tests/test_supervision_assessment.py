"""The yearly assessment of agencies (评议考核): each indicator, the weights, a county's own indicator, the ranking.
Pure: no broker, no database."""

from __future__ import annotations

from dataclasses import replace
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from enforcement_contracts.errors import ValidationFailed
from enforcement_kernel.config import load_config, setting
from supervision_service import indicators
from supervision_service.assessment import AgencyFacts, Policy, assess, linear, load_indicators

CONFIG = Path(indicators.__file__).with_name("config.yml")


@pytest.fixture(scope="module")
def installed():
    return load_indicators()


@pytest.fixture(scope="module")
def policy():
    return Policy.from_settings(setting(load_config("supervision", default_path=CONFIG), "ASSESSMENT"))


def facts(code="A-01", **values) -> AgencyFacts:
    return AgencyFacts(agency_code=code, agency_name=code, **values)


def test_every_built_in_indicator_is_installed_and_the_configured_weights_add_up_to_100(installed, policy):
    assert set(installed) == {
        "certification",
        "training",
        "case_review",
        "overdue_items",
        "publication",
        "complaints_upheld",
        "decisions_reversed",
        "promptness",
        "satisfaction",
        "followups_overdue",
    }
    assert sum(policy.weights.values()) == 100
    assert set(policy.weights) <= set(installed)


@pytest.mark.parametrize(
    "weights, field, message",
    [
        ({"certification": 50, "training": 40}, "ASSESSMENT.weights", "add up to 100 points, not 90"),
        ({"certification": 60, "training": 50}, "ASSESSMENT.weights", "add up to 100 points, not 110"),
        ({"certification": 110, "training": -10}, "ASSESSMENT.weights.training", "must not be negative"),
        ({"certification": "many", "training": 100}, "ASSESSMENT.weights.certification", "must be a number"),
        ({}, "ASSESSMENT.weights", "name at least one indicator"),
    ],
)
def test_weights_not_adding_up_to_100_are_refused_naming_the_setting(weights, field, message):
    with pytest.raises(ValidationFailed) as refused:
        Policy.from_settings({"weights": weights})
    assert message in refused.value.fields[field][0]


def test_a_weight_for_an_indicator_not_installed_is_refused(installed):
    policy = Policy.from_settings({"weights": {"certification": 50, "carbon_footprint": 50}})
    with pytest.raises(ValidationFailed) as refused:
        assess([facts()], policy, installed)
    assert refused.value.fields == {"ASSESSMENT.weights.carbon_footprint": ["no such indicator installed"]}


def test_linear_thresholds_work_both_ways():
    assert linear(1.0, 1.0, 0.5) == 1.0 and linear(0.75, 1.0, 0.5) == 0.5 and linear(0.4, 1.0, 0.5) == 0.0
    assert (
        linear(0.0, 0.0, 0.3) == 1.0 and linear(0.15, 0.0, 0.3) == pytest.approx(0.5) and linear(0.9, 0.0, 0.3) == 0.0
    )


# --- each indicator at its boundaries ----------------------------------------------------------
def test_certification_rate(policy):
    params = policy.params["certification"]
    assert indicators.CERTIFICATION.measure(facts(officers=0, certified=0), params).ratio is None  # zero officers
    assert indicators.CERTIFICATION.measure(facts(officers=10, certified=10), params).ratio == 1.0
    half_way = indicators.CERTIFICATION.measure(facts(officers=8, certified=6), params)
    assert half_way.ratio == 0.5 and half_way.detail == "6 certified of 8 officers in post (75.0%)"
    assert indicators.CERTIFICATION.measure(facts(officers=10, certified=0), params).ratio == 0.0


def test_training_compliance(policy):
    params = policy.params["training"]
    assert indicators.TRAINING.measure(facts(), params).ratio is None
    assert indicators.TRAINING.measure(facts(training_officers=4, training_compliant=4), params).ratio == 1.0
    assert indicators.TRAINING.measure(facts(training_officers=4, training_compliant=2), params).ratio == 0.0


def test_case_review_grades(policy):
    params = policy.params["case_review"]
    assert indicators.CASE_REVIEW.measure(facts(), params).ratio is None  # no case reviewed
    assert indicators.CASE_REVIEW.measure(facts(review_grades={"excellent": 2}), params).ratio == 1.0
    mixed = indicators.CASE_REVIEW.measure(facts(review_grades={"excellent": 1, "pass": 2, "fail": 1}), params)
    assert mixed.ratio == pytest.approx((1.0 + 0.8 * 2) / 4) and "4 files reviewed" in mixed.detail
    assert indicators.CASE_REVIEW.measure(facts(review_grades={"fail": 3}), params).ratio == 0.0
    stricter = indicators.CASE_REVIEW.measure(facts(review_grades={"pass": 1}), {"grade_credit": {"pass": 0.5}})
    assert stricter.ratio == 0.5


def test_overdue_items(policy):
    params = policy.params["overdue_items"]
    assert indicators.OVERDUE_ITEMS.measure(facts(), params).ratio is None  # no item addressed to it
    assert indicators.OVERDUE_ITEMS.measure(facts(items=5, items_overdue=0), params).ratio == 1.0
    assert indicators.OVERDUE_ITEMS.measure(facts(items=5, items_overdue=5), params).ratio == 0.0  # all overdue
    assert indicators.OVERDUE_ITEMS.measure(facts(items=20, items_overdue=3), params).ratio == pytest.approx(0.5)


def test_on_time_publication(policy):
    params = policy.params["publication"]
    assert indicators.PUBLICATION.measure(facts(), params).ratio is None  # no cases
    assert indicators.PUBLICATION.measure(facts(publications=3, publications_on_time=3), params).ratio == 1.0
    assert indicators.PUBLICATION.measure(facts(publications=3, publications_on_time=0), params).ratio == 0.0


def test_complaints_upheld(policy):
    params = policy.params["complaints_upheld"]
    assert indicators.COMPLAINTS_UPHELD.measure(facts(complaints=2), params).ratio is None  # none concluded yet
    assert indicators.COMPLAINTS_UPHELD.measure(facts(complaints_concluded=4), params).ratio == 1.0
    assert indicators.COMPLAINTS_UPHELD.measure(
        facts(complaints_concluded=4, complaints_upheld=1), params
    ).ratio == pytest.approx(0.5)
    assert indicators.COMPLAINTS_UPHELD.measure(facts(complaints_concluded=4, complaints_upheld=4), params).ratio == 0.0


def test_decisions_reversed(policy):
    params = policy.params["decisions_reversed"]
    assert indicators.DECISIONS_REVERSED.measure(facts(), params).ratio is None  # no decisions
    assert indicators.DECISIONS_REVERSED.measure(facts(decisions=100), params).ratio == 1.0
    assert indicators.DECISIONS_REVERSED.measure(
        facts(decisions=100, decisions_reversed=1), params
    ).ratio == pytest.approx(0.8)
    assert indicators.DECISIONS_REVERSED.measure(facts(decisions=10, decisions_reversed=1), params).ratio == 0.0


def test_overall_promptness_and_satisfaction(policy):
    params = policy.params["promptness"]
    assert indicators.PROMPTNESS.measure(facts(), params).ratio is None
    assert indicators.PROMPTNESS.measure(
        facts(promptness_measurements=1_000_000, promptness_on_time=900_000), params
    ).ratio == pytest.approx(0.8)
    assert indicators.SATISFACTION.measure(facts(), policy.params["satisfaction"]).ratio is None
    assert indicators.SATISFACTION.measure(facts(satisfaction_score=75.0), policy.params["satisfaction"]).ratio == 0.5


# --- scoring, no data, a county's own indicator, ranking -----------------------------------------
def test_an_agency_with_nothing_to_measure_gets_no_score_and_no_rank(installed, policy):
    [score] = assess([facts()], policy, installed)
    assert (score.total, score.rank, score.no_data, score.weight_with_data) == (None, None, True, 0)
    assert all(not i.has_data and i.points is None and i.ratio is None for i in score.indicators)
    assert score.as_dict()["no_data"] is True and score.as_dict()["total"] is None
    anything_goes = replace(policy, min_weight_with_data=0.0)  # even with no minimum: nothing measured, no score
    assert assess([facts()], anything_goes, installed)[0].no_data


def test_a_perfect_and_a_poor_agency_and_the_breakdown(installed, policy):
    perfect = facts(
        "A-01",
        officers=10,
        certified=10,
        training_officers=10,
        training_compliant=10,
        review_grades={"excellent": 2},
        items=3,
        publications=5,
        publications_on_time=5,
        complaints_concluded=2,
        decisions=40,
        promptness_measurements=50,
        promptness_on_time=50,
    )
    poor = facts(
        "B-02",
        officers=10,
        certified=5,
        training_officers=10,
        training_compliant=5,
        review_grades={"fail": 2},
        items=3,
        items_overdue=3,
        publications=5,
        publications_on_time=0,
        complaints_concluded=2,
        complaints_upheld=2,
        decisions=40,
        decisions_reversed=2,
        promptness_measurements=50,
        promptness_on_time=25,
    )
    first, second = assess([poor, perfect], policy, installed)
    assert (first.agency_code, first.total, first.rank) == ("A-01", 100, 1)
    assert (second.agency_code, second.total, second.rank) == ("B-02", 0, 2)
    breakdown = {i.code: i for i in second.indicators}
    assert list(breakdown) == list(policy.weights)
    assert breakdown["overdue_items"].points == 0 and breakdown["overdue_items"].detail.startswith("3 overdue of 3")
    assert second.as_dict()["indicators"][0]["code"] == "certification"


class PaperlessIndicator:
    """A county's own indicator, as its package would ship it (a fact from ``extra``)."""

    code = "paperless"
    title = "无纸化办案 paperless case files"

    def measure(self, facts, params):
        from supervision_service.assessment import Measure

        share = facts.extra.get("paperless_share")
        return Measure(None if share is None else min(1.0, share / params.get("target", 1.0)), f"share {share}")


def test_a_third_party_indicator_registered_through_an_entry_point_is_scored(installed, policy):
    ep = EntryPoint(
        name="paperless", value=f"{__name__}:PaperlessIndicator", group="enforcement.supervision.indicators"
    )
    built_in = EntryPoint(
        "certification", "supervision_service.indicators:CERTIFICATION", "enforcement.supervision.indicators"
    )
    found = load_indicators([built_in, ep])
    assert set(found) == {"certification", "paperless"} and isinstance(found["paperless"], PaperlessIndicator)
    county = Policy.from_settings(
        {"weights": {"certification": 60, "paperless": 40}, "params": {"paperless": {"target": 0.8}}}
    )
    [score] = assess([facts(officers=4, certified=4, extra={"paperless_share": 0.4})], county, found)
    assert score.total == 60 + 20
    assert {i.code: i.points for i in score.indicators} == {"certification": 60, "paperless": 20}


def test_an_entry_point_whose_name_differs_from_its_code_is_refused():
    ep = EntryPoint(name="paper", value=f"{__name__}:PaperlessIndicator", group="enforcement.supervision.indicators")
    with pytest.raises(ValueError, match="coded 'paperless'"):
        load_indicators([ep])


def test_ties_share_a_rank_and_are_listed_by_agency_code(installed, policy):
    only_certification = replace(policy, min_weight_with_data=0.0)  # one indicator's data is enough here
    tied = [facts(code, officers=4, certified=3) for code in ("C-03", "A-01")]
    best = facts("B-02", officers=4, certified=4)
    worst = facts("D-04", officers=4, certified=2)
    ranked = assess([*tied, worst, best], only_certification, installed)
    assert [(s.agency_code, s.rank) for s in ranked] == [("B-02", 1), ("A-01", 2), ("C-03", 2), ("D-04", 4)]
    assert ranked[1].total == ranked[2].total == 50  # half the certification points, the only indicator with data
