"""The deadline watch: obligations of cases and transfers still open after their deadline, announced once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from enforcement_contracts.cases import promptness as contract

from .. import models as m
from ..rules import handover, procedure
from .cases import extension_grants, stored_children, suspension_spans
from .common import (
    KIND_DECIDED,
    KIND_PUBLISHED,
    KIND_SERVED,
    KIND_TRANSFER_ACKNOWLEDGED,
    KIND_TRANSFER_DECIDED,
    KIND_TRANSFER_HANDED_OVER,
    KIND_WITHDRAWN,
    Settings,
)

#: the obligations watched, named as their promptness measurements
CASE_WATCHED_KINDS = (KIND_DECIDED, KIND_SERVED, KIND_PUBLISHED, KIND_WITHDRAWN)
TRANSFER_WATCHED_KINDS = (KIND_TRANSFER_DECIDED, KIND_TRANSFER_HANDED_OVER, KIND_TRANSFER_ACKNOWLEDGED)
WATCHED_KINDS = CASE_WATCHED_KINDS + TRANSFER_WATCHED_KINDS
WORKDAYS, DAYS, HOURS = "workdays", "days", "hours"  # the units of the contract's DEADLINE_UNITS


def _open_after_deadline(kind: str, settings: Settings, today: date, now: datetime):
    """(the model watched, a statement of its rows whose ``kind`` obligation is open and not yet announced), cut down
    by a cheap date bound (the rules decide the rest). n working days are at least n calendar days."""
    if kind in TRANSFER_WATCHED_KINDS:
        T = m.Transfer
        announced = select(m.DeadlineMiss.id).where(
            m.DeadlineMiss.reference == T.transfer_id, m.DeadlineMiss.kind == kind
        )
        stmt = select(T).where(~announced.exists())
        if kind == KIND_TRANSFER_DECIDED:
            return T, stmt.where(
                T.approved.is_(None), T.proposed_on < today - timedelta(days=settings.transfer_decision_workdays)
            )
        if kind == KIND_TRANSFER_HANDED_OVER:  # only an approved transfer is handed over
            return T, stmt.where(
                T.approved.is_(True),
                T.handed_over_at.is_(None),
                T.decided_at < now - timedelta(hours=settings.transfer_handover_hours),
            )
        received_before = datetime.combine(today - timedelta(days=settings.transfer_ack_workdays), datetime.min.time())
        return T, stmt.where(
            T.handed_over_at.is_not(None), T.acknowledged_on.is_(None), T.handed_over_at < received_before
        )
    announced = select(m.DeadlineMiss.id).where(m.DeadlineMiss.reference == m.Case.case_id, m.DeadlineMiss.kind == kind)
    stmt = select(m.Case).where(~announced.exists())
    if kind == KIND_DECIDED:
        # only the decisions that are measured: ordinary penalty procedure (art. 60)
        types = select(m.ItemType.code).where(m.ItemType.penalty_procedure.is_(True))
        return m.Case, stmt.where(
            m.Case.decided_on.is_(None),
            m.Case.closed_on.is_(None),
            m.Case.procedure == "ordinary",
            m.Case.type_code.in_(types),
            m.Case.filed_on < today - timedelta(days=settings.case_rules.decision_limit_days),
        )
    if kind == KIND_SERVED:  # art. 61: a penalty decision is served within 7 working days of the decision
        types = select(m.ItemType.code).where(m.ItemType.penalty_procedure.is_(True))
        return m.Case, stmt.where(
            m.Case.decided_on.is_not(None),
            m.Case.served_on.is_(None),
            m.Case.revoked_on.is_(None),
            m.Case.type_code.in_(types),
            m.Case.decided_on < today - timedelta(days=settings.case_rules.service_workdays),
        )
    if kind == KIND_PUBLISHED:
        types = select(m.ItemType.code).where(m.ItemType.publish_decisions.is_(True))
        published = select(m.Publication.case_id).where(m.Publication.case_id == m.Case.case_id)
        return m.Case, stmt.where(
            m.Case.decided_on.is_not(None),
            m.Case.revoked_on.is_(None),
            m.Case.type_code.in_(types),
            ~published.exists(),
            m.Case.decided_on < today - timedelta(days=settings.publication_workdays),
        )
    if kind == KIND_WITHDRAWN:  # a published decision changed or revoked since, still shown
        shown = select(m.Publication.case_id).where(
            m.Publication.case_id == m.Case.case_id, m.Publication.withdrawn_on.is_(None)
        )
        return m.Case, stmt.where(
            shown.exists(),
            _last_change(m.Case.case_id).scalar_subquery() < today - timedelta(days=settings.withdrawal_workdays),
        )
    raise ValueError(f"{kind} is not a watched deadline")


def _last_change(case_id):
    """The day of the case's latest change or revocation: the withdrawal's clock starts there (as its measurement's
    does, ``publication.withdraw_publication``)."""
    return select(func.max(m.Revocation.changed_on)).where(m.Revocation.case_id == case_id)


@dataclass(frozen=True)
class _Missed:
    """One obligation found late: whom it binds, since when, and the last day that was still in time."""

    case_id: str
    transfer_id: str | None
    agency_code: str
    started_on: date
    due_on: date
    deadline: float  # in ``unit``, as the follow-up item reads it: "30.5 h against 24 h"
    unit: str  # workdays, days (calendar) or hours


def _missed(session, kind: str, row, settings: Settings, today: date, now: datetime) -> _Missed | None:
    """Whether the open obligation ``kind`` of ``row`` (a case or a transfer) is already late, as its measurement
    would count it."""
    if kind == KIND_DECIDED:  # art. 60: calendar days, plus the extensions approved in time
        suspensions, extensions, _ = stored_children(session, row.case_id)
        limit = settings.case_rules.decision_limit_days
        found = procedure.decision_deadline(
            row.filed_on, suspension_spans(suspensions), extension_grants(extensions), today, limit
        )
        if today <= found.due_on:
            return None
        return _Missed(
            row.case_id, None, row.agency_code, row.filed_on, found.due_on, limit + found.extension_days, DAYS
        )
    if kind == KIND_SERVED:
        days = settings.case_rules.service_workdays
        due = procedure.workdays_missed(row.decided_on, today, days)
        return _Missed(row.case_id, None, row.agency_code, row.decided_on, due, days, WORKDAYS) if due else None
    if kind == KIND_PUBLISHED:
        days = settings.publication_workdays
        due = procedure.workdays_missed(row.decided_on, today, days)
        return _Missed(row.case_id, None, row.agency_code, row.decided_on, due, days, WORKDAYS) if due else None
    if kind == KIND_WITHDRAWN:  # art. 48: from the latest change or revocation
        changed_on, days = session.execute(_last_change(row.case_id)).scalar_one(), settings.withdrawal_workdays
        due = procedure.workdays_missed(changed_on, today, days)
        return _Missed(row.case_id, None, row.agency_code, changed_on, due, days, WORKDAYS) if due else None
    if kind == KIND_TRANSFER_DECIDED:  # the sending agency's head
        days = settings.transfer_decision_workdays
        due = procedure.workdays_missed(row.proposed_on, today, days)
        missed = (row.case_id, row.transfer_id, row.from_agency_code, row.proposed_on, due, days, WORKDAYS)
        return _Missed(*missed) if due else None
    if kind == KIND_TRANSFER_HANDED_OVER:  # the sending agency, in hours on the county's clock
        hours = settings.transfer_handover_hours
        due = handover.handover_missed(row.decided_at, now, hours)
        missed = (row.case_id, row.transfer_id, row.from_agency_code, row.decided_at.date(), due, hours, HOURS)
        return _Missed(*missed) if due else None
    received, days = row.handed_over_at.date(), settings.transfer_ack_workdays  # the receiving agency acknowledges
    due = procedure.workdays_missed(received, today, days)
    return _Missed(row.case_id, row.transfer_id, row.to_agency_code, received, due, days, WORKDAYS) if due else None


def watch_deadlines(
    tx, kind: str, settings: Settings, today: date, now: datetime, after: str = "", limit: int = 200
) -> tuple[int, str | None]:
    """One batch of the deadline watch (cases, or transfers for the transfer legs, with an id after ``after``): each
    ``kind`` obligation whose deadline has passed unmet is recorded and announced once (cases.deadline.missed).
    ``now`` (the county's clock) times the 24-hour hand-over. Returns (announced, the id to continue after, or None
    when done)."""
    # Over 50 lines: one batch claims its rows, then records each miss and announces it in the same transaction.
    session = tx.session
    model, stmt = _open_after_deadline(kind, settings, today, now)
    key = model.transfer_id if model is m.Transfer else model.case_id
    rows = (
        session.execute(
            stmt.where(key > after)
            .order_by(key)
            .limit(limit)
            # two replicas run this timer: each claims different rows (PostgreSQL)
            .with_for_update(skip_locked=True, of=model)
        )
        .scalars()
        .all()
    )
    announced = 0
    for row in rows:
        missed = _missed(session, kind, row, settings, today, now)
        if missed is None:
            continue
        reference = missed.transfer_id or missed.case_id
        session.add(
            m.DeadlineMiss(
                case_id=missed.case_id,
                reference=reference,
                transfer_id=missed.transfer_id,
                kind=kind,
                agency_code=missed.agency_code,
                started_on=missed.started_on,
                due_on=missed.due_on,
                detected_on=today,
            )
        )
        tx.emit(
            contract.DEADLINE_MISSED,
            {
                "case_id": missed.case_id,
                "transfer_id": missed.transfer_id,
                "agency_code": missed.agency_code,
                "kind": kind,
                "started_on": missed.started_on,
                "due_on": missed.due_on,
                "detected_on": today,
                "reference": reference,
                "deadline": missed.deadline,
                "deadline_unit": missed.unit,
            },
            subject=reference,
        )
        announced += 1
    session.flush()
    return announced, (getattr(rows[-1], key.key) if len(rows) == limit else None)
