"""The cases service's pure rules: the calendar, personal data, the catalogue and the benchmarks (no broker, no
database).

Dates around the 2024 National Day holiday (Oct 1-7 off; Sunday Sep 29 and Saturday Oct 12 are make-up working
days) show which periods are calendar days (art. 60's 90 days) and which are working days (art. 85: 2/3/5/7 days).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cases_service.rules import (
    cataloguing,
    discretion,
    privacy,
)
from enforcement_kernel.workdays import WorkCalendar, is_workday

CAL = WorkCalendar()


def test_the_calendar_is_the_official_one_for_2024():
    assert not any(is_workday(date(2024, 10, d)) for d in range(1, 8))
    assert is_workday(date(2024, 9, 29)) and is_workday(date(2024, 10, 12))  # make-up working days (调休)


# --- personal data --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, masked", [("张三", "张*"), ("张", "张*"), ("欧阳娜娜", "欧***"), (" 李四 ", "李*"), ("", "")]
)
def test_natural_persons_names_are_masked_surname_kept(name, masked):
    assert privacy.mask_person_name(name) == masked


def test_organisations_are_published_by_name_citizens_masked():
    assert privacy.party_display_name("organisation", "五寨县某某商贸有限公司") == "五寨县某某商贸有限公司"
    assert privacy.party_display_name("citizen", "王小明") == "王**"


def test_id_numbers_are_masked():
    assert privacy.mask_id_number("14092819850615001X") == "140928********001X"
    assert privacy.mask_id_number("G1234567") == "G1****67"
    assert privacy.mask_id_number("abc") == "***"


# --- catalogue ------------------------------------------------------------------------------
@pytest.mark.parametrize("basis", ["", "  ", None, "x"])
def test_no_legal_basis_no_item(basis):
    with pytest.raises(ValueError, match="legal basis"):
        cataloguing.require_legal_basis(basis)


def test_a_legal_basis_is_kept_trimmed():
    assert cataloguing.require_legal_basis(" 《食品安全法》第一百二十二条 ") == "《食品安全法》第一百二十二条"


def test_the_version_in_force_on_a_day():
    spans = [
        cataloguing.VersionSpan(1, date(2020, 1, 1), date(2024, 6, 30)),
        cataloguing.VersionSpan(2, date(2024, 7, 1), None),
    ]
    assert cataloguing.version_in_force(spans, date(2019, 12, 31)) is None
    assert cataloguing.version_in_force(spans, date(2020, 1, 1)).version == 1
    assert cataloguing.version_in_force(spans, date(2024, 6, 30)).version == 1
    assert cataloguing.version_in_force(spans, date(2024, 7, 1)).version == 2
    assert cataloguing.version_in_force(spans, date(2030, 1, 1)).version == 2


def test_a_new_version_starts_after_the_current_one():
    assert cataloguing.check_new_version_date(date(2024, 1, 1), date(2024, 1, 2)) == date(2024, 1, 1)
    with pytest.raises(ValueError):
        cataloguing.check_new_version_date(date(2024, 1, 1), date(2024, 1, 1))


def test_dormant_items_have_no_case_in_five_years():
    as_of = date(2025, 6, 30)
    cutoff = cataloguing.dormant_cutoff(as_of, 5)
    assert cutoff == date(2020, 6, 30)
    since = date(2015, 1, 1)
    assert cataloguing.is_dormant(None, since, as_of)
    assert cataloguing.is_dormant(cutoff - timedelta(days=1), since, as_of)
    assert not cataloguing.is_dormant(cutoff, since, as_of)  # a case on the cutoff day is within the five years
    assert not cataloguing.is_dormant(None, cutoff + timedelta(days=1), as_of)  # in the catalogue for less than 5 years
    assert cataloguing.is_dormant(None, cutoff, as_of)
    assert cataloguing.is_dormant(date(2022, 1, 1), since, as_of, years=3)


# --- benchmarks -----------------------------------------------------------------------------
TIERS = [
    discretion.Tier("minor", "轻微", ("warning",)),
    discretion.Tier("general", "一般", ("warning", "fine"), Decimal(1000), Decimal(5000)),
    discretion.Tier("serious", "较重", ("fine", "confiscate_income"), Decimal(5000), Decimal(20000)),
]


def codes(findings):
    return [(f.code, f.field) for f in findings]


@pytest.mark.parametrize("fine", [Decimal(1000), Decimal(5000), Decimal("2500.50")])
def test_a_fine_within_its_tier_is_not_flagged(fine):
    assert discretion.benchmark_findings(TIERS, "general", ["fine"], fine) == []


@pytest.mark.parametrize("fine, bound", [(Decimal("999.99"), "below"), (Decimal("5000.01"), "above")])
def test_a_fine_outside_its_tier_is_flagged(fine, bound):
    [finding] = discretion.benchmark_findings(TIERS, "general", ["fine"], fine)
    assert finding.code == "outside_benchmark" and finding.field == "decision.penalty.fine_amount"
    assert bound in finding.message


def test_a_penalty_kind_the_tier_does_not_allow_is_flagged():
    assert codes(discretion.benchmark_findings(TIERS, "minor", ["fine"], Decimal(100))) == [
        ("outside_benchmark", "decision.penalty.kinds")
    ]


def test_the_mitigated_list_allows_below_the_minimum_only_when_the_item_is_on_it():
    below = Decimal(500)
    assert discretion.benchmark_findings(TIERS, "general", ["fine"], below, "mitigated", {"mitigated"}) == []
    assert codes(discretion.benchmark_findings(TIERS, "general", ["fine"], below, "mitigated", set())) == [
        ("lenient_not_listed", "decision.lenient"),
        ("outside_benchmark", "decision.penalty.fine_amount"),
    ]
    # 从轻 stays within the range
    assert codes(discretion.benchmark_findings(TIERS, "general", ["fine"], below, "lighter", {"lighter"})) == [
        ("outside_benchmark", "decision.penalty.fine_amount")
    ]
    # never above the maximum
    assert codes(
        discretion.benchmark_findings(TIERS, "general", ["fine"], Decimal(6000), "mitigated", {"mitigated"})
    ) == [("outside_benchmark", "decision.penalty.fine_amount")]


def test_no_benchmark_nothing_to_compare_and_a_missing_tier_is_asked_for():
    assert discretion.benchmark_findings([], None, ["fine"], Decimal(10**6)) == []
    assert codes(discretion.benchmark_findings(TIERS, None, ["fine"], Decimal(100))) == [
        ("circumstance_missing", "decision.circumstance")
    ]
    assert discretion.benchmark_findings(TIERS, None, [], None) == []  # no penalty: nothing to grade


@pytest.mark.parametrize(
    "listed, minor, prior, kinds, flagged",
    [
        (True, True, 0, ["warning"], True),
        (True, True, 0, [], False),  # not penalised: as the law wants
        (True, True, 1, ["fine"], False),  # not the first within the window
        (True, False, 0, ["fine"], False),  # not minor
        (False, True, 0, ["fine"], False),  # the item is not on the 首违不罚 list
    ],
)
def test_a_penalised_first_minor_violation_on_the_exempt_list_is_flagged(listed, minor, prior, kinds, flagged):
    assert discretion.first_violation_penalised(listed, minor, prior, kinds) is flagged


def test_the_first_violation_window_is_twelve_months_back():
    assert discretion.first_violation_window_start(date(2024, 10, 8)) == date(2023, 10, 8)
    assert discretion.first_violation_window_start(date(2024, 2, 29)) == date(2023, 2, 28)
    assert discretion.first_violation_window_start(date(2024, 10, 8), 6) == date(2024, 4, 8)
