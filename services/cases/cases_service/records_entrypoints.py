"""The cases service's records entry points (issue 15): the document-kind catalogue, whole-process recordings, the
records checks of a case and the verification of its hash chain. ``CasesService`` (service.py) inherits them; they
only route to ``records``. ``self.store`` is the content store (document_entrypoints)."""

from __future__ import annotations

from enforcement_contracts.cases import records as records_contract
from enforcement_kernel.rpc import load, rpc

from .operations.cases import get_case, require_case_read
from .records import completeness, recordings
from .records.kinds import kind_catalogue


def _catalogue(session) -> dict:
    catalogue = kind_catalogue(session)
    return records_contract.KindCatalogue().dump({**catalogue.as_dict(), "effective_from": catalogue.effective_from})


def _checks(session, actor, case_id, settings) -> dict:
    case = get_case(session, case_id)
    require_case_read(actor, case)
    return records_contract.RecordsChecks().dump(completeness.records_checks(session, case, settings))


class RecordsEntrypoints:
    """Mixed into ``CasesService``: nameko finds these entrypoints on the service class."""

    @rpc
    def document_kinds(self):
        """The current document-kind catalogue (public to every signed-in user: it is the county's rule)."""
        return self._read(_catalogue)

    @rpc
    def register_recording(self, actor, case_id, payload):
        return self._write(
            recordings.register_recording, actor, case_id, load(records_contract.RecordingCreate, payload)
        )

    @rpc
    def list_recordings(self, actor, case_id):
        return self._read(recordings.list_recordings, actor, case_id)

    @rpc
    def records_checks(self, actor, case_id):
        """The documents the case lacks (by kind) and whether it needs and has recordings."""
        return self._read(_checks, actor, case_id, self.settings.records)

    @rpc
    def verify_records(self, actor, case_id):
        """The case's hash chain recomputed and each file hashed again: altered entries, changed or missing files."""
        return self._read(recordings.verify_records, actor, case_id, self.store)
