"""Legal review (法制审核, art. 58): by a qualified reviewer of the agency, not an officer on the case."""

from __future__ import annotations

from datetime import date

from enforcement_contracts.cases import legal_review as contract
from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_kernel import access

from .. import models as m
from ..personnel import PersonnelPort
from ..rules import major_decisions
from .cases import get_case, review_dict


def reviewer_problems(
    personnel: PersonnelPort, agency_code: str, officer_ids: list[str], reviewer_id: str
) -> list[str]:
    reviewer = next((r for r in personnel.legal_reviewers(agency_code) if r["reviewer_id"] == reviewer_id), None)
    return major_decisions.reviewer_errors(reviewer, agency_code, officer_ids)


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


def record_legal_review(tx, actor: dict, case_id: str, data: dict, personnel: PersonnelPort, today: date) -> dict:
    """法制审核 (art. 58): by a qualified reviewer of the agency, not an officer on the case, before the decision."""
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
        personnel, case.agency_code, [o["officer_id"] for o in case.officers], data["reviewer_id"]
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
