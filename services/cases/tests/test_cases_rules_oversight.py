"""The cases service's pure rules: draws, transfers (国务院令310号), enterprise inspections, case-file review."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest

from cases_service.rules import (
    discretion,
    draws,
    file_review,
    handover,
    inspection_limits,
    periods,
    procedure,
)
from enforcement_contracts.cases import common, inspections, reviews
from enforcement_kernel.workdays import WorkCalendar

CAL = WorkCalendar()
NOTICE = date(2024, 9, 27)  # a Friday before the holiday


# --- draws ------------------------------------------------------------------------------------------
def test_a_seeded_draw_is_reproducible_and_independent_of_input_order():
    population = [f"c{i}" for i in range(50)]
    first = draws.seeded_sample(population, 5, "2024-Q3-batch")
    assert first == draws.seeded_sample(list(reversed(population)), 5, "2024-Q3-batch")
    assert first != draws.seeded_sample(population, 5, "another seed")
    assert len(draws.seeded_sample(population[:3], 5, "s")) == 3


def test_rule_constants_match_the_contract():
    assert discretion.LIGHTER in common.LENIENT_LISTS and discretion.MITIGATED in common.LENIENT_LISTS
    assert discretion.FIRST_VIOLATION_EXEMPT in common.LENIENT_LISTS
    assert (file_review.GRADE_EXCELLENT, file_review.GRADE_PASS, file_review.GRADE_FAIL) == reviews.REVIEW_GRADES


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


def test_the_server_commits_to_a_seed_nobody_chose_and_anyone_can_check_the_reveal():
    seed = draws.new_seed()
    assert len(seed) == 2 * draws.SEED_BYTES and seed != draws.new_seed()  # 128 random bits each time
    committed = draws.seed_hash(seed)
    assert committed == hashlib.sha256(seed.encode()).hexdigest() and len(committed) == 64
    assert draws.seed_matches(seed, committed) and draws.seed_matches(seed, committed.upper())
    assert not draws.seed_matches(seed + "0", committed)
    # the well-known vector: SHA-256("abc")
    assert draws.seed_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_a_draw_replays_from_public_data_and_a_changed_result_or_seed_does_not():
    targets = [f"9114092{i:011d}" for i in range(40)]
    inspectors = [f"o{i}" for i in range(7)]
    seed = "5f1c0a3e9d2b4c6e8a7f1e3d5c7b9a0f"
    committed = draws.seed_hash(seed)
    made = draws.draw_assignments(targets, inspectors, 5, seed)
    chosen = [t for t, _ in made]
    assert draws.draw_targets(targets, 5, seed) == chosen  # the targets need no inspector pool
    assert draws.check_targets(seed, committed, list(reversed(targets)), 5, chosen).reproduced
    swapped = [targets[0] if t != targets[0] else targets[1] for t in chosen]
    assert not draws.check_targets(seed, committed, targets, 5, swapped).result_matches
    wrong = draws.check_targets("another", committed, targets, 5, draws.draw_targets(targets, 5, "another"))
    assert (wrong.seed_matches, wrong.result_matches, wrong.reproduced) == (False, True, False)
    assert draws.check_assignments(seed, committed, targets, inspectors, 5, 2, made).reproduced
    other_pair = [(made[0][0], sorted(set(inspectors) - set(made[0][1]))[:2]), *made[1:]]
    assert not draws.check_assignments(seed, committed, targets, inspectors, 5, 2, other_pair).reproduced


def test_a_review_batch_replays_in_any_order_of_its_files():
    population = [f"case{i:03d}" for i in range(30)]
    seed = draws.new_seed()
    chosen = draws.seeded_sample(population, 4, seed)
    assert draws.check_sample(seed, draws.seed_hash(seed), population, 4, list(reversed(chosen))).reproduced
    assert not draws.check_sample(seed, draws.seed_hash(seed), population, 4, chosen[:3]).reproduced


@pytest.mark.parametrize("schema", [inspections.DrawCreate, reviews.ReviewBatchCreate])
@pytest.mark.parametrize("seed", ["favourable-266", None, ""])
def test_a_supplied_seed_is_refused_naming_the_field(schema, seed):
    body = (
        {"agency_code": "140928-scjgj", "domain": "market_supervision", "target_count": 3, "drawn_on": "2024-06-03"}
        if schema is inspections.DrawCreate
        else {"closed_from": "2024-01-01", "closed_to": "2024-06-30", "size": 5}
    )
    assert schema().validate(body) == {}
    assert schema().validate({**body, "seed": seed}) == {"seed": [common.SEED_REFUSED]}


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
