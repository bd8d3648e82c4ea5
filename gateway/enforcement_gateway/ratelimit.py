"""Per-client request limits for the public routes, and who the client is behind a trusted proxy.

A sliding window in the gateway process: at most ``requests`` per ``window_seconds`` per client address; the public
routes that write (``Route.rate_limited``: complaint registration) have one limit, every other public GET another.
Several gateway replicas each keep their own window, so the county-wide limit is the per-replica one times the
replicas; that bounds abuse, which is all it is for.

Behind a reverse proxy (the public portal's server, a load balancer) every request comes from the proxy's address.
``GATEWAY.trusted_proxies`` names those proxies; for a request from one of them the client is read from
``X-Forwarded-For`` (see ``client_address``).
"""

from __future__ import annotations

import ipaddress
import time
from collections import deque
from collections.abc import Iterable

from enforcement_contracts.errors import ServiceError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(value) -> tuple[Network, ...]:
    """``GATEWAY.trusted_proxies`` as networks: a YAML list or ``"10.0.0.5,10.0.1.0/24"`` (from
    $GATEWAY_TRUSTED_PROXIES); an address is a network of one. A malformed entry is a ValueError (at start-up)."""
    names = value.split(",") if isinstance(value, str) else list(value or [])
    return tuple(ipaddress.ip_network(str(name).strip(), strict=False) for name in names if str(name).strip())


def _address(text: str | None):
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address  # ::ffff:10.0.0.5 is 10.0.0.5


def _trusted(address, proxies: Iterable[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_address(remote_addr: str | None, forwarded_for: str | None, proxies: Iterable[Network]) -> str:
    """The address a request is counted and audited under.

    The connection's own address, unless it is a trusted proxy: then ``X-Forwarded-For`` is read from the right
    (each proxy appends the address it got the request from) and the first address that is not a trusted proxy is
    the client; entries left of it were written by the client and are not believed. When every entry is a trusted
    proxy, the leftmost is the client. An entry that is not an address (or no header at all) stops the search: the
    last trusted hop is then the client, so a proxy's garbage can never be used to dodge a limit."""
    proxies = tuple(proxies)
    remote = (remote_addr or "").strip() or "unknown"
    if not proxies or not _trusted(_address(remote), proxies):
        return remote
    client = remote
    for entry in reversed((forwarded_for or "").split(",")):
        address = _address(entry)
        if address is None:
            return client
        client = str(address)
        if not _trusted(address, proxies):
            return client
    return client


class RateLimited(ServiceError):
    """429; ``retry_after`` (seconds) is sent as the ``Retry-After`` header."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str = "", fields: dict | None = None, retry_after: int = 1):
        super().__init__(message, fields)
        self.retry_after = retry_after


class RateLimiter:
    def __init__(self, requests: int, window_seconds: float, clock=time.monotonic, max_clients: int = 100_000):
        if requests < 1 or window_seconds <= 0:
            raise ValueError("a rate limit needs at least 1 request in a positive window")
        self.requests = requests
        self.window = window_seconds
        self.clock = clock
        self.max_clients = max_clients
        self._seen: dict[str, deque] = {}

    def check(self, client: str) -> None:
        """Count one request of ``client``; RateLimited when it is over the limit (the refused one is not counted)."""
        now = self.clock()
        hits = self._seen.setdefault(client, deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) >= self.requests:
            wait = max(1, int(self.window - (now - hits[0]) + 0.999))
            raise RateLimited(
                f"too many requests from this address: at most {self.requests} every "
                f"{self.window:g} seconds; try again in {wait} s",
                {"_client": [f"retry in {wait} s"]},
                retry_after=wait,
            )
        hits.append(now)
        self._forget_idle(now)

    def charge(self, client: str, count: int) -> None:
        """Count ``count`` more requests of ``client`` without refusing this one (e.g. a wrong certificate check code
        costs more than a right one): the next requests are refused sooner."""
        now = self.clock()
        self._seen.setdefault(client, deque()).extend([now] * max(0, count))
        self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        if len(self._seen) > self.max_clients:  # forget idle clients so the table cannot grow without bound
            for key in [k for k, v in self._seen.items() if not v or now - v[-1] >= self.window]:
                del self._seen[key]
