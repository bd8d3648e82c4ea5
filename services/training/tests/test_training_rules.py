"""Pure compliance rules of the training service (no database, no broker)."""

from __future__ import annotations

from datetime import date

import pytest

from training_service import rules

POLICY = rules.Policy(yearly_hours={"public_law": 30, "professional": 30}, rotation_deadline=date(2024, 6, 30))


def totals(public_law=30.0, professional=30.0, year=2025, required_done=1, required_total=1, trained=True, **more):
    return rules.YearTotals(
        officer_id="o1",
        agency_code="140928-scjgj",
        year=year,
        hours_by_category={"public_law": public_law, "professional": professional, **more},
        required_done=required_done,
        required_total=required_total,
        trained_by_deadline=trained,
    )


def test_exactly_thirty_hours_in_each_category_is_compliant():
    result = rules.evaluate(totals(30.0, 30.0), POLICY)
    assert result.compliant is True and result.reasons == []
    assert result.shortfall_by_category == {"public_law": 0.0, "professional": 0.0} and result.short_hours == 0


def test_half_an_hour_below_the_threshold_is_short_by_that_much():
    result = rules.evaluate(totals(29.5, 30.0), POLICY)
    assert result.compliant is False
    assert result.shortfall_by_category == {"public_law": 0.5, "professional": 0.0}
    assert result.reasons == ["hours_short:public_law"] and result.short_hours == 0.5


def test_hours_of_a_category_without_threshold_do_not_make_up_for_another():
    result = rules.evaluate(totals(0.0, 60.0, political=40.0), POLICY)
    assert result.compliant is False and result.shortfall_by_category["public_law"] == 30.0
    assert result.hours_by_category["political"] == 40.0


def test_a_missing_category_counts_as_zero_hours():
    result = rules.evaluate(rules.YearTotals("o1", "a-1", 2025, {}, 1, 1, True), POLICY)
    assert result.hours_by_category == {"public_law": 0.0, "professional": 0.0}
    assert result.short_hours == 60.0


def test_thresholds_are_settings():
    lenient = rules.Policy(yearly_hours={"public_law": 20, "professional": 10}, rotation_deadline=None)
    assert rules.evaluate(totals(20.0, 10.0), lenient).compliant is True
    with pytest.raises(ValueError):
        rules.Policy(yearly_hours={"public_law": -1})


def test_required_courses_not_done():
    result = rules.evaluate(totals(required_done=1, required_total=2), POLICY)
    assert result.compliant is False and result.required_courses_done is False
    assert result.required_courses_missing == 1 and result.reasons == ["required_course_not_done"]
    assert rules.evaluate(totals(required_done=0, required_total=0), POLICY).required_courses_done is True


def test_rotation_is_judged_in_the_deadline_year_only():
    in_2024 = rules.evaluate(totals(year=2024, trained=False), POLICY)
    assert (
        in_2024.rotation_done is False and in_2024.compliant is False and "not_rotated_by_deadline" in in_2024.reasons
    )
    assert rules.evaluate(totals(year=2024, trained=True), POLICY).rotation_done is True
    for year in (2023, 2025):
        result = rules.evaluate(totals(year=year, trained=False), POLICY)
        assert result.rotation_done is None and result.compliant is True
    no_deadline = rules.Policy(yearly_hours={"public_law": 30, "professional": 30}, rotation_deadline=None)
    assert rules.evaluate(totals(year=2024, trained=False), no_deadline).rotation_done is None


def test_year_bounds_are_the_calendar_year():
    assert rules.year_bounds(2024) == (date(2024, 1, 1), date(2024, 12, 31))


def test_attendance_rules():
    base = {"session_hours": 4.0, "held_on": date(2025, 3, 1), "ends_on": date(2025, 3, 31), "today": date(2025, 6, 1)}
    assert rules.attendance_problems(hours=4.0, attended_on=date(2025, 3, 1), **base) == {}
    assert rules.attendance_problems(hours=4.0, attended_on=date(2025, 3, 31), **base) == {}
    assert (
        "more than the session's 4 h"
        in rules.attendance_problems(hours=4.5, attended_on=date(2025, 3, 2), **base)["hours"]
    )
    assert rules.attendance_problems(hours=-1, attended_on=date(2025, 3, 2), **base)["hours"] == "must be more than 0"
    assert rules.attendance_problems(hours=0, attended_on=date(2025, 3, 2), **base)["hours"] == "must be more than 0"
    assert "multiple of 0.5" in rules.attendance_problems(hours=1.3, attended_on=date(2025, 3, 2), **base)["hours"]
    assert (
        "no attendance before it"
        in rules.attendance_problems(hours=1, attended_on=date(2025, 2, 28), **base)["attended_on"]
    )
    assert "ended on" in rules.attendance_problems(hours=1, attended_on=date(2025, 4, 1), **base)["attended_on"]
    future = dict(base, today=date(2025, 3, 10))
    assert "in the future" in rules.attendance_problems(hours=1, attended_on=date(2025, 3, 11), **future)["attended_on"]
    departed = rules.attendance_problems(hours=1, attended_on=date(2025, 3, 20), departed_on=date(2025, 3, 15), **base)
    assert "left the post" in departed["officer_id"]


def test_session_rules_refuse_absurd_hours():
    ok = rules.session_problems(date(2025, 3, 1), date(2025, 3, 1), 8, POLICY)
    assert ok == {}
    assert "12 h a day" in rules.session_problems(date(2025, 3, 1), date(2025, 3, 1), 30, POLICY)["hours"]
    assert (
        rules.session_problems(date(2025, 3, 1), date(2025, 3, 31), 30, POLICY) == {}
    )  # an online course open a month
    assert "before held_on" in rules.session_problems(date(2025, 3, 2), date(2025, 3, 1), 4, POLICY)["ends_on"]


def test_exam_pass_mark_is_inclusive():
    assert rules.exam_passed(60, 60) is True
    assert rules.exam_passed(59.5, 60) is False


def test_rollup_counts_compliant_short_and_by_how_much():
    a = rules.evaluate(totals(30, 30), POLICY)
    b = rules.evaluate(
        rules.YearTotals("o2", "140928-scjgj", 2025, {"public_law": 20, "professional": 25}, 1, 1, True), POLICY
    )
    c = rules.evaluate(
        rules.YearTotals("o3", "140928-nyncj", 2025, {"public_law": 30, "professional": 0}, 0, 1, True), POLICY
    )
    county, agencies = rules.rollup([a, b, c], POLICY.yearly_hours)
    assert (county.officers, county.compliant, county.short) == (3, 1, 2)
    assert county.short_hours == 45.0 and county.shortfall_by_category == {"public_law": 10.0, "professional": 35.0}
    assert county.required_courses_missing == 1 and county.compliance_ratio == round(1 / 3, 4)
    market = agencies["140928-scjgj"]
    assert (market.officers, market.compliant, market.short, market.short_hours) == (2, 1, 1, 15.0)
    assert market.compliance_ratio == 0.5
