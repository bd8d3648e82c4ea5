"""Working-day arithmetic: statutory periods in working days (行政处罚法 art. 85)."""

from datetime import date, datetime, timedelta

import pytest

from enforcement_kernel import workdays
from enforcement_kernel.workdays import WorkCalendar


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


# --- 2024 National Day: Oct 1-7 off; Sun Sep 29 and Sat Oct 12 are make-up working days -----------------------


@pytest.mark.parametrize("day", [date(2024, 10, d) for d in range(1, 8)])
def test_national_day_2024_is_off(cal, day):
    assert cal.is_workday(day) is False


@pytest.mark.parametrize("day", [date(2024, 9, 29), date(2024, 10, 12)])
def test_national_day_2024_weekend_makeup_days_are_workdays(cal, day):
    assert day.weekday() >= 5  # the point: a weekend that is worked
    assert cal.is_workday(day) is True


def test_ordinary_weekend_is_off(cal):
    assert cal.is_workday(date(2024, 10, 13)) is False  # Sunday after the make-up Saturday


def test_add_workdays_lands_on_makeup_sunday(cal):
    # Friday Sep 27 + 1 working day is Sunday Sep 29 (make-up), not Monday.
    assert cal.add_workdays(date(2024, 9, 27), 1) == date(2024, 9, 29)


def test_add_workdays_jumps_the_national_day_holiday(cal):
    assert cal.add_workdays(date(2024, 9, 30), 1) == date(2024, 10, 8)
    # Oct 9, 10, 11, 12 (make-up Saturday), 14.
    assert cal.add_workdays(date(2024, 10, 8), 5) == date(2024, 10, 14)
    # A 7-working-day publication period started on Sep 27: 29, 30, Oct 8, 9, 10, 11, 12.
    assert cal.add_workdays(date(2024, 9, 27), 7) == date(2024, 10, 12)


def test_workdays_between_across_national_day(cal):
    assert cal.workdays_between(date(2024, 9, 30), date(2024, 10, 7)) == 0
    assert cal.workdays_between(date(2024, 9, 30), date(2024, 10, 8)) == 1
    assert cal.workdays_between(date(2024, 9, 27), date(2024, 10, 12)) == 7


# --- Spring Festival 2025: Jan 28 - Feb 4 off; Sun Jan 26 and Sat Feb 8 worked ----------------------------------


def test_spring_festival_2025(cal):
    holiday = [date(2025, 1, 28) + timedelta(days=i) for i in range(8)]  # Jan 28 .. Feb 4
    assert holiday[-1] == date(2025, 2, 4)
    assert not any(cal.is_workday(d) for d in holiday)
    assert cal.is_workday(date(2025, 1, 26)) and cal.is_workday(date(2025, 2, 8))
    assert cal.add_workdays(date(2025, 1, 24), 1) == date(2025, 1, 26)
    assert cal.add_workdays(date(2025, 1, 27), 1) == date(2025, 2, 5)
    # Feb 5, 6, 7, 8 (make-up Saturday), 10.
    assert cal.add_workdays(date(2025, 1, 27), 5) == date(2025, 2, 10)
    assert cal.workdays_between(date(2025, 1, 27), date(2025, 2, 10)) == 5


# --- conventions --------------------------------------------------------------------------------------------------


def test_start_day_is_not_counted(cal):
    # Monday + 1 = Tuesday: the act's own day never counts.
    assert cal.add_workdays(date(2024, 6, 3), 1) == date(2024, 6, 4)
    assert cal.add_workdays(date(2024, 6, 3), 0) == date(2024, 6, 3)


def test_workdays_between_is_zero_when_end_not_after_start(cal):
    assert cal.workdays_between(date(2024, 6, 5), date(2024, 6, 5)) == 0
    assert cal.workdays_between(date(2024, 6, 5), date(2024, 6, 3)) == 0


def test_negative_add_counts_backwards(cal):
    assert cal.add_workdays(date(2024, 10, 8), -1) == date(2024, 9, 30)


def test_add_and_between_are_inverse(cal):
    start = date(2024, 9, 20)
    for n in range(25):
        assert cal.workdays_between(start, cal.add_workdays(start, n)) == n


def test_datetimes_are_accepted(cal):
    assert cal.is_workday(datetime(2024, 10, 3, 9, 30)) is False
    assert cal.add_workdays(datetime(2024, 9, 30, 23, 59), 1) == date(2024, 10, 8)
    assert cal.workdays_between(datetime(2024, 9, 30, 8), datetime(2024, 10, 8, 1)) == 1


def test_non_dates_are_rejected(cal):
    with pytest.raises(TypeError):
        cal.is_workday("2024-10-01")


# --- fallback year and county settings ------------------------------------------------------------------------------


def test_fallback_year_counts_monday_to_friday(cal):
    assert cal.has_official_data(2024) is True
    assert cal.has_official_data(2027) is False
    # Jan 1 2027 is a Friday: with no official data it is a working day.
    assert cal.is_workday(date(2027, 1, 1)) is True
    assert cal.is_workday(date(2027, 1, 2)) is False  # Saturday
    assert cal.add_workdays(date(2027, 1, 1), 1) == date(2027, 1, 4)
    assert cal.add_workdays(date(2027, 1, 1), 5) == date(2027, 1, 8)
    assert cal.workdays_between(date(2027, 1, 1), date(2027, 1, 31)) == 20


def test_fallback_honours_extra_holidays_and_workdays():
    cal = WorkCalendar(extra_holidays=[date(2027, 1, 1), date(2027, 1, 4)], extra_workdays=[date(2027, 1, 9)])
    assert cal.is_workday(date(2027, 1, 1)) is False
    assert cal.is_workday(date(2027, 1, 9)) is True  # a Saturday the county works
    # From Thu Dec 31 2026 (official data) into 2027: Jan 1 and 4 off, so Jan 5 is the first working day.
    assert cal.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 5)
    # Jan 5, 6, 7, 8, 9 (extra workday).
    assert cal.add_workdays(date(2026, 12, 31), 5) == date(2027, 1, 9)


def test_extra_days_override_known_years():
    cal = WorkCalendar(extra_holidays=[datetime(2024, 10, 8, 12)], extra_workdays=[date(2024, 10, 7)])
    assert cal.is_workday(date(2024, 10, 8)) is False
    assert cal.is_workday(date(2024, 10, 7)) is True
    assert cal.add_workdays(date(2024, 9, 30), 1) == date(2024, 10, 7)
    assert cal.add_workdays(date(2024, 9, 30), 2) == date(2024, 10, 9)


def test_a_day_cannot_be_both_extra_holiday_and_workday():
    with pytest.raises(ValueError, match="2027-01-04"):
        WorkCalendar(extra_holidays=[date(2027, 1, 4)], extra_workdays=[date(2027, 1, 4)])


# --- module-level helpers -------------------------------------------------------------------------------------------


def test_default_calendar_is_shared_and_used_by_helpers():
    assert workdays.default_calendar() is workdays.default_calendar()
    assert workdays.is_workday(date(2024, 10, 1)) is False
    assert workdays.add_workdays(date(2024, 9, 30), 1) == date(2024, 10, 8)
    assert workdays.workdays_between(date(2024, 9, 30), date(2024, 10, 8)) == 1


def test_set_default_calendar_installs_county_settings():
    original = workdays.default_calendar()
    try:
        workdays.set_default_calendar(WorkCalendar(extra_holidays=[date(2027, 1, 1)]))
        assert workdays.is_workday(date(2027, 1, 1)) is False
        assert workdays.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    finally:
        workdays.set_default_calendar(original)
    assert workdays.is_workday(date(2027, 1, 1)) is True
