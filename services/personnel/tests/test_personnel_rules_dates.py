"""Personnel domain rules: expiry and renewal, may enforce, departures and cancellation promptness, assessment, legal
review, the seed data."""

from datetime import date

import pytest

from enforcement_kernel.workdays import WorkCalendar
from personnel_service import rules
from personnel_service.rules import CANCELLED, REVOKED, SUSPENDED, VALID
from personnel_service.seed_data import AGENCIES, AGENCY_BY_CODE


def test_rule_constants_are_the_contract_s():
    """The rules name the contract's statuses, reasons and grades: one definition, never a copy."""
    from enforcement_contracts import personnel as contract

    assert rules.CERTIFICATE_STATUSES is contract.CERTIFICATE_STATUSES
    assert rules.DEPARTURE_REASONS is contract.DEPARTURE_REASONS
    assert rules.ASSESSMENT_GRADES is contract.ASSESSMENT_GRADES
    assert (VALID, SUSPENDED, CANCELLED, REVOKED) == ("valid", "suspended", "cancelled", "revoked")
    assert rules.GRADE_INCOMPETENT == "incompetent" and rules.DEPARTURE_TRANSFER == "transfer"


# --- expiry and renewal -------------------------------------------------------------------------------------------


def test_expiry_is_corresponding_day():
    assert rules.certificate_expiry(date(2023, 7, 15)) == date(2028, 7, 15)
    assert rules.certificate_expiry(date(2023, 7, 15), validity_years=3) == date(2026, 7, 15)


def test_expiry_from_feb_29_is_feb_28():
    assert rules.certificate_expiry(date(2024, 2, 29)) == date(2029, 2, 28)
    # Into another leap year the day exists.
    assert rules.certificate_expiry(date(2024, 2, 29), validity_years=4) == date(2028, 2, 29)


def test_expiry_rejects_non_positive_validity():
    with pytest.raises(ValueError):
        rules.certificate_expiry(date(2024, 1, 1), validity_years=0)


def test_renewal_window_opens_six_months_before():
    assert rules.renewal_window_opens(date(2028, 7, 15)) == date(2028, 1, 15)
    assert rules.renewal_window_opens(date(2028, 8, 31)) == date(2028, 2, 29)  # clamped to month end
    assert rules.renewal_window_opens(date(2029, 8, 31)) == date(2029, 2, 28)
    assert rules.renewal_window_opens(date(2028, 3, 10), months_before=3) == date(2027, 12, 10)


def test_renewal_window_boundaries():
    expiry = date(2028, 7, 15)
    assert rules.in_renewal_window(date(2028, 1, 14), expiry) is False
    assert rules.in_renewal_window(date(2028, 1, 15), expiry) is True
    assert rules.in_renewal_window(date(2028, 7, 15), expiry) is True
    assert rules.in_renewal_window(date(2028, 7, 16), expiry) is False
    assert rules.in_renewal_window(date(2028, 3, 14), expiry, months_before=4) is False
    assert rules.in_renewal_window(date(2028, 3, 15), expiry, months_before=4) is True


def test_is_expired_boundary():
    assert rules.is_expired(date(2028, 7, 15), date(2028, 7, 15)) is False
    assert rules.is_expired(date(2028, 7, 16), date(2028, 7, 15)) is True


# --- may enforce --------------------------------------------------------------------------------------------------


def test_may_enforce_valid_certificate_in_domain():
    ok, reason = rules.may_enforce(VALID, ["市场监管", "食品安全"], date(2028, 7, 15), "食品安全", date(2028, 7, 15))
    assert ok is True
    assert "2028-07-15" in reason


@pytest.mark.parametrize(
    "status,domains,expiry,domain,on_date,fragment",
    [
        (None, ["市场监管"], date(2028, 7, 15), "市场监管", date(2025, 1, 1), "no enforcement certificate"),
        (SUSPENDED, ["市场监管"], date(2028, 7, 15), "市场监管", date(2025, 1, 1), "暂扣"),
        (CANCELLED, ["市场监管"], date(2028, 7, 15), "市场监管", date(2025, 1, 1), "注销"),
        (REVOKED, ["市场监管"], date(2028, 7, 15), "市场监管", date(2025, 1, 1), "吊销"),
        ("lost", ["市场监管"], date(2028, 7, 15), "市场监管", date(2025, 1, 1), "unknown"),
        (VALID, ["市场监管"], None, "市场监管", date(2025, 1, 1), "no expiry"),
        (VALID, ["市场监管"], date(2028, 7, 15), "市场监管", date(2028, 7, 16), "expired"),
        (VALID, ["市场监管"], date(2028, 7, 15), "交通运输", date(2025, 1, 1), "交通运输"),
        (VALID, [], date(2028, 7, 15), "市场监管", date(2025, 1, 1), "does not cover"),
    ],
)
def test_may_not_enforce(status, domains, expiry, domain, on_date, fragment):
    ok, reason = rules.may_enforce(status, domains, expiry, domain, on_date)
    assert ok is False
    assert fragment in reason


# --- departure and cancellation promptness ------------------------------------------------------------------------


def test_departure_reason_labels():
    assert rules.DEPARTURE_REASON_LABELS == {
        "transfer": "调动",
        "resignation": "辞职",
        "dismissal": "辞退",
        "retirement": "退休",
        "other": "其他",
    }
    assert set(rules.DEPARTURE_REASONS) == set(rules.DEPARTURE_REASON_LABELS)


def test_cancellation_on_time_at_exactly_five_workdays():
    # Departed Friday Sep 27 2024; 29 (make-up Sun), 30, Oct 8, 9, 10 = 5 working days.
    result = rules.cancellation_promptness(date(2024, 9, 27), date(2024, 10, 10))
    assert result.workdays_taken == 5
    assert result.deadline_workdays == 5
    assert result.on_time is True
    assert result.due_on == date(2024, 10, 10)


def test_cancellation_late_at_six_workdays():
    result = rules.cancellation_promptness(date(2024, 9, 27), date(2024, 10, 11))
    assert result.workdays_taken == 6
    assert result.on_time is False


def test_cancellation_deadline_and_calendar_are_settings():
    cal = WorkCalendar(extra_holidays=[date(2027, 1, 4)])
    # Fri Jan 1 2027 (fallback year) -> Jan 5, 6, 7 with Jan 4 a county holiday.
    result = rules.cancellation_promptness(date(2027, 1, 1), date(2027, 1, 7), deadline_workdays=3, calendar=cal)
    assert (result.workdays_taken, result.on_time, result.due_on) == (3, True, date(2027, 1, 7))
    assert rules.cancellation_promptness(date(2027, 1, 1), date(2027, 1, 7), deadline_workdays=3).on_time is False


def test_cancellation_same_day_takes_zero():
    result = rules.cancellation_promptness(date(2024, 6, 3), date(2024, 6, 3))
    assert result.workdays_taken == 0 and result.on_time is True


# --- assessment and legal review ----------------------------------------------------------------------------------


def test_assessment_labels_and_suspension():
    assert rules.ASSESSMENT_GRADE_LABELS == {
        "excellent": "优秀",
        "competent": "合格",
        "basically_competent": "基本合格",
        "incompetent": "不合格",
    }
    assert rules.assessment_suspends(rules.GRADE_INCOMPETENT) is True
    assert rules.assessment_suspends(rules.GRADE_INCOMPETENT, suspend_on_fail=False) is False
    for grade in (rules.GRADE_EXCELLENT, rules.GRADE_COMPETENT, rules.GRADE_BASICALLY_COMPETENT):
        assert rules.assessment_suspends(grade) is False
    with pytest.raises(ValueError):
        rules.assessment_suspends("failed")


def test_major_decision_reviewer_art_58():
    assert rules.may_review_major_decision(has_legal_qualification=False, first_time=True) is False
    assert rules.may_review_major_decision(has_legal_qualification=True, first_time=True) is True
    assert rules.may_review_major_decision(has_legal_qualification=False, first_time=False) is True


# --- seed data ----------------------------------------------------------------------------------------------------


def test_seed_agencies():
    codes = [a["code"] for a in AGENCIES]
    assert len(codes) == len(set(codes)) == len(AGENCY_BY_CODE)
    assert all(c.isascii() and c.startswith("140928-") for c in codes)
    assert sum(a["kind"] == "township" for a in AGENCIES) == 12
    assert {a["name"] for a in AGENCIES if a["is_supervisor"]} == {"县司法局"}
    assert {a["name"] for a in AGENCIES if a["is_police"]} == {"县公安局"}
    names = {a["name"] for a in AGENCIES}
    assert {"市生态环境局五寨分局", "县发展和改革委员会", "砚城镇", "梁家坪乡", "李家坪乡", "杏岭子乡"} <= names
    assert all(set(a) == {"code", "name", "kind", "is_supervisor", "is_police", "domains"} for a in AGENCIES)
    # the police bureau's officers enforce in its domains with their police card; the others' are not recorded
    assert {a["name"]: a["domains"] for a in AGENCIES if a["domains"]} == {"县公安局": ["public_security"]}
