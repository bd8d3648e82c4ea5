"""Figures for supervision: promptness by agency, yearly statistics, an agency's year of cases."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, cast, func, select
from sqlalchemy import case as sa_case

from enforcement_contracts.cases import promptness as promptness_contract
from enforcement_contracts.cases import statistics as statistics_contract
from enforcement_kernel import access

from .. import models as m
from . import followups
from .common import KIND_PUBLISHED


def promptness_table(session, actor: dict, query: dict) -> list[dict]:
    """Per agency and kind: measurements, on time, ratio, mean working days (computed in SQL)."""
    agency_code = access.query_agency(actor, query.get("agency_code"))
    P = m.PromptnessMeasurement
    stmt = select(P.agency_code, P.kind, func.count(), func.sum(cast(P.on_time, Integer)), func.avg(P.workdays_taken))
    if agency_code:
        stmt = stmt.where(P.agency_code == agency_code)
    if query.get("date_from"):
        stmt = stmt.where(P.ended_on >= query["date_from"])
    if query.get("date_to"):
        stmt = stmt.where(P.ended_on <= query["date_to"])
    rows = session.execute(stmt.group_by(P.agency_code, P.kind).order_by(P.agency_code, P.kind)).all()
    return promptness_contract.PromptnessRow(many=True).dump(
        {
            "agency_code": a,
            "kind": k,
            "measurements": n,
            "on_time": int(ok or 0),
            "on_time_ratio": round(int(ok or 0) / n, 4) if n else 0.0,
            "mean_workdays": round(float(avg or 0), 2),
        }
        for a, k, n, ok, avg in rows
    )


def yearly_statistics(session, actor: dict, query: dict) -> list[dict]:
    """行政执法统计: per agency and type for a calendar year — cases filed, decided, fined and the fines' total —
    computed in SQL in one pass over the year's cases (two range scans of the filing and decision indexes)."""
    agency_code = access.query_agency(actor, query.get("agency_code"))
    start, end = date(query["year"], 1, 1), date(query["year"], 12, 31)
    C = m.Case
    filed = C.filed_on.between(start, end)
    decided = C.decided_on.between(start, end)
    fined = decided & (C.fine_amount > 0)
    stmt = (
        select(
            C.agency_code,
            C.type_code,
            func.sum(case_when(filed, 1)),
            func.sum(case_when(decided, 1)),
            func.sum(case_when(fined, 1)),
            func.sum(case_when(fined, C.fine_amount)),
        )
        .where(filed | decided)
        .group_by(C.agency_code, C.type_code)
        .order_by(C.agency_code, C.type_code)
    )
    if agency_code:
        stmt = stmt.where(C.agency_code == agency_code)
    return statistics_contract.StatsRow(many=True).dump(
        {
            "agency_code": a,
            "type_code": t,
            "cases": int(n or 0),
            "decided": int(d or 0),
            "fined": int(f or 0),
            "fine_total": float(total or 0),
        }
        for a, t, n, d, f, total in session.execute(stmt).all()
    )


REVERSING_GROUNDS = ("reconsideration", "litigation")


def agency_case_facts(session, actor: dict, query: dict, deadlines=None, today: date | None = None) -> list[dict]:
    """Per agency, a calendar year for the supervision service's assessment and 统计年报: the yearly statistics by
    type, decisions, publications (on time by their promptness measurement), review grades and decisions changed on
    reconsideration or litigation. The county-wide view, so the bureau (or a service acting for it) only."""
    # Over 50 lines: one query per fact of the yearly assessment, put together per agency in one place.
    access.require_bureau(actor)
    year = query["year"]
    start, end = date(year, 1, 1), date(year, 12, 31)
    facts: dict[str, dict] = {}

    def agency(code: str) -> dict:
        return facts.setdefault(
            code,
            {
                "agency_code": code,
                "by_type": [],
                "decisions": 0,
                "publications": 0,
                "publications_on_time": 0,
                "review_grades": {},
                "changed_by_ground": {},
                "decisions_reversed": 0,
                "followups": {},
            },
        )

    for row in yearly_statistics(session, actor, {"year": year}):
        agency(row["agency_code"])["by_type"].append(row)
        agency(row["agency_code"])["decisions"] += row["decided"]
    P = m.PromptnessMeasurement
    for code, n, ok in session.execute(
        select(P.agency_code, func.count(), func.sum(cast(P.on_time, Integer)))
        .where(P.kind == KIND_PUBLISHED, P.ended_on.between(start, end))
        .group_by(P.agency_code)
    ).all():
        agency(code).update(publications=int(n), publications_on_time=int(ok or 0))
    F = m.ReviewFile
    for code, grade, n in session.execute(
        select(F.agency_code, F.grade, func.count())
        .where(F.grade.is_not(None), F.scored_on.between(start, end))
        .group_by(F.agency_code, F.grade)
    ).all():
        agency(code)["review_grades"][grade] = int(n)
    R, C = m.Revocation, m.Case
    for code, ground, n in session.execute(
        select(C.agency_code, R.ground, func.count())
        .join(C, C.case_id == R.case_id)
        .where(R.changed_on.between(start, end))
        .group_by(C.agency_code, R.ground)
    ).all():
        row = agency(code)
        row["changed_by_ground"][ground] = int(n)
        if ground in REVERSING_GROUNDS:
            row["decisions_reversed"] += int(n)
    # corrections and accountability records (issue 15): opened, closed, overdue, exemptions, by kind
    for (code, kind), counts in followups.yearly_counts(session, year, deadlines, today or end).items():
        agency(code)["followups"][kind] = counts
    return statistics_contract.AgencyCaseFacts(many=True).dump([facts[code] for code in sorted(facts)])


def case_when(condition, value):
    return sa_case((condition, value), else_=0)
