"""The gateway's share of the input policy: path parameters checked before any service is asked, and declared in
/openapi.json with the bounds the check applies (schemathesis generates from them)."""

from __future__ import annotations

import re

import pytest

from enforcement_contracts.errors import ValidationFailed
from enforcement_gateway.openapi import build_openapi
from enforcement_gateway.routing import STAFF, Route, check_path, forward, load_route_modules

ITEM = Route("GET", "/supervision/items/<int:item_id>", forward("supervision.get_item"), STAFF, "An item", "t")
YEAR = Route("POST", "/training/years/<int:year>/close", forward("training.close_year"), STAFF, "Close", "t")
OFFICER = Route("GET", "/officers/<officer_id>", forward("personnel.get_officer"), STAFF, "An officer", "t")


def refusal(route: Route, params: dict) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        check_path(route, params)
    return caught.value.fields


def test_integer_ids_run_from_1_to_the_largest_bigint():
    check_path(ITEM, {"item_id": 1})
    check_path(ITEM, {"item_id": 2**63 - 1})
    message = ["Must be greater than or equal to 1 and less than or equal to 9223372036854775807."]
    assert refusal(ITEM, {"item_id": 2**63}) == {"item_id": message}
    assert refusal(ITEM, {"item_id": 0}) == {"item_id": message}


def test_a_year_in_a_path_is_within_the_dates_accepted():
    check_path(YEAR, {"year": 2026})
    assert refusal(YEAR, {"year": 99999}) == {"year": ["must be between 1949 and 2100"]}


def test_a_text_path_parameter_follows_the_text_policy():
    check_path(OFFICER, {"officer_id": "o-1"})
    assert refusal(OFFICER, {"officer_id": "a\x00b"}) == {
        "officer_id": ["must not contain control or invisible characters"]
    }
    assert refusal(OFFICER, {"officer_id": "\u202eb"}) == {
        "officer_id": ["must not contain bidirectional override characters"]
    }


def test_the_document_declares_every_integer_path_parameter_with_its_bounds():
    routes = [route for routes in load_route_modules().values() for route in routes]
    document = build_openapi(routes)
    declared = {}
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["schema"]["type"] == "integer":
                    declared[(method, template, parameter["name"])] = parameter["schema"]
    expected = {
        (route.method.lower(), re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.template), name)
        for route in routes
        for name in route.integer_params
    }
    assert set(declared) >= expected and expected
    for (_, _, name), schema in declared.items():
        if name == "year":
            assert (schema["minimum"], schema["maximum"]) == (1949, 2100)
        else:
            assert (schema["minimum"], schema["maximum"]) == (1, 2**63 - 1)


def test_what_a_post_creates_links_to_the_reads_of_it_in_its_own_area():
    from openapi_spec_validator import validate

    document = build_openapi([route for routes in load_route_modules().values() for route in routes])
    validate(document)
    links = document["paths"]["/api/v1/officers"]["post"]["responses"]["201"]["links"]
    assert {
        "operationRef": "#/paths/~1api~1v1~1officers~1{officer_id}/get",
        "parameters": {"officer_id": "$response.body#/officer_id"},
    } in links.values()
    catalogue = document["paths"]["/api/v1/catalogue/items"]["post"]["responses"]["201"]["links"]
    assert all("catalogue" in link["operationRef"] for link in catalogue.values())  # not supervision's item_id
