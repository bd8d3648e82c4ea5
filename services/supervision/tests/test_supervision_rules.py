"""Supervision's pure rules: deadlines across holidays and make-up working days, item and complaint transitions,
extensions, the promptness table's statistics, masking.

2025 National Day: Oct 1-8 off, Sunday Sep 28 and Saturday Oct 11 are make-up working days (调休).
2025 Spring Festival: Jan 28 - Feb 4 off, Sunday Jan 26 and Saturday Feb 8 are make-up working days.
"""

from __future__ import annotations

from datetime import date

import pytest
from marshmallow import ValidationError

from enforcement_contracts import supervision as contract
from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_kernel.workdays import WorkCalendar
from supervision_service import rules
from supervision_service.operations.common import Settings

CAL = WorkCalendar()
LIMITS = rules.ComplaintLimits(accept_workdays=5, conclude_days=30, max_extension_days=30)


# --- deadlines -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "start, workdays, due",
    [
        (date(2025, 9, 26), 5, date(2025, 10, 10)),  # Sun Sep 28 counts, Oct 1-8 do not
        (date(2025, 9, 30), 1, date(2025, 10, 9)),  # the first working day after the holiday
        (date(2025, 9, 30), 5, date(2025, 10, 14)),  # Sat Oct 11 counts
        (date(2025, 1, 24), 5, date(2025, 2, 7)),  # Sun Jan 26 counts, Jan 28 - Feb 4 do not
        (date(2025, 1, 27), 5, date(2025, 2, 10)),  # Sat Feb 8 counts
        (date(2025, 6, 6), 15, date(2025, 6, 27)),  # an ordinary month (no holiday but the weekends)
    ],
)
def test_item_deadlines_count_working_days_on_the_official_calendar(start, workdays, due):
    assert rules.item_due_on(CAL, start, workdays) == due


def test_extra_holidays_from_the_settings_move_a_deadline():
    county = WorkCalendar(extra_holidays=[date(2025, 6, 9)])
    assert rules.item_due_on(CAL, date(2025, 6, 6), 1) == date(2025, 6, 9)
    assert rules.item_due_on(county, date(2025, 6, 6), 1) == date(2025, 6, 10)


def test_a_complaint_is_accepted_or_refused_within_5_working_days_across_the_spring_festival():
    assert rules.complaint_accept_due(CAL, date(2025, 1, 24), LIMITS) == date(2025, 2, 7)
    assert rules.complaint_accept_due(CAL, date(2025, 9, 30), LIMITS) == date(2025, 10, 14)


def test_a_complaint_is_concluded_within_30_calendar_days_of_acceptance_holidays_included():
    assert rules.complaint_conclude_due(date(2025, 9, 20), LIMITS) == date(2025, 10, 20)
    assert rules.complaint_conclude_due(date(2025, 1, 20), LIMITS) == date(2025, 2, 19)


# --- items -----------------------------------------------------------------------------------
def test_the_item_lifecycle_issued_acknowledged_answered_returned_answered_verified_closed():
    state = "issued"
    for action, expected in [
        ("acknowledge", "acknowledged"),
        ("answer", "answered"),
        ("return", "returned"),
        ("answer", "answered"),
        ("verify", "verified"),
        ("close", "closed"),
    ]:
        state = rules.next_item_state(state, action)
        assert state == expected


@pytest.mark.parametrize(
    "state, action",
    [
        ("issued", "answer"),
        ("issued", "verify"),
        ("acknowledged", "acknowledge"),
        ("acknowledged", "verify"),
        ("answered", "answer"),
        ("answered", "close"),
        ("returned", "verify"),
        ("verified", "return"),
        ("closed", "acknowledge"),
        ("closed", "close"),
    ],
)
def test_a_transition_from_the_wrong_state_is_a_conflict_naming_the_state(state, action):
    with pytest.raises(Conflict) as caught:
        rules.next_item_state(state, action)
    assert caught.value.fields == {"state": [f"is {state}"]}


def test_an_answer_on_the_last_day_is_on_time_the_next_working_day_is_late():
    issued, due = date(2025, 9, 26), date(2025, 10, 10)
    on_time = rules.item_promptness(CAL, issued, due, due, 5)
    late = rules.item_promptness(CAL, issued, date(2025, 10, 11), due, 5)  # Saturday, a make-up working day
    assert (on_time.workdays_taken, on_time.on_time) == (5, True)
    assert (late.workdays_taken, late.on_time) == (6, False)


@pytest.mark.parametrize(
    "state, already, today, expected",
    [
        ("issued", False, date(2025, 10, 11), True),
        ("acknowledged", False, date(2025, 10, 11), True),
        ("returned", False, date(2025, 10, 11), True),
        ("issued", False, date(2025, 10, 10), False),  # the last day itself is not late
        ("answered", False, date(2025, 10, 11), False),  # answered: waiting for the bureau, not the agency
        ("verified", False, date(2025, 10, 11), False),
        ("issued", True, date(2025, 10, 11), False),  # escalated once only
    ],
)
def test_overdue_means_still_waiting_for_the_agency_after_the_last_day(state, already, today, expected):
    assert rules.falls_overdue(state, already, date(2025, 10, 10), today) is expected


# --- complaints ------------------------------------------------------------------------------
def test_a_complaint_is_decided_once():
    rules.decide_complaint("registered")
    for state in ("accepted", "refused", "concluded"):
        with pytest.raises(Conflict):
            rules.decide_complaint(state)


def test_one_extension_of_at_most_30_days_approved_before_the_deadline():
    due = date(2025, 10, 20)
    assert rules.extend_complaint("accepted", False, due, 30, date(2025, 10, 20), LIMITS) == date(2025, 11, 19)
    with pytest.raises(ValidationFailed) as too_long:
        rules.extend_complaint("accepted", False, due, 31, date(2025, 10, 1), LIMITS)
    assert "days" in too_long.value.fields
    with pytest.raises(Conflict) as second:
        rules.extend_complaint("accepted", True, due, 10, date(2025, 10, 1), LIMITS)
    assert "extension_days" in second.value.fields
    with pytest.raises(Conflict) as passed:
        rules.extend_complaint("accepted", False, due, 10, date(2025, 10, 21), LIMITS)
    assert "conclude_due_on" in passed.value.fields
    for state in ("registered", "refused", "concluded"):
        with pytest.raises(Conflict):
            rules.extend_complaint(state, False, due, 10, date(2025, 10, 1), LIMITS)


def test_the_extension_limit_is_a_setting():
    county = rules.ComplaintLimits(max_extension_days=15)
    with pytest.raises(ValidationFailed):
        rules.extend_complaint("accepted", False, date(2025, 10, 20), 16, date(2025, 10, 1), county)


def test_only_an_accepted_complaint_is_concluded():
    rules.conclude_complaint("accepted")
    for state in ("registered", "refused", "concluded"):
        with pytest.raises(Conflict):
            rules.conclude_complaint(state)


def test_complaint_promptness_counts_working_days_and_compares_with_the_date():
    result = rules.due_date_promptness(CAL, date(2025, 9, 20), date(2025, 10, 21), date(2025, 10, 20))
    assert (
        result.on_time is False
        and result.workdays_taken
        == rules.due_date_promptness(CAL, date(2025, 9, 20), date(2025, 10, 21), date(2025, 10, 21)).workdays_taken
    )


# --- statistics of the promptness table -------------------------------------------------------
def test_summary_from_the_histogram_is_exact():
    # values 1,1,2,5 (two late): mean 2.25, median 1.5, max 5
    stats = rules.summarise({1: (2, 2), 2: (1, 0), 5: (1, 0)})
    assert stats == {
        "measurements": 4,
        "on_time": 2,
        "on_time_ratio": 0.5,
        "mean_workdays": 2.25,
        "median_workdays": 1.5,
        "max_workdays": 5,
    }
    assert rules.summarise({3: (1, 1), 0: (2, 2)})["median_workdays"] == 0.0
    assert rules.summarise({})["measurements"] == 0


# --- settings and contracts --------------------------------------------------------------------
def test_settings_come_from_the_packaged_config():
    from enforcement_kernel.config import load_config
    from supervision_service.plugin import PLUGIN

    settings = Settings.from_config(load_config("supervision", default_path=PLUGIN.config_path))
    assert settings.complaints == rules.ComplaintLimits(5, 30, 30)
    assert set(settings.item_deadlines) == set(contract.ITEM_KINDS)


def test_every_item_kind_needs_a_deadline_setting():
    config = {"SUPERVISION": {"items": {"deadline_workdays": {"rectification": 15}}}}
    with pytest.raises(ValueError, match="complaint_referral"):
        Settings.from_config(config)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"agency_code": "x", "kind": "rectification", "title": "t"}, "agency_code"),
        ({"agency_code": "140928-scjgj", "kind": "warning", "title": "t"}, "kind"),
        ({"agency_code": "140928-scjgj", "kind": "rectification", "title": ""}, "title"),
        (
            {"agency_code": "140928-scjgj", "kind": "rectification", "title": "t", "deadline_workdays": 0},
            "deadline_workdays",
        ),
        ({"agency_code": "140928-scjgj", "kind": "rectification", "title": "t", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_item_names_the_field(payload, field):
    with pytest.raises(ValidationError) as caught:
        contract.ItemIssue().load(payload)
    assert field in caught.value.messages


def test_a_complaint_needs_a_phone_or_email_and_a_period_ends_after_it_starts():
    base = {
        "agency_code": "140928-scjgj",
        "complainant_kind": "enterprise",
        "complainant_name": "五寨某公司",
        "summary": "重复检查",
    }
    contract.ComplaintRegister().load({**base, "contact": "13812345678"})
    contract.ComplaintRegister().load({**base, "contact": "boss@example.cn"})
    with pytest.raises(ValidationError) as caught:
        contract.ComplaintRegister().load({**base, "contact": "call me"})
    assert "contact" in caught.value.messages
    with pytest.raises(ValidationError) as order:
        contract.PromptnessTableQuery().load({"from": "2025-12-31", "to": "2025-01-01"})
    assert "to" in order.value.messages


# --- personal data ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "contact, masked",
    [("13812345678", "138****5678"), ("boss@example.cn", "b***@example.cn"), ("0350-1234567", "035*****4567")],
)
def test_contact_details_are_masked(contact, masked):
    assert rules.mask_contact(contact) == masked
    assert rules.mask_name("五寨某公司") == "五***"
