"""The deadline watch: personnel's obligations still open after their deadline, announced once each.

- ``certificate_cancelled``: a departed officer's certificate still valid or suspended (not taken back and cancelled,
  nor revoked) after ``cancellation_deadline_workdays`` from the departure; owed by the officer's agency; reference =
  the certificate number (as the measurement that follows names it).
- ``certificate_application_decided``: an application still pending after ``application_decision_workdays`` from its
  filing; owed by the issuing authority (``issuing_authority_code``); reference = the application id.

Each miss is one ``deadline_misses`` row and one ``personnel.deadline.missed`` event in the same transaction (the
outbox), so a restart never announces it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from enforcement_contracts import personnel as contract
from enforcement_kernel import metrics

from .. import models as m
from .. import obligations, rules
from ..settings import Settings

WATCHED_KINDS = obligations.WATCHED_KINDS


def _open_after_deadline(kind: str, settings: Settings, today: date):
    """(the model watched, its key, a statement of its rows whose ``kind`` obligation is open and not yet announced),
    cut down by a cheap date bound (n working days are at least n calendar days; the rules decide the rest)."""
    if kind == obligations.KIND_APPLICATION_DECIDED:
        A = m.CertificateApplication
        announced = select(m.DeadlineMiss.id).where(
            m.DeadlineMiss.reference == A.application_id, m.DeadlineMiss.kind == kind
        )
        return (
            A,
            A.application_id,
            select(A).where(
                ~announced.exists(),
                A.state == "pending",
                A.filed_on < today - timedelta(days=settings.application_decision_workdays),
            ),
        )
    if kind == obligations.KIND_CERTIFICATE_CANCELLED:
        D, C = m.Departure, m.Certificate
        announced = select(m.DeadlineMiss.id).where(
            m.DeadlineMiss.reference == D.certificate_number, m.DeadlineMiss.kind == kind
        )
        # not yet taken back: still valid or suspended (a revoked card is no longer the agency's to cancel)
        live = select(C.number).where(C.number == D.certificate_number, C.status.in_([rules.VALID, rules.SUSPENDED]))
        return (
            D,
            D.id,
            select(D).where(
                ~announced.exists(),
                D.certificate_number.is_not(None),
                D.certificate_cancelled_on.is_(None),
                live.exists(),
                D.departed_on < today - timedelta(days=settings.cancellation_deadline_workdays),
            ),
        )
    raise ValueError(f"{kind} is not a watched deadline")


@dataclass(frozen=True)
class Missed:
    """One obligation found late: what it is about, whom it binds, since when, and the last day that was in time."""

    reference: str
    agency_code: str
    started_on: date
    due_on: date
    deadline_workdays: int


def missed(kind: str, row, settings: Settings, today: date) -> Missed | None:
    """Whether the open obligation ``kind`` of ``row`` (an application or a departure) is already late, as its
    measurement would count it."""
    if kind == obligations.KIND_APPLICATION_DECIDED:
        deadline = settings.application_decision_workdays
        due = obligations.workdays_missed(row.filed_on, today, deadline)
        return Missed(row.application_id, settings.issuing_authority_code, row.filed_on, due, deadline) if due else None
    deadline = settings.cancellation_deadline_workdays
    due = obligations.workdays_missed(row.departed_on, today, deadline)
    return Missed(row.certificate_number, row.agency_code, row.departed_on, due, deadline) if due else None


def watch_deadlines(tx, kind: str, settings: Settings, today: date, after=None, limit: int = 200) -> tuple[int, object]:
    """One batch of the deadline watch (rows with a key after ``after``): each ``kind`` obligation whose deadline
    has passed unmet is recorded and announced once (personnel.deadline.missed). Returns (announced, the key to
    continue after, or None when done)."""
    session = tx.session
    model, key, stmt = _open_after_deadline(kind, settings, today)
    if after is not None:
        stmt = stmt.where(key > after)
    # two replicas run this timer: each claims different rows (PostgreSQL; SQLite serialises writers)
    rows = session.execute(stmt.order_by(key).limit(limit).with_for_update(skip_locked=True, of=model)).scalars().all()
    announced = 0
    for row in rows:
        late = missed(kind, row, settings, today)
        if late is None:
            continue
        session.add(
            m.DeadlineMiss(
                kind=kind,
                reference=late.reference,
                agency_code=late.agency_code,
                started_on=late.started_on,
                due_on=late.due_on,
                detected_on=today,
            )
        )
        tx.emit(
            contract.DEADLINE_MISSED,
            {
                "agency_code": late.agency_code,
                "kind": kind,
                "reference": late.reference,
                "started_on": late.started_on,
                "due_on": late.due_on,
                "detected_on": today,
                "deadline": float(late.deadline_workdays),
                "deadline_unit": obligations.UNIT_WORKDAYS,
            },
            subject=late.reference,
        )
        # counted late at once, after the commit; the measurement that follows will not count it again
        tx.on_commit.append(lambda agency=late.agency_code: metrics.observe_missed(contract.SERVICE, agency, kind))
        announced += 1
    session.flush()
    return announced, (getattr(rows[-1], key.key) if len(rows) == limit else None)
