"""The cases service's pure rules: major decisions, legal review and the evaluation of a whole case."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

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
        "qualification" in major_decisions.reviewer_errors({**REVIEWER, "has_legal_qualification": False}, "A", [])[0]
    )
    assert major_decisions.reviewer_errors(REVIEWER, "A", ["o1", "o9"]) == ["the reviewer is an officer on this case"]


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


def test_warnings_are_recorded_once():
    first, added = whole_case.merge_findings(
        [], [discretion.Finding("a", "f", "m"), discretion.Finding("a", "f", "again")]
    )
    assert len(first) == 1 and added == first
    again, added = whole_case.merge_findings(
        first, [discretion.Finding("a", "f", "m"), discretion.Finding("b", "g", "n")]
    )
    assert [w["code"] for w in again] == ["a", "b"] and [w["code"] for w in added] == ["b"]
