"""Working-day arithmetic on the Chinese official calendar.

Statutory periods of 2, 3, 5 and 7 days in the Administrative Penalty Law are working days (行政处罚法 art. 85),
so deadlines must skip weekends and public holidays and count the make-up working days (调休) that fall on
weekends. The State Council publishes each year's arrangement late in the previous year; ``chinese_calendar``
carries it for the years it knows and raises ``NotImplementedError`` for the others. For those years we fall back
to Monday-Friday, and a county can fill in ``extra_holidays`` / ``extra_workdays`` from its settings until the
library catches up. The extra lists also override known years, so a local correction never needs a code change.

Counting convention (the law's): the day of the act is not counted. A period "within n working days" of an act on
day D ends on ``add_workdays(D, n)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import chinese_calendar

__all__ = [
    "WorkCalendar",
    "add_workdays",
    "default_calendar",
    "is_workday",
    "set_default_calendar",
    "workdays_between",
]

DateLike = date | datetime

_ONE_DAY = timedelta(days=1)


def _as_date(value: DateLike) -> date:
    """Reduce a datetime to its date: deadlines are counted in whole days."""
    # datetime is a subclass of date, so test it first.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date or datetime, got {type(value).__name__}")


class WorkCalendar:
    """Decides which days are working days and counts them.

    ``extra_holidays`` and ``extra_workdays`` are county settings; they take precedence over both the official
    calendar and the Monday-Friday fallback.
    """

    def __init__(
        self,
        extra_holidays: Iterable[DateLike] = (),
        extra_workdays: Iterable[DateLike] = (),
    ) -> None:
        self.extra_holidays: frozenset[date] = frozenset(_as_date(d) for d in extra_holidays)
        self.extra_workdays: frozenset[date] = frozenset(_as_date(d) for d in extra_workdays)
        clash = self.extra_holidays & self.extra_workdays
        if clash:
            # A day cannot be both; refusing here beats silently picking one.
            days = ", ".join(sorted(d.isoformat() for d in clash))
            raise ValueError(f"days listed both as extra holidays and extra workdays: {days}")
        # Cache which years the library knows, so the fallback does not raise and catch on every day.
        self._official_years: dict[int, bool] = {}

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(extra_holidays={len(self.extra_holidays)} days, "
            f"extra_workdays={len(self.extra_workdays)} days)"
        )

    def has_official_data(self, year: int) -> bool:
        """Whether ``chinese_calendar`` knows this year's holiday arrangement (else Monday-Friday is used)."""
        known = self._official_years.get(year)
        if known is None:
            try:
                chinese_calendar.is_workday(date(year, 1, 1))
                known = True
            except NotImplementedError:
                known = False
            self._official_years[year] = known
        return known

    def is_workday(self, d: DateLike) -> bool:
        """True if ``d`` is a working day: settings first, then the official calendar, else Monday-Friday."""
        day = _as_date(d)
        if day in self.extra_holidays:
            return False
        if day in self.extra_workdays:
            return True
        if self.has_official_data(day.year):
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def add_workdays(self, start: DateLike, n: int) -> date:
        """The date ``n`` working days after ``start`` (``start`` itself not counted).

        ``n == 0`` returns ``start``; a negative ``n`` counts backwards the same way.
        """
        day = _as_date(start)
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: DateLike, end: DateLike) -> int:
        """Working days after ``start`` up to and including ``end``; 0 if ``end`` is not after ``start``.

        This is the "time taken" of an obligation: ``workdays_between(D, add_workdays(D, n)) == n``.
        """
        first = _as_date(start)
        last = _as_date(end)
        count = 0
        day = first + _ONE_DAY
        while day <= last:
            if self.is_workday(day):
                count += 1
            day += _ONE_DAY
        return count


_default: WorkCalendar | None = None


def default_calendar() -> WorkCalendar:
    """The shared calendar used by the module-level helpers (no extra days unless one was installed)."""
    global _default
    if _default is None:
        _default = WorkCalendar()
    return _default


def set_default_calendar(calendar: WorkCalendar) -> None:
    """Install the county's configured calendar (with its extra days) as the shared one, e.g. at service start."""
    global _default
    if not isinstance(calendar, WorkCalendar):
        raise TypeError("set_default_calendar expects a WorkCalendar")
    _default = calendar


def is_workday(d: DateLike) -> bool:
    """``default_calendar().is_workday(d)``."""
    return default_calendar().is_workday(d)


def add_workdays(start: DateLike, n: int) -> date:
    """``default_calendar().add_workdays(start, n)``."""
    return default_calendar().add_workdays(start, n)


def workdays_between(start: DateLike, end: DateLike) -> int:
    """``default_calendar().workdays_between(start, end)``."""
    return default_calendar().workdays_between(start, end)
