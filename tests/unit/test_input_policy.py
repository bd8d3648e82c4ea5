"""The contracts' input policy (enforcement_contracts.input_policy) as every StrictSchema applies it."""

from __future__ import annotations

from datetime import date

import pytest
from marshmallow import ValidationError, fields, validate

from enforcement_contracts import input_policy
from enforcement_contracts.common import StrictSchema
from enforcement_gateway.service import json_depth
from enforcement_kernel.spreadsheets import safe_cell, write_table

CONTROL = input_policy.CONTROL_MESSAGE
BIDI = input_policy.BIDI_MESSAGE


class Sample(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=20))
    tags = fields.List(fields.String())
    password = fields.String(metadata={"verbatim": True})
    held_on = fields.Date()
    officer_id = fields.Integer()
    hours = fields.Integer()
    year = fields.Integer()


def refusal(payload: dict) -> dict:
    with pytest.raises(ValidationError) as caught:
        Sample().load(payload)
    return caught.value.messages


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\u0000b", CONTROL),
        ("\ud800", CONTROL),  # a lone surrogate
        ("a\u0007", CONTROL),
        ("a\u200bb", CONTROL),  # zero-width space (format)
        ("a\ufeffb", CONTROL),
        ("a\ue000b", CONTROL),  # private use
        ("\u202eevil", BIDI),
        ("x\u2066y", BIDI),
    ],
)
def test_text_with_control_invisible_or_override_characters_is_refused_naming_the_field(text, message):
    assert refusal({"name": text}) == {"name": [message]}
    assert refusal({"tags": ["ok", text]}) == {"tags": {1: [message]}}


def test_text_is_trimmed_keeps_its_line_breaks_and_a_verbatim_field_is_not_trimmed():
    loaded = Sample().load({"name": "  执法员 \n", "tags": [" a "], "password": " pass word "})
    assert loaded == {"name": "执法员", "tags": ["a"], "password": " pass word "}
    assert Sample().load({"name": "第一段\n第二段\t完"})["name"] == "第一段\n第二段\t完"
    # trimmed before the field's own rules: only spaces is empty
    assert refusal({"name": "   "}) == {"name": ["Length must be between 1 and 20."]}
    assert refusal({"password": "a\u0000"}) == {"password": [CONTROL]}


def test_dates_are_within_the_range_and_the_range_can_be_set():
    assert refusal({"held_on": "0001-01-01"}) == {"held_on": ["must be between 1949-10-01 and 2100-12-31"]}
    assert refusal({"held_on": "9999-12-31"}) == {"held_on": ["must be between 1949-10-01 and 2100-12-31"]}
    assert Sample().load({"held_on": "1949-10-01"})["held_on"] == date(1949, 10, 1)
    earliest, latest = input_policy.DATE_RANGE.earliest, input_policy.DATE_RANGE.latest
    try:
        input_policy.set_date_range("2000-01-01", "2030-12-31")
        assert refusal({"held_on": "1999-12-31"}) == {"held_on": ["must be between 2000-01-01 and 2030-12-31"]}
        assert refusal({"year": 2031}) == {"year": ["must be between 2000 and 2030"]}
        with pytest.raises(ValueError):
            input_policy.set_date_range("2040-01-01")
    finally:
        input_policy.DATE_RANGE.earliest, input_policy.DATE_RANGE.latest = earliest, latest


def test_ids_and_integers_are_within_a_signed_64_bit_integer():
    too_big = "Must be greater than or equal to 1 and less than or equal to 9223372036854775807."
    assert refusal({"officer_id": 2**63}) == {"officer_id": [too_big]}
    assert refusal({"officer_id": 0}) == {"officer_id": [too_big]}
    assert Sample().load({"officer_id": 2**63 - 1, "hours": -5}) == {"officer_id": 2**63 - 1, "hours": -5}
    assert "hours" in refusal({"hours": 2**63})
    assert input_policy.id_problem(2**63) == too_big and input_policy.id_problem(7) is None


def test_the_policy_is_bound_once_however_many_schemas_are_made():
    for _ in range(5):
        Sample()
    schema = Sample()
    assert schema.fields["name"].validators.count(input_policy.check_text) == 1
    assert schema.fields["tags"].inner.validators.count(input_policy.check_text) == 1
    assert Sample().load({"name": " x "}) == {"name": "x"}


def test_json_depth_is_counted_without_recursion():
    deep: list = []
    node = deep
    for _ in range(100_000):  # far past the interpreter's recursion limit
        node.append([])
        node = node[0]
    assert json_depth(deep, 32) == 33  # stops counting past the limit
    assert json_depth({"a": [1, {"b": 2}]}, 32) == 3
    assert json_depth("text", 32) == 0


def test_an_export_writes_any_stored_text():
    assert safe_cell("a\u0000b\u0007") in ("ab", "a\ufffdb\ufffd")  # dropped or marked, never refused
    assert safe_cell("行一\n行二\t") == "行一\n行二\t"
    assert safe_cell(3.5) == 3.5
    content = write_table("t\u0001", ["name"], [["a\u0000b"]])
    assert content.startswith(b"PK")


def test_a_write_the_database_refuses_is_a_400_or_409_naming_the_column():
    """Real SQLite refusals through the kernel's mapping (the net under the services' own checks)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import IntegrityError

    from enforcement_contracts.errors import Conflict, ValidationFailed
    from enforcement_kernel.rpc import integrity_refusal

    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(text("PRAGMA foreign_keys = ON"))
        conn.execute(text("CREATE TABLE officers (officer_id TEXT PRIMARY KEY, id_hash TEXT UNIQUE NOT NULL)"))
        conn.execute(text("CREATE TABLE reviewers (officer_id TEXT REFERENCES officers (officer_id))"))
        conn.execute(text("INSERT INTO officers VALUES ('o1', 'h1')"))
        refusals = []
        for sql in (
            "INSERT INTO officers VALUES ('o2', 'h1')",
            "INSERT INTO officers VALUES ('o3', NULL)",
            "INSERT INTO reviewers VALUES ('nobody')",
        ):
            with pytest.raises(IntegrityError) as caught:
                conn.execute(text(sql))
            refusals.append(integrity_refusal(caught.value))
    duplicate, missing, dangling = refusals
    assert isinstance(duplicate, Conflict) and duplicate.fields == {"id_hash": ["already recorded"]}
    assert isinstance(missing, ValidationFailed) and missing.fields == {"id_hash": ["Missing data for required field."]}
    assert isinstance(dangling, ValidationFailed)
    assert dangling.fields == {"_schema": ["refers to a record that does not exist"]}  # SQLite names no column
