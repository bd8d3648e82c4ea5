"""The cases service's document entry points (issue 15): uploads in chunks, downloads in chunks, the list, and the
timer that removes abandoned uploads. ``CasesService`` (service.py) inherits them; they only route to
``records.documents``."""

from __future__ import annotations

import logging

from enforcement_contracts.cases import records as records_contract
from enforcement_kernel.db import utcnow
from enforcement_kernel.rpc import load, rpc
from enforcement_kernel.service import Configured
from enforcement_kernel.timers import configured_timer

from .records import documents
from .records.storage import ContentStore

log = logging.getLogger(__name__)


def _store(config: dict) -> ContentStore:
    return ContentStore(documents.DocumentSettings.from_config(config).storage_dir)


class DocumentEntrypoints:
    """Mixed into ``CasesService``: nameko finds these entrypoints on the service class."""

    document_settings = Configured(documents.DocumentSettings.from_config)
    store = Configured(_store)  # CASES.records.storage_dir: files under their SHA-256

    @rpc
    def begin_document_upload(self, actor, case_id, payload):
        """Check kind, stage, media type and declared size before a byte is sent; the upload to send chunks to."""
        return self._write(
            documents.begin_upload,
            actor,
            case_id,
            load(records_contract.DocumentUploadStart, payload),
            self.document_settings,
        )

    @rpc
    def append_document_chunk(self, actor, upload_id, seq, data_base64):
        """Chunk ``seq`` (0, 1, ...) of an upload, base64-encoded; a chunk sent twice is written once."""
        return documents.append_chunk(self.db, actor, upload_id, seq, data_base64, self.store, self.document_settings)

    @rpc
    def finish_document_upload(self, actor, upload_id):
        """The file checked (magic bytes, archive limits), stored under its hash, recorded with its chain entry."""
        return documents.finish_upload(self.db, actor, upload_id, self.store, self.sheet_limits)

    @rpc
    def read_document_chunk(self, actor, case_id, document_id, offset, length):
        return self._read(
            documents.read_chunk, actor, case_id, document_id, offset, length, self.store, self.document_settings
        )

    @rpc
    def get_document(self, actor, case_id, document_id):
        return self._read(documents.read_document, actor, case_id, document_id)

    @rpc
    def list_documents(self, actor, case_id, query=None):
        return self._read(documents.list_documents, actor, case_id, load(records_contract.DocumentQuery, query or {}))

    @configured_timer("CASES.records.upload_cleanup_seconds", 600)
    def clean_abandoned_uploads(self):
        """Uploads not finished within CASES.records.upload_abandon_seconds are removed with their partial files."""
        removed = documents.clean_abandoned(self.db, self.store, self.document_settings, utcnow())
        if removed:
            log.info("%d abandoned document uploads removed", removed)
