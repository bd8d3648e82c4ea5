"""The gateway's routes and OpenAPI document, and the contracts they come from (no broker)."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from enforcement_contracts import personnel as contract
from enforcement_contracts.events import Envelope, all_event_types
from enforcement_gateway.openapi import build_openapi
from enforcement_gateway.routing import API_PREFIX, RouteTable, load_route_modules
from personnel_service import rules


@pytest.fixture(scope="module")
def routes():
    modules = load_route_modules()
    assert {"auth", "personnel"} <= set(modules), "route modules are registered through entry points"
    return [r for rs in modules.values() for r in rs]


def test_openapi_document_is_valid_and_lists_every_route(routes):
    spec = build_openapi(routes)
    validate(spec)  # raises on an invalid OpenAPI 3 document
    for route in routes:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.template)
        assert route.method.lower() in spec["paths"][path], f"{route.method} {path} missing from OpenAPI"
    officer_post = spec["paths"][f"{API_PREFIX}/officers"]["post"]
    body_ref = officer_post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = spec["components"]["schemas"][body_ref.rsplit("/", 1)[-1]]
    assert "id_number" in body["required"], "the contract's required fields reach the document"
    officer_out = spec["components"]["schemas"]["personnel.Officer"]["properties"]
    assert "id_number" not in officer_out and "id_number_masked" in officer_out


def test_route_table_matches_templates_and_rejects_unknown(routes):
    table = RouteTable(routes)
    route, params = table.match(f"{API_PREFIX}/officers/abc123", "GET")
    assert route.summary == "Read an officer" and params == {"officer_id": "abc123"}
    from werkzeug.exceptions import MethodNotAllowed, NotFound

    with pytest.raises(NotFound):
        table.match(f"{API_PREFIX}/nothing-here", "GET")
    with pytest.raises(MethodNotAllowed):
        table.match(f"{API_PREFIX}/officers/abc123", "DELETE")


def test_every_write_is_audited_and_only_the_certificate_check_and_login_are_public(routes):
    public = {(r.method, r.path) for r in routes if r.is_public}
    assert public == {
        ("POST", "/auth/login"),
        ("GET", "/public/certificates/<number>"),
        ("GET", "/public/decisions"),  # the cases service's published decisions (公示)
        ("GET", "/public/decisions/<case_id>"),
        ("GET", "/public/agencies"),  # the cases service's other 执法公示: catalogue, benchmarks, lists, draws
        ("GET", "/public/catalogue"),
        ("GET", "/public/catalogue/<item_id>"),
        ("GET", "/public/benchmarks"),
        ("GET", "/public/lenient-lists"),
        ("GET", "/public/major-decision-list"),  # 重大执法决定法制审核目录清单, published on purpose (issue 13)
        ("GET", "/public/draws"),
        ("POST", "/public/complaints"),
        # the complaint form's agencies, a complaint's progress by its receipt number, the yearly reports as filed
        ("GET", "/public/complaints/agencies"),
        ("GET", "/public/complaints/<receipt_code>"),
        ("GET", "/public/annual-reports"),
        ("GET", "/public/annual-reports/<int:year>/<scope>"),
    }  # complaints (投诉举报): rate-limited per client address
    for route in routes:
        if route.method != "GET" and route.path != "/officers/lookup":
            assert route.audited, f"{route.method} {route.path} must be audited"


def test_rule_constants_are_the_public_contract_s_own():
    # the rules import them from the contract: a copy (equal today, apart tomorrow) fails here
    assert rules.CERTIFICATE_STATUSES is contract.CERTIFICATE_STATUSES
    assert rules.DEPARTURE_REASONS is contract.DEPARTURE_REASONS
    assert rules.ASSESSMENT_GRADES is contract.ASSESSMENT_GRADES


def test_no_event_schema_carries_an_id_card_number():
    for event_type in all_event_types():
        assert "id_number" not in event_type.schema().fields, event_type.type


def test_envelope_round_trip_and_rejects_unknown_attributes():
    env = Envelope(
        type="personnel.officer.registered",
        source="personnel",
        data={"a": 1},
        schemaversion=1,
        subject="x",
        correlationid="c1",
    )
    again = Envelope.from_dict(env.to_dict())
    assert again == env
    from marshmallow import ValidationError

    with pytest.raises(ValidationError):
        Envelope.from_dict({**env.to_dict(), "surprise": 1})
    with pytest.raises(ValidationError):
        Envelope.from_dict({k: v for k, v in env.to_dict().items() if k != "id"})


def test_event_payload_is_checked_before_it_reaches_the_outbox():
    from marshmallow import ValidationError

    good = {
        "certificate_number": "140928202600001",
        "officer_id": "o1",
        "agency_code": "140928-scjgj",
        "domains": ["market_supervision"],
        "issued_on": "2026-01-05",
        "expires_on": "2031-01-05",
    }
    assert contract.CERTIFICATE_ISSUED.dump(good)["issued_on"] == "2026-01-05"
    with pytest.raises(ValidationError):
        contract.CERTIFICATE_ISSUED.dump({k: v for k, v in good.items() if k != "officer_id"})
