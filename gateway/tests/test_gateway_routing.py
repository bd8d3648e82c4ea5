"""Declarative routes: what ``forward(...)`` passes to the service, and that no route repeats an RPC call by hand."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from marshmallow import fields

from enforcement_contracts.common import DateRange, PageQuery
from enforcement_contracts.errors import ValidationFailed
from enforcement_gateway.routing import STAFF, Call, Forward, Route, file_response, forward, load_route_modules


class Recorder:
    """Stands in for the RPC cluster: ``services("cases").get_case(...)`` records the call."""

    def __init__(self, answer=None, error=None):
        self.calls, self.answer, self.error = [], answer, error

    def __call__(self, service):
        recorder = self

        class Service:
            def __getattr__(self, method):
                def call(*args):
                    recorder.calls.append((f"{service}.{method}", args))
                    if recorder.error is not None:
                        raise recorder.error
                    return recorder.answer

                return call

        return Service()


class PeriodQuery(DateRange, PageQuery):
    agency_code = fields.String()
    year = fields.Integer()


def make_call(handler, services, *, query=None, body=None, params=None, route_query=PeriodQuery):
    route = Route("GET", "/x/<thing_id>", handler, STAFF, "Test", "test", query=route_query)
    loaded = route_query().load(query or {}) if route_query else {}
    return Call(
        route=route,
        actor={"username": "u", "role": "bureau"},
        params=params or {"thing_id": "t1"},
        body=body,
        query=loaded,
        services=services,
        request=None,
    )


def test_forward_passes_the_declared_arguments_in_order():
    services = Recorder(answer={"ok": True})
    handler = forward("cases.update_case", "actor", "path.thing_id", "body")
    call = make_call(handler, services, body={"stage": "x"})
    assert handler(call) == {"ok": True}
    assert services.calls == [("cases.update_case", ({"username": "u", "role": "bureau"}, "t1", {"stage": "x"}))]


def test_the_query_travels_in_its_wire_form_from_to_and_iso_dates():
    services = Recorder()
    handler = forward("supervision.list_items", "actor", "query", "query.date_from", "query.year")
    call = make_call(handler, services, query={"from": "2026-01-01", "to": "2026-03-31", "year": "2026"})
    handler(call)
    _, (actor, query, date_from, year) = services.calls[0]
    assert query == {"from": "2026-01-01", "to": "2026-03-31", "page": 1, "per_page": 50, "year": 2026}
    assert date_from == "2026-01-01" and year == 2026
    assert call.query["date_from"] == date(2026, 1, 1)  # handlers still see the loaded values


def test_an_optional_body_is_an_empty_object_and_a_file_is_base64():
    services = Recorder()
    handler = forward("supervision.verify_item", "actor", "path.thing_id", "body?")
    handler(make_call(handler, services, body=None))
    assert services.calls[-1][1][2] == {}
    upload = forward("cases.import_cases", "actor", "file")
    upload(make_call(upload, services, body=b"PK\x03\x04"))
    assert base64.b64decode(services.calls[-1][1][1]) == b"PK\x03\x04"


def test_an_imports_row_numbers_come_back_as_numbers():
    error = ValidationFailed("rows", {"rows": [{"row": "3", "column": "B", "reason": "bad"}]})
    handler = forward("cases.import_cases", "actor", "file")
    with pytest.raises(ValidationFailed) as raised:
        handler(make_call(handler, Recorder(error=error), body=b"x"))
    assert raised.value.fields["rows"][0]["row"] == 3


def test_an_unknown_argument_is_refused_when_the_route_is_declared():
    with pytest.raises(ValueError, match="unknown argument"):
        forward("cases.get_case", "actor", "case_id")
    with pytest.raises(ValueError):
        Forward("cases", "get_case", ("params.case_id",))


def test_a_file_answer_becomes_a_download():
    response = file_response(
        {"content_base64": base64.b64encode(b"data").decode(), "media_type": "text/plain", "filename": "表.xlsx"}
    )
    assert response.get_data() == b"data" and response.mimetype == "text/plain"
    assert "filename*=UTF-8''%E8%A1%A8.xlsx" in response.headers["Content-Disposition"]


def test_no_route_repeats_an_rpc_call_in_a_lambda():
    routes = [route for routes in load_route_modules().values() for route in routes]
    lambdas = [f"{r.method} {r.path}" for r in routes if getattr(r.handler, "__name__", "") == "<lambda>"]
    assert lambdas == []
    forwarded = [r for r in routes if isinstance(r.handler, Forward)]
    assert len(forwarded) >= 115, "the routes that only forward a call are declared with forward(...)"
