"""The cases service's HTTP routes and contract, as the gateway serves them (no broker)."""

from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import validate

from enforcement_contracts.cases import procedure as contract
from enforcement_contracts.events import all_event_types
from enforcement_gateway.openapi import build_openapi
from enforcement_gateway.routing import ADMINS, BUREAU, PUBLIC, load_route_modules


@pytest.fixture(scope="module")
def routes():
    """Every route module fronting the cases service (cases, cases_catalogue, cases_inspections, cases_reviews)."""
    modules = load_route_modules(services={"cases"})
    return [route for name, routes in modules.items() if name.split("_", 1)[0] == "cases" for route in routes]


def test_the_document_is_valid_as_served_json(routes):
    # the gateway serialises with default=str: every number in the document must be a JSON number already
    spec = json.loads(json.dumps(build_openapi(routes), default=str))
    validate(spec)
    fine = spec["components"]["schemas"]["procedure.Penalty"]["properties"]["fine_amount"]
    assert fine["minimum"] == 0 and isinstance(fine["maximum"], int)
    for route in routes:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.template)
        assert route.method.lower() in spec["paths"][path]


def test_roles_public_list_only_and_every_write_audited(routes):
    public = [(r.method, r.path) for r in routes if r.roles == PUBLIC]
    assert sorted(public) == [
        ("GET", "/public/agencies"),
        ("GET", "/public/benchmarks"),
        ("GET", "/public/catalogue"),
        ("GET", "/public/catalogue/<item_id>"),
        ("GET", "/public/decisions"),
        ("GET", "/public/decisions/<case_id>"),
        ("GET", "/public/draws"),
        ("GET", "/public/lenient-lists"),
        ("GET", "/public/major-decision-list"),  # published on purpose (issue 13)
    ]
    for route in routes:
        if route.method != "GET":
            assert route.audited and route.roles in (ADMINS, BUREAU), f"{route.method} {route.path}"
    review_writes = [r for r in routes if r.path.startswith("/reviews") and r.method != "GET"]
    # the review itself is the bureau's; what follows a failing file is moved on by the case's agency too
    # (corrections; the service keeps accountability records to the bureau and another agency's out of reach)
    followups = [r for r in review_writes if r.path.startswith("/reviews/followups/")]
    assert review_writes and all(r.roles == BUREAU for r in review_writes if r not in followups)
    assert len(followups) == 3 and all(r.roles == ADMINS for r in followups)


def test_money_is_validated_without_a_range_rendered_as_text():
    assert contract.Penalty().validate({"kinds": ["fine"], "fine_amount": -1}) == {
        "fine_amount": ["must be between 0 and 100000000000"]
    }
    assert contract.Penalty().validate({"kinds": ["fine"], "fine_amount": 200}) == {}
    assert "fine_amount" in contract.Penalty().validate({"kinds": ["fine"]})
    assert "fine_amount" in contract.Penalty().validate({"kinds": ["warning"], "fine_amount": 5})


def test_cases_events_carry_no_id_number_and_are_registered():
    types = {e.type for e in all_event_types() if e.source == "cases"}
    assert {"cases.benchmark.filed", "cases.lenient_list.filed", "cases.promptness.measured"} <= types
    for event_type in all_event_types():
        if event_type.source == "cases":
            fields = event_type.schema().fields
            assert "id_number" not in fields and "party_name" not in fields, event_type.type


def test_rules_over_several_fields_are_in_the_schema_descriptions(routes):
    schemas = build_openapi(routes)["components"]["schemas"]
    assert "Exactly one of item_id, penalty_kind, fine_from" in schemas["benchmarks.MajorRuleCreate"]["description"]
    assert "if and only if kinds include fine" in schemas["procedure.Penalty"]["description"]
