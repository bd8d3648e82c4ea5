"""Case documents: uploads in chunks, the document row, its chain entry and event, downloads in chunks, the list.

The gateway streams a file here over RPC: ``begin_upload`` checks who may attach what (the kind, its stage, its media
type, its size limit) before a byte is stored; ``append_chunk`` writes chunk ``seq`` at its offset of the upload's
partial file (a chunk delivered twice is written once: the row's ``next_seq`` says which come next); ``finish_upload``
checks the bytes are what they were sent as (magic bytes, archive limits for zip-based formats), moves the file into
the content store under its SHA-256 and, in one transaction, writes the document, its chain entry and
``cases.document.attached``. A refused upload leaves nothing behind: its partial file and its row are removed.
Abandoned uploads are removed by ``clean_abandoned`` (a timer).
"""

from __future__ import annotations

import base64
import binascii
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, delete, or_, select, update

from enforcement_contracts.cases import records as contract
from enforcement_contracts.errors import Conflict, NotFound, ValidationFailed
from enforcement_kernel import access
from enforcement_kernel.config import setting
from enforcement_kernel.db import utcnow
from enforcement_kernel.spreadsheets import ArchiveRefused, Limits, SpreadsheetError, check_archive, cooperate

from .. import models as m
from ..operations.cases import get_case, require_case_read
from ..operations.common import page_rows
from ..operations.reviews import is_reviewing
from . import chain, media
from .kinds import Catalogue, Kind, kind_catalogue
from .storage import ContentStore, hash_file

MB = 1024 * 1024


@dataclass(frozen=True)
class DocumentSettings:
    storage_dir: Path
    chunk_bytes: int = MB  # the gateway's chunk; a chunk may be at most 4 times this
    abandon_after_seconds: int = 3600  # an upload not finished within this is removed

    @classmethod
    def from_config(cls, config: dict) -> DocumentSettings:
        c = lambda key, default: setting(config, f"CASES.records.{key}", default)  # noqa: E731
        return cls(
            storage_dir=Path(str(c("storage_dir", "var/cases-documents"))),
            chunk_bytes=int(c("chunk_bytes", MB)),
            abandon_after_seconds=int(c("upload_abandon_seconds", 3600)),
        )

    @property
    def max_chunk_bytes(self) -> int:
        return 4 * self.chunk_bytes


def _size(count: int) -> str:
    return f"{count // MB} MiB" if count % MB == 0 else f"{count} bytes"


# --- pure checks -------------------------------------------------------------------------------------------------
def upload_problems(kind: Kind | None, code: str, stage: str, media_type: str, size: int | None) -> dict:
    """What is wrong with attaching a file of ``media_type`` and ``size`` as ``code`` at ``stage`` (field -> messages;
    empty: nothing). Each message names the rule it breaks."""
    if kind is None:
        return {"kind": [f"unknown document kind {code}"]}
    problems: dict[str, list[str]] = {}
    if stage not in kind.stages:
        problems["stage"] = [f"a {kind.code} ({kind.name}) belongs to the stages {', '.join(kind.stages)}"]
    if media_type not in kind.media_types:
        problems.setdefault("file", []).append(
            f"a {kind.code} is one of {', '.join(kind.media_types)}, not {media_type or 'an unnamed type'}"
        )
    if size is not None and size > kind.max_bytes:
        problems.setdefault("file", []).append(
            f"larger than the {_size(kind.max_bytes)} limit of a {kind.code} (max_bytes {kind.max_bytes})"
        )
    if size == 0:
        problems.setdefault("file", []).append("the file is empty: send it as the request body")
    return problems


def content_problem(media_type: str, head: bytes) -> str | None:
    """Why bytes starting with ``head`` are not a ``media_type`` file, or None."""
    if media.matches(media_type, head):
        return None
    return f"the file's content is {media.describe(head)}, not {media_type}"


def refuse(message: str, problems: dict) -> ValidationFailed:
    return ValidationFailed(message, problems)


# --- rows as answers ------------------------------------------------------------------------------------------------
def document_dict(doc: m.CaseDocument, chain_seq: int | None) -> dict:
    return {
        "document_id": doc.document_id,
        "case_id": doc.case_id,
        "kind": doc.kind,
        "stage": doc.stage,
        "title": doc.title,
        "media_type": doc.media_type,
        "size_bytes": doc.size_bytes,
        "sha256": doc.sha256,
        "catalogue_version": doc.catalogue_version,
        "uploaded_by": doc.uploaded_by,
        "uploaded_at": doc.uploaded_at.isoformat(),
        "chain_seq": chain_seq,
    }


def _upload_dict(upload: m.DocumentUpload, settings: DocumentSettings) -> dict:
    return {
        "upload_id": upload.upload_id,
        "max_bytes": upload.max_bytes,
        "chunk_bytes": settings.chunk_bytes,
        "next_seq": upload.next_seq,
        "received_bytes": upload.received_bytes,
    }


def _chain_seqs(session, case_id: str, document_ids: list[str]) -> dict[str, int]:
    if not document_ids:
        return {}
    rows = session.execute(
        select(m.RecordChainEntry.reference, m.RecordChainEntry.seq).where(
            m.RecordChainEntry.case_id == case_id,
            m.RecordChainEntry.entry_type == "document",
            m.RecordChainEntry.reference.in_(document_ids),
        )
    )
    return {row.reference: row.seq for row in rows}


# --- uploads --------------------------------------------------------------------------------------------------------
def begin_upload(tx, actor: dict, case_id: str, data: dict, settings: DocumentSettings) -> dict:
    """Check the upload before any byte: the case, the caller's right to change it, the kind, stage, media type and
    the declared size against the kind's limit. Returns the upload to send chunks to."""
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    catalogue: Catalogue = kind_catalogue(session)
    kind = catalogue.kind(data["kind"])
    problems = upload_problems(kind, data["kind"], data["stage"], data["media_type"], data.get("declared_size"))
    if problems:
        first = next(iter(problems))
        raise refuse(f"the upload was refused: {first}: {problems[first][0]}", problems)
    upload = m.DocumentUpload(
        upload_id=uuid.uuid4().hex,
        case_id=case.case_id,
        kind=kind.code,
        stage=data["stage"],
        title=data.get("title"),
        media_type=data["media_type"],
        declared_size=data.get("declared_size"),
        max_bytes=kind.max_bytes,
        catalogue_version=catalogue.version,
        next_seq=0,
        received_bytes=0,
        started_by=actor.get("username") or "",
        started_at=utcnow(),
    )
    session.add(upload)
    session.flush()
    return _upload_dict(upload, settings)


def _own_upload(session, actor: dict, upload_id) -> m.DocumentUpload:
    """The caller's own upload (another's is not found: an upload id is not a record anyone else reads)."""
    upload = session.get(m.DocumentUpload, upload_id) if isinstance(upload_id, str) else None
    if upload is None or upload.started_by != (actor.get("username") or ""):
        raise NotFound(f"upload {upload_id} not found")
    return upload


def _drop_upload(db, store: ContentStore, upload_id: str) -> None:
    """A refused or abandoned upload: its partial file, then its row (a crash between: the timer removes the row)."""
    store.discard_partial(upload_id)
    with db.transaction() as tx:
        tx.session.execute(delete(m.DocumentUpload).where(m.DocumentUpload.upload_id == upload_id))


def decode_chunk(data_base64, settings: DocumentSettings) -> bytes:
    try:
        data = base64.b64decode(data_base64 or "", validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise ValidationFailed("the chunk is not valid base64", {"file": ["not valid base64"]}) from None
    if len(data) > settings.max_chunk_bytes:
        raise ValidationFailed(
            "the chunk is too large", {"file": [f"a chunk is at most {settings.max_chunk_bytes} bytes"]}
        )
    return data


def append_chunk(db, actor: dict, upload_id, seq, data_base64, store: ContentStore, settings: DocumentSettings) -> dict:
    """Write chunk ``seq`` (0, 1, ...) at its place. A chunk already written (a redelivery, a retry) changes nothing;
    one that would take the file over the kind's limit removes the upload (400 naming the limit)."""
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValidationFailed("invalid chunk number", {"seq": ["must be a whole number from 0"]})
    data = decode_chunk(data_base64, settings)
    with db.read() as session:
        upload = _own_upload(session, actor, upload_id)
        state = _upload_dict(upload, settings)
        offset, limit, kind, finished = upload.received_bytes, upload.max_bytes, upload.kind, upload.document_id
    if state["next_seq"] > seq or finished is not None:
        return state  # written before: the file already holds it
    if seq > state["next_seq"]:
        raise Conflict(f"chunk {state['next_seq']} comes next, not {seq}", {"seq": [f"expected {state['next_seq']}"]})
    if offset + len(data) > limit:
        _drop_upload(db, store, upload_id)
        problem = f"larger than the {_size(limit)} limit of a {kind} (max_bytes {limit})"
        raise refuse(f"the upload was refused: file: {problem}", {"file": [problem]})
    # the bytes first, then the row: a crash between them leaves the row behind, and the chunk sent again is written
    # again at the same offset (no pause inside a write transaction: the file is written before it opens)
    store.write_at(upload_id, offset, data)
    with db.transaction() as tx:  # only if still next: the same chunk handled twice at once moves it once
        tx.session.execute(
            update(m.DocumentUpload)
            .where(m.DocumentUpload.upload_id == upload_id, m.DocumentUpload.next_seq == seq)
            .values(next_seq=seq + 1, received_bytes=offset + len(data))
        )
    return {**state, "next_seq": seq + 1, "received_bytes": offset + len(data)}


def _content_problems(path: Path, media_type: str, limits: Limits) -> str | None:
    with path.open("rb") as f:
        head = f.read(media.HEAD_BYTES)
    problem = content_problem(media_type, head)
    if problem is not None or media_type not in media.ZIP_BASED:
        return problem
    # a zip-based format: the spreadsheet uploads' archive checks, before anything opens it
    if path.stat().st_size > limits.max_file_bytes:
        return f"a zip-based file is at most {_size(limits.max_file_bytes)} (max_file_bytes)"
    try:
        check_archive(path.read_bytes(), limits)
    except ArchiveRefused as exc:
        return str(exc)
    except SpreadsheetError:
        return "the file is not a readable archive"
    return None


def finish_upload(db, actor: dict, upload_id, store: ContentStore, limits: Limits) -> dict:
    """Check the whole file, store it under its hash, and record it: the document, its chain entry and the event in
    one transaction. Finishing again answers the same document."""
    with db.read() as session:
        upload = _own_upload(session, actor, upload_id)
        if upload.document_id is not None:
            return read_document(session, actor, upload.case_id, upload.document_id)
        declared, received, media_type = upload.declared_size, upload.received_bytes, upload.media_type
        checked = upload.sha256
    if checked is not None and store.exists(checked):  # checked and stored by a finish whose transaction failed
        with db.transaction() as tx:
            return _record_document(tx, actor, upload_id, checked, received)
    path = store.partial_path(upload_id)
    if received > 0 and not path.is_file():
        raise Conflict(f"the bytes of upload {upload_id} are gone: upload the file again", {"upload_id": ["gone"]})
    problem = None
    if received == 0:
        problem = "the file is empty: send it as the request body"
    elif declared is not None and received != declared:
        problem = f"{received} bytes arrived of the {declared} declared"
    if problem is None:
        os.truncate(path, received)  # bytes past the last recorded chunk: a write whose row never committed
        problem = _content_problems(path, media_type, limits)
    if problem is not None:
        _drop_upload(db, store, upload_id)
        raise refuse(f"the upload was refused: file: {problem}", {"file": [problem]})
    sha = hash_file(path, cooperate)
    with db.transaction() as tx:  # remembered first: a finish sent again after a failure below finds the file
        tx.session.execute(update(m.DocumentUpload).where(m.DocumentUpload.upload_id == upload_id).values(sha256=sha))
    store.adopt(path, sha)
    # if the transaction fails the file stays: another upload of the same bytes may be committing a row naming it,
    # and a file no row names does no harm (the finish sent again records it)
    with db.transaction() as tx:
        return _record_document(tx, actor, upload_id, sha, received)


def _record_document(tx, actor: dict, upload_id: str, sha: str, size: int) -> dict:
    session = tx.session
    upload = session.get(m.DocumentUpload, upload_id)
    if upload is None:  # removed meanwhile (abandoned): the file stays only if another document holds it
        raise NotFound(f"upload {upload_id} not found")
    if upload.document_id is not None:  # a finish delivered twice at once: the first one recorded it
        return read_document(session, actor, upload.case_id, upload.document_id)
    case = get_case(session, upload.case_id)
    doc = m.CaseDocument(
        document_id=uuid.uuid4().hex,
        case_id=case.case_id,
        kind=upload.kind,
        stage=upload.stage,
        title=upload.title,
        media_type=upload.media_type,
        size_bytes=size,
        sha256=sha,
        catalogue_version=upload.catalogue_version,
        uploaded_by=upload.started_by,
        uploaded_at=utcnow(),
    )
    session.add(doc)
    upload.document_id = doc.document_id
    session.flush()
    entry = chain.append_entry(tx, case.case_id, "document", doc.document_id, sha, upload.started_by)
    tx.emit(
        contract.DOCUMENT_ATTACHED,
        {
            "document_id": doc.document_id,
            "case_id": case.case_id,
            "agency_code": case.agency_code,
            "kind": doc.kind,
            "stage": doc.stage,
            "size_bytes": size,
            "sha256": sha,
            "chain_seq": entry.seq,
            "entry_hash": entry.entry_hash,
        },
        subject=case.case_id,
    )
    return document_dict(doc, entry.seq)


def clean_abandoned(db, store: ContentStore, settings: DocumentSettings, now: datetime) -> int:
    """Remove uploads not finished within ``abandon_after_seconds`` (their partial files too), and the rows of
    finished ones as old (kept that long so a finish sent again answers the same document). Returns how many
    unfinished uploads were removed."""
    cutoff = now - timedelta(seconds=settings.abandon_after_seconds)
    with db.read() as session:
        stale = list(
            session.execute(
                select(m.DocumentUpload.upload_id).where(
                    m.DocumentUpload.started_at < cutoff, m.DocumentUpload.document_id.is_(None)
                )
            ).scalars()
        )
    for upload_id in stale:
        store.discard_partial(upload_id)
    with db.transaction() as tx:
        tx.session.execute(
            delete(m.DocumentUpload).where(
                m.DocumentUpload.started_at < cutoff,
                or_(m.DocumentUpload.document_id.is_not(None), m.DocumentUpload.upload_id.in_(stale)),
            )
        )
    return len(stale)


# --- reading --------------------------------------------------------------------------------------------------------
def require_documents_read(session, actor: dict, case: m.Case) -> None:
    """The case's access rules, and its reviewer (案卷评查): an officer of another agency assigned a file of the case
    that is not scored yet reads its documents."""
    if not is_reviewing(session, actor, case.case_id):
        require_case_read(actor, case)


def _readable_document(session, actor: dict, case_id, document_id) -> m.CaseDocument:
    """The case's document if the caller may read the case (the case's agency, its officers, the bureau, its
    reviewer): another agency's case is refused as every other read of it is (403), an unknown id is a 404."""
    case = get_case(session, case_id)
    require_documents_read(session, actor, case)
    doc = session.get(m.CaseDocument, document_id) if isinstance(document_id, str) else None
    if doc is None or doc.case_id != case.case_id:
        raise NotFound(f"document {document_id} not found")
    return doc


def read_document(session, actor: dict, case_id, document_id) -> dict:
    doc = _readable_document(session, actor, case_id, document_id)
    return document_dict(doc, _chain_seqs(session, doc.case_id, [doc.document_id]).get(doc.document_id))


def filename_of(doc: m.CaseDocument) -> str:
    extension = {
        "application/pdf": ".pdf",
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "audio/mpeg": ".mp3",
        "audio/mp4": ".m4a",
        "audio/wav": ".wav",
        "video/mp4": ".mp4",
        "video/quicktime": ".mov",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
        "application/ofd": ".ofd",
    }.get(doc.media_type, "")
    base = doc.title or f"{doc.kind}-{doc.document_id[:8]}"
    return base if base.lower().endswith(extension) else base + extension


def read_chunk(
    session, actor: dict, case_id, document_id, offset, length, store: ContentStore, settings: DocumentSettings
) -> dict:
    """``length`` bytes (at most the chunk limit) of the document's file from ``offset``, with its metadata."""
    for name, value in (("offset", offset), ("length", length)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValidationFailed(f"invalid {name}", {name: ["must be a whole number from 0"]})
    doc = _readable_document(session, actor, case_id, document_id)
    if offset > doc.size_bytes:
        raise ValidationFailed("offset past the end", {"offset": [f"the file has {doc.size_bytes} bytes"]})
    try:
        data = store.read_range(doc.sha256, offset, min(length, settings.max_chunk_bytes))
    except FileNotFoundError:
        raise NotFound(f"the file of document {document_id} is missing from the store") from None
    return {
        "document_id": doc.document_id,
        "offset": offset,
        "data_base64": base64.b64encode(data).decode(),
        "size_bytes": doc.size_bytes,
        "media_type": doc.media_type,
        "sha256": doc.sha256,
        "filename": filename_of(doc),
    }


def list_documents(session, actor: dict, case_id, query: dict) -> dict:
    case = get_case(session, case_id)
    require_documents_read(session, actor, case)
    conditions = [m.CaseDocument.case_id == case.case_id]
    for name in ("kind", "stage"):
        if query.get(name):
            conditions.append(getattr(m.CaseDocument, name) == query[name])
    stmt = (
        select(m.CaseDocument).where(and_(*conditions)).order_by(m.CaseDocument.uploaded_at, m.CaseDocument.document_id)
    )
    rows, total = page_rows(session, stmt, query)
    docs = [row[0] for row in rows]
    seqs = _chain_seqs(session, case.case_id, [d.document_id for d in docs])
    return {
        "items": [document_dict(d, seqs.get(d.document_id)) for d in docs],
        "total": total,
        "total_exact": True,
        "page": query.get("page", 1),
        "per_page": query.get("per_page", 50),
        "next": None,
    }
