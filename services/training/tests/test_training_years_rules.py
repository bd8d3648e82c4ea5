"""Training years, as pure rules: which years an officer is in post and what a part year owes, which years a course
is required in, and who owes the all-staff rotation (全员轮训). Boundaries on both sides of each date."""

from __future__ import annotations

from datetime import date

import pytest

from training_service import rules
from training_service.settings import Settings

POLICY = rules.Policy(yearly_hours={"public_law": 30, "professional": 30}, rotation_deadline=date(2024, 6, 30))


def totals(year=2025, public_law=30.0, professional=30.0, appointed_on=None, departed_on=None, **kw):
    return rules.YearTotals(
        officer_id="o1",
        agency_code="140928-scjgj",
        year=year,
        hours_by_category={"public_law": public_law, "professional": professional},
        required_done=kw.get("required_done", 1),
        required_total=kw.get("required_total", 1),
        trained_by_deadline=kw.get("trained", True),
        appointed_on=appointed_on,
        departed_on=departed_on,
    )


# --- days in post -------------------------------------------------------------------------------
def test_days_in_post_count_both_ends_and_an_unknown_appointment_as_the_whole_year():
    assert rules.days_in_post(2025, None, None) == 365
    assert rules.days_in_post(2024, None, None) == 366  # a leap year
    assert rules.days_in_post(2025, date(2025, 1, 1), None) == 365
    assert rules.days_in_post(2025, date(2025, 1, 2), None) == 364
    assert rules.days_in_post(2025, date(2025, 12, 31), None) == 1
    assert rules.days_in_post(2025, date(2026, 1, 1), None) == 0  # appointed after the year
    assert rules.days_in_post(2025, date(2024, 11, 10), None) == 365
    assert rules.days_in_post(2025, None, date(2025, 1, 1)) == 1  # the day of departure is a day in post
    assert rules.days_in_post(2025, None, date(2024, 12, 31)) == 0
    assert rules.days_in_post(2025, date(2025, 3, 1), date(2025, 3, 31)) == 31


# --- owed hours ---------------------------------------------------------------------------------
def test_a_whole_year_owes_the_full_minimum_a_part_year_a_share_rounded_up_to_the_half_hour():
    assert rules.owed_hours(30, 365, 365) == 30.0
    assert rules.owed_hours(30, 366, 366) == 30.0
    assert rules.owed_hours(30, 364, 365) == 30.0  # 29.92 rounds up to 30
    assert rules.owed_hours(30, 100, 365) == 8.5  # 8.22
    assert rules.owed_hours(30, 73, 365) == 6.0  # exactly 6: not rounded up further
    assert rules.owed_hours(30, 1, 365) == 0.5
    assert rules.owed_hours(30, 0, 365) == 0.0
    assert rules.owed_hours(0, 100, 365) == 0.0
    assert rules.owed_hours(30, 100, 365, step=1) == 9.0  # the hours step is a setting


def test_an_officer_appointed_during_the_year_owes_the_pro_rated_hours():
    # appointed 2025-11-10: 52 days of 365, 30 h x 52 / 365 = 4.27 -> 4.5 h
    result = rules.evaluate(totals(public_law=4.5, professional=4.0, appointed_on=date(2025, 11, 10)), POLICY)
    assert result.days_in_post == 52 and result.in_post is True
    assert result.owed_hours_by_category == {"public_law": 4.5, "professional": 4.5}
    assert result.shortfall_by_category == {"public_law": 0.0, "professional": 0.5}
    assert result.compliant is False and result.reasons == ["hours_short:professional"]
    whole = rules.evaluate(totals(public_law=29.5, appointed_on=date(2025, 1, 1)), POLICY)
    assert whole.owed_hours_by_category["public_law"] == 30.0 and whole.shortfall_by_category["public_law"] == 0.5


def test_a_part_year_officer_still_owes_the_required_courses_of_the_year():
    result = rules.evaluate(totals(appointed_on=date(2025, 12, 1), required_done=0, required_total=1), POLICY)
    assert result.required_courses_done is False and result.reasons == ["required_course_not_done"]


def test_a_year_without_a_day_in_post_owes_nothing_and_is_not_reported_compliant():
    result = rules.evaluate(
        totals(year=2025, public_law=0, professional=0, appointed_on=date(2026, 11, 10), required_done=0), POLICY
    )
    assert result.in_post is False and result.days_in_post == 0 and result.compliant is False
    assert result.owed_hours_by_category == {"public_law": 0.0, "professional": 0.0}
    assert result.short_hours == 0 and result.reasons == ["not_in_post"]
    assert result.required_courses_done is True


# --- required years -----------------------------------------------------------------------------
def test_a_course_is_required_in_its_years_only():
    assert rules.required_in(2026, True, 2026, None) is True
    assert rules.required_in(2025, True, 2026, None) is False  # added in 2026: 2025 and 2024 do not owe it
    assert rules.required_in(2100, True, 2026, None) is True
    assert rules.required_in(2025, True, 2023, 2025) is True
    assert rules.required_in(2026, True, 2023, 2025) is False
    assert rules.required_in(2025, False, 2023, None) is False
    assert rules.required_in(2025, True, None, None) is True


def test_required_years_make_sense():
    assert rules.required_years_problems(True, 2024, 2024) == {}
    assert rules.required_years_problems(True, 2024, None) == {}
    assert "before required_from" in rules.required_years_problems(True, 2025, 2024)["required_until"]
    assert set(rules.required_years_problems(False, 2024, 2025)) == {"required_from", "required_until"}


# --- the rotation -------------------------------------------------------------------------------
def test_the_rotation_is_owed_by_officers_appointed_before_its_deadline_and_in_post_on_it():
    deadline = date(2024, 6, 30)
    assert rules.rotation_owed(deadline, None, None) is True
    assert rules.rotation_owed(deadline, date(2024, 6, 29), None) is True
    assert rules.rotation_owed(deadline, date(2024, 6, 30), None) is False  # appointed on the deadline: no window
    assert rules.rotation_owed(deadline, date(2024, 11, 1), None) is False
    assert rules.rotation_owed(deadline, date(2023, 1, 1), date(2024, 6, 30)) is True  # still in post that day
    assert rules.rotation_owed(deadline, date(2023, 1, 1), date(2024, 6, 29)) is False  # gone before it
    assert rules.rotation_owed(None, None, None) is False


def test_an_officer_appointed_after_the_rotation_deadline_is_not_judged_on_it():
    late = rules.evaluate(totals(year=2024, appointed_on=date(2024, 7, 1), trained=False), POLICY)
    assert late.rotation_done is None and "not_rotated_by_deadline" not in late.reasons
    early = rules.evaluate(totals(year=2024, appointed_on=date(2024, 6, 29), trained=False), POLICY)
    assert early.rotation_done is False and "not_rotated_by_deadline" in early.reasons


def test_the_rotation_window_is_a_setting_and_must_end_at_the_deadline():
    settings = Settings.from_config({"TRAINING": {"rotation_deadline": "2024-06-30"}})
    assert settings.policy.rotation_window_start == date(2023, 1, 1)
    moved = Settings.from_config({"TRAINING": {"rotation_window_start": "2023-09-01"}})
    assert moved.policy.rotation_window_start == date(2023, 9, 1)
    assert Settings.from_config({"TRAINING": {"rotation_window_start": ""}}).policy.rotation_window_start is None
    with pytest.raises(ValueError):
        Settings.from_config({"TRAINING": {"rotation_window_start": "2024-07-01", "rotation_deadline": "2024-06-30"}})
