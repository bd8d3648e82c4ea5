"""What follows a failing case file: a correction (错案纠正) and an accountability record (过错责任追究), each
opened → assigned → decided → closed. Pure: the transitions, each step's deadline (an obligation watched while open
and measured when met), and what a decision must say."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from enforcement_kernel.workdays import WorkCalendar, default_calendar

from .periods import Promptness

OPENED, ASSIGNED, DECIDED, CLOSED = "opened", "assigned", "decided", "closed"
STATES = (OPENED, ASSIGNED, DECIDED, CLOSED)

#: action -> (the state it needs, the state it leads to)
TRANSITIONS = {"assign": (OPENED, ASSIGNED), "decide": (ASSIGNED, DECIDED), "close": (DECIDED, CLOSED)}

#: the obligation each open state owes (named as its promptness measurement and its deadline miss)
KIND_ASSIGNED, KIND_DECIDED, KIND_CLOSED = "followup_assigned", "followup_decided", "followup_closed"
STEP_KIND = {OPENED: KIND_ASSIGNED, ASSIGNED: KIND_DECIDED, DECIDED: KIND_CLOSED}
WATCHED_KINDS = (KIND_ASSIGNED, KIND_DECIDED, KIND_CLOSED)


class IllegalTransition(ValueError):
    """An action the record's state does not allow (a 409 naming the state)."""

    def __init__(self, action: str, state: str):
        self.action, self.state = action, state
        needs = TRANSITIONS[action][0] if action in TRANSITIONS else None
        super().__init__(f"cannot {action} a record that is {state}" + (f" (it must be {needs})" if needs else ""))


def next_state(state: str, action: str) -> str:
    """The state ``action`` leads to from ``state``; anything else raises ``IllegalTransition``."""
    if action not in TRANSITIONS or TRANSITIONS[action][0] != state:
        raise IllegalTransition(action, state)
    return TRANSITIONS[action][1]


@dataclass(frozen=True)
class Deadlines:
    """``CASES.followups``: working days to assign, calendar days to decide once assigned, working days to close
    once decided."""

    assign_workdays: int = 5
    decide_days: int = 60
    close_workdays: int = 10

    @classmethod
    def from_section(cls, section: Mapping | None) -> Deadlines:
        section = section or {}
        values = {k: int(section.get(k, getattr(cls, k))) for k in ("assign_workdays", "decide_days", "close_workdays")}
        for key, value in values.items():
            if value < 0:
                raise ValueError(f"CASES.followups.{key} must not be negative")
        return cls(**values)


@dataclass(frozen=True)
class Step:
    """The obligation a record owes in its current state: its kind, when its clock started, its deadline in its own
    unit, and the last day in time."""

    kind: str
    started_on: date
    deadline: int
    unit: str  # workdays or days (calendar)
    due_on: date


def current_step(
    state: str,
    opened_on: date,
    assigned_on: date | None,
    decided_on: date | None,
    deadlines: Deadlines,
    calendar: WorkCalendar | None = None,
) -> Step | None:
    """What the record owes now; None once closed."""
    cal = calendar or default_calendar()
    if state == OPENED:
        due = cal.add_workdays(opened_on, deadlines.assign_workdays)
        return Step(KIND_ASSIGNED, opened_on, deadlines.assign_workdays, "workdays", due)
    if state == ASSIGNED:
        due = assigned_on + timedelta(days=deadlines.decide_days)
        return Step(KIND_DECIDED, assigned_on, deadlines.decide_days, "days", due)
    if state == DECIDED:
        due = cal.add_workdays(decided_on, deadlines.close_workdays)
        return Step(KIND_CLOSED, decided_on, deadlines.close_workdays, "workdays", due)
    return None


def is_late(step: Step | None, today: date, calendar: WorkCalendar | None = None) -> bool:
    """Whether meeting the step today would already be late (the due day itself is in time; for working days, a
    weekend right after the due day is still in time, as ``workday_promptness`` counts it)."""
    if step is None:
        return False
    if step.unit == "days":
        return today > step.due_on
    cal = calendar or default_calendar()
    return cal.workdays_between(step.started_on, today) > step.deadline


def measure(step: Step, ended_on: date, calendar: WorkCalendar | None = None) -> tuple[Promptness, float]:
    """The step met on ``ended_on``: its promptness (working days taken against the deadline in working days) and
    the time taken in the step's own unit."""
    cal = calendar or default_calendar()
    taken_workdays = cal.workdays_between(step.started_on, ended_on)
    if step.unit == "days":
        taken = (ended_on - step.started_on).days
        allowed = cal.workdays_between(step.started_on, step.due_on)
        return Promptness(taken_workdays, allowed, taken <= step.deadline, step.due_on), float(taken)
    on_time = taken_workdays <= step.deadline
    return Promptness(taken_workdays, step.deadline, on_time, step.due_on), float(taken_workdays)


def date_problem(day: date, after: date, today: date, after_what: str) -> str | None:
    """A step is dated on or after the one before and not in the future."""
    if day < after:
        return f"must not be before {after_what} ({after.isoformat()})"
    if day > today:
        return "must not be after today"
    return None


def decision_problems(kind: str, data: Mapping, officer_ids: Sequence[str]) -> dict[str, list[str]]:
    """What is wrong with a decision of a ``kind`` record: a correction names its ``measure`` and no officers; an
    accountability record decides each officer concerned exactly once (an outcome or an exemption), no measure."""
    problems: dict[str, list[str]] = {}
    officers = data.get("officers") or []
    if kind == "correction":
        if not data.get("measure"):
            problems["measure"] = ["a correction records what was corrected"]
        if officers:
            problems["officers"] = ["a correction decides no officer: accountability does"]
        return problems
    if data.get("measure"):
        problems["measure"] = ["an accountability record decides per officer, not a measure"]
    given = [o["officer_id"] for o in officers]
    missing = [o for o in officer_ids if o not in given]
    unknown = [o for o in given if o not in officer_ids]
    twice = sorted({o for o in given if given.count(o) > 1})
    words = []
    if missing:
        words.append(f"officers concerned not decided: {', '.join(missing)}")
    if unknown:
        words.append(f"not officers concerned by this record: {', '.join(unknown)}")
    if twice:
        words.append(f"decided more than once: {', '.join(twice)}")
    if words:
        problems["officers"] = words
    return problems
