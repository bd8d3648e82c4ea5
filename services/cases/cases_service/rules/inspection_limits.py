"""Enterprise inspections (涉企行政检查): the yearly cap and repeated visits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .discretion import Finding


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
