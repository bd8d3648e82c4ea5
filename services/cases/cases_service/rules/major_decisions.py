"""Major decisions and legal review (法制审核, art. 58)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class MajorRule:
    item_id: str | None = None
    penalty_kind: str | None = None
    fine_from: Decimal | None = None


def is_major(rules: Iterable[MajorRule], item_id: str, kinds: Sequence[str], fine: Decimal | None) -> bool:
    """On the agency's major-decision list: the item itself, one of the penalty kinds, or a fine from an amount."""
    for rule in rules:
        if rule.item_id is not None and rule.item_id == item_id:
            return True
        if rule.penalty_kind is not None and rule.penalty_kind in kinds:
            return True
        if rule.fine_from is not None and "fine" in kinds and fine is not None and fine >= rule.fine_from:
            return True
    return False


def reviewer_errors(reviewer: dict | None, case_agency: str, case_officer_ids: Iterable[str]) -> list[str]:
    """Who may pass a major decision: a registered reviewer of the case's agency holding the legal professional
    qualification (a first-time reviewer must, art. 58), who is not an officer on the case."""
    if reviewer is None:
        return ["not a registered legal reviewer of the case's agency"]
    problems = []
    if reviewer.get("agency_code") != case_agency:
        problems.append("the reviewer belongs to another agency")
    if not reviewer.get("has_legal_qualification") or not reviewer.get("may_review_major_decisions", True):
        problems.append("the reviewer does not hold the legal professional qualification (法律职业资格)")
    if reviewer.get("officer_id") and reviewer["officer_id"] in set(case_officer_ids):
        problems.append("the reviewer is an officer on this case")
    return problems


def review_blocks_decision(major: bool, passed_review_dates: Iterable[date], decided_on: date) -> str | None:
    """A major decision needs a passed legal review on or before the decision day."""
    if not major:
        return None
    if any(d <= decided_on for d in passed_review_dates):
        return None
    return "a major decision (重大执法决定) needs a passed legal review (法制审核) before it is decided"
