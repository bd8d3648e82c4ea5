"""The training service's use cases: database work around the pure rules in ``rules.py``.

Each function takes a kernel ``Tx`` (or a read session), the service settings and the caller's
actor, and returns contract-shaped dicts. Entry points in ``service.py`` only route to these; the
import command-line tool calls ``import_attendance`` directly.

Yearly compliance is aggregated by the database (``aggregate``: one GROUP BY over attendance,
sessions and courses); Python only applies the rules to the per-officer totals.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, distinct, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from enforcement_contracts import training as contract
from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement_kernel import access
from enforcement_kernel.config import setting
from enforcement_kernel.db import utcnow

from . import metrics, rules, spreadsheets
from . import models as m

SERVICE = contract.SERVICE
CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True)
class Settings:
    policy: rules.Policy
    pass_mark: float
    max_score: float
    import_max_rows: int
    max_reported_problems: int

    @classmethod
    def from_config(cls, config: dict) -> Settings:
        t = lambda key, default: setting(config, f"TRAINING.{key}", default)  # noqa: E731
        deadline = t("rotation_deadline", "2024-06-30")
        if deadline and not isinstance(deadline, date):
            deadline = date.fromisoformat(str(deadline))
        hours = t("yearly_hours", {"public_law": 30, "professional": 30}) or {}
        return cls(
            policy=rules.Policy(
                yearly_hours={str(k): float(v) for k, v in hours.items()},
                rotation_deadline=deadline or None,
                hours_step=float(t("hours_step", 0.5)),
                max_hours_per_day=float(t("max_hours_per_day", 12)),
            ),
            pass_mark=float(t("exam_pass_mark", 60)),
            max_score=float(t("exam_max_score", 100)),
            import_max_rows=int(t("import_max_rows", 200000)),
            max_reported_problems=int(t("import_max_reported_problems", 1000)),
        )


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _new_id() -> str:
    return uuid.uuid4().hex


# --- read models of the personnel service ----------------------------------------------------
def apply_agency_registered(tx, data: dict) -> None:
    agency = tx.session.get(m.Agency, data["code"])
    if agency is None:
        tx.session.add(m.Agency(code=data["code"], name=data["name"], kind=data["kind"]))
    else:
        agency.name, agency.kind = data["name"], data["kind"]


def apply_officer_registered(tx, data: dict) -> None:
    officer = tx.session.get(m.Officer, data["officer_id"])
    if officer is None:
        tx.session.add(
            m.Officer(
                officer_id=data["officer_id"], agency_code=data["agency_code"], name=data["name"], status="active"
            )
        )
    else:  # the departure may have arrived first: keep its status
        officer.agency_code, officer.name = data["agency_code"], data["name"]


def apply_officer_updated(tx, data: dict) -> None:
    officer = tx.session.get(m.Officer, data["officer_id"])
    if officer is not None:
        officer.agency_code = data["agency_code"]
        if data.get("name"):  # older events carry no values: the directory sync fills the name in
            officer.name = data["name"]


def apply_officer_departed(tx, data: dict) -> None:
    officer = tx.session.get(m.Officer, data["officer_id"])
    if officer is None:
        officer = m.Officer(officer_id=data["officer_id"], agency_code=data["agency_code"], name="")
        tx.session.add(officer)
    officer.status, officer.departed_on = "departed", data["departed_on"]


def sync_directory(tx, agencies: list[dict], officers: list[dict]) -> int:
    """Backstop for events this service never got (published before its queues existed, or to another
    subscriber only): personnel's current lists. A departure is final, so nothing here makes a departed
    officer active again. Returns how many officers were added or changed."""
    for agency in agencies:
        apply_agency_registered(tx, agency)
    known = {o.officer_id: o for o in tx.session.execute(select(m.Officer)).scalars()}
    changed = 0
    for data in officers:
        officer = known.get(data["officer_id"])
        if officer is None:
            officer = m.Officer(
                officer_id=data["officer_id"], agency_code=data["agency_code"], name=data["name"], status="active"
            )
            tx.session.add(officer)
            changed += 1
        elif (officer.agency_code, officer.name) != (data["agency_code"], data["name"]):
            officer.agency_code, officer.name = data["agency_code"], data["name"]
            changed += 1
        if data.get("status") == "departed" and officer.status != "departed":
            officer.status = "departed"
            officer.departed_on = date.fromisoformat(data["departed_on"]) if data.get("departed_on") else None
            changed += 1
    return changed


# --- lookups ---------------------------------------------------------------------------------
def known_officer(session, officer_id, field: str = "officer_id") -> m.Officer:
    """An officer named in a request body; an unknown one is a bad field of that request."""
    officer = session.get(m.Officer, officer_id) if isinstance(officer_id, str) else None
    if officer is None:
        raise ValidationFailed(f"unknown officer {officer_id}", {field: [f"unknown officer {officer_id}"]})
    return officer


def get_officer(session, officer_id) -> m.Officer:
    """An officer named in the path: unknown is 404."""
    officer = session.get(m.Officer, officer_id) if isinstance(officer_id, str) else None
    if officer is None:
        raise NotFound(f"officer {officer_id} not known to the training service")
    return officer


def _known(session, model, key, field: str, what: str):
    row = session.get(model, key) if isinstance(key, str) else None
    if row is None:
        raise ValidationFailed(f"unknown {what} {key}", {field: [f"unknown {what} {key}"]})
    return row


def _get(session, model, key, what: str):
    row = session.get(model, key) if isinstance(key, str) else None
    if row is None:
        raise NotFound(f"{what} {key} not found")
    return row


def _dialect_insert(session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


# --- categories ------------------------------------------------------------------------------
def category_dict(c: m.Category, settings: Settings) -> dict:
    return {"code": c.code, "name": c.name, "yearly_minimum_hours": settings.policy.yearly_hours.get(c.code)}


def list_categories(session, settings: Settings) -> list[dict]:
    return [category_dict(c, settings) for c in session.execute(select(m.Category).order_by(m.Category.code)).scalars()]


def create_category(tx, actor: dict, data: dict, settings: Settings) -> dict:
    access.require_bureau(actor)
    if tx.session.get(m.Category, data["code"]) is not None:
        raise Conflict(f"category {data['code']} already exists", {"code": ["already exists"]})
    if tx.session.execute(select(m.Category.code).where(m.Category.name == data["name"])).first():
        raise Conflict(f"a category named {data['name']} already exists", {"name": ["already exists"]})
    category = m.Category(code=data["code"], name=data["name"])
    tx.session.add(category)
    tx.emit(contract.CATEGORY_CREATED, {"code": category.code, "name": category.name}, subject=category.code)
    return category_dict(category, settings)


# --- courses, sessions, activities -------------------------------------------------------------
def course_dict(c: m.Course) -> dict:
    return {
        "course_id": c.course_id,
        "title": c.title,
        "category_code": c.category_code,
        "kind": c.kind,
        "required": c.required,
        "counts_hours": c.counts_hours,
        "description": c.description,
    }


def create_course(tx, actor: dict, data: dict, course_id: str | None = None) -> dict:
    access.require_write(actor, actor.get("agency_code") or "")  # admins only; which agency is checked per session
    if data.get("required"):
        access.require_bureau(actor)  # what every officer must attend is the bureau's decision
    _known(tx.session, m.Category, data["category_code"], "category_code", "category")
    course = m.Course(
        course_id=course_id or _new_id(),
        title=data["title"],
        category_code=data["category_code"],
        kind=data.get("kind", "training"),
        required=bool(data.get("required")),
        counts_hours=data.get("counts_hours", True),
        description=data.get("description", ""),
        created_by=actor["username"],
    )
    tx.session.add(course)
    tx.emit(
        contract.COURSE_CREATED,
        {k: v for k, v in course_dict(course).items() if k != "description"},
        subject=course.course_id,
    )
    return course_dict(course)


def list_courses(session, query: dict) -> list[dict]:
    stmt = select(m.Course).order_by(m.Course.title, m.Course.course_id)
    for key in ("category_code", "kind", "required"):
        if query.get(key) is not None:
            stmt = stmt.where(getattr(m.Course, key) == query[key])
    return [course_dict(c) for c in session.execute(stmt).scalars()]


def read_course(session, course_id: str) -> dict:
    return course_dict(_get(session, m.Course, course_id, "course"))


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
    if not access.sees_all(actor) and actor.get("agency_code") not in codes:
        access.require_write(actor, codes[0])  # an agency organises (or co-organises) only its own sessions
    return codes


def session_dict(s: m.Session, c: m.Course) -> dict:
    return {
        "session_id": s.session_id,
        "course_id": s.course_id,
        "course_title": c.title,
        "category_code": c.category_code,
        "kind": c.kind,
        "required": c.required,
        "held_on": s.held_on.isoformat(),
        "ends_on": s.ends_on.isoformat(),
        "hours": s.hours,
        "delivery": s.delivery,
        "location": s.location,
        "organiser": {"kind": s.organiser_kind, "agency_codes": list(s.organiser_agencies or [])},
    }


def create_session(tx, actor: dict, data: dict, settings: Settings) -> dict:
    codes = _check_organiser(tx.session, actor, data["organiser"])  # who may, before what is wrong with it
    course = _known(tx.session, m.Course, data["course_id"], "course_id", "course")
    ends_on = data.get("ends_on") or data["held_on"]
    problems = rules.session_problems(data["held_on"], ends_on, data["hours"], settings.policy)
    if problems:
        raise ValidationFailed(
            "invalid session: " + "; ".join(f"{k} {v}" for k, v in problems.items()),
            {k: [v] for k, v in problems.items()},
        )
    row = m.Session(
        session_id=_new_id(),
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
        contract.SESSION_SCHEDULED,
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
    return session_dict(row, course)


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
    row = _get(session, m.Session, session_id, "session")
    return session_dict(row, session.get(m.Course, row.course_id))


def list_sessions(session, query: dict) -> dict:
    stmt = select(m.Session, m.Course).join(m.Course, m.Course.course_id == m.Session.course_id)
    if query.get("course_id"):
        stmt = stmt.where(m.Session.course_id == query["course_id"])
    if query.get("since"):
        stmt = stmt.where(m.Session.held_on >= query["since"])
    if query.get("until"):
        stmt = stmt.where(m.Session.held_on <= query["until"])
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    rows = session.execute(
        stmt.order_by(m.Session.held_on.desc(), m.Session.session_id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return {"items": [session_dict(s, c) for s, c in rows], "total": total, "page": page, "per_page": per_page}


# --- attendance ------------------------------------------------------------------------------
def _iso(value) -> str:
    return value.isoformat() if isinstance(value, (date, datetime)) else str(value)


def attendance_dict(session, a: m.Attendance, officer: m.Officer, with_history: bool = False) -> dict:
    s = session.get(m.Session, a.session_id)
    c = session.get(m.Course, s.course_id)
    out = {
        "attendance_id": a.attendance_id,
        "officer_id": a.officer_id,
        "agency_code": officer.agency_code,
        "session_id": a.session_id,
        "course_id": c.course_id,
        "course_title": c.title,
        "category_code": c.category_code,
        "hours": a.hours,
        "attended_on": a.attended_on.isoformat(),
        "version": a.version,
        "note": a.note,
        "recorded_by": a.recorded_by,
    }
    if with_history:
        versions = session.execute(
            select(m.AttendanceVersion)
            .where(m.AttendanceVersion.attendance_id == a.attendance_id)
            .order_by(m.AttendanceVersion.version)
        ).scalars()
        out["history"] = [
            {
                "version": v.version,
                "hours": v.hours,
                "attended_on": v.attended_on.isoformat(),
                "note": v.note,
                "recorded_by": v.recorded_by,
                "recorded_at": v.recorded_at.isoformat() + "Z",
            }
            for v in versions
        ]
    return out


def _attendance_fields(problems: dict[str, str]) -> ValidationFailed:
    return ValidationFailed(
        "invalid attendance: " + "; ".join(f"{k} {v}" for k, v in problems.items()),
        {k: [v] for k, v in problems.items()},
    )


def record_attendance(tx, actor: dict, data: dict, settings: Settings, today: date) -> dict:
    officer = known_officer(tx.session, data["officer_id"])
    access.require_write(actor, officer.agency_code)
    s = _known(tx.session, m.Session, data["session_id"], "session_id", "session")
    attended_on = data.get("attended_on") or s.held_on
    problems = rules.attendance_problems(
        hours=data["hours"],
        attended_on=attended_on,
        session_hours=s.hours,
        held_on=s.held_on,
        ends_on=s.ends_on,
        today=today,
        step=settings.policy.hours_step,
        departed_on=officer.departed_on,
    )
    if problems:
        raise _attendance_fields(problems)
    duplicate = select(m.Attendance.attendance_id).where(
        m.Attendance.officer_id == officer.officer_id, m.Attendance.session_id == s.session_id
    )
    if tx.session.execute(duplicate).first():
        raise Conflict(
            "this officer's attendance at this session is already recorded; correct it instead",
            {"session_id": ["already recorded for this officer"]},
        )
    now = utcnow()
    row = m.Attendance(
        attendance_id=_new_id(),
        officer_id=officer.officer_id,
        session_id=s.session_id,
        attended_on=attended_on,
        hours=data["hours"],
        version=1,
        note=data.get("note", ""),
        recorded_by=actor["username"],
        created_at=now,
        updated_at=now,
    )
    tx.session.add(row)
    try:
        tx.session.flush()
    except IntegrityError:  # a concurrent request recorded the same pair first
        raise Conflict(
            "this officer's attendance at this session is already recorded; correct it instead",
            {"session_id": ["already recorded for this officer"]},
        ) from None
    course = tx.session.get(m.Course, s.course_id)
    tx.emit(
        contract.ATTENDANCE_RECORDED,
        {
            "attendance_id": row.attendance_id,
            "officer_id": officer.officer_id,
            "agency_code": officer.agency_code,
            "session_id": s.session_id,
            "course_id": course.course_id,
            "category_code": course.category_code,
            "hours": row.hours,
            "counts_hours": course.counts_hours,
            "attended_on": attended_on,
        },
        subject=officer.officer_id,
    )
    # counted only once committed: a rolled-back change must not count
    tx.on_commit.append(lambda: metrics.count_hours(SERVICE, officer.agency_code, course.category_code, row.hours))
    refresh_officer_years(tx, {(officer.officer_id, attended_on.year)}, settings, today)
    return attendance_dict(tx.session, row, officer)


def correct_attendance(tx, actor: dict, attendance_id: str, data: dict, settings: Settings, today: date) -> dict:
    if "hours" not in data and "attended_on" not in data:
        raise ValidationFailed("nothing to correct", {"_schema": ["give hours, attended_on or both"]})
    row = tx.session.get(m.Attendance, attendance_id, with_for_update=True) if isinstance(attendance_id, str) else None
    if row is None:
        raise NotFound(f"attendance {attendance_id} not found")
    officer = tx.session.get(m.Officer, row.officer_id)
    access.require_write(actor, officer.agency_code)
    s = tx.session.get(m.Session, row.session_id)
    hours, attended_on = data.get("hours", row.hours), data.get("attended_on", row.attended_on)
    if hours == row.hours and attended_on == row.attended_on:
        raise ValidationFailed("the correction changes nothing", {"hours": ["same as the current value"]})
    problems = rules.attendance_problems(
        hours=hours,
        attended_on=attended_on,
        session_hours=s.hours,
        held_on=s.held_on,
        ends_on=s.ends_on,
        today=today,
        step=settings.policy.hours_step,
        departed_on=officer.departed_on,
    )
    if problems:
        raise _attendance_fields(problems)
    # keep the superseded version; the row holds the current one
    tx.session.add(
        m.AttendanceVersion(
            attendance_id=row.attendance_id,
            version=row.version,
            hours=row.hours,
            attended_on=row.attended_on,
            note=row.note,
            recorded_by=row.recorded_by,
            recorded_at=row.updated_at,
        )
    )
    old_hours, old_date = row.hours, row.attended_on
    row.hours, row.attended_on, row.version = hours, attended_on, row.version + 1
    row.note, row.recorded_by, row.updated_at = data["reason"], actor["username"], utcnow()
    course = tx.session.get(m.Course, s.course_id)
    tx.emit(
        contract.ATTENDANCE_CORRECTED,
        {
            "attendance_id": row.attendance_id,
            "officer_id": officer.officer_id,
            "agency_code": officer.agency_code,
            "session_id": s.session_id,
            "category_code": course.category_code,
            "version": row.version,
            "old_hours": old_hours,
            "hours": hours,
            "old_attended_on": old_date,
            "attended_on": attended_on,
            "reason": data["reason"],
        },
        subject=officer.officer_id,
    )
    refresh_officer_years(
        tx, {(officer.officer_id, old_date.year), (officer.officer_id, attended_on.year)}, settings, today
    )
    return attendance_dict(tx.session, row, officer, with_history=True)


def read_attendance(session, actor: dict, attendance_id: str) -> dict:
    row = _get(session, m.Attendance, attendance_id, "attendance")
    officer = session.get(m.Officer, row.officer_id)
    access.require_read(actor, officer.agency_code, officer.officer_id)
    return attendance_dict(session, row, officer, with_history=True)


def officer_attendance(session, actor: dict, officer_id: str, year: int) -> list[dict]:
    officer = get_officer(session, officer_id)
    access.require_read(actor, officer.agency_code, officer_id)
    start, end = rules.year_bounds(year)
    rows = session.execute(
        select(m.Attendance)
        .where(m.Attendance.officer_id == officer_id, m.Attendance.attended_on.between(start, end))
        .order_by(m.Attendance.attended_on, m.Attendance.attendance_id)
    ).scalars()
    return [attendance_dict(session, a, officer) for a in rows]


# --- yearly compliance (aggregated by the database) -------------------------------------------
def aggregate(
    session, year: int, settings: Settings, *, officer_ids: Iterable[str] | None = None, agency_code: str | None = None
) -> list[rules.Compliance]:
    """Per-officer compliance for ``year``: one GROUP BY in the database, the rules applied to its totals.

    With ``officer_ids`` those officers (whatever their status); otherwise every officer in post at
    the year's end (active, or left after it), optionally of one agency.
    """
    start, end = rules.year_bounds(year)
    A, S, C, O = m.Attendance, m.Session, m.Course, m.Officer
    categories = list(session.execute(select(m.Category.code).order_by(m.Category.code)).scalars())
    credited = case((C.counts_hours.is_(True), A.hours), else_=literal(0.0))
    columns = [
        func.coalesce(func.sum(case((C.category_code == code, credited), else_=literal(0.0))), 0.0).label(f"h{i}")
        for i, code in enumerate(categories)
    ]
    required_done = func.count(distinct(case((C.required.is_(True), C.course_id)))).label("required_done")
    deadline = settings.policy.rotation_deadline
    if rules.rotation_due(year, deadline):
        A2, S2, C2 = aliased(m.Attendance), aliased(m.Session), aliased(m.Course)
        trained = (
            select(A2.attendance_id)
            .join(S2, S2.session_id == A2.session_id)
            .join(C2, C2.course_id == S2.course_id)
            .where(A2.officer_id == O.officer_id, A2.attended_on <= deadline, C2.kind == "training")
            .exists()
        )
        rotated = case((trained, 1), else_=0).label("rotated")
    else:
        rotated = literal(0).label("rotated")
    stmt = (
        select(O.officer_id, O.agency_code, O.name, required_done, rotated, *columns)
        .select_from(O)
        .outerjoin(A, and_(A.officer_id == O.officer_id, A.attended_on >= start, A.attended_on <= end))
        .outerjoin(S, S.session_id == A.session_id)
        .outerjoin(C, C.course_id == S.course_id)
        .group_by(O.officer_id, O.agency_code, O.name)
        .order_by(O.agency_code, O.name, O.officer_id)
    )
    if officer_ids is not None:
        stmt = stmt.where(O.officer_id.in_(list(officer_ids)))
    else:
        stmt = stmt.where(or_(O.status == "active", O.departed_on > end))
    if agency_code:
        stmt = stmt.where(O.agency_code == agency_code)
    required_total = session.execute(select(func.count()).select_from(C).where(C.required.is_(True))).scalar_one()
    results = []
    for row in session.execute(stmt):
        totals = rules.YearTotals(
            officer_id=row.officer_id,
            agency_code=row.agency_code,
            year=year,
            name=row.name,
            hours_by_category={code: float(row._mapping[f"h{i}"]) for i, code in enumerate(categories)},
            required_done=int(row.required_done),
            required_total=int(required_total),
            trained_by_deadline=bool(row.rotated),
        )
        results.append(rules.evaluate(totals, settings.policy))
    return results


def refresh_officer_years(tx, keys: set[tuple[str, int]], settings: Settings, today: date) -> list[rules.Compliance]:
    """After attendance changed: bump each officer-year's revision, publish its snapshot, announce first compliance."""
    if not keys:
        return []
    session = tx.session
    ordered = sorted(keys)  # a fixed lock order, so concurrent writers do not deadlock
    Y = m.OfficerYear
    upsert = _dialect_insert(session)(Y.__table__).on_conflict_do_update(
        index_elements=["officer_id", "year"], set_={"revision": Y.__table__.c.revision + 1}
    )
    session.execute(upsert, [{"officer_id": o, "year": y, "revision": 1} for o, y in ordered])
    by_year: dict[int, list[str]] = defaultdict(list)
    for officer_id, year in ordered:
        by_year[year].append(officer_id)
    results = []
    for year, officer_ids in sorted(by_year.items()):
        for chunk in _chunks(officer_ids):
            state = {
                r.officer_id: r
                for r in session.execute(select(Y).where(Y.year == year, Y.officer_id.in_(chunk))).scalars()
            }
            for c in aggregate(session, year, settings, officer_ids=chunk):
                row = state[c.officer_id]
                tx.emit(
                    contract.HOURS_UPDATED,
                    {
                        "officer_id": c.officer_id,
                        "agency_code": c.agency_code,
                        "year": year,
                        "revision": row.revision,
                        "hours_by_category": c.hours_by_category,
                        "required_courses_done": c.required_courses_done,
                    },
                    subject=c.officer_id,
                )
                if c.compliant and row.compliance_reached_on is None:
                    row.compliance_reached_on = today
                    tx.emit(
                        contract.COMPLIANCE_REACHED,
                        {
                            "officer_id": c.officer_id,
                            "agency_code": c.agency_code,
                            "year": year,
                            "hours_by_category": c.hours_by_category,
                            "reached_on": today,
                        },
                        subject=c.officer_id,
                    )
                results.append(c)
    return results


def officer_compliance(session, actor: dict, officer_id: str, year: int, settings: Settings) -> dict:
    officer = get_officer(session, officer_id)
    access.require_read(actor, officer.agency_code, officer_id)
    [result] = aggregate(session, year, settings, officer_ids=[officer_id])
    return result.as_dict()


def compliance_table(session, actor: dict, query: dict, settings: Settings, today: date) -> dict:
    if actor.get("role") == "officer":
        raise Forbidden("an officer reads their own compliance, not the agency's table")
    year = query.get("year") or today.year
    results = aggregate(session, year, settings, agency_code=access.query_agency(actor, query.get("agency_code")))
    if query.get("compliant") is not None:
        results = [r for r in results if r.compliant == query["compliant"]]
    page, per_page = query.get("page", 1), query.get("per_page", 100)
    items = results[(page - 1) * per_page : page * per_page]
    return {
        "year": year,
        "items": [r.as_dict() for r in items],
        "total": len(results),
        "page": page,
        "per_page": per_page,
    }


def compliance_summary(session, actor: dict, year: int, settings: Settings) -> tuple[dict, dict[str, rules.Rollup]]:
    """The county and per-agency roll-ups; also returns the agency roll-ups for the gauges."""
    agency_code = access.query_agency(actor, None)
    results = aggregate(session, year, settings, agency_code=agency_code)
    county, agencies = rules.rollup(results, settings.policy.yearly_hours)
    names = dict(session.execute(select(m.Agency.code, m.Agency.name)).all())
    county_row = county.as_dict() | {"agency_code": agency_code or "county", "agency_name": names.get(agency_code)}
    return (
        {
            "year": year,
            "thresholds": dict(settings.policy.yearly_hours),
            "county": county_row,
            "agencies": [r.as_dict() | {"agency_name": names.get(code)} for code, r in agencies.items()],
        },
        agencies,
    )


COMPLIANCE_HEADERS = ("人员编号 officer_id", "姓名 name", "执法机关 agency", "年度 year")


def export_compliance(session, actor: dict, query: dict, settings: Settings, today: date) -> dict:
    """An agency's compliance table as an .xlsx file (base64: the RPC wire carries JSON only)."""
    year = query.get("year") or today.year
    agency_code = access.query_agency(actor, query.get("agency_code"))
    if not agency_code:
        raise ValidationFailed("name the agency to export", {"agency_code": ["required"]})
    results = aggregate(session, year, settings, agency_code=agency_code)
    categories = dict(session.execute(select(m.Category.code, m.Category.name).order_by(m.Category.code)).all())
    agency = session.get(m.Agency, agency_code)
    headers = [
        *COMPLIANCE_HEADERS,
        *(f"{name} {code} (h)" for code, name in categories.items()),
        *(f"差 short {code} (h)" for code in settings.policy.yearly_hours),
        "必修课 required courses done",
        "轮训 rotation done",
        "达标 compliant",
        "原因 reasons",
    ]

    def rows():
        for r in results:
            yield [
                r.officer_id,
                r.name,
                agency.name if agency else r.agency_code,
                r.year,
                *(r.hours_by_category.get(code, 0.0) for code in categories),
                *(r.shortfall_by_category[code] for code in settings.policy.yearly_hours),
                "是" if r.required_courses_done else "否",
                "" if r.rotation_done is None else ("是" if r.rotation_done else "否"),
                "是" if r.compliant else "否",
                "; ".join(r.reasons),
            ]

    content = spreadsheets.write_table(f"{year} 培训达标", headers, rows())
    return {
        "filename": f"training-compliance-{year}-{agency_code}.xlsx",
        "media_type": contract.XLSX_MEDIA_TYPE,
        "rows": len(results),
        "content_base64": base64.b64encode(content).decode(),
    }


def close_year(tx, actor: dict, year: int, settings: Settings, today: date) -> dict:
    """Announce, once per officer-year, every officer in post who fell short of the year's requirements."""
    access.require_bureau(actor)
    if year >= today.year:
        raise Conflict(f"{year} has not ended yet", {"year": ["must be a past year"]})
    results = aggregate(tx.session, year, settings)
    short = [r for r in results if not r.compliant]
    Y = m.OfficerYear
    if short:
        ensure = _dialect_insert(tx.session)(Y.__table__).on_conflict_do_nothing(index_elements=["officer_id", "year"])
        tx.session.execute(ensure, [{"officer_id": r.officer_id, "year": year, "revision": 0} for r in short])
    announced = 0
    for r in short:
        # the conditional update is the once-only guard, also against a concurrent close of the same year
        marked = tx.session.execute(
            update(Y)
            .where(Y.officer_id == r.officer_id, Y.year == year, Y.short_announced_on.is_(None))
            .values(short_announced_on=today)
        )
        if marked.rowcount == 1:
            announced += 1
            tx.emit(
                contract.OFFICER_SHORT_AT_YEAR_END,
                {
                    "officer_id": r.officer_id,
                    "agency_code": r.agency_code,
                    "year": year,
                    "hours_by_category": r.hours_by_category,
                    "shortfall_by_category": r.shortfall_by_category,
                    "required_courses_done": r.required_courses_done,
                    "rotation_done": r.rotation_done,
                    "reasons": r.reasons,
                },
                subject=r.officer_id,
            )
    return {
        "year": year,
        "officers": len(results),
        "compliant": len(results) - len(short),
        "short": len(short),
        "announced": announced,
    }


# --- bulk import -----------------------------------------------------------------------------
def _lookup(session, stmt, column, ids: list[str]) -> dict:
    """Rows of ``stmt`` whose ``column`` is one of ``ids`` (first selected column is the key), in chunks."""
    found = {}
    for chunk in _chunks(ids):
        for row in session.execute(stmt.where(column.in_(chunk))):
            found[row[0]] = row
    return found


def import_attendance(
    tx,
    actor: dict,
    content: bytes,
    settings: Settings,
    today: date,
    *,
    filename: str = "",
    dry_run: bool = False,
    progress=None,
) -> dict:
    """Import a spreadsheet of attendance: every row is checked first; one bad row and nothing is written.

    A bad file raises ``ValidationFailed`` whose ``fields["rows"]`` lists each problem as
    ``{"row", "column", "reason"}`` (row numbers as the sheet shows them; the header is row 1).
    ``progress(stage, done, total)`` reports reading and writing for a progress bar.
    """
    if not access.sees_all(actor):
        access.require_write(actor, actor.get("agency_code") or "")
    digest = hashlib.sha256(content).hexdigest()
    earlier = (
        tx.session.execute(select(m.AttendanceImport).where(m.AttendanceImport.sha256 == digest)).scalars().first()
    )
    if earlier is not None:
        raise Conflict(
            f"this file was already imported (import {earlier.import_id} on {earlier.created_at:%Y-%m-%d})",
            {"file": ["already imported"]},
        )
    try:
        rows, problems = spreadsheets.read_attendance(
            content, settings.import_max_rows, (lambda done, total: progress("read", done, total)) if progress else None
        )
    except spreadsheets.SpreadsheetError as exc:
        raise ValidationFailed(f"malformed spreadsheet: {exc}", {"file": [str(exc)]}) from None
    if not rows:
        raise ValidationFailed("the spreadsheet has no attendance rows", {"file": ["no rows below the header"]})

    officers = _lookup(
        tx.session,
        select(m.Officer.officer_id, m.Officer.agency_code, m.Officer.departed_on),
        m.Officer.officer_id,
        sorted({r.officer_id for r in rows if r.officer_id}),
    )
    sessions = _lookup(
        tx.session,
        select(
            m.Session.session_id,
            m.Session.held_on,
            m.Session.ends_on,
            m.Session.hours,
            m.Course.category_code,
            m.Course.counts_hours,
        ).join(m.Course, m.Course.course_id == m.Session.course_id),
        m.Session.session_id,
        sorted({r.session_id for r in rows if r.session_id}),
    )
    existing = set()
    for chunk in _chunks(sorted(sessions)):
        existing.update(
            tx.session.execute(
                select(m.Attendance.officer_id, m.Attendance.session_id).where(m.Attendance.session_id.in_(chunk))
            ).tuples()
        )
    scope = None if access.sees_all(actor) else actor.get("agency_code")
    seen: dict[tuple[str, str], int] = {}
    malformed = {(p.row, p.column) for p in problems}
    for r in rows:
        officer, s = officers.get(r.officer_id), sessions.get(r.session_id)
        if r.officer_id and officer is None:
            problems.append(spreadsheets.Problem(r.number, "officer_id", f"unknown officer {r.officer_id}"))
        elif officer is not None and scope is not None and officer.agency_code != scope:
            problems.append(spreadsheets.Problem(r.number, "officer_id", "an officer of another agency"))
        if r.session_id and s is None:
            problems.append(spreadsheets.Problem(r.number, "session_id", f"unknown session {r.session_id}"))
        if officer is not None and s is not None:
            pair = (r.officer_id, r.session_id)
            if pair in seen:
                problems.append(
                    spreadsheets.Problem(r.number, "session_id", f"the same officer and session as row {seen[pair]}")
                )
            elif pair in existing:
                problems.append(
                    spreadsheets.Problem(
                        r.number, "session_id", "already recorded for this officer; correct it instead"
                    )
                )
            seen.setdefault(pair, r.number)
            if r.hours is not None:  # a malformed hours cell is reported already
                found = rules.attendance_problems(
                    hours=r.hours,
                    attended_on=r.attended_on or s.held_on,
                    session_hours=s.hours,
                    held_on=s.held_on,
                    ends_on=s.ends_on,
                    today=today,
                    step=settings.policy.hours_step,
                    departed_on=officer.departed_on,
                )
                for column, reason in found.items():
                    if not (column == "attended_on" and (r.number, "attended_on") in malformed):
                        problems.append(spreadsheets.Problem(r.number, column, reason))
    if problems:
        problems.sort(key=lambda p: (p.row, p.column))
        rows_bad = len({p.row for p in problems})
        shown = problems[: settings.max_reported_problems]
        message = f"{rows_bad} bad row(s) of {len(rows)}, {len(problems)} problem(s); nothing was imported" + (
            f" (the first {len(shown)} are listed)" if len(shown) < len(problems) else ""
        )
        raise ValidationFailed(message, {"file": [message], "rows": [p.as_dict() for p in shown]})
    result = {
        "import_id": None,
        "rows": len(rows),
        "imported": 0,
        "officers": len({r.officer_id for r in rows}),
        "dry_run": dry_run,
    }
    if dry_run:
        return result

    import_id, now = _new_id(), utcnow()
    tx.session.add(
        m.AttendanceImport(
            import_id=import_id,
            sha256=digest,
            filename=filename[:200],
            rows=len(rows),
            recorded_by=actor["username"],
            created_at=now,
        )
    )
    tx.session.flush()
    totals: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0.0, 0.0])
    keys = set()
    values = []
    for r in rows:
        s, officer = sessions[r.session_id], officers[r.officer_id]
        attended_on = r.attended_on or s.held_on
        values.append(
            {
                "attendance_id": _new_id(),
                "officer_id": r.officer_id,
                "session_id": r.session_id,
                "attended_on": attended_on,
                "hours": r.hours,
                "version": 1,
                "note": r.note,
                "recorded_by": actor["username"],
                "import_id": import_id,
                "created_at": now,
                "updated_at": now,
            }
        )
        total = totals[(officer.agency_code, s.category_code)]
        total[0] += 1
        total[1] += r.hours
        total[2] += r.hours if s.counts_hours else 0.0
        keys.add((r.officer_id, attended_on.year))
    for done, chunk in enumerate(_chunks(values, 5000), start=1):
        tx.session.execute(insert(m.Attendance), chunk)
        if progress:
            progress("write", min(done * 5000, len(values)), len(values))
    tx.emit(
        contract.ATTENDANCE_IMPORTED,
        {
            "import_id": import_id,
            "rows": len(rows),
            "officers": result["officers"],
            "totals": [
                {"agency_code": a, "category_code": c, "rows": n, "hours": round(h, 2), "counted_hours": round(ch, 2)}
                for (a, c), (n, h, ch) in sorted(totals.items())
            ],
        },
        subject=import_id,
    )
    for (agency, category), (_, hours, _) in totals.items():
        tx.on_commit.append(lambda a=agency, c=category, h=hours: metrics.count_hours(SERVICE, a, c, h))
    if progress:
        progress("snapshots", 0, len(keys))
    refresh_officer_years(tx, keys, settings, today)
    if progress:
        progress("snapshots", len(keys), len(keys))
    return result | {"import_id": import_id, "imported": len(rows)}


def import_template() -> dict:
    content = spreadsheets.write_table("attendance", spreadsheets.TEMPLATE_HEADERS, [])
    return {
        "filename": "training-attendance-template.xlsx",
        "media_type": contract.XLSX_MEDIA_TYPE,
        "content_base64": base64.b64encode(content).decode(),
    }


# --- exams -----------------------------------------------------------------------------------
def sitting_dict(s: m.ExamSitting) -> dict:
    return {
        "sitting_id": s.sitting_id,
        "exam_kind": s.exam_kind,
        "title": s.title,
        "sat_on": s.sat_on.isoformat(),
        "pass_mark": s.pass_mark,
        "max_score": s.max_score,
    }


def schedule_exam(tx, actor: dict, data: dict, settings: Settings) -> dict:
    access.require_bureau(actor)
    sitting = m.ExamSitting(
        sitting_id=_new_id(),
        exam_kind=data["exam_kind"],
        title=data["title"],
        sat_on=data["sat_on"],
        pass_mark=settings.pass_mark,
        max_score=settings.max_score,
        created_by=actor["username"],
    )
    tx.session.add(sitting)
    tx.emit(
        contract.EXAM_SCHEDULED,
        {
            "sitting_id": sitting.sitting_id,
            "exam_kind": sitting.exam_kind,
            "title": sitting.title,
            "sat_on": sitting.sat_on,
            "pass_mark": sitting.pass_mark,
        },
        subject=sitting.sitting_id,
    )
    return sitting_dict(sitting)


def list_exams(session) -> list[dict]:
    return [
        sitting_dict(s) for s in session.execute(select(m.ExamSitting).order_by(m.ExamSitting.sat_on.desc())).scalars()
    ]


def result_dict(r: m.ExamResult, s: m.ExamSitting) -> dict:
    return {
        "result_id": r.result_id,
        "sitting_id": s.sitting_id,
        "officer_id": r.officer_id,
        "agency_code": r.agency_code,
        "exam_kind": s.exam_kind,
        "sat_on": s.sat_on.isoformat(),
        "score": r.score,
        "pass_mark": s.pass_mark,
        "passed": r.passed,
    }


def record_exam_result(tx, actor: dict, sitting_id: str, data: dict, today: date) -> dict:
    access.require_bureau(actor)
    sitting = _get(tx.session, m.ExamSitting, sitting_id, "exam sitting")
    if sitting.sat_on > today:
        raise Conflict(
            f"the exam takes place on {sitting.sat_on.isoformat()}; no result before it",
            {"sitting_id": ["the exam has not taken place yet"]},
        )
    officer = known_officer(tx.session, data["officer_id"])
    if data["score"] > sitting.max_score:
        raise ValidationFailed(
            f"score above the maximum {sitting.max_score:g}", {"score": [f"at most {sitting.max_score:g}"]}
        )
    if tx.session.execute(
        select(m.ExamResult.result_id).where(
            m.ExamResult.sitting_id == sitting_id, m.ExamResult.officer_id == officer.officer_id
        )
    ).first():
        raise Conflict(
            "this officer's result at this sitting is already recorded", {"officer_id": ["already recorded"]}
        )
    result = m.ExamResult(
        result_id=_new_id(),
        sitting_id=sitting_id,
        officer_id=officer.officer_id,
        agency_code=officer.agency_code,
        score=data["score"],
        passed=rules.exam_passed(data["score"], sitting.pass_mark),
        recorded_by=actor["username"],
    )
    tx.session.add(result)
    try:
        tx.session.flush()
    except IntegrityError:
        raise Conflict(
            "this officer's result at this sitting is already recorded", {"officer_id": ["already recorded"]}
        ) from None
    tx.emit(
        contract.EXAM_PASSED if result.passed else contract.EXAM_FAILED,
        {
            "result_id": result.result_id,
            "officer_id": officer.officer_id,
            "agency_code": officer.agency_code,
            "exam_kind": sitting.exam_kind,
            "score": result.score,
            "pass_mark": sitting.pass_mark,
            "sat_on": sitting.sat_on,
        },
        subject=officer.officer_id,
    )
    return result_dict(result, sitting)


def officer_exam_results(session, actor: dict, officer_id: str) -> list[dict]:
    officer = get_officer(session, officer_id)
    access.require_read(actor, officer.agency_code, officer_id)
    rows = session.execute(
        select(m.ExamResult, m.ExamSitting)
        .join(m.ExamSitting, m.ExamSitting.sitting_id == m.ExamResult.sitting_id)
        .where(m.ExamResult.officer_id == officer_id)
        .order_by(m.ExamSitting.sat_on)
    ).all()
    return [result_dict(r, s) for r, s in rows]


# --- seed ------------------------------------------------------------------------------------
def seed(tx, categories: list[dict], courses: list[dict]) -> tuple[int, int]:
    added_categories = added_courses = 0
    for data in categories:
        if tx.session.get(m.Category, data["code"]) is None:
            tx.session.add(m.Category(**data))
            tx.emit(contract.CATEGORY_CREATED, data, subject=data["code"])
            added_categories += 1
    tx.session.flush()
    for data in courses:
        if tx.session.get(m.Course, data["course_id"]) is None:
            course = m.Course(**data, created_by="seed")
            tx.session.add(course)
            tx.emit(
                contract.COURSE_CREATED,
                {k: v for k, v in course_dict(course).items() if k != "description"},
                subject=course.course_id,
            )
            added_courses += 1
    return added_categories, added_courses
