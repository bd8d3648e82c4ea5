"""Catalogue rules: versions, legal basis, dormant items."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .periods import add_years


def require_legal_basis(text: str | None) -> str:
    """No legal basis, no item (plan §二(三)1): the basis must name something, not be blank."""
    value = (text or "").strip()
    if len(value) < 2:
        raise ValueError("an enforcement item needs its legal basis (law, regulation or rule and article)")
    return value


@dataclass(frozen=True)
class VersionSpan:
    version: int
    effective_from: date
    effective_to: date | None  # last day in force; None while current


def version_in_force(versions: Iterable[VersionSpan], on: date) -> VersionSpan | None:
    """The version in force on ``on``, or None if the item was not (yet, or any more) in force."""
    for span in versions:
        if span.effective_from <= on and (span.effective_to is None or on <= span.effective_to):
            return span
    return None


def check_new_version_date(current_from: date, new_from: date) -> date:
    """A new version starts after the current one did; returns the current version's last day."""
    if new_from <= current_from:
        raise ValueError(f"must be after the current version's start ({current_from.isoformat()})")
    return new_from - timedelta(days=1)


def dormant_cutoff(as_of: date, years: int = 5) -> date:
    """Items with no case filed on or after this day are proposed for cancellation or adjustment."""
    if years <= 0:
        raise ValueError("years must be positive")
    return add_years(as_of, -years)


def is_dormant(last_case_filed_on: date | None, in_catalogue_since: date, as_of: date, years: int = 5) -> bool:
    """No case in the last ``years`` years, for an item that has been in the catalogue at least that long."""
    cutoff = dormant_cutoff(as_of, years)
    return in_catalogue_since <= cutoff and (last_case_filed_on is None or last_case_filed_on < cutoff)
