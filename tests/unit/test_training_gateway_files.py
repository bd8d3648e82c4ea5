"""The gateway's file routes (attendance upload, compliance export): body limits, media types, OpenAPI (no broker)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from openapi_spec_validator import validate
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from enforcement_contracts.errors import ServiceError, ValidationFailed
from enforcement_gateway.openapi import build_openapi
from enforcement_gateway.routing import API_PREFIX, load_route_modules
from enforcement_gateway.service import GatewayService

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def routes():
    return {(r.method, r.path): r for rs in load_route_modules().values() for r in rs}


def read(route, data: bytes, content_type: str = XLSX, limit: int = 1000):
    request = Request(EnvironBuilder(method="POST", path="/x", data=data, content_type=content_type).get_environ())
    gateway = SimpleNamespace(gateway=SimpleNamespace(max_upload=limit, max_body=100))
    gateway.read_upload = lambda req, r: GatewayService.read_upload(gateway, req, r)
    return GatewayService.read_body(gateway, request, route)


def test_an_upload_is_passed_on_as_bytes_within_its_own_limit(routes):
    route = routes[("POST", "/training/attendance/import")]
    assert route.raw_body_types == (XLSX,) and route.moves_files
    assert read(route, b"PK" + b"x" * 500) == b"PK" + b"x" * 500  # larger than max_body, within max_upload
    with pytest.raises(ServiceError) as too_large:
        read(route, b"x" * 1001)
    assert too_large.value.status == 413 and "_body" in too_large.value.fields
    with pytest.raises(ServiceError) as wrong_type:
        read(route, b"{}", content_type="application/json")
    assert wrong_type.value.status == 415 and XLSX in wrong_type.value.message
    with pytest.raises(ValidationFailed):
        read(route, b"")


def test_json_routes_keep_the_small_json_limit(routes):
    route = routes[("POST", "/training/attendance")]
    assert not route.moves_files
    with pytest.raises(ServiceError) as too_large:
        read(route, b"{" + b" " * 200 + b"}", content_type="application/json")
    assert too_large.value.status == 413


def test_openapi_documents_file_bodies_and_file_answers(routes):
    spec = build_openapi(list(routes.values()))
    validate(spec)
    upload = spec["paths"][f"{API_PREFIX}/training/attendance/import"]["post"]
    assert upload["requestBody"]["content"][XLSX]["schema"] == {"type": "string", "format": "binary"}
    export = spec["paths"][f"{API_PREFIX}/training/compliance/export"]["get"]
    assert export["responses"]["200"]["content"][XLSX]["schema"]["format"] == "binary"
    close = spec["paths"][f"{API_PREFIX}/training/years/{{year}}/close"]["post"]
    assert close["security"] == [{"bearer": []}]
