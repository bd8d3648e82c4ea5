"""Supervision items (督办事项): issued by the bureau (or automatically), acknowledged and answered by the agency,
returned, verified and closed by the bureau; marked overdue and escalated when the deadline passes unanswered."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from enforcement_contracts import supervision as contract
from enforcement_contracts.common import page
from enforcement_contracts.errors import Forbidden, ValidationFailed
from enforcement_kernel import access, paging

from .. import models as m
from .. import rules
from .common import Settings, Shown, calendar, get_row
from .guidance import item_scope_conditions, require_read_item
from .promptness import land_missed, measure_own


def _item(session, item_id) -> m.SupervisionItem:
    return get_row(session, m.SupervisionItem, item_id, "supervision item")


def _shown(item: m.SupervisionItem, **extra) -> Shown:
    return Shown(item, item_id=item.id, details=item.details or {}, **extra)


def item_out(session, item: m.SupervisionItem, with_history: bool = True) -> dict:
    """The item as ``ItemOut`` shows it; with its history unless ``with_history`` is false (lists)."""
    if not with_history:
        return contract.ItemOut(exclude=("history",)).dump(_shown(item))
    rows = session.execute(
        select(m.ItemHistory).where(m.ItemHistory.item_id == item.id).order_by(m.ItemHistory.id)
    ).scalars()
    return contract.ItemOut().dump(_shown(item, history=list(rows)))


def add_history(tx, item: m.SupervisionItem, action: str, on: date, by: str, note: str = "") -> None:
    if item.id is None:
        tx.session.flush()
    tx.session.add(m.ItemHistory(item_id=item.id, action=action, state=item.state, on=on, by=by, note=note or ""))


def new_item(
    tx,
    *,
    agency_code,
    kind,
    title,
    body,
    deadline_workdays,
    today,
    by,
    origin="manual",
    origin_key=None,
    details=None,
    complaint_id=None,
) -> m.SupervisionItem:
    item = m.SupervisionItem(
        agency_code=agency_code,
        kind=kind,
        title=title,
        body=body or "",
        state=m.ISSUED,
        issued_on=today,
        deadline_workdays=deadline_workdays,
        due_on=rules.item_due_on(calendar(), today, deadline_workdays),
        year=today.year,
        issued_by=by,
        origin=origin,
        origin_key=origin_key,
        open_key=origin_key,
        details=details or {},
        complaint_id=complaint_id,
        returns=0,
        occurrences=1,
        overdue=False,
    )
    tx.session.add(item)
    tx.session.flush()
    add_history(tx, item, "issued", today, by, body or "")
    _announce_issued(tx, item)
    return item


def _announce_issued(tx, item: m.SupervisionItem) -> None:
    tx.emit(
        contract.ITEM_ISSUED,
        {
            "item_id": item.id,
            "agency_code": item.agency_code,
            "kind": item.kind,
            "title": item.title,
            "issued_on": item.issued_on,
            "due_on": item.due_on,
            "origin": item.origin,
        },
        subject=str(item.id),
    )


def issue_item(tx, actor: dict, data: dict, settings: Settings, known_agency, today: date) -> dict:
    access.require_bureau(actor)
    known_agency(data["agency_code"])
    deadline = data.get("deadline_workdays") or settings.item_deadlines[data["kind"]]
    if deadline > settings.max_deadline_workdays:
        raise ValidationFailed(
            f"a deadline is at most {settings.max_deadline_workdays} working days",
            {"deadline_workdays": [f"must be at most {settings.max_deadline_workdays}"]},
        )
    complaint_id = data.get("complaint_id")
    if complaint_id is not None:
        complaint = tx.session.get(m.Complaint, complaint_id)
        if complaint is None:
            raise ValidationFailed(f"complaint {complaint_id} not found", {"complaint_id": ["no such complaint"]})
        if complaint.agency_code != data["agency_code"]:
            raise ValidationFailed(
                "the complaint is about another agency", {"complaint_id": [f"is about {complaint.agency_code}"]}
            )
    item = new_item(
        tx,
        agency_code=data["agency_code"],
        kind=data["kind"],
        title=data["title"],
        body=data["body"],
        deadline_workdays=deadline,
        today=today,
        by=actor["username"],
        complaint_id=complaint_id,
    )
    return item_out(tx.session, item)


def act_on_item(tx, actor: dict, item_id, action: str, data: dict, settings: Settings, today: date) -> dict:
    item = _item(tx.session, item_id)
    if action in rules.AGENCY_ACTIONS:
        # the answer is the agency's own: the bureau cannot answer for it
        if actor.get("role") != "agency_admin" or actor.get("agency_code") != item.agency_code:
            access.require_read(actor, item.agency_code)  # another agency: not even visible
            raise Forbidden(f"only {item.agency_code} may {action} this item")
    else:
        access.require_bureau(actor)
    item.state = rules.next_item_state(item.state, action)
    note = data.get("note") or data.get("reason") or ""
    if action == "acknowledge":
        item.acknowledged_on = today
    elif action == "answer":
        item.answered_on, item.answer = today, data["answer"]
        note = data["answer"]
        if item.first_answered_on is None:
            _first_answer(tx, item, today)
    elif action == "return":
        item.returns += 1
        workdays = data.get("deadline_workdays") or settings.return_workdays
        item.due_on = rules.item_due_on(calendar(), today, workdays)
    elif action == "verify":
        item.verified_on = today
        item.open_key = None
    elif action == "close":
        item.closed_on = today
        item.open_key = None
    add_history(tx, item, _past(action), today, actor["username"], note)
    emit_changed(tx, item, _past(action), today)
    return item_out(tx.session, item)


def _first_answer(tx, item: m.SupervisionItem, today: date) -> None:
    """The first answer is the one measured: on time or not against the deadline as issued."""
    item.first_answered_on = today
    result = rules.item_promptness(calendar(), item.issued_on, today, item.due_on, item.deadline_workdays)
    item.answered_on_time = result.on_time
    measure_own(
        tx,
        f"supervision-item-{item.id}-answered",
        item.agency_code,
        contract.KIND_ITEM_ANSWERED,
        f"item {item.id}",
        item.issued_on,
        today,
        result,
        item.created_at,
    )


def _count_late(tx, item: m.SupervisionItem, today: date) -> None:
    """An item unanswered after its deadline counts late in the agency's promptness now (a provisional row, as a
    missed deadline of another service does); its first answer's measurement replaces the row. ``item.overdue`` is
    the announcement (no follow-up item for an item)."""
    land_missed(
        tx,
        f"supervision-item-{item.id}-answered-missed",
        contract.SERVICE,
        {
            "agency_code": item.agency_code,
            "kind": contract.KIND_ITEM_ANSWERED,
            "reference": f"item {item.id}",
            "started_on": item.issued_on,
            "due_on": item.due_on,
            "detected_on": today,
            "deadline": item.deadline_workdays,
            "deadline_unit": "workdays",
        },
    )


def emit_changed(tx, item: m.SupervisionItem, action: str, today: date) -> None:
    """``supervision.item.changed``: the item moved on (``action`` in the past tense, or ``recurred``)."""
    tx.emit(
        contract.ITEM_CHANGED,
        {
            "item_id": item.id,
            "agency_code": item.agency_code,
            "kind": item.kind,
            "action": action,
            "state": item.state,
            "on": today,
            "due_on": item.due_on,
        },
        subject=str(item.id),
    )


def _past(action: str) -> str:
    return {
        "acknowledge": "acknowledged",
        "answer": "answered",
        "return": "returned",
        "verify": "verified",
        "close": "closed",
    }[action]


def read_item(session, actor: dict, item_id) -> dict:
    item = _item(session, item_id)
    require_read_item(session, actor, item.agency_code)  # its own agency, or a department guiding that township
    return item_out(session, item)


def list_items(session, actor: dict, query: dict) -> dict:
    conditions = item_scope_conditions(session, actor, query, m.SupervisionItem.agency_code)
    for name in ("kind", "state", "year", "overdue"):
        if query.get(name) is not None:
            conditions.append(getattr(m.SupervisionItem, name) == query[name])
    stmt = select(m.SupervisionItem).where(*conditions)
    found = paging.keyset_page(session, stmt, [(m.SupervisionItem.id, True)], query, "supervision_items")
    # a list shows no history
    return page(contract.ItemOut, [_shown(i) for i in found.rows], found.total, query, found.total_exact, found.next)


def mark_overdue(tx, today: date, batch: int = 500) -> list[int]:
    """Items whose deadline passed while they wait for the agency: marked and escalated in this transaction.

    The query is the whole truth (no in-memory schedule), so a restart or a missed tick only delays the marking;
    an escalation is recorded per deadline (``escalated_due_on``), so a second pass changes nothing."""
    query = (
        select(m.SupervisionItem)
        .where(
            m.SupervisionItem.state.in_(m.OPEN_ITEM_STATES),
            m.SupervisionItem.due_on < today,
            or_(
                m.SupervisionItem.escalated_due_on.is_(None),
                m.SupervisionItem.escalated_due_on != m.SupervisionItem.due_on,
            ),
        )
        .order_by(m.SupervisionItem.due_on, m.SupervisionItem.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )  # replicas on PostgreSQL take different rows; SQLite ignores it
    marked = []
    for item in tx.session.execute(query).scalars():
        if not item.overdue:
            item.overdue, item.overdue_on = True, today
        item.escalated_due_on = item.due_on
        if item.first_answered_on is None:  # the measured first answer is late: counted at once, replaced later
            _count_late(tx, item, today)
        add_history(tx, item, "overdue", today, "system", f"no answer by {item.due_on.isoformat()}")
        tx.emit(
            contract.ITEM_OVERDUE,
            {
                "item_id": item.id,
                "agency_code": item.agency_code,
                "kind": item.kind,
                "title": item.title,
                "issued_on": item.issued_on,
                "due_on": item.due_on,
                "overdue_on": today,
            },
            subject=str(item.id),
        )
        marked.append(item.id)
    return marked
