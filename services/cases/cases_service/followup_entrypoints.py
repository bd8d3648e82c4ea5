"""The cases service's entry points for corrections (错案纠正) and accountability records (过错责任追究) after a
failing case file. ``CasesService`` (service.py) inherits them; they only route to ``operations.followups`` with the
service's ``followup_deadlines`` (``CASES.followups``) and ``today()``, and refresh the follow-up gauges after a
change."""

from __future__ import annotations

import logging

from enforcement_contracts.cases import followups as contract
from enforcement_kernel.config import setting
from enforcement_kernel.rpc import load, rpc
from enforcement_kernel.service import Configured

from .operations import followups
from .rules.followups import Deadlines

log = logging.getLogger(__name__)


class FollowupEntrypoints:
    """Mixed into ``CasesService``: nameko finds these entrypoints on the service class."""

    followup_deadlines = Configured(lambda config: Deadlines.from_section(setting(config, "CASES.followups", {})))

    def _followup_write(self, fn, actor, record_id, schema, payload):
        today = self.today()
        result = self._write(fn, actor, record_id, load(schema, payload), self.followup_deadlines, today)
        self._read(followups.publish_metrics, self.followup_deadlines, today)
        return result

    @rpc
    def list_followups(self, actor, query=None):
        return self._read(
            followups.list_followups,
            actor,
            load(contract.FollowupQuery, query or {}),
            self.followup_deadlines,
            self.today(),
        )

    @rpc
    def get_followup(self, actor, record_id):
        return self._read(followups.read_followup, actor, record_id, self.followup_deadlines, self.today())

    @rpc
    def assign_followup(self, actor, record_id, payload):
        return self._followup_write(followups.assign_followup, actor, record_id, contract.FollowupAssign, payload)

    @rpc
    def decide_followup(self, actor, record_id, payload):
        return self._followup_write(followups.decide_followup, actor, record_id, contract.FollowupDecide, payload)

    @rpc
    def close_followup(self, actor, record_id, payload):
        return self._followup_write(followups.close_followup, actor, record_id, contract.FollowupClose, payload)

    def watch_followups(self) -> int:
        """The deadline watch's part for follow-ups (called by ``CasesService.watch_deadlines``), then the gauges,
        with every agency personnel lists at 0 (when it answers; else those this service knows)."""
        today, after, announced = self.today(), 0, 0
        while after is not None:
            with self.db.transaction() as tx:
                n, after = followups.watch_followups(tx, self.followup_deadlines, today, after)
            announced += n
        try:
            agencies = [a["code"] for a in self.personnel.agencies()]
        except Exception as exc:  # personnel not up yet: the next run names them
            log.warning("cannot list the agencies for the follow-up gauges yet: %s", type(exc).__name__)
            agencies = []
        self._read(followups.publish_metrics, self.followup_deadlines, today, agencies)
        return announced
