"""The procedure of the Administrative Penalty Law (行政处罚法): officers, on-the-spot limits, suspensions,
the decision deadline, hearings, limitation and the order of the stages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from enforcement_kernel.workdays import WorkCalendar, default_calendar

from .periods import Promptness, add_years

#: Enforcement types the two-certified-officers rule always applies to (art. 42 for penalties; 行政强制法 art. 18 for
#: coercion; inspections are carried out by two officers); a county's setting may add others (licensing, ...).
LAW_TWO_OFFICER_TYPES = ("penalty", "coercion", "inspection")


def officers_required(type_code: str, two_officer_types: Iterable[str] = (), minimum: int = 2) -> int:
    """How many distinct officers a case of this enforcement type needs: ``minimum`` for penalties, coercion and
    inspections and for the types the county's setting adds; one for the others (licensing, confirmation, benefits,
    levies unless the setting names them)."""
    if type_code in LAW_TWO_OFFICER_TYPES or type_code in set(two_officer_types):
        return minimum
    return 1


def officer_count_error(officer_ids: Sequence[str], minimum: int = 2) -> str | None:
    """Art. 42: at least two enforcement officers (certified, checked separately) per case."""
    distinct = set(officer_ids)
    if len(distinct) != len(officer_ids):
        return "an officer is listed twice"
    if len(distinct) < minimum:
        return f"at least {minimum} certified officers must handle a case (art. 42); {len(distinct)} given"
    return None


def on_the_spot_error(
    party_kind: str,
    kinds: Sequence[str],
    fine: Decimal | None,
    citizen_limit: Decimal = Decimal(200),
    organisation_limit: Decimal = Decimal(3000),
) -> str | None:
    """Art. 51: the on-the-spot (simplified) procedure only for a warning or a fine up to 200 yuan (citizen) or
    3,000 yuan (organisation). Returns why a simplified decision is not allowed, or None."""
    others = sorted(set(kinds) - {"warning", "fine"})
    if others:
        return f"the on-the-spot procedure allows only a warning or a fine, not {', '.join(others)}"
    limit = citizen_limit if party_kind == "citizen" else organisation_limit
    if "fine" in kinds and fine is not None and fine > limit:
        who = "a citizen" if party_kind == "citizen" else "an organisation"
        return f"the on-the-spot procedure allows a fine of at most {limit} yuan for {who}; {fine} given"
    return None


@dataclass(frozen=True)
class SuspensionSpan:
    suspended_on: date
    resumed_on: date | None  # None: still suspended


@dataclass(frozen=True)
class ExtensionGrant:
    days: int
    approved_on: date


def paused_spans(suspensions: Iterable[SuspensionSpan], until: date) -> list[tuple[date, date]]:
    """The days the 90-day clock stood still up to ``until``, as merged [start, end) spans: from each suspension day
    to the day the case resumed (a suspension still open runs to ``until``)."""
    spans = sorted((s.suspended_on, min(s.resumed_on or until, until)) for s in suspensions if s.suspended_on < until)
    merged: list[tuple[date, date]] = []
    for start, end in spans:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def suspended_days(suspensions: Iterable[SuspensionSpan], until: date) -> int:
    """Calendar days the clock stood still up to ``until`` (overlaps counted once)."""
    return sum((end - start).days for start, end in paused_spans(suspensions, until))


@dataclass(frozen=True)
class DecisionDeadline:
    due_on: date
    suspended_days: int
    extension_days: int
    late_extensions: tuple[ExtensionGrant, ...] = ()


def decision_deadline(
    filed_on: date,
    suspensions: Iterable[SuspensionSpan],
    extensions: Iterable[ExtensionGrant],
    until: date,
    limit_days: int = 90,
) -> DecisionDeadline:
    """Art. 60: decide within ``limit_days`` calendar days of 立案, suspended days excluded, plus extensions approved
    before the deadline they extend (an extension approved after it had passed does not count)."""
    paused = suspended_days(suspensions, until)
    due = filed_on + timedelta(days=limit_days + paused)
    granted, late = 0, []
    for ext in sorted(extensions, key=lambda e: e.approved_on):
        if ext.approved_on <= due:
            due += timedelta(days=ext.days)
            granted += ext.days
        else:
            late.append(ext)
    return DecisionDeadline(due, paused, granted, tuple(late))


@dataclass(frozen=True)
class DecisionTiming:
    days_taken: int  # calendar days from 立案, suspended days excluded
    on_time: bool
    deadline: DecisionDeadline
    promptness: Promptness  # the same in working days (the measurement's unit)


def decision_timing(
    filed_on: date,
    decided_on: date,
    suspensions: Sequence[SuspensionSpan],
    extensions: Sequence[ExtensionGrant],
    limit_days: int = 90,
    calendar: WorkCalendar | None = None,
) -> DecisionTiming:
    """Was the case decided in time? Calendar days decide it; working days are reported alongside."""
    cal = calendar or default_calendar()
    deadline = decision_deadline(filed_on, suspensions, extensions, decided_on, limit_days)
    days_taken = (decided_on - filed_on).days - deadline.suspended_days
    on_time = decided_on <= deadline.due_on
    # working days inside [start, end): those after start-1 up to and including end-1
    paused_workdays = sum(
        cal.workdays_between(start - timedelta(days=1), end - timedelta(days=1))
        for start, end in paused_spans(suspensions, decided_on)
    )
    taken = max(0, cal.workdays_between(filed_on, decided_on) - paused_workdays)
    allowed = max(0, cal.workdays_between(filed_on, deadline.due_on) - paused_workdays)
    return DecisionTiming(days_taken, on_time, deadline, Promptness(taken, allowed, on_time, deadline.due_on))


def decision_missed(
    filed_on: date,
    suspensions: Sequence[SuspensionSpan],
    extensions: Sequence[ExtensionGrant],
    today: date,
    limit_days: int = 90,
) -> date | None:
    """The due date of a case still undecided on ``today`` if deciding it today would already be late (art. 60,
    measured as ``decision_timing`` does); None while time remains. The due day itself is still in time, and a
    suspension still open stops the clock up to ``today``."""
    deadline = decision_deadline(filed_on, suspensions, extensions, today, limit_days)
    return deadline.due_on if today > deadline.due_on else None


def workdays_missed(started_on: date, today: date, workdays: int, calendar: WorkCalendar | None = None) -> date | None:
    """The due date of an obligation of ``workdays`` working days from ``started_on`` (publishing a decision,
    deciding or acknowledging a transfer) still unmet on ``today`` if meeting it today would already be late (counted
    as ``workday_promptness`` does: a weekend right after the due day is still in time); else None."""
    cal = calendar or default_calendar()
    if cal.workdays_between(started_on, today) <= workdays:
        return None
    return cal.add_workdays(started_on, workdays)


def hearing_request_in_time(
    notice_on: date, requested_on: date, workdays: int = 5, calendar: WorkCalendar | None = None
) -> bool:
    """Art. 64(1): the party asks for a hearing within 5 working days of being told of the right to one."""
    return requested_on <= (calendar or default_calendar()).add_workdays(notice_on, workdays)


def hearing_notice_sufficient(
    notice_on: date, hearing_on: date, workdays: int = 7, calendar: WorkCalendar | None = None
) -> bool:
    """Art. 64(2): the party is told of the hearing 7 working days before it (hearing no earlier than the 7th
    working day after the notice)."""
    return (calendar or default_calendar()).workdays_between(notice_on, hearing_on) >= workdays


def hearing_blocks_decision(
    dates: dict[str, date | None], request_workdays: int = 5, calendar: WorkCalendar | None = None
) -> str | None:
    """Art. 64: a hearing the party asked for in time must be held before the decision, unless the party withdrew the
    request and the withdrawal was recorded. Returns why the decision is refused, or None (no request, a late one,
    the hearing held, or the request withdrawn)."""
    requested, notice = dates.get("hearing_requested_on"), dates.get("notice_on")
    if requested is None or notice is None or dates.get("decided_on") is None:
        return None
    if not hearing_request_in_time(notice, requested, request_workdays, calendar):
        return None
    if dates.get("hearing_held_on") is not None or dates.get("hearing_withdrawn_on") is not None:
        return None
    return (
        "a hearing requested in time was not held before the decision (art. 64); record the hearing, or the "
        "party's withdrawal of the request"
    )


def limitation_years(harm: str, base: int = 2, extended: int = 5) -> int:
    """Art. 36: 2 years; 5 where citizens' life and health or financial security were harmed."""
    return extended if harm in ("life_health", "financial") else base


def limitation_expired(violation_on: date, detected_on: date, harm: str, base: int = 2, extended: int = 5) -> bool:
    """Not detected within the period (its last day is the anniversary): no penalty any more (art. 36)."""
    return detected_on > add_years(violation_on, limitation_years(harm, base, extended))


# Stage dates in the order the law has them; each must not precede the ones it follows.
_ORDER: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("detected_on", ("violation_on",)),
    ("filed_on", ("violation_on",)),
    ("investigation_ended_on", ("filed_on",)),
    ("notice_on", ("filed_on",)),
    ("hearing_requested_on", ("notice_on",)),
    ("hearing_notice_on", ("hearing_requested_on", "notice_on")),
    ("hearing_held_on", ("hearing_notice_on", "hearing_requested_on")),
    ("hearing_withdrawn_on", ("hearing_requested_on",)),
    ("decided_on", ("filed_on", "notice_on", "hearing_held_on", "hearing_withdrawn_on", "investigation_ended_on")),
    ("served_on", ("decided_on",)),
    ("executed_on", ("decided_on",)),
    ("closed_on", ("decided_on", "filed_on")),  # a case may close without a decision (销案)
)
_REQUIRES = {
    "hearing_requested_on": "notice_on",
    "hearing_held_on": "hearing_notice_on",
    "hearing_withdrawn_on": "hearing_requested_on",
    "served_on": "decided_on",
    "executed_on": "decided_on",
}


def stage_errors(dates: dict[str, date | None], today: date) -> dict[str, list[str]]:
    """Rejections for stage dates that contradict each other or lie in the future."""
    errors: dict[str, list[str]] = {}
    for name, value in dates.items():
        if value is not None and value > today:
            errors.setdefault(name, []).append("must not be in the future")
    for later, earlier in _ORDER:
        value = dates.get(later)
        if value is None:
            continue
        for before in earlier:
            if dates.get(before) is not None and value < dates[before]:
                errors.setdefault(later, []).append(f"must not be before {before} ({dates[before].isoformat()})")
    for stage, needs in _REQUIRES.items():
        if dates.get(stage) is not None and dates.get(needs) is None:
            errors.setdefault(stage, []).append(f"needs {needs} first")
    if dates.get("hearing_withdrawn_on") is not None and dates.get("hearing_held_on") is not None:
        errors.setdefault("hearing_withdrawn_on", []).append("the hearing was held; a held hearing is not withdrawn")
    return errors


def suspension_errors(
    suspensions: Sequence[SuspensionSpan], filed_on: date, decided_on: date | None, today: date
) -> list[str]:
    problems = []
    for s in suspensions:
        if s.suspended_on < filed_on:
            problems.append(f"suspension on {s.suspended_on.isoformat()} is before 立案")
        if s.resumed_on is not None and s.resumed_on < s.suspended_on:
            problems.append(f"resumed_on {s.resumed_on.isoformat()} is before suspended_on")
        if decided_on is not None and s.suspended_on >= decided_on:
            problems.append(f"suspension on {s.suspended_on.isoformat()} is not before the decision")
        if s.suspended_on > today or (s.resumed_on and s.resumed_on > today):
            problems.append("suspension dates must not be in the future")
    return problems
