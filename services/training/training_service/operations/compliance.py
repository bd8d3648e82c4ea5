"""Yearly compliance, aggregated by the database; the table, roll-ups, export and closing a year."""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import and_, case, distinct, func, literal, or_, select, update
from sqlalchemy.orm import aliased

from enforcement_contracts.errors import Conflict, Forbidden, ValidationFailed
from enforcement_contracts.training import common as common_contract
from enforcement_contracts.training import compliance as compliance_contract
from enforcement_kernel import access
from enforcement_kernel.spreadsheets import cooperate_while_writing

from .. import models as m
from .. import rules, spreadsheets
from ..settings import Settings
from .common import Seen, chunks, dialect_insert, get_officer
from .guidance import require_read_officer


def aggregate(
    session, year: int, settings: Settings, *, officer_ids: Iterable[str] | None = None, agency_code: str | None = None
) -> list[rules.Compliance]:
    """Per-officer compliance for ``year``: one GROUP BY in the database, the rules applied to its totals.

    With ``officer_ids`` those officers (whatever their status); otherwise every officer in post at
    the year's end (appointed by then, and active or left after it), optionally of one agency. A course
    counts as required in the years it was required (``required_from`` to ``required_until``).
    """
    start, end = rules.year_bounds(year)
    A, S, C, O = m.Attendance, m.Session, m.Course, m.Officer
    categories = list(session.execute(select(m.Category.code).order_by(m.Category.code)).scalars())
    credited = case((C.counts_hours.is_(True), A.hours), else_=literal(0.0))
    columns = [
        func.coalesce(func.sum(case((C.category_code == code, credited), else_=literal(0.0))), 0.0).label(f"h{i}")
        for i, code in enumerate(categories)
    ]
    required_done = func.count(distinct(case((required_in(C, year), C.course_id)))).label("required_done")
    rotated = _rotated(year, settings.policy)
    stmt = (
        select(O.officer_id, O.agency_code, O.name, O.appointed_on, O.departed_on, required_done, rotated, *columns)
        .select_from(O)
        .outerjoin(A, and_(A.officer_id == O.officer_id, A.attended_on >= start, A.attended_on <= end))
        .outerjoin(S, S.session_id == A.session_id)
        .outerjoin(C, C.course_id == S.course_id)
        .group_by(O.officer_id, O.agency_code, O.name, O.appointed_on, O.departed_on)
        .order_by(O.agency_code, O.name, O.officer_id)
    )
    if officer_ids is not None:
        stmt = stmt.where(O.officer_id.in_(list(officer_ids)))
    else:
        stmt = stmt.where(in_post_at_year_end(year))
    if agency_code:
        stmt = stmt.where(O.agency_code == agency_code)
    required_total = session.execute(select(func.count()).select_from(C).where(required_in(C, year))).scalar_one()
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
            appointed_on=row.appointed_on,
            departed_on=row.departed_on,
        )
        results.append(rules.evaluate(totals, settings.policy))
    return results


def in_post_at_year_end(year: int):
    """The officers a year's table holds: appointed by its last day (or appointment not known) and not gone before
    it. An officer who left during the year is not judged for it (the agency can no longer train them)."""
    _, end = rules.year_bounds(year)
    O = m.Officer
    return and_(
        or_(O.appointed_on.is_(None), O.appointed_on <= end),
        or_(O.status == "active", O.departed_on > end),
    )


def required_in(course, year: int):
    """SQL for ``rules.required_in``: the course is required in ``year``."""
    return and_(
        course.required.is_(True),
        or_(course.required_from.is_(None), course.required_from <= year),
        or_(course.required_until.is_(None), course.required_until >= year),
    )


def _rotated(year: int, policy: rules.Policy):
    """1 for an officer trained inside the rotation window (its start to its deadline), judged in the deadline's
    year only, else 0. Whether the officer owes the rotation at all is the rules' (``rules.rotation_owed``)."""
    deadline = policy.rotation_deadline
    if not rules.rotation_due(year, deadline):
        return literal(0).label("rotated")
    A2, S2, C2 = aliased(m.Attendance), aliased(m.Session), aliased(m.Course)
    window = [A2.attended_on <= deadline]
    if policy.rotation_window_start is not None:
        window.append(A2.attended_on >= policy.rotation_window_start)
    trained = (
        select(A2.attendance_id)
        .join(S2, S2.session_id == A2.session_id)
        .join(C2, C2.course_id == S2.course_id)
        .where(A2.officer_id == m.Officer.officer_id, C2.kind == "training", *window)
        .exists()
    )
    return case((trained, 1), else_=0).label("rotated")


def refresh_officer_years(
    tx, keys: set[tuple[str, int]], settings: Settings, today: date, pause=None
) -> list[rules.Compliance]:
    """After attendance changed: bump each officer-year's revision, publish its snapshot, announce first compliance.
    ``pause()`` lets other green threads run between chunks (never on SQLite: ``cooperate_while_writing``)."""
    if not keys:
        return []
    session = tx.session
    pause = pause or cooperate_while_writing(session)
    ordered = sorted(keys)  # a fixed lock order, so concurrent writers do not deadlock
    Y = m.OfficerYear
    upsert = dialect_insert(session)(Y.__table__).on_conflict_do_update(
        index_elements=["officer_id", "year"], set_={"revision": Y.__table__.c.revision + 1}
    )
    session.execute(upsert, [{"officer_id": o, "year": y, "revision": 1} for o, y in ordered])
    by_year: dict[int, list[str]] = defaultdict(list)
    for officer_id, year in ordered:
        by_year[year].append(officer_id)
    results = []
    for year, officer_ids in sorted(by_year.items()):
        for chunk in chunks(officer_ids):
            state = {
                r.officer_id: r
                for r in session.execute(select(Y).where(Y.year == year, Y.officer_id.in_(chunk))).scalars()
            }
            for index, c in enumerate(aggregate(session, year, settings, officer_ids=chunk), start=1):
                if index % 100 == 0:
                    pause()  # building and checking each event is the slow part
                row = state[c.officer_id]
                tx.emit(
                    compliance_contract.HOURS_UPDATED,
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
                        compliance_contract.COMPLIANCE_REACHED,
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
            pause()  # an import touches thousands of officer-years: let the probes run between chunks
    return results


def officer_compliance(session, actor: dict, officer_id: str, year: int, settings: Settings) -> dict:
    officer = get_officer(session, officer_id)
    require_read_officer(session, actor, officer)
    [result] = aggregate(session, year, settings, officer_ids=[officer_id])
    return compliance_contract.OfficerCompliance().dump(result)


def compliance_table(session, actor: dict, query: dict, settings: Settings, today: date) -> dict:
    if actor.get("role") == "officer":
        raise Forbidden("an officer reads their own compliance, not the agency's table")
    year = query.get("year") or today.year
    results = aggregate(session, year, settings, agency_code=access.query_agency(actor, query.get("agency_code")))
    if query.get("compliant") is not None:
        results = [r for r in results if r.compliant == query["compliant"]]
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    table = {"year": year, "items": results[(page - 1) * per_page : page * per_page], "total": len(results)}
    rules_used = {
        "thresholds": dict(settings.policy.yearly_hours),
        "rotation_deadline": settings.policy.rotation_deadline,
        "rotation_window_start": settings.policy.rotation_window_start,
    }
    return compliance_contract.ComplianceTable().dump({**table, **rules_used, "page": page, "per_page": per_page})


def compliance_summary(session, actor: dict, year: int, settings: Settings) -> tuple[dict, dict[str, rules.Rollup]]:
    """The county and per-agency roll-ups; also returns the agency roll-ups for the gauges."""
    agency_code = access.query_agency(actor, None)
    results = aggregate(session, year, settings, agency_code=agency_code)
    county, agencies = rules.rollup(results, settings.policy.yearly_hours)
    names = dict(session.execute(select(m.Agency.code, m.Agency.name)).all())
    return (
        compliance_contract.ComplianceSummary().dump(
            {
                "year": year,
                "thresholds": dict(settings.policy.yearly_hours),
                "county": Seen(county, agency_code=agency_code or "county", agency_name=names.get(agency_code)),
                "agencies": [Seen(r, agency_name=names.get(code)) for code, r in agencies.items()],
            }
        ),
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
        *(f"应训 owed {code} (h)" for code in settings.policy.yearly_hours),
        *(f"差 short {code} (h)" for code in settings.policy.yearly_hours),
        "在岗天数 days in post",
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
                *(r.owed_hours_by_category[code] for code in settings.policy.yearly_hours),
                *(r.shortfall_by_category[code] for code in settings.policy.yearly_hours),
                r.days_in_post,
                "是" if r.required_courses_done else "否",
                "" if r.rotation_done is None else ("是" if r.rotation_done else "否"),
                "是" if r.compliant else "否",
                "; ".join(r.reasons),
            ]

    content = spreadsheets.write_table(f"{year} 培训达标", headers, rows())
    return {
        "filename": f"training-compliance-{year}-{agency_code}.xlsx",
        "media_type": common_contract.XLSX_MEDIA_TYPE,
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
        ensure = dialect_insert(tx.session)(Y.__table__).on_conflict_do_nothing(index_elements=["officer_id", "year"])
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
                compliance_contract.OFFICER_SHORT_AT_YEAR_END,
                {
                    "officer_id": r.officer_id,
                    "agency_code": r.agency_code,
                    "year": year,
                    "hours_by_category": r.hours_by_category,
                    "shortfall_by_category": r.shortfall_by_category,
                    "required_courses_done": r.required_courses_done,
                    "rotation_done": r.rotation_done,
                    "reasons": r.reasons,
                    "owed_hours_by_category": r.owed_hours_by_category,
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
