"""Case-file review (案卷评查): the checklist, review batches, assignments and scores, corrections, and their
events."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from ..common import AGENCY_CODE, PageQuery, StrictSchema
from ..events import EventType, register
from .common import DRAW_STATES, NOT_BLANK, SERVICE, TYPE_CODE, RefusesSeed
from .records import KIND_CODE, RECORD_STAGES, MissingDocument

CHECKLIST_SECTIONS = ("basic", "form", "content")  # a failed basic item fails the file; form 20 + content 80 points

REVIEW_GRADES = ("excellent", "pass", "fail")  # 优秀, 合格, 不合格

CHECK_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$", error="must be a lower-case code like legal_basis")


class ChecklistItem(StrictSchema):
    code = fields.String(required=True, validate=CHECK_CODE)
    label = fields.String(required=True, validate=[validate.Length(min=2, max=200), NOT_BLANK])
    section = fields.String(required=True, validate=validate.OneOf(CHECKLIST_SECTIONS))
    points = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=100),
        metadata={"description": "the most a form or content item can deduct; 0 for basic items"},
    )
    documents = fields.List(
        fields.String(validate=KIND_CODE),
        validate=validate.Length(max=50),
        metadata={"description": "the document kinds (codes of the kind catalogue) the reviewer looks at for the item"},
    )
    per_missing_document = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=100),
        metadata={
            "description": "the checklist's missing-documents item: the points proposed for each document the case's "
            "completeness checks find missing (at most the item's points); one item at most carries it"
        },
    )


class ChecklistCreate(StrictSchema):
    effective_from = fields.Date(required=True)
    items = fields.List(fields.Nested(ChecklistItem), required=True, validate=validate.Length(min=1, max=100))


class Checklist(StrictSchema):
    version = fields.Integer()
    effective_from = fields.Date()
    items = fields.List(fields.Nested(ChecklistItem))


class ReviewBatchCreate(RefusesSeed, StrictSchema):
    """The bureau plans a batch of closed cases for review: the population (cases closed in the period, by agency and
    type) and the checklist are fixed now, the server makes a secret seed and publishes its SHA-256;
    ``POST .../execution`` then draws ``size`` files and reveals the seed. closed_to is not before closed_from. A
    ``seed`` in the body is refused (400 naming ``seed``)."""

    agency_code = fields.String(load_default=None, allow_none=True, validate=AGENCY_CODE)
    type_code = fields.String(load_default=None, allow_none=True, validate=TYPE_CODE)
    closed_from = fields.Date(required=True)
    closed_to = fields.Date(required=True)
    size = fields.Integer(required=True, validate=validate.Range(min=1, max=500))

    @validates_schema
    def _period(self, data, **_kwargs):
        if data.get("closed_from") and data.get("closed_to") and data["closed_from"] > data["closed_to"]:
            raise ValidationError("must not be before closed_from", "closed_to")


class Deduction(StrictSchema):
    code = fields.String(required=True, validate=CHECK_CODE)
    points = fields.Integer(required=True, validate=validate.Range(min=1, max=100))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class ReviewAssignment(StrictSchema):
    file_id = fields.String(required=True)
    reviewer_id = fields.String(required=True, metadata={"description": "an officer (personnel) of another agency"})


class ReviewAssign(StrictSchema):
    assignments = fields.List(fields.Nested(ReviewAssignment), required=True, validate=validate.Length(min=1, max=500))


class ReviewScore(StrictSchema):
    scored_on = fields.Date(required=True)
    basic_failures = fields.List(fields.String(validate=CHECK_CODE), load_default=list)
    deductions = fields.List(fields.Nested(Deduction), load_default=list)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ReviewFile(StrictSchema):
    file_id = fields.String()
    batch_id = fields.String()
    case_id = fields.String()
    case_number = fields.String()
    agency_code = fields.String()
    reviewer_id = fields.String(allow_none=True)
    scored_on = fields.Date(allow_none=True)
    basic_failures = fields.List(fields.String())
    form_score = fields.Integer(allow_none=True)
    content_score = fields.Integer(allow_none=True)
    total = fields.Integer(allow_none=True)
    grade = fields.String(allow_none=True)


class ReviewDocument(StrictSchema):
    """A document of the case under review, as the reviewer opens it."""

    document_id = fields.String()
    kind = fields.String()
    kind_name = fields.String(allow_none=True, metadata={"description": "the kind's name, e.g. 送达回证"})
    title = fields.String(allow_none=True)
    stage = fields.String(validate=validate.OneOf(RECORD_STAGES))
    media_type = fields.String()
    size_bytes = fields.Integer()
    sha256 = fields.String(metadata={"description": "SHA-256 of the file's bytes (lower-case hex)"})
    download = fields.String(metadata={"description": "the path (under /api/v1) that downloads the file"})


class ReviewItemDocument(StrictSchema):
    code = fields.String(metadata={"description": "a kind the item looks at"})
    name = fields.String(allow_none=True)
    document_ids = fields.List(fields.String(), metadata={"description": "the case's documents of the kind"})


class ReviewFileItem(StrictSchema):
    """A checklist item as the reviewer scores it: the documents it looks at and which of them the case has."""

    code = fields.String()
    label = fields.String()
    section = fields.String(validate=validate.OneOf(CHECKLIST_SECTIONS))
    points = fields.Integer()
    documents = fields.List(fields.Nested(ReviewItemDocument))


class ProposedScore(StrictSchema):
    """The score form pre-filled: ``deductions`` holds the missing-documents item's deduction (its note names the
    missing kinds) when the completeness checks find documents missing; the reviewer may change it."""

    basic_failures = fields.List(fields.String())
    deductions = fields.List(fields.Nested(Deduction))


class ReviewFileDetail(ReviewFile):
    """A file as its reviewer (or the bureau) reads it while scoring: the checklist's items with the documents each
    looks at, the case's documents with their download paths, the documents the completeness checks find missing,
    and the score proposed from them (``proposed``: the missing-documents item's deduction, which the reviewer may
    change before scoring)."""

    checklist_version = fields.Integer()
    reviewer_agency = fields.String(allow_none=True)
    items = fields.List(fields.Nested(ReviewFileItem))
    documents = fields.List(fields.Nested(ReviewDocument))
    missing_documents = fields.List(
        fields.Nested(MissingDocument),
        metadata={
            "description": "the required documents the case lacks (its records checks), and a whole-process "
            "recording (kind recording) when the case needs one and has none; empty for a case filed before the "
            "records rules applied"
        },
    )
    completeness_enforced = fields.Boolean(
        metadata={
            "description": "whether the case is held to the kind catalogue (filed from CASES.records.required_from)"
        }
    )
    proposed = fields.Nested(ProposedScore)


class ReviewBatch(StrictSchema):
    batch_id = fields.String()
    drawn_on = fields.Date(metadata={"description": "the day planned, then the day drawn"})
    state = fields.String(
        validate=validate.OneOf(DRAW_STATES),
        metadata={"description": "planned (the seed's hash published, no file drawn yet) or drawn (the seed revealed)"},
    )
    seed_hash = fields.String(metadata={"description": "SHA-256 of the seed (hex), published when planned"})
    seed = fields.String(allow_none=True, metadata={"description": "revealed once drawn; null while planned"})
    planned_at = fields.DateTime(metadata={"description": "when the population was fixed and the hash published (UTC)"})
    executed_at = fields.DateTime(allow_none=True, metadata={"description": "when the files were drawn (UTC)"})
    size = fields.Integer(metadata={"description": "files to draw"})
    agency_code = fields.String(allow_none=True)
    type_code = fields.String(allow_none=True)
    closed_from = fields.Date()
    closed_to = fields.Date()
    population_size = fields.Integer()
    checklist_version = fields.Integer()
    files = fields.List(fields.Nested(ReviewFile))


class ReviewBatchQuery(PageQuery):
    """The review batches, latest first."""


class ReviewBatchSummary(StrictSchema):
    """A batch as the list shows it: its files counted, not listed."""

    batch_id = fields.String()
    drawn_on = fields.Date()
    state = fields.String(
        validate=validate.OneOf(DRAW_STATES),
        metadata={"description": "planned (the seed's hash published, no file drawn yet) or drawn (the seed revealed)"},
    )
    seed_hash = fields.String(metadata={"description": "SHA-256 of the seed (hex), published when planned"})
    seed = fields.String(allow_none=True, metadata={"description": "revealed once drawn; null while planned"})
    planned_at = fields.DateTime(metadata={"description": "when the population was fixed and the hash published (UTC)"})
    executed_at = fields.DateTime(allow_none=True, metadata={"description": "when the files were drawn (UTC)"})
    size = fields.Integer(metadata={"description": "files to draw"})
    agency_code = fields.String(allow_none=True)
    type_code = fields.String(allow_none=True)
    closed_from = fields.Date()
    closed_to = fields.Date()
    population_size = fields.Integer()
    checklist_version = fields.Integer()
    files = fields.Integer(metadata={"description": "case files drawn"})
    scored = fields.Integer(metadata={"description": "files scored so far"})


class ReviewFileQuery(PageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)
    grade = fields.String(validate=validate.OneOf(REVIEW_GRADES))


class ReviewBatchDrawn(StrictSchema):
    """A planned batch was drawn: its seed revealed."""

    batch_id = fields.String(required=True)
    drawn_on = fields.Date(required=True)
    seed = fields.String(required=True)
    agency_code = fields.String(allow_none=True, required=True)
    type_code = fields.String(allow_none=True, required=True)
    population_size = fields.Integer(required=True)
    case_ids = fields.List(fields.String(), required=True)
    seed_hash = fields.String(
        load_default=None, allow_none=True, metadata={"description": "SHA-256 of the seed, published when planned"}
    )


class ReviewBatchPlanned(StrictSchema):
    """A review batch was planned: its population fixed and its seed's hash published, before any file is drawn."""

    batch_id = fields.String(required=True)
    planned_on = fields.Date(required=True)
    seed_hash = fields.String(required=True, metadata={"description": "SHA-256 of the secret seed (hex)"})
    agency_code = fields.String(allow_none=True, required=True)
    type_code = fields.String(allow_none=True, required=True)
    population_size = fields.Integer(required=True)
    size = fields.Integer(required=True)


class ReviewBatchReplay(StrictSchema):
    batch_id = fields.String()
    seed = fields.String()
    seed_hash = fields.String()
    seed_matches = fields.Boolean(metadata={"description": "the SHA-256 of the revealed seed is the published hash"})
    result_matches = fields.Boolean(metadata={"description": "the recorded population and seed give the same cases"})
    reproduced = fields.Boolean(metadata={"description": "both"})
    case_ids = fields.List(fields.String(), metadata={"description": "the cases the replay draws"})


class ReviewFileScored(StrictSchema):
    file_id = fields.String(required=True)
    batch_id = fields.String(required=True)
    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    checklist_version = fields.Integer(required=True)
    total = fields.Integer(required=True)
    grade = fields.String(required=True, validate=validate.OneOf(REVIEW_GRADES))
    basic_failures = fields.List(fields.String(), required=True)


class CorrectionOpened(StrictSchema):
    """错案纠正 (and, for accountability.opened, 过错责任追究) after a failing case file."""

    record_id = fields.Integer(required=True)
    case_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    file_id = fields.String(required=True)
    officer_ids = fields.List(fields.String(), required=True)
    opened_on = fields.Date(required=True)
    reason = fields.String(required=True)


class ChecklistFiled(StrictSchema):
    version = fields.Integer(required=True)
    effective_from = fields.Date(required=True)
    items = fields.Integer(required=True, metadata={"description": "how many items"})
    filed_by = fields.String(required=True)


class ReviewersAssigned(StrictSchema):
    batch_id = fields.String(required=True)
    assignments = fields.List(fields.Nested(ReviewAssignment), required=True)


REVIEW_BATCH_DRAWN = register(
    EventType(
        SERVICE,
        "review_batch.drawn",
        ReviewBatchDrawn,
        1,
        "The bureau drew a batch of closed cases for case-file review (案卷评查).",
    )
)

REVIEW_BATCH_PLANNED = register(
    EventType(
        SERVICE,
        "review_batch.planned",
        ReviewBatchPlanned,
        1,
        "The bureau planned a case-file review batch: its population fixed and its seed's SHA-256 published before "
        "the draw.",
    )
)

REVIEW_FILE_SCORED = register(
    EventType(
        SERVICE, "review_file.scored", ReviewFileScored, 1, "A case file was scored against the checklist; its grade."
    )
)

CORRECTION_OPENED = register(
    EventType(SERVICE, "correction.opened", CorrectionOpened, 1, "A failing case file opened a correction (错案纠正).")
)

ACCOUNTABILITY_OPENED = register(
    EventType(
        SERVICE,
        "accountability.opened",
        CorrectionOpened,
        1,
        "A failing case file opened an accountability record (过错责任追究).",
    )
)

CHECKLIST_FILED = register(
    EventType(
        SERVICE, "checklist.filed", ChecklistFiled, 1, "A new case-file review checklist version (评查标准) was filed."
    )
)

REVIEWERS_ASSIGNED = register(
    EventType(
        SERVICE, "review_batch.assigned", ReviewersAssigned, 1, "Reviewers were assigned to files of a review batch."
    )
)
