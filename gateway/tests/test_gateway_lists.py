"""The gateway's own lists read like every list: a page (page, per_page, total). The accounts are paged in SQL, the
subscribers (every one from the management API, a short list) sliced in the gateway; a forwarded list whose filters
are positional gets only ``{page, per_page}`` of the query (``forward(..., "page")``)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from enforcement_contracts import personnel
from enforcement_contracts.common import PageQuery
from enforcement_gateway.models import Base, User
from enforcement_gateway.routes import subscribers as subscriber_routes
from enforcement_gateway.routes.auth import list_users
from enforcement_gateway.routing import BUREAU, Call, Route, forward


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
        for name in ("carol", "alice", "bob"):
            session.add(User(username=name, password_hash="x", role="bureau"))
        session.commit()
    return db


def call_of(route: Route, query: dict, **extra) -> Call:
    return Call(route, {"role": "bureau"}, {}, None, route.query().load(query), None, None, **extra)


def test_the_users_are_read_a_page_at_a_time(db):
    route = Route("GET", "/users", list_users, BUREAU, "List users", "auth", query=PageQuery)
    every = route.handler(call_of(route, {}, db=db))
    assert [u["username"] for u in every["items"]] == ["alice", "bob", "carol"]
    assert (every["total"], every["page"], every["per_page"]) == (3, 1, 50)
    second = route.handler(call_of(route, {"page": "2", "per_page": "1"}, db=db))
    assert [u["username"] for u in second["items"]] == ["bob"]
    assert (second["total"], second["page"], second["per_page"]) == (3, 2, 1)
    assert route.handler(call_of(route, {"page": "4", "per_page": "1"}, db=db))["items"] == []


def test_the_subscribers_are_sliced_a_page_at_a_time(monkeypatch):
    names = ["alpha", "beta", "gamma"]
    monkeypatch.setattr(subscriber_routes, "_api", lambda call: None)
    monkeypatch.setattr(
        subscriber_routes.subscribers,
        "list_subscribers",
        lambda api: [{"name": n, "events": [], "messages": 0} for n in names],
    )
    route = next(r for r in subscriber_routes.ROUTES if (r.method, r.path) == ("GET", "/subscribers"))
    second = route.handler(call_of(route, {"page": "2", "per_page": "1"}))
    assert [s["name"] for s in second["items"]] == ["beta"]
    assert (second["total"], second["page"], second["per_page"]) == (3, 2, 1)
    assert len(route.handler(call_of(route, {}))["items"]) == 3


def test_forward_page_passes_only_the_page():
    calls = []

    class Personnel:
        def list_legal_reviewers(self, *args):
            calls.append(args)
            return {"items": [], "total": 0, "page": 2, "per_page": 1}

    handler = forward("personnel.list_legal_reviewers", "actor", "query.agency_code", "page")
    route = Route("GET", "/legal-reviewers", handler, BUREAU, "x", "personnel", query=personnel.ReviewerQuery)
    call = Call(
        route,
        {"role": "bureau"},
        {},
        None,
        personnel.ReviewerQuery().load({"agency_code": "140928-scjgj", "page": "2", "per_page": "1"}),
        lambda name: Personnel(),
        None,
    )
    route.handler(call)
    assert calls == [({"role": "bureau"}, "140928-scjgj", {"page": 2, "per_page": 1})]
