"""The public write limit: a sliding window per client address (the e2e suite sees the 429 over HTTP)."""

from __future__ import annotations

import pytest

from enforcement_gateway.ratelimit import RateLimited, RateLimiter
from enforcement_gateway.routing import load_route_modules


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_client_over_the_limit_is_refused_until_the_window_moves_on():
    clock = Clock()
    limiter = RateLimiter(3, 60, clock=clock)
    for _ in range(3):
        limiter.check("10.0.0.1")
    with pytest.raises(RateLimited) as refused:
        limiter.check("10.0.0.1")
    assert refused.value.status == 429 and refused.value.fields == {"_client": ["retry in 60 s"]}
    limiter.check("10.0.0.2")  # another address has its own window
    clock.now += 59.5
    with pytest.raises(RateLimited):  # a refused request does not count, but the window has not moved yet
        limiter.check("10.0.0.1")
    clock.now += 0.5
    limiter.check("10.0.0.1")


def test_idle_clients_are_forgotten_so_the_table_stays_bounded():
    clock = Clock()
    limiter = RateLimiter(1, 10, clock=clock, max_clients=5)
    for n in range(6):
        limiter.check(f"10.0.0.{n}")
    clock.now += 10
    limiter.check("10.0.1.1")
    assert len(limiter._seen) <= 5


def test_a_limit_needs_a_request_and_a_window():
    with pytest.raises(ValueError):
        RateLimiter(0, 60)
    with pytest.raises(ValueError):
        RateLimiter(5, 0)


def test_only_complaint_registration_is_rate_limited():
    routes = [r for rs in load_route_modules().values() for r in rs]
    assert {(r.method, r.path) for r in routes if r.rate_limited} == {("POST", "/public/complaints")}
