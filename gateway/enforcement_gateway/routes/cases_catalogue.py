"""HTTP routes of the cases service: the catalogue of enforcement items (行政执法事项目录), discretion
benchmarks, lenient lists and major-decision lists. Agency scoping is enforced by the service itself (the actor
travels with every call); the gateway checks the role and validates the input. The catalogue, benchmarks and
lenient lists are published information: every signed-in role reads them."""

from __future__ import annotations

from marshmallow import fields

from enforcement_contracts.cases import benchmarks, catalogue
from enforcement_contracts.common import AGENCY_CODE, StrictSchema, page_of

from ..routing import ADMINS, STAFF, Route, forward

SERVICE = "cases"


class AgencyFilter(StrictSchema):
    agency_code = fields.String(validate=AGENCY_CODE)


ROUTES = [
    # catalogue (行政执法事项目录)
    Route(
        "GET",
        "/catalogue/types",
        forward("cases.list_item_types"),
        STAFF,
        "List enforcement types",
        "cases",
        response=catalogue.ItemType,
        many=True,
    ),
    Route(
        "GET",
        "/catalogue/items",
        forward("cases.list_items", "query"),
        STAFF,
        "List catalogue items",
        "cases",
        query=catalogue.ItemQuery,
        response=page_of(catalogue.Item),
    ),
    Route(
        "POST",
        "/catalogue/items",
        forward("cases.create_item", "actor", "body"),
        ADMINS,
        "Register a catalogue item (with its legal basis)",
        "cases",
        body=catalogue.ItemCreate,
        response=catalogue.Item,
        status=201,
    ),
    Route(
        "GET",
        "/catalogue/items/<item_id>",
        forward("cases.get_item", "path.item_id"),
        STAFF,
        "Read a catalogue item with its versions",
        "cases",
        response=catalogue.Item,
    ),
    Route(
        "POST",
        "/catalogue/items/<item_id>/versions",
        forward("cases.change_item", "actor", "path.item_id", "body"),
        ADMINS,
        "Change an item (a new version)",
        "cases",
        body=catalogue.ItemChange,
        response=catalogue.Item,
        status=201,
    ),
    Route(
        "POST",
        "/catalogue/items/<item_id>/cancellation",
        forward("cases.cancel_item", "actor", "path.item_id", "body"),
        ADMINS,
        "Cancel an item",
        "cases",
        body=catalogue.ItemCancel,
        response=catalogue.Item,
    ),
    Route(
        "GET",
        "/catalogue/dormant",
        forward("cases.dormant_items", "actor", "query"),
        STAFF,
        "Items with no case in 5 years (proposed for cancellation)",
        "cases",
        query=catalogue.DormantQuery,
        response=catalogue.DormantItem,
        many=True,
    ),
    Route(
        "POST",
        "/catalogue/items/<item_id>/benchmarks",
        forward("cases.set_benchmark", "actor", "path.item_id", "body"),
        ADMINS,
        "File a discretion benchmark version (备案)",
        "cases",
        body=benchmarks.BenchmarkSet,
        response=benchmarks.Benchmark,
        status=201,
    ),
    Route(
        "GET",
        "/catalogue/items/<item_id>/benchmarks",
        forward("cases.list_benchmarks", "path.item_id"),
        STAFF,
        "An item's benchmark versions",
        "cases",
        response=benchmarks.Benchmark,
        many=True,
    ),
    Route(
        "GET",
        "/lenient-lists",
        forward("cases.list_lenient", "query"),
        STAFF,
        "The lenient lists (从轻, 减轻, 首违不罚)",
        "cases",
        query=benchmarks.LenientQuery,
        response=benchmarks.LenientEntry,
        many=True,
    ),
    Route(
        "POST",
        "/lenient-lists",
        forward("cases.add_lenient_entry", "actor", "body"),
        ADMINS,
        "Add an item to a lenient list (备案)",
        "cases",
        body=benchmarks.LenientEntryCreate,
        response=benchmarks.LenientEntry,
        status=201,
    ),
    Route(
        "POST",
        "/lenient-lists/<int:entry_id>/removal",
        forward("cases.remove_lenient_entry", "actor", "path.entry_id", "body"),
        ADMINS,
        "Remove an item from a lenient list (备案)",
        "cases",
        body=benchmarks.LenientEntryRemove,
        response=benchmarks.LenientEntry,
    ),
    Route(
        "GET",
        "/major-decision-list",
        forward("cases.list_major_rules", "actor", "query.agency_code"),
        STAFF,
        "Major-decision lists (重大执法决定法制审核目录)",
        "cases",
        query=AgencyFilter,
        response=benchmarks.MajorRule,
        many=True,
    ),
    Route(
        "POST",
        "/major-decision-list",
        forward("cases.add_major_rule", "actor", "body"),
        ADMINS,
        "Add an entry to an agency's major-decision list",
        "cases",
        body=benchmarks.MajorRuleCreate,
        response=benchmarks.MajorRule,
        status=201,
    ),
    Route(
        "DELETE",
        "/major-decision-list/<int:rule_id>",
        forward("cases.remove_major_rule", "actor", "path.rule_id"),
        ADMINS,
        "Remove an entry from a major-decision list",
        "cases",
        response=benchmarks.MajorRule,
    ),
]
