"""RPC entrypoints of the yearly assessment, the statistics report and the satisfaction surveys.

``ReportEntrypoints`` is a mixin: ``SupervisionService(ReportEntrypoints, ServiceBase)`` inherits its entrypoints
and dependencies. The rules are in the pure modules (``assessment``, ``indicators``, ``annual_report``); these
methods read the local facts in a short read session, then ask the other services (``facts``; no session held
across a call), then write what is kept.
"""
from __future__ import annotations

import base64

from nameko.extensions import DependencyProvider
from sqlalchemy import select

from enforcement_contracts import supervision_reports as contract
from enforcement_contracts.common import Actor
from enforcement_contracts.errors import Forbidden, NotFound, ValidationFailed
from enforcement_kernel import access
from enforcement_kernel.config import setting
from enforcement_kernel.rpc import Rpc, load, rpc

from . import annual_report, facts
from . import reports_models as rm
from .assessment import Policy, assess, check_policy, load_indicators


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
    return {"run_id": run.id, "year": run.year, "weights": run.weights, "run_by": run.run_by,
            "run_at": run.run_at.isoformat(), "ranking": run.results}


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
            run = rm.AssessmentRun(year=data["year"], weights=dict(self.reports.policy.weights),
                                   results=[s.as_dict() for s in ranking], run_by=actor["username"])
            tx.session.add(run)
            tx.session.flush()
            return _run_dict(run)

    @rpc
    def latest_assessment(self, actor, year):
        actor, query = load(Actor, actor), load(contract.YearQuery, {"year": year})
        access.require_bureau(actor)
        with self.db.read() as session:
            run = session.execute(select(rm.AssessmentRun).where(rm.AssessmentRun.year == query["year"])
                                  .order_by(rm.AssessmentRun.id.desc()).limit(1)).scalar_one_or_none()
            if run is None:
                raise NotFound(f"no assessment run for {query['year']} yet")
            return _run_dict(run)

    # 行政执法统计年报
    def _report(self, actor: dict, payload: dict) -> dict:
        query = load(contract.ReportQuery, payload)
        if actor["role"] == "officer":
            raise Forbidden("an officer reads their own records, not the agency's report")
        scope = access.scope_agency(actor)  # an agency admin: their own agency's report only
        if scope is not None and query.get("agency_code") not in (None, scope):
            access.require_read(actor, query["agency_code"])
        agency_code = scope or query.get("agency_code")
        year_facts = self._facts(query["year"])
        if agency_code is not None and agency_code not in {f.agency_code for f in year_facts}:
            raise ValidationFailed(f"unknown agency {agency_code}", {"agency_code": [f"unknown agency {agency_code}"]})
        type_names = facts.RpcFactSource(self.fact_services).type_names()
        return annual_report.build_report(query["year"], year_facts, type_names, self.reports.report_settings,
                                          self.today(), agency_code)

    @rpc
    def annual_report(self, actor, payload):
        return self._report(load(Actor, actor), payload)

    @rpc
    def export_annual_report(self, actor, payload):
        """The report as .xlsx, one sheet per section (base64: the RPC wire carries JSON only)."""
        report = self._report(load(Actor, actor), payload)
        content = annual_report.workbook(report)
        return {"filename": f"annual-report-{report['year']}-{report['scope']}.xlsx",
                "media_type": contract.XLSX_MEDIA_TYPE, "content_base64": base64.b64encode(content).decode()}

    # 满意度测评
    @rpc
    def record_satisfaction(self, actor, payload):
        """A third party's survey result for an agency and year; recording it again replaces it (the bureau only)."""
        actor, data = load(Actor, actor), load(contract.SatisfactionRecord, payload)
        access.require_bureau(actor)
        if data["surveyed_on"] > self.today() or data["surveyed_on"].year < data["year"]:
            raise ValidationFailed("the survey date is out of range", {"surveyed_on": [
                f"must lie between the start of {data['year']} and today"]})
        known = {a["code"] for a in facts.assessed_agencies(facts.RpcFactSource(self.fact_services).agencies())}
        if data["agency_code"] not in known:
            raise ValidationFailed(f"unknown agency {data['agency_code']}",
                                   {"agency_code": [f"not an assessed agency: {data['agency_code']}"]})
        with self.db.transaction() as tx:
            S = rm.SatisfactionSurvey
            row = tx.session.execute(select(S).where(S.agency_code == data["agency_code"], S.year == data["year"])
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
    return {"agency_code": s.agency_code, "year": s.year, "score": s.score, "respondents": s.respondents,
            "surveyor": s.surveyor, "surveyed_on": s.surveyed_on.isoformat(), "note": s.note,
            "recorded_by": s.recorded_by}
