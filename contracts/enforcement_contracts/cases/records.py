"""A case's records (issue 15): the document-kind catalogue, the hash chain and its verification, whole-process
recordings (执法全过程记录), completeness, and (documents) the case documents. Events carry ids and hashes only:
never a file's contents."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from ..common import StrictSchema
from ..events import EventType, register
from .common import NOT_BLANK, SERVICE

# The case's stages as the kind catalogue names them, in order (filed_on ... closed_on; reviewed: 法制审核).
RECORD_STAGES = ("filed", "investigated", "noticed", "heard", "reviewed", "decided", "served", "executed", "closed")

KIND_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$", error="must be a lower-case code like service_receipt")

SHA256_HEX = validate.Regexp(r"^[0-9a-f]{64}$", error="must be a SHA-256 in lower-case hex (64 characters)")

CHAIN_ENTRY_TYPES = ("document", "recording")


# --- the document-kind catalogue -----------------------------------------------------------------------------------
class KindRequirement(StrictSchema):
    """The kind is required when the case's type is among ``types`` (absent: any), its procedure among
    ``procedures`` (absent: any) and every fact of ``when`` holds (filed, investigated, noticed, hearing_held,
    major, decided, served, executed, has_fine)."""

    types = fields.List(fields.String())
    procedures = fields.List(fields.String())
    when = fields.List(fields.String())


class DocumentKind(StrictSchema):
    code = fields.String(validate=KIND_CODE)
    name = fields.String(metadata={"description": "the kind's name (Chinese), e.g. 送达回证"})
    stages = fields.List(fields.String(validate=validate.OneOf(RECORD_STAGES)))
    required = fields.List(
        fields.Nested(KindRequirement), metadata={"description": "required when any of these holds; [] never"}
    )
    max_bytes = fields.Integer(metadata={"description": "the largest file of this kind accepted"})
    media_types = fields.List(fields.String(), metadata={"description": "the media types accepted"})


class KindCatalogue(StrictSchema):
    version = fields.Integer()
    effective_from = fields.Date()
    kinds = fields.List(fields.Nested(DocumentKind))


# --- the hash chain and its verification -----------------------------------------------------------------------------
class ChainEntry(StrictSchema):
    """``entry_hash = sha256(prev_hash + canonical JSON of case_id, seq, entry_type, reference, content_sha256,
    recorded_at, actor)``; the first entry's prev_hash is 64 zeros."""

    seq = fields.Integer()
    entry_type = fields.String(validate=validate.OneOf(CHAIN_ENTRY_TYPES))
    reference = fields.String(metadata={"description": "the document's or recording's id"})
    content_sha256 = fields.String(allow_none=True, metadata={"description": "null: a recording by reference only"})
    recorded_at = fields.DateTime()
    actor = fields.String()
    prev_hash = fields.String()
    entry_hash = fields.String()


class FileProblem(StrictSchema):
    seq = fields.Integer()
    entry_type = fields.String()
    reference = fields.String()
    sha256 = fields.String(metadata={"description": "the hash the chain holds for the file"})
    actual_sha256 = fields.String(metadata={"description": "changed files: the hash of the bytes now on disk"})


class RecordsVerification(StrictSchema):
    """The case's chain recomputed and each file hashed again."""

    case_id = fields.String()
    ok = fields.Boolean(metadata={"description": "nothing altered, missing or changed"})
    entries = fields.Integer()
    files_checked = fields.Integer()
    altered = fields.List(
        fields.Integer(), metadata={"description": "seqs of entries that no longer verify (an altered one and after)"}
    )
    gaps = fields.List(fields.Integer(), metadata={"description": "seqs missing from the chain"})
    changed = fields.List(fields.Nested(FileProblem), metadata={"description": "files whose bytes changed"})
    missing = fields.List(fields.Nested(FileProblem), metadata={"description": "files no longer in the store"})


# --- whole-process recordings (执法全过程记录) ------------------------------------------------------------------------
class RecordingCreate(StrictSchema):
    """A recording of on-site enforcement: the recorder (``device_id``), the officer, start and end, the place, and
    EITHER ``document_id`` (an uploaded document of kind ``recording`` of the same case) OR ``recorder_reference``
    (the recorder system's own id). ``ended_at`` is after ``started_at``; the officer is one of the case's."""

    device_id = fields.String(required=True, validate=[validate.Length(min=1, max=64), NOT_BLANK])
    officer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    started_at = fields.DateTime(required=True)
    ended_at = fields.DateTime(required=True)
    place = fields.String(required=True, validate=[validate.Length(min=1, max=200), NOT_BLANK])
    document_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=32))
    recorder_reference = fields.String(
        load_default=None, allow_none=True, validate=[validate.Length(min=1, max=128), NOT_BLANK]
    )

    @validates_schema
    def _source_and_period(self, data, **_kwargs):
        if (data.get("document_id") is None) == (data.get("recorder_reference") is None):
            raise ValidationError("give either document_id or recorder_reference, not both or neither", "document_id")
        started, ended = data.get("started_at"), data.get("ended_at")
        if started is not None and ended is not None:
            if (started.tzinfo is None) != (ended.tzinfo is None):
                raise ValidationError("must have a time zone if started_at has one, and none if not", "ended_at")
            if ended <= started:
                raise ValidationError("must be after started_at", "ended_at")


class Recording(StrictSchema):
    recording_id = fields.String()
    case_id = fields.String()
    device_id = fields.String()
    officer_id = fields.String()
    started_at = fields.DateTime(metadata={"description": "UTC"})
    ended_at = fields.DateTime(metadata={"description": "UTC"})
    place = fields.String()
    document_id = fields.String(allow_none=True)
    recorder_reference = fields.String(allow_none=True)
    content_sha256 = fields.String(allow_none=True)
    registered_by = fields.String()
    chain_seq = fields.Integer(metadata={"description": "the recording's entry in the case's hash chain"})


class RecordingRegistered(StrictSchema):
    """A whole-process recording was registered on a case (ids and hashes only)."""

    recording_id = fields.String(required=True)
    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    officer_id = fields.String(required=True)
    document_id = fields.String(required=True, allow_none=True)
    content_sha256 = fields.String(required=True, allow_none=True)
    chain_seq = fields.Integer(required=True)
    entry_hash = fields.String(required=True)


RECORDING_REGISTERED = register(
    EventType(
        SERVICE,
        "recording.registered",
        RecordingRegistered,
        1,
        "A whole-process recording (执法全过程记录) was registered on a case: ids and hashes only.",
    )
)


# --- completeness ----------------------------------------------------------------------------------------------------
class MissingDocument(StrictSchema):
    code = fields.String(metadata={"description": "the kind's code, e.g. service_receipt"})
    name = fields.String(metadata={"description": "the kind's name, e.g. 送达回证"})


# --- case documents (uploads, downloads, the list) --------------------------------------------------------------------
# The media types a document may be sent as: the ones the service can verify by the file's first bytes (a kind's
# catalogue entry allows some of these). Anything else is refused before a byte is stored.
DOCUMENT_MEDIA_TYPES = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "audio/mpeg",
    "audio/mp4",
    "audio/wav",
    "video/mp4",
    "video/quicktime",
    # zip-based: checked with the spreadsheet uploads' archive limits (SPREADSHEETS.*) before they are stored
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/ofd",
)


class DocumentUploadQuery(StrictSchema):
    """Where an uploaded file (the request body, sent as its media type) goes: its ``kind`` (a code of the kind
    catalogue), the ``stage`` it belongs to (one of the kind's stages) and an optional ``title``."""

    kind = fields.String(required=True, validate=KIND_CODE)
    stage = fields.String(required=True, validate=validate.OneOf(RECORD_STAGES))
    title = fields.String(load_default=None, validate=[validate.Length(min=1, max=200), NOT_BLANK])


class DocumentUploadStart(DocumentUploadQuery):
    """What the gateway tells the service before the first chunk: the query, the media type the file was sent as
    and the size its Content-Length declared (null when sent chunked)."""

    media_type = fields.String(required=True, validate=validate.Length(min=1, max=100))
    declared_size = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))


class DocumentUpload(StrictSchema):
    """An upload under way: send chunks 0, 1, ... of at most ``chunk_bytes`` each, then finish."""

    upload_id = fields.String()
    max_bytes = fields.Integer(metadata={"description": "the kind's limit"})
    chunk_bytes = fields.Integer()
    next_seq = fields.Integer()
    received_bytes = fields.Integer()


class Document(StrictSchema):
    document_id = fields.String()
    case_id = fields.String()
    kind = fields.String()
    stage = fields.String(validate=validate.OneOf(RECORD_STAGES))
    title = fields.String(allow_none=True)
    media_type = fields.String()
    size_bytes = fields.Integer()
    sha256 = fields.String(metadata={"description": "SHA-256 of the file's bytes (lower-case hex)"})
    catalogue_version = fields.Integer(metadata={"description": "the kind catalogue's version it was checked against"})
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime(metadata={"description": "UTC"})
    chain_seq = fields.Integer(
        allow_none=True, metadata={"description": "the document's entry in the case's hash chain"}
    )


class DocumentQuery(StrictSchema):
    """A case's documents a page at a time, oldest first; ``kind`` or ``stage`` narrow the list."""

    kind = fields.String(validate=KIND_CODE)
    stage = fields.String(validate=validate.OneOf(RECORD_STAGES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class DocumentChunk(StrictSchema):
    """A piece of a document's file (base64: the RPC's JSON carries no bytes) with what the download's headers say."""

    document_id = fields.String()
    offset = fields.Integer()
    data_base64 = fields.String()
    size_bytes = fields.Integer()
    media_type = fields.String()
    sha256 = fields.String()
    filename = fields.String()


class DocumentAttached(StrictSchema):
    """A document was attached to a case (ids, kind, stage, size and hash only: never the file)."""

    document_id = fields.String(required=True)
    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    kind = fields.String(required=True)
    stage = fields.String(required=True)
    size_bytes = fields.Integer(required=True)
    sha256 = fields.String(required=True, validate=SHA256_HEX, metadata={"example": "e3b0c442" * 8})
    chain_seq = fields.Integer(required=True)
    entry_hash = fields.String(required=True, validate=SHA256_HEX, metadata={"example": "9f86d081" * 8})


DOCUMENT_ATTACHED = register(
    EventType(
        SERVICE,
        "document.attached",
        DocumentAttached,
        1,
        "A document (a file of the case file, 案卷文书) was attached to a case at a stage: ids, kind, size and SHA-256 "
        "only.",
    )
)


class RecordsChecks(StrictSchema):
    """A case's records as its procedural checks see them now."""

    missing_documents = fields.List(
        fields.Nested(MissingDocument), metadata={"description": "kinds the catalogue requires that the case lacks"}
    )
    completeness_enforced = fields.Boolean(
        metadata={"description": "filed on or after CASES.records.required_from: closing waits for them"}
    )
    recording_required = fields.Boolean(metadata={"description": "the case needs whole-process recordings"})
    recordings = fields.Integer(metadata={"description": "recordings registered"})


class RecordingList(StrictSchema):
    items = fields.List(fields.Nested(Recording))
