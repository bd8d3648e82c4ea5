"""The cases service's pure rules of procedure: officers, on-the-spot limits, the 90 days, missed deadlines,
hearings and service, limitation, stage dates (National Day 2024: Oct 1-7 off, Sep 29 and Oct 12 worked)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cases_service.rules import (
    periods,
    procedure,
)
from enforcement_kernel.workdays import WorkCalendar, workdays_between

CAL = WorkCalendar()


# --- officers -------------------------------------------------------------------------------
def test_at_least_two_distinct_officers():
    assert procedure.officer_count_error(["a", "b"]) is None
    assert "at least 2" in procedure.officer_count_error(["a"])
    assert "twice" in procedure.officer_count_error(["a", "a"])
    assert procedure.officer_count_error(["a", "b"], minimum=3) is not None


def test_two_officers_for_penalty_coercion_and_inspection_and_the_types_a_county_adds():
    for type_code in procedure.LAW_TWO_OFFICER_TYPES:
        assert procedure.officers_required(type_code) == 2
        assert procedure.officers_required(type_code, ("licensing",)) == 2  # the law's types whatever the setting
    assert procedure.officers_required("licensing") == 1
    assert procedure.officers_required("licensing", ("licensing", "benefit")) == 2
    assert procedure.officers_required("confirmation", ("licensing", "benefit")) == 1
    assert procedure.officers_required("coercion", minimum=3) == 3


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


def test_a_hearing_requested_in_time_blocks_the_decision_until_held_or_withdrawn_across_the_holiday():
    asked = {"notice_on": NOTICE, "hearing_requested_on": date(2024, 10, 10), "decided_on": date(2024, 10, 20)}
    assert "not held" in procedure.hearing_blocks_decision(asked, calendar=CAL)  # the 5th working day: in time
    late = {**asked, "hearing_requested_on": date(2024, 10, 11)}  # the 6th: the agency need not hold one
    assert procedure.hearing_blocks_decision(late, calendar=CAL) is None
    assert procedure.hearing_blocks_decision({**asked, "hearing_held_on": date(2024, 10, 18)}, calendar=CAL) is None
    assert (
        procedure.hearing_blocks_decision({**asked, "hearing_withdrawn_on": date(2024, 10, 18)}, calendar=CAL) is None
    )
    assert procedure.hearing_blocks_decision({**asked, "decided_on": None}, calendar=CAL) is None  # not decided yet
    assert procedure.hearing_blocks_decision({"notice_on": NOTICE, "decided_on": date(2024, 10, 20)}) is None


def test_a_withdrawal_follows_the_request_precedes_the_decision_and_excludes_a_held_hearing():
    today = date(2024, 12, 31)
    base = {"filed_on": date(2024, 9, 1), "notice_on": NOTICE}
    assert procedure.stage_errors({**base, "hearing_withdrawn_on": date(2024, 10, 8)}, today) == {
        "hearing_withdrawn_on": ["needs hearing_requested_on first"]
    }
    asked = {**base, "hearing_requested_on": date(2024, 10, 8)}
    assert procedure.stage_errors({**asked, "hearing_withdrawn_on": date(2024, 10, 8)}, today) == {}
    assert (
        "must not be before hearing_requested_on"
        in procedure.stage_errors({**asked, "hearing_withdrawn_on": date(2024, 10, 7)}, today)["hearing_withdrawn_on"][
            0
        ]
    )
    assert (
        "must not be before hearing_withdrawn_on"
        in procedure.stage_errors(
            {**asked, "hearing_withdrawn_on": date(2024, 10, 9), "decided_on": date(2024, 10, 8)}, today
        )["decided_on"][0]
    )
    held = {**asked, "hearing_notice_on": date(2024, 10, 8), "hearing_held_on": date(2024, 10, 18)}
    assert procedure.stage_errors({**held, "hearing_withdrawn_on": date(2024, 10, 9)}, today) == {
        "hearing_withdrawn_on": ["the hearing was held; a held hearing is not withdrawn"]
    }


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
