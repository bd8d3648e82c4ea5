"""Legal reviewers (法制审核人员): public lawyers and legal advisers an agency registers for legal review."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select

from enforcement_contracts import common
from enforcement_contracts import personnel as contract
from enforcement_contracts.errors import ValidationFailed
from enforcement_kernel import access

from .. import models as m
from .. import rules
from .lookups import get_agency
from .views import With


def register_legal_reviewer(tx, actor: dict, data: dict, today: date) -> dict:
    access.require_write(actor, data["agency_code"])
    get_agency(tx.session, data["agency_code"])
    if data.get("officer_id") is not None:
        officer = tx.session.get(m.Officer, data["officer_id"])
        if officer is None or officer.agency_code != data["agency_code"]:
            # one answer for an unknown officer and another agency's: the other agency's officers stay unnamed
            raise ValidationFailed("officer not found in the agency", {"officer_id": ["not found in the agency"]})
    if data["has_legal_qualification"] and not data.get("qualification_number"):
        raise ValidationFailed(
            "qualification number missing", {"qualification_number": ["required with a legal qualification"]}
        )
    if data.get("first_reviewed_on") and data["first_reviewed_on"] > today:
        raise ValidationFailed(
            "the first review cannot be in the future", {"first_reviewed_on": ["must not be in the future"]}
        )
    reviewer = m.LegalReviewer(reviewer_id=uuid.uuid4().hex, **data)
    tx.session.add(reviewer)
    tx.emit(
        contract.LEGAL_REVIEWER_REGISTERED,
        contract.LegalReviewerRegistered().dump(reviewer),
        subject=reviewer.reviewer_id,
    )
    return contract.LegalReviewer().dump(_for_review(reviewer))


def _for_review(r: m.LegalReviewer) -> With:
    # a first-time reviewer of major decisions needs the national qualification (art. 58); one who reviewed before
    # may continue without it (cases also counts the reviews recorded there)
    first_time = r.first_reviewed_on is None
    return With(r, may_review_major_decisions=rules.may_review_major_decision(r.has_legal_qualification, first_time))


def list_legal_reviewers(session, actor: dict, agency_code: str | None, query: dict) -> dict:
    """A page of legal reviewers by name (one agency's, or every agency's for the bureau)."""
    agency_code = access.query_agency(actor, agency_code)
    stmt = select(m.LegalReviewer)
    if agency_code:
        stmt = stmt.where(m.LegalReviewer.agency_code == agency_code)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    number, per_page = query["page"], query["per_page"]
    stmt = stmt.order_by(m.LegalReviewer.name, m.LegalReviewer.reviewer_id).offset((number - 1) * per_page)
    reviewers = session.execute(stmt.limit(per_page)).scalars()
    return common.page(contract.LegalReviewer, [_for_review(r) for r in reviewers], total, query)
