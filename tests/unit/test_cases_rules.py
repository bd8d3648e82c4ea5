"""The cases service's pure rules at their boundaries (no broker, no database).

Dates around the 2024 National Day holiday (Oct 1-7 off; Sunday Sep 29 and Saturday Oct 12 are make-up working
days) show which periods are calendar days (art. 60's 90 days) and which are working days (art. 85: 2/3/5/7 days).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cases_service.rules import (
    cataloguing,
    discretion,
    draws,
    file_review,
    handover,
    inspection_limits,
    major_decisions,
    periods,
    privacy,
    procedure,
    whole_case,
)
from enforcement_contracts import cases as contract
from enforcement_kernel.workdays import WorkCalendar, is_workday, workdays_between

CAL = WorkCalendar()


def test_the_calendar_is_the_official_one_for_2024():
    assert not any(is_workday(date(2024, 10, d)) for d in range(1, 8))
    assert is_workday(date(2024, 9, 29)) and is_workday(date(2024, 10, 12))  # make-up working days (调休)


# --- personal data --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, masked", [("张三", "张*"), ("张", "张*"), ("欧阳娜娜", "欧***"), (" 李四 ", "李*"), ("", "")]
)
def test_natural_persons_names_are_masked_surname_kept(name, masked):
    assert privacy.mask_person_name(name) == masked


def test_organisations_are_published_by_name_citizens_masked():
    assert privacy.party_display_name("organisation", "五寨县某某商贸有限公司") == "五寨县某某商贸有限公司"
    assert privacy.party_display_name("citizen", "王小明") == "王**"


def test_id_numbers_are_masked():
    assert privacy.mask_id_number("14092819850615001X") == "140928********001X"
    assert privacy.mask_id_number("G1234567") == "G1****67"
    assert privacy.mask_id_number("abc") == "***"


# --- catalogue ------------------------------------------------------------------------------
@pytest.mark.parametrize("basis", ["", "  ", None, "x"])
def test_no_legal_basis_no_item(basis):
    with pytest.raises(ValueError, match="legal basis"):
        cataloguing.require_legal_basis(basis)


def test_a_legal_basis_is_kept_trimmed():
    assert cataloguing.require_legal_basis(" 《食品安全法》第一百二十二条 ") == "《食品安全法》第一百二十二条"


def test_the_version_in_force_on_a_day():
    spans = [
        cataloguing.VersionSpan(1, date(2020, 1, 1), date(2024, 6, 30)),
        cataloguing.VersionSpan(2, date(2024, 7, 1), None),
    ]
    assert cataloguing.version_in_force(spans, date(2019, 12, 31)) is None
    assert cataloguing.version_in_force(spans, date(2020, 1, 1)).version == 1
    assert cataloguing.version_in_force(spans, date(2024, 6, 30)).version == 1
    assert cataloguing.version_in_force(spans, date(2024, 7, 1)).version == 2
    assert cataloguing.version_in_force(spans, date(2030, 1, 1)).version == 2


def test_a_new_version_starts_after_the_current_one():
    assert cataloguing.check_new_version_date(date(2024, 1, 1), date(2024, 1, 2)) == date(2024, 1, 1)
    with pytest.raises(ValueError):
        cataloguing.check_new_version_date(date(2024, 1, 1), date(2024, 1, 1))


def test_dormant_items_have_no_case_in_five_years():
    as_of = date(2025, 6, 30)
    cutoff = cataloguing.dormant_cutoff(as_of, 5)
    assert cutoff == date(2020, 6, 30)
    since = date(2015, 1, 1)
    assert cataloguing.is_dormant(None, since, as_of)
    assert cataloguing.is_dormant(cutoff - timedelta(days=1), since, as_of)
    assert not cataloguing.is_dormant(cutoff, since, as_of)  # a case on the cutoff day is within the five years
    assert not cataloguing.is_dormant(None, cutoff + timedelta(days=1), as_of)  # in the catalogue for less than 5 years
    assert cataloguing.is_dormant(None, cutoff, as_of)
    assert cataloguing.is_dormant(date(2022, 1, 1), since, as_of, years=3)


# --- benchmarks -----------------------------------------------------------------------------
TIERS = [
    discretion.Tier("minor", "轻微", ("warning",)),
    discretion.Tier("general", "一般", ("warning", "fine"), Decimal(1000), Decimal(5000)),
    discretion.Tier("serious", "较重", ("fine", "confiscate_income"), Decimal(5000), Decimal(20000)),
]


def codes(findings):
    return [(f.code, f.field) for f in findings]


@pytest.mark.parametrize("fine", [Decimal(1000), Decimal(5000), Decimal("2500.50")])
def test_a_fine_within_its_tier_is_not_flagged(fine):
    assert discretion.benchmark_findings(TIERS, "general", ["fine"], fine) == []


@pytest.mark.parametrize("fine, bound", [(Decimal("999.99"), "below"), (Decimal("5000.01"), "above")])
def test_a_fine_outside_its_tier_is_flagged(fine, bound):
    [finding] = discretion.benchmark_findings(TIERS, "general", ["fine"], fine)
    assert finding.code == "outside_benchmark" and finding.field == "decision.penalty.fine_amount"
    assert bound in finding.message


def test_a_penalty_kind_the_tier_does_not_allow_is_flagged():
    assert codes(discretion.benchmark_findings(TIERS, "minor", ["fine"], Decimal(100))) == [
        ("outside_benchmark", "decision.penalty.kinds")
    ]


def test_the_mitigated_list_allows_below_the_minimum_only_when_the_item_is_on_it():
    below = Decimal(500)
    assert discretion.benchmark_findings(TIERS, "general", ["fine"], below, "mitigated", {"mitigated"}) == []
    assert codes(discretion.benchmark_findings(TIERS, "general", ["fine"], below, "mitigated", set())) == [
        ("lenient_not_listed", "decision.lenient"),
        ("outside_benchmark", "decision.penalty.fine_amount"),
    ]
    # 从轻 stays within the range
    assert codes(discretion.benchmark_findings(TIERS, "general", ["fine"], below, "lighter", {"lighter"})) == [
        ("outside_benchmark", "decision.penalty.fine_amount")
    ]
    # never above the maximum
    assert codes(
        discretion.benchmark_findings(TIERS, "general", ["fine"], Decimal(6000), "mitigated", {"mitigated"})
    ) == [("outside_benchmark", "decision.penalty.fine_amount")]


def test_no_benchmark_nothing_to_compare_and_a_missing_tier_is_asked_for():
    assert discretion.benchmark_findings([], None, ["fine"], Decimal(10**6)) == []
    assert codes(discretion.benchmark_findings(TIERS, None, ["fine"], Decimal(100))) == [
        ("circumstance_missing", "decision.circumstance")
    ]
    assert discretion.benchmark_findings(TIERS, None, [], None) == []  # no penalty: nothing to grade


@pytest.mark.parametrize(
    "listed, minor, prior, kinds, flagged",
    [
        (True, True, 0, ["warning"], True),
        (True, True, 0, [], False),  # not penalised: as the law wants
        (True, True, 1, ["fine"], False),  # not the first within the window
        (True, False, 0, ["fine"], False),  # not minor
        (False, True, 0, ["fine"], False),  # the item is not on the 首违不罚 list
    ],
)
def test_a_penalised_first_minor_violation_on_the_exempt_list_is_flagged(listed, minor, prior, kinds, flagged):
    assert discretion.first_violation_penalised(listed, minor, prior, kinds) is flagged


def test_the_first_violation_window_is_twelve_months_back():
    assert discretion.first_violation_window_start(date(2024, 10, 8)) == date(2023, 10, 8)
    assert discretion.first_violation_window_start(date(2024, 2, 29)) == date(2023, 2, 28)
    assert discretion.first_violation_window_start(date(2024, 10, 8), 6) == date(2024, 4, 8)


# --- officers -------------------------------------------------------------------------------
def test_at_least_two_distinct_officers():
    assert procedure.officer_count_error(["a", "b"]) is None
    assert "at least 2" in procedure.officer_count_error(["a"])
    assert "twice" in procedure.officer_count_error(["a", "a"])
    assert procedure.officer_count_error(["a", "b"], minimum=3) is not None


# --- on-the-spot procedure (art. 51) ------------------------------------------------------------
@pytest.mark.parametrize(
    "kind, amount, allowed",
    [
        ("citizen", Decimal(200), True),
        ("citizen", Decimal("200.01"), False),
        ("citizen", Decimal(201), False),
        ("organisation", Decimal(3000), True),
        ("organisation", Decimal(3001), False),
    ],
)
def test_on_the_spot_fine_limits(kind, amount, allowed):
    assert (procedure.on_the_spot_error(kind, ["fine"], amount) is None) is allowed


def test_on_the_spot_allows_a_warning_but_no_other_kind():
    assert procedure.on_the_spot_error("citizen", ["warning"], None) is None
    assert "confiscate_income" in procedure.on_the_spot_error(
        "organisation", ["fine", "confiscate_income"], Decimal(10)
    )


def test_on_the_spot_limits_are_settings():
    assert procedure.on_the_spot_error("citizen", ["fine"], Decimal(201), citizen_limit=Decimal(500)) is None


# --- the 90 days of art. 60 ---------------------------------------------------------------------
FILED = date(2024, 7, 3)  # the 90th day after is Oct 1, inside the National Day holiday


def test_day_90_is_in_time_and_day_91_is_late_even_across_the_national_holiday():
    day90, day91 = date(2024, 10, 1), date(2024, 10, 2)
    assert (day90 - FILED).days == 90
    on_time = procedure.decision_timing(FILED, day90, [], [], calendar=CAL)
    late = procedure.decision_timing(FILED, day91, [], [], calendar=CAL)
    assert on_time.on_time and on_time.days_taken == 90 and on_time.deadline.due_on == day90
    assert not late.on_time and late.days_taken == 91
    # the 90 days are calendar days: counted in working days both decisions took the same time
    assert workdays_between(FILED, day90) == workdays_between(FILED, day91)
    assert on_time.promptness.workdays_taken == late.promptness.workdays_taken


def test_suspended_days_are_excluded():
    pause = procedure.SuspensionSpan(date(2024, 8, 1), date(2024, 8, 11))  # 10 days
    assert procedure.suspended_days([pause], date(2024, 12, 31)) == 10
    timing = procedure.decision_timing(FILED, date(2024, 10, 11), [pause], [], calendar=CAL)
    assert timing.on_time and timing.days_taken == 90 and timing.deadline.due_on == date(2024, 10, 11)
    assert not procedure.decision_timing(FILED, date(2024, 10, 12), [pause], [], calendar=CAL).on_time


def test_overlapping_and_open_suspensions_count_once():
    spans = [
        procedure.SuspensionSpan(date(2024, 8, 1), date(2024, 8, 11)),
        procedure.SuspensionSpan(date(2024, 8, 5), date(2024, 8, 15)),
    ]
    assert procedure.suspended_days(spans, date(2024, 12, 31)) == 14
    assert procedure.suspended_days([procedure.SuspensionSpan(date(2024, 9, 1), None)], date(2024, 9, 21)) == 20


def test_an_extension_counts_when_approved_before_the_deadline():
    before = procedure.ExtensionGrant(30, date(2024, 10, 1))
    after = procedure.ExtensionGrant(30, date(2024, 10, 2))
    timing = procedure.decision_timing(FILED, date(2024, 10, 31), [], [before], calendar=CAL)
    assert timing.on_time and timing.deadline.extension_days == 30
    late = procedure.decision_timing(FILED, date(2024, 10, 31), [], [after], calendar=CAL)
    assert not late.on_time and late.deadline.late_extensions == (after,)


# --- missed deadlines: obligations still open after their deadline (the deadline watch) ----------------
def test_an_undecided_case_is_missed_the_day_after_its_90th_day_not_on_it():
    assert procedure.decision_missed(FILED, [], [], date(2024, 10, 1)) is None  # day 90: deciding today is in time
    assert procedure.decision_missed(FILED, [], [], date(2024, 10, 2)) == date(2024, 10, 1)
    assert procedure.decision_missed(FILED, [], [], date(2024, 10, 2), limit_days=120) is None  # the county's setting


def test_a_suspension_moves_the_missed_day_and_an_open_one_stops_the_clock():
    pause = procedure.SuspensionSpan(date(2024, 8, 1), date(2024, 8, 11))  # 10 days
    assert procedure.decision_missed(FILED, [pause], [], date(2024, 10, 11)) is None
    assert procedure.decision_missed(FILED, [pause], [], date(2024, 10, 12)) == date(2024, 10, 11)
    still_suspended = procedure.SuspensionSpan(date(2024, 9, 1), None)
    assert procedure.decision_missed(FILED, [still_suspended], [], date(2025, 6, 30)) is None
    resumed = procedure.SuspensionSpan(date(2024, 9, 1), date(2024, 9, 21))  # 20 days
    assert procedure.decision_missed(FILED, [resumed], [], date(2024, 10, 22)) == date(2024, 10, 21)


def test_an_extension_approved_in_time_moves_the_missed_day_a_late_one_does_not():
    in_time = procedure.ExtensionGrant(30, date(2024, 10, 1))  # approved on the due day itself
    assert procedure.decision_missed(FILED, [], [in_time], date(2024, 10, 31)) is None
    assert procedure.decision_missed(FILED, [], [in_time], date(2024, 11, 1)) == date(2024, 10, 31)
    late = procedure.ExtensionGrant(30, date(2024, 10, 2))
    assert procedure.decision_missed(FILED, [], [late], date(2024, 10, 2)) == date(2024, 10, 1)


def test_an_unpublished_decision_is_missed_after_seven_working_days_across_the_holiday_week():
    decided = date(2024, 9, 27)  # Friday before National Day: Sep 29 (Sun) is a working day, Oct 1-7 are not
    assert procedure.workdays_missed(decided, date(2024, 10, 7), 7, CAL) is None
    assert procedure.workdays_missed(decided, date(2024, 10, 12), 7, CAL) is None  # working Saturday: day 7
    # the Sunday after the due day is still in time: publishing then counts 7 working days, as the measurement does
    assert procedure.workdays_missed(decided, date(2024, 10, 13), 7, CAL) is None
    assert procedure.workdays_missed(decided, date(2024, 10, 14), 7, CAL) == date(2024, 10, 12)
    on_sunday = periods.workday_promptness(decided, date(2024, 10, 13), 7, CAL)
    assert on_sunday.on_time and on_sunday.due_on == date(2024, 10, 12)


# --- hearings (art. 64) and service (art. 61): working days --------------------------------------
NOTICE = date(2024, 9, 27)  # a Friday before the holiday


def test_hearing_request_within_five_working_days_across_the_holiday():
    # Sep 29 (make-up Sunday), Sep 30, Oct 8, 9, 10
    assert procedure.hearing_request_in_time(NOTICE, date(2024, 10, 10), calendar=CAL)
    assert not procedure.hearing_request_in_time(NOTICE, date(2024, 10, 11), calendar=CAL)


def test_hearing_notice_seven_working_days_before_the_hearing():
    # Sep 29, 30, Oct 8, 9, 10, 11, 12 (make-up Saturday): a hearing on Oct 12 had 7 working days' notice
    assert procedure.hearing_notice_sufficient(NOTICE, date(2024, 10, 12), calendar=CAL)
    assert not procedure.hearing_notice_sufficient(NOTICE, date(2024, 10, 11), calendar=CAL)


def test_service_within_seven_working_days():
    assert periods.workday_promptness(NOTICE, date(2024, 10, 12), 7, CAL).on_time
    late = periods.workday_promptness(NOTICE, date(2024, 10, 14), 7, CAL)
    assert not late.on_time and late.workdays_taken == 8 and late.due_on == date(2024, 10, 12)


# --- limitation (art. 36) -------------------------------------------------------------------------
def test_two_years_then_no_penalty():
    assert not procedure.limitation_expired(date(2022, 3, 1), date(2024, 3, 1), "none")
    assert procedure.limitation_expired(date(2022, 3, 1), date(2024, 3, 2), "none")


@pytest.mark.parametrize("harm", ["life_health", "financial"])
def test_five_years_where_life_health_or_finance_was_harmed(harm):
    assert not procedure.limitation_expired(date(2019, 3, 1), date(2024, 3, 1), harm)
    assert procedure.limitation_expired(date(2019, 3, 1), date(2024, 3, 2), harm)


def test_limitation_from_the_29th_of_february():
    assert not procedure.limitation_expired(date(2024, 2, 29), date(2026, 2, 28), "none")
    assert procedure.limitation_expired(date(2024, 2, 29), date(2026, 3, 1), "none")


# --- stage dates ----------------------------------------------------------------------------------
def test_stage_dates_must_follow_each_other_and_not_lie_ahead():
    today = date(2024, 12, 31)
    errors = procedure.stage_errors(
        {"filed_on": date(2024, 5, 1), "decided_on": date(2024, 4, 30), "served_on": date(2025, 1, 1)}, today
    )
    assert "must not be before filed_on" in errors["decided_on"][0]
    assert errors["served_on"] == ["must not be in the future"]
    assert procedure.stage_errors({"filed_on": date(2024, 5, 1), "served_on": date(2024, 5, 2)}, today) == {
        "served_on": ["needs decided_on first"]
    }
    assert procedure.stage_errors({"filed_on": date(2024, 5, 1), "closed_on": date(2024, 5, 2)}, today) == {}  # 销案


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


# --- draws ------------------------------------------------------------------------------------------
def test_a_seeded_draw_is_reproducible_and_independent_of_input_order():
    population = [f"c{i}" for i in range(50)]
    first = draws.seeded_sample(population, 5, "2024-Q3-batch")
    assert first == draws.seeded_sample(list(reversed(population)), 5, "2024-Q3-batch")
    assert first != draws.seeded_sample(population, 5, "another seed")
    assert len(draws.seeded_sample(population[:3], 5, "s")) == 3


def test_rule_constants_match_the_contract():
    assert discretion.LIGHTER in contract.LENIENT_LISTS and discretion.MITIGATED in contract.LENIENT_LISTS
    assert discretion.FIRST_VIOLATION_EXEMPT in contract.LENIENT_LISTS
    assert (file_review.GRADE_EXCELLENT, file_review.GRADE_PASS, file_review.GRADE_FAIL) == contract.REVIEW_GRADES


# --- transfers (国务院令310号) ---------------------------------------------------------------------
def test_hand_over_within_24_hours_of_the_decision():
    from datetime import datetime

    decided = datetime(2024, 9, 30, 16, 0)
    assert handover.handover_promptness(decided, datetime(2024, 10, 1, 16, 0), calendar=CAL).on_time
    late = handover.handover_promptness(decided, datetime(2024, 10, 1, 16, 1), calendar=CAL)
    assert not late.on_time and late.workdays_taken == 0  # Oct 1 is a holiday: hours decide, not working days
    with pytest.raises(ValueError):
        handover.handover_promptness(decided, datetime(2024, 9, 30, 15, 0))


def test_transfer_decision_and_acknowledgement_within_three_working_days():
    # proposed Friday Sep 27: Sep 29 (make-up Sunday), Sep 30, Oct 8
    assert periods.workday_promptness(NOTICE, date(2024, 10, 8), 3, CAL).on_time
    assert not periods.workday_promptness(NOTICE, date(2024, 10, 9), 3, CAL).on_time


def test_unmet_transfer_legs_are_missed_once_their_time_has_run_out():
    from datetime import datetime

    decided = datetime(2024, 9, 30, 16, 0)  # hand-over due by 16:00 on Oct 1, a holiday: hours count, not working days
    assert handover.handover_missed(decided, datetime(2024, 10, 1, 16, 0)) is None  # the last instant is still in time
    assert handover.handover_missed(decided, datetime(2024, 10, 1, 16, 1)) == date(2024, 10, 1)
    assert handover.handover_missed(decided, datetime(2024, 10, 1, 16, 1), hours=48) is None
    # proposed Friday Sep 27: 3 working days end on Oct 8 (Sep 29, Sep 30, Oct 8); still undecided on Oct 9: missed
    assert procedure.workdays_missed(NOTICE, date(2024, 10, 8), 3, CAL) is None
    assert procedure.workdays_missed(NOTICE, date(2024, 10, 9), 3, CAL) == date(2024, 10, 8)


# --- enterprise inspections ----------------------------------------------------------------------
LIMITS = inspection_limits.InspectionLimits(yearly_cap=2, repeat_window_days=30, high_frequency=4)


def history(by_agency=0, last=None, everyone=0):
    return inspection_limits.InspectionHistory(by_agency, last, everyone)


def test_the_yearly_cap_per_enterprise_per_agency():
    day = date(2024, 6, 1)
    assert inspection_limits.inspection_check("routine", day, history(1, date(2024, 1, 5), 1), LIMITS) == (None, [])
    refusal, _ = inspection_limits.inspection_check("routine", day, history(2, date(2024, 3, 5), 2), LIMITS)
    assert "yearly cap is 2" in refusal
    refusal, _ = inspection_limits.inspection_check("double_random", day, history(2, None, 2), LIMITS)
    assert refusal is not None


def test_complaints_and_referrals_pass_the_cap_with_a_warning():
    refusal, findings = inspection_limits.inspection_check(
        "complaint", date(2024, 6, 1), history(2, date(2024, 3, 5), 2), LIMITS
    )
    assert refusal is None and [f.code for f in findings] == ["over_yearly_cap"]


def test_repeated_within_the_window_and_high_frequency_are_warned():
    day = date(2024, 6, 1)
    _, within = inspection_limits.inspection_check("routine", day, history(1, day - timedelta(days=30), 1), LIMITS)
    assert [f.code for f in within] == ["repeated"]
    _, outside = inspection_limits.inspection_check("routine", day, history(1, day - timedelta(days=31), 1), LIMITS)
    assert outside == []
    _, third = inspection_limits.inspection_check("routine", day, history(0, None, 2), LIMITS)
    assert third == []
    _, fourth = inspection_limits.inspection_check("routine", day, history(0, None, 3), LIMITS)
    assert [f.code for f in fourth] == ["high_frequency"]


def test_a_double_random_draw_replays_from_its_seed():
    targets = [f"9114092{i:011d}" for i in range(40)]
    inspectors = [f"o{i}" for i in range(7)]
    first = draws.draw_assignments(targets, inspectors, 5, "seed-2024-06")
    assert first == draws.draw_assignments(list(reversed(targets)), list(reversed(inspectors)), 5, "seed-2024-06")
    assert len(first) == 5 and len({t for t, _ in first}) == 5
    assert all(len(set(pair)) == 2 and set(pair) <= set(inspectors) for _, pair in first)
    assert first != draws.draw_assignments(targets, inspectors, 5, "seed-2024-07")
    assert len(draws.draw_assignments(targets[:3], inspectors, 5, "s")) == 3  # fewer targets than asked: all of them
    with pytest.raises(ValueError, match="at least 2"):
        draws.draw_assignments(targets, ["o1"], 5, "s")


# --- case-file review (案卷评查) -------------------------------------------------------------------
def checklist():
    from cases_service.seed_data import CHECKLIST_V1

    return [file_review.CheckItem(i["code"], i["label"], i["section"], i["points"]) for i in CHECKLIST_V1["items"]]


def test_the_seeded_checklist_is_valid_and_a_broken_one_is_explained():
    assert file_review.checklist_errors(checklist()) == []
    broken = checklist()[:-1] + [file_review.CheckItem("subject", "重复", "basic", 3)]
    problems = file_review.checklist_errors(broken)
    assert any("unique" in p for p in problems) and any("no points" in p for p in problems)
    assert any("content items add up to 70" in p for p in problems)


@pytest.mark.parametrize(
    "deducted, total, grade",
    [(0, 100, "excellent"), (10, 90, "excellent"), (11, 89, "pass"), (30, 70, "pass"), (31, 69, "fail")],
)
def test_grades_at_their_thresholds(deducted, total, grade):
    # spread over content items (each deducts at most its points)
    deductions, left = [], deducted
    for code, most in (("investigation", 20), ("discretion", 20), ("rights", 15)):
        take = min(most, left)
        if take:
            deductions.append((code, take))
        left -= take
    score = file_review.score_file(checklist(), [], deductions)
    assert (score.total, score.grade) == (total, grade) and score.form == 20


def test_a_failed_basic_item_fails_the_whole_file_with_zero():
    score = file_review.score_file(checklist(), ["two_officers"], [])
    assert (score.total, score.grade, score.basic_failures) == (0, "fail", ("two_officers",))


def test_deductions_are_bounded_by_their_items_and_sections_floor_at_zero():
    with pytest.raises(ValueError, match="at most 10"):
        file_review.score_file(checklist(), [], [("documents", 6), ("documents", 5)])
    with pytest.raises(ValueError, match="not a form or content item"):
        file_review.score_file(checklist(), [], [("evidence", 1)])
    with pytest.raises(ValueError, match="not a basic item"):
        file_review.score_file(checklist(), ["documents"], [])
    generous = [
        file_review.CheckItem("b", "基本", "basic"),
        file_review.CheckItem("f1", "形式一", "form", 15),
        file_review.CheckItem("f2", "形式二", "form", 15),
        file_review.CheckItem("c", "内容", "content", 80),
    ]
    assert file_review.score_file(generous, [], [("f1", 15), ("f2", 10)]).form == 0


def test_grade_thresholds_are_settings():
    assert file_review.review_grade(85, excellent=85, passing=60) == "excellent"
    assert file_review.review_grade(60, excellent=85, passing=60) == "pass"
    assert file_review.review_grade(59, excellent=85, passing=60) == "fail"


def test_a_reviewer_from_the_same_agency_is_refused():
    assert file_review.reviewer_agency_error("140928-scjgj", "140928-scjgj") is not None
    assert file_review.reviewer_agency_error("140928-sfj", "140928-scjgj") is None
