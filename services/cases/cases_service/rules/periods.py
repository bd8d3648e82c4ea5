"""Calendar helpers: months and years, and a period counted in working days."""

from __future__ import annotations

import calendar as _gregorian
from dataclasses import dataclass
from datetime import date

from enforcement_kernel.workdays import WorkCalendar, default_calendar


def add_months(d: date, months: int) -> date:
    """Same day ``months`` later (or earlier); if that month is shorter, its last day (民法典 art. 202)."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, _gregorian.monthrange(year, month)[1]))


def add_years(d: date, years: int) -> date:
    return add_months(d, 12 * years)


@dataclass(frozen=True)
class Promptness:
    """One obligation measured: working days taken against its deadline."""

    workdays_taken: int
    deadline_workdays: int
    on_time: bool
    due_on: date


def workday_promptness(
    start: date, end: date, deadline_workdays: int, calendar: WorkCalendar | None = None
) -> Promptness:
    """An obligation of ``deadline_workdays`` working days from ``start`` met on ``end`` (start day not counted)."""
    if deadline_workdays < 0:
        raise ValueError("deadline_workdays cannot be negative")
    cal = calendar or default_calendar()
    taken = cal.workdays_between(start, end)
    return Promptness(taken, deadline_workdays, taken <= deadline_workdays, cal.add_workdays(start, deadline_workdays))
