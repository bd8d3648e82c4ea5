"""Major decisions and legal review (法制审核, art. 58): for a decision of any enforcement type on the agency's
major-decision list, by a reviewer of the agency or of the county's pool."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class MajorRule:
    """One entry of the list: exactly one of an item, a penalty kind, a fine from an amount, an enforcement type (every
    decision of it: e.g. all 行政强制 decisions) or a circumstance tier (the benchmark tier applied, e.g. serious)."""

    item_id: str | None = None
    penalty_kind: str | None = None
    fine_from: Decimal | None = None
    type_code: str | None = None
    circumstance: str | None = None


def is_major(
    rules: Iterable[MajorRule],
    item_id: str,
    kinds: Sequence[str],
    fine: Decimal | None,
    type_code: str | None = None,
    circumstance: str | None = None,
) -> bool:
    """On the agency's major-decision list, whatever the case's enforcement type: the item itself, its type, one of
    the penalty kinds, a fine from an amount, or the circumstance tier the decision applies."""
    for rule in rules:
        if rule.item_id is not None and rule.item_id == item_id:
            return True
        if rule.type_code is not None and rule.type_code == type_code:
            return True
        if rule.circumstance is not None and rule.circumstance == circumstance:
            return True
        if rule.penalty_kind is not None and rule.penalty_kind in kinds:
            return True
        if rule.fine_from is not None and "fine" in kinds and fine is not None and fine >= rule.fine_from:
            return True
    return False


def pool_agencies(allow_county_pool: bool, county_pool_agencies: Iterable[str]) -> frozenset[str]:
    """The agencies whose registered reviewers may review any agency's decisions (公职律师 at the justice bureau or a
    designated agency): none unless the county's settings allow the pool."""
    return frozenset(county_pool_agencies) if allow_county_pool else frozenset()


def qualification_needed(has_legal_qualification: bool, reviewed_before: bool) -> bool:
    """Art. 58: only a reviewer's first legal review needs the legal professional qualification (法律职业资格); one who
    already reviewed before may continue without it."""
    return not has_legal_qualification and not reviewed_before


def reviewer_errors(
    reviewer: dict | None,
    case_agency: str,
    case_officer_ids: Iterable[str],
    reviewed_before: bool = False,
    pool: frozenset[str] = frozenset(),
) -> list[str]:
    """Who may review a major decision: a reviewer registered with the case's agency or with an agency of the county's
    pool, holding the legal professional qualification unless they reviewed before (art. 58: ``reviewed_before``, a
    review recorded here, or personnel's ``may_review_major_decisions`` for a reviewer without the qualification),
    who is not an officer on the case."""
    if reviewer is None:
        if pool:
            return ["not a registered legal reviewer of the case's agency or of the county's reviewer pool"]
        return ["not a registered legal reviewer of the case's agency"]
    problems = []
    if reviewer.get("agency_code") != case_agency and reviewer.get("agency_code") not in pool:
        problems.append("the reviewer belongs to another agency")
    # personnel's answer counts experience it knows of (reviews before this system); ours, the reviews recorded here
    experienced = reviewed_before or bool(reviewer.get("may_review_major_decisions"))
    if qualification_needed(bool(reviewer.get("has_legal_qualification")), experienced):
        problems.append(
            "a first legal review needs the legal professional qualification (法律职业资格, art. 58); the reviewer "
            "holds none and has not reviewed before"
        )
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
