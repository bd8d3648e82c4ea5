"""Discretion benchmarks (裁量基准) and the lenient lists (首违不罚 and the like)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from enforcement_contracts.cases.common import LENIENT_LISTS

from .periods import add_months

# the contract's lenient lists, by name: 从轻处罚 (lighter: within the range, towards its lower end), 减轻处罚
# (mitigated: below the range's minimum), 首违不罚 (first_violation_exempt, art. 33)
LIGHTER, MITIGATED, FIRST_VIOLATION_EXEMPT = LENIENT_LISTS


@dataclass(frozen=True)
class Tier:
    tier: str
    label: str
    penalty_kinds: tuple[str, ...]
    fine_min: Decimal | None = None
    fine_max: Decimal | None = None


@dataclass(frozen=True)
class Finding:
    """A warning recorded on a case: ``code`` for counting, ``field`` for pointing, ``message`` for people."""

    code: str
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message}


def benchmark_findings(
    tiers: Sequence[Tier],
    circumstance: str | None,
    kinds: Sequence[str],
    fine: Decimal | None,
    lenient: str | None = None,
    item_lists: Iterable[str] = (),
) -> list[Finding]:
    """Where a penalty lies outside the item's benchmark. No benchmark on file: nothing to compare with.

    The 减轻 list lets a fine go below the tier's minimum (never above its maximum); 从轻 stays within the range.
    A lenient list claimed for an item that is not on it is a finding of its own.
    """
    # Over 50 lines: one finding per way a decision can leave its tier; kept together to read as one rule.
    findings: list[Finding] = []
    lists = set(item_lists)
    if lenient and lenient not in lists:
        findings.append(
            Finding("lenient_not_listed", "decision.lenient", f"the item is not on the agency's {lenient} list")
        )
    if not tiers or not kinds:
        return findings
    by_code = {t.tier: t for t in tiers}
    tier = by_code.get(circumstance or "")
    if tier is None:
        findings.append(
            Finding(
                "circumstance_missing",
                "decision.circumstance",
                f"the benchmark has tiers; name the circumstance tier applied ({', '.join(by_code)})",
            )
        )
        return findings
    outside = sorted(set(kinds) - set(tier.penalty_kinds))
    if outside:
        findings.append(
            Finding(
                "outside_benchmark",
                "decision.penalty.kinds",
                f"{', '.join(outside)} not allowed for tier {tier.tier} ({tier.label})",
            )
        )
    if "fine" in kinds and fine is not None:
        below_allowed = lenient == MITIGATED and MITIGATED in lists
        if tier.fine_min is not None and fine < tier.fine_min and not below_allowed:
            findings.append(
                Finding(
                    "outside_benchmark",
                    "decision.penalty.fine_amount",
                    f"fine {fine} below the tier's minimum {tier.fine_min}",
                )
            )
        if tier.fine_max is not None and fine > tier.fine_max:
            findings.append(
                Finding(
                    "outside_benchmark",
                    "decision.penalty.fine_amount",
                    f"fine {fine} above the tier's maximum {tier.fine_max}",
                )
            )
    return findings


def first_violation_window_start(detected_on: date, months: int = 12) -> date:
    """首违: first detected by the same agency within this window (a setting, 12 months) before ``detected_on``."""
    return add_months(detected_on, -months)


def first_violation_penalised(
    on_exempt_list: bool, minor_violation: bool, prior_cases_in_window: int, kinds: Sequence[str]
) -> bool:
    """A first, minor violation of an item on the 首违不罚 list that was penalised anyway (art. 33) is flagged."""
    return on_exempt_list and minor_violation and prior_cases_in_window == 0 and bool(kinds)
