"""The supervision service's entry points: thin routing from RPC, events and timers to ``operations``."""

from __future__ import annotations

import logging
import time

from enforcement_contracts import personnel as personnel_contract
from enforcement_contracts import supervision as contract
from enforcement_contracts.cases import benchmarks as cases_benchmarks_contract
from enforcement_contracts.cases import inspections as cases_inspections_contract
from enforcement_contracts.cases import promptness as cases_promptness_contract
from enforcement_contracts.cases import reviews as cases_reviews_contract
from enforcement_contracts.common import PageQuery, page
from enforcement_contracts.errors import ValidationFailed
from enforcement_contracts.training import compliance as training_compliance
from enforcement_kernel import metrics as kernel_metrics
from enforcement_kernel.handlers import consumes
from enforcement_kernel.rpc import Rpc, every_item, load, rpc
from enforcement_kernel.service import Configured, ServiceBase
from enforcement_kernel.timers import configured_timer

from . import facts, metrics
from .operations import automatic, bulletins, complaints, guidance, items, promptness, watches
from .operations.common import Settings, cipher_from_config
from .reports_service import ReportEntrypoints

log = logging.getLogger(__name__)

#: how this service identifies itself to personnel (it only reads the agency list)
SYSTEM = {"username": "supervision-service", "role": "system", "agency_code": None, "officer_id": None}
AGENCY_CACHE_SECONDS = 300


class AgencyCache:
    """The agency codes personnel knows, kept per process; asked again when a code is new or the list is old."""

    def __init__(self):
        self.codes: set[str] = set()
        self.fetched_at = 0.0

    def stale_for(self, code: str) -> bool:
        return code not in self.codes or time.monotonic() - self.fetched_at > AGENCY_CACHE_SECONDS

    def replace(self, codes: set[str]) -> None:
        self.codes, self.fetched_at = codes, time.monotonic()


class SupervisionService(ReportEntrypoints, ServiceBase):
    name = contract.SERVICE

    settings = Configured(Settings.from_config)
    cipher = Configured(cipher_from_config)  # the complainants' names and contact details
    agencies = Configured(lambda config: AgencyCache())
    services = Rpc()  # personnel's agency list; the reports' facts from personnel, training and cases

    def _known_agency(self, code: str) -> None:
        """An agency personnel has registered; asked again when the code is new or the list is old."""
        if self.agencies.stale_for(code):
            agencies = every_item(lambda page: self.services.personnel.list_agencies(SYSTEM, page))
            self.agencies.replace({a["code"] for a in agencies})
        if code not in self.agencies.codes:
            raise ValidationFailed(f"unknown agency {code}", {"agency_code": ["no such agency"]})

    # items
    @rpc
    def issue_item(self, actor, payload):
        return self._write(
            items.issue_item,
            actor,
            load(contract.ItemIssue, payload),
            self.settings,
            self._known_agency,
            self.today(),
        )

    @rpc
    def acknowledge_item(self, actor, item_id, payload=None):
        return self._act(actor, item_id, "acknowledge", load(contract.ItemNote, payload or {}))

    @rpc
    def answer_item(self, actor, item_id, payload):
        return self._act(actor, item_id, "answer", load(contract.ItemAnswer, payload))

    @rpc
    def return_item(self, actor, item_id, payload):
        return self._act(actor, item_id, "return", load(contract.ItemReturn, payload))

    @rpc
    def verify_item(self, actor, item_id, payload=None):
        return self._act(actor, item_id, "verify", load(contract.ItemNote, payload or {}))

    @rpc
    def close_item(self, actor, item_id, payload=None):
        return self._act(actor, item_id, "close", load(contract.ItemNote, payload or {}))

    def _act(self, actor, item_id, action, data):
        return self._write(items.act_on_item, actor, item_id, action, data, self.settings, self.today())

    @rpc
    def get_item(self, actor, item_id):
        return self._read(items.read_item, actor, item_id)

    @rpc
    def list_items(self, actor, query=None):
        return self._read(items.list_items, actor, load(contract.ItemQuery, query or {}))

    # bulletins (通报)
    @rpc
    def overdue_list(self, actor, query):
        return self._read(bulletins.overdue_list, actor, load(contract.OverdueQuery, query or {}))

    @rpc
    def publish_bulletin(self, actor, payload):
        return self._write(bulletins.publish_bulletin, actor, load(contract.BulletinPublish, payload), self.today())

    @rpc
    def list_bulletins(self, actor, query=None):  # any staff caller (the kernel checks ``actor``)
        return self._read(bulletins.list_bulletins, load(PageQuery, query or {}))

    # complaints (投诉举报)
    @rpc
    def register_complaint(self, payload):
        """Public: anyone may complain; the receipt says by when it will be accepted or refused."""
        return self._write(
            complaints.register_complaint,
            load(contract.ComplaintRegister, payload),
            self.settings,
            self.cipher,
            self._known_agency,
            self.today(),
        )

    @rpc
    def track_complaint(self, receipt_code):
        """Public: the complaint's progress by its receipt number (no complainant details, no complaint text)."""
        code = load(contract.ReceiptPath, {"receipt_code": receipt_code})["receipt_code"]
        return self._read(complaints.track_complaint, code)

    @rpc
    def complaint_agencies(self, query=None):
        """Public: the agencies a complaint may be about (every agency but the supervising bureau), by code."""
        query = load(PageQuery, query or {})
        agencies = every_item(lambda page: self.services.personnel.list_agencies(SYSTEM, page))
        rows = sorted(
            ({"code": a["code"], "name": a["name"]} for a in agencies if not a.get("is_supervisor")),
            key=lambda a: a["code"],
        )
        start = (query["page"] - 1) * query["per_page"]
        return page(contract.PublicAgency, rows[start : start + query["per_page"]], len(rows), query)

    @rpc
    def decide_complaint(self, actor, complaint_id, payload):
        return self._write(
            complaints.decide_complaint,
            actor,
            complaint_id,
            load(contract.ComplaintDecision, payload),
            self.settings,
            self.cipher,
            self.today(),
        )

    @rpc
    def extend_complaint(self, actor, complaint_id, payload):
        return self._write(
            complaints.extend_complaint,
            actor,
            complaint_id,
            load(contract.ComplaintExtension, payload),
            self.settings,
            self.cipher,
            self.today(),
        )

    @rpc
    def conclude_complaint(self, actor, complaint_id, payload):
        return self._write(
            complaints.conclude_complaint,
            actor,
            complaint_id,
            load(contract.ComplaintConclusion, payload),
            self.settings,
            self.cipher,
            self.today(),
        )

    @rpc
    def get_complaint(self, actor, complaint_id):
        return self._read(complaints.read_complaint, actor, complaint_id, self.cipher)

    @rpc
    def list_complaints(self, actor, query=None):
        return self._read(
            complaints.list_complaints,
            actor,
            load(contract.ComplaintQuery, query or {}),
            self.cipher,
        )

    # promptness
    @rpc
    def promptness_table(self, actor, query):
        return self._read(promptness.promptness_table, actor, load(contract.PromptnessTableQuery, query or {}))

    # timers
    @configured_timer("SUPERVISION.overdue_check_seconds", 60, eager=True)
    def mark_overdue(self):
        """Every minute (and at start): items past their deadline are marked and escalated, batch by batch."""
        while True:
            marked = self._write(items.mark_overdue, self.today())
            if marked:
                log.info("%d supervision items fell overdue", len(marked))
            if len(marked) < 500:
                break
        self.refresh_gauges()

    @configured_timer("SUPERVISION.deadline_watch_seconds", 3600, eager=True)
    def watch_deadlines(self):
        """Hourly (and at start): each complaint obligation open past its deadline is announced once, counted late
        and followed up."""
        today = self.today()
        for kind in watches.WATCHED_KINDS:
            after = 0
            while after is not None:
                announced, after = self._write(watches.watch_complaints, kind, self.settings, today, after)
                if announced:
                    log.info("%d %s deadlines missed", announced, kind)

    @configured_timer("ANNUAL_REPORT.watch_seconds", 21600)
    def watch_filings(self):
        """Every 6 hours (not at start: it asks personnel, which may start after this service): after the due date,
        each agency that has not filed last year's report is announced once, counted late and followed up."""
        today = self.today()
        year = today.year - 1
        due_on = self.reports.report.due_on(year)
        if today <= due_on:
            return
        agencies = facts.assessed_agencies(facts.RpcFactSource(self.services).agencies())
        announced = self._write(
            watches.watch_filings, year, [a["code"] for a in agencies], due_on, self.settings, today
        )
        if announced:
            log.info("%d yearly reports of %d not filed by %s", announced, year, due_on.isoformat())

    @configured_timer("SUPERVISION.gauges_refresh_seconds", 30, eager=True)
    def refresh_gauges(self):
        """Gauges from the database, so they survive restarts and agree across replicas."""
        metrics.publish(*self._read(promptness.gauge_figures, self.today()))
        # every agency x kind promptness counter at 0, from personnel's list every 5 minutes (new agencies too)
        kernel_metrics.zero_promptness_from(
            "supervision", lambda: [a["code"] for a in facts.RpcFactSource(self.services).agencies()], 300
        )

    # automatic supervision from the other services' events
    @consumes(personnel_contract.PROMPTNESS_MEASURED)
    def personnel_promptness(self, tx, envelope, data):
        automatic.on_promptness_measured(tx, envelope, data, self.settings, self.today())

    @consumes(cases_promptness_contract.PROMPTNESS_MEASURED)
    def cases_promptness(self, tx, envelope, data):
        automatic.on_promptness_measured(tx, envelope, data, self.settings, self.today())

    @consumes(cases_promptness_contract.DEADLINE_MISSED)
    def cases_deadline_missed(self, tx, envelope, data):
        automatic.on_deadline_missed(tx, envelope, data, self.settings, self.today())

    @consumes(personnel_contract.DEADLINE_MISSED)
    def personnel_deadline_missed(self, tx, envelope, data):
        automatic.on_deadline_missed(tx, envelope, data, self.settings, self.today())

    @consumes(cases_reviews_contract.REVIEW_FILE_SCORED)
    def review_file_scored(self, tx, envelope, data):
        automatic.on_review_scored(tx, envelope, data, self.settings, self.today())

    @consumes(cases_benchmarks_contract.BENCHMARK_FILED)
    def benchmark_filed(self, tx, envelope, data):
        automatic.on_benchmark_filed(tx, envelope, data, self.settings, self.today())

    @consumes(cases_benchmarks_contract.LENIENT_LIST_FILED)
    def lenient_list_filed(self, tx, envelope, data):
        automatic.on_lenient_list_filed(tx, envelope, data, self.settings, self.today())

    @consumes(cases_inspections_contract.INSPECTION_RECORDED)
    def inspection_recorded(self, tx, envelope, data):
        automatic.on_inspection_recorded(tx, envelope, data, self.settings, self.today())

    @consumes(training_compliance.OFFICER_SHORT_AT_YEAR_END)
    def officer_short_at_year_end(self, tx, envelope, data):
        automatic.on_officer_short(tx, envelope, data, self.settings, self.today())

    # sector guidance (personnel): a county department reads the items of the townships it guides
    @consumes(personnel_contract.GUIDANCE_ASSIGNED)
    def guidance_assigned(self, tx, envelope, data):
        guidance.apply_guidance_assigned(tx, data)

    @consumes(personnel_contract.GUIDANCE_ENDED)
    def guidance_ended(self, tx, envelope, data):
        guidance.apply_guidance_ended(tx, data)
