"""The enforcement-item catalogue (行政执法事项目录): items, their versions, dormant items, and their events."""

from __future__ import annotations

from marshmallow import fields, validate

from ..common import AGENCY_CODE, PageQuery, StrictSchema
from ..events import EventType, register
from .common import DOMAIN_CODE, NOT_BLANK, SERVICE, TYPE_CODE

ITEM_CODE = validate.Regexp(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$", error="must be 1-40 letters, digits, '.', '_' or '-'")


class ItemType(StrictSchema):
    code = fields.String()
    name = fields.String()
    publish_decisions = fields.Boolean(metadata={"description": "decisions of this type are published (公示)"})
    penalty_procedure = fields.Boolean(metadata={"description": "the Administrative Penalty Law's procedure applies"})


class ItemCreate(StrictSchema):
    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    code = fields.String(required=True, validate=ITEM_CODE, metadata={"description": "the agency's own item code"})
    type_code = fields.String(required=True, validate=TYPE_CODE)
    name = fields.String(required=True, validate=[validate.Length(min=2, max=200), NOT_BLANK])
    domain = fields.String(required=True, validate=DOMAIN_CODE)
    legal_basis = fields.String(
        required=True,
        validate=[validate.Length(min=2, max=4000), NOT_BLANK],
        metadata={"description": "the law, regulation or rule and article; no basis, no item"},
    )
    effective_from = fields.Date(metadata={"description": "defaults to today"})


class ItemChange(StrictSchema):
    """A change makes a new version in force from ``effective_from``; cases keep the version they were filed under."""

    name = fields.String(validate=[validate.Length(min=2, max=200), NOT_BLANK])
    domain = fields.String(validate=DOMAIN_CODE)
    legal_basis = fields.String(validate=[validate.Length(min=2, max=4000), NOT_BLANK])
    effective_from = fields.Date(required=True)
    reason = fields.String(required=True, validate=[validate.Length(min=2, max=500), NOT_BLANK])


class ItemCancel(StrictSchema):
    cancelled_on = fields.Date(required=True)
    reason = fields.String(required=True, validate=[validate.Length(min=2, max=500), NOT_BLANK])


class ItemVersion(StrictSchema):
    version = fields.Integer()
    name = fields.String()
    domain = fields.String()
    legal_basis = fields.String()
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True, metadata={"description": "last day in force; null while current"})


class Item(StrictSchema):
    item_id = fields.String()
    agency_code = fields.String()
    code = fields.String()
    type_code = fields.String()
    name = fields.String()
    domain = fields.String()
    legal_basis = fields.String()
    version = fields.Integer()
    effective_from = fields.Date()
    cancelled_on = fields.Date(allow_none=True)
    versions = fields.List(fields.Nested(ItemVersion), metadata={"description": "every version, oldest first"})


class ItemQuery(PageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)
    type_code = fields.String(validate=TYPE_CODE)
    include_cancelled = fields.Boolean(load_default=False)


class DormantQuery(PageQuery):
    agency_code = fields.String(validate=AGENCY_CODE)
    as_of = fields.Date(metadata={"description": "defaults to today"})


class DormantItem(StrictSchema):
    """An item with no case in the last N years (a setting, 5): proposed for cancellation or adjustment."""

    item_id = fields.String()
    agency_code = fields.String()
    code = fields.String()
    type_code = fields.String()
    name = fields.String()
    last_case_filed_on = fields.Date(allow_none=True)
    in_catalogue_since = fields.Date()


class ItemRegistered(StrictSchema):
    item_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    code = fields.String(required=True)
    type_code = fields.String(required=True)
    name = fields.String(required=True)
    domain = fields.String(required=True)
    legal_basis = fields.String(required=True)
    version = fields.Integer(required=True)
    effective_from = fields.Date(required=True)


class ItemChanged(ItemRegistered):
    reason = fields.String(required=True)
    changed = fields.List(fields.String(), required=True)


class ItemCancelled(StrictSchema):
    item_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    code = fields.String(required=True)
    cancelled_on = fields.Date(required=True)
    reason = fields.String(required=True)


ITEM_REGISTERED = register(
    EventType(
        SERVICE,
        "item.registered",
        ItemRegistered,
        1,
        "An enforcement item (行政执法事项) entered an agency's catalogue.",
    )
)

ITEM_CHANGED = register(
    EventType(
        SERVICE,
        "item.changed",
        ItemChanged,
        1,
        "An item got a new version (name, domain or legal basis); earlier cases keep theirs.",
    )
)

ITEM_CANCELLED = register(EventType(SERVICE, "item.cancelled", ItemCancelled, 1, "An item left the catalogue."))
