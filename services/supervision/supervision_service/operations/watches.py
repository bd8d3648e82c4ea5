"""This service's own deadline watch: complaints still open after their deadline (not accepted or refused within
their working days, not concluded within their calendar days and any approved extension) and agencies' yearly
statistics reports not filed by their due date (31 January), each recorded and announced once
(``supervision.deadline.missed``), counted late in the promptness table and followed up by an item for the agency,
all in one transaction. The database is the schedule: a restart only delays the watch, a second pass (or a second
replica) finds nothing new. Items past their deadline are counted late by the overdue pass (``items.mark_overdue``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, cast, literal, select

from enforcement_contracts import supervision as contract

from .. import models as m
from .. import reports_models as rm
from .automatic import missed_deadline
from .common import Settings, calendar

#: the obligations watched, named as their promptness measurements
WATCHED_KINDS = (contract.KIND_COMPLAINT_ACCEPTED, contract.KIND_COMPLAINT_CONCLUDED)


def complaint_reference(complaint_id: int) -> str:
    """As the complaint's measurements name it (never the complainant)."""
    return f"complaint {complaint_id}"


@dataclass(frozen=True)
class Missed:
    """One complaint obligation found late: since when, the last day in time, the deadline in its own unit."""

    started_on: date
    due_on: date
    deadline: float
    unit: str


def complaint_missed(kind: str, c: m.Complaint) -> Missed:
    """Acceptance counts working days from registration; conclusion calendar days from acceptance (the extension
    included)."""
    if kind == contract.KIND_COMPLAINT_ACCEPTED:
        return Missed(
            c.received_on, c.accept_due_on, calendar().workdays_between(c.received_on, c.accept_due_on), "workdays"
        )
    return Missed(c.decided_on, c.conclude_due_on, (c.conclude_due_on - c.decided_on).days, "days")


def _open_after_deadline(kind: str, today: date):
    """The complaints whose ``kind`` obligation is open past its last day and not yet announced."""
    C = m.Complaint
    announced = select(m.DeadlineMiss.id).where(
        m.DeadlineMiss.kind == kind,
        m.DeadlineMiss.reference == literal("complaint ") + cast(C.id, String),
    )
    stmt = select(C).where(~announced.exists())
    if kind == contract.KIND_COMPLAINT_ACCEPTED:
        return stmt.where(C.state == m.REGISTERED, C.accept_due_on < today)
    return stmt.where(C.state == m.ACCEPTED, C.conclude_due_on < today)


def watch_complaints(tx, kind: str, settings: Settings, today: date, after: int = 0, limit: int = 200):
    """One batch of the watch (complaints with an id after ``after``): each ``kind`` obligation past its deadline is
    recorded, announced, counted late and followed up once. Returns (announced, the id to continue after, or None
    when done)."""
    rows = (
        tx.session.execute(
            _open_after_deadline(kind, today)
            .where(m.Complaint.id > after)
            .order_by(m.Complaint.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=m.Complaint)  # replicas claim different rows (PostgreSQL)
        )
        .scalars()
        .all()
    )
    for c in rows:
        missed = complaint_missed(kind, c)
        data = {
            "agency_code": c.agency_code,
            "kind": kind,
            "reference": complaint_reference(c.id),
            "started_on": missed.started_on,
            "due_on": missed.due_on,
            "detected_on": today,
            "deadline": float(missed.deadline),
            "deadline_unit": missed.unit,
        }
        # two replicas may find the same miss: the unique (kind, reference) fails the second one's transaction
        tx.session.add(m.DeadlineMiss(**data))
        tx.emit(contract.DEADLINE_MISSED, data, subject=data["reference"])
        missed_deadline(
            tx,
            f"supervision-complaint-{c.id}-{kind}-missed",
            contract.SERVICE,
            contract.DEADLINE_MISSED.type,
            data,
            settings,
            today,
            complaint_id=c.id,
        )
    tx.session.flush()
    return len(rows), (rows[-1].id if len(rows) == limit else None)


def filing_reference(year: int, agency_code: str) -> str:
    """As the filing's measurement names it: one per agency and year (the follow-up item's key too)."""
    return f"annual-report-{year}:{agency_code}"


def watch_filings(tx, year: int, agency_codes: list[str], due_on: date, settings: Settings, today: date) -> int:
    """The agencies (``agency_codes``: those that must file) that have not filed ``year``'s report after ``due_on``:
    each recorded, announced, counted late and followed up once (a calendar-day clock from 31 December). Returns
    how many were announced."""
    if today <= due_on:
        return 0
    kind = contract.KIND_ANNUAL_REPORT_FILED
    F = rm.AnnualReportFiling
    filed = set(tx.session.execute(select(F.scope).where(F.year == year)).scalars())
    D = m.DeadlineMiss
    announced = set(
        tx.session.execute(
            select(D.agency_code).where(
                D.kind == kind, D.reference.in_([filing_reference(year, c) for c in agency_codes])
            )
        ).scalars()
    )
    year_end = date(year, 12, 31)
    late = sorted(set(agency_codes) - filed - announced)
    for code in late:
        reference = filing_reference(year, code)
        data = {
            "agency_code": code,
            "kind": kind,
            "reference": reference,
            "started_on": year_end,
            "due_on": due_on,
            "detected_on": today,
            "deadline": float((due_on - year_end).days),
            "deadline_unit": "days",
        }
        tx.session.add(m.DeadlineMiss(**data))
        tx.emit(contract.DEADLINE_MISSED, data, subject=reference)
        event_id = f"supervision-annual-report-{year}-{code}-missed"
        missed_deadline(tx, event_id, contract.SERVICE, contract.DEADLINE_MISSED.type, data, settings, today)
    tx.session.flush()
    return len(late)
