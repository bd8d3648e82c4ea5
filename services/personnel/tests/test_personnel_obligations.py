"""Pure rules of personnel's obligations with a deadline (when an open one is late) and of the public check, at their
boundaries: the last working day, the weekend right after it, a holiday with its make-up working day."""

from datetime import date

import pytest

from personnel_service import obligations
from personnel_service.obligations import public_validity, workday_promptness, workdays_missed


def test_an_open_obligation_is_late_only_once_meeting_it_today_would_be_late():
    # departure on Friday 2024-03-01, 5 working days: the last day in time is Friday 2024-03-08
    started = date(2024, 3, 1)
    assert workdays_missed(started, date(2024, 3, 8), 5) is None  # the last working day
    assert workdays_missed(started, date(2024, 3, 10), 5) is None  # the weekend right after it is still in time
    assert workdays_missed(started, date(2024, 3, 11), 5) == date(2024, 3, 8)  # Monday: late
    # and the measurement that follows counts the same way
    assert workday_promptness(started, date(2024, 3, 10), 5).on_time is True
    assert workday_promptness(started, date(2024, 3, 11), 5).on_time is False


def test_holidays_and_make_up_working_days_count_as_the_calendar_says():
    # National Day 2024: Sunday 29 September is a make-up working day, 1-7 October are holidays
    started = date(2024, 9, 27)
    assert workdays_missed(started, date(2024, 10, 7), 3) is None  # 29 and 30 September only
    assert workdays_missed(started, date(2024, 10, 8), 3) is None  # the third working day
    assert workdays_missed(started, date(2024, 10, 9), 3) == date(2024, 10, 8)


def test_an_application_s_twenty_working_days_and_a_deadline_of_zero():
    filed = date(2024, 9, 13)
    assert workdays_missed(filed, date(2024, 10, 17), 20) is None
    assert workdays_missed(filed, date(2024, 10, 18), 20) == date(2024, 10, 17)
    assert workdays_missed(filed, filed, 0) is None  # met on the day it started: in time
    assert workdays_missed(date(2024, 3, 1), date(2024, 3, 4), 0) == date(2024, 3, 1)
    with pytest.raises(ValueError):
        workdays_missed(filed, filed, -1)


def test_the_watched_kinds_are_named_as_their_measurements():
    assert obligations.WATCHED_KINDS == ("certificate_cancelled", "certificate_application_decided")


def test_a_card_whose_holder_left_is_never_valid_even_before_it_is_taken_back():
    today, expiry = date(2026, 11, 29), date(2030, 1, 1)
    assert public_validity("valid", expiry, today, None) == obligations.PublicValidity(True, "valid", None, None)
    left = public_validity("valid", expiry, today, date(2026, 11, 20))
    assert (left.valid, left.status, left.reason_code) == (False, "valid", "holder_departed")
    assert left.reason == "holder left the enforcement post on 2026-11-20"
    assert public_validity("valid", expiry, today, today).valid is False  # left today
    assert public_validity("cancelled", expiry, today, date(2026, 11, 20)).reason_code == "holder_departed"


def test_expired_and_suspended_cards_say_why():
    today = date(2026, 11, 29)
    expired = public_validity("valid", date(2026, 11, 28), today, None)
    assert (expired.valid, expired.status, expired.reason_code) == (False, "expired", "expired")
    assert public_validity("valid", today, today, None).valid is True  # valid through its expiry day
    suspended = public_validity("suspended", date(2030, 1, 1), today, None)
    assert (suspended.valid, suspended.status, suspended.reason_code) == (False, "suspended", "not_valid")
