"""What the use cases share: settings, promptness kinds and measurements, the county's clock, agencies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from enforcement_contracts.cases import common as common_contract
from enforcement_contracts.cases import promptness as promptness_contract
from enforcement_contracts.errors import ValidationFailed
from enforcement_kernel import metrics
from enforcement_kernel.config import setting
from enforcement_kernel.crypto import PersonalDataCipher

from .. import models as m
from ..personnel import PersonnelPort
from ..records.completeness import RecordsSettings
from ..rules import major_decisions, periods
from ..rules.inspection_limits import InspectionLimits
from ..rules.whole_case import CaseRules

SERVICE = common_contract.SERVICE

# promptness kinds (labels on the metrics; bounded)
KIND_DECIDED = "case_decided"
KIND_SERVED = "decision_served"
KIND_PUBLISHED = "decision_published"
KIND_WITHDRAWN = "publication_withdrawn"
KIND_TRANSFER_DECIDED = "transfer_decided"
KIND_TRANSFER_HANDED_OVER = "transfer_handed_over"
KIND_TRANSFER_ACKNOWLEDGED = "transfer_acknowledged"


@dataclass(frozen=True)
class Settings:
    case_rules: CaseRules
    publication_workdays: int
    withdrawal_workdays: int
    dormant_item_years: int
    transfer_decision_workdays: int = 3
    transfer_handover_hours: int = 24
    transfer_ack_workdays: int = 3
    inspection_limits: InspectionLimits = InspectionLimits()
    review_form_points: int = 20
    review_content_points: int = 80
    grade_excellent: int = 90
    grade_pass: int = 70
    # agencies whose legal reviewers may review any agency's major decisions (empty: the county has no pool)
    reviewer_pool: frozenset[str] = frozenset()
    # CASES.records: documents required at closing from a filing day on, what needs whole-process recordings
    records: RecordsSettings = RecordsSettings()

    @classmethod
    def from_config(cls, config: dict) -> Settings:
        c = lambda key, default: setting(config, f"CASES.{key}", default)  # noqa: E731
        return cls(
            case_rules=CaseRules(
                min_officers=int(c("min_officers", 2)),
                decision_limit_days=int(c("decision_limit_days", 90)),
                on_the_spot_citizen=Decimal(str(c("on_the_spot_limit_citizen", 200))),
                on_the_spot_organisation=Decimal(str(c("on_the_spot_limit_organisation", 3000))),
                hearing_request_workdays=int(c("hearing_request_workdays", 5)),
                hearing_notice_workdays=int(c("hearing_notice_workdays", 7)),
                service_workdays=int(c("service_workdays", 7)),
                limitation_years=int(c("limitation_years", 2)),
                limitation_years_extended=int(c("limitation_years_extended", 5)),
                first_violation_months=int(c("first_violation_months", 12)),
                two_officer_types=tuple(c("two_officers_types", ["penalty", "coercion", "inspection"])),
            ),
            publication_workdays=int(c("publication_workdays", 7)),
            withdrawal_workdays=int(c("withdrawal_workdays", 3)),
            dormant_item_years=int(c("dormant_item_years", 5)),
            transfer_decision_workdays=int(c("transfer_decision_workdays", 3)),
            transfer_handover_hours=int(c("transfer_handover_hours", 24)),
            transfer_ack_workdays=int(c("transfer_ack_workdays", 3)),
            inspection_limits=InspectionLimits(
                yearly_cap=int(c("inspection_yearly_cap", 2)),
                cap_exempt_kinds=tuple(c("inspection_cap_exempt_kinds", ["complaint", "referral"])),
                repeat_window_days=int(c("inspection_repeat_window_days", 30)),
                high_frequency=int(c("inspection_high_frequency", 4)),
            ),
            review_form_points=int(c("review_form_points", 20)),
            review_content_points=int(c("review_content_points", 80)),
            grade_excellent=int(c("review_grade_excellent", 90)),
            grade_pass=int(c("review_grade_pass", 70)),
            reviewer_pool=major_decisions.pool_agencies(
                str(c("legal_review.allow_county_pool", True)).lower() in ("true", "1", "yes"),
                c("legal_review.county_pool_agencies", ["140928-sfj"]),
            ),
            records=RecordsSettings.from_config(config),
        )


def cipher_from_config(config: dict) -> PersonalDataCipher:
    return PersonalDataCipher(str(config.get("ID_ENCRYPTION_KEY", "")), str(config.get("ID_HASH_KEY", "")))


def _money(value) -> float | None:
    return float(value) if value is not None else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _measure(
    tx,
    agency_code: str,
    kind: str,
    reference: str,
    start: date,
    end: date,
    result: periods.Promptness,
    seconds: int | None = None,
    unit: str = "workdays",
    taken: float | None = None,
    deadline: float | None = None,
) -> None:
    """One promptness measurement: stored, announced, and observed on /metrics once committed. ``seconds``: the
    time taken where both instants are known (the hand-over). ``unit``, ``taken``, ``deadline``: the time taken and
    the deadline in the obligation's own clock (hours for the hand-over, calendar days for the decision; working
    days by default), so the follow-up item reads "30.5 h against 24 h"."""
    exists = tx.session.execute(
        select(m.PromptnessMeasurement.id).where(
            m.PromptnessMeasurement.kind == kind, m.PromptnessMeasurement.reference == reference
        )
    ).first()
    if exists:
        return
    row = m.PromptnessMeasurement(
        agency_code=agency_code,
        kind=kind,
        reference=reference,
        started_on=start,
        ended_on=end,
        workdays_taken=result.workdays_taken,
        deadline_workdays=result.deadline_workdays,
        on_time=result.on_time,
    )
    tx.session.add(row)
    tx.emit(
        promptness_contract.PROMPTNESS_MEASURED,
        {
            "agency_code": agency_code,
            "kind": kind,
            "reference": reference,
            "started_on": start,
            "ended_on": end,
            "workdays_taken": result.workdays_taken,
            "deadline_workdays": result.deadline_workdays,
            "on_time": result.on_time,
            "seconds_taken": seconds,
            "deadline_unit": unit,
            "taken": result.workdays_taken if taken is None and unit == "workdays" else taken,
            "deadline": result.deadline_workdays if deadline is None and unit == "workdays" else deadline,
        },
        subject=reference,
    )
    # observed only once committed: a rolled-back change must not count
    tx.on_commit.append(
        lambda: metrics.observe_promptness(SERVICE, agency_code, kind, result.workdays_taken, result.on_time, seconds)
    )


# --- agencies (read through from personnel) ----------------------------------------------------
def ensure_agency(session, personnel: PersonnelPort, code: str, field: str = "agency_code") -> m.Agency:
    """The local copy of an agency; an unknown code is refreshed from personnel once, then a field error.

    It may write (the refreshed copy): call it after the operation's other personnel calls. On SQLite a write lock
    held across an RPC stalls the whole process (the relay's busy wait blocks the event loop)."""
    agency = session.get(m.Agency, code)
    if agency is None:
        refresh_agencies(session, personnel)
        agency = session.get(m.Agency, code)
    if agency is None:
        raise ValidationFailed(f"unknown agency {code}", {field: [f"unknown agency {code}"]})
    return agency


def refresh_agencies(session, personnel: PersonnelPort) -> int:
    added = 0
    for row in personnel.agencies():
        agency = session.get(m.Agency, row["code"])
        if agency is None:
            session.add(
                m.Agency(
                    code=row["code"], name=row["name"], is_police=row["is_police"], is_supervisor=row["is_supervisor"]
                )
            )
            added += 1
        else:
            agency.name, agency.is_police, agency.is_supervisor = row["name"], row["is_police"], row["is_supervisor"]
    session.flush()
    return added


def page_rows(session, stmt, query: dict) -> tuple[list, int]:
    """One page of an ordered ``stmt``'s rows (``query``'s page and per_page, LIMIT/OFFSET in SQL) and how many
    rows match in all (COUNT in SQL)."""
    total = session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    rows = session.execute(stmt.offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total
