"""Sessions of a course, and activities (a drill or contest with its one session).

Issue 13: a session of a required course (the bureau's decision) is organised by the bureau only; a joint session's
co-organisers (``session_partners``) confirm before they are organisers in earnest — until then their officers'
attendance is refused unless the session is open to them, and a refusal takes the agency off the organisers; whose
officers may attend is the organisers', those of ``open_to`` agencies, or every agency's (``open_county_wide``,
always so for the bureau's sessions): see ``attendance_problem``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from enforcement_contracts.errors import Conflict, Forbidden, ValidationFailed
from enforcement_contracts.training import sessions as sessions_contract
from enforcement_kernel import access

from .. import models as m
from .. import rules
from ..settings import Settings
from .common import columns, get_or_404, known, new_id
from .courses import create_course
from .directory import guided_townships
from .guidance import require_organise

PENDING, CONFIRMED, REFUSED = "pending", "confirmed", "refused"


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


def _partners(session, session_ids: list[str]) -> dict[str, list[m.SessionPartner]]:
    out: dict[str, list[m.SessionPartner]] = {sid: [] for sid in session_ids}
    if session_ids:
        P = m.SessionPartner
        rows = session.execute(select(P).where(P.session_id.in_(session_ids)).order_by(P.agency_code)).scalars()
        for row in rows:
            out[row.session_id].append(row)
    return out


def pending_partners(session, session_ids) -> dict[str, set[str]]:
    """For a bulk check (the import): each session's co-organisers that have not confirmed yet."""
    return {
        sid: {p.agency_code for p in rows if p.state == PENDING}
        for sid, rows in _partners(session, sorted(set(session_ids))).items()
    }


def view(s: m.Session, c: m.Course, partners: list[m.SessionPartner] | None = None) -> dict:
    """A session as the ``Session`` contract shows it (with its course's title, category, kind, co-organisers)."""
    organiser = {"kind": s.organiser_kind, "agency_codes": list(s.organiser_agencies or [])}
    partners = partners or []
    shown = [{"agency_code": p.agency_code, "state": p.state, "decided_on": p.decided_on} for p in partners]
    joint_state = None
    if s.organiser_kind == "joint":
        joint_state = PENDING if any(p.state == PENDING for p in partners) else CONFIRMED
    return sessions_contract.Session().dump(
        columns(
            c,
            s,
            course_title=c.title,
            organiser=organiser,
            open_to=list(s.open_to or []),
            partners=shown,
            joint_state=joint_state,
        )
    )


def attendance_problem(s: m.Session, agency_code: str, pending: set[str]) -> str | None:
    """Why an officer of ``agency_code`` may not attend session ``s`` (None: they may). ``pending``: its co-organisers
    that have not confirmed yet."""
    if s.organiser_kind == "bureau" or s.open_county_wide or agency_code in (s.open_to or []):
        return None
    if agency_code in (s.organiser_agencies or []):
        if agency_code in pending:
            return "the co-organiser has not confirmed the joint session yet"
        return None
    return "the session is not open to the officer's agency"


def require_open(session, s: m.Session, agency_code: str) -> None:
    """Attendance in another agency's session needs the session open to the officer's agency (409 naming
    ``session_id``)."""
    problem = attendance_problem(s, agency_code, pending_partners(session, [s.session_id])[s.session_id])
    if problem:
        raise Conflict(problem, {"session_id": [problem]})


def _partner_codes(session, actor: dict, kind: str, codes: list[str]) -> list[str]:
    """The co-organisers that must confirm a joint session: every agency but the one the caller acts for (its own, or
    the first named), leaving out townships the caller's agency guides (their training is its to organise); none for
    the bureau, which organises for every agency."""
    if kind != "joint" or access.sees_all(actor):
        return []
    own = actor.get("agency_code")
    lead = own if own in codes else codes[0]
    guided = guided_townships(session, own) if actor.get("role") == "agency_admin" else {}
    return [c for c in codes if c != lead and not access.guides(actor, c, guided)]


def _check_open_to(session, data: dict) -> list[str]:
    codes = list(dict.fromkeys(data.get("open_to") or []))
    known_codes = set(session.execute(select(m.Agency.code).where(m.Agency.code.in_(codes))).scalars())
    unknown = [c for c in codes if c not in known_codes]
    if unknown:
        raise ValidationFailed(
            f"unknown agency {', '.join(unknown)}", {"open_to": [f"unknown agency {', '.join(unknown)}"]}
        )
    return codes


def create_session(tx, actor: dict, data: dict, settings: Settings) -> dict:
    codes = _check_organiser(tx.session, actor, data["organiser"])  # who may, before what is wrong with it
    course = known(tx.session, m.Course, data["course_id"], "course_id", "course")
    if course.required and data["organiser"]["kind"] != "bureau":
        # what every officer must attend is the bureau's to organise (as it is the bureau's to require)
        raise Conflict(
            "a session of a required course is organised by the bureau",
            {"organiser": {"kind": ["a required course's sessions are the bureau's"]}},
        )
    open_to = _check_open_to(tx.session, data)
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
        open_to=open_to,
        open_county_wide=data["organiser"]["kind"] == "bureau" or bool(data.get("open_county_wide")),
        created_by=actor["username"],
    )
    tx.session.add(row)
    partners = [
        m.SessionPartner(session_id=row.session_id, agency_code=code, state=PENDING)
        for code in _partner_codes(tx.session, actor, data["organiser"]["kind"], codes)
    ]
    tx.session.add_all(partners)
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
            "pending_partners": [p.agency_code for p in partners],
            "open_to": open_to,
            "open_county_wide": row.open_county_wide,
        },
        subject=row.session_id,
    )
    return view(row, course, partners)


def decide_partnership(tx, actor: dict, session_id: str, data: dict, today: date) -> dict:
    """The co-organiser's admin confirms its agency's part in a joint session, or refuses it: then the agency is no
    longer an organiser (and a session left with one is that agency's own)."""
    session = tx.session
    s = get_or_404(session, m.Session, session_id, "session")
    if actor.get("role") != "agency_admin":
        raise Forbidden("only the co-organiser's administrator confirms its part in a joint session")
    code = actor.get("agency_code")
    partner = session.get(m.SessionPartner, (s.session_id, code)) if code else None
    if partner is None:
        raise Conflict(
            "your agency is not a co-organiser of this session", {"session_id": ["not a co-organiser of this session"]}
        )
    if partner.state != PENDING:
        raise Conflict("the co-organiser has already decided", {"decision": ["already decided"]})
    partner.state, partner.decided_by, partner.decided_on = data["decision"], actor["username"], today
    if data["decision"] == REFUSED:
        remaining = [c for c in (s.organiser_agencies or []) if c != code]
        s.organiser_agencies = remaining
        if len(remaining) < 2:
            s.organiser_kind = "agency"
    tx.emit(
        sessions_contract.SESSION_PARTNER_DECIDED,
        {
            "session_id": s.session_id,
            "agency_code": code,
            "decision": data["decision"],
            "decided_on": today,
            "organiser_kind": s.organiser_kind,
            "organiser_agencies": list(s.organiser_agencies or []),
        },
        subject=s.session_id,
    )
    session.flush()
    return view(s, session.get(m.Course, s.course_id), _partners(session, [s.session_id])[s.session_id])


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
            "open_to": data.get("open_to") or [],
            "open_county_wide": bool(data.get("open_county_wide")),
        },
        settings,
    )


def read_session(session, session_id: str) -> dict:
    row = get_or_404(session, m.Session, session_id, "session")
    return view(row, session.get(m.Course, row.course_id), _partners(session, [row.session_id])[row.session_id])


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
    partners = _partners(session, [s.session_id for s, _ in rows])
    items = [view(s, c, partners[s.session_id]) for s, c in rows]
    return {"items": items, "total": total, "total_exact": True, "page": page, "per_page": per_page, "next": None}
