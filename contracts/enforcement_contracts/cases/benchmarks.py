"""Discretion benchmarks (裁量基准), the lenient lists (从轻/减轻/首违不罚) and the major-decision list
(重大执法决定法制审核目录), and their events."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from ..common import AGENCY_CODE, PageQuery, StrictSchema
from ..events import EventType, register
from .common import LENIENT_LISTS, MONEY, MONEY_DOC, NOT_BLANK, PENALTY_KINDS, SERVICE, TYPE_CODE

TIER_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{0,29}$", error="must be a lower-case code like minor")
MAJOR_RULE_KEYS = ("item_id", "penalty_kind", "fine_from", "type_code", "circumstance")


class Tier(StrictSchema):
    """One circumstance tier (e.g. 轻微/一般/较重/严重): the penalty kinds and the fine range it allows.

    A tier whose penalty_kinds include fine gives both fine_min and fine_max; fine_max is not below fine_min."""

    tier = fields.String(required=True, validate=TIER_CODE)
    label = fields.String(required=True, validate=[validate.Length(min=1, max=60), NOT_BLANK])
    penalty_kinds = fields.List(
        fields.String(validate=validate.OneOf(PENALTY_KINDS)),
        required=True,
        validate=validate.Length(min=1, max=len(PENALTY_KINDS)),
    )
    fine_min = fields.Decimal(places=2, allow_none=True, load_default=None, validate=MONEY, metadata=MONEY_DOC)
    fine_max = fields.Decimal(places=2, allow_none=True, load_default=None, validate=MONEY, metadata=MONEY_DOC)
    note = fields.String(load_default="", validate=validate.Length(max=1000))

    @validates_schema
    def _range(self, data, **_kwargs):
        low, high = data.get("fine_min"), data.get("fine_max")
        if "fine" in data.get("penalty_kinds", []) and (low is None or high is None):
            raise ValidationError("a tier that allows a fine gives its range", "fine_max")
        if low is not None and high is not None and low > high:
            raise ValidationError("must not be below fine_min", "fine_max")


class BenchmarkSet(StrictSchema):
    """Tier codes are unique within the set."""

    tiers = fields.List(fields.Nested(Tier), required=True, validate=validate.Length(min=1, max=20))
    effective_from = fields.Date(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=1000))

    @validates_schema
    def _unique(self, data, **_kwargs):
        codes = [t["tier"] for t in data.get("tiers", [])]
        if len(codes) != len(set(codes)):
            raise ValidationError("tier codes must be unique", "tiers")


class TierOut(StrictSchema):
    tier = fields.String()
    label = fields.String()
    penalty_kinds = fields.List(fields.String())
    fine_min = fields.Float(allow_none=True)
    fine_max = fields.Float(allow_none=True)
    note = fields.String()


class Benchmark(StrictSchema):
    item_id = fields.String()
    agency_code = fields.String()
    version = fields.Integer()
    tiers = fields.List(fields.Nested(TierOut))
    effective_from = fields.Date()
    note = fields.String()


class LenientEntryCreate(StrictSchema):
    list_kind = fields.String(required=True, validate=validate.OneOf(LENIENT_LISTS))
    item_id = fields.String(required=True)
    conditions = fields.String(required=True, validate=[validate.Length(min=2, max=2000), NOT_BLANK])
    effective_from = fields.Date(required=True)


class LenientEntryRemove(StrictSchema):
    removed_on = fields.Date(required=True)
    reason = fields.String(required=True, validate=[validate.Length(min=2, max=500), NOT_BLANK])


class LenientEntry(StrictSchema):
    entry_id = fields.Integer()
    agency_code = fields.String()
    list_kind = fields.String()
    item_id = fields.String()
    item_name = fields.String()
    conditions = fields.String()
    effective_from = fields.Date()
    removed_on = fields.Date(allow_none=True)


class LenientQuery(PageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)
    list_kind = fields.String(validate=validate.OneOf(LENIENT_LISTS))
    include_removed = fields.Boolean(load_default=False)


class MajorRuleCreate(StrictSchema):
    """An entry of an agency's major-decision list (重大执法决定法制审核目录): an item, a penalty kind, a fine from an
    amount, an enforcement type (every decision of that type: 行政许可, 行政强制 ...) or a circumstance tier (the
    discretion benchmark's tier a decision applies, e.g. serious); a case of any type matching any entry needs a
    passed legal review before it is decided.

    Exactly one of item_id, penalty_kind, fine_from, type_code, circumstance."""

    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    item_id = fields.String(load_default=None, allow_none=True)
    penalty_kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(PENALTY_KINDS))
    fine_from = fields.Decimal(places=2, load_default=None, allow_none=True, validate=MONEY, metadata=MONEY_DOC)
    type_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=TYPE_CODE,
        metadata={"description": "every decision of this enforcement type (an item type's code)"},
    )
    circumstance = fields.String(
        load_default=None,
        allow_none=True,
        validate=TIER_CODE,
        metadata={"description": "every decision applying this benchmark tier (e.g. serious)"},
    )
    note = fields.String(load_default="", validate=validate.Length(max=500))

    @validates_schema
    def _one(self, data, **_kwargs):
        if sum(data.get(k) is not None for k in MAJOR_RULE_KEYS) != 1:
            raise ValidationError("give exactly one of " + ", ".join(MAJOR_RULE_KEYS), "_schema")


class MajorRuleQuery(PageQuery):
    """One agency's major-decision list (every agency's when left out), a page at a time."""

    agency_code = fields.String(validate=AGENCY_CODE)


class MajorRule(StrictSchema):
    rule_id = fields.Integer()
    agency_code = fields.String()
    item_id = fields.String(allow_none=True)
    penalty_kind = fields.String(allow_none=True)
    fine_from = fields.Float(allow_none=True)
    type_code = fields.String(allow_none=True)
    circumstance = fields.String(allow_none=True)
    note = fields.String()


class BenchmarkFiled(StrictSchema):
    """备案: a discretion benchmark (or a new version of it) filed with the justice bureau."""

    item_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    item_code = fields.String(required=True)
    version = fields.Integer(required=True)
    effective_from = fields.Date(required=True)
    tiers = fields.List(fields.Nested(TierOut), required=True)
    filed_by = fields.String(required=True)


class LenientListFiled(StrictSchema):
    """备案: an entry added to or removed from one of an agency's lenient lists (从轻/减轻/首违不罚)."""

    agency_code = fields.String(required=True)
    list_kind = fields.String(required=True, validate=validate.OneOf(LENIENT_LISTS))
    action = fields.String(required=True, validate=validate.OneOf(["added", "removed"]))
    entry_id = fields.Integer(required=True)
    item_id = fields.String(required=True)
    item_code = fields.String(required=True)
    conditions = fields.String(required=True)
    effective_on = fields.Date(required=True)
    filed_by = fields.String(required=True)


class MajorListChanged(StrictSchema):
    agency_code = fields.String(required=True)
    action = fields.String(required=True, validate=validate.OneOf(["added", "removed"]))
    rule_id = fields.Integer(required=True)
    item_id = fields.String(allow_none=True, required=True)
    penalty_kind = fields.String(allow_none=True, required=True)
    fine_from = fields.Float(allow_none=True, required=True)
    type_code = fields.String(allow_none=True)
    circumstance = fields.String(allow_none=True)


BENCHMARK_FILED = register(
    EventType(
        SERVICE,
        "benchmark.filed",
        BenchmarkFiled,
        1,
        "A discretion benchmark version was filed with the justice bureau (备案).",
    )
)

LENIENT_LIST_FILED = register(
    EventType(
        SERVICE,
        "lenient_list.filed",
        LenientListFiled,
        1,
        "A lenient-list change (从轻/减轻/首违不罚) was filed with the justice bureau (备案).",
    )
)

MAJOR_LIST_CHANGED = register(
    EventType(
        SERVICE,
        "major_list.changed",
        MajorListChanged,
        1,
        "An agency's major-decision list (重大执法决定法制审核目录) changed.",
    )
)
