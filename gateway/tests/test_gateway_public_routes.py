"""The public routes' plumbing (no broker): who the client is behind a trusted proxy, every public GET under its own
per-client limit, public writes under theirs."""

from __future__ import annotations

import ipaddress

import pytest
from gateway_support import Db, Gateway

from enforcement_gateway.ratelimit import RateLimited, client_address, trusted_networks
from enforcement_gateway.routing import PUBLIC, STAFF, Route, load_route_modules

PROXIES = trusted_networks("10.0.0.5, 10.0.1.0/24")


def test_trusted_proxies_come_as_a_list_or_comma_separated():
    assert PROXIES == (ipaddress.ip_network("10.0.0.5/32"), ipaddress.ip_network("10.0.1.0/24"))
    assert trusted_networks(["10.0.0.5", "fd00::/64"])[1] == ipaddress.ip_network("fd00::/64")
    assert trusted_networks("") == trusted_networks([]) == trusted_networks(None) == ()
    with pytest.raises(ValueError):
        trusted_networks("10.0.0.5,the-portal")


def test_without_trusted_proxies_the_connection_is_the_client():
    assert client_address("203.0.113.7", "198.51.100.1", ()) == "203.0.113.7"
    assert client_address(None, None, ()) == "unknown"


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy():
    assert client_address("203.0.113.7", "198.51.100.1", PROXIES) == "203.0.113.7"  # sent by the client itself
    assert client_address("10.0.0.5", "198.51.100.1", PROXIES) == "198.51.100.1"


def test_the_client_is_the_last_untrusted_entry():
    # the visitor forged the first entry; the portal (10.0.1.9) and the balancer (10.0.0.5) appended theirs
    assert client_address("10.0.0.5", "6.6.6.6, 198.51.100.1, 10.0.1.9", PROXIES) == "198.51.100.1"
    assert client_address("10.0.0.5", "198.51.100.1,10.0.1.9", PROXIES) == "198.51.100.1"
    assert client_address("10.0.0.5", "2001:db8::1", PROXIES) == "2001:db8::1"


def test_only_trusted_entries_or_garbage_leave_the_nearest_believable_hop():
    assert client_address("10.0.0.5", "10.0.1.8, 10.0.1.9", PROXIES) == "10.0.1.8"  # all proxies: the leftmost
    assert client_address("10.0.0.5", None, PROXIES) == "10.0.0.5"
    assert client_address("10.0.0.5", "", PROXIES) == "10.0.0.5"
    assert client_address("10.0.0.5", "198.51.100.1, not-an-address", PROXIES) == "10.0.0.5"
    assert client_address("10.0.0.5", "not-an-address, 10.0.1.9", PROXIES) == "10.0.1.9"
    assert client_address("::ffff:10.0.0.5", "198.51.100.1", PROXIES) == "198.51.100.1"  # IPv4-mapped


def test_every_public_get_is_read_limited_and_public_writes_keep_their_own():
    routes = [r for rs in load_route_modules().values() for r in rs]
    limits = {(r.method, r.path): r.limit for r in routes if r.limit is not None}
    assert limits[("POST", "/public/complaints")] == "write"
    # the certificate check has a stricter limiter of its own (sequential numbers; wrong check codes cost more)
    assert limits[("GET", "/public/certificates/<number>")] == "certificate_check"
    assert {key for key, kind in limits.items() if kind == "read"} == {
        (r.method, r.path) for r in routes if r.is_public and r.method == "GET" and r.limiter is None
    }
    assert ("POST", "/auth/login") not in limits and ("GET", "/officers/<officer_id>") not in limits
    assert Route("GET", "/public/x", None, PUBLIC, "x", "t", rate_limited=True).limit == "write"  # declared wins


def ok(call):
    return {"ok": True}


PUBLIC_READ = Route("GET", "/public/z", ok, PUBLIC, "Read z", "test")
STAFF_READ = Route("GET", "/x", ok, STAFF, "Read x", "test")


def test_public_reads_are_counted_per_client_behind_the_trusted_proxy():
    gateway = Gateway(Db(), public_read_rate_limit={"requests": 2, "window_seconds": 60}, trusted_proxies="10.0.0.5")
    behind = {"X-Forwarded-For": "198.51.100.1"}
    for _ in range(2):
        assert gateway.answer(PUBLIC_READ, remote="10.0.0.5", headers=behind).status_code == 200
    with pytest.raises(RateLimited) as refused:
        gateway.answer(PUBLIC_READ, remote="10.0.0.5", headers=behind)
    assert refused.value.status == 429 and refused.value.retry_after == 60
    # another visitor through the same proxy has a window of their own
    assert gateway.answer(PUBLIC_READ, remote="10.0.0.5", headers={"X-Forwarded-For": "198.51.100.2"})
    # a client that is not a trusted proxy cannot pick its address
    for _ in range(2):
        gateway.answer(PUBLIC_READ, remote="203.0.113.7", headers={"X-Forwarded-For": "198.51.100.3"})
    with pytest.raises(RateLimited):
        gateway.answer(PUBLIC_READ, remote="203.0.113.7", headers={"X-Forwarded-For": "198.51.100.4"})
    assert gateway.setup.client_of(gateway.request(PUBLIC_READ, remote="10.0.0.5", headers=behind)) == "198.51.100.1"


def test_the_read_and_write_limits_are_apart_and_default_to_120_and_10_a_minute():
    setup = Gateway(Db()).setup
    assert (setup.limiters["read"].requests, setup.limiters["read"].window) == (120, 60)
    assert (setup.limiters["write"].requests, setup.limiters["write"].window) == (10, 60)
    assert setup.trusted_proxies == () and setup.public_cache_seconds == 60
