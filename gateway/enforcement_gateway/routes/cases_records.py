"""HTTP routes of the cases service: a case's records (issue 15): the document-kind catalogue, whole-process
recordings (执法全过程记录), the records checks and the verification of the case's hash chain. The service scopes them
(the bureau all; an agency its own cases); the gateway checks the role and validates the input.

Documents are uploaded and downloaded as files streamed a chunk at a time over RPC (services talk only over the broker;
the gateway holds no file whole): an upload's body is read from the request stream and sent to
``cases.append_document_chunk`` as it arrives, a download is a generator reading ``cases.read_document_chunk``. Every
download is audited, whoever asks."""

from __future__ import annotations

import base64
from urllib.parse import quote

from werkzeug.wrappers import Response

from enforcement_contracts.cases import records as r
from enforcement_contracts.common import page_of
from enforcement_contracts.errors import ServiceError

from ..routing import ADMINS, STAFF, Call, Route, forward

SERVICE = "cases"

CHUNK = 1024 * 1024  # bytes moved per RPC call (the service takes up to four times its chunk_bytes)


class UnsupportedDocumentType(ServiceError):
    status = 415
    code = "unsupported_media_type"

    def __init__(self):
        types = ", ".join(r.DOCUMENT_MEDIA_TYPES)
        super().__init__(
            f"send the file as one of {types}", {"_body": [f"Content-Type must be one of {types} (the file's type)"]}
        )


def _read_full(stream, size: int) -> bytes:
    """Up to ``size`` bytes: a WSGI stream may return fewer than asked before its end."""
    parts, wanted = [], size
    while wanted > 0:
        block = stream.read(wanted)
        if not block:
            break
        parts.append(block)
        wanted -= len(block)
    return b"".join(parts)


def upload_document(call: Call) -> dict:
    """Begin (every check that needs no byte), then the body a chunk at a time, then finish (the bytes checked, the
    file stored under its hash and recorded). A refusal at any step is the service's 400 naming the rule."""
    request = call.request
    if request.mimetype not in r.DOCUMENT_MEDIA_TYPES:
        raise UnsupportedDocumentType()
    cases = call.services(SERVICE)
    start = {**call.wire_query(), "media_type": request.mimetype, "declared_size": request.content_length}
    began = cases.begin_document_upload(call.actor, call.params["case_id"], start)
    chunk, seq = min(int(began["chunk_bytes"]), 4 * CHUNK), 0
    # a body sent chunked has no length: werkzeug's request.stream is then empty, the server's input decodes it
    chunked = request.headers.get("Transfer-Encoding", "").lower() == "chunked"
    stream = request.environ["wsgi.input"] if chunked else request.stream
    while data := _read_full(stream, chunk):
        cases.append_document_chunk(call.actor, began["upload_id"], seq, base64.b64encode(data).decode())
        seq += 1
    return cases.finish_document_upload(call.actor, began["upload_id"])


def download_document(call: Call) -> Response:
    """The file as stored, read a chunk at a time as the client takes it. The first chunk is read before answering,
    so a refusal (another agency: 403) or an unknown document (404) is an error answer, not a broken download."""
    cases = call.services(SERVICE)
    which = (call.actor, call.params["case_id"], call.params["document_id"])
    first = cases.read_document_chunk(*which, 0, CHUNK)
    head = base64.b64decode(first["data_base64"])
    size = int(first["size_bytes"])

    def body():
        yield head
        offset = len(head)
        while offset < size:
            data = base64.b64decode(cases.read_document_chunk(*which, offset, CHUNK)["data_base64"])
            if not data:  # shorter on disk than recorded: the verification command reports it
                return
            offset += len(data)
            yield data

    response = Response(body(), status=200, mimetype=first["media_type"], direct_passthrough=True)
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(first['filename'])}"
    response.headers["ETag"] = f'"{first["sha256"]}"'
    return response


ROUTES = [
    Route(
        "GET",
        "/document-kinds",
        forward("cases.document_kinds"),
        STAFF,
        "The document-kind catalogue in force: each kind's stages, when it is required, size limit and media types",
        "cases",
        response=r.KindCatalogue,
    ),
    Route(
        "POST",
        "/cases/<case_id>/recordings",
        forward("cases.register_recording", "actor", "path.case_id", "body"),
        ADMINS,
        "Register a whole-process recording (执法全过程记录): an uploaded recording or the recorder system's reference",
        "cases",
        body=r.RecordingCreate,
        response=r.Recording,
        status=201,
    ),
    Route(
        "GET",
        "/cases/<case_id>/recordings",
        forward("cases.list_recordings", "actor", "path.case_id"),
        STAFF,
        "A case's whole-process recordings",
        "cases",
        response=r.RecordingList,
    ),
    Route(
        "GET",
        "/cases/<case_id>/records/checks",
        forward("cases.records_checks", "actor", "path.case_id"),
        STAFF,
        "A case's records checks: the documents its kind catalogue requires that it lacks, and its recordings",
        "cases",
        response=r.RecordsChecks,
    ),
    Route(
        "GET",
        "/cases/<case_id>/records/verification",
        forward("cases.verify_records", "actor", "path.case_id"),
        ADMINS,
        "Verify a case's records: its hash chain recomputed and each file hashed again (altered, changed, missing)",
        "cases",
        response=r.RecordsVerification,
    ),
    # documents: uploads, the list, one document, downloads
    Route(
        "POST",
        "/cases/<case_id>/documents",
        upload_document,
        ADMINS,
        "Attach a document to a case: the file is the body, sent as its media type; kind and stage in the query (a "
        "kind's stages, media types and size limit are in the kind catalogue; a file over the limit, of another "
        "type, or whose bytes are not what its type says is refused with a 400 naming the limit, and nothing is kept)",
        "cases",
        query=r.DocumentUploadQuery,
        response=r.Document,
        status=201,
        raw_body_types=r.DOCUMENT_MEDIA_TYPES,
        streamed=True,
    ),
    Route(
        "GET",
        "/cases/<case_id>/documents",
        forward("cases.list_documents", "actor", "path.case_id", "query"),
        STAFF,
        "A case's documents, oldest first",
        "cases",
        query=r.DocumentQuery,
        response=page_of(r.Document),
    ),
    Route(
        "GET",
        "/cases/<case_id>/documents/<document_id>",
        forward("cases.get_document", "actor", "path.case_id", "path.document_id"),
        STAFF,
        "One document of a case: kind, stage, size, SHA-256, who uploaded it and when",
        "cases",
        response=r.Document,
    ),
    Route(
        "GET",
        "/cases/<case_id>/documents/<document_id>/file",
        download_document,
        STAFF,
        "Download a document's file (audited for everyone)",
        "cases",
        produces=r.DOCUMENT_MEDIA_TYPES,
        audit=True,
    ),
]
