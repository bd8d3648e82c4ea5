"""Personnel domain rules: ID numbers, certificate statuses, eligibility (dates, departures, assessment, legal review
and the seed data are in test_personnel_rules_dates.py)."""

from dataclasses import dataclass
from datetime import date

import pytest

from personnel_service import rules
from personnel_service.rules import (
    CANCELLED,
    REVOKED,
    SUSPENDED,
    VALID,
    EligibilityThresholds,
    TrainingFacts,
    certificate_eligibility,
    check_transition,
)

# Independent copy of the GB 11643-1999 tables, so the test does not trust the code under test.
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def make_id(first17: str) -> str:
    return first17 + CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=False)) % 11]


def wrong_check(valid: str) -> str:
    return valid[:17] + next(c for c in "0123456789X" if c != valid[17])


# --- ID numbers -----------------------------------------------------------------------------------------------------


def test_known_sample_with_x_check_is_valid():
    assert rules.validate_id_number("11010519491231002X") == "11010519491231002X"


def test_computed_wuzhai_number_is_valid():
    number = make_id("14092819850615123")
    assert rules.validate_id_number(number) == number
    assert rules.id_check_char("14092819850615123") == number[-1]


def test_every_check_character_is_reachable_and_accepted():
    # Vary the sequence number until every one of the 11 check characters has been produced and accepted,
    # so a wrong entry anywhere in the code's table would show.
    seen = {}
    for seq in range(1000):
        number = make_id(f"14092819850615{seq:03d}")
        seen.setdefault(number[-1], number)
    assert set(seen) == set(CHECK)
    for number in seen.values():
        assert rules.validate_id_number(number) == number


@pytest.mark.parametrize(
    "first17", ["14092819850615123", "11010519491231002", "14092820000229001", "14092819000101000"]
)
def test_every_wrong_check_char_is_rejected(first17):
    valid = make_id(first17)
    rules.validate_id_number(valid)
    for c in "0123456789X":
        if c != valid[-1]:
            with pytest.raises(ValueError, match="check character"):
                rules.validate_id_number(first17 + c)


def test_a_wrong_check_character_is_refused_without_telling_the_right_one():
    valid = make_id("14092819850615123")
    for c in "0123456789X":
        if c != valid[-1]:
            with pytest.raises(ValueError) as refused:
                rules.validate_id_number(valid[:17] + c)
            message = str(refused.value)
            assert message == "ID number check character does not match the first 17 digits"
            assert valid[-1] not in message.replace("17", "")  # (the 17 of "first 17 digits" names no character)


def test_lowercase_x_is_normalised():
    assert rules.validate_id_number("11010519491231002x") == "11010519491231002X"
    assert rules.validate_id_number("  11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize("bad", ["", "1101051949123100", "11010519491231002", "11010519491231002XX", "110105194912310"])
def test_bad_length_is_rejected(bad):
    with pytest.raises(ValueError, match="18 characters"):
        rules.validate_id_number(bad)


@pytest.mark.parametrize(
    "bad", ["1101051949123100XX", "X10105194912310021", "11010519491231002Y", "１１０１０５１９４９１２３１００２Ｘ"]
)
def test_bad_characters_are_rejected(bad):
    with pytest.raises(ValueError):
        rules.validate_id_number(bad)


@pytest.mark.parametrize("birth", ["19490231", "19491301", "20230229", "19490000"])
def test_impossible_birth_date_is_rejected_even_with_good_check(birth):
    with pytest.raises(ValueError, match="impossible birth date"):
        rules.validate_id_number(make_id("140928" + birth + "123"))


def test_birth_before_1900_is_rejected():
    with pytest.raises(ValueError, match="before 1900"):
        rules.validate_id_number(make_id("14092818991231123"))


def test_birth_in_future_is_rejected():
    number = make_id("14092820300101123")
    with pytest.raises(ValueError, match="future"):
        rules.validate_id_number(number, today=date(2029, 12, 31))
    assert rules.validate_id_number(number, today=date(2030, 1, 1)) == number


def test_leap_day_birth_is_accepted():
    number = make_id("14092820000229001")
    assert rules.validate_id_number(number) == number


def test_masking():
    assert rules.mask_id_number("14092819850615123X") == "140928********123X"
    assert rules.mask_id_number("11010519491231002x") == "110105********002X"
    assert rules.mask_id_number("12345") == "*****"


# --- certificate status -----------------------------------------------------------------------------------------


def test_status_labels():
    assert rules.CERTIFICATE_STATUS_LABELS == {VALID: "有效", SUSPENDED: "暂扣", CANCELLED: "注销", REVOKED: "吊销"}


@pytest.mark.parametrize(
    "current,target",
    [
        (VALID, SUSPENDED),
        (VALID, CANCELLED),
        (VALID, REVOKED),
        (SUSPENDED, VALID),
        (SUSPENDED, CANCELLED),
        (SUSPENDED, REVOKED),
    ],
)
def test_allowed_transitions(current, target):
    check_transition(current, target)  # does not raise
    assert target in rules.allowed_transitions(current)


@pytest.mark.parametrize(
    "current,target",
    [
        (VALID, VALID),
        (SUSPENDED, SUSPENDED),
        (CANCELLED, VALID),
        (CANCELLED, SUSPENDED),
        (CANCELLED, REVOKED),
        (CANCELLED, CANCELLED),
        (REVOKED, VALID),
        (REVOKED, SUSPENDED),
        (REVOKED, CANCELLED),
        (REVOKED, REVOKED),
    ],
)
def test_illegal_transitions(current, target):
    with pytest.raises(ValueError):
        check_transition(current, target)


def test_final_states_say_so_and_unknown_status_is_rejected():
    with pytest.raises(ValueError, match="final"):
        check_transition(REVOKED, VALID)
    with pytest.raises(ValueError, match="unknown"):
        check_transition(VALID, "expired")
    with pytest.raises(ValueError, match="unknown"):
        check_transition("lost", VALID)


# --- eligibility --------------------------------------------------------------------------------------------------


@dataclass
class Officer:
    is_police: bool = False
    active: bool = True


def facts(**overrides) -> TrainingFacts:
    values = {
        "officer_key": "o-1",
        "year": 2024,
        "public_law_hours": 30,
        "professional_hours": 30,
        "required_courses_done": True,
        "exam_passed": True,
        "exam_date": date(2024, 5, 10),
    }
    values.update(overrides)
    return TrainingFacts(**values)


def test_exactly_thirty_hours_each_is_enough():
    result = certificate_eligibility(Officer(), facts(), 2024, EligibilityThresholds())
    assert result.eligible is True
    assert result.reasons == [] and result.codes == []


def test_thresholds_default_when_omitted():
    assert certificate_eligibility(Officer(), facts(public_law_hours=29.5), 2024).eligible is False
    assert EligibilityThresholds() == EligibilityThresholds(public_law_hours=30, professional_hours=30)


def test_public_law_hours_29_5_fails():
    result = certificate_eligibility(Officer(), facts(public_law_hours=29.5), 2024, EligibilityThresholds())
    assert result.eligible is False
    assert result.codes == [rules.REASON_PUBLIC_LAW_HOURS]
    assert "29.5" in result.reasons[0] and "30" in result.reasons[0]


def test_professional_hours_29_5_fails():
    result = certificate_eligibility(Officer(), facts(professional_hours=29.5), 2024, EligibilityThresholds())
    assert result.eligible is False
    assert result.codes == [rules.REASON_PROFESSIONAL_HOURS]
    assert "29.5" in result.reasons[0]


def test_thresholds_are_settings():
    strict = EligibilityThresholds(public_law_hours=40, professional_hours=40)
    assert certificate_eligibility(Officer(), facts(), 2024, strict).codes == [
        rules.REASON_PUBLIC_LAW_HOURS,
        rules.REASON_PROFESSIONAL_HOURS,
    ]
    lenient = EligibilityThresholds(public_law_hours=20, professional_hours=20)
    assert certificate_eligibility(Officer(), facts(public_law_hours=20, professional_hours=25), 2024, lenient).eligible
    with pytest.raises(ValueError):
        EligibilityThresholds(public_law_hours=-1)


def test_police_never_eligible_even_with_perfect_training():
    result = certificate_eligibility(Officer(is_police=True), facts(public_law_hours=100), 2024)
    assert result.eligible is False
    assert result.codes == [rules.REASON_POLICE]
    assert "police" in result.reasons[0].lower()


def test_departed_officer_not_eligible():
    result = certificate_eligibility(Officer(active=False), facts(), 2024)
    assert result.eligible is False
    assert result.codes == [rules.REASON_INACTIVE]


def test_exam_not_passed():
    result = certificate_eligibility(Officer(), facts(exam_passed=False, exam_date=None), 2024)
    assert result.eligible is False
    assert result.codes == [rules.REASON_EXAM]


def test_required_course_not_done():
    result = certificate_eligibility(Officer(), facts(required_courses_done=False), 2024)
    assert result.codes == [rules.REASON_REQUIRED_COURSE]


def test_training_from_another_year_does_not_count():
    result = certificate_eligibility(Officer(), facts(year=2023), 2024)
    assert result.eligible is False
    assert result.codes == [rules.REASON_WRONG_YEAR]


def test_every_reason_is_listed():
    result = certificate_eligibility(
        Officer(is_police=True, active=False),
        facts(public_law_hours=0, professional_hours=29.5, required_courses_done=False, exam_passed=False),
        2024,
        EligibilityThresholds(),
    )
    assert result.eligible is False
    assert result.codes == [
        rules.REASON_POLICE,
        rules.REASON_INACTIVE,
        rules.REASON_PUBLIC_LAW_HOURS,
        rules.REASON_PROFESSIONAL_HOURS,
        rules.REASON_REQUIRED_COURSE,
        rules.REASON_EXAM,
    ]
    assert len(result.reasons) == 6 and all(result.reasons)
