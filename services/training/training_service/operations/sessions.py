"""Sessions of a course, and activities (a drill or contest with its one session)."""

from __future__ import annotations

from sqlalchemy import func, select

from enforcement_contracts.errors import ValidationFailed
from enforcement_contracts.training import sessions as sessions_contract
from enforcement_kernel import access

from .. import models as m
from .. import rules
from ..settings import Settings
from .common import columns, get_or_404, known, new_id
from .courses import create_course
from .guidance import require_organise


def _check_organiser(session, actor: dict, organiser: dict) -> list[str]:
    kind, codes = organiser["kind"], list(dict.fromkeys(organiser.get("agency_codes") or []))
    if kind == "bureau":
        if codes:
            raise ValidationFailed(
                "a bureau session names no agency", {"organiser": {"agency_codes": ["must be empty for the bureau"]}}
            )
        access.require_bureau(actor)
        return []
    if kind == "agency" and len(codes) != 1:
        raise ValidationFailed(
            "an agency session names one agency", {"organiser": {"agency_codes": ["name exactly one agency"]}}
        )
    if kind == "joint" and len(codes) < 2:
        raise ValidationFailed(
            "a joint session names two or more agencies", {"organiser": {"agency_codes": ["name two or more agencies"]}}
        )
    known = set(session.execute(select(m.Agency.code).where(m.Agency.code.in_(codes))).scalars())
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationFailed(
            f"unknown agency {', '.join(unknown)}",
            {"organiser": {"agency_codes": [f"unknown agency {', '.join(unknown)}"]}},
        )
    require_organise(session, actor, codes)  # its own sessions, or those of townships it guides
    return codes


def view(s: m.Session, c: m.Course) -> dict:
    """A session as the ``Session`` contract shows it (with its course's title, category, kind)."""
    organiser = {"kind": s.organiser_kind, "agency_codes": list(s.organiser_agencies or [])}
    return sessions_contract.Session().dump(columns(c, s, course_title=c.title, organiser=organiser))


def create_session(tx, actor: dict, data: dict, settings: Settings) -> dict:
    codes = _check_organiser(tx.session, actor, data["organiser"])  # who may, before what is wrong with it
    course = known(tx.session, m.Course, data["course_id"], "course_id", "course")
    ends_on = data.get("ends_on") or data["held_on"]
    problems = rules.session_problems(data["held_on"], ends_on, data["hours"], settings.policy)
    if problems:
        raise ValidationFailed(
            "invalid session: " + "; ".join(f"{k} {v}" for k, v in problems.items()),
            {k: [v] for k, v in problems.items()},
        )
    row = m.Session(
        session_id=new_id(),
        course_id=course.course_id,
        held_on=data["held_on"],
        ends_on=ends_on,
        hours=data["hours"],
        delivery=data["delivery"],
        organiser_kind=data["organiser"]["kind"],
        organiser_agencies=codes,
        location=data.get("location", ""),
        created_by=actor["username"],
    )
    tx.session.add(row)
    tx.emit(
        sessions_contract.SESSION_SCHEDULED,
        {
            "session_id": row.session_id,
            "course_id": course.course_id,
            "category_code": course.category_code,
            "kind": course.kind,
            "held_on": row.held_on,
            "ends_on": row.ends_on,
            "hours": row.hours,
            "delivery": row.delivery,
            "organiser_kind": row.organiser_kind,
            "organiser_agencies": codes,
        },
        subject=row.session_id,
    )
    return view(row, course)


def record_activity(tx, actor: dict, data: dict, settings: Settings) -> dict:
    """A drill or skills contest: a course of that kind and its one session, in one transaction."""
    course = create_course(
        tx,
        actor,
        {
            "title": data["title"],
            "category_code": data["category_code"],
            "kind": data["kind"],
            "required": False,
            "counts_hours": data["counts_hours"],
        },
    )
    return create_session(
        tx,
        actor,
        {
            "course_id": course["course_id"],
            "held_on": data["held_on"],
            "ends_on": data.get("ends_on"),
            "hours": data["hours"],
            "delivery": data["delivery"],
            "organiser": data["organiser"],
            "location": data.get("location", ""),
        },
        settings,
    )


def read_session(session, session_id: str) -> dict:
    row = get_or_404(session, m.Session, session_id, "session")
    return view(row, session.get(m.Course, row.course_id))


def list_sessions(session, query: dict) -> dict:
    stmt = select(m.Session, m.Course).join(m.Course, m.Course.course_id == m.Session.course_id)
    if query.get("course_id"):
        stmt = stmt.where(m.Session.course_id == query["course_id"])
    if query.get("date_from"):
        stmt = stmt.where(m.Session.held_on >= query["date_from"])
    if query.get("date_to"):
        stmt = stmt.where(m.Session.held_on <= query["date_to"])
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    rows = session.execute(
        stmt.order_by(m.Session.held_on.desc(), m.Session.session_id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return {"items": [view(s, c) for s, c in rows], "total": total, "page": page, "per_page": per_page}
