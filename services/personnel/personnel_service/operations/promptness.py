"""Promptness of certificate cancellation: one measurement per departure, and the per-agency table."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, cast, func, select

from enforcement_contracts import personnel as contract
from enforcement_kernel import access, metrics

from .. import models as m
from .. import rules
from ..settings import Settings

PROMPTNESS_CANCELLATION = "certificate_cancelled"


def measure_cancellation(tx, departure: m.Departure, cancelled_on: date, settings: Settings) -> None:
    result = rules.cancellation_promptness(departure.departed_on, cancelled_on, settings.cancellation_deadline_workdays)
    row = m.PromptnessMeasurement(
        agency_code=departure.agency_code,
        kind=PROMPTNESS_CANCELLATION,
        reference=departure.certificate_number,
        started_on=departure.departed_on,
        ended_on=cancelled_on,
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
        },
        subject=row.reference,
    )
    # observed only once committed: a rolled-back change must not count
    tx.on_commit.append(
        lambda: metrics.observe_promptness(contract.SERVICE, row.agency_code, row.kind, row.workdays_taken, row.on_time)
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
