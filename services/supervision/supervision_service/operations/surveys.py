"""Satisfaction surveys (满意度测评): a third party's result per agency and year; recording it again replaces it."""

from __future__ import annotations

from sqlalchemy import func, select

from enforcement_contracts import common
from enforcement_contracts import supervision_reports as contract
from enforcement_kernel import access

from .. import reports_models as rm


def record_survey(tx, data: dict, by: str) -> dict:
    S = rm.SatisfactionSurvey
    row = tx.session.execute(
        select(S).where(S.agency_code == data["agency_code"], S.year == data["year"])
    ).scalar_one_or_none()
    if row is None:
        row = S(agency_code=data["agency_code"], year=data["year"])
        tx.session.add(row)
    for key in ("score", "respondents", "surveyor", "surveyed_on", "note"):
        setattr(row, key, data[key])
    row.recorded_by = by
    tx.session.flush()
    return contract.Satisfaction().dump(row)


def list_surveys(session, actor: dict, year: int, query: dict) -> dict:
    """A page of the year's results: every agency's for the bureau, their own agency's for an agency admin."""
    scope = access.scope_agency(actor)
    S = rm.SatisfactionSurvey
    stmt = select(S).where(S.year == year)
    if scope is not None:
        stmt = stmt.where(S.agency_code == scope)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    number, per_page = query["page"], query["per_page"]
    rows = session.execute(stmt.order_by(S.agency_code).offset((number - 1) * per_page).limit(per_page)).scalars()
    return common.page(contract.Satisfaction, rows.all(), total, query)
