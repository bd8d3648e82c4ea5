"""Pure rules of supervision: deadlines, item and complaint transitions, promptness, the table's statistics.

No database, no broker: everything here is unit-tested directly.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_kernel.workdays import WorkCalendar

from .models import ACCEPTED, ACKNOWLEDGED, ANSWERED, CLOSED, ISSUED, OPEN_ITEM_STATES, REGISTERED, RETURNED, VERIFIED

# action -> (states it may start from, state it leads to)
ITEM_TRANSITIONS = {
    "acknowledge": ((ISSUED,), ACKNOWLEDGED),
    "answer": ((ACKNOWLEDGED, RETURNED), ANSWERED),
    "return": ((ANSWERED,), RETURNED),
    "verify": ((ANSWERED,), VERIFIED),
    "close": ((VERIFIED,), CLOSED),
}
# who may take each action: the agency the item is addressed to, or the bureau
AGENCY_ACTIONS = ("acknowledge", "answer")
BUREAU_ACTIONS = ("return", "verify", "close")


@dataclass(frozen=True)
class Promptness:
    workdays_taken: int
    deadline_workdays: int
    on_time: bool


@dataclass(frozen=True)
class ComplaintLimits:
    accept_workdays: int = 5
    conclude_days: int = 30
    max_extension_days: int = 30


def item_due_on(calendar: WorkCalendar, start: date, workdays: int) -> date:
    """The last day to answer: ``workdays`` working days after ``start`` (the day itself not counted)."""
    return calendar.add_workdays(start, workdays)


def next_item_state(state: str, action: str) -> str:
    """The state after ``action``; Conflict (naming the state) if the item is not in a state that allows it."""
    allowed, target = ITEM_TRANSITIONS[action]
    if state not in allowed:
        raise Conflict(
            f"cannot {action} an item that is {state} (only when {' or '.join(allowed)})", {"state": [f"is {state}"]}
        )
    return target


def item_promptness(
    calendar: WorkCalendar, issued_on: date, answered_on: date, due_on: date, deadline_workdays: int
) -> Promptness:
    """The first answer of an item, measured from its issue against the deadline it had."""
    return Promptness(calendar.workdays_between(issued_on, answered_on), deadline_workdays, answered_on <= due_on)


def falls_overdue(state: str, already_overdue: bool, due_on: date, today: date) -> bool:
    """An item still waiting for the agency after its last day becomes overdue (once)."""
    return not already_overdue and state in OPEN_ITEM_STATES and today > due_on


def complaint_accept_due(calendar: WorkCalendar, received_on: date, limits: ComplaintLimits) -> date:
    return calendar.add_workdays(received_on, limits.accept_workdays)


def complaint_conclude_due(accepted_on: date, limits: ComplaintLimits) -> date:
    """Calendar days from acceptance (DOMAIN: "conclude within 30 days", not working days)."""
    return accepted_on + timedelta(days=limits.conclude_days)


def decide_complaint(state: str) -> None:
    if state != REGISTERED:
        raise Conflict(f"the complaint was already {state}", {"state": [f"is {state}"]})


def extend_complaint(
    state: str, already_extended: bool, due_on: date | None, days: int, today: date, limits: ComplaintLimits
) -> date:
    """One extension of at most ``max_extension_days``, approved before the deadline passed; the new deadline."""
    if state != ACCEPTED:
        raise Conflict(f"only an accepted complaint can be extended (it is {state})", {"state": [f"is {state}"]})
    if already_extended:
        raise Conflict("the complaint was already extended once", {"extension_days": ["only one extension"]})
    if days > limits.max_extension_days:
        raise ValidationFailed(
            f"an extension is at most {limits.max_extension_days} days",
            {"days": [f"must be at most {limits.max_extension_days}"]},
        )
    if today > due_on:
        raise Conflict(
            f"the deadline {due_on.isoformat()} has passed; an extension is approved before it",
            {"conclude_due_on": ["has passed"]},
        )
    return due_on + timedelta(days=days)


def conclude_complaint(state: str) -> None:
    if state != ACCEPTED:
        raise Conflict(f"only an accepted complaint can be concluded (it is {state})", {"state": [f"is {state}"]})


def due_date_promptness(calendar: WorkCalendar, start: date, end: date, due_on: date) -> Promptness:
    """An obligation due by a date (a complaint's answer, the yearly report): working days taken from ``start``."""
    return Promptness(calendar.workdays_between(start, end), calendar.workdays_between(start, due_on), end <= due_on)


def missed_promptness(
    calendar: WorkCalendar,
    started_on: date,
    due_on: date,
    detected_on: date,
    deadline: float | None = None,
    unit: str | None = None,
) -> Promptness:
    """A deadline found passed with the obligation still open: late, working days taken as of the day it was found;
    the deadline in working days (as given for a working-day clock, else counted up to the last day in time)."""
    if deadline is not None and unit in (None, "workdays"):
        deadline_workdays = int(deadline)
    else:
        deadline_workdays = calendar.workdays_between(started_on, due_on)
    return Promptness(calendar.workdays_between(started_on, detected_on), deadline_workdays, False)


#: how an item's English body names each unit (the console shows its own words from the item's details)
UNIT_WORDS = {"workdays": "working days", "days": "days", "hours": "h"}


def in_unit(value: float | None, unit: str | None) -> str:
    """``30.5 h``, ``24 h``, ``12 working days``, ``31 days``: a quantity in an obligation's own unit."""
    if value is None:
        return "?"
    number = f"{value:g}" if float(value) != int(value) else str(int(value))
    return f"{number} {UNIT_WORDS.get(unit or 'workdays', unit)}"


def lateness(data: dict) -> dict:
    """The time taken and the deadline of a measured obligation in its own unit (``deadline_unit``, ``taken``,
    ``deadline`` of ``PromptnessMeasured``); an older producer's measurement without them counts working days."""
    unit = data.get("deadline_unit") or "workdays"
    taken, deadline = data.get("taken"), data.get("deadline")
    if unit == "workdays":
        taken = data["workdays_taken"] if taken is None else taken
        deadline = data["deadline_workdays"] if deadline is None else deadline
    elif unit == "hours" and taken is None and data.get("seconds_taken") is not None:
        taken = round(data["seconds_taken"] / 3600, 1)
    return {"taken": taken, "deadline": deadline, "deadline_unit": unit}


def summarise(histogram: dict[int, tuple[int, int]]) -> dict:
    """Statistics of one group from ``{workdays_taken: (measurements, on_time)}`` (what the SQL GROUP BY returns):
    exact mean, median and max without fetching the rows."""
    total = sum(n for n, _ in histogram.values())
    on_time = sum(ok for _, ok in histogram.values())
    if not total:
        return {
            "measurements": 0,
            "on_time": 0,
            "on_time_ratio": None,
            "mean_workdays": None,
            "median_workdays": None,
            "max_workdays": None,
        }
    values = sorted(histogram)
    mean = sum(v * histogram[v][0] for v in values) / total

    def nth(k: int) -> int:  # the k-th smallest value, 0-based
        seen = 0
        for v in values:
            seen += histogram[v][0]
            if k < seen:
                return v
        raise IndexError(k)

    median = nth(total // 2) if total % 2 else (nth(total // 2 - 1) + nth(total // 2)) / 2
    return {
        "measurements": total,
        "on_time": on_time,
        "on_time_ratio": round(on_time / total, 4),
        "mean_workdays": round(mean, 3),
        "median_workdays": float(median),
        "max_workdays": values[-1],
    }


def mask_name(name: str) -> str:
    """张三 -> 张*, 某某公司 -> 某*: enough to recognise, not to identify."""
    name = name.strip()
    return (name[0] + "*" * max(1, min(len(name) - 1, 3))) if name else ""


def mask_contact(contact: str) -> str:
    """13812345678 -> 138****5678; a@b.cn -> a***@b.cn."""
    contact = contact.strip()
    if "@" in contact:
        local, _, domain = contact.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = contact.replace(" ", "")
    if len(digits) <= 4:
        return "*" * len(digits)
    return (
        digits[:3] + "*" * max(1, len(digits) - 7) + digits[-4:]
        if len(digits) > 7
        else "*" * (len(digits) - 4) + digits[-4:]
    )


# 查询码: Crockford's base32 (no I, L, O, U: nothing to misread), 12 characters (60 random bits) in groups of four
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 12
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_receipt_code() -> str:
    """A complaint's receipt number, e.g. 7KQ4-M9XP-2HTW: unguessable, unlike the complaint's id."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def normalise_receipt_code(text: str) -> str | None:
    """The receipt number as stored, from what a person typed (any case, spaces or dashes, O for 0, I or L for 1);
    None when it cannot be one."""
    raw = "".join(ch for ch in str(text).upper() if ch not in " -").translate(_MISREAD)
    if len(raw) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in raw):
        return None
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))
