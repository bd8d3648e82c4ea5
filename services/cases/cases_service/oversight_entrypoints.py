"""The cases service's oversight entry points: transfers (案件移送), enterprise inspections (涉企行政检查) with their
double-random draws, and case-file review (案卷评查). ``CasesService`` (service.py) inherits them; like the rest they
only route to ``operations``, using the service's ``settings``, ``personnel`` and ``today()``."""

from __future__ import annotations

from enforcement_contracts.cases import inspections as inspections_contract
from enforcement_contracts.cases import reviews as reviews_contract
from enforcement_contracts.cases import transfers as transfers_contract
from enforcement_contracts.common import PageQuery
from enforcement_kernel.rpc import load, rpc

from .operations import inspections, reviews, transfers


class OversightEntrypoints:
    """Mixed into ``CasesService``: nameko finds these entrypoints on the service class."""

    # transfers (案件移送)
    @rpc
    def propose_transfer(self, actor, case_id, payload):
        return self._write(
            transfers.propose_transfer,
            actor,
            case_id,
            load(transfers_contract.TransferCreate, payload),
            self.personnel,
            self.today(),
        )

    @rpc
    def decide_transfer(self, actor, transfer_id, payload):
        return self._write(
            transfers.decide_transfer,
            actor,
            transfer_id,
            load(transfers_contract.TransferDecision, payload),
            self.settings,
            self.today(),
        )

    @rpc
    def hand_over_transfer(self, actor, transfer_id, payload):
        return self._write(
            transfers.hand_over_transfer,
            actor,
            transfer_id,
            load(transfers_contract.TransferHandover, payload),
            self.settings,
            self.today(),
        )

    @rpc
    def acknowledge_transfer(self, actor, transfer_id, payload):
        return self._write(
            transfers.acknowledge_transfer,
            actor,
            transfer_id,
            load(transfers_contract.TransferAcknowledge, payload),
            self.settings,
            self.today(),
        )

    @rpc
    def get_transfer(self, actor, transfer_id):
        return self._read(transfers.read_transfer, actor, transfer_id)

    @rpc
    def list_transfers(self, actor, query=None):
        return self._read(transfers.list_transfers, actor, load(transfers_contract.TransferQuery, query or {}))

    # enterprise inspections (涉企行政检查) and double-random draws
    @rpc
    def upload_directory(self, actor, payload):
        return self._write(
            inspections.upload_directory, actor, load(inspections_contract.DirectoryUpload, payload), self.personnel
        )

    @rpc
    def record_inspection(self, actor, payload):
        return self._write(
            inspections.record_inspection,
            actor,
            load(inspections_contract.InspectionCreate, payload),
            self.settings,
            self.personnel,
            self.today(),
        )

    @rpc
    def list_inspections(self, actor, query=None):
        return self._read(inspections.list_inspections, actor, load(inspections_contract.InspectionQuery, query or {}))

    @rpc
    def plan_draw(self, actor, payload):
        """Pools fixed, the seed's hash published; nothing drawn yet."""
        return self._write(
            inspections.plan_draw,
            actor,
            load(inspections_contract.DrawCreate, payload),
            self.settings,
            self.personnel,
            self.today(),
        )

    @rpc
    def execute_draw(self, actor, draw_id):
        """The planned draw made, its seed revealed."""
        return self._write(inspections.execute_draw, actor, draw_id, self.settings)

    @rpc
    def list_draws(self, actor, query=None):
        return self._read(inspections.list_draws, actor, load(inspections_contract.DrawQuery, query or {}))

    @rpc
    def get_draw(self, actor, draw_id):
        return self._read(inspections.read_draw, actor, draw_id)

    @rpc
    def replay_draw(self, actor, draw_id):
        return self._read(inspections.replay_draw, actor, draw_id)

    @rpc
    def publish_draw(self, actor, draw_id, payload):
        return self._write(
            inspections.publish_draw, actor, draw_id, load(inspections_contract.DrawPublish, payload), self.today()
        )

    # case-file review (案卷评查)
    @rpc
    def create_checklist(self, actor, payload):
        return self._write(
            reviews.create_checklist, actor, load(reviews_contract.ChecklistCreate, payload), self.settings
        )

    @rpc
    def list_checklists(self, query=None):
        return self._read(reviews.list_checklists, load(PageQuery, query or {}))

    @rpc
    def plan_review_batch(self, actor, payload):
        """The population fixed, the seed's hash published; no file drawn yet."""
        return self._write(
            reviews.plan_review_batch, actor, load(reviews_contract.ReviewBatchCreate, payload), self.today()
        )

    @rpc
    def execute_review_batch(self, actor, batch_id):
        """The planned batch drawn, its seed revealed."""
        return self._write(reviews.execute_review_batch, actor, batch_id, self.today())

    @rpc
    def replay_review_batch(self, actor, batch_id):
        return self._read(reviews.replay_review_batch, actor, batch_id)

    @rpc
    def list_review_batches(self, actor, query=None):
        return self._read(reviews.list_review_batches, actor, load(reviews_contract.ReviewBatchQuery, query or {}))

    @rpc
    def get_review_batch(self, actor, batch_id):
        return self._read(reviews.read_batch, actor, batch_id)

    @rpc
    def assign_reviewers(self, actor, batch_id, payload):
        return self._write(
            reviews.assign_reviewers, actor, batch_id, load(reviews_contract.ReviewAssign, payload), self.personnel
        )

    @rpc
    def score_review_file(self, actor, file_id, payload):
        return self._write(
            reviews.score_review_file,
            actor,
            file_id,
            load(reviews_contract.ReviewScore, payload),
            self.settings,
            self.today(),
        )

    @rpc
    def get_review_file(self, actor, file_id):
        return self._read(reviews.read_review_file, actor, file_id, self.settings)

    @rpc
    def list_review_files(self, actor, query=None):
        return self._read(reviews.list_review_files, actor, load(reviews_contract.ReviewFileQuery, query or {}))
