"""Enterprise inspections (涉企行政检查): the directory of targets, inspections, double-random draws (双随机一公开),
and their events."""

from __future__ import annotations

from marshmallow import fields, validate

from ..common import AGENCY_CODE, PageQuery, StrictSchema
from ..events import EventType, register
from .common import DOMAIN_CODE, DRAW_STATES, NOT_BLANK, SERVICE, RefusesSeed
from .procedure import CaseWarning, WarningOut

INSPECTION_KINDS = (
    "routine",
    "double_random",
    "complaint",
    "referral",
    "special",
)  # 日常, 双随机, 投诉举报, 转办交办, 专项


class DirectoryEntry(StrictSchema):
    credit_code = fields.String(required=True, validate=validate.Length(min=6, max=30))
    name = fields.String(required=True, validate=[validate.Length(min=2, max=200), NOT_BLANK])
    category = fields.String(load_default="", validate=validate.Length(max=60))


class DirectoryUpload(StrictSchema):
    """An agency's directory of inspection targets (检查对象名录库), the pool of the double-random draw."""

    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    entries = fields.List(fields.Nested(DirectoryEntry), required=True, validate=validate.Length(min=1, max=5000))


class InspectionCreate(StrictSchema):
    agency_code = fields.String(required=True, validate=AGENCY_CODE, metadata={"description": "the lead agency"})
    credit_code = fields.String(required=True, validate=validate.Length(min=6, max=30))
    enterprise_name = fields.String(required=True, validate=[validate.Length(min=2, max=200), NOT_BLANK])
    inspected_on = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(INSPECTION_KINDS))
    domain = fields.String(required=True, validate=DOMAIN_CODE)
    officers = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)), required=True, validate=validate.Length(min=1, max=20)
    )
    joint_agencies = fields.List(
        fields.String(validate=AGENCY_CODE),
        load_default=list,
        validate=validate.Length(max=10),
        metadata={"description": "the other agencies of a joint inspection (联合检查)"},
    )
    draw_id = fields.String(load_default=None, allow_none=True)
    result = fields.String(load_default="", validate=validate.Length(max=2000))


class Inspection(StrictSchema):
    inspection_id = fields.String()
    agency_code = fields.String()
    credit_code = fields.String()
    enterprise_name = fields.String()
    inspected_on = fields.Date()
    kind = fields.String()
    domain = fields.String()
    officers = fields.List(fields.String())
    joint_agencies = fields.List(fields.String())
    draw_id = fields.String(allow_none=True)
    result = fields.String()
    warnings = fields.List(fields.Nested(CaseWarning))


class InspectionQuery(PageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)
    credit_code = fields.String(validate=validate.Length(min=6, max=30))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class DrawCreate(RefusesSeed, StrictSchema):
    """双随机, planned: the target pool (the agency's directory) and the inspector pool (officers certified for the
    domain on ``drawn_on``) are fixed and recorded now, and the server makes a secret seed whose SHA-256 is published
    at once; ``POST .../execution`` then draws ``target_count`` targets and two certified inspectors for each and
    reveals the seed. A ``seed`` in the body is refused (400 naming ``seed``)."""

    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    domain = fields.String(required=True, validate=DOMAIN_CODE)
    target_count = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))
    category = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    drawn_on = fields.Date(required=True, metadata={"description": "the day of the draw (not in the future)"})


class DrawAssignment(StrictSchema):
    credit_code = fields.String()
    enterprise_name = fields.String()
    officer_ids = fields.List(fields.String())


class Draw(StrictSchema):
    draw_id = fields.String()
    agency_code = fields.String()
    domain = fields.String()
    category = fields.String(allow_none=True)
    drawn_on = fields.Date()
    state = fields.String(
        validate=validate.OneOf(DRAW_STATES),
        metadata={"description": "planned (the seed's hash published, nothing drawn yet) or drawn (the seed revealed)"},
    )
    seed_hash = fields.String(metadata={"description": "SHA-256 of the seed (hex), published when the draw is planned"})
    seed = fields.String(allow_none=True, metadata={"description": "revealed once drawn; null while planned"})
    planned_at = fields.DateTime(metadata={"description": "when the pools were fixed and the hash published (UTC)"})
    executed_at = fields.DateTime(allow_none=True, metadata={"description": "when the draw was made (UTC)"})
    target_count = fields.Integer()
    target_pool_size = fields.Integer()
    inspector_pool_size = fields.Integer()
    assignments = fields.List(fields.Nested(DrawAssignment), metadata={"description": "empty while planned"})
    published_on = fields.Date(allow_none=True)


class DrawQuery(PageQuery):
    """An agency's draws (every agency's for the bureau), latest first."""

    agency_code = fields.String(validate=AGENCY_CODE)
    published = fields.Boolean(metadata={"description": "only published (true) or unpublished (false) draws"})
    state = fields.String(validate=validate.OneOf(DRAW_STATES), metadata={"description": "planned or drawn"})


class DrawReplay(StrictSchema):
    draw_id = fields.String()
    seed = fields.String()
    seed_hash = fields.String()
    seed_matches = fields.Boolean(metadata={"description": "the SHA-256 of the revealed seed is the published hash"})
    result_matches = fields.Boolean(metadata={"description": "the recorded pools and seed give the recorded result"})
    reproduced = fields.Boolean(metadata={"description": "both: the seed is the committed one and the result replays"})
    assignments = fields.List(fields.Nested(DrawAssignment))


class DrawPublish(StrictSchema):
    published_on = fields.Date(required=True)


class InspectionRecorded(StrictSchema):
    inspection_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    credit_code = fields.String(required=True)
    inspected_on = fields.Date(required=True)
    kind = fields.String(required=True)
    joint_agencies = fields.List(fields.String(), required=True)
    warnings = fields.List(fields.Nested(WarningOut), required=True)


class DrawPublished(StrictSchema):
    """双随机一公开: a draw made public (targets; the inspectors by id only)."""

    draw_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    domain = fields.String(required=True)
    drawn_on = fields.Date(required=True)
    seed = fields.String(required=True)
    seed_hash = fields.String(
        load_default=None, allow_none=True, metadata={"description": "SHA-256 of the seed, published when planned"}
    )
    published_on = fields.Date(required=True)
    assignments = fields.List(fields.Nested(DrawAssignment), required=True)


class DirectoryUpdated(StrictSchema):
    agency_code = fields.String(required=True)
    added = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    total = fields.Integer(required=True)


class DrawRecorded(StrictSchema):
    """A planned draw was made: its seed revealed."""

    draw_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    domain = fields.String(required=True)
    drawn_on = fields.Date(required=True)
    seed = fields.String(required=True)
    targets = fields.Integer(required=True)
    seed_hash = fields.String(
        load_default=None, allow_none=True, metadata={"description": "SHA-256 of the seed, published when planned"}
    )


class DrawPlanned(StrictSchema):
    """A double-random draw was planned: its pools fixed and its seed's hash published, before anything is drawn."""

    draw_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    domain = fields.String(required=True)
    drawn_on = fields.Date(required=True)
    seed_hash = fields.String(required=True, metadata={"description": "SHA-256 of the secret seed (hex)"})
    target_count = fields.Integer(required=True)
    target_pool_size = fields.Integer(required=True)
    inspector_pool_size = fields.Integer(required=True)


INSPECTION_RECORDED = register(
    EventType(
        SERVICE,
        "inspection.recorded",
        InspectionRecorded,
        1,
        "An enterprise inspection (涉企行政检查) was recorded, with its warnings.",
    )
)

DRAW_PUBLISHED = register(
    EventType(SERVICE, "draw.published", DrawPublished, 1, "A double-random draw (双随机一公开) was published.")
)

DIRECTORY_UPDATED = register(
    EventType(
        SERVICE,
        "directory.updated",
        DirectoryUpdated,
        1,
        "An agency's directory of inspection targets (检查对象名录库) changed.",
    )
)

DRAW_RECORDED = register(
    EventType(
        SERVICE,
        "draw.recorded",
        DrawRecorded,
        1,
        "A double-random draw was made (its seed revealed; published separately).",
    )
)

DRAW_PLANNED = register(
    EventType(
        SERVICE,
        "draw.planned",
        DrawPlanned,
        1,
        "A double-random draw was planned: its pools fixed and its seed's SHA-256 published before the draw.",
    )
)
