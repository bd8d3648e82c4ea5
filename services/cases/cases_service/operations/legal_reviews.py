"""Legal review (法制审核, art. 58): by a reviewer of the agency or of the county's pool, qualified for a first
review, not an officer on the case."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from enforcement_contracts.cases import legal_review as contract
from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_kernel import access

from .. import models as m
from ..personnel import PersonnelPort
from ..rules import major_decisions
from .cases import get_case, review_dict
from .common import Settings


def find_reviewer(personnel: PersonnelPort, agency_code: str, reviewer_id: str, pool: frozenset[str]) -> dict | None:
    """The reviewer as personnel registered them: among the case's agency's reviewers, then the county pool's."""
    for code in (agency_code, *sorted(pool - {agency_code})):
        reviewer = next((r for r in personnel.legal_reviewers(code) if r["reviewer_id"] == reviewer_id), None)
        if reviewer is not None:
            return reviewer
    return None


def reviewed_before(session, reviewer_id: str, reviewed_on: date) -> bool:
    """Art. 58's "first review": the reviewer has a legal review recorded here on or before this one's day."""
    stmt = select(m.LegalReview.id).where(
        m.LegalReview.reviewer_id == reviewer_id, m.LegalReview.reviewed_on <= reviewed_on
    )
    return session.execute(stmt.limit(1)).first() is not None


def reviewer_problems(
    session,
    personnel: PersonnelPort,
    agency_code: str,
    officer_ids: list[str],
    review: dict,
    settings: Settings,
) -> list[str]:
    reviewer = find_reviewer(personnel, agency_code, review["reviewer_id"], settings.reviewer_pool)
    before = reviewed_before(session, review["reviewer_id"], review["reviewed_on"])
    return major_decisions.reviewer_errors(reviewer, agency_code, officer_ids, before, settings.reviewer_pool)


def emit_review(tx, case: m.Case, review: m.LegalReview) -> None:
    tx.emit(
        contract.LEGAL_REVIEW_RECORDED,
        {
            "review_id": review.id,
            "case_id": case.case_id,
            "agency_code": case.agency_code,
            "reviewer_id": review.reviewer_id,
            "reviewed_on": review.reviewed_on,
            "passed": review.passed,
        },
        subject=case.case_id,
    )


def record_legal_review(
    tx, actor: dict, case_id: str, data: dict, personnel: PersonnelPort, settings: Settings, today: date
) -> dict:
    """法制审核 (art. 58), before the decision of a case of any enforcement type: by a reviewer of the agency or of
    the county's pool, qualified unless they reviewed before, not an officer on the case."""
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    if case.decided_on is not None:
        raise Conflict(
            "the case is already decided; a review comes before the decision", {"case_id": ["already decided"]}
        )
    problems = {}
    if data["reviewed_on"] < case.filed_on or data["reviewed_on"] > today:
        problems["reviewed_on"] = ["must lie between 立案 and today"]
    reviewer = reviewer_problems(
        session, personnel, case.agency_code, [o["officer_id"] for o in case.officers], data, settings
    )
    if reviewer:
        problems["reviewer_id"] = reviewer
    if problems:
        first = next(iter(problems))
        raise ValidationFailed(f"the review was refused: {first}: {problems[first][0]}", problems)
    review = m.LegalReview(case_id=case_id, created_by=actor["username"], **data)
    session.add(review)
    session.flush()
    emit_review(tx, case, review)
    return review_dict(review)
