"""Bad input gets a 400 naming the field, never a 5xx (issue 13): each failure the issue reproduced, over real HTTP
against the gateway and the services as processes, now refused by the one input policy and writing nothing."""

from __future__ import annotations

import io
import re

import pytest
from enforcement_testing import RUN_DATE, db_connection, db_count, valid_id_number, wait_until
from openpyxl import load_workbook
from test_http import SCJ, agency_admin, register

from enforcement_kernel.spreadsheets import safe_cell

TOO_BIG = 2**63  # one past the databases' BIGINT


def fields_of(response) -> dict:
    assert response.status_code == 400, (response.status_code, response.text)
    body = response.json()
    assert body["error"] == "validation_failed"
    return body["fields"]


def officer_body(name: str, seq: int = 900) -> dict:
    return {"agency_code": SCJ, "name": name, "id_number": valid_id_number(seq), "domains": ["market_supervision"]}


def raw_post(api, path: str, text: str):
    return api.post(path, data=text.encode(), headers={"Content-Type": "application/json"})


# One running suite for every refusal (starting one takes ~15 s): longer than 50 lines on purpose.
@pytest.mark.timeout(180)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(suite):
    admin = suite.admin()
    before = db_count(suite.personnel_db, "officers")

    # JSON nested 1,000 deep was a 500 (RecursionError in the body reader); past the limit (32) it is refused too
    for depth in (1000, 33):
        deep = raw_post(admin, "/officers", '{"name": ' + "[" * depth + "]" * depth + "}")
        assert fields_of(deep) == {"_body": ["nested deeper than 32 levels"]}
    shallow = raw_post(admin, "/officers", '{"name": ' + "[" * 5 + "]" * 5 + "}")
    assert "_body" not in fields_of(shallow) and "name" in fields_of(shallow)  # parsed, then refused as a name

    # a lone surrogate was a 502; control characters, invisible ones and bidirectional overrides are refused alike
    surrogate = raw_post(admin, "/officers", '{"agency_code": "' + SCJ + '", "name": "\\ud800"}')
    assert "name" in fields_of(surrogate)
    unknown = raw_post(admin, "/officers", '{"\\ud800": 1}')  # echoed back as an unknown field, escaped
    assert fields_of(unknown)["\ud800"] == ["Unknown field."]
    for name, message in (
        ("a\u0000b", "must not contain control or invisible characters"),
        ("a\u200bb", "must not contain control or invisible characters"),
        ("\u202eabc", "must not contain bidirectional override characters"),
    ):
        assert fields_of(admin.post("/officers", json=officer_body(name)))["name"] == [message]
    assert db_count(suite.personnel_db, "officers") == before

    # surrounding whitespace is trimmed, not refused
    trimmed = admin.post("/officers", json=officer_body("  执法员九百  "))
    assert trimmed.status_code == 201, trimmed.text
    assert trimmed.json()["name"] == "执法员九百"

    # a text path parameter follows the text policy too (PostgreSQL refuses a NUL in a query: a 502)
    assert fields_of(admin.get("/officers/a%00b")) == {
        "officer_id": ["must not contain control or invisible characters"]
    }

    # a date before the range was a 502 (the service's date arithmetic); one after it too
    for day in ("0001-01-01", "9999-12-31"):
        refused = admin.get("/catalogue/dormant", params={"as_of": day})
        assert fields_of(refused) == {"as_of": ["must be between 1949-10-01 and 2100-12-31"]}

    # an empty officer id was a foreign-key error (502)
    reviewers = db_count(suite.personnel_db, "legal_reviewers")
    reviewer = {"agency_code": SCJ, "name": "审核员", "kind": "legal_adviser", "has_legal_qualification": False}
    assert "officer_id" in fields_of(admin.post("/legal-reviewers", json={**reviewer, "officer_id": ""}))
    unknown = admin.post("/legal-reviewers", json={**reviewer, "officer_id": "no-such-officer"})
    assert "officer_id" in fields_of(unknown)
    assert db_count(suite.personnel_db, "legal_reviewers") == reviewers


@pytest.mark.timeout(120)
def test_every_integer_path_parameter_out_of_range_is_a_400_naming_it(suite):
    """Every ``<int:...>`` of every route (supervision items, complaints, lenient-list entries, rules, filings,
    years): 2^63 was a 502; 0 and 2^63 are now a 400 naming the parameter, before any service is asked."""
    admin = suite.admin()
    document = admin.session.get(f"{suite.root}/openapi.json", timeout=10).json()
    checked = set()
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            integers = [
                p["name"]
                for p in operation.get("parameters", [])
                if p.get("in") == "path" and p["schema"].get("type") == "integer"
            ]
            if not integers or operation["responses"].get("403") is None and "security" not in operation:
                continue
            for name in integers:
                for value in (TOO_BIG, 0) if name != "year" else (99999, 1):
                    path = template.removeprefix("/api/v1")
                    path = re.sub(r"{(\w+)}", lambda m, n=name, v=value: str(v) if m[1] == n else "1", path)
                    answer = admin.request(method.upper(), path, json={} if method != "get" else None)
                    assert name in fields_of(answer), (method, template, answer.text)
                checked.add((method, template))
    assert ("get", "/api/v1/supervision/items/{item_id}") in checked
    assert ("post", "/api/v1/lenient-lists/{entry_id}/removal") in checked
    assert any("complaint_id" in template for _, template in checked)
    assert len(checked) >= 15


@pytest.mark.timeout(180)
def test_an_officer_name_with_a_control_character_is_refused_and_an_old_one_still_exports(training_suite):
    """``a\\u0000b`` is refused at input now; a name stored before (or by a path that skipped the policy) no longer
    makes the agency's compliance export fail: the export writes it without the characters a workbook cannot hold."""
    suite = training_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-policy")
    assert fields_of(scj.post("/officers", json=officer_body("a\u0000b", 901))) == {
        "name": ["must not contain control or invisible characters"]
    }
    officer = register(scj, SCJ, 902)["officer_id"]
    wait_until(
        lambda: db_count(suite.training_db, "officers", "officer_id = :o", o=officer) == 1,
        message="the officer reached training",
    )
    from sqlalchemy import text

    with db_connection(suite.training_db) as conn:  # as stored before the policy refused it
        conn.execute(text("UPDATE officers SET name = :n WHERE officer_id = :o"), {"n": "a\u0000b\u0007", "o": officer})
        conn.commit()
    export = scj.get("/training/compliance/export", params={"year": RUN_DATE.year})
    assert export.status_code == 200, export.text
    table = list(load_workbook(io.BytesIO(export.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert [row[1] for row in table[1:] if row[0] == officer] == [safe_cell("a\u0000b\u0007")]
