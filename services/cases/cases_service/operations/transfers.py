"""Transfers of cases to another agency (案件移送): proposal, decision, hand-over, acknowledgement."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select

from enforcement_contracts.cases import transfers as contract
from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement_kernel import access, clock

from .. import models as m
from ..personnel import PersonnelPort
from ..rules import handover, periods
from .cases import get_case
from .common import (
    KIND_TRANSFER_ACKNOWLEDGED,
    KIND_TRANSFER_DECIDED,
    KIND_TRANSFER_HANDED_OVER,
    Settings,
    _measure,
    ensure_agency,
)


def _transfer_status(t: m.Transfer) -> str:
    if t.acknowledged_on is not None:
        return "acknowledged"
    if t.handed_over_at is not None:
        return "handed_over"
    if t.approved is None:
        return "proposed"
    return "approved" if t.approved else "refused"


def transfer_dict(t: m.Transfer) -> dict:
    return contract.Transfer().dump(
        {
            "transfer_id": t.transfer_id,
            "case_id": t.case_id,
            "from_agency_code": t.from_agency_code,
            "to_agency_code": t.to_agency_code,
            "to_police": t.to_police,
            "reason": t.reason,
            "proposed_on": t.proposed_on,
            "decided_at": t.decided_at,
            "approved": t.approved,
            "handed_over_at": t.handed_over_at,
            "acknowledged_on": t.acknowledged_on,
            "status": _transfer_status(t),
        }
    )


def _transfer_event(tx, event_type, t: m.Transfer, on: date) -> None:
    tx.emit(
        event_type,
        {
            "transfer_id": t.transfer_id,
            "case_id": t.case_id,
            "from_agency_code": t.from_agency_code,
            "to_agency_code": t.to_agency_code,
            "to_police": t.to_police,
            "status": _transfer_status(t),
            "on": on,
        },
        subject=t.transfer_id,
    )


def get_transfer(session, transfer_id: str) -> m.Transfer:
    transfer = session.get(m.Transfer, transfer_id) if isinstance(transfer_id, str) else None
    if transfer is None:
        raise NotFound(f"transfer {transfer_id} not found")
    return transfer


def propose_transfer(tx, actor: dict, case_id: str, data: dict, personnel: PersonnelPort, today: date) -> dict:
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    receiver = ensure_agency(session, personnel, data["to_agency_code"], field="to_agency_code")
    if receiver.code == case.agency_code:
        raise ValidationFailed("a case is transferred to another agency", {"to_agency_code": ["the case's own agency"]})
    if data["proposed_on"] < case.filed_on or data["proposed_on"] > today:
        raise ValidationFailed("date out of range", {"proposed_on": ["must lie between 立案 and today"]})
    pending = session.execute(
        select(m.Transfer.transfer_id).where(
            m.Transfer.case_id == case_id,
            m.Transfer.acknowledged_on.is_(None),
            (m.Transfer.approved.is_(None)) | (m.Transfer.approved.is_(True)),
        )
    ).first()
    if pending:
        raise Conflict("the case already has a transfer under way", {"case_id": ["transfer under way"]})
    transfer = m.Transfer(
        transfer_id=uuid.uuid4().hex,
        case_id=case_id,
        from_agency_code=case.agency_code,
        to_agency_code=receiver.code,
        to_police=receiver.is_police,
        reason=data["reason"],
        proposed_on=data["proposed_on"],
    )
    session.add(transfer)
    _transfer_event(tx, contract.TRANSFER_PROPOSED, transfer, transfer.proposed_on)
    return transfer_dict(transfer)


def decide_transfer(tx, actor: dict, transfer_id: str, data: dict, settings: Settings, today: date) -> dict:
    """The head decides within 3 days of the proposal (a promptness figure of the sending agency)."""
    transfer = get_transfer(tx.session, transfer_id)
    access.require_write(actor, transfer.from_agency_code)
    if transfer.approved is not None:
        raise Conflict("the transfer is already decided", {"transfer_id": ["already decided"]})
    decided_at = clock.to_local(data["decided_at"])
    if decided_at.date() < transfer.proposed_on or decided_at.date() > today:
        raise ValidationFailed("date out of range", {"decided_at": ["must lie between the proposal and today"]})
    transfer.decided_at, transfer.approved, transfer.decision_note = decided_at, data["approved"], data.get("note", "")
    result = periods.workday_promptness(transfer.proposed_on, decided_at.date(), settings.transfer_decision_workdays)
    _measure(
        tx,
        transfer.from_agency_code,
        KIND_TRANSFER_DECIDED,
        transfer.transfer_id,
        transfer.proposed_on,
        decided_at.date(),
        result,
    )
    _transfer_event(tx, contract.TRANSFER_DECIDED, transfer, decided_at.date())
    return transfer_dict(transfer)


def hand_over_transfer(tx, actor: dict, transfer_id: str, data: dict, settings: Settings, today: date) -> dict:
    """The file is handed over within 24 hours of the approval (a promptness figure of the sending agency)."""
    transfer = get_transfer(tx.session, transfer_id)
    access.require_write(actor, transfer.from_agency_code)
    if not transfer.approved:
        raise Conflict("only an approved transfer is handed over", {"transfer_id": ["not approved"]})
    if transfer.handed_over_at is not None:
        raise Conflict("the case is already handed over", {"transfer_id": ["already handed over"]})
    handed = clock.to_local(data["handed_over_at"])
    if handed < transfer.decided_at or handed.date() > today:
        raise ValidationFailed("time out of range", {"handed_over_at": ["must lie between the decision and now"]})
    transfer.handed_over_at = handed
    result = handover.handover_promptness(transfer.decided_at, handed, settings.transfer_handover_hours)
    _measure(
        tx,
        transfer.from_agency_code,
        KIND_TRANSFER_HANDED_OVER,
        transfer.transfer_id,
        transfer.decided_at.date(),
        handed.date(),
        result,
        seconds=int((handed - transfer.decided_at).total_seconds()),
        unit="hours",
        taken=round((handed - transfer.decided_at).total_seconds() / 3600, 2),
        deadline=settings.transfer_handover_hours,
    )
    _transfer_event(tx, contract.TRANSFER_HANDED_OVER, transfer, handed.date())
    return transfer_dict(transfer)


def acknowledge_transfer(tx, actor: dict, transfer_id: str, data: dict, settings: Settings, today: date) -> dict:
    """The receiver acknowledges within 3 days (a promptness figure of the receiving agency)."""
    transfer = get_transfer(tx.session, transfer_id)
    access.require_write(actor, transfer.to_agency_code)
    if transfer.handed_over_at is None:
        raise Conflict("nothing was handed over yet", {"transfer_id": ["not handed over"]})
    if transfer.acknowledged_on is not None:
        raise Conflict("already acknowledged", {"transfer_id": ["already acknowledged"]})
    received = transfer.handed_over_at.date()
    if data["acknowledged_on"] < received or data["acknowledged_on"] > today:
        raise ValidationFailed("date out of range", {"acknowledged_on": ["must lie between the hand-over and today"]})
    transfer.acknowledged_on = data["acknowledged_on"]
    result = periods.workday_promptness(received, transfer.acknowledged_on, settings.transfer_ack_workdays)
    _measure(
        tx,
        transfer.to_agency_code,
        KIND_TRANSFER_ACKNOWLEDGED,
        transfer.transfer_id,
        received,
        transfer.acknowledged_on,
        result,
    )
    _transfer_event(tx, contract.TRANSFER_ACKNOWLEDGED, transfer, transfer.acknowledged_on)
    return transfer_dict(transfer)


def read_transfer(session, actor: dict, transfer_id: str) -> dict:
    transfer = get_transfer(session, transfer_id)
    try:
        access.require_read(actor, transfer.from_agency_code)
    except Forbidden:
        access.require_read(actor, transfer.to_agency_code)
    return transfer_dict(transfer)


def list_transfers(session, actor: dict, query: dict) -> dict:
    """An agency sees the transfers it sent and received."""
    agency_code = access.query_agency(actor, query.get("agency_code"))
    stmt = select(m.Transfer)
    if agency_code:
        stmt = stmt.where((m.Transfer.from_agency_code == agency_code) | (m.Transfer.to_agency_code == agency_code))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    rows = session.execute(
        stmt.order_by(m.Transfer.proposed_on.desc(), m.Transfer.transfer_id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).scalars()
    return {
        "items": [transfer_dict(t) for t in rows],
        "total": total,
        "total_exact": True,
        "page": page,
        "per_page": per_page,
        "next": None,
    }
