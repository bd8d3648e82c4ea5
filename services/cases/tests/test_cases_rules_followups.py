"""Pure rules of corrections (错案纠正) and accountability records (过错责任追究): the transitions, each step's deadline
(watched while open, measured when met) on the Chinese working-day calendar, and what a decision must say."""

from __future__ import annotations

from datetime import date

import pytest

from cases_service.rules import followups as rules
from enforcement_contracts.cases import followups as contract
from enforcement_contracts.obligations import obligation

DEADLINES = rules.Deadlines(assign_workdays=5, decide_days=60, close_workdays=10)


@pytest.mark.parametrize(
    "state, action, after",
    [("opened", "assign", "assigned"), ("assigned", "decide", "decided"), ("decided", "close", "closed")],
)
def test_each_state_moves_on_by_its_one_action(state, action, after):
    assert rules.next_state(state, action) == after


@pytest.mark.parametrize(
    "state, action",
    [
        ("opened", "decide"),
        ("opened", "close"),
        ("assigned", "assign"),
        ("assigned", "close"),
        ("decided", "assign"),
        ("decided", "decide"),
        ("closed", "assign"),
        ("closed", "decide"),
        ("closed", "close"),
        ("opened", "reopen"),
    ],
)
def test_any_other_move_is_refused_naming_the_state(state, action):
    with pytest.raises(rules.IllegalTransition) as refused:
        rules.next_state(state, action)
    assert refused.value.state == state and f"is {state}" in str(refused.value)


def test_the_contract_states_are_the_rules_states_and_each_open_state_owes_a_registered_obligation():
    assert contract.STATES == rules.STATES
    for state, kind in rules.STEP_KIND.items():
        assert obligation(kind).service == "cases", state
    assert obligation("followup_assigned").unit == "workdays"
    assert obligation("followup_decided").unit == "days"
    assert obligation("followup_closed").setting == "CASES.followups.close_workdays"


def test_assigning_counts_working_days_over_the_national_day_holiday():
    # opened Friday 27 Sep 2024: 29 Sep (make-up Sunday), 30 Sep, then 8, 9, 10 Oct are the five working days
    step = rules.current_step("opened", date(2024, 9, 27), None, None, DEADLINES)
    assert (step.kind, step.unit, step.deadline, step.due_on) == (
        "followup_assigned",
        "workdays",
        5,
        date(2024, 10, 10),
    )
    assert not rules.is_late(step, date(2024, 10, 10))
    assert rules.is_late(step, date(2024, 10, 11))
    promptness, taken = rules.measure(step, date(2024, 10, 11))
    assert (promptness.workdays_taken, promptness.deadline_workdays, promptness.on_time, taken) == (6, 5, False, 6.0)


def test_deciding_counts_calendar_days_from_the_assignment():
    step = rules.current_step("assigned", date(2024, 3, 1), date(2024, 3, 4), None, DEADLINES)
    assert (step.kind, step.unit, step.due_on) == ("followup_decided", "days", date(2024, 5, 3))
    assert not rules.is_late(step, date(2024, 5, 3)) and rules.is_late(step, date(2024, 5, 4))
    on_time, taken = rules.measure(step, date(2024, 5, 3))
    assert on_time.on_time and taken == 60.0
    late, taken = rules.measure(step, date(2024, 5, 6))
    assert not late.on_time and taken == 63.0


def test_closing_is_owed_after_the_decision_and_nothing_once_closed():
    step = rules.current_step("decided", date(2024, 3, 1), date(2024, 3, 4), date(2024, 4, 1), DEADLINES)
    assert (step.kind, step.started_on, step.due_on) == ("followup_closed", date(2024, 4, 1), date(2024, 4, 16))
    assert rules.current_step("closed", date(2024, 3, 1), date(2024, 3, 4), date(2024, 4, 1), DEADLINES) is None
    assert rules.is_late(None, date(2030, 1, 1)) is False


def test_deadlines_come_from_the_settings_and_refuse_a_negative_one():
    assert rules.Deadlines.from_section({"assign_workdays": "3"}) == rules.Deadlines(3, 60, 10)
    assert rules.Deadlines.from_section(None) == rules.Deadlines()
    with pytest.raises(ValueError, match="decide_days"):
        rules.Deadlines.from_section({"decide_days": -1})


def test_a_step_is_dated_between_the_one_before_and_today():
    today = date(2024, 6, 1)
    assert rules.date_problem(date(2024, 5, 1), date(2024, 5, 2), today, "opened_on") == (
        "must not be before opened_on (2024-05-02)"
    )
    assert rules.date_problem(date(2024, 6, 2), date(2024, 5, 2), today, "opened_on") == "must not be after today"
    assert rules.date_problem(date(2024, 5, 2), date(2024, 5, 2), today, "opened_on") is None


def test_a_correction_records_its_measure_and_decides_no_officer():
    assert rules.decision_problems("correction", {"measure": "revoked"}, ["o1"]) == {}
    assert "measure" in rules.decision_problems("correction", {"measure": None}, [])
    officers = [{"officer_id": "o1", "outcome": "admonishment"}]
    assert "officers" in rules.decision_problems("correction", {"measure": "changed", "officers": officers}, ["o1"])


def test_an_accountability_record_decides_each_officer_concerned_exactly_once():
    concerned = ["o1", "o2"]
    exempt = {"kind": "due_diligence", "ground": "party_concealment", "text": "当事人提供虚假材料"}
    both = [{"officer_id": "o1", "outcome": "admonishment"}, {"officer_id": "o2", "exemption": exempt}]
    assert rules.decision_problems("accountability", {"officers": both}, concerned) == {}
    problems = rules.decision_problems(
        "accountability",
        {"officers": [both[0], both[0], {"officer_id": "o9", "outcome": "no_fault"}], "measure": "revoked"},
        concerned,
    )
    assert problems["measure"] == ["an accountability record decides per officer, not a measure"]
    assert problems["officers"] == [
        "officers concerned not decided: o2",
        "not officers concerned by this record: o9",
        "decided more than once: o1",
    ]


def test_an_officer_gets_an_outcome_or_an_exemption_with_a_recognised_ground_and_its_text():
    schema = contract.OfficerOutcome()
    assert schema.validate({"officer_id": "o1", "outcome": "admonishment"}) == {}
    assert "outcome" in schema.validate({"officer_id": "o1"})
    assert "outcome" in schema.validate(
        {
            "officer_id": "o1",
            "outcome": "admonishment",
            "exemption": {"kind": "due_diligence", "ground": "duty_performed", "text": "已按程序审核"},
        }
    )
    assert "outcome" in schema.validate({"officer_id": "o1", "outcome": "shot_at_dawn"})
    wrong_ground = schema.validate(
        {"officer_id": "o1", "exemption": {"kind": "error_tolerance", "ground": "felt_like_it", "text": "理由"}}
    )
    assert "ground" in wrong_ground["exemption"]
    no_text = schema.validate({"officer_id": "o1", "exemption": {"kind": "due_diligence", "ground": "duty_performed"}})
    assert "text" in no_text["exemption"]
    assert {"尽职免责", "容错纠错"} == set(contract.EXEMPTION_KINDS.values())
    assert {"撤销", "变更", "重新作出", "确认违法", "补正"} <= set(contract.CORRECTION_MEASURES.values())
    assert {"批评教育", "诫勉谈话", "调离行政执法岗位", "给予处分"} <= set(contract.ACCOUNTABILITY_OUTCOMES.values())
