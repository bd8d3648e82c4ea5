"""The county-wide promptness table: one row per obligation met (landed from the other services' events or measured
here), the table over a period, and the figures the gauges and the assessment read."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import Integer, case, cast, func, select

from enforcement_contracts.obligations import obligation
from enforcement_kernel import metrics as kernel_metrics
from enforcement_kernel.db import utcnow

from .. import models as m
from .. import rules
from .common import DONE_ITEM_STATES, SERVICE, calendar, scope_conditions


def _obligation(session, source: str, data: dict) -> m.PromptnessMeasurement | None:
    """The row of one obligation: its source, kind, reference and the agency that owes it (a reference may repeat
    across agencies: the yearly reports filed before the filing watch were each ``annual-report-<year>``)."""
    pm = m.PromptnessMeasurement
    return (
        session.execute(
            select(pm)
            .where(
                pm.source == source,
                pm.kind == data["kind"],
                pm.reference == (data.get("reference") or ""),
                pm.agency_code == data["agency_code"],
            )
            .limit(1)
        )
        .scalars()
        .first()
    )


def land_measurement(
    tx, event_id: str, source: str, data: dict, seconds: int | None = None
) -> m.PromptnessMeasurement | None:
    """One row of the county-wide promptness table, observed on /metrics once committed; None if already there.
    ``seconds``: this service's own time taken; a measured event brings its ``seconds_taken`` where it has one.

    The late row of a missed deadline of the same obligation (source, kind, reference) is replaced, not doubled: it
    takes the measurement's times and stays late, in the year it was found missed; /metrics then observes the time
    taken without counting the obligation a second time."""
    if tx.session.execute(
        select(m.PromptnessMeasurement.id).where(m.PromptnessMeasurement.event_id == event_id)
    ).first():
        return None
    reference = data.get("reference") or ""
    missed = _obligation(tx.session, source, data)
    if missed is not None and not missed.missed_open:
        missed = None  # measured twice under two event ids (a producer's replay): each stays its own row, as before
    row = missed or m.PromptnessMeasurement(
        source=source, agency_code=data["agency_code"], kind=data["kind"], reference=reference, year=None
    )
    row.event_id = event_id
    row.started_on, row.ended_on = data["started_on"], data["ended_on"]
    row.workdays_taken, row.deadline_workdays = data["workdays_taken"], data["deadline_workdays"]
    row.seconds = seconds if seconds is not None else data.get("seconds_taken")
    row.on_time = bool(data["on_time"]) and missed is None
    row.year = row.year or data["ended_on"].year
    row.missed_open = False
    if missed is None:
        tx.session.add(row)
    counted = missed is not None
    agency, kind, workdays, on_time, taken = row.agency_code, row.kind, row.workdays_taken, row.on_time, row.seconds
    tx.on_commit.append(
        lambda: kernel_metrics.observe_promptness(SERVICE, agency, kind, workdays, on_time, taken, counted=counted)
    )
    return row


def land_missed(tx, event_id: str, source: str, data: dict) -> m.PromptnessMeasurement | None:
    """A deadline passed with the obligation still open (``DeadlineMissed`` fields): a provisional late row, ended on
    the day it was found, counted late on /metrics at once. None when the obligation already has a row (measured
    before the miss arrived, or the miss landed already): nothing counts twice."""
    reference = data.get("reference") or ""
    if tx.session.execute(
        select(m.PromptnessMeasurement.id).where(m.PromptnessMeasurement.event_id == event_id)
    ).first() or _obligation(tx.session, source, data):
        return None
    late = rules.missed_promptness(
        calendar(),
        data["started_on"],
        data["due_on"],
        data["detected_on"],
        data.get("deadline"),
        data.get("deadline_unit"),
    )
    row = m.PromptnessMeasurement(
        event_id=event_id,
        source=source,
        agency_code=data["agency_code"],
        kind=data["kind"],
        reference=reference,
        started_on=data["started_on"],
        ended_on=data["detected_on"],
        workdays_taken=late.workdays_taken,
        deadline_workdays=late.deadline_workdays,
        seconds=None,
        on_time=False,
        year=data["detected_on"].year,
        missed_open=True,
    )
    tx.session.add(row)
    agency, kind = row.agency_code, row.kind
    tx.on_commit.append(lambda: kernel_metrics.observe_missed(SERVICE, agency, kind))
    return row


def measure_own(
    tx,
    event_id: str,
    agency_code: str,
    kind: str,
    reference: str,
    started: date,
    ended: date,
    result: rules.Promptness,
    started_at: datetime | None,
    unit: str = "workdays",
    taken: float | None = None,
    deadline: float | None = None,
) -> dict:
    """One of this service's own obligations ended (``event_id``: a stable key, so it lands once). Returns the
    measurement as a ``PromptnessMeasured`` payload (``unit``, ``taken``, ``deadline``: in the obligation's own
    unit; working days by default), for the follow-up of a late one."""
    obligation(kind)  # only a registered obligation is measured (docs/obligations.md is held to the registry)
    seconds = int((utcnow() - started_at).total_seconds()) if started_at else None
    data = {
        "agency_code": agency_code,
        "kind": kind,
        "reference": reference,
        "started_on": started,
        "ended_on": ended,
        "workdays_taken": result.workdays_taken,
        "deadline_workdays": result.deadline_workdays,
        "on_time": result.on_time,
        "deadline_unit": unit,
        "taken": result.workdays_taken if taken is None and unit == "workdays" else taken,
        "deadline": result.deadline_workdays if deadline is None and unit == "workdays" else deadline,
    }
    land_measurement(tx, event_id, SERVICE, data, seconds)
    return data


def promptness_histogram(session, date_from: date, date_to: date, scope: list = ()):
    """One GROUP BY over the period: (agency, kind, working days) -> (measurements, on time). Mean, median and max
    follow exactly from it, and it stays small (agencies x kinds x distinct day counts) however many rows."""
    pm = m.PromptnessMeasurement
    conditions = [pm.ended_on >= date_from, pm.ended_on <= date_to, *scope]
    query = (
        select(
            pm.agency_code, pm.kind, pm.workdays_taken, func.count(), func.sum(case((pm.on_time.is_(True), 1), else_=0))
        )
        .where(*conditions)
        .group_by(pm.agency_code, pm.kind, pm.workdays_taken)
    )
    return session.execute(query).all()


def promptness_table(session, actor: dict, query: dict) -> list[dict]:
    scope = scope_conditions(actor, query, m.PromptnessMeasurement.agency_code)
    by_kind: dict[tuple[str, str], dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for agency_code, kind, days, n, ok in promptness_histogram(session, query["date_from"], query["date_to"], scope):
        for key in (
            ((agency_code, "all"), (agency_code, kind)) if query.get("by_kind", True) else ((agency_code, "all"),)
        ):
            cell = by_kind[key][days]
            cell[0] += n
            cell[1] += int(ok or 0)
    return [
        {"agency_code": a, "kind": k, **rules.summarise({d: tuple(v) for d, v in hist.items()})}
        for (a, k), hist in sorted(by_kind.items(), key=lambda kv: (kv[0][0], kv[0][1] != "all", kv[0][1]))
    ]


def on_time_counts(session, year: int) -> dict[tuple[str, str], tuple[int, int]]:
    """The year's promptness table in one GROUP BY: (agency, kind) -> (measurements, on time). The gauges and the
    assessment both read it."""
    pm = m.PromptnessMeasurement
    rows = session.execute(
        select(pm.agency_code, pm.kind, func.count(), func.sum(cast(pm.on_time, Integer)))
        .where(pm.year == year)
        .group_by(pm.agency_code, pm.kind)
    ).all()
    return {(agency, kind): (int(n), int(ok or 0)) for agency, kind, n, ok in rows}


def on_time_by_agency(counts: dict[tuple[str, str], tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """``on_time_counts`` summed over kinds: agency -> (measurements, on time)."""
    totals: dict[str, tuple[int, int]] = {}
    for (agency, _), (n, ok) in counts.items():
        before = totals.get(agency, (0, 0))
        totals[agency] = (before[0] + n, before[1] + ok)
    return totals


def gauge_figures(session, today: date):
    """What the gauges show: this year's on-time ratios per agency and kind, open and overdue items per agency."""
    counts = on_time_counts(session, today.year)
    ratios: dict[tuple[str, str], float] = {key: ok / n for key, (n, ok) in counts.items()}
    for agency, (n, ok) in on_time_by_agency(counts).items():
        ratios[(agency, "all")] = ok / n
    si = m.SupervisionItem
    open_items = dict(
        session.execute(
            select(si.agency_code, func.count()).where(si.state.notin_(DONE_ITEM_STATES)).group_by(si.agency_code)
        ).all()
    )
    overdue = dict(
        session.execute(
            select(si.agency_code, func.count())
            .where(si.state.in_(m.OPEN_ITEM_STATES), si.due_on < today)
            .group_by(si.agency_code)
        ).all()
    )
    return ratios, open_items, overdue
