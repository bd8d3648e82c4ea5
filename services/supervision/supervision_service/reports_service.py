"""RPC entrypoints of the yearly assessment, the statistics report and the satisfaction surveys.

``ReportEntrypoints`` is a mixin: ``SupervisionService(ReportEntrypoints, ServiceBase)`` inherits its entrypoints
and dependencies. The rules are in the pure modules (``assessment``, ``indicators``, ``annual_report``); these
methods read the local facts in a short read session, then ask the other services (``facts``; no session held
across a call), then write what is kept.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from enforcement_contracts import supervision_reports as contract
from enforcement_contracts.common import PageQuery
from enforcement_contracts.errors import Conflict, Forbidden, ValidationFailed
from enforcement_kernel import access
from enforcement_kernel.config import setting
from enforcement_kernel.rpc import load, rpc
from enforcement_kernel.service import Configured

from . import annual_report, facts
from .assessment import Indicator, Policy, assess, check_policy, load_indicators, not_assessed
from .operations import assessments, filings, surveys


@dataclass(frozen=True)
class ReportsSettings:
    """The assessment policy, the installed indicators and the report settings, checked once at start: a service
    with weights not adding up to 100 (or naming an indicator not installed) refuses to start, saying which."""

    policy: Policy
    indicators: dict[str, Indicator]
    report: annual_report.ReportSettings

    @classmethod
    def from_config(cls, config: dict) -> ReportsSettings:
        policy = Policy.from_settings(setting(config, "ASSESSMENT", {}) or {})
        indicators = load_indicators()
        check_policy(policy, indicators)
        return cls(
            policy, indicators, annual_report.ReportSettings.from_settings(setting(config, "ANNUAL_REPORT", {}) or {})
        )


class ReportEntrypoints:
    """Mixed into the supervision service (before ServiceBase, which provides ``db``, ``_read``, ``_write`` and
    ``today``; the service class provides ``services``, its ``Rpc`` to personnel, training and cases)."""

    reports = Configured(ReportsSettings.from_config)

    def _facts(self, year: int):
        local = self._read(facts.local_facts, year)
        return facts.gather(local, facts.RpcFactSource(self.services), year)

    # 评议考核
    @rpc
    def run_assessment(self, actor, payload):
        """Score every agency with enforcement duties for the year, rank those with data and keep the run (the bureau
        only)."""
        data = load(contract.AssessmentRunCreate, payload)
        access.require_bureau(actor)
        policy = self.reports.policy
        year_facts = self._facts(data["year"])
        ranking = assess(year_facts, policy, self.reports.indicators)
        left_out = not_assessed(year_facts, policy)
        return self._write(assessments.record_run, data["year"], policy, ranking, left_out, actor["username"])

    @rpc
    def latest_assessment(self, actor, year):
        query = load(contract.YearQuery, {"year": year})
        access.require_bureau(actor)
        return self._read(assessments.latest_run, query["year"])

    # 行政执法统计年报
    def _report(self, actor: dict, payload: dict) -> dict:
        query = load(contract.ReportQuery, payload)
        if actor["role"] == "officer":
            raise Forbidden("an officer reads their own records, not the agency's report")
        agency_code = access.query_agency(actor, query.get("agency_code"))  # an agency admin: their own only
        year_facts = self._facts(query["year"])
        if agency_code is not None and agency_code not in {f.agency_code for f in year_facts}:
            raise ValidationFailed(f"unknown agency {agency_code}", {"agency_code": [f"unknown agency {agency_code}"]})
        type_names = facts.RpcFactSource(self.services).type_names()
        return annual_report.build_report(
            query["year"], year_facts, type_names, self.reports.report, self.today(), agency_code
        )

    @rpc
    def annual_report(self, actor, payload):
        return self._report(actor, payload)

    @rpc
    def export_annual_report(self, actor, payload):
        """The report as .xlsx, one sheet per section (base64: the RPC wire carries JSON only)."""
        report = self._report(actor, payload)
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
        data = load(contract.ReportFilingCreate, payload)
        scope = annual_report.filing_scope(actor, data["agency_code"])
        today, year = self.today(), data["year"]
        problem = annual_report.filing_year_problem(year, today)
        if problem:
            raise ValidationFailed(problem, {"year": [problem]})
        self._read(filings.refuse_second_filing, year, scope)
        report = self._report(
            actor, {"year": year} if scope == annual_report.COUNTY else {"year": year, "agency_code": scope}
        )
        due_on = self.reports.report.due_on(year)
        try:
            return self._write(filings.record_filing, year, scope, report, due_on, today, actor["username"])
        except IntegrityError:  # filed by someone else in the meantime
            raise Conflict(f"the {year} report of {scope} is already filed", {"year": ["already filed"]}) from None

    @rpc
    def annual_report_filings(self, actor, year):
        """Who has filed the year's report, when, and who is overdue: the county and every agency for the bureau,
        their own agency for an agency admin."""
        query = load(contract.YearQuery, {"year": year})
        if actor["role"] not in ("bureau", "agency_admin"):
            raise Forbidden("only the bureau and agency admins see report filings")
        scope = access.scope_agency(actor)
        agencies = facts.assessed_agencies(facts.RpcFactSource(self.services).agencies())
        wanted = [
            (a["code"], a.get("name", a["code"]))
            for a in sorted(agencies, key=lambda a: a["code"])
            if scope is None or a["code"] == scope
        ]
        if scope is None:
            wanted.insert(0, (annual_report.COUNTY, "全县 county"))
        due_on = self.reports.report.due_on(query["year"])
        return self._read(filings.filing_list, query["year"], wanted, due_on, self.today())

    @rpc
    def get_annual_report_filing(self, actor, filing_id):
        """One filing with the report as filed."""
        return self._read(filings.read_filing, actor, filing_id)

    # 执法公示: the reports as filed, for anyone
    @rpc
    def public_annual_reports(self, query):
        """Public: the reports filed for a year (the county's and each agency's), a page at a time."""
        return self._read(filings.public_filings, load(contract.PublicReportQuery, query or {}))

    @rpc
    def public_annual_report(self, year, scope):
        """Public: one report as filed; 404 until it is filed."""
        year = load(contract.YearQuery, {"year": year})["year"]
        return self._read(filings.public_report, year, str(scope))

    # 满意度测评
    @rpc
    def record_satisfaction(self, actor, payload):
        """A third party's survey result for an agency and year; recording it again replaces it (the bureau only)."""
        data = load(contract.SatisfactionRecord, payload)
        access.require_bureau(actor)
        if data["surveyed_on"] > self.today() or data["surveyed_on"].year < data["year"]:
            raise ValidationFailed(
                "the survey date is out of range",
                {"surveyed_on": [f"must lie between the start of {data['year']} and today"]},
            )
        known = {a["code"] for a in facts.assessed_agencies(facts.RpcFactSource(self.services).agencies())}
        if data["agency_code"] not in known:
            raise ValidationFailed(
                f"unknown agency {data['agency_code']}",
                {"agency_code": [f"not an assessed agency: {data['agency_code']}"]},
            )
        return self._write(surveys.record_survey, data, actor["username"])

    @rpc
    def list_satisfaction(self, actor, year, query=None):
        year = load(contract.YearQuery, {"year": year})["year"]
        return self._read(surveys.list_surveys, actor, year, load(PageQuery, query or {}))
