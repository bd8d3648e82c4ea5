"""The cases service's pure rules: major decisions, legal review and the evaluation of a whole case."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cases_service.rules import (
    discretion,
    major_decisions,
    whole_case,
)
from enforcement_kernel.workdays import WorkCalendar

CAL = WorkCalendar()
FILED = date(2024, 7, 3)  # the 90th day after is Oct 1, inside the National Day holiday
NOTICE = date(2024, 9, 27)  # a Friday before the holiday


# --- major decisions and legal review (art. 58) -----------------------------------------------------
def test_major_by_item_penalty_kind_or_fine_amount():
    lst = [
        major_decisions.MajorRule(item_id="i1"),
        major_decisions.MajorRule(penalty_kind="revoke_licence"),
        major_decisions.MajorRule(fine_from=Decimal(50000)),
    ]
    assert major_decisions.is_major(lst, "i1", [], None)
    assert major_decisions.is_major(lst, "i2", ["revoke_licence"], None)
    assert major_decisions.is_major(lst, "i2", ["fine"], Decimal(50000))
    assert not major_decisions.is_major(lst, "i2", ["fine"], Decimal("49999.99"))
    assert not major_decisions.is_major([], "i1", ["revoke_licence"], Decimal(10**7))


REVIEWER = {
    "reviewer_id": "r1",
    "agency_code": "A",
    "has_legal_qualification": True,
    "may_review_major_decisions": True,
    "officer_id": "o9",
}


def test_a_qualified_reviewer_of_the_same_agency_not_on_the_case_may_review():
    assert major_decisions.reviewer_errors(REVIEWER, "A", ["o1", "o2"]) == []


def test_reviewer_refusals():
    assert major_decisions.reviewer_errors(None, "A", []) == ["not a registered legal reviewer of the case's agency"]
    assert major_decisions.reviewer_errors({**REVIEWER, "agency_code": "B"}, "A", []) == [
        "the reviewer belongs to another agency"
    ]
    assert (
        "qualification"
        in major_decisions.reviewer_errors(
            {**REVIEWER, "has_legal_qualification": False, "may_review_major_decisions": False}, "A", []
        )[0]
    )
    assert major_decisions.reviewer_errors(REVIEWER, "A", ["o1", "o9"]) == ["the reviewer is an officer on this case"]


def test_major_by_enforcement_type_or_circumstance_tier_whatever_the_type():
    lst = [major_decisions.MajorRule(type_code="coercion"), major_decisions.MajorRule(circumstance="serious")]
    assert major_decisions.is_major(lst, "i1", [], None, "coercion")  # a 行政强制 decision, no penalty kinds
    assert not major_decisions.is_major(lst, "i1", [], None, "licensing")
    assert major_decisions.is_major(lst, "i1", ["fine"], Decimal(100), "penalty", "serious")
    assert not major_decisions.is_major(lst, "i1", ["fine"], Decimal(100), "penalty", "general")
    # an item on the list makes a licensing decision major too
    assert major_decisions.is_major([major_decisions.MajorRule(item_id="lic1")], "lic1", [], None, "licensing")


def test_the_county_pool_exists_only_when_the_settings_allow_it():
    assert major_decisions.pool_agencies(True, ["140928-sfj"]) == frozenset({"140928-sfj"})
    assert major_decisions.pool_agencies(False, ["140928-sfj"]) == frozenset()


def test_only_a_first_review_needs_the_legal_qualification():
    assert not major_decisions.qualification_needed(has_legal_qualification=True, reviewed_before=False)
    assert major_decisions.qualification_needed(has_legal_qualification=False, reviewed_before=False)
    assert not major_decisions.qualification_needed(has_legal_qualification=False, reviewed_before=True)
    unqualified = {**REVIEWER, "has_legal_qualification": False, "may_review_major_decisions": False}
    assert "first legal review" in major_decisions.reviewer_errors(unqualified, "A", [])[0]
    assert major_decisions.reviewer_errors(unqualified, "A", [], reviewed_before=True) == []
    # personnel knows of reviews before this system: its may_review_major_decisions counts as experience
    assert major_decisions.reviewer_errors({**unqualified, "may_review_major_decisions": True}, "A", []) == []


def test_a_reviewer_of_the_county_pool_may_review_another_agencys_decision_but_not_as_an_officer_on_it():
    pool = frozenset({"SFJ"})
    lawyer = {**REVIEWER, "agency_code": "SFJ"}
    assert major_decisions.reviewer_errors(lawyer, "A", ["o1"], pool=pool) == []
    assert major_decisions.reviewer_errors(lawyer, "A", ["o1"]) == ["the reviewer belongs to another agency"]
    assert major_decisions.reviewer_errors({**REVIEWER, "agency_code": "B"}, "A", [], pool=pool) == [
        "the reviewer belongs to another agency"
    ]
    assert major_decisions.reviewer_errors(lawyer, "A", ["o9"], pool=pool) == [
        "the reviewer is an officer on this case"
    ]
    assert "county's reviewer pool" in major_decisions.reviewer_errors(None, "A", [], pool=pool)[0]


def test_a_major_decision_waits_for_a_passed_review_on_or_before_it():
    decided = date(2024, 5, 10)
    assert major_decisions.review_blocks_decision(False, [], decided) is None
    assert major_decisions.review_blocks_decision(True, [decided], decided) is None
    assert "legal review" in major_decisions.review_blocks_decision(True, [decided + timedelta(days=1)], decided)
    assert major_decisions.review_blocks_decision(True, [], decided) is not None


# --- the whole evaluation ---------------------------------------------------------------------------
def facts(**changes) -> whole_case.CaseFacts:
    base = {
        "agency_code": "A",
        "item_id": "i1",
        "party_kind": "citizen",
        "procedure": "ordinary",
        "penalty_procedure": True,
        "officer_ids": ["o1", "o2"],
        "dates": {
            "violation_on": date(2024, 6, 1),
            "detected_on": None,
            "filed_on": FILED,
            "notice_on": date(2024, 9, 1),
        },
    }
    base.update(changes)
    return whole_case.CaseFacts(**base)


def test_a_simplified_case_over_the_limit_is_refused_naming_the_procedure():
    case = facts(
        procedure="simplified",
        dates={"filed_on": FILED, "decided_on": FILED},
        penalty_kinds=["fine"],
        fine=Decimal(201),
    )
    result = whole_case.evaluate(case, whole_case.CaseRules(), date(2024, 12, 31), CAL)
    assert list(result.errors) == ["procedure"]
    ok = whole_case.evaluate(
        facts(
            procedure="simplified",
            dates={"filed_on": FILED, "decided_on": FILED},
            penalty_kinds=["fine"],
            fine=Decimal(200),
        ),
        whole_case.CaseRules(),
        date(2024, 12, 31),
        CAL,
    )
    assert ok.errors == {} and ok.conflicts == {} and ok.findings == []


def test_a_late_decision_is_recorded_as_a_warning_not_refused():
    case = facts(dates={**facts().dates, "decided_on": date(2024, 10, 2)}, penalty_kinds=["warning"])
    result = whole_case.evaluate(case, whole_case.CaseRules(), date(2024, 12, 31), CAL)
    assert result.errors == {} and [f.code for f in result.findings] == ["decision_late"]


def test_a_penalty_after_the_limitation_period_is_refused_and_a_filing_warned():
    dates = {"violation_on": date(2022, 1, 1), "detected_on": date(2024, 7, 1), "filed_on": FILED}
    filing = whole_case.evaluate(facts(dates=dates), whole_case.CaseRules(), date(2024, 12, 31), CAL)
    assert [f.code for f in filing.findings] == ["limitation_expired"] and not filing.conflicts
    decided = whole_case.evaluate(
        facts(
            dates={**dates, "notice_on": FILED, "decided_on": date(2024, 8, 1)},
            penalty_kinds=["fine"],
            fine=Decimal(100),
        ),
        whole_case.CaseRules(),
        date(2024, 12, 31),
        CAL,
    )
    assert list(decided.conflicts) == ["violation_on"]
    no_penalty = whole_case.evaluate(
        facts(dates={**dates, "notice_on": FILED, "decided_on": date(2024, 8, 1)}),
        whole_case.CaseRules(),
        date(2024, 12, 31),
        CAL,
    )
    assert not no_penalty.conflicts


def test_a_major_decision_without_review_is_a_conflict():
    case = facts(dates={**facts().dates, "decided_on": date(2024, 9, 10)}, penalty_kinds=["warning"], major=True)
    assert list(whole_case.evaluate(case, whole_case.CaseRules(), date(2024, 12, 31), CAL).conflicts) == [
        "legal_review"
    ]
    case.passed_review_dates = [date(2024, 9, 9)]
    assert whole_case.evaluate(case, whole_case.CaseRules(), date(2024, 12, 31), CAL).conflicts == {}


def test_hearing_and_service_findings():
    dates = {
        **facts().dates,
        "notice_on": NOTICE,
        "hearing_requested_on": date(2024, 9, 30),
        "hearing_notice_on": date(2024, 9, 30),
        "hearing_held_on": date(2024, 10, 11),
        "decided_on": date(2024, 10, 14),
        "served_on": date(2024, 10, 24),
    }
    result = whole_case.evaluate(
        facts(dates=dates, penalty_kinds=["warning"]), whole_case.CaseRules(), date(2024, 12, 31), CAL
    )
    assert [f.code for f in result.findings] == ["hearing_notice_short", "decision_late", "service_late"]


def test_other_types_skip_the_penalty_procedure():
    case = facts(penalty_procedure=False, dates={"filed_on": FILED, "decided_on": date(2025, 1, 1)})
    assert whole_case.evaluate(case, whole_case.CaseRules(), date(2025, 6, 1), CAL).findings == []


@pytest.mark.parametrize("type_code", ["licensing", "levy", "confirmation", "benefit", "coercion", "inspection"])
def test_a_major_decision_of_every_enforcement_type_waits_for_its_legal_review(type_code):
    decided = date(2024, 9, 10)
    case = facts(
        penalty_procedure=False, type_code=type_code, dates={"filed_on": FILED, "decided_on": decided}, major=True
    )
    refused = whole_case.evaluate(case, whole_case.CaseRules(), date(2024, 12, 31), CAL)
    assert list(refused.conflicts) == ["legal_review"]
    case.passed_review_dates = [decided]
    assert whole_case.evaluate(case, whole_case.CaseRules(), date(2024, 12, 31), CAL).conflicts == {}
    undecided = facts(penalty_procedure=False, type_code=type_code, dates={"filed_on": FILED}, major=True)
    assert whole_case.evaluate(undecided, whole_case.CaseRules(), date(2024, 12, 31), CAL).conflicts == {}


HEARING = {
    "violation_on": date(2024, 6, 1),
    "filed_on": FILED,
    "notice_on": date(2024, 9, 2),  # a Monday: the 5th working day after is Monday 9 Sep
    "hearing_requested_on": date(2024, 9, 9),
    "decided_on": date(2024, 9, 20),
}


def test_a_hearing_requested_in_time_and_neither_held_nor_withdrawn_blocks_the_decision():
    rules = whole_case.CaseRules()
    refused = whole_case.evaluate(facts(dates=HEARING, penalty_kinds=["warning"]), rules, date(2024, 12, 31), CAL)
    assert list(refused.conflicts) == ["hearing_held_on"] and "withdrawal" in refused.conflicts["hearing_held_on"][0]
    withdrawn = {**HEARING, "hearing_withdrawn_on": date(2024, 9, 12)}
    ok = whole_case.evaluate(facts(dates=withdrawn, penalty_kinds=["warning"]), rules, date(2024, 12, 31), CAL)
    assert ok.conflicts == {} and ok.errors == {}
    held = {**HEARING, "hearing_notice_on": date(2024, 9, 9), "hearing_held_on": date(2024, 9, 18)}
    ok = whole_case.evaluate(facts(dates=held, penalty_kinds=["warning"]), rules, date(2024, 12, 31), CAL)
    assert ok.conflicts == {} and ok.errors == {}
    # asked for a day late (the 6th working day): the agency need not hold it, a warning only
    late = {**HEARING, "hearing_requested_on": date(2024, 9, 10)}
    warned = whole_case.evaluate(facts(dates=late, penalty_kinds=["warning"]), rules, date(2024, 12, 31), CAL)
    assert warned.conflicts == {} and "hearing_request_late" in [f.code for f in warned.findings]


@pytest.mark.parametrize(
    "type_code, two_officer_types, refused",
    [
        ("penalty", (), True),
        ("coercion", (), True),
        ("inspection", (), True),
        ("licensing", (), False),
        ("confirmation", (), False),
        ("benefit", (), False),
        ("licensing", ("licensing",), True),
        ("benefit", ("licensing",), False),
    ],
)
def test_one_officer_is_refused_for_the_laws_types_and_the_types_the_county_adds(type_code, two_officer_types, refused):
    rules = whole_case.CaseRules(two_officer_types=two_officer_types)
    case = facts(officer_ids=["o1"], penalty_procedure=type_code == "penalty", type_code=type_code)
    result = whole_case.evaluate(case, rules, date(2024, 12, 31), CAL)
    assert ("officers" in result.errors) is refused


def test_warnings_are_recorded_once():
    first, added = whole_case.merge_findings(
        [], [discretion.Finding("a", "f", "m"), discretion.Finding("a", "f", "again")]
    )
    assert len(first) == 1 and added == first
    again, added = whole_case.merge_findings(
        first, [discretion.Finding("a", "f", "m"), discretion.Finding("b", "g", "n")]
    )
    assert [w["code"] for w in again] == ["a", "b"] and [w["code"] for w in added] == ["b"]
