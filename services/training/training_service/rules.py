"""Pure domain rules of the training service: attendance checks, yearly compliance, exams.

No database and no nameko here. The database aggregates an officer-year's attendance into
``YearTotals`` (one GROUP BY, see ``operations.aggregate``); these functions decide what the
totals mean. Numbers that vary by county are parameters (``Policy``) filled from the settings.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

# Machine-readable reasons, so callers can count or translate them without parsing text.
REASON_HOURS = "hours_short"
REASON_REQUIRED = "required_course_not_done"
REASON_ROTATION = "not_rotated_by_deadline"
REASON_NOT_IN_POST = "not_in_post"


@dataclass(frozen=True)
class Policy:
    """The county's settings for yearly compliance."""

    yearly_hours: Mapping[str, float]  # category code -> minimum hours per calendar year (30/30 in the plan)
    rotation_deadline: date | None = date(2024, 6, 30)  # every officer trained at least once by then (全员轮训)
    rotation_window_start: date | None = date(2023, 1, 1)  # training from this day on counts for the rotation
    hours_step: float = 0.5  # hours are recorded in steps of this size (学时, half hours at most)
    max_hours_per_day: float = 12  # a session claiming more per day than this is absurd

    def __post_init__(self) -> None:
        if any(v < 0 for v in self.yearly_hours.values()):
            raise ValueError("yearly hour thresholds cannot be negative")
        if self.hours_step <= 0:
            raise ValueError("hours_step must be positive")


@dataclass(frozen=True)
class YearTotals:
    """One officer-year as the database aggregated it."""

    officer_id: str
    agency_code: str
    year: int
    hours_by_category: Mapping[str, float]  # counted hours only (activities that do not count are left out)
    required_done: int  # distinct required courses attended in the year
    required_total: int  # required courses there are
    trained_by_deadline: bool  # attended a training session inside the rotation window (start to deadline)
    name: str = ""
    appointed_on: date | None = None  # in post from (None: not known, counted as in post before the year)
    departed_on: date | None = None  # left the post on (None: still in post)


@dataclass(frozen=True)
class Compliance:
    officer_id: str
    agency_code: str
    year: int
    hours_by_category: dict[str, float]
    shortfall_by_category: dict[str, float]
    required_courses_done: bool
    required_courses_missing: int
    rotation_done: bool | None  # None: the rotation deadline is not in this year
    compliant: bool
    reasons: list[str] = field(default_factory=list)
    name: str = ""
    owed_hours_by_category: dict[str, float] = field(default_factory=dict)  # pro-rated for part of a year in post
    days_in_post: int = 0
    in_post: bool = True

    @property
    def short_hours(self) -> float:
        return round(sum(self.shortfall_by_category.values()), 2)


def year_bounds(year: int) -> tuple[date, date]:
    """The calendar year an attendance counts in is the year of its ``attended_on`` (Jan 1 to Dec 31)."""
    return date(year, 1, 1), date(year, 12, 31)


def rotation_due(year: int, deadline: date | None) -> bool:
    """The rotation (全员轮训) is a one-off target: it is judged in the deadline's own year only."""
    return deadline is not None and year == deadline.year


def rotation_owed(deadline: date | None, appointed_on: date | None, departed_on: date | None) -> bool:
    """The rotation is owed by an officer appointed before its deadline and still in post on it: one appointed on
    the deadline or later, or gone before it, had no window to be rotated in."""
    if deadline is None:
        return False
    appointed_before = appointed_on is None or appointed_on < deadline
    return appointed_before and (departed_on is None or departed_on >= deadline)


def days_in_post(year: int, appointed_on: date | None, departed_on: date | None) -> int:
    """Days of ``year`` the officer was in post, both ends included (the day of appointment and the day of
    departure are days in post); an unknown appointment counts as before the year."""
    start, end = year_bounds(year)
    first = max(start, appointed_on) if appointed_on else start
    last = min(end, departed_on) if departed_on else end
    return max((last - first).days + 1, 0)


def year_days(year: int) -> int:
    start, end = year_bounds(year)
    return (end - start).days + 1


def owed_hours(minimum: float, days: int, days_in_year: int, step: float = 0.5) -> float:
    """The hours an officer owes for ``days`` in post: the full minimum for the whole year, otherwise the minimum
    pro-rated by days in post and rounded up to the hours step (0.5 h): 30 h over 100 of 365 days owe 8.5 h."""
    if days >= days_in_year:
        return float(minimum)
    if days <= 0:
        return 0.0
    share = Fraction(minimum) * days / days_in_year / Fraction(step)
    return float(math.ceil(share) * Fraction(step))


def evaluate(totals: YearTotals, policy: Policy) -> Compliance:
    """Is this officer-year compliant: every owed threshold met (exactly at it counts), required courses, rotation.

    A part-year officer (appointed during the year) owes the thresholds pro-rated by days in post (``owed_hours``)
    and every course required that year in full; an officer not in post on any day of the year owes nothing and is
    reported ``in_post: False``, not compliant (reason ``not_in_post``)."""
    days, in_year = days_in_post(totals.year, totals.appointed_on, totals.departed_on), year_days(totals.year)
    owed = {
        code: owed_hours(float(minimum), days, in_year, policy.hours_step)
        for code, minimum in policy.yearly_hours.items()
    }
    hours = {code: round(float(v), 2) for code, v in totals.hours_by_category.items()}
    for code in policy.yearly_hours:
        hours.setdefault(code, 0.0)
    shortfall = {code: round(max(owed[code] - hours[code], 0.0), 2) for code in policy.yearly_hours}
    reasons = [f"{REASON_HOURS}:{code}" for code, short in shortfall.items() if short > 0]
    missing = max(totals.required_total - totals.required_done, 0) if days else 0
    if missing:
        reasons.append(REASON_REQUIRED)
    due = rotation_due(totals.year, policy.rotation_deadline) and rotation_owed(
        policy.rotation_deadline, totals.appointed_on, totals.departed_on
    )
    rotation = totals.trained_by_deadline if due else None
    if rotation is False:
        reasons.append(REASON_ROTATION)
    if not days:
        reasons.append(REASON_NOT_IN_POST)
    return Compliance(
        officer_id=totals.officer_id,
        agency_code=totals.agency_code,
        year=totals.year,
        hours_by_category=hours,
        shortfall_by_category=shortfall,
        required_courses_done=missing == 0,
        required_courses_missing=missing,
        rotation_done=rotation,
        compliant=not reasons,
        reasons=reasons,
        name=totals.name,
        owed_hours_by_category=owed,
        days_in_post=days,
        in_post=bool(days),
    )


@dataclass
class Rollup:
    """How many officers of an agency (or the county) are compliant, how many short and by how much."""

    agency_code: str
    officers: int = 0
    compliant: int = 0
    short_hours: float = 0.0
    shortfall_by_category: dict[str, float] = field(default_factory=dict)
    required_courses_missing: int = 0
    rotation_missing: int = 0

    @property
    def short(self) -> int:
        return self.officers - self.compliant

    @property
    def compliance_ratio(self) -> float:
        return round(self.compliant / self.officers, 4) if self.officers else 0.0

    def add(self, c: Compliance) -> None:
        self.officers += 1
        self.compliant += c.compliant
        self.short_hours = round(self.short_hours + c.short_hours, 2)
        for code, short in c.shortfall_by_category.items():
            self.shortfall_by_category[code] = round(self.shortfall_by_category.get(code, 0.0) + short, 2)
        self.required_courses_missing += not c.required_courses_done
        self.rotation_missing += c.rotation_done is False


def rollup(results: Iterable[Compliance], categories: Iterable[str] = ()) -> tuple[Rollup, dict[str, Rollup]]:
    """The county total and one roll-up per agency, from the per-officer results."""
    cats = list(categories)
    county = Rollup("county", shortfall_by_category=dict.fromkeys(cats, 0.0))
    agencies: dict[str, Rollup] = {}
    for c in results:
        county.add(c)
        agencies.setdefault(c.agency_code, Rollup(c.agency_code, shortfall_by_category=dict.fromkeys(cats, 0.0))).add(c)
    return county, dict(sorted(agencies.items()))


# --- required courses ---------------------------------------------------------------------
def required_in(year: int, required: bool, required_from: int | None, required_until: int | None) -> bool:
    """A required course is owed in the years it was required: from ``required_from`` (the year it was created or
    made required) to ``required_until`` (both included; None: no end)."""
    if not required:
        return False
    return (required_from is None or required_from <= year) and (required_until is None or year <= required_until)


def required_years_problems(required: bool, required_from: int | None, required_until: int | None) -> dict[str, str]:
    """What is wrong with a course's required years ({field: reason})."""
    problems = {}
    if not required:
        for key, value in (("required_from", required_from), ("required_until", required_until)):
            if value is not None:
                problems[key] = "only a required course has required years"
    elif required_from is not None and required_until is not None and required_until < required_from:
        problems["required_until"] = f"must not be before required_from ({required_from})"
    return problems


# --- attendance -----------------------------------------------------------------------------
def hours_problem(hours: float, step: float = 0.5) -> str | None:
    """Why an hours value is unacceptable in itself, or None."""
    if hours is None or isinstance(hours, bool):
        return "must be a number"
    if hours != hours or hours <= 0:  # NaN or not positive
        return "must be more than 0"
    if abs(hours / step - round(hours / step)) > 1e-9:
        return f"must be a multiple of {step:g}"
    return None


def session_problems(held_on: date, ends_on: date, hours: float, policy: Policy) -> dict[str, str]:
    """What is wrong with a session's dates and hours ({field: reason})."""
    problems = {}
    if ends_on < held_on:
        problems["ends_on"] = "must not be before held_on"
    elif (ends_on - held_on).days > 366:
        problems["ends_on"] = "a session lasts at most a year"
    reason = hours_problem(hours, policy.hours_step)
    if reason:
        problems["hours"] = reason
    elif ends_on >= held_on:
        days = (ends_on - held_on).days + 1
        if hours > policy.max_hours_per_day * days:
            problems["hours"] = f"{hours:g} h over {days} day(s) is more than {policy.max_hours_per_day:g} h a day"
    return problems


def attendance_problems(
    *,
    hours: float,
    attended_on: date,
    session_hours: float,
    held_on: date,
    ends_on: date,
    today: date,
    step: float = 0.5,
    departed_on: date | None = None,
) -> dict[str, str]:
    """What is wrong with an attendance record ({field: reason}); empty when it may be recorded."""
    problems = {}
    reason = hours_problem(hours, step)
    if reason:
        problems["hours"] = reason
    elif hours > session_hours:
        problems["hours"] = f"{hours:g} h is more than the session's {session_hours:g} h"
    if attended_on > today:
        problems["attended_on"] = f"{attended_on.isoformat()} is in the future"
    elif attended_on < held_on:
        problems["attended_on"] = f"the session starts on {held_on.isoformat()}; no attendance before it"
    elif attended_on > ends_on:
        problems["attended_on"] = f"the session ended on {ends_on.isoformat()}"
    elif departed_on is not None and attended_on > departed_on:
        problems["officer_id"] = f"the officer left the post on {departed_on.isoformat()}"
    return problems


# --- exams ----------------------------------------------------------------------------------
def exam_passed(score: float, pass_mark: float) -> bool:
    """A score at the pass mark passes."""
    return score >= pass_mark
