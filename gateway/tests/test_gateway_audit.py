"""The audit trail reads like every list: a page (page or after a cursor, per_page, total), newest first, filtered
by actor, action, target and a from/to range of days; a created object's id is read from the answer."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from enforcement_gateway.models import AuditRecord, Base
from enforcement_gateway.routes.auth import audit_trail
from enforcement_gateway.routing import BUREAU, Call, Route
from enforcement_gateway.schemas import AuditQuery


class Db:
    def __init__(self):
        self.engine = create_engine("sqlite://")
        Base.metadata.create_all(self.engine)

    @contextmanager
    def read(self):
        with Session(self.engine) as session:
            yield session


@pytest.fixture
def db():
    db = Db()
    with Session(db.engine) as session:
        for day in range(1, 11):  # one record a day, 1-10 March, alternating users
            user = "scj-admin" if day % 2 else "admin"
            session.add(
                AuditRecord(
                    username=user,
                    action=f"POST /x/{day}",
                    target=json.dumps({"officer_id": f"scj-{day:02d}"}),
                    status=201,
                    outcome="ok",
                    at=datetime(2026, 3, day, 12),
                )
            )
        session.commit()
    return db


def read(db, **query):
    route = Route("GET", "/audit", audit_trail, BUREAU, "Read the audit trail", "auth", query=AuditQuery)
    call = Call(route, {"role": "bureau"}, {}, None, AuditQuery().load(query), None, None, db=db)
    return route.handler(call)


def test_a_page_with_the_total_newest_first(db):
    first = read(db, per_page="3")
    assert (first["total"], first["page"], first["per_page"]) == (10, 1, 3)
    assert [e["action"] for e in first["items"]] == ["POST /x/10", "POST /x/9", "POST /x/8"]
    assert first["items"][0]["at"] == "2026-03-10T12:00:00Z"
    last = read(db, per_page="3", page="4")
    assert [e["action"] for e in last["items"]] == ["POST /x/1"] and last["total"] == 10


def test_from_to_are_days_both_included_and_combine_with_the_actor(db):
    march = read(db, **{"from": "2026-03-03", "to": "2026-03-05"})
    assert [e["action"] for e in march["items"]] == ["POST /x/5", "POST /x/4", "POST /x/3"] and march["total"] == 3
    own = read(db, actor="scj-admin", **{"from": "2026-03-03"})
    assert own["total"] == 4 and {e["username"] for e in own["items"]} == {"scj-admin"}


def test_the_action_is_matched_exactly_and_the_target_by_a_part(db):
    assert [e["action"] for e in read(db, action="POST /x/1")["items"]] == ["POST /x/1"]
    assert read(db, action="POST /x/")["total"] == 0
    found = read(db, target="scj-07")
    assert found["total"] == 1 and found["items"][0]["target"] == '{"officer_id": "scj-07"}'
    assert read(db, target="scj-0")["total"] == 9
    assert read(db, target="%")["total"] == 0  # a LIKE wildcard is taken as a character
    assert read(db, target="scj-0", actor="admin")["total"] == 4


def test_a_created_object_id_is_read_from_the_answer():
    from werkzeug.wrappers import Response

    from enforcement_gateway.service import created_id

    def answer(body):
        return Response(json.dumps(body), mimetype="application/json")

    assert created_id(answer({"id": 12, "officer_id": "x"})) == {"id": 12}
    assert created_id(answer({"name": "n", "officer_id": "scj-01", "agency_code": "a"})) == {"officer_id": "scj-01"}
    assert created_id(answer({"username": "li", "role": "bureau"})) == {"username": "li"}
    assert created_id(answer([1, 2])) == {}
    assert created_id(Response(b"PK..", mimetype="application/octet-stream")) == {}


def test_the_query_is_checked(db):
    from marshmallow import ValidationError

    with pytest.raises(ValidationError) as backwards:
        AuditQuery().load({"from": "2026-03-05", "to": "2026-03-01"})
    assert "to" in backwards.value.messages
    with pytest.raises(ValidationError):
        AuditQuery().load({"per_page": "501"})
    with pytest.raises(ValidationError):
        AuditQuery().load({"limit": "10"})  # the old parameter: pages now
    with pytest.raises(ValidationError):
        AuditQuery().load({"username": "admin"})  # the filter is called actor now


def test_the_trail_continues_after_a_cursor_as_page_numbers_do(db):
    from enforcement_testing.paging import walk_by_cursor, walk_by_number

    from enforcement_contracts.errors import ValidationFailed

    reader = lambda query: read(db, **{k: str(v) for k, v in query.items()})  # noqa: E731 (a query string's text)
    every = walk_by_number(reader, {}, 3)
    assert [e["action"] for e in every] == [f"POST /x/{day}" for day in range(10, 0, -1)]
    assert walk_by_cursor(reader, {}, 3) == every
    assert walk_by_cursor(reader, {"actor": "admin", "from": "2026-03-03"}, 1) == [
        e for e in every if e["username"] == "admin" and e["at"] >= "2026-03-03"
    ]
    first = read(db, per_page="4")
    assert (first["total"], first["total_exact"]) == (10, True) and first["next"]
    assert read(db, per_page="20")["next"] is None
    with pytest.raises(ValidationFailed) as tampered:
        read(db, after=first["next"][::-1])
    assert set(tampered.value.fields) == {"after"}


def test_a_cursor_with_a_page_number_is_refused_naming_after():
    from marshmallow import ValidationError

    with pytest.raises(ValidationError) as both:
        AuditQuery().load({"after": "abc", "page": "2"})
    assert set(both.value.messages) == {"after"}
