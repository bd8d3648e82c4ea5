"""Every obligation with a deadline that the suite measures: its promptness kind, who owes it, its clock and the
setting that holds its deadline. One registry, imported by the services that measure, the supervision service
that lands the measurements and the tests that hold docs/obligations.md to it.

A kind names both the measurement that lands when the obligation is met (``<service>.promptness.measured``) and
the announcement the owner's deadline watch makes when the deadline passes with it still open
(``<service>.deadline.missed``): the supervision service counts the miss late at once and lets the measurement
that follows replace it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .common import DEADLINE_UNITS


@dataclass(frozen=True)
class Obligation:
    kind: str
    service: str  # the service that owns the obligation: it measures it and watches it while open
    unit: str  # workdays, days (calendar) or hours
    setting: str  # where the deadline is configured (the service's config.yml)

    def __post_init__(self):
        if self.unit not in DEADLINE_UNITS:
            raise ValueError(f"{self.kind}: unknown unit {self.unit!r}")


_ALL = (
    Obligation("certificate_cancelled", "personnel", "workdays", "PERSONNEL.cancellation_deadline_workdays"),
    Obligation("certificate_application_decided", "personnel", "workdays", "PERSONNEL.applications.decision_workdays"),
    Obligation("case_decided", "cases", "days", "CASES.decision_limit_days"),
    Obligation("decision_served", "cases", "workdays", "CASES.service_workdays"),
    Obligation("decision_published", "cases", "workdays", "CASES.publication_workdays"),
    Obligation("publication_withdrawn", "cases", "workdays", "CASES.withdrawal_workdays"),
    Obligation("transfer_decided", "cases", "workdays", "CASES.transfer_decision_workdays"),
    Obligation("transfer_handed_over", "cases", "hours", "CASES.transfer_handover_hours"),
    Obligation("transfer_acknowledged", "cases", "workdays", "CASES.transfer_ack_workdays"),
    Obligation("followup_assigned", "cases", "workdays", "CASES.followups.assign_workdays"),
    Obligation("followup_decided", "cases", "days", "CASES.followups.decide_days"),
    Obligation("followup_closed", "cases", "workdays", "CASES.followups.close_workdays"),
    Obligation(
        "supervision_item_answered", "supervision", "workdays", "SUPERVISION.items.deadline_workdays (by item kind)"
    ),
    Obligation("complaint_accepted", "supervision", "workdays", "SUPERVISION.complaints.accept_workdays"),
    Obligation("complaint_concluded", "supervision", "days", "SUPERVISION.complaints.conclude_days"),
    Obligation("annual_report_filed", "supervision", "days", "ANNUAL_REPORT.due (31 January)"),
)

#: kind -> its obligation
OBLIGATIONS: dict[str, Obligation] = {o.kind: o for o in _ALL}


def obligation(kind: str) -> Obligation:
    """The registered obligation of ``kind``; a kind nobody registered is a programming error."""
    try:
        return OBLIGATIONS[kind]
    except KeyError:
        raise ValueError(f"{kind!r} is not a registered obligation (enforcement_contracts.obligations)") from None
