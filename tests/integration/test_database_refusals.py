"""The kernel's net under the services' checks (``enforcement_kernel.rpc``): what real PostgreSQL refuses becomes a
400 or 409 naming the column (PostgreSQL names it in every refusal), never a 502."""

from __future__ import annotations

import pytest
from enforcement_testing import fresh_postgres_database
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DataError, IntegrityError

from enforcement_contracts.errors import Conflict, ServiceError, ValidationFailed
from enforcement_kernel.rpc import _column_of, _with_database_refusals, integrity_refusal


def test_postgresql_refusals_name_the_column():
    with fresh_postgres_database() as url:
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                conn.execute(text("CREATE TABLE officers (officer_id TEXT PRIMARY KEY, id_hash TEXT UNIQUE NOT NULL)"))
                conn.execute(text("CREATE TABLE reviewers (officer_id TEXT REFERENCES officers (officer_id))"))
                conn.execute(text("CREATE TABLE items (item_id INTEGER, title VARCHAR(5))"))
                conn.execute(text("INSERT INTO officers VALUES ('o1', 'h1')"))
                conn.commit()
                refusals = []
                for sql in (
                    "INSERT INTO officers VALUES ('o2', 'h1')",
                    "INSERT INTO officers VALUES ('o3', NULL)",
                    "INSERT INTO reviewers VALUES ('nobody')",
                ):
                    with pytest.raises(IntegrityError) as caught:
                        conn.execute(text(sql))
                    conn.rollback()
                    refusals.append(integrity_refusal(caught.value))
                with pytest.raises(DataError) as too_big:
                    conn.execute(text("INSERT INTO items (item_id) VALUES (:v)"), {"v": 2**40})
                conn.rollback()
                answers = [call_refusing(conn, "INSERT INTO items (item_id) VALUES (:v)", v=2**40)]
                answers.append(call_refusing(conn, "INSERT INTO items (title) VALUES (:v)", v="longer than five"))
        finally:
            engine.dispose()
    duplicate, missing, dangling = refusals
    assert isinstance(duplicate, Conflict) and duplicate.fields == {"id_hash": ["already recorded"]}
    assert isinstance(missing, ValidationFailed) and missing.fields == {"id_hash": ["Missing data for required field."]}
    assert isinstance(dangling, ValidationFailed)
    assert dangling.fields == {"officer_id": ["refers to a record that does not exist"]}
    # the value the database quotes back (it may be personal data) is never part of the answer
    assert "nobody" not in str(dangling.fields) and "h1" not in str(duplicate.fields)
    assert _column_of(str(too_big.value.orig)) is None  # "integer out of range" names no column: "_schema"
    assert [(type(a), a.fields) for a in answers] == [
        (ValidationFailed, {"_schema": ["is out of range"]}),
        (ValidationFailed, {"_schema": ["is too long"]}),
    ]


def call_refusing(conn, sql: str, **params):
    """What an @rpc method that ran ``sql`` answers (the kernel's wrapper around a stand-in method)."""

    def method(self):
        try:
            conn.execute(text(sql), params)
        finally:
            conn.rollback()

    with pytest.raises(ServiceError) as caught:
        _with_database_refusals(method)(object())
    return caught.value
