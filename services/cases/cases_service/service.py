"""The cases service's entry points: thin routing from RPC to ``operations``."""

from __future__ import annotations

import base64
import binascii
import logging

from nameko.extensions import DependencyProvider

from enforcement_contracts import cases as contract
from enforcement_contracts.common import Actor
from enforcement_contracts.errors import NotFound, ValidationFailed
from enforcement_kernel import clock
from enforcement_kernel.config import setting
from enforcement_kernel.rpc import Rpc, load, rpc
from enforcement_kernel.service import ServiceBase
from enforcement_kernel.timers import configured_timer

from .operations import (
    benchmarks,
    cases,
    catalogue,
    common,
    deadlines,
    imports,
    inspections,
    legal_reviews,
    promptness,
    publication,
    reporting,
    reviews,
    transfers,
)
from .personnel import PersonnelPort

log = logging.getLogger(__name__)


class CasesContext(DependencyProvider):
    """Settings and the personal-data cipher, built once from the container's config."""

    def setup(self):
        self.settings = common.Settings.from_config(self.container.config)
        self.cipher = common.cipher_from_config(self.container.config)
        self.import_max_rows = int(setting(self.container.config, "CASES.import_max_rows", 5000))

    def get_dependency(self, worker_ctx):
        return self


def _int(value, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(f"{what} {value} not found") from None


class CasesService(ServiceBase):
    name = contract.SERVICE

    context = CasesContext()
    cluster = Rpc()  # timed calls to the personnel service: certificates, legal reviewers, agencies

    @property
    def personnel(self) -> PersonnelPort:
        return PersonnelPort(self.cluster)

    # catalogue
    @rpc
    def list_item_types(self):
        return self._read(catalogue.list_types)

    @rpc
    def create_item(self, actor, payload):
        return self._write(
            catalogue.create_item, load(Actor, actor), load(contract.ItemCreate, payload), self.personnel, self.today()
        )

    @rpc
    def change_item(self, actor, item_id, payload):
        return self._write(catalogue.change_item, load(Actor, actor), item_id, load(contract.ItemChange, payload))

    @rpc
    def cancel_item(self, actor, item_id, payload):
        return self._write(catalogue.cancel_item, load(Actor, actor), item_id, load(contract.ItemCancel, payload))

    @rpc
    def get_item(self, item_id):
        return self._read(catalogue.read_item, item_id)

    @rpc
    def list_items(self, query=None):
        return self._read(catalogue.list_items, load(contract.ItemQuery, query or {}))

    @rpc
    def dormant_items(self, actor, query=None):
        return self._read(
            catalogue.dormant_items,
            load(Actor, actor),
            load(contract.DormantQuery, query or {}),
            self.context.settings,
            self.today(),
        )

    # benchmarks, lenient lists, major-decision list
    @rpc
    def set_benchmark(self, actor, item_id, payload):
        return self._write(benchmarks.set_benchmark, load(Actor, actor), item_id, load(contract.BenchmarkSet, payload))

    @rpc
    def list_benchmarks(self, item_id):
        return self._read(benchmarks.read_benchmarks, item_id)

    @rpc
    def add_lenient_entry(self, actor, payload):
        return self._write(benchmarks.add_lenient_entry, load(Actor, actor), load(contract.LenientEntryCreate, payload))

    @rpc
    def remove_lenient_entry(self, actor, entry_id, payload):
        return self._write(
            benchmarks.remove_lenient_entry,
            load(Actor, actor),
            _int(entry_id, "entry"),
            load(contract.LenientEntryRemove, payload),
        )

    @rpc
    def list_lenient(self, query=None):
        return self._read(benchmarks.list_lenient, load(contract.LenientQuery, query or {}))

    @rpc
    def add_major_rule(self, actor, payload):
        return self._write(
            benchmarks.add_major_rule, load(Actor, actor), load(contract.MajorRuleCreate, payload), self.personnel
        )

    @rpc
    def remove_major_rule(self, actor, rule_id):
        return self._write(benchmarks.remove_major_rule, load(Actor, actor), _int(rule_id, "rule"), self.today())

    @rpc
    def list_major_rules(self, actor, agency_code=None):
        return self._read(benchmarks.list_major_rules, load(Actor, actor), agency_code)

    # cases
    @rpc
    def report_case(self, actor, payload):
        return self._write(
            reporting.report_case,
            load(Actor, actor),
            load(contract.CaseReport, payload),
            self.context.settings,
            self.personnel,
            self.context.cipher,
            self.today(),
        )

    @rpc
    def import_cases(self, actor, content_base64, dry_run=False):
        """An .xlsx file, base64-encoded (nameko's JSON wire carries no bytes): all rows or none."""
        actor = load(Actor, actor)
        try:
            content = base64.b64decode(content_base64 or "", validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise ValidationFailed("the file is not valid base64", {"file": ["not valid base64"]}) from None
        try:
            return self._write(
                imports.import_cases,
                actor,
                content,
                self.context.settings,
                self.personnel,
                self.context.cipher,
                self.today(),
                self.context.import_max_rows,
                bool(dry_run),
            )
        except imports.DryRun as done:  # every row passed; the transaction was rolled back on purpose
            return done.result

    @rpc
    def get_case(self, actor, case_id):
        return self._read(cases.read_case, load(Actor, actor), case_id, self.context.settings, self.today())

    @rpc
    def list_cases(self, actor, query=None):
        return self._read(
            cases.list_cases,
            load(Actor, actor),
            load(contract.CaseQuery, query or {}),
            self.context.settings,
            self.today(),
        )

    @rpc
    def update_case(self, actor, case_id, payload):
        return self._write(
            reporting.update_case,
            load(Actor, actor),
            case_id,
            load(contract.CaseUpdate, payload),
            self.context.settings,
            self.personnel,
            self.today(),
        )

    @rpc
    def decide_case(self, actor, case_id, payload):
        return self._write(
            reporting.decide_case,
            load(Actor, actor),
            case_id,
            load(contract.Decision, payload),
            self.context.settings,
            self.personnel,
            self.today(),
        )

    @rpc
    def record_legal_review(self, actor, case_id, payload):
        return self._write(
            legal_reviews.record_legal_review,
            load(Actor, actor),
            case_id,
            load(contract.LegalReviewCreate, payload),
            self.personnel,
            self.today(),
        )

    # publication
    @rpc
    def publish_decision(self, actor, case_id, payload):
        return self._write(
            publication.publish_decision,
            load(Actor, actor),
            case_id,
            load(contract.PublicationCreate, payload),
            self.context.settings,
            self.today(),
        )

    @rpc
    def revoke_decision(self, actor, case_id, payload):
        return self._write(
            publication.revoke_decision,
            load(Actor, actor),
            case_id,
            load(contract.Revocation, payload),
            self.context.settings,
            self.today(),
        )

    @rpc
    def withdraw_publication(self, actor, case_id, payload):
        return self._write(
            publication.withdraw_publication,
            load(Actor, actor),
            case_id,
            load(contract.PublicationWithdraw, payload),
            self.context.settings,
            self.today(),
        )

    @rpc
    def public_decisions(self, query=None):
        """Public: published decisions, without ID numbers, citizens' names masked."""
        return self._read(publication.public_decisions, load(contract.PublicQuery, query or {}))

    # promptness and statistics
    @rpc
    def promptness(self, actor, query=None):
        return self._read(promptness.promptness_table, load(Actor, actor), load(contract.PromptnessQuery, query or {}))

    @rpc
    def statistics(self, actor, query):
        return self._read(promptness.yearly_statistics, load(Actor, actor), load(contract.StatsQuery, query))

    @rpc
    def agency_case_facts(self, actor, year):
        """Per agency, one year's facts for the supervision service's assessment and statistics report."""
        return self._read(promptness.agency_case_facts, load(Actor, actor), load(contract.FactsQuery, {"year": year}))

    # transfers (案件移送)
    @rpc
    def propose_transfer(self, actor, case_id, payload):
        return self._write(
            transfers.propose_transfer,
            load(Actor, actor),
            case_id,
            load(contract.TransferCreate, payload),
            self.personnel,
            self.today(),
        )

    @rpc
    def decide_transfer(self, actor, transfer_id, payload):
        return self._write(
            transfers.decide_transfer,
            load(Actor, actor),
            transfer_id,
            load(contract.TransferDecision, payload),
            self.context.settings,
            self.today(),
        )

    @rpc
    def hand_over_transfer(self, actor, transfer_id, payload):
        return self._write(
            transfers.hand_over_transfer,
            load(Actor, actor),
            transfer_id,
            load(contract.TransferHandover, payload),
            self.context.settings,
            self.today(),
        )

    @rpc
    def acknowledge_transfer(self, actor, transfer_id, payload):
        return self._write(
            transfers.acknowledge_transfer,
            load(Actor, actor),
            transfer_id,
            load(contract.TransferAcknowledge, payload),
            self.context.settings,
            self.today(),
        )

    @rpc
    def get_transfer(self, actor, transfer_id):
        return self._read(transfers.read_transfer, load(Actor, actor), transfer_id)

    @rpc
    def list_transfers(self, actor, query=None):
        return self._read(transfers.list_transfers, load(Actor, actor), load(contract.TransferQuery, query or {}))

    # enterprise inspections (涉企行政检查) and double-random draws
    @rpc
    def upload_directory(self, actor, payload):
        return self._write(
            inspections.upload_directory, load(Actor, actor), load(contract.DirectoryUpload, payload), self.personnel
        )

    @rpc
    def record_inspection(self, actor, payload):
        return self._write(
            inspections.record_inspection,
            load(Actor, actor),
            load(contract.InspectionCreate, payload),
            self.context.settings,
            self.personnel,
            self.today(),
        )

    @rpc
    def list_inspections(self, actor, query=None):
        return self._read(inspections.list_inspections, load(Actor, actor), load(contract.InspectionQuery, query or {}))

    @rpc
    def make_draw(self, actor, payload):
        return self._write(
            inspections.make_draw,
            load(Actor, actor),
            load(contract.DrawCreate, payload),
            self.context.settings,
            self.personnel,
            self.today(),
        )

    @rpc
    def get_draw(self, actor, draw_id):
        return self._read(inspections.read_draw, load(Actor, actor), draw_id)

    @rpc
    def replay_draw(self, actor, draw_id):
        return self._read(inspections.replay_draw, load(Actor, actor), draw_id)

    @rpc
    def publish_draw(self, actor, draw_id, payload):
        return self._write(
            inspections.publish_draw, load(Actor, actor), draw_id, load(contract.DrawPublish, payload), self.today()
        )

    # case-file review (案卷评查)
    @rpc
    def create_checklist(self, actor, payload):
        return self._write(
            reviews.create_checklist, load(Actor, actor), load(contract.ChecklistCreate, payload), self.context.settings
        )

    @rpc
    def list_checklists(self):
        return self._read(reviews.list_checklists)

    @rpc
    def draw_review_batch(self, actor, payload):
        return self._write(
            reviews.draw_review_batch, load(Actor, actor), load(contract.ReviewBatchCreate, payload), self.today()
        )

    @rpc
    def get_review_batch(self, actor, batch_id):
        return self._read(reviews.read_batch, load(Actor, actor), batch_id)

    @rpc
    def assign_reviewers(self, actor, batch_id, payload):
        return self._write(
            reviews.assign_reviewers, load(Actor, actor), batch_id, load(contract.ReviewAssign, payload), self.personnel
        )

    @rpc
    def score_review_file(self, actor, file_id, payload):
        return self._write(
            reviews.score_review_file,
            load(Actor, actor),
            file_id,
            load(contract.ReviewScore, payload),
            self.context.settings,
            self.today(),
        )

    @rpc
    def list_review_files(self, actor, query=None):
        return self._read(reviews.list_review_files, load(Actor, actor), load(contract.ReviewFileQuery, query or {}))

    # the deadline watch
    @configured_timer("CASES.deadline_watch_seconds", 3600, eager=True)
    def watch_deadlines(self):
        """Hourly (and at start): each deadline passed with its obligation still open is announced once."""
        today, now = self.today(), clock.now()
        for kind in deadlines.WATCHED_KINDS:
            after = ""
            while after is not None:
                with self.db.transaction() as tx:
                    announced, after = deadlines.watch_deadlines(tx, kind, self.context.settings, today, now, after)
                if announced:
                    log.info("%d %s deadlines missed", announced, kind)
