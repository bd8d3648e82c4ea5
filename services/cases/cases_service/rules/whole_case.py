"""Everything checked on a case at once: rejections, conflicts and warnings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from enforcement_kernel.workdays import WorkCalendar, default_calendar

from .discretion import FIRST_VIOLATION_EXEMPT, Finding, Tier, benchmark_findings, first_violation_penalised
from .major_decisions import review_blocks_decision
from .periods import workday_promptness
from .procedure import (
    LAW_TWO_OFFICER_TYPES,
    ExtensionGrant,
    SuspensionSpan,
    decision_timing,
    hearing_blocks_decision,
    hearing_notice_sufficient,
    hearing_request_in_time,
    limitation_expired,
    limitation_years,
    officer_count_error,
    officers_required,
    on_the_spot_error,
    stage_errors,
    suspension_errors,
)


@dataclass(frozen=True)
class CaseRules:
    """The county's settings for the checks (defaults: the law's and the plan's numbers)."""

    min_officers: int = 2
    # the types the two-officers rule applies to: always the law's (penalty, coercion, inspection), plus the county's
    two_officer_types: tuple[str, ...] = LAW_TWO_OFFICER_TYPES
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
    type_code: str = "penalty"  # the item's enforcement type (行政处罚 penalty, 行政许可 licensing, ...)


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
    # Over 50 lines: every check on a case in the law's order, each a few lines adding one finding; kept in
    # one place so the complete list of checks reads top to bottom.
    cal = calendar or default_calendar()
    out = Evaluation()
    d = case.dates
    for name, messages in stage_errors(d, today).items():
        for message in messages:
            out.reject(name, message)
    required = officers_required(case.type_code, rules.two_officer_types, rules.min_officers)
    problem = officer_count_error(case.officer_ids, required)
    if problem:
        out.reject("officers", problem)
    for message in suspension_errors(case.suspensions, d["filed_on"], d.get("decided_on"), today):
        out.reject("suspensions", message)
    for ext in case.extensions:
        if ext.approved_on < d["filed_on"] or ext.approved_on > today:
            out.reject("extensions", f"approved_on {ext.approved_on.isoformat()} must lie between 立案 and today")
    if out.errors:
        return out
    decided = d.get("decided_on")
    if decided is not None:  # every enforcement type: a decision on the major-decision list waits for its review
        block = review_blocks_decision(case.major, case.passed_review_dates, decided)
        if block:
            out.reject("legal_review", block, conflict=True)
    if not case.penalty_procedure:
        return out

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

    requested, notice = d.get("hearing_requested_on"), d.get("notice_on")
    if requested and notice and not hearing_request_in_time(notice, requested, rules.hearing_request_workdays, cal):
        out.findings.append(
            Finding(
                "hearing_request_late",
                "hearing_requested_on",
                f"requested more than {rules.hearing_request_workdays} working days after the "
                "notice (art. 64): the agency need not hold a hearing",
            )
        )
    block = hearing_blocks_decision(d, rules.hearing_request_workdays, cal)
    if block:
        out.reject("hearing_held_on", block, conflict=True)
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
