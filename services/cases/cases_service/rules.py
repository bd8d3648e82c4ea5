"""Pure rules of the cases service: the catalogue, benchmarks and the procedure of the Administrative Penalty Law
(行政处罚法, 2021), legal review, publication and promptness.

No database and no nameko here, so every rule can be unit-tested at its boundaries. Numbers that vary by province or
county are parameters with the plan's defaults; the service passes in its configured values. Each check either
returns a rejection (the request is refused, naming the field) or a warning (recorded on the case: the law's deadline
was missed, which the bureau must see rather than have hidden by a refusal).

Periods: the day of the act is not counted. The 90 days of art. 60 are calendar days; the 2/3/5/7-day periods of the
law are working days (art. 85), counted on the Chinese official calendar (``enforcement_kernel.workdays``).
"""

from __future__ import annotations

import calendar as _gregorian
import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from enforcement_kernel.workdays import WorkCalendar, default_calendar

# --------------------------------------------------------------------------------------------------------------
# Personal data shown to others
# --------------------------------------------------------------------------------------------------------------


def mask_person_name(name: str) -> str:
    """A natural person's name as published: the surname kept, the rest starred (张三 -> 张*, 欧阳娜娜 -> 欧***)."""
    value = (name or "").strip()
    if not value:
        return ""
    return value[0] + "*" * max(1, len(value) - 1)


def mask_id_number(value: str) -> str:
    """First 6 (region) and last 4 characters of an 18-character ID; shorter documents keep 2 and 2."""
    text = value.strip().upper()
    keep_head, keep_tail = (6, 4) if len(text) >= 15 else (2, 2)
    if len(text) <= keep_head + keep_tail:
        return "*" * len(text)
    return text[:keep_head] + "*" * (len(text) - keep_head - keep_tail) + text[-keep_tail:]


def party_display_name(kind: str, name: str) -> str:
    """Organisations are published by name; citizens masked."""
    return mask_person_name(name) if kind == "citizen" else name.strip()


# --------------------------------------------------------------------------------------------------------------
# Calendar helpers
# --------------------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------------------
# Catalogue: versions, legal basis, dormant items
# --------------------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------------------
# Discretion benchmarks and the lenient lists
# --------------------------------------------------------------------------------------------------------------

LIGHTER = "lighter"  # 从轻处罚: within the range, towards its lower end
MITIGATED = "mitigated"  # 减轻处罚: below the range's minimum
FIRST_VIOLATION_EXEMPT = "first_violation_exempt"  # 首违不罚 (art. 33)


@dataclass(frozen=True)
class Tier:
    tier: str
    label: str
    penalty_kinds: tuple[str, ...]
    fine_min: Decimal | None = None
    fine_max: Decimal | None = None


@dataclass(frozen=True)
class Finding:
    """A warning recorded on a case: ``code`` for counting, ``field`` for pointing, ``message`` for people."""

    code: str
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message}


def benchmark_findings(
    tiers: Sequence[Tier],
    circumstance: str | None,
    kinds: Sequence[str],
    fine: Decimal | None,
    lenient: str | None = None,
    item_lists: Iterable[str] = (),
) -> list[Finding]:
    """Where a penalty lies outside the item's benchmark. No benchmark on file: nothing to compare with.

    The 减轻 list lets a fine go below the tier's minimum (never above its maximum); 从轻 stays within the range.
    A lenient list claimed for an item that is not on it is a finding of its own.
    """
    findings: list[Finding] = []
    lists = set(item_lists)
    if lenient and lenient not in lists:
        findings.append(
            Finding("lenient_not_listed", "decision.lenient", f"the item is not on the agency's {lenient} list")
        )
    if not tiers or not kinds:
        return findings
    by_code = {t.tier: t for t in tiers}
    tier = by_code.get(circumstance or "")
    if tier is None:
        findings.append(
            Finding(
                "circumstance_missing",
                "decision.circumstance",
                f"the benchmark has tiers; name the circumstance tier applied ({', '.join(by_code)})",
            )
        )
        return findings
    outside = sorted(set(kinds) - set(tier.penalty_kinds))
    if outside:
        findings.append(
            Finding(
                "outside_benchmark",
                "decision.penalty.kinds",
                f"{', '.join(outside)} not allowed for tier {tier.tier} ({tier.label})",
            )
        )
    if "fine" in kinds and fine is not None:
        below_allowed = lenient == MITIGATED and MITIGATED in lists
        if tier.fine_min is not None and fine < tier.fine_min and not below_allowed:
            findings.append(
                Finding(
                    "outside_benchmark",
                    "decision.penalty.fine_amount",
                    f"fine {fine} below the tier's minimum {tier.fine_min}",
                )
            )
        if tier.fine_max is not None and fine > tier.fine_max:
            findings.append(
                Finding(
                    "outside_benchmark",
                    "decision.penalty.fine_amount",
                    f"fine {fine} above the tier's maximum {tier.fine_max}",
                )
            )
    return findings


def first_violation_window_start(detected_on: date, months: int = 12) -> date:
    """首违: first detected by the same agency within this window (a setting, 12 months) before ``detected_on``."""
    return add_months(detected_on, -months)


def first_violation_penalised(
    on_exempt_list: bool, minor_violation: bool, prior_cases_in_window: int, kinds: Sequence[str]
) -> bool:
    """A first, minor violation of an item on the 首违不罚 list that was penalised anyway (art. 33) is flagged."""
    return on_exempt_list and minor_violation and prior_cases_in_window == 0 and bool(kinds)


# --------------------------------------------------------------------------------------------------------------
# Procedure (行政处罚法)
# --------------------------------------------------------------------------------------------------------------


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
    ("decided_on", ("filed_on", "notice_on", "hearing_held_on", "investigation_ended_on")),
    ("served_on", ("decided_on",)),
    ("executed_on", ("decided_on",)),
    ("closed_on", ("decided_on", "filed_on")),  # a case may close without a decision (销案)
)
_REQUIRES = {
    "hearing_requested_on": "notice_on",
    "hearing_held_on": "hearing_notice_on",
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


# --------------------------------------------------------------------------------------------------------------
# Major decisions and legal review (art. 58)
# --------------------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------------------
# Everything checked on a case at once
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRules:
    """The county's settings for the checks (defaults: the law's and the plan's numbers)."""

    min_officers: int = 2
    decision_limit_days: int = 90
    on_the_spot_citizen: Decimal = Decimal(200)
    on_the_spot_organisation: Decimal = Decimal(3000)
    hearing_request_workdays: int = 5
    hearing_notice_workdays: int = 7
    service_workdays: int = 7
    limitation_years: int = 2
    limitation_years_extended: int = 5
    first_violation_months: int = 12


@dataclass
class CaseFacts:
    """A case's state as the checks see it (a report, or a stored case with a change applied)."""

    agency_code: str
    item_id: str
    party_kind: str
    procedure: str
    penalty_procedure: bool  # the item's type follows the Administrative Penalty Law
    officer_ids: list[str]
    dates: dict[str, date | None]  # violation_on, detected_on, filed_on, ... closed_on, decided_on
    harm: str = "none"
    minor_violation: bool = False
    suspensions: list[SuspensionSpan] = field(default_factory=list)
    extensions: list[ExtensionGrant] = field(default_factory=list)
    penalty_kinds: list[str] = field(default_factory=list)
    fine: Decimal | None = None
    circumstance: str | None = None
    lenient: str | None = None
    tiers: list[Tier] = field(default_factory=list)
    item_lists: set[str] = field(default_factory=set)  # lenient lists the item is on at the decision
    prior_cases_in_window: int = 0
    major: bool = False
    passed_review_dates: list[date] = field(default_factory=list)


@dataclass
class Evaluation:
    errors: dict[str, list[str]] = field(default_factory=dict)
    conflicts: dict[str, list[str]] = field(default_factory=dict)  # refused by the case's state, not its shape
    findings: list[Finding] = field(default_factory=list)

    def reject(self, name: str, message: str, conflict: bool = False) -> None:
        (self.conflicts if conflict else self.errors).setdefault(name, []).append(message)


def evaluate(case: CaseFacts, rules: CaseRules, today: date, calendar: WorkCalendar | None = None) -> Evaluation:
    """Every pure check of a case: rejections (fields) and warnings (findings). Certificates and reviewers are
    checked by the service with the personnel service's answers."""
    cal = calendar or default_calendar()
    out = Evaluation()
    d = case.dates
    for name, messages in stage_errors(d, today).items():
        for message in messages:
            out.reject(name, message)
    problem = officer_count_error(case.officer_ids, rules.min_officers)
    if problem:
        out.reject("officers", problem)
    for message in suspension_errors(case.suspensions, d["filed_on"], d.get("decided_on"), today):
        out.reject("suspensions", message)
    for ext in case.extensions:
        if ext.approved_on < d["filed_on"] or ext.approved_on > today:
            out.reject("extensions", f"approved_on {ext.approved_on.isoformat()} must lie between 立案 and today")
    if out.errors or not case.penalty_procedure:
        return out

    decided = d.get("decided_on")
    detected = d.get("detected_on") or d["filed_on"]
    expired = d.get("violation_on") is not None and limitation_expired(
        d["violation_on"], detected, case.harm, rules.limitation_years, rules.limitation_years_extended
    )
    if expired:
        years = limitation_years(case.harm, rules.limitation_years, rules.limitation_years_extended)
        if decided is not None and case.penalty_kinds:
            out.reject(
                "violation_on", f"not detected within {years} years: no penalty may be given (art. 36)", conflict=True
            )
        else:
            out.findings.append(
                Finding(
                    "limitation_expired",
                    "violation_on",
                    f"not detected within {years} years (art. 36): no penalty may follow",
                )
            )
    if case.procedure == "simplified" and decided is not None:
        problem = on_the_spot_error(
            case.party_kind, case.penalty_kinds, case.fine, rules.on_the_spot_citizen, rules.on_the_spot_organisation
        )
        if problem:
            out.reject("procedure", problem)

    if d.get("hearing_requested_on") and d.get("notice_on"):
        if not hearing_request_in_time(d["notice_on"], d["hearing_requested_on"], rules.hearing_request_workdays, cal):
            out.findings.append(
                Finding(
                    "hearing_request_late",
                    "hearing_requested_on",
                    f"requested more than {rules.hearing_request_workdays} working days after the "
                    "notice (art. 64): the agency need not hold a hearing",
                )
            )
        elif decided is not None and not d.get("hearing_held_on"):
            out.findings.append(
                Finding(
                    "hearing_not_held",
                    "hearing_held_on",
                    "a hearing requested in time was not held before the decision (art. 64)",
                )
            )
    if d.get("hearing_notice_on") and d.get("hearing_held_on"):
        if not hearing_notice_sufficient(
            d["hearing_notice_on"], d["hearing_held_on"], rules.hearing_notice_workdays, cal
        ):
            out.findings.append(
                Finding(
                    "hearing_notice_short",
                    "hearing_notice_on",
                    f"the hearing notice came less than {rules.hearing_notice_workdays} working days "
                    "before the hearing (art. 64)",
                )
            )
    if decided is None:
        return out

    if case.procedure == "ordinary":
        if d.get("notice_on") is None:
            out.findings.append(
                Finding(
                    "notice_missing",
                    "notice_on",
                    "no notice (告知) of the facts, reasons and rights before the decision (art. 44)",
                )
            )
        timing = decision_timing(
            d["filed_on"], decided, case.suspensions, case.extensions, rules.decision_limit_days, cal
        )
        if not timing.on_time:
            out.findings.append(
                Finding(
                    "decision_late",
                    "decided_on",
                    f"decided {timing.days_taken} days after 立案 (suspensions excluded); due by "
                    f"{timing.deadline.due_on.isoformat()} (art. 60)",
                )
            )
        for ext in timing.deadline.late_extensions:
            out.findings.append(
                Finding(
                    "extension_late",
                    "extensions",
                    f"extension approved on {ext.approved_on.isoformat()}, after the deadline had passed",
                )
            )
    if d.get("served_on"):
        served = workday_promptness(decided, d["served_on"], rules.service_workdays, cal)
        if not served.on_time:
            out.findings.append(
                Finding(
                    "service_late",
                    "served_on",
                    f"served {served.workdays_taken} working days after the decision; the law allows "
                    f"{rules.service_workdays} (art. 61)",
                )
            )
    block = review_blocks_decision(case.major, case.passed_review_dates, decided)
    if block:
        out.reject("legal_review", block, conflict=True)
    out.findings.extend(
        benchmark_findings(case.tiers, case.circumstance, case.penalty_kinds, case.fine, case.lenient, case.item_lists)
    )
    if first_violation_penalised(
        FIRST_VIOLATION_EXEMPT in case.item_lists, case.minor_violation, case.prior_cases_in_window, case.penalty_kinds
    ):
        out.findings.append(
            Finding(
                "first_violation_penalised",
                "decision.penalty.kinds",
                "a first minor violation of an item on the 首违不罚 list was penalised (art. 33)",
            )
        )
    return out


def merge_findings(existing: Sequence[dict], new: Iterable[Finding]) -> tuple[list[dict], list[dict]]:
    """Warnings already recorded stay; returns (all, the ones added now). One per (code, field)."""
    seen = {(w["code"], w["field"]) for w in existing}
    added = []
    for finding in new:
        key = (finding.code, finding.field)
        if key not in seen:
            seen.add(key)
            added.append(finding.as_dict())
    return list(existing) + added, added


# --------------------------------------------------------------------------------------------------------------
# Transfers (案件移送, 国务院令310号): decision within 3 days, hand-over within 24 hours, acknowledgement within 3 days
# --------------------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------------------
# Enterprise inspections (涉企行政检查)
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionHistory:
    """What was already recorded this calendar year for the enterprise."""

    by_agency_this_year: int  # inspections led by this agency (joint ones count for their lead only)
    last_by_agency: date | None  # the agency's latest inspection of the enterprise before this one
    all_agencies_this_year: int  # by every agency


@dataclass(frozen=True)
class InspectionLimits:
    yearly_cap: int = 2  # per enterprise per agency (a setting)
    cap_exempt_kinds: tuple[str, ...] = ("complaint", "referral")  # 投诉举报, 转办交办: the law requires them
    repeat_window_days: int = 30
    high_frequency: int = 4  # inspections of one enterprise by all agencies in a year


def inspection_check(
    kind: str, inspected_on: date, history: InspectionHistory, limits: InspectionLimits = InspectionLimits()
) -> tuple[str | None, list[Finding]]:
    """(refusal, warnings): over the yearly cap is refused unless the kind is exempt; a repeat within the window and
    a high-frequency enterprise are warned."""
    findings: list[Finding] = []
    if history.by_agency_this_year >= limits.yearly_cap:
        message = (
            f"the agency already inspected this enterprise {history.by_agency_this_year} times in "
            f"{inspected_on.year}; the yearly cap is {limits.yearly_cap}"
        )
        if kind not in limits.cap_exempt_kinds:
            return message + " (complaints and referrals are exempt)", []
        findings.append(Finding("over_yearly_cap", "credit_code", message + f"; recorded as a {kind} inspection"))
    if history.last_by_agency is not None and (inspected_on - history.last_by_agency).days <= limits.repeat_window_days:
        findings.append(
            Finding(
                "repeated",
                "inspected_on",
                f"the same agency inspected this enterprise on {history.last_by_agency.isoformat()}, "
                f"within {limits.repeat_window_days} days",
            )
        )
    if history.all_agencies_this_year + 1 >= limits.high_frequency:
        findings.append(
            Finding(
                "high_frequency",
                "credit_code",
                f"inspection number {history.all_agencies_this_year + 1} of this enterprise in "
                f"{inspected_on.year} by all agencies (warned from {limits.high_frequency}); "
                "consider a joint inspection (联合检查)",
            )
        )
    return None, findings


# --------------------------------------------------------------------------------------------------------------
# Case-file review (案卷评查)
# --------------------------------------------------------------------------------------------------------------

GRADE_EXCELLENT, GRADE_PASS, GRADE_FAIL = "excellent", "pass", "fail"  # 优秀, 合格, 不合格


@dataclass(frozen=True)
class CheckItem:
    code: str
    label: str
    section: str  # basic | form | content
    points: int = 0


def checklist_errors(items: Sequence[CheckItem], form_points: int = 20, content_points: int = 80) -> list[str]:
    """A checklist is valid when its codes are unique, basic items carry no points, and the form and content items
    add up to their sections' points (20 and 80 by default)."""
    problems = []
    codes = [i.code for i in items]
    if len(codes) != len(set(codes)):
        problems.append("item codes must be unique")
    if not any(i.section == "basic" for i in items):
        problems.append("at least one basic item (a failed one fails the file)")
    if any(i.section == "basic" and i.points for i in items):
        problems.append("basic items pass or fail: they carry no points")
    for section, wanted in (("form", form_points), ("content", content_points)):
        total = sum(i.points for i in items if i.section == section)
        if total != wanted:
            problems.append(f"{section} items add up to {total} points; they must add up to {wanted}")
    return problems


def review_grade(total: int, excellent: int = 90, passing: int = 70) -> str:
    """优秀 from ``excellent``, 合格 from ``passing``, else 不合格 (settings)."""
    if total >= excellent:
        return GRADE_EXCELLENT
    return GRADE_PASS if total >= passing else GRADE_FAIL


@dataclass(frozen=True)
class FileScore:
    form: int
    content: int
    total: int
    grade: str
    basic_failures: tuple[str, ...]


def score_file(
    items: Sequence[CheckItem],
    basic_failures: Iterable[str],
    deductions: Iterable[tuple[str, int]],
    form_points: int = 20,
    content_points: int = 80,
    excellent: int = 90,
    passing: int = 70,
) -> FileScore:
    """A failed basic item makes the file 不合格 with 0 points; otherwise each section starts full and loses its
    deductions, never below 0. Raises ValueError naming a code that is unknown, in the wrong section or over its
    points."""
    by_code = {i.code: i for i in items}
    failed = tuple(sorted(set(basic_failures)))
    for code in failed:
        if code not in by_code or by_code[code].section != "basic":
            raise ValueError(f"{code} is not a basic item of the checklist")
    spent: dict[str, int] = {}
    for code, points in deductions:
        item = by_code.get(code)
        if item is None or item.section == "basic":
            raise ValueError(f"{code} is not a form or content item of the checklist")
        spent[code] = spent.get(code, 0) + points
        if spent[code] > item.points:
            raise ValueError(f"{code} deducts at most {item.points} points")
    if failed:
        return FileScore(0, 0, 0, GRADE_FAIL, failed)
    form = max(0, form_points - sum(p for c, p in spent.items() if by_code[c].section == "form"))
    content = max(0, content_points - sum(p for c, p in spent.items() if by_code[c].section == "content"))
    return FileScore(form, content, form + content, review_grade(form + content, excellent, passing), ())


def reviewer_agency_error(reviewer_agency: str, case_agency: str) -> str | None:
    """A case file is never reviewed by someone of the case's own agency."""
    if reviewer_agency == case_agency:
        return "the reviewer belongs to the case's own agency"
    return None


# --------------------------------------------------------------------------------------------------------------
# Reproducible random draws (case-file review batches, double-random inspections)
# --------------------------------------------------------------------------------------------------------------


def seeded_sample(population: Sequence[str], k: int, seed: str) -> list[str]:
    """``k`` of ``population`` drawn with ``seed``: the same inputs always give the same draw (replayable).
    The population is sorted first so the draw does not depend on the order rows came from the database."""
    ordered = sorted(population)
    digest = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    return random.Random(digest).sample(ordered, min(k, len(ordered)))


def draw_assignments(
    targets: Sequence[str], inspectors: Sequence[str], target_count: int, seed: str, per_target: int = 2
) -> list[tuple[str, list[str]]]:
    """双随机: ``target_count`` targets from the directory, then ``per_target`` inspectors for each, all from one seed.
    Replaying with the recorded pools and seed gives the same result."""
    if len(set(inspectors)) < per_target:
        raise ValueError(f"at least {per_target} certified inspectors are needed; {len(set(inspectors))} available")
    chosen = seeded_sample(targets, target_count, f"{seed}|targets")
    return [(target, sorted(seeded_sample(inspectors, per_target, f"{seed}|inspectors|{target}"))) for target in chosen]
