"""Exam sittings and results."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from enforcement_contracts import common
from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_contracts.training import exams as exams_contract
from enforcement_kernel import access

from .. import models as m
from .. import rules
from ..settings import Settings
from .common import columns, get_officer, get_or_404, known_officer, new_id


def schedule_exam(tx, actor: dict, data: dict, settings: Settings) -> dict:
    access.require_bureau(actor)
    sitting = m.ExamSitting(
        sitting_id=new_id(),
        exam_kind=data["exam_kind"],
        title=data["title"],
        sat_on=data["sat_on"],
        pass_mark=settings.pass_mark,
        max_score=settings.max_score,
        created_by=actor["username"],
    )
    tx.session.add(sitting)
    tx.emit(
        exams_contract.EXAM_SCHEDULED,
        {
            "sitting_id": sitting.sitting_id,
            "exam_kind": sitting.exam_kind,
            "title": sitting.title,
            "sat_on": sitting.sat_on,
            "pass_mark": sitting.pass_mark,
        },
        subject=sitting.sitting_id,
    )
    return exams_contract.ExamSitting().dump(sitting)


def list_exams(session, query: dict) -> dict:
    """A page of exam sittings, the latest first."""
    total = session.execute(select(func.count()).select_from(m.ExamSitting)).scalar_one()
    number, per_page = query["page"], query["per_page"]
    # sat_on alone would leave sittings of one day in any order from page to page
    stmt = select(m.ExamSitting).order_by(m.ExamSitting.sat_on.desc(), m.ExamSitting.sitting_id)
    rows = session.execute(stmt.offset((number - 1) * per_page).limit(per_page)).scalars().all()
    return common.page(exams_contract.ExamSitting, rows, total, query)


def _result(r: m.ExamResult, s: m.ExamSitting, officer: m.Officer) -> dict:
    return exams_contract.ExamResultOut().dump(columns(s, r, officer_name=officer.name))


def _already_recorded() -> Conflict:
    return Conflict("this officer's result at this sitting is already recorded", {"officer_id": ["already recorded"]})


def record_exam_result(tx, actor: dict, sitting_id: str, data: dict, today: date) -> dict:
    access.require_bureau(actor)
    sitting = get_or_404(tx.session, m.ExamSitting, sitting_id, "exam sitting")
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
        raise _already_recorded()
    result = m.ExamResult(
        result_id=new_id(),
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
        raise _already_recorded() from None
    tx.emit(
        exams_contract.EXAM_PASSED if result.passed else exams_contract.EXAM_FAILED,
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
    return _result(result, sitting, officer)


def officer_exam_results(session, actor: dict, officer_id: str, query: dict) -> dict:
    """A page of an officer's exam results, the earliest sitting first."""
    officer = get_officer(session, officer_id)
    access.require_read(actor, officer.agency_code, officer_id)
    mine = m.ExamResult.officer_id == officer_id
    total = session.execute(select(func.count()).select_from(m.ExamResult).where(mine)).scalar_one()
    number, per_page = query["page"], query["per_page"]
    rows = session.execute(
        select(m.ExamResult, m.ExamSitting)
        .join(m.ExamSitting, m.ExamSitting.sitting_id == m.ExamResult.sitting_id)
        .where(mine)
        .order_by(m.ExamSitting.sat_on, m.ExamResult.result_id)
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    items = [columns(s, r, officer_name=officer.name) for r, s in rows]
    return common.page(exams_contract.ExamResultOut, items, total, query)


def read_exam(session, sitting_id: str) -> dict:
    return exams_contract.ExamSitting().dump(get_or_404(session, m.ExamSitting, sitting_id, "exam sitting"))


def sitting_results(session, actor: dict, sitting_id: str, query: dict) -> dict:
    """A page of one sitting's results by officer name; an agency's admin sees its own officers' results only."""
    sitting = get_or_404(session, m.ExamSitting, sitting_id, "exam sitting")
    R, O = m.ExamResult, m.Officer
    stmt = select(R, O).join(O, O.officer_id == R.officer_id).where(R.sitting_id == sitting.sitting_id)
    scope = access.scope_agency(actor)
    if scope is not None:
        stmt = stmt.where(R.agency_code == scope)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    number, per_page = query["page"], query["per_page"]
    rows = session.execute(stmt.order_by(O.name, R.officer_id).offset((number - 1) * per_page).limit(per_page)).all()
    items = [columns(sitting, r, officer_name=officer.name) for r, officer in rows]
    return common.page(exams_contract.ExamResultOut, items, total, query)
