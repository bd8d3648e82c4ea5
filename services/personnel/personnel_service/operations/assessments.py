"""Yearly officer assessments (年度考核): a failing grade suspends the certificate."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from enforcement_contracts import common
from enforcement_contracts import personnel as contract
from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_kernel import access

from .. import models as m
from .. import rules
from ..settings import Settings
from .certificates import set_status
from .lookups import get_officer, live_certificate


def record_assessment(tx, actor: dict, officer_id: str, data: dict, settings: Settings, today: date) -> dict:
    officer = get_officer(tx.session, officer_id)
    access.require_write(actor, officer.agency_code)
    if data["year"] > today.year:
        raise ValidationFailed("assessment year is in the future", {"year": ["must not be in the future"]})
    if tx.session.execute(
        select(m.Assessment.id).where(m.Assessment.officer_id == officer_id, m.Assessment.year == data["year"])
    ).first():
        raise Conflict(f"the {data['year']} assessment is already recorded", {"year": ["already recorded"]})
    suspend = rules.assessment_suspends(data["grade"], settings.suspend_on_failed_assessment)
    cert = live_certificate(tx.session, officer_id)
    suspended = False
    if suspend and cert is not None and cert.status == rules.VALID:
        set_status(tx, cert, rules.SUSPENDED, f"yearly assessment {data['year']}: {data['grade']}", actor, today)
        suspended = True
    row = m.Assessment(
        officer_id=officer_id,
        agency_code=officer.agency_code,
        year=data["year"],
        grade=data["grade"],
        note=data.get("note", ""),
        certificate_suspended=suspended,
    )
    tx.session.add(row)
    tx.emit(contract.ASSESSMENT_RECORDED, contract.AssessmentRecorded().dump(row), subject=officer_id)
    return contract.Assessment().dump(row)


def list_assessments(session, actor: dict, officer_id: str, query: dict) -> dict:
    """A page of one officer's yearly assessments, the latest year first."""
    officer = get_officer(session, officer_id)
    access.require_read(actor, officer.agency_code, officer.officer_id)
    condition = m.Assessment.officer_id == officer.officer_id
    total = session.execute(select(func.count()).select_from(m.Assessment).where(condition)).scalar_one()
    number, per_page = query["page"], query["per_page"]
    rows = (
        session.execute(
            select(m.Assessment)
            .where(condition)
            .order_by(m.Assessment.year.desc())
            .offset((number - 1) * per_page)
            .limit(per_page)
        )
        .scalars()
        .all()
    )
    return common.page(contract.Assessment, rows, total, query)
