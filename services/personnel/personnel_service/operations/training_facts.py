"""The training read model (hours and exam results the training service announces) and certificate eligibility."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from enforcement_contracts import personnel as contract
from enforcement_kernel import access

from .. import models as m
from .. import rules
from ..settings import Settings
from .lookups import get_officer
from .views import With


def training_facts(session, officer_id: str, year: int, settings: Settings) -> rules.TrainingFacts:
    row = session.get(m.TrainingHours, (officer_id, year))
    if row is None and settings.accept_previous_year_training:
        row = session.get(m.TrainingHours, (officer_id, year - 1))
    exam = (
        session.execute(
            select(m.ExamResult)
            .where(m.ExamResult.officer_id == officer_id, m.ExamResult.passed.is_(True))
            .order_by(m.ExamResult.sat_on.desc())
        )
        .scalars()
        .first()
    )
    hours = row.hours_by_category if row else {}
    return rules.TrainingFacts(
        officer_key=officer_id,
        year=row.year if row else year,
        public_law_hours=float(hours.get(settings.public_law_category, 0)),
        professional_hours=float(hours.get(settings.professional_category, 0)),
        required_courses_done=bool(row and row.required_courses_done),
        exam_passed=exam is not None,
        exam_date=exam.sat_on if exam else None,
    )


def eligibility(session, officer: m.Officer, year: int, settings: Settings) -> rules.Eligibility:
    facts = training_facts(session, officer.officer_id, year, settings)
    year_checked = facts.year  # the previous year's hours count when the setting allows
    return rules.certificate_eligibility(_OfficerView(officer), facts, year_checked, settings.thresholds)


@dataclass
class _OfficerView:
    is_police: bool
    active: bool

    def __init__(self, officer: m.Officer):
        self.is_police = officer.is_police
        self.active = officer.status == "active"


def read_eligibility(session, actor: dict, officer_id: str, year: int, settings: Settings) -> dict:
    officer = get_officer(session, officer_id)
    access.require_read(actor, officer.agency_code, officer_id)
    result = eligibility(session, officer, year, settings)
    return contract.Eligibility().dump(With(result, officer_id=officer_id, year=year))


def apply_hours(tx, data: dict) -> None:
    """Read-model upsert; an older snapshot (lower revision) never overwrites a newer one."""
    row = tx.session.get(m.TrainingHours, (data["officer_id"], data["year"]))
    if row is None:
        tx.session.add(
            m.TrainingHours(
                officer_id=data["officer_id"],
                year=data["year"],
                revision=data["revision"],
                hours_by_category=data["hours_by_category"],
                required_courses_done=data["required_courses_done"],
            )
        )
    elif data["revision"] > row.revision:
        row.revision = data["revision"]
        row.hours_by_category = data["hours_by_category"]
        row.required_courses_done = data["required_courses_done"]


def apply_exam(tx, data: dict, passed: bool) -> None:
    if tx.session.get(m.ExamResult, data["result_id"]) is None:
        tx.session.add(
            m.ExamResult(
                result_id=data["result_id"],
                officer_id=data["officer_id"],
                exam_kind=data["exam_kind"],
                passed=passed,
                score=data["score"],
                sat_on=data["sat_on"],
            )
        )
