"""Promptness: one measurement per obligation ended (a certificate cancelled after a departure, an application
decided), and the per-agency table."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, cast, func, select

from enforcement_contracts import personnel as contract
from enforcement_kernel import access, metrics

from .. import models as m
from .. import obligations
from ..settings import Settings

PROMPTNESS_CANCELLATION = obligations.KIND_CERTIFICATE_CANCELLED
PROMPTNESS_APPLICATION = obligations.KIND_APPLICATION_DECIDED


def measure_cancellation(tx, departure: m.Departure, cancelled_on: date, settings: Settings) -> None:
    """Departure to cancellation, the departed officer's agency's figure (reference: the certificate number)."""
    measure(
        tx,
        departure.agency_code,
        PROMPTNESS_CANCELLATION,
        departure.certificate_number,
        departure.departed_on,
        cancelled_on,
        settings.cancellation_deadline_workdays,
    )


def measure_application(tx, application: m.CertificateApplication, settings: Settings) -> None:
    """Filing to decision, the issuing authority's figure (reference: the application id)."""
    measure(
        tx,
        settings.issuing_authority_code,
        PROMPTNESS_APPLICATION,
        application.application_id,
        application.filed_on,
        application.decided_on,
        settings.application_decision_workdays,
    )


def measure(
    tx, agency_code: str, kind: str, reference: str, started_on: date, ended_on: date, deadline_workdays: int
) -> None:
    """One obligation counted in working days ended: its measurement row and ``promptness.measured`` (with the unit)
    in the same transaction, the metrics once committed (not counted again if the deadline watch counted it late)."""
    result = obligations.workday_promptness(started_on, ended_on, deadline_workdays)
    row = m.PromptnessMeasurement(
        agency_code=agency_code,
        kind=kind,
        reference=reference,
        started_on=started_on,
        ended_on=ended_on,
        workdays_taken=result.workdays_taken,
        deadline_workdays=result.deadline_workdays,
        on_time=result.on_time,
    )
    tx.session.add(row)
    tx.emit(
        contract.PROMPTNESS_MEASURED,
        {
            "agency_code": row.agency_code,
            "kind": row.kind,
            "reference": row.reference,
            "started_on": row.started_on,
            "ended_on": row.ended_on,
            "workdays_taken": row.workdays_taken,
            "deadline_workdays": row.deadline_workdays,
            "on_time": row.on_time,
            "deadline_unit": obligations.UNIT_WORKDAYS,
            "taken": float(row.workdays_taken),
            "deadline": float(row.deadline_workdays),
        },
        subject=row.reference,
    )
    counted = (
        tx.session.execute(
            select(m.DeadlineMiss.id).where(m.DeadlineMiss.kind == kind, m.DeadlineMiss.reference == reference)
        ).first()
        is not None
    )
    # observed only once committed: a rolled-back change must not count
    tx.on_commit.append(
        lambda: metrics.observe_promptness(
            contract.SERVICE, row.agency_code, row.kind, row.workdays_taken, row.on_time, counted=counted
        )
    )


def promptness_table(session, actor: dict, since: date | None, until: date | None) -> list[dict]:
    scope = access.scope_agency(actor)
    P = m.PromptnessMeasurement
    stmt = select(P.agency_code, P.kind, func.count(), func.sum(cast(P.on_time, Integer)), func.avg(P.workdays_taken))
    if scope:
        stmt = stmt.where(P.agency_code == scope)
    if since:
        stmt = stmt.where(P.ended_on >= since)
    if until:
        stmt = stmt.where(P.ended_on <= until)
    rows = session.execute(stmt.group_by(P.agency_code, P.kind).order_by(P.agency_code, P.kind)).all()
    return contract.PromptnessRow(many=True).dump(
        [
            {
                "agency_code": a,
                "kind": k,
                "measurements": n,
                "on_time": int(ok or 0),
                "on_time_ratio": round(int(ok or 0) / n, 4) if n else 0.0,
                "mean_workdays": round(float(avg or 0), 2),
            }
            for a, k, n, ok, avg in rows
        ]
    )
