"""RPC entrypoints of the yearly assessment, the statistics report and the satisfaction surveys.

``ReportEntrypoints`` is a mixin: ``SupervisionService(ReportEntrypoints, ServiceBase)`` inherits its entrypoints
and dependencies. The rules are in the pure modules (``assessment``, ``indicators``, ``annual_report``); these
methods read the local facts in a short read session, then ask the other services (``facts``; no session held
across a call), then write what is kept.
"""

from __future__ import annotations

import base64
from datetime import date

from nameko.extensions import DependencyProvider
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from enforcement_contracts import supervision as events_contract
from enforcement_contracts import supervision_reports as contract
from enforcement_contracts.common import Actor
from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement_kernel import access
from enforcement_kernel.config import setting
from enforcement_kernel.rpc import Rpc, load, rpc
from enforcement_kernel.workdays import default_calendar

from . import annual_report, facts, rules
from . import reports_models as rm
from .assessment import Policy, assess, check_policy, load_indicators
from .operations import promptness


class ReportsContext(DependencyProvider):
    """The assessment policy, the installed indicators and the report settings, checked once at start: a service
    with weights not adding up to 100 (or naming an indicator not installed) refuses to start, saying which."""

    def setup(self):
        config = self.container.config
        self.policy = Policy.from_settings(setting(config, "ASSESSMENT", {}) or {})
        self.indicators = load_indicators()
        check_policy(self.policy, self.indicators)
        self.report_settings = annual_report.ReportSettings.from_settings(setting(config, "ANNUAL_REPORT", {}) or {})

    def get_dependency(self, worker_ctx):
        return self


def _run_dict(run: rm.AssessmentRun) -> dict:
    return {
        "run_id": run.id,
        "year": run.year,
        "weights": run.weights,
        "run_by": run.run_by,
        "run_at": run.run_at.isoformat(),
        "ranking": run.results,
    }


class ReportEntrypoints:
    """Mixed into the supervision service (before ServiceBase, which provides ``db`` and ``today``)."""

    reports = ReportsContext()
    fact_services = Rpc()  # personnel, training and cases, each call bounded by RPC_TIMEOUT

    def _facts(self, year: int):
        with self.db.read() as session:
            local = facts.local_facts(session, year)
        return facts.gather(local, facts.RpcFactSource(self.fact_services), year)

    # 评议考核
    @rpc
    def run_assessment(self, actor, payload):
        """Score every agency for the year, rank them and keep the run (the bureau only)."""
        actor, data = load(Actor, actor), load(contract.AssessmentRunCreate, payload)
        access.require_bureau(actor)
        ranking = assess(self._facts(data["year"]), self.reports.policy, self.reports.indicators)
        with self.db.transaction() as tx:
            run = rm.AssessmentRun(
                year=data["year"],
                weights=dict(self.reports.policy.weights),
                results=[s.as_dict() for s in ranking],
                run_by=actor["username"],
            )
            tx.session.add(run)
            tx.session.flush()
            return _run_dict(run)

    @rpc
    def latest_assessment(self, actor, year):
        actor, query = load(Actor, actor), load(contract.YearQuery, {"year": year})
        access.require_bureau(actor)
        with self.db.read() as session:
            run = session.execute(
                select(rm.AssessmentRun)
                .where(rm.AssessmentRun.year == query["year"])
                .order_by(rm.AssessmentRun.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            if run is None:
                raise NotFound(f"no assessment run for {query['year']} yet")
            return _run_dict(run)

    # 行政执法统计年报
    def _report(self, actor: dict, payload: dict) -> dict:
        query = load(contract.ReportQuery, payload)
        if actor["role"] == "officer":
            raise Forbidden("an officer reads their own records, not the agency's report")
        agency_code = access.query_agency(actor, query.get("agency_code"))  # an agency admin: their own only
        year_facts = self._facts(query["year"])
        if agency_code is not None and agency_code not in {f.agency_code for f in year_facts}:
            raise ValidationFailed(f"unknown agency {agency_code}", {"agency_code": [f"unknown agency {agency_code}"]})
        type_names = facts.RpcFactSource(self.fact_services).type_names()
        return annual_report.build_report(
            query["year"], year_facts, type_names, self.reports.report_settings, self.today(), agency_code
        )

    @rpc
    def annual_report(self, actor, payload):
        return self._report(load(Actor, actor), payload)

    @rpc
    def export_annual_report(self, actor, payload):
        """The report as .xlsx, one sheet per section (base64: the RPC wire carries JSON only)."""
        report = self._report(load(Actor, actor), payload)
        content = annual_report.workbook(report)
        return {
            "filename": f"annual-report-{report['year']}-{report['scope']}.xlsx",
            "media_type": contract.XLSX_MEDIA_TYPE,
            "content_base64": base64.b64encode(content).decode(),
        }

    # 报送: filing the report, frozen as filed, is the agency's obligation due by 31 January
    @rpc
    def file_annual_report(self, actor, payload):
        """File (报送) the year's report: an agency admin their agency's, the bureau the county's (or an agency's on
        its behalf). Kept as filed, once; the filing is a promptness measurement of the agency."""
        actor, data = load(Actor, actor), load(contract.ReportFilingCreate, payload)
        scope = annual_report.filing_scope(actor, data["agency_code"])
        today, year = self.today(), data["year"]
        problem = annual_report.filing_year_problem(year, today)
        if problem:
            raise ValidationFailed(problem, {"year": [problem]})
        with self.db.read() as session:
            _refuse_second_filing(session, year, scope)
        report = self._report(
            actor, {"year": year} if scope == annual_report.COUNTY else {"year": year, "agency_code": scope}
        )
        try:
            with self.db.transaction() as tx:
                filing = _record_filing(
                    tx, year, scope, report, self.reports.report_settings.due_on(year), today, actor["username"]
                )
                return _filing_dict(filing, with_report=True)
        except IntegrityError:  # filed by someone else in the meantime
            raise Conflict(f"the {year} report of {scope} is already filed", {"year": ["already filed"]}) from None

    @rpc
    def annual_report_filings(self, actor, year):
        """Who has filed the year's report, when, and who is overdue: the county and every agency for the bureau,
        their own agency for an agency admin."""
        actor, query = load(Actor, actor), load(contract.YearQuery, {"year": year})
        if actor["role"] not in ("bureau", "agency_admin"):
            raise Forbidden("only the bureau and agency admins see report filings")
        scope = access.scope_agency(actor)
        agencies = facts.assessed_agencies(facts.RpcFactSource(self.fact_services).agencies())
        wanted = [
            (a["code"], a.get("name", a["code"]))
            for a in sorted(agencies, key=lambda a: a["code"])
            if scope is None or a["code"] == scope
        ]
        if scope is None:
            wanted.insert(0, (annual_report.COUNTY, "全县 county"))
        due_on = self.reports.report_settings.due_on(query["year"])
        with self.db.read() as session:
            F = rm.AnnualReportFiling
            filed = {
                f.scope: _filing_dict(f) for f in session.execute(select(F).where(F.year == query["year"])).scalars()
            }
        past_due = self.today() > due_on
        rows = []
        for code, name in wanted:
            f = filed.get(code)
            rows.append(
                {
                    "scope": code,
                    "agency_name": name,
                    "filed": f is not None,
                    "filing_id": f and f["filing_id"],
                    "filed_on": f and f["filed_on"],
                    "on_time": f and f["on_time"],
                    "overdue": f is None and past_due,
                }
            )
        return {"year": query["year"], "due_on": due_on.isoformat(), "filings": rows}

    @rpc
    def get_annual_report_filing(self, actor, filing_id):
        """One filing with the report as filed."""
        actor = load(Actor, actor)
        with self.db.read() as session:
            filing = session.get(rm.AnnualReportFiling, filing_id) if isinstance(filing_id, int) else None
            if filing is None:
                raise NotFound(f"report filing {filing_id} not found")
            if filing.scope == annual_report.COUNTY:
                access.require_bureau(actor)
            else:
                access.require_read(actor, filing.scope)
            return _filing_dict(filing, with_report=True)

    # 满意度测评
    @rpc
    def record_satisfaction(self, actor, payload):
        """A third party's survey result for an agency and year; recording it again replaces it (the bureau only)."""
        actor, data = load(Actor, actor), load(contract.SatisfactionRecord, payload)
        access.require_bureau(actor)
        if data["surveyed_on"] > self.today() or data["surveyed_on"].year < data["year"]:
            raise ValidationFailed(
                "the survey date is out of range",
                {"surveyed_on": [f"must lie between the start of {data['year']} and today"]},
            )
        known = {a["code"] for a in facts.assessed_agencies(facts.RpcFactSource(self.fact_services).agencies())}
        if data["agency_code"] not in known:
            raise ValidationFailed(
                f"unknown agency {data['agency_code']}",
                {"agency_code": [f"not an assessed agency: {data['agency_code']}"]},
            )
        with self.db.transaction() as tx:
            S = rm.SatisfactionSurvey
            row = tx.session.execute(
                select(S).where(S.agency_code == data["agency_code"], S.year == data["year"])
            ).scalar_one_or_none()
            if row is None:
                row = S(agency_code=data["agency_code"], year=data["year"])
                tx.session.add(row)
            for key in ("score", "respondents", "surveyor", "surveyed_on", "note"):
                setattr(row, key, data[key])
            row.recorded_by = actor["username"]
            tx.session.flush()
            return _survey_dict(row)

    @rpc
    def list_satisfaction(self, actor, year):
        actor, query = load(Actor, actor), load(contract.YearQuery, {"year": year})
        scope = access.scope_agency(actor)
        S = rm.SatisfactionSurvey
        stmt = select(S).where(S.year == query["year"]).order_by(S.agency_code)
        if scope is not None:
            stmt = stmt.where(S.agency_code == scope)
        with self.db.read() as session:
            return [_survey_dict(s) for s in session.execute(stmt).scalars()]


def _survey_dict(s: rm.SatisfactionSurvey) -> dict:
    return {
        "agency_code": s.agency_code,
        "year": s.year,
        "score": s.score,
        "respondents": s.respondents,
        "surveyor": s.surveyor,
        "surveyed_on": s.surveyed_on.isoformat(),
        "note": s.note,
        "recorded_by": s.recorded_by,
    }


def _refuse_second_filing(session, year: int, scope: str) -> None:
    F = rm.AnnualReportFiling
    filed = session.execute(select(F).where(F.year == year, F.scope == scope)).scalar_one_or_none()
    if filed is not None:
        raise Conflict(
            f"the {year} report of {scope} was filed on {filed.filed_on.isoformat()} by {filed.filed_by}",
            {"year": ["already filed"]},
        )


def _record_filing(
    tx, year: int, scope: str, report: dict, due_on: date, today: date, by: str
) -> rm.AnnualReportFiling:
    """The filing, frozen; announced; and for an agency one promptness measurement (31 December to the filing).
    A second filing of the same report fails on the unique (year, scope) constraint."""
    year_end = date(year, 12, 31)
    result = rules.due_date_promptness(default_calendar(), year_end, today, due_on)
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
        promptness.measure_own(
            tx,
            f"supervision-annual-report-{year}-{agency}-filed",
            agency,
            events_contract.KIND_ANNUAL_REPORT_FILED,
            f"annual-report-{year}",
            year_end,
            today,
            result,
            None,
        )
    return filing


def _filing_dict(f: rm.AnnualReportFiling, with_report: bool = False) -> dict:
    out = {
        "filing_id": f.id,
        "year": f.year,
        "scope": f.scope,
        "filed_on": f.filed_on.isoformat(),
        "due_on": f.due_on.isoformat(),
        "on_time": f.on_time,
        "filed_by": f.filed_by,
    }
    if with_report:
        out["report"] = f.report
    return out
