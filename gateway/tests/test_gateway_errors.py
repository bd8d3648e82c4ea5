"""The one error body: nested messages flattened to dotted paths, an import's rows apart, and the OpenAPI document
saying exactly that for every operation (no broker)."""

from __future__ import annotations

import jsonschema
import pytest

from enforcement_gateway.conformance import json_schema
from enforcement_gateway.errors import ERROR_SCHEMA, ROW_PROBLEM_SCHEMA, error_body, flatten_messages
from enforcement_gateway.openapi import build_openapi
from enforcement_gateway.routing import load_route_modules


def validate_error(body: dict) -> None:
    components = json_schema({"components": {"schemas": {"RowProblem": ROW_PROBLEM_SCHEMA, "Error": ERROR_SCHEMA}}})
    jsonschema.validate(body, {"allOf": [{"$ref": "#/components/schemas/Error"}], **components})


def test_nested_messages_become_dotted_paths_of_lists_of_strings():
    nested = {
        "penalty": {"fine_amount": ["must be between 0 and 100000000000"]},
        "items": {0: {"points": ["Not a valid integer."]}, 2: {"label": ["Missing data."]}},
        "_schema": ["give exactly one of item_id, penalty_kind, fine_from"],
        "name": ["too long"],
    }
    assert flatten_messages(nested) == {
        "penalty.fine_amount": ["must be between 0 and 100000000000"],
        "items.0.points": ["Not a valid integer."],
        "items.2.label": ["Missing data."],
        "_schema": ["give exactly one of item_id, penalty_kind, fine_from"],
        "name": ["too long"],
    }
    body = error_body("validation_failed", "invalid request body", nested)
    validate_error(body)
    assert body["fields"]["penalty.fine_amount"] == ["must be between 0 and 100000000000"]


def test_an_imports_problems_are_rows_apart_from_fields():
    problems = [
        {"row": "3", "column": "officer_id", "reason": "unknown officer"},
        {"row": 5, "column": None, "reason": "x"},
    ]
    body = error_body("validation_failed", "2 rows refused", {"file": ["2 rows refused"], "rows": problems})
    validate_error(body)
    assert body["fields"] == {"file": ["2 rows refused"]}
    assert [(p["row"], p["column"]) for p in body["rows"]] == [(3, "officer_id"), (5, None)]
    assert "fields" not in error_body("not_found", "no such case")


def test_an_object_where_a_list_is_declared_fails_the_schema():
    with pytest.raises(jsonschema.ValidationError):
        validate_error({"error": "validation_failed", "message": "x", "fields": {"penalty": {"fine_amount": ["x"]}}})


@pytest.fixture(scope="module")
def document():
    return build_openapi([r for rs in load_route_modules().values() for r in rs])


def test_every_operation_documents_its_errors_with_the_one_error_schema(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "404", "409", "502", "503"):
                ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error", (method, path, status)
    assert document["components"]["schemas"]["Error"]["properties"]["fields"]["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }


def test_413_415_where_a_body_is_read_and_429_where_rate_limited(document):
    complaint = document["paths"]["/api/v1/public/complaints"]["post"]["responses"]
    assert {"413", "415", "429"} <= set(complaint) and "Retry-After" in complaint["429"]["headers"]
    reading = document["paths"]["/api/v1/officers/{officer_id}"]["get"]["responses"]
    assert not {"413", "415", "429"} & set(reading)
    upload = document["paths"]["/api/v1/training/attendance/import"]["post"]["responses"]
    assert {"413", "415"} <= set(upload)
    limited = {(m, p) for p, ops in document["paths"].items() for m, op in ops.items() if "429" in op["responses"]}
    public = {(m, p) for p, ops in document["paths"].items() for m, op in ops.items() if "security" not in op}
    public_reads = {(m, p) for m, p in public if m == "get"}
    # public writes where declared rate-limited, every public read (GATEWAY.public_read_rate_limit), and the login
    # (failed logins throttled per client address)
    assert limited == public_reads | {("post", "/api/v1/public/complaints"), ("post", "/api/v1/auth/login")}
    assert ("get", "/api/v1/public/certificates/{number}") in limited
    assert all("Retry-After" in document["paths"][p][m]["responses"]["429"]["headers"] for m, p in limited)


def test_403_names_the_password_change_where_it_can_happen(document):
    users = document["paths"]["/api/v1/users"]["get"]["responses"]["403"]["description"]
    assert "password_change_required" in users
    me = document["paths"]["/api/v1/auth/me"]["get"]["responses"]["403"]["description"]
    assert "password_change_required" not in me  # open before the change
    assert "403" not in document["paths"]["/api/v1/public/certificates/{number}"]["get"]["responses"]


def test_public_reads_say_they_may_be_cached_and_staff_answers_not(document):
    check = document["paths"]["/api/v1/public/certificates/{number}"]["get"]["responses"]["200"]
    assert check["headers"]["Cache-Control"]["description"].startswith("public, max-age=")
    officer = document["paths"]["/api/v1/officers/{officer_id}"]["get"]["responses"]["200"]
    assert officer["headers"]["Cache-Control"]["description"] == "no-store"


def test_a_contracts_docstring_describes_its_schema(document):
    described = document["components"]["schemas"]["benchmarks.MajorRuleCreate"]
    assert "major-decision list" in described["description"]
