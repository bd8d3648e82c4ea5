"""The cases service's entry points: thin routing from RPC to ``operations``."""

from __future__ import annotations

import base64
import binascii
import logging

from enforcement_contracts.cases import benchmarks as benchmarks_contract
from enforcement_contracts.cases import catalogue as catalogue_contract
from enforcement_contracts.cases import common as common_contract
from enforcement_contracts.cases import legal_review as legal_review_contract
from enforcement_contracts.cases import procedure as procedure_contract
from enforcement_contracts.cases import promptness as promptness_contract
from enforcement_contracts.cases import public as public_contract
from enforcement_contracts.cases import publication as publication_contract
from enforcement_contracts.cases import statistics as statistics_contract
from enforcement_contracts.common import PageQuery
from enforcement_contracts.errors import NotFound, ValidationFailed
from enforcement_kernel import clock
from enforcement_kernel import metrics as kernel_metrics
from enforcement_kernel.config import setting
from enforcement_kernel.rpc import Rpc, load, rpc
from enforcement_kernel.service import Configured, ServiceBase
from enforcement_kernel.spreadsheets import Limits
from enforcement_kernel.timers import configured_timer

from .document_entrypoints import DocumentEntrypoints
from .followup_entrypoints import FollowupEntrypoints
from .operations import (
    benchmarks,
    cases,
    catalogue,
    common,
    deadlines,
    imports,
    legal_reviews,
    promptness,
    public,
    publication,
    reporting,
)
from .oversight_entrypoints import OversightEntrypoints
from .personnel import PersonnelPort
from .records_entrypoints import RecordsEntrypoints

log = logging.getLogger(__name__)


def _int(value, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(f"{what} {value} not found") from None


class CasesService(DocumentEntrypoints, RecordsEntrypoints, OversightEntrypoints, FollowupEntrypoints, ServiceBase):
    name = common_contract.SERVICE

    settings = Configured(common.Settings.from_config)
    cipher = Configured(common.cipher_from_config)
    import_max_rows = Configured(lambda config: int(setting(config, "CASES.import_max_rows", 5000)))
    sheet_limits = Configured(Limits.from_config)  # SPREADSHEETS: what an uploaded .xlsx may unpack to and hold
    services = Rpc()  # timed calls to the personnel service: certificates, legal reviewers, agencies

    @property
    def personnel(self) -> PersonnelPort:
        return PersonnelPort(self.services)

    # catalogue
    @rpc
    def list_item_types(self, query=None):
        return self._read(catalogue.list_types, load(PageQuery, query or {}))

    @rpc
    def create_item(self, actor, payload):
        return self._write(
            catalogue.create_item, actor, load(catalogue_contract.ItemCreate, payload), self.personnel, self.today()
        )

    @rpc
    def change_item(self, actor, item_id, payload):
        return self._write(catalogue.change_item, actor, item_id, load(catalogue_contract.ItemChange, payload))

    @rpc
    def cancel_item(self, actor, item_id, payload):
        return self._write(catalogue.cancel_item, actor, item_id, load(catalogue_contract.ItemCancel, payload))

    @rpc
    def get_item(self, item_id):
        return self._read(catalogue.read_item, item_id)

    @rpc
    def list_items(self, query=None):
        return self._read(catalogue.list_items, load(catalogue_contract.ItemQuery, query or {}))

    @rpc
    def dormant_items(self, actor, query=None):
        return self._read(
            catalogue.dormant_items,
            actor,
            load(catalogue_contract.DormantQuery, query or {}),
            self.settings,
            self.today(),
        )

    # benchmarks, lenient lists, major-decision list
    @rpc
    def set_benchmark(self, actor, item_id, payload):
        return self._write(benchmarks.set_benchmark, actor, item_id, load(benchmarks_contract.BenchmarkSet, payload))

    @rpc
    def list_benchmarks(self, item_id, query=None):
        return self._read(benchmarks.read_benchmarks, item_id, load(PageQuery, query or {}))

    @rpc
    def add_lenient_entry(self, actor, payload):
        return self._write(benchmarks.add_lenient_entry, actor, load(benchmarks_contract.LenientEntryCreate, payload))

    @rpc
    def remove_lenient_entry(self, actor, entry_id, payload):
        return self._write(
            benchmarks.remove_lenient_entry,
            actor,
            _int(entry_id, "entry"),
            load(benchmarks_contract.LenientEntryRemove, payload),
        )

    @rpc
    def list_lenient(self, query=None):
        return self._read(benchmarks.list_lenient, load(benchmarks_contract.LenientQuery, query or {}))

    @rpc
    def add_major_rule(self, actor, payload):
        return self._write(
            benchmarks.add_major_rule, actor, load(benchmarks_contract.MajorRuleCreate, payload), self.personnel
        )

    @rpc
    def remove_major_rule(self, actor, rule_id):
        return self._write(benchmarks.remove_major_rule, actor, _int(rule_id, "rule"), self.today())

    @rpc
    def list_major_rules(self, actor, agency_code=None, query=None):
        return self._read(benchmarks.list_major_rules, actor, agency_code, load(PageQuery, query or {}))

    # cases
    @rpc
    def report_case(self, actor, payload):
        return self._write(
            reporting.report_case,
            actor,
            load(procedure_contract.CaseReport, payload),
            self.settings,
            self.personnel,
            self.cipher,
            self.today(),
        )

    @rpc
    def import_cases(self, actor, content_base64, dry_run=False):
        """An .xlsx file, base64-encoded (nameko's JSON wire carries no bytes): all rows or none."""
        try:
            content = base64.b64decode(content_base64 or "", validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise ValidationFailed("the file is not valid base64", {"file": ["not valid base64"]}) from None
        try:
            return self._write(
                imports.import_cases,
                actor,
                content,
                self.settings,
                self.personnel,
                self.cipher,
                self.today(),
                self.import_max_rows,
                bool(dry_run),
                self.sheet_limits,
            )
        except imports.DryRun as done:  # every row passed; the transaction was rolled back on purpose
            return done.result

    @rpc
    def get_case(self, actor, case_id):
        return self._read(cases.read_case, actor, case_id, self.settings, self.today())

    @rpc
    def list_cases(self, actor, query=None):
        return self._read(
            cases.list_cases,
            actor,
            load(procedure_contract.CaseQuery, query or {}),
            self.settings,
            self.today(),
        )

    @rpc
    def update_case(self, actor, case_id, payload):
        return self._write(
            reporting.update_case,
            actor,
            case_id,
            load(procedure_contract.CaseUpdate, payload),
            self.settings,
            self.personnel,
            self.today(),
        )

    @rpc
    def decide_case(self, actor, case_id, payload):
        return self._write(
            reporting.decide_case,
            actor,
            case_id,
            load(procedure_contract.Decision, payload),
            self.settings,
            self.personnel,
            self.today(),
        )

    @rpc
    def record_legal_review(self, actor, case_id, payload):
        return self._write(
            legal_reviews.record_legal_review,
            actor,
            case_id,
            load(legal_review_contract.LegalReviewCreate, payload),
            self.personnel,
            self.settings,
            self.today(),
        )

    # publication
    @rpc
    def publish_decision(self, actor, case_id, payload):
        return self._write(
            publication.publish_decision,
            actor,
            case_id,
            load(publication_contract.PublicationCreate, payload),
            self.settings,
            self.today(),
        )

    @rpc
    def revoke_decision(self, actor, case_id, payload):
        return self._write(
            publication.revoke_decision,
            actor,
            case_id,
            load(publication_contract.Revocation, payload),
            self.settings,
            self.today(),
        )

    @rpc
    def withdraw_publication(self, actor, case_id, payload):
        return self._write(
            publication.withdraw_publication,
            actor,
            case_id,
            load(publication_contract.PublicationWithdraw, payload),
            self.settings,
            self.today(),
        )

    @rpc
    def public_decisions(self, query=None):
        """Public: published decisions, without ID numbers, citizens' names masked."""
        return self._read(publication.public_decisions, load(publication_contract.PublicQuery, query or {}))

    @rpc
    def public_decision(self, case_id):
        """Public: one published decision (not withdrawn), as the list shows it."""
        return self._read(publication.public_decision, case_id)

    # the rest of 执法公示: catalogue, benchmarks, lenient lists (in force today), published draws
    @rpc
    def public_agencies(self):
        return self._read(public.public_agencies)

    @rpc
    def public_catalogue(self, query=None):
        return self._read(public.public_catalogue, load(public_contract.CatalogueQuery, query or {}), self.today())

    @rpc
    def public_item(self, item_id):
        return self._read(public.public_item, item_id, self.today())

    @rpc
    def public_benchmarks(self, query=None):
        return self._read(public.public_benchmarks, load(public_contract.BenchmarkQuery, query or {}), self.today())

    @rpc
    def public_lenient(self, query=None):
        return self._read(public.public_lenient, load(public_contract.LenientQuery, query or {}), self.today())

    @rpc
    def public_major_rules(self, query=None):
        return self._read(public.public_major_rules, load(public_contract.MajorListQuery, query or {}))

    @rpc
    def public_draws(self, query=None):
        return self._read(public.public_draws, load(public_contract.DrawQuery, query or {}))

    # promptness and statistics
    @rpc
    def promptness(self, actor, query=None):
        return self._read(promptness.promptness_table, actor, load(promptness_contract.PromptnessQuery, query or {}))

    @rpc
    def statistics(self, actor, query):
        return self._read(promptness.yearly_statistics, actor, load(statistics_contract.StatsQuery, query))

    @rpc
    def agency_case_facts(self, actor, year):
        """Per agency, one year's facts for the supervision service's assessment and statistics report."""
        return self._read(
            promptness.agency_case_facts,
            actor,
            load(statistics_contract.FactsQuery, {"year": year}),
            self.followup_deadlines,
            self.today(),
        )

    # the deadline watch
    @configured_timer("CASES.deadline_watch_seconds", 3600, eager=True)
    def watch_deadlines(self):
        """Hourly (and at start): each deadline passed with its obligation still open is announced once."""
        today, now = self.today(), clock.now()
        # every agency's promptness counters at 0 (personnel's list)
        kernel_metrics.zero_promptness_from("cases", lambda: [a["code"] for a in self.personnel.agencies()], 0)
        for kind in deadlines.WATCHED_KINDS:
            after = ""
            while after is not None:
                with self.db.transaction() as tx:
                    announced, after = deadlines.watch_deadlines(tx, kind, self.settings, today, now, after)
                if announced:
                    log.info("%d %s deadlines missed", announced, kind)
        if announced := self.watch_followups():  # corrections and accountability records (followup_* kinds)
            log.info("%d follow-up deadlines missed", announced)
