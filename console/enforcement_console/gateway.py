"""The console's one way to the data: the gateway's HTTP API, with the signed-in person's token.

Every failure becomes an ``ApiError`` carrying the gateway's ``{error, message, fields}``; the pages turn it into
Chinese (``messages``). A gateway that cannot be reached is a 503 like a service that is down.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import requests

API_PREFIX = "/api/v1"


@dataclass
class ApiError(Exception):
    status: int
    code: str
    message: str = ""
    fields: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)
    retry_after: int | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


class Gateway:
    """A pool of HTTP connections to the gateway, one ``requests.Session`` per server thread."""

    def __init__(self, base_url: str, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._local = threading.local()

    @property
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.trust_env = False  # the gateway's address is configured, never a proxy from the environment
        return session

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        client_ip: str | None = None,
        params: dict | None = None,
        json=None,
        data=None,  # bytes, or a file object sent as it is read
        content_type: str | None = None,
        stream: bool = False,
    ) -> requests.Response:
        headers = {"Accept-Language": "zh-CN"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if client_ip:
            headers["X-Forwarded-For"] = client_ip  # the gateway limits public pages per visitor, not per console
        if content_type:
            headers["Content-Type"] = content_type
        params = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            response = self._session.request(
                method,
                self.base_url + API_PREFIX + path,
                params=params,
                json=json,
                data=data,
                headers=headers,
                timeout=self.timeout,
                stream=stream,  # a download passed through a chunk at a time (a case's video is not held whole)
            )
        except requests.RequestException as exc:
            raise ApiError(503, "gateway_unreachable", str(exc)) from None
        if response.status_code >= 400:
            raise _error_of(response)
        return response


def _error_of(response: requests.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    retry = response.headers.get("Retry-After")
    return ApiError(
        status=response.status_code,
        code=str(body.get("error") or "error"),
        message=str(body.get("message") or ""),
        fields=body.get("fields") if isinstance(body.get("fields"), dict) else {},
        rows=body.get("rows") if isinstance(body.get("rows"), list) else [],
        retry_after=int(retry) if retry and retry.isdigit() else None,
    )


class Api:
    """The gateway as one person sees it: their token and address on every call (``g.api`` in a view)."""

    def __init__(self, gateway: Gateway, token: str | None, client_ip: str | None):
        self.gateway, self.token, self.client_ip = gateway, token, client_ip

    def call(self, method: str, path: str, **kw) -> requests.Response:
        return self.gateway.request(method, path, token=self.token, client_ip=self.client_ip, **kw)

    def get(self, path: str, params: dict | None = None):
        return self.call("GET", path, params=params).json()

    def post(self, path: str, body: dict | None = None):
        return self.call("POST", path, json=body or {}).json()

    def patch(self, path: str, body: dict):
        return self.call("PATCH", path, json=body).json()

    def put(self, path: str, body: dict):
        return self.call("PUT", path, json=body).json()

    def delete(self, path: str):
        return self.call("DELETE", path).json()

    def upload(self, path: str, data: bytes, content_type: str):
        return self.call("POST", path, data=data, content_type=content_type).json()

    def download(self, path: str, params: dict | None = None) -> requests.Response:
        return self.call("GET", path, params=params)
