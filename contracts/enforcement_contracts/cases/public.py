"""What the public reads (执法公示) besides the published decisions: the enforcement-item catalogue with its legal
bases, the discretion benchmarks in force, the three lenient lists, the major-decision lists and the published
double-random draws.

Read-only and without login; nothing here names a person: a draw's targets are enterprises (name and unified social
credit code, which are public), its inspectors are counted, never named or identified."""

from __future__ import annotations

from marshmallow import fields, validate

from ..common import AGENCY_CODE, PageQuery, StrictSchema
from .benchmarks import TierOut
from .catalogue import ItemVersion
from .common import DOMAIN_CODE, LENIENT_LISTS, TYPE_CODE


class PublicAgency(StrictSchema):
    """An agency that publishes a catalogue: the code the lists filter by, and its name."""

    code = fields.String()
    name = fields.String()


class CatalogueQuery(PageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)
    type_code = fields.String(validate=TYPE_CODE)


class PublicItem(StrictSchema):
    """An item of the catalogue in force (cancelled items are not listed), with its legal basis."""

    item_id = fields.String()
    agency_code = fields.String()
    agency_name = fields.String()
    code = fields.String()
    type_code = fields.String()
    name = fields.String()
    domain = fields.String()
    legal_basis = fields.String()
    version = fields.Integer()
    effective_from = fields.Date()
    has_benchmark = fields.Boolean(metadata={"description": "a discretion benchmark is in force for the item"})


class PublicItemDetail(PublicItem):
    """One item: its versions (oldest first) and the benchmark in force, if any."""

    cancelled_on = fields.Date(allow_none=True)
    versions = fields.List(fields.Nested(ItemVersion))
    benchmark_tiers = fields.List(fields.Nested(TierOut), metadata={"description": "empty: no benchmark in force"})
    benchmark_effective_from = fields.Date(allow_none=True)


class BenchmarkQuery(PageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)


class PublicBenchmark(StrictSchema):
    """The benchmark version in force today for one item (行政裁量权基准)."""

    item_id = fields.String()
    agency_code = fields.String()
    agency_name = fields.String()
    item_code = fields.String()
    item_name = fields.String()
    legal_basis = fields.String()
    version = fields.Integer()
    effective_from = fields.Date()
    tiers = fields.List(fields.Nested(TierOut))
    note = fields.String()


class LenientQuery(PageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)
    list_kind = fields.String(validate=validate.OneOf(LENIENT_LISTS))


class PublicLenientEntry(StrictSchema):
    """An item on a lenient list in force (从轻处罚清单, 减轻处罚清单, 首违不罚清单)."""

    entry_id = fields.Integer()
    agency_code = fields.String()
    agency_name = fields.String()
    list_kind = fields.String()
    item_id = fields.String()
    item_code = fields.String()
    item_name = fields.String()
    conditions = fields.String()
    effective_from = fields.Date()


class MajorListQuery(PageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)


class PublicMajorRule(StrictSchema):
    """An entry of an agency's major-decision list (重大执法决定法制审核目录清单), published on purpose: the plan asks
    agencies to keep the list (§二(三)3) and the 2018 three-systems guideline (国办发〔2018〕118号) to make it public.
    Exactly one of item (item_id, item_code, item_name), penalty_kind, fine_from, type_code, circumstance is set."""

    rule_id = fields.Integer()
    agency_code = fields.String()
    agency_name = fields.String()
    item_id = fields.String(allow_none=True)
    item_code = fields.String(allow_none=True)
    item_name = fields.String(allow_none=True)
    penalty_kind = fields.String(allow_none=True)
    fine_from = fields.Float(allow_none=True)
    type_code = fields.String(allow_none=True)
    circumstance = fields.String(allow_none=True)
    note = fields.String()


PUBLIC_DRAW_STATES = ("planned", "drawn", "published")


class DrawQuery(PageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)
    domain = fields.String(validate=DOMAIN_CODE)
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), metadata={"description": "year of the draw"})
    state = fields.String(
        load_default="published",
        validate=validate.OneOf(PUBLIC_DRAW_STATES),
        metadata={
            "description": "published (default): the draws made public with their targets; planned: the seed's hash "
            "published, nothing drawn yet; drawn: drawn (seed revealed), targets not yet published"
        },
    )


class PublicDrawTarget(StrictSchema):
    credit_code = fields.String()
    enterprise_name = fields.String()
    inspectors = fields.Integer(metadata={"description": "how many inspectors were drawn for it"})


class PublicDraw(StrictSchema):
    """A double-random draw (双随机一公开) as the public sees it: from the moment it is planned, the SHA-256 of its
    secret seed and its pools' sizes; once drawn, the seed; once published, the target pool's credit codes and the
    enterprises drawn, so anyone can replay it (sha256(seed) == seed_hash, and the targets drawn again from
    target_pool with the seed). Inspectors are counted, never named."""

    draw_id = fields.String()
    agency_code = fields.String()
    agency_name = fields.String()
    domain = fields.String()
    category = fields.String(allow_none=True)
    drawn_on = fields.Date()
    published_on = fields.Date(allow_none=True)
    state = fields.String(validate=validate.OneOf(PUBLIC_DRAW_STATES))
    seed_hash = fields.String(metadata={"description": "SHA-256 (hex) of the seed, public from the plan on"})
    seed = fields.String(allow_none=True, metadata={"description": "null until drawn"})
    planned_at = fields.DateTime(metadata={"description": "when the pools were fixed and the hash published (UTC)"})
    executed_at = fields.DateTime(allow_none=True, metadata={"description": "when drawn (UTC)"})
    target_count = fields.Integer()
    target_pool_size = fields.Integer()
    inspector_pool_size = fields.Integer()
    target_pool = fields.List(
        fields.String(), metadata={"description": "the credit codes drawn from (once published; else empty)"}
    )
    targets = fields.List(fields.Nested(PublicDrawTarget), metadata={"description": "in the order drawn"})
