"""Attendance records: recorded, corrected (earlier versions kept), read."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from enforcement_contracts import common
from enforcement_contracts.errors import Conflict, NotFound, ValidationFailed
from enforcement_contracts.training import attendance as attendance_contract
from enforcement_kernel import access
from enforcement_kernel.db import utcnow

from .. import metrics, rules
from .. import models as m
from ..settings import Settings
from .common import SERVICE, columns, get_officer, get_or_404, known, known_officer, new_id
from .compliance import refresh_officer_years
from .guidance import require_read_officer, require_write_officer
from .sessions import require_open


def view(session, a: m.Attendance, officer: m.Officer, with_history: bool = False) -> dict:
    """An attendance record as the ``Attendance`` contract shows it (with its earlier versions when asked)."""
    return attendance_contract.Attendance().dump(_record(session, a, officer, with_history))


def _record(session, a: m.Attendance, officer: m.Officer, with_history: bool = False) -> dict:
    """An attendance record's fields, undumped (with its earlier versions when asked)."""
    s = session.get(m.Session, a.session_id)
    c = session.get(m.Course, s.course_id)
    record = columns(c, a) | {
        "agency_code": officer.agency_code,
        "officer_name": officer.name,
        "course_title": c.title,
    }
    if with_history:
        versions = session.execute(
            select(m.AttendanceVersion)
            .where(m.AttendanceVersion.attendance_id == a.attendance_id)
            .order_by(m.AttendanceVersion.version)
        ).scalars()
        record["history"] = [columns(v) | {"recorded_at": v.recorded_at.isoformat() + "Z"} for v in versions]
    return record


def _attendance_fields(problems: dict[str, str]) -> ValidationFailed:
    return ValidationFailed(
        "invalid attendance: " + "; ".join(f"{k} {v}" for k, v in problems.items()),
        {k: [v] for k, v in problems.items()},
    )


def _already_recorded() -> Conflict:
    return Conflict(
        "this officer's attendance at this session is already recorded; correct it instead",
        {"session_id": ["already recorded for this officer"]},
    )


def record_attendance(tx, actor: dict, data: dict, settings: Settings, today: date) -> dict:
    officer = known_officer(tx.session, data["officer_id"])
    require_write_officer(tx.session, actor, officer)
    s = known(tx.session, m.Session, data["session_id"], "session_id", "session")
    require_open(tx.session, s, officer.agency_code)  # another agency's session: open to the officer's agency?
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
        raise _already_recorded()
    now = utcnow()
    row = m.Attendance(
        attendance_id=new_id(),
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
        raise _already_recorded() from None
    course = tx.session.get(m.Course, s.course_id)
    _announce_recorded(tx, row, officer, course)
    # counted only once committed: a rolled-back change must not count
    tx.on_commit.append(lambda: metrics.count_hours(SERVICE, officer.agency_code, course.category_code, row.hours))
    refresh_officer_years(tx, {(officer.officer_id, attended_on.year)}, settings, today)
    return view(tx.session, row, officer)


def correct_attendance(tx, actor: dict, attendance_id: str, data: dict, settings: Settings, today: date) -> dict:
    if "hours" not in data and "attended_on" not in data:
        raise ValidationFailed("nothing to correct", {"_schema": ["give hours, attended_on or both"]})
    row = tx.session.get(m.Attendance, attendance_id, with_for_update=True) if isinstance(attendance_id, str) else None
    if row is None:
        raise NotFound(f"attendance {attendance_id} not found")
    officer = tx.session.get(m.Officer, row.officer_id)
    require_write_officer(tx.session, actor, officer)
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
    _announce_corrected(tx, row, officer, tx.session.get(m.Course, s.course_id), old_hours, old_date)
    refresh_officer_years(
        tx, {(officer.officer_id, old_date.year), (officer.officer_id, attended_on.year)}, settings, today
    )
    return view(tx.session, row, officer, with_history=True)


def read_attendance(session, actor: dict, attendance_id: str) -> dict:
    row = get_or_404(session, m.Attendance, attendance_id, "attendance")
    officer = session.get(m.Officer, row.officer_id)
    require_read_officer(session, actor, officer)
    return view(session, row, officer, with_history=True)


def officer_attendance(session, actor: dict, officer_id: str, year: int, query: dict) -> dict:
    """A page of an officer's attendance in a calendar year, the earliest first."""
    officer = get_officer(session, officer_id)
    require_read_officer(session, actor, officer)
    start, end = rules.year_bounds(year)
    in_year = (m.Attendance.officer_id == officer_id, m.Attendance.attended_on.between(start, end))
    total = session.execute(select(func.count()).select_from(m.Attendance).where(*in_year)).scalar_one()
    number, per_page = query["page"], query["per_page"]
    rows = session.execute(
        select(m.Attendance)
        .where(*in_year)
        .order_by(m.Attendance.attended_on, m.Attendance.attendance_id)
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).scalars()
    return common.page(attendance_contract.Attendance, [_record(session, a, officer) for a in rows], total, query)


def session_attendance(session, actor: dict, session_id: str, query: dict) -> dict:
    """A page of a session's attendance by officer name; an agency's admin sees its own officers' records only."""
    s = get_or_404(session, m.Session, session_id, "session")
    course = session.get(m.Course, s.course_id)
    A, O = m.Attendance, m.Officer
    stmt = select(A, O).join(O, O.officer_id == A.officer_id).where(A.session_id == s.session_id)
    scope = access.scope_agency(actor)
    if scope is not None:
        stmt = stmt.where(O.agency_code == scope)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    number, per_page = query["page"], query["per_page"]
    rows = session.execute(stmt.order_by(O.name, A.officer_id).offset((number - 1) * per_page).limit(per_page)).all()
    items = [
        columns(course, a)
        | {"agency_code": officer.agency_code, "officer_name": officer.name, "course_title": course.title}
        for a, officer in rows
    ]
    return common.page(attendance_contract.Attendance, items, total, query)


def _announce_recorded(tx, row: m.Attendance, officer: m.Officer, course: m.Course) -> None:
    tx.emit(
        attendance_contract.ATTENDANCE_RECORDED,
        {
            "attendance_id": row.attendance_id,
            "officer_id": officer.officer_id,
            "agency_code": officer.agency_code,
            "session_id": row.session_id,
            "course_id": course.course_id,
            "category_code": course.category_code,
            "hours": row.hours,
            "counts_hours": course.counts_hours,
            "attended_on": row.attended_on,
        },
        subject=officer.officer_id,
    )


def _announce_corrected(tx, row: m.Attendance, officer: m.Officer, course: m.Course, old_hours, old_date) -> None:
    tx.emit(
        attendance_contract.ATTENDANCE_CORRECTED,
        {
            "attendance_id": row.attendance_id,
            "officer_id": officer.officer_id,
            "agency_code": officer.agency_code,
            "session_id": row.session_id,
            "category_code": course.category_code,
            "version": row.version,
            "old_hours": old_hours,
            "hours": row.hours,
            "old_attended_on": old_date,
            "attended_on": row.attended_on,
            "reason": row.note,
        },
        subject=officer.officer_id,
    )
