"""What the supervision service does, one function per operation; the nameko entrypoints only route here.

Writes take a ``Tx`` (session + outbox); reads take a plain session. Access follows ``kernel.access``: the bureau
issues, returns, verifies and closes items and sees everything; an agency acknowledges and answers its own items and
handles the complaints about its own enforcement.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Integer, case, cast, func, or_, select

from enforcement_contracts import supervision as contract
from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement_kernel import access
from enforcement_kernel import metrics as kernel_metrics
from enforcement_kernel.config import setting
from enforcement_kernel.crypto import PersonalDataCipher
from enforcement_kernel.db import utcnow
from enforcement_kernel.workdays import WorkCalendar, default_calendar

from . import models as m
from . import rules

SERVICE = contract.SERVICE
DONE_ITEM_STATES = (m.VERIFIED, m.CLOSED)


@dataclass(frozen=True)
class Settings:
    item_deadlines: dict = field(default_factory=lambda: dict.fromkeys(contract.ITEM_KINDS, 10))
    max_deadline_workdays: int = 60
    return_workdays: int = 5
    automatic_deadline_workdays: int = 10
    complaints: rules.ComplaintLimits = rules.ComplaintLimits()

    @classmethod
    def from_config(cls, config: dict) -> Settings:
        deadlines = dict(setting(config, "SUPERVISION.items.deadline_workdays", {}) or {})
        missing = [k for k in contract.ITEM_KINDS if k not in deadlines]
        if missing:
            raise ValueError(f"SUPERVISION.items.deadline_workdays has no deadline for {', '.join(missing)}")
        return cls(
            item_deadlines={k: int(v) for k, v in deadlines.items()},
            max_deadline_workdays=int(setting(config, "SUPERVISION.items.max_deadline_workdays", 60)),
            return_workdays=int(setting(config, "SUPERVISION.items.return_workdays", 5)),
            automatic_deadline_workdays=int(setting(config, "SUPERVISION.automatic.deadline_workdays", 10)),
            complaints=rules.ComplaintLimits(
                accept_workdays=int(setting(config, "SUPERVISION.complaints.accept_workdays", 5)),
                conclude_days=int(setting(config, "SUPERVISION.complaints.conclude_days", 30)),
                max_extension_days=int(setting(config, "SUPERVISION.complaints.max_extension_days", 30)),
            ),
        )


def cipher_from_config(config: dict) -> PersonalDataCipher:
    return PersonalDataCipher(str(config.get("ID_ENCRYPTION_KEY", "")), str(config.get("ID_HASH_KEY", "")))


def _calendar() -> WorkCalendar:
    # the runner installs the county's calendar (CALENDAR.extra_*) as the default at start
    return default_calendar()


def _iso(value):
    return value.isoformat() if value is not None else None


# --- promptness rows -----------------------------------------------------------------------------
def land_measurement(
    tx, event_id: str, source: str, data: dict, seconds: int | None = None
) -> m.PromptnessMeasurement | None:
    """One row of the county-wide promptness table, observed on /metrics once committed; None if already there.
    ``seconds``: this service's own time taken; a measured event brings its ``seconds_taken`` where it has one."""
    if tx.session.execute(
        select(m.PromptnessMeasurement.id).where(m.PromptnessMeasurement.event_id == event_id)
    ).first():
        return None
    row = m.PromptnessMeasurement(
        event_id=event_id,
        source=source,
        agency_code=data["agency_code"],
        kind=data["kind"],
        reference=data.get("reference") or "",
        started_on=data["started_on"],
        ended_on=data["ended_on"],
        workdays_taken=data["workdays_taken"],
        deadline_workdays=data["deadline_workdays"],
        seconds=seconds if seconds is not None else data.get("seconds_taken"),
        on_time=bool(data["on_time"]),
        year=data["ended_on"].year,
    )
    tx.session.add(row)
    tx.on_commit.append(
        lambda: kernel_metrics.observe_promptness(
            SERVICE, row.agency_code, row.kind, row.workdays_taken, row.on_time, row.seconds
        )
    )
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
) -> None:
    """One of this service's own obligations ended (``event_id``: a stable key, so it lands once)."""
    seconds = int((utcnow() - started_at).total_seconds()) if started_at else None
    land_measurement(
        tx,
        event_id,
        SERVICE,
        {
            "agency_code": agency_code,
            "kind": kind,
            "reference": reference,
            "started_on": started,
            "ended_on": ended,
            "workdays_taken": result.workdays_taken,
            "deadline_workdays": result.deadline_workdays,
            "on_time": result.on_time,
        },
        seconds,
    )


# --- items ---------------------------------------------------------------------------------------
def _get(session, model, key, what: str):
    try:
        row = session.get(model, int(key))
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise NotFound(f"{what} {key} not found")
    return row


def _item(session, item_id) -> m.SupervisionItem:
    return _get(session, m.SupervisionItem, item_id, "item")


def _scope_conditions(actor: dict, query: dict, column) -> list:
    """The actor's agency scope (an agency admin: its own only) plus the agency the query names."""
    agency = access.query_agency(actor, query.get("agency_code"))
    return [column == agency] if agency else []


def item_out(session, item: m.SupervisionItem, with_history: bool = True) -> dict:
    out = {
        "item_id": item.id,
        "agency_code": item.agency_code,
        "kind": item.kind,
        "title": item.title,
        "body": item.body,
        "state": item.state,
        "issued_on": _iso(item.issued_on),
        "deadline_workdays": item.deadline_workdays,
        "due_on": _iso(item.due_on),
        "acknowledged_on": _iso(item.acknowledged_on),
        "answered_on": _iso(item.answered_on),
        "answer": item.answer,
        "answered_on_time": item.answered_on_time,
        "verified_on": _iso(item.verified_on),
        "closed_on": _iso(item.closed_on),
        "returns": item.returns,
        "overdue": item.overdue,
        "overdue_on": _iso(item.overdue_on),
        "origin": item.origin,
        "occurrences": item.occurrences,
        "details": item.details or {},
        "complaint_id": item.complaint_id,
        "issued_by": item.issued_by,
    }
    if with_history:
        rows = session.execute(
            select(m.ItemHistory).where(m.ItemHistory.item_id == item.id).order_by(m.ItemHistory.id)
        ).scalars()
        out["history"] = [
            {"action": h.action, "state": h.state, "on": h.on.isoformat(), "by": h.by, "note": h.note} for h in rows
        ]
    return out


def _history(tx, item: m.SupervisionItem, action: str, on: date, by: str, note: str = "") -> None:
    if item.id is None:
        tx.session.flush()
    tx.session.add(m.ItemHistory(item_id=item.id, action=action, state=item.state, on=on, by=by, note=note or ""))


def _new_item(
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
        due_on=rules.item_due_on(_calendar(), today, deadline_workdays),
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
    _history(tx, item, "issued", today, by, body or "")
    tx.emit(
        contract.ITEM_ISSUED,
        {
            "item_id": item.id,
            "agency_code": agency_code,
            "kind": kind,
            "title": title,
            "issued_on": today,
            "due_on": item.due_on,
            "origin": origin,
        },
        subject=str(item.id),
    )
    return item


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
    item = _new_item(
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
            item.first_answered_on = today
            result = rules.item_promptness(_calendar(), item.issued_on, today, item.due_on, item.deadline_workdays)
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
    elif action == "return":
        item.returns += 1
        workdays = data.get("deadline_workdays") or settings.return_workdays
        item.due_on = rules.item_due_on(_calendar(), today, workdays)
    elif action == "verify":
        item.verified_on = today
        item.open_key = None
    elif action == "close":
        item.closed_on = today
        item.open_key = None
    _history(tx, item, _past(action), today, actor["username"], note)
    tx.emit(
        contract.ITEM_CHANGED,
        {
            "item_id": item.id,
            "agency_code": item.agency_code,
            "kind": item.kind,
            "action": _past(action),
            "state": item.state,
            "on": today,
            "due_on": item.due_on,
        },
        subject=str(item.id),
    )
    return item_out(tx.session, item)


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
    access.require_read(actor, item.agency_code)
    return item_out(session, item)


def list_items(session, actor: dict, query: dict) -> dict:
    conditions = _scope_conditions(actor, query, m.SupervisionItem.agency_code)
    for name in ("kind", "state", "year", "overdue"):
        if query.get(name) is not None:
            conditions.append(getattr(m.SupervisionItem, name) == query[name])
    total = session.scalar(select(func.count()).select_from(m.SupervisionItem).where(*conditions))
    rows = session.execute(
        select(m.SupervisionItem)
        .where(*conditions)
        .order_by(m.SupervisionItem.id.desc())
        .offset((query["page"] - 1) * query["per_page"])
        .limit(query["per_page"])
    ).scalars()
    return {
        "items": [item_out(session, i, with_history=False) for i in rows],
        "total": total,
        "page": query["page"],
        "per_page": query["per_page"],
    }


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
        _history(tx, item, "overdue", today, "system", f"no answer by {item.due_on.isoformat()}")
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


# --- automatic items -----------------------------------------------------------------------------
def open_or_update(
    tx,
    *,
    agency_code: str,
    kind: str,
    title: str,
    body: str,
    origin: str,
    key: str,
    details: dict,
    settings: Settings,
    today: date,
) -> m.SupervisionItem:
    """The open item of this cause gets one more occurrence; without one, a new item is issued."""
    item = tx.session.execute(select(m.SupervisionItem).where(m.SupervisionItem.open_key == key)).scalars().first()
    if item is None:
        return _new_item(
            tx,
            agency_code=agency_code,
            kind=kind,
            title=title,
            body=body,
            deadline_workdays=settings.automatic_deadline_workdays,
            today=today,
            by="system",
            origin=origin,
            origin_key=key,
            details=details,
        )
    item.occurrences += 1
    merged = dict(item.details or {})
    for name, value in details.items():
        if isinstance(value, list):
            merged[name] = sorted(set(merged.get(name, [])) | set(value))
        else:
            merged[name] = value
    item.details = merged
    _history(tx, item, "recurred", today, "system", body)
    tx.emit(
        contract.ITEM_CHANGED,
        {
            "item_id": item.id,
            "agency_code": item.agency_code,
            "kind": item.kind,
            "action": "recurred",
            "state": item.state,
            "on": today,
            "due_on": item.due_on,
        },
        subject=str(item.id),
    )
    return item


# promptness kinds of other services that open an item when late: (item kind, title)
LATE_KINDS = {
    "certificate_cancelled": (
        "rectification",
        "执法证未及时注销 Certificate not cancelled in time after the officer left",
    ),
    "case_decided": ("rectification", "案件未在法定期限内作出决定 Case not decided within the legal time limit"),
    "decision_published": ("rectification", "行政处罚决定未按时公开 Decision not published in time"),
    "transfer_decided": ("transfer_followup", "案件移送未及时决定 Transfer not decided in time"),
    "transfer_handed_over": ("transfer_followup", "案件移送未及时移交 Transfer not handed over in time"),
    "transfer_acknowledged": ("transfer_followup", "移送案件未及时接收 Transferred case not acknowledged in time"),
}


def on_promptness_measured(tx, envelope, data: dict, settings: Settings, today: date) -> None:
    land_measurement(tx, envelope.id, envelope.source, data)
    if data["on_time"] or data["kind"] not in LATE_KINDS:
        return
    body = (
        f"{data['reference']}: {data['workdays_taken']} working days from {data['started_on'].isoformat()} to "
        f"{data['ended_on'].isoformat()}, deadline {data['deadline_workdays']}"
    )
    item_kind, title = LATE_KINDS[data["kind"]]
    open_or_update(
        tx,
        agency_code=data["agency_code"],
        kind=item_kind,
        title=title,
        body=body,
        origin=envelope.type,
        key=f"{envelope.source}.{data['kind']}:{data['reference']}",
        details={
            "reference": data["reference"],
            "workdays_taken": data["workdays_taken"],
            "deadline_workdays": data["deadline_workdays"],
        },
        settings=settings,
        today=today,
    )


def on_deadline_missed(tx, envelope, data: dict, settings: Settings, today: date) -> None:
    """A deadline passed unmet opens the item a late measurement of that kind opens, under the same key (a cases
    measurement's reference is the transfer id for a transfer leg, else the case id), so the measurement that
    follows adds an occurrence to it."""
    if data["kind"] not in LATE_KINDS:
        return
    item_kind, title = LATE_KINDS[data["kind"]]
    reference = data.get("transfer_id") or data["case_id"]
    about = f"case {data['case_id']}, transfer {reference}" if data.get("transfer_id") else data["case_id"]
    body = (
        f"{about}: still open on {data['detected_on'].isoformat()}, due by {data['due_on'].isoformat()} "
        f"(from {data['started_on'].isoformat()})"
    )
    open_or_update(
        tx,
        agency_code=data["agency_code"],
        kind=item_kind,
        title=title,
        body=body,
        origin=envelope.type,
        key=f"{envelope.source}.{data['kind']}:{reference}",
        details={"reference": reference, "case_id": data["case_id"], "due_on": data["due_on"].isoformat()},
        settings=settings,
        today=today,
    )


def on_review_scored(tx, envelope, data: dict, settings: Settings, today: date) -> None:
    if data["grade"] != "fail":
        return
    open_or_update(
        tx,
        agency_code=data["agency_code"],
        kind="rectification",
        title="案卷评查不合格 Case file failed the review",
        body=f"case {data['case_id']}, file {data['file_id']}: {data['total']} points; "
        f"basic failures: {', '.join(data['basic_failures']) or 'none'}",
        origin=envelope.type,
        key=f"cases.review_file:{data['file_id']}",
        details={
            "case_id": data["case_id"],
            "file_id": data["file_id"],
            "total": data["total"],
            "basic_failures": data["basic_failures"],
        },
        settings=settings,
        today=today,
    )


def on_benchmark_filed(tx, envelope, data: dict, settings: Settings, today: date) -> None:
    open_or_update(
        tx,
        agency_code=data["agency_code"],
        kind="report_request",
        title="裁量基准备案审查 Filed discretion benchmark: send the drafting explanation for review",
        body=f"item {data['item_code']} benchmark version {data['version']} "
        f"in force from {data['effective_from'].isoformat()}",
        origin=envelope.type,
        key=f"cases.benchmark:{data['item_id']}",
        details={"item_code": data["item_code"], "versions": [data["version"]]},
        settings=settings,
        today=today,
    )


def on_lenient_list_filed(tx, envelope, data: dict, settings: Settings, today: date) -> None:
    open_or_update(
        tx,
        agency_code=data["agency_code"],
        kind="report_request",
        title="清单备案审查 Filed lenient-list change: send the explanation for review",
        body=f"{data['list_kind']} list: entry {data['entry_id']} ({data['item_code']}) {data['action']}",
        origin=envelope.type,
        key=f"cases.lenient_list:{data['agency_code']}:{data['list_kind']}",
        details={"list_kind": data["list_kind"], "entries": [data["entry_id"]]},
        settings=settings,
        today=today,
    )


def on_officer_short(tx, envelope, data: dict, settings: Settings, today: date) -> None:
    open_or_update(
        tx,
        agency_code=data["agency_code"],
        kind="rectification",
        title=f"{data['year']}年度执法人员培训学时不足 Officers short of training at the end of {data['year']}",
        body=f"officer {data['officer_id']}: {'; '.join(data['reasons'])}",
        origin=envelope.type,
        key=f"training.short:{data['agency_code']}:{data['year']}",
        details={"year": data["year"], "officers": [data["officer_id"]]},
        settings=settings,
        today=today,
    )


def on_inspection_recorded(tx, envelope, data: dict, settings: Settings, today: date) -> None:
    repeated = [w for w in data["warnings"] if w["code"] == "repeated"]
    if not repeated:
        return
    year = data["inspected_on"].year
    open_or_update(
        tx,
        agency_code=data["agency_code"],
        kind="rectification",
        title="涉企行政检查重复 Repeated inspections of one enterprise",
        body=f"enterprise {data['credit_code']} inspected again on {data['inspected_on'].isoformat()}: "
        f"{repeated[0]['message']}",
        origin=envelope.type,
        key=f"cases.inspection_repeat:{data['agency_code']}:{data['credit_code']}:{year}",
        details={"credit_code": data["credit_code"], "inspections": [data["inspection_id"]]},
        settings=settings,
        today=today,
    )


# --- bulletins -----------------------------------------------------------------------------------
def bulletin_entries(session, period_from: date, period_to: date, scope: list = ()) -> list[dict]:
    """Items that fell overdue in the period (first time), by agency, oldest deadline first."""
    conditions = [
        m.SupervisionItem.overdue.is_(True),
        m.SupervisionItem.overdue_on >= period_from,
        m.SupervisionItem.overdue_on <= period_to,
        *scope,
    ]
    rows = session.execute(
        select(m.SupervisionItem)
        .where(*conditions)
        .order_by(m.SupervisionItem.agency_code, m.SupervisionItem.due_on, m.SupervisionItem.id)
    )
    return [
        {
            "item_id": i.id,
            "agency_code": i.agency_code,
            "kind": i.kind,
            "title": i.title,
            "issued_on": i.issued_on.isoformat(),
            "due_on": i.due_on.isoformat(),
            "overdue_on": i.overdue_on.isoformat(),
            "state": i.state,
            "answered_on": _iso(i.first_answered_on),
        }
        for i in rows.scalars()
    ]


def overdue_list(session, actor: dict, query: dict) -> list[dict]:
    return bulletin_entries(
        session,
        query["period_from"],
        query["period_to"],
        _scope_conditions(actor, query, m.SupervisionItem.agency_code),
    )


def publish_bulletin(tx, actor: dict, data: dict, today: date) -> dict:
    access.require_bureau(actor)
    if data["period_to"] > today:
        raise ValidationFailed(
            "a bulletin covers a period that has ended", {"period_to": ["must not be in the future"]}
        )
    exists = tx.session.execute(
        select(m.Bulletin.id).where(
            m.Bulletin.period_from == data["period_from"], m.Bulletin.period_to == data["period_to"]
        )
    ).first()
    if exists:
        raise Conflict(
            f"a bulletin for this period was already published (#{exists[0]})", {"period_from": ["already published"]}
        )
    entries = bulletin_entries(tx.session, data["period_from"], data["period_to"])
    bulletin = m.Bulletin(
        period_from=data["period_from"],
        period_to=data["period_to"],
        title=data["title"],
        published_on=today,
        published_by=actor["username"],
        entries=entries,
        year=data["period_to"].year,
    )
    tx.session.add(bulletin)
    tx.session.flush()
    tx.emit(
        contract.BULLETIN_PUBLISHED,
        {
            "bulletin_id": bulletin.id,
            "title": bulletin.title,
            "period_from": bulletin.period_from,
            "period_to": bulletin.period_to,
            "published_on": today,
            "entries": entries,
        },
        subject=str(bulletin.id),
    )
    return bulletin_out(bulletin)


def bulletin_out(b: m.Bulletin) -> dict:
    return {
        "bulletin_id": b.id,
        "title": b.title,
        "period_from": b.period_from.isoformat(),
        "period_to": b.period_to.isoformat(),
        "published_on": b.published_on.isoformat(),
        "published_by": b.published_by,
        "entries": b.entries,
    }


def list_bulletins(session) -> list[dict]:
    """Published bulletins are public within the government: every staff role reads them."""
    return [bulletin_out(b) for b in session.execute(select(m.Bulletin).order_by(m.Bulletin.id.desc())).scalars()]


# --- complaints ----------------------------------------------------------------------------------
def _complaint(session, complaint_id) -> m.Complaint:
    return _get(session, m.Complaint, complaint_id, "complaint")


def complaint_out(c: m.Complaint, cipher: PersonalDataCipher) -> dict:
    return {
        "complaint_id": c.id,
        "agency_code": c.agency_code,
        "complainant_kind": c.complainant_kind,
        "complainant_name_masked": rules.mask_name(cipher.decrypt(c.complainant_name_enc)),
        "contact_masked": rules.mask_contact(cipher.decrypt(c.contact_enc)),
        "summary": c.summary,
        "received_on": _iso(c.received_on),
        "state": c.state,
        "accept_due_on": _iso(c.accept_due_on),
        "decided_on": _iso(c.decided_on),
        "decision_reasons": c.decision_reasons,
        "conclude_due_on": _iso(c.conclude_due_on),
        "extension_days": c.extension_days,
        "extension_reason": c.extension_reason,
        "concluded_on": _iso(c.concluded_on),
        "outcome": c.outcome,
        "conclusion": c.conclusion,
    }


def _complaint_event(tx, event_type, c: m.Complaint, on: date) -> None:
    tx.emit(
        event_type,
        {
            "complaint_id": c.id,
            "agency_code": c.agency_code,
            "complainant_kind": c.complainant_kind,
            "state": c.state,
            "on": on,
            "outcome": c.outcome,
        },
        subject=str(c.id),
    )


def register_complaint(
    tx, data: dict, settings: Settings, cipher: PersonalDataCipher, known_agency, today: date
) -> dict:
    known_agency(data["agency_code"])
    contact = data["contact"].strip()
    c = m.Complaint(
        agency_code=data["agency_code"],
        complainant_kind=data["complainant_kind"],
        complainant_name_enc=cipher.encrypt(data["complainant_name"].strip()),
        contact_enc=cipher.encrypt(contact),
        contact_hash=cipher.lookup_hash(contact.lower()),
        summary=data["summary"],
        received_on=today,
        state=m.REGISTERED,
        accept_due_on=rules.complaint_accept_due(_calendar(), today, settings.complaints),
        year=today.year,
    )
    tx.session.add(c)
    tx.session.flush()
    _complaint_event(tx, contract.COMPLAINT_REGISTERED, c, today)
    return {"complaint_id": c.id, "received_on": today.isoformat(), "accept_due_on": c.accept_due_on.isoformat()}


def decide_complaint(tx, actor: dict, complaint_id, data: dict, settings: Settings, cipher, today: date) -> dict:
    c = _complaint(tx.session, complaint_id)
    access.require_write(actor, c.agency_code)
    rules.decide_complaint(c.state)
    c.state = m.ACCEPTED if data["accept"] else m.REFUSED
    c.decided_on, c.decision_reasons = today, data["reasons"]
    if data["accept"]:
        c.conclude_due_on = rules.complaint_conclude_due(today, settings.complaints)
    result = rules.due_date_promptness(_calendar(), c.received_on, today, c.accept_due_on)
    measure_own(
        tx,
        f"supervision-complaint-{c.id}-accepted",
        c.agency_code,
        contract.KIND_COMPLAINT_ACCEPTED,
        f"complaint {c.id}",
        c.received_on,
        today,
        result,
        c.created_at,
    )
    _complaint_event(tx, contract.COMPLAINT_DECIDED, c, today)
    return complaint_out(c, cipher)


def extend_complaint(tx, actor: dict, complaint_id, data: dict, settings: Settings, cipher, today: date) -> dict:
    access.require_bureau(actor)  # the extension needs the bureau's approval
    c = _complaint(tx.session, complaint_id)
    c.conclude_due_on = rules.extend_complaint(
        c.state, c.extension_days is not None, c.conclude_due_on, data["days"], today, settings.complaints
    )
    c.extension_days, c.extension_reason, c.extension_approved_by = data["days"], data["reason"], actor["username"]
    _complaint_event(tx, contract.COMPLAINT_EXTENDED, c, today)
    return complaint_out(c, cipher)


def conclude_complaint(tx, actor: dict, complaint_id, data: dict, settings: Settings, cipher, today: date) -> dict:
    c = _complaint(tx.session, complaint_id)
    access.require_write(actor, c.agency_code)
    rules.conclude_complaint(c.state)
    c.state, c.concluded_on, c.outcome, c.conclusion = m.CONCLUDED, today, data["outcome"], data["conclusion"]
    result = rules.due_date_promptness(_calendar(), c.decided_on, today, c.conclude_due_on)
    measure_own(
        tx,
        f"supervision-complaint-{c.id}-concluded",
        c.agency_code,
        contract.KIND_COMPLAINT_CONCLUDED,
        f"complaint {c.id}",
        c.decided_on,
        today,
        result,
        None,
    )
    _complaint_event(tx, contract.COMPLAINT_CONCLUDED, c, today)
    return complaint_out(c, cipher)


def read_complaint(session, actor: dict, complaint_id, cipher) -> dict:
    c = _complaint(session, complaint_id)
    access.require_read(actor, c.agency_code)
    return complaint_out(c, cipher)


def list_complaints(session, actor: dict, query: dict, cipher) -> dict:
    conditions = _scope_conditions(actor, query, m.Complaint.agency_code)
    for name in ("state", "year"):
        if query.get(name) is not None:
            conditions.append(getattr(m.Complaint, name) == query[name])
    total = session.scalar(select(func.count()).select_from(m.Complaint).where(*conditions))
    rows = session.execute(
        select(m.Complaint)
        .where(*conditions)
        .order_by(m.Complaint.id.desc())
        .offset((query["page"] - 1) * query["per_page"])
        .limit(query["per_page"])
    ).scalars()
    return {
        "items": [complaint_out(c, cipher) for c in rows],
        "total": total,
        "page": query["page"],
        "per_page": query["per_page"],
    }


# --- promptness table and gauges -----------------------------------------------------------------
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
    scope = _scope_conditions(actor, query, m.PromptnessMeasurement.agency_code)
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
