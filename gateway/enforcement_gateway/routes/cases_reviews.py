"""HTTP routes of the cases service: case-file review (案卷评查), the bureau's. Agency scoping is enforced by
the service itself (the actor travels with every call); the gateway checks the role and validates the input. An
agency reads its own files' grades."""

from __future__ import annotations

from enforcement_contracts.cases import reviews as c
from enforcement_contracts.common import PageQuery, page_of

from ..routing import BUREAU, STAFF, Route, forward

SERVICE = "cases"

ROUTES = [
    # case-file review (案卷评查): the bureau's
    Route(
        "GET",
        "/reviews/checklists",
        forward("cases.list_checklists", "query"),
        STAFF,
        "Review checklist versions",
        "cases",
        query=PageQuery,
        response=page_of(c.Checklist),
    ),
    Route(
        "POST",
        "/reviews/checklists",
        forward("cases.create_checklist", "actor", "body"),
        BUREAU,
        "File a new review checklist version",
        "cases",
        body=c.ChecklistCreate,
        response=c.Checklist,
        status=201,
    ),
    Route(
        "POST",
        "/reviews/batches",
        forward("cases.plan_review_batch", "actor", "body"),
        BUREAU,
        "Plan a batch of closed cases for review: the population fixed, the server's seed's SHA-256 published",
        "cases",
        body=c.ReviewBatchCreate,
        response=c.ReviewBatch,
        status=201,
    ),
    Route(
        "POST",
        "/reviews/batches/<batch_id>/execution",
        forward("cases.execute_review_batch", "actor", "path.batch_id"),
        BUREAU,
        "Draw a planned batch's files, revealing the seed",
        "cases",
        response=c.ReviewBatch,
    ),
    Route(
        "GET",
        "/reviews/batches/<batch_id>/replay",
        forward("cases.replay_review_batch", "actor", "path.batch_id"),
        BUREAU,
        "Replay a batch: the seed against its published hash, the cases from the recorded population",
        "cases",
        response=c.ReviewBatchReplay,
    ),
    Route(
        "GET",
        "/reviews/batches",
        forward("cases.list_review_batches", "actor", "query"),
        BUREAU,
        "List review batches, latest first (files counted)",
        "cases",
        query=c.ReviewBatchQuery,
        response=page_of(c.ReviewBatchSummary),
    ),
    Route(
        "GET",
        "/reviews/batches/<batch_id>",
        forward("cases.get_review_batch", "actor", "path.batch_id"),
        BUREAU,
        "Read a review batch",
        "cases",
        response=c.ReviewBatch,
    ),
    Route(
        "POST",
        "/reviews/batches/<batch_id>/assignments",
        forward("cases.assign_reviewers", "actor", "path.batch_id", "body"),
        BUREAU,
        "Assign reviewers (never of the case's agency)",
        "cases",
        body=c.ReviewAssign,
        response=c.ReviewBatch,
    ),
    Route(
        "POST",
        "/reviews/files/<file_id>/score",
        forward("cases.score_review_file", "actor", "path.file_id", "body"),
        BUREAU,
        "Score a case file",
        "cases",
        body=c.ReviewScore,
        response=c.ReviewFile,
    ),
    Route(
        "GET",
        "/reviews/files/<file_id>",
        forward("cases.get_review_file", "actor", "path.file_id"),
        STAFF,
        "A case file as its reviewer scores it (the bureau and the assigned reviewer): the checklist's items with the "
        "documents each looks at, the case's documents and their downloads, the missing documents and the score "
        "pre-filled from them",
        "cases",
        response=c.ReviewFileDetail,
    ),
    Route(
        "GET",
        "/reviews/files",
        forward("cases.list_review_files", "actor", "query"),
        STAFF,
        "Case-file grades (an agency: its own)",
        "cases",
        query=c.ReviewFileQuery,
        response=page_of(c.ReviewFile),
    ),
]
