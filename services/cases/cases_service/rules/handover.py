"""Transfers (案件移送, 国务院令310号): decision within 3 days, hand-over within 24 hours, acknowledgement within 3
days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from enforcement_kernel.workdays import WorkCalendar, default_calendar

from .periods import Promptness


def handover_promptness(
    decided_at: datetime, handed_over_at: datetime, hours: int = 24, calendar: WorkCalendar | None = None
) -> Promptness:
    """The hand-over leg is counted in hours (24 after the head's decision); its working days are reported too."""
    if handed_over_at < decided_at:
        raise ValueError("the hand-over cannot precede the decision")
    cal = calendar or default_calendar()
    on_time = handed_over_at - decided_at <= timedelta(hours=hours)
    deadline = decided_at + timedelta(hours=hours)
    return Promptness(
        cal.workdays_between(decided_at, handed_over_at),
        cal.workdays_between(decided_at, deadline),
        on_time,
        deadline.date(),
    )


def handover_missed(decided_at: datetime, now: datetime, hours: int = 24) -> date | None:
    """The day a hand-over still not made at ``now`` fell due, once its ``hours`` after the head's decision have
    passed (measured as ``handover_promptness`` does: the last instant is still in time); else None."""
    deadline = decided_at + timedelta(hours=hours)
    return deadline.date() if now > deadline else None
