"""A per-client request limit for the public routes that write (complaint registration).

A sliding window in the gateway process: at most ``requests`` per ``window_seconds`` per client address.
Several gateway replicas each keep their own window, so the county-wide limit is the per-replica one times the
replicas; that bounds abuse, which is all it is for.
"""

from __future__ import annotations

import time
from collections import deque

from enforcement_contracts.errors import ServiceError


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
        if len(self._seen) > self.max_clients:  # forget idle clients so the table cannot grow without bound
            for key in [k for k, v in self._seen.items() if not v or now - v[-1] >= self.window]:
                del self._seen[key]
