"""The check the end-to-end client applies to every answer: a wrong status or shape is caught (no broker)."""

from __future__ import annotations

import pytest

from enforcement_gateway.conformance import ApiDocument
from enforcement_gateway.openapi import build_openapi
from enforcement_gateway.routing import load_route_modules

CERTIFICATE_CHECK = "/api/v1/public/certificates/140928202600001"


@pytest.fixture(scope="module")
def document():
    return ApiDocument(build_openapi([r for rs in load_route_modules().values() for r in rs]))


def test_a_documented_answer_passes(document):
    error = {"error": "validation_failed", "message": "invalid", "fields": {"penalty.fine_amount": ["too high"]}}
    assert document.problems("POST", "/api/v1/cases", 400, error) == []
    assert document.problems("GET", "/api/v1/officers/abc", 404, {"error": "not_found", "message": "no"}) == []
    login = {"token": "t", "expires_at": "2026-01-01T00:00:00Z", "username": "a", "role": "bureau", "agency_code": None}
    assert document.problems("POST", "/api/v1/auth/login", 200, login) == []


def test_a_wrong_shape_fails(document):
    nested = {"error": "validation_failed", "message": "invalid", "fields": {"penalty": {"fine_amount": ["x"]}}}
    assert document.problems("POST", "/api/v1/cases", 400, nested)  # fields as objects where arrays are declared
    login = {"token": 5, "expires_at": "2026-01-01T00:00:00Z", "username": "a", "role": "bureau"}
    assert document.problems("POST", "/api/v1/auth/login", 200, login)  # a number where a string is declared
    unknown_key = {"token": "t", "surprise": 1}
    assert document.problems("POST", "/api/v1/auth/login", 200, unknown_key)  # strict schemas: no extra keys
    users = {"items": {"username": "a"}, "total": 1, "page": 1, "per_page": 50}
    assert document.problems("GET", "/api/v1/users", 200, users)  # an object where a list is declared
    assert document.problems("POST", "/api/v1/auth/login", 400, {"message": "no code"})  # error without its code


def test_an_undocumented_status_or_route_fails(document):
    assert document.problems("GET", CERTIFICATE_CHECK, 429, {"error": "rate_limited", "message": "x"}) == []
    assert document.problems("GET", "/api/v1/officers/abc", 429, {"error": "rate_limited", "message": "x"})
    assert document.problems("GET", CERTIFICATE_CHECK, 403, {"error": "forbidden", "message": "x"})  # public
    assert document.problems("GET", "/api/v1/officers/abc", 413, {"error": "payload_too_large", "message": "x"})
    assert document.problems("PUT", "/api/v1/officers/abc", 200, {}) == [
        "PUT /api/v1/officers/abc is not in the document"
    ]
    assert document.problems("GET", "/api/v1/no-such-route", 404, {"error": "not_found", "message": "x"}) == []


def test_a_file_answer_is_checked_by_its_media_type(document):
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert document.problems("GET", "/api/v1/training/attendance/import-template", 200, None, xlsx) == []
    assert document.problems("GET", "/api/v1/training/attendance/import-template", 200, None, "text/csv")
