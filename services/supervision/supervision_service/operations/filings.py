"""Filing (报送) the yearly statistics report: kept as filed, once; announced; for an agency a promptness measurement
from 31 December to the filing, due by 31 January. The report itself is built by ``annual_report``."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select

from enforcement_contracts import supervision as events_contract
from enforcement_contracts import supervision_reports as contract
from enforcement_contracts.common import page
from enforcement_contracts.errors import Conflict, NotFound
from enforcement_kernel import access

from .. import annual_report, rules
from .. import reports_models as rm
from .common import Shown, calendar
from .promptness import measure_own


def filing_out(f: rm.AnnualReportFiling, with_report: bool = False) -> dict:
    if not with_report:
        return contract.ReportFiling(exclude=("report",)).dump(Shown(f, filing_id=f.id))
    # the report is kept as JSON: read back through its schema so the answer is dumped by the same one
    return contract.ReportFiling().dump(Shown(f, filing_id=f.id, report=contract.AnnualReport().load(f.report)))


def refuse_second_filing(session, year: int, scope: str) -> None:
    F = rm.AnnualReportFiling
    filed = session.execute(select(F).where(F.year == year, F.scope == scope)).scalar_one_or_none()
    if filed is not None:
        raise Conflict(
            f"the {year} report of {scope} was filed on {filed.filed_on.isoformat()} by {filed.filed_by}",
            {"year": ["already filed"]},
        )


def record_filing(tx, year: int, scope: str, report: dict, due_on: date, today: date, by: str) -> dict:
    """The filing, frozen; announced; and for an agency one promptness measurement (31 December to the filing).
    A second filing of the same report fails on the unique (year, scope) constraint."""
    year_end = date(year, 12, 31)
    result = rules.due_date_promptness(calendar(), year_end, today, due_on)
    filing = rm.AnnualReportFiling(
        year=year, scope=scope, filed_on=today, due_on=due_on, on_time=result.on_time, filed_by=by, report=report
    )
    tx.session.add(filing)
    tx.session.flush()
    agency = None if scope == annual_report.COUNTY else scope
    tx.emit(
        events_contract.ANNUAL_REPORT_FILED,
        {
            "year": year,
            "scope": scope,
            "agency_code": agency,
            "filed_on": today,
            "due_on": due_on,
            "on_time": result.on_time,
        },
        subject=f"{year}:{scope}",
    )
    if agency is not None:  # the bureau is not assessed with the agencies
        measure_own(
            tx,
            f"supervision-annual-report-{year}-{agency}-filed",
            agency,
            events_contract.KIND_ANNUAL_REPORT_FILED,
            f"annual-report-{year}:{agency}",  # as the filing watch names the miss (one per agency and year)
            year_end,
            today,
            result,
            None,
        )
    return filing_out(filing, with_report=True)


def filing_list(session, year: int, wanted: list[tuple[str, str]], due_on: date, today: date) -> dict:
    """Who of ``wanted`` (scope, name) has filed the year's report, when, and who is overdue."""
    F = rm.AnnualReportFiling
    filed = {f.scope: f for f in session.execute(select(F).where(F.year == year)).scalars()}
    past_due = today > due_on
    rows = []
    for code, name in wanted:
        f = filed.get(code)
        rows.append(
            {
                "scope": code,
                "agency_name": name,
                "filed": f is not None,
                "filing_id": f and f.id,
                "filed_on": f and f.filed_on,
                "on_time": f and f.on_time,
                "overdue": f is None and past_due,
            }
        )
    return contract.FilingList().dump({"year": year, "due_on": due_on, "filings": rows})


def read_filing(session, actor: dict, filing_id) -> dict:
    """One filing with the report as filed: the county's for the bureau, an agency's for whoever reads it."""
    filing = session.get(rm.AnnualReportFiling, filing_id) if isinstance(filing_id, int) else None
    if filing is None:
        raise NotFound(f"report filing {filing_id} not found")
    if filing.scope == annual_report.COUNTY:
        access.require_bureau(actor)
    else:
        access.require_read(actor, filing.scope)
    return filing_out(filing, with_report=True)


def _agency_name(report: dict) -> str | None:
    """The agency's name as the filed report gives it (its rows name the agency); None for the county."""
    if report.get("scope") == annual_report.COUNTY:
        return None
    for section in report.get("sections") or []:
        for row in section.get("rows") or []:
            if row.get("agency_name"):
                return row["agency_name"]
    return report.get("scope")


def public_filings(session, query: dict) -> dict:
    """Public (执法公示): the reports filed for a year, the county's first, then the agencies' by code."""
    F = rm.AnnualReportFiling
    order = (case((F.scope == annual_report.COUNTY, 0), else_=1), F.scope)
    total = session.scalar(select(func.count()).select_from(F).where(F.year == query["year"]))
    rows = session.execute(
        select(F)
        .where(F.year == query["year"])
        .order_by(*order)
        .offset((query["page"] - 1) * query["per_page"])
        .limit(query["per_page"])
    ).scalars()
    shown = [Shown(f, agency_name=_agency_name(f.report)) for f in rows]
    return page(contract.PublicFiling, shown, total, query)


def public_report(session, year: int, scope: str) -> dict:
    """Public: a report as filed (frozen), only once it is filed; 404 before."""
    F = rm.AnnualReportFiling
    filing = session.execute(select(F).where(F.year == year, F.scope == scope)).scalar_one_or_none()
    if filing is None:
        raise NotFound(f"the {year} report of {scope} has not been filed")
    return contract.AnnualReport().dump(contract.AnnualReport().load(filing.report))
