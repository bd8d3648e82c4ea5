"""The public certificate check's limiter (no broker): stricter than other public reads, and a wrong check code costs
``wrong_code_cost`` requests of the visitor's allowance, so codes cannot be guessed at the rate numbers can be read.
The personnel service's answer is a stand-in here; the real one is checked end to end (tests/e2e/test_http.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from gateway_support import Db, Gateway
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from enforcement_gateway import auth
from enforcement_gateway.ratelimit import RateLimited
from enforcement_gateway.routing import Call, load_route_modules

NUMBER = "140928202600001"
RIGHT = "ABCD2345"


def check_route():
    [route] = [r for r in load_route_modules(["personnel"])["personnel"] if r.path == "/public/certificates/<number>"]
    return route


def personnel_answer(number, code=None):
    if code == RIGHT:
        return {"number": number, "valid": True, "details": True, "holder_name": "张三"}
    return {"number": number, "valid": True, "details": False}


@pytest.fixture
def gateway():
    gateway = Gateway(Db(), certificate_check_rate_limit={"requests": 10, "window_seconds": 60, "wrong_code_cost": 5})
    gateway.service.services = SimpleNamespace(personnel=SimpleNamespace(check_certificate=personnel_answer))
    return gateway


def check(gateway, code=None, visitor="198.51.100.1"):
    route = check_route()
    query = {"code": code} if code is not None else {}
    builder = EnvironBuilder(path=f"/api/v1/public/certificates/{NUMBER}", query_string=query)
    request = Request(builder.get_environ() | {"REMOTE_ADDR": visitor})
    call = Call(route, auth.actor_of(None), {"number": NUMBER}, None, {}, None, request, settings=gateway.setup)
    call.db = gateway.service.db
    return gateway.service.answer(call)


def test_the_check_has_its_own_stricter_limit_by_default():
    setup = Gateway(Db()).setup
    assert (setup.limiters["certificate_check"].requests, setup.limiters["certificate_check"].window) == (20, 60)
    assert setup.limiters["read"].requests == 120 and setup.wrong_code_cost == 5
    assert check_route().limit == "certificate_check"


def test_right_codes_and_no_codes_count_one_each(gateway):
    for _ in range(5):
        assert check(gateway).get_json() == {"number": NUMBER, "valid": True, "details": False}
    for _ in range(5):
        assert check(gateway, RIGHT).get_json()["holder_name"] == "张三"
    with pytest.raises(RateLimited):
        check(gateway)


def test_a_wrong_code_costs_five_requests_of_the_allowance(gateway):
    assert check(gateway, "WRONG234").status_code == 200  # answered (validity only), but charged 5
    assert check(gateway, "wrong-234").status_code == 200  # 10 counted now
    with pytest.raises(RateLimited) as refused:
        check(gateway, RIGHT)
    assert refused.value.status == 429
    # another visitor is not affected
    assert check(gateway, RIGHT, visitor="198.51.100.2").status_code == 200
