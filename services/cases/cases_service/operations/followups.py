"""Corrections (错案纠正) and accountability records (过错责任追究) after a failing case file: assigned, decided,
closed; each step's deadline measured when met and watched while open (``cases.deadline.missed``).

Who may do what (the review rules: the bureau everything, an agency its own records; another agency's are not found):
a correction is assigned, decided and closed by the bureau or the case's agency (its admin); an accountability
record by the bureau only (an agency does not judge its own officers). Officers of the agency read them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from enforcement_contracts.cases import followups as contract
from enforcement_contracts.cases import promptness as promptness_contract
from enforcement_contracts.errors import Conflict, NotFound, ValidationFailed
from enforcement_kernel import access, paging
from enforcement_kernel.db import utcnow

from .. import metrics as cases_metrics
from .. import models as m
from ..rules import followups as rules
from .common import _measure

LIST_ORDER = [(m.Correction.opened_on, True), (m.Correction.id, True)]


def reference(record: m.Correction) -> str:
    """What a step's measurement and deadline miss are about: ``correction-12``, ``accountability-13``."""
    return f"{record.kind}-{record.id}"


def _visible(actor: dict, record: m.Correction | None) -> bool:
    if record is None:
        return False
    return access.sees_all(actor) or (
        actor.get("role") in ("agency_admin", "officer") and actor.get("agency_code") == record.agency_code
    )


def get_record(session, actor: dict, record_id, lock: bool = False) -> m.Correction:
    """The record if the actor may read it; another agency's is not found (its existence is not told)."""
    if isinstance(record_id, bool) or not isinstance(record_id, int | str) or not str(record_id).isdigit():
        raise NotFound(f"follow-up {record_id} not found")
    record = session.get(m.Correction, int(record_id), with_for_update=lock) if int(record_id) < 2**63 else None
    if not _visible(actor, record):
        raise NotFound(f"follow-up {record_id} not found")
    return record


def _require_writer(actor: dict, record: m.Correction) -> None:
    if record.kind == "accountability":
        access.require_bureau(actor)
    else:
        access.require_write(actor, record.agency_code)


def _step(record: m.Correction, deadlines: rules.Deadlines) -> rules.Step | None:
    return rules.current_step(record.status, record.opened_on, record.assigned_on, record.decided_on, deadlines)


def followup_dict(record: m.Correction, case_number: str, deadlines: rules.Deadlines, today: date) -> dict:
    step = _step(record, deadlines)
    return contract.Followup().dump(
        {
            "record_id": record.id,
            "kind": record.kind,
            "state": record.status,
            "case_id": record.case_id,
            "case_number": case_number,
            "file_id": record.file_id,
            "agency_code": record.agency_code,
            "officer_ids": list(record.officer_ids or []),
            "reason": record.reason,
            "opened_on": record.opened_on,
            "assigned_on": record.assigned_on,
            "assignee": record.assignee,
            "assignee_agency_code": record.assignee_agency_code,
            "assigned_by": record.assigned_by,
            "assigned_at": record.assigned_at,
            "decided_on": record.decided_on,
            "decided_by": record.decided_by,
            "measure": record.measure,
            "officers": list(record.outcomes or []),
            "exemptions": record.exemptions or 0,
            "closed_on": record.closed_on,
            "closed_by": record.closed_by,
            "notes": dict(record.notes or {}),
            "due_on": step.due_on if step else None,
            "overdue": rules.is_late(step, today),
        }
    )


def _case_number(session, case_id: str) -> str:
    return session.execute(select(m.Case.case_number).where(m.Case.case_id == case_id)).scalar_one()


def read_followup(session, actor: dict, record_id, deadlines: rules.Deadlines, today: date) -> dict:
    record = get_record(session, actor, record_id)
    return followup_dict(record, _case_number(session, record.case_id), deadlines, today)


def list_followups(session, actor: dict, query: dict, deadlines: rules.Deadlines, today: date) -> dict:
    """Latest first; ``overdue`` keeps those whose current step is late today (few: told apart in Python)."""
    agency_code = access.query_agency(actor, query.get("agency_code"))
    C = m.Correction
    stmt = select(C, m.Case.case_number).join(m.Case, m.Case.case_id == C.case_id)
    if agency_code:
        stmt = stmt.where(C.agency_code == agency_code)
    if query.get("kind"):
        stmt = stmt.where(C.kind == query["kind"])
    if query.get("state"):
        stmt = stmt.where(C.status == query["state"])
    if query.get("overdue") is None:
        found = paging.keyset_page(session, stmt, LIST_ORDER, query, "followups")
    else:
        rows = session.execute(stmt.where(C.status != rules.CLOSED).order_by(*paging.order_by(LIST_ORDER))).all()
        rows = [r for r in rows if rules.is_late(_step(r[0], deadlines), today) == query["overdue"]]
        key = lambda r: (r[0].opened_on, r[0].id)  # noqa: E731
        found = paging.keyset_slice(rows, key, [True, True], [date, int], query, "followups-overdue")
    return {
        "items": [followup_dict(r, number, deadlines, today) for r, number in found.rows],
        "total": found.total,
        "total_exact": found.total_exact,
        "page": query.get("page", 1),
        "per_page": query.get("per_page", 50),
        "next": found.next,
    }


def _advance(tx, record: m.Correction, action: str, day: date, deadlines: rules.Deadlines) -> None:
    """The state moves on (or a 409 naming the state); the step just met is measured."""
    try:
        new_state = rules.next_state(record.status, action)
    except rules.IllegalTransition as exc:
        raise Conflict(str(exc), {"state": [f"is {exc.state}"]}) from None
    step = _step(record, deadlines)
    result, taken = rules.measure(step, day)
    ref = reference(record)
    _measure(
        tx, record.agency_code, step.kind, ref, step.started_on, day, result, None, step.unit, taken, step.deadline
    )
    record.status = new_state


def _check_date(field: str, day: date, after: date, today: date, after_what: str) -> None:
    problem = rules.date_problem(day, after, today, after_what)
    if problem:
        raise ValidationFailed(f"{field} {problem}", {field: [problem]})


def _note(record: m.Correction, step: str, text: str) -> None:
    if text:
        record.notes = {**(record.notes or {}), step: text}


def _emit(tx, record: m.Correction, day: date, **extra) -> None:
    tx.emit(
        contract.EVENTS[(record.kind, record.status)],
        {
            "record_id": record.id,
            "case_id": record.case_id,
            "agency_code": record.agency_code,
            "state": record.status,
            "on": day,
            **extra,
        },
        subject=record.case_id,
    )


def _answer(tx, record: m.Correction, deadlines: rules.Deadlines, today: date) -> dict:
    tx.session.flush()
    return followup_dict(record, _case_number(tx.session, record.case_id), deadlines, today)


def assign_followup(tx, actor: dict, record_id, data: dict, deadlines: rules.Deadlines, today: date) -> dict:
    record = get_record(tx.session, actor, record_id, lock=True)
    _require_writer(actor, record)
    if record.status == rules.OPENED:
        _check_date("assigned_on", data["assigned_on"], record.opened_on, today, "opened_on")
    _advance(tx, record, "assign", data["assigned_on"], deadlines)
    record.assigned_on, record.assignee = data["assigned_on"], data["assignee"]
    record.assignee_agency_code = data.get("assignee_agency_code")
    record.assigned_by, record.assigned_at = actor["username"], utcnow()
    _note(record, "assigned", data.get("note", ""))
    _emit(tx, record, record.assigned_on, assignee_agency_code=record.assignee_agency_code)
    return _answer(tx, record, deadlines, today)


def decide_followup(tx, actor: dict, record_id, data: dict, deadlines: rules.Deadlines, today: date) -> dict:
    """A correction's measure, or an accountability's outcome per officer concerned (or an exemption with its
    grounds)."""
    record = get_record(tx.session, actor, record_id, lock=True)
    _require_writer(actor, record)
    if record.status == rules.ASSIGNED:
        _check_date("decided_on", data["decided_on"], record.assigned_on, today, "assigned_on")
        problems = rules.decision_problems(record.kind, data, list(record.officer_ids or []))
        if problems:
            field = next(iter(problems))
            raise ValidationFailed(f"{field}: {problems[field][0]}", problems)
    _advance(tx, record, "decide", data["decided_on"], deadlines)
    record.decided_on, record.decided_by = data["decided_on"], actor["username"]
    outcomes = None
    if record.kind == "correction":
        record.measure = data["measure"]
    else:
        record.outcomes = [
            {
                "officer_id": o["officer_id"],
                "outcome": o.get("outcome"),
                "exemption": dict(o["exemption"]) if o.get("exemption") else None,
                "note": o.get("note", ""),
            }
            for o in data["officers"] or []
        ]
        record.exemptions = sum(1 for o in record.outcomes if o["exemption"])
        outcomes = {o["officer_id"]: o["outcome"] or f"exemption:{o['exemption']['ground']}" for o in record.outcomes}
    _note(record, "decided", data.get("note", ""))
    _emit(tx, record, record.decided_on, measure=record.measure, outcomes=outcomes)
    return _answer(tx, record, deadlines, today)


def close_followup(tx, actor: dict, record_id, data: dict, deadlines: rules.Deadlines, today: date) -> dict:
    record = get_record(tx.session, actor, record_id, lock=True)
    _require_writer(actor, record)
    if record.status == rules.DECIDED:
        _check_date("closed_on", data["closed_on"], record.decided_on, today, "decided_on")
    _advance(tx, record, "close", data["closed_on"], deadlines)
    record.closed_on, record.closed_by = data["closed_on"], actor["username"]
    _note(record, "closed", data.get("note", ""))
    _emit(tx, record, record.closed_on)
    return _answer(tx, record, deadlines, today)


# --- the deadline watch ---------------------------------------------------------------------------------------
def watch_followups(
    tx, deadlines: rules.Deadlines, today: date, after: int = 0, limit: int = 200
) -> tuple[int, int | None]:
    """One batch of open records (ids after ``after``): each whose current step is late is recorded and announced
    once per step (``cases.deadline.missed``, kind followup_*, reference ``correction-<id>``). Returns (announced,
    the id to continue after, or None when done)."""
    session = tx.session
    C = m.Correction
    rows = (
        session.execute(
            select(C)
            .where(C.status != rules.CLOSED, C.id > after)
            .order_by(C.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # two replicas run the watch: each claims different rows
        )
        .scalars()
        .all()
    )
    announced = 0
    for record in rows:
        step = _step(record, deadlines)
        if not rules.is_late(step, today):
            continue
        ref = reference(record)
        if session.execute(
            select(m.DeadlineMiss.id).where(m.DeadlineMiss.reference == ref, m.DeadlineMiss.kind == step.kind)
        ).first():
            continue
        session.add(
            m.DeadlineMiss(
                case_id=record.case_id,
                reference=ref,
                kind=step.kind,
                agency_code=record.agency_code,
                started_on=step.started_on,
                due_on=step.due_on,
                detected_on=today,
            )
        )
        tx.emit(
            promptness_contract.DEADLINE_MISSED,
            {
                "case_id": record.case_id,
                "transfer_id": None,
                "agency_code": record.agency_code,
                "kind": step.kind,
                "started_on": step.started_on,
                "due_on": step.due_on,
                "detected_on": today,
                "reference": ref,
                "deadline": float(step.deadline),
                "deadline_unit": step.unit,
            },
            subject=ref,
        )
        announced += 1
    session.flush()
    return announced, (rows[-1].id if len(rows) == limit else None)


# --- metrics and yearly facts ---------------------------------------------------------------------------------
def _counts(session) -> dict[tuple[str, str, str], int]:
    C = m.Correction
    return {
        (a, k, s): int(n)
        for a, k, s, n in session.execute(
            select(C.agency_code, C.kind, C.status, func.count()).group_by(C.agency_code, C.kind, C.status)
        ).all()
    }


def count_on_commit(tx) -> None:
    """Records just opened (a failing score, in the caller's transaction): the state gauge as the transaction will
    leave it, set once it commits (a rolled-back score changes nothing)."""
    tx.session.flush()
    counts = _counts(tx.session)
    tx.on_commit.append(lambda: cases_metrics.publish_followups(counts, None))


def publish_metrics(session, deadlines: rules.Deadlines, today: date, agencies=()) -> None:
    """The gauges from the database: records by agency, kind and state, and those whose current step is late (the
    series of every agency the service knows, and of ``agencies``, at 0 first)."""
    C = m.Correction
    agencies = {*session.execute(select(m.Agency.code)).scalars(), *agencies}
    counts = _counts(session)
    overdue: dict[tuple[str, str], int] = {}
    for record in session.execute(select(C).where(C.status != rules.CLOSED)).scalars():
        if rules.is_late(_step(record, deadlines), today):
            overdue[(record.agency_code, record.kind)] = overdue.get((record.agency_code, record.kind), 0) + 1
    cases_metrics.publish_followups(counts, overdue, agencies)


def yearly_counts(session, year: int, deadlines: rules.Deadlines | None, today: date) -> dict[tuple, dict]:
    """Per agency and kind, a calendar year's records: opened and closed in it, overdue (a step's deadline found
    missed in it, or, for the year still running, late today) and officers exempted (尽职免责 / 容错纠错) in the year's
    decisions."""
    deadlines = deadlines or rules.Deadlines()
    start, end = date(year, 1, 1), date(year, 12, 31)
    C = m.Correction
    out: dict[tuple, dict] = {}

    def row(code: str, kind: str) -> dict:
        return out.setdefault((code, kind), {"opened": 0, "closed": 0, "overdue": 0, "exemptions": 0})

    for key, day in (("opened", C.opened_on), ("closed", C.closed_on)):
        for code, kind, n in session.execute(
            select(C.agency_code, C.kind, func.count()).where(day.between(start, end)).group_by(C.agency_code, C.kind)
        ).all():
            row(code, kind)[key] = int(n)
    for code, kind, n in session.execute(
        select(C.agency_code, C.kind, func.sum(C.exemptions))
        .where(C.decided_on.between(start, end))
        .group_by(C.agency_code, C.kind)
    ).all():
        row(code, kind)["exemptions"] = int(n or 0)
    late: dict[tuple, set[str]] = {}
    missed = select(m.DeadlineMiss.reference, m.DeadlineMiss.agency_code).where(
        m.DeadlineMiss.kind.in_(rules.WATCHED_KINDS), m.DeadlineMiss.detected_on.between(start, end)
    )
    for ref, code in session.execute(missed).all():
        late.setdefault((code, ref.rsplit("-", 1)[0]), set()).add(ref)
    if year >= today.year:  # the year still running: what is late today, announced by the watch yet or not
        for record in session.execute(select(C).where(C.status != rules.CLOSED, C.opened_on <= today)).scalars():
            if rules.is_late(_step(record, deadlines), today):
                late.setdefault((record.agency_code, record.kind), set()).add(reference(record))
    for key, refs in late.items():
        row(*key)["overdue"] = len(refs)
    return out
