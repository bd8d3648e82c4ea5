"""HTTP routes of the cases service: a case's records (issue 15): the document-kind catalogue, whole-process
recordings (执法全过程记录), the records checks and the verification of the case's hash chain. The service scopes them
(the bureau all; an agency its own cases); the gateway checks the role and validates the input."""

from __future__ import annotations

from enforcement_contracts.cases import records as r

from ..routing import ADMINS, STAFF, Route, forward

SERVICE = "cases"

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
]
