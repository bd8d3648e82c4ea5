"""A small client of the RabbitMQ management HTTP API for one vhost (stdlib only, no nameko).

The subscriber onboarding (``enforcement_kernel.subscribers``) applies a subscriber's topology through it:
the standard remote way, no shell on the broker host needed.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from enforcement_contracts.errors import NotFound, Unavailable


@dataclass(frozen=True)
class ManagementSettings:
    url: str = "http://127.0.0.1:15672"
    user: str = "guest"
    password: str = "guest"
    vhost: str = "/"
    timeout: float = 10.0

    @classmethod
    def from_env(cls, vhost: str | None = None, amqp_uri: str | None = None) -> ManagementSettings:
        """``RABBITMQ_MANAGEMENT_URL``, ``RABBITMQ_ADMIN_USER``/``_PASSWORD``, and the vhost given, else
        ``RABBITMQ_VHOST``, else the one in ``amqp_uri`` / ``$AMQP_URI``, else ``/``."""
        return cls(
            url=os.environ.get("RABBITMQ_MANAGEMENT_URL", cls.url).rstrip("/"),
            user=os.environ.get("RABBITMQ_ADMIN_USER", cls.user),
            password=os.environ.get("RABBITMQ_ADMIN_PASSWORD", cls.password),
            vhost=vhost or os.environ.get("RABBITMQ_VHOST") or vhost_of(amqp_uri or os.environ.get("AMQP_URI")),
        )

    @classmethod
    def from_config(cls, config: dict) -> ManagementSettings:
        """A service's ``SUBSCRIBERS`` section (management_url, admin_user, admin_password, vhost) over the env."""
        base = cls.from_env(amqp_uri=config.get("AMQP_URI"))
        section = config.get("SUBSCRIBERS") or {}
        return cls(
            url=(section.get("management_url") or base.url).rstrip("/"),
            user=section.get("admin_user") or base.user,
            password=section.get("admin_password") or base.password,
            vhost=section.get("vhost") or base.vhost,
        )


def vhost_of(amqp_uri: str | None) -> str:
    """The vhost of an AMQP URI (``amqp://u:p@host:5672/name`` -> ``name``; empty path -> ``/``)."""
    if not amqp_uri:
        return "/"
    path = urllib.parse.urlsplit(amqp_uri).path
    return urllib.parse.unquote(path[1:]) if len(path) > 1 else "/"


def quote(part: str) -> str:
    """One path segment of a management API URL (the default vhost ``/`` is ``%2F``)."""
    return urllib.parse.quote(part, safe="")


class ManagementApi:
    """A small client of the RabbitMQ management API for one vhost (stdlib only)."""

    def __init__(self, settings: ManagementSettings):
        self.settings = settings
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({})
        )  # the broker is never behind a proxy
        token = base64.b64encode(f"{settings.user}:{settings.password}".encode()).decode()
        self._auth = f"Basic {token}"

    @property
    def vhost(self) -> str:
        return self.settings.vhost

    def _path(self, *parts: str) -> str:
        return "/api/" + "/".join(quote(p) for p in parts)

    def request(self, method: str, path: str, body=None, ok_missing: bool = False):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.settings.url + path,
            data=data,
            method=method,
            headers={"Authorization": self._auth, "Content-Type": "application/json"},
        )
        try:
            with self._opener.open(req, timeout=self.settings.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and ok_missing:
                return None
            detail = exc.read().decode(errors="replace")[:300]
            if exc.code == 404:
                raise NotFound(f"RabbitMQ has no {path}: {detail}") from None
            if exc.code in (401, 403):
                raise Unavailable(f"the RabbitMQ management API refused the admin credentials ({exc.code})") from None
            raise Unavailable(f"RabbitMQ management API: {method} {path} answered {exc.code}: {detail}") from None
        except OSError as exc:
            raise Unavailable(
                f"RabbitMQ management API at {self.settings.url} is not reachable ({exc}); "
                "enable the rabbitmq_management plugin (scripts/brokers does)"
            ) from None
        return json.loads(raw) if raw else None

    # --- reads ---
    def require_vhost(self) -> None:
        if self.request("GET", self._path("vhosts", self.vhost), ok_missing=True) is None:
            raise NotFound(
                f"RabbitMQ has no vhost {self.vhost!r}: give the suite's vhost (--vhost, RABBITMQ_VHOST or AMQP_URI)"
            )

    def user(self, name: str) -> dict | None:
        return self.request("GET", self._path("users", name), ok_missing=True)

    def queue(self, name: str) -> dict | None:
        return self.request("GET", self._path("queues", self.vhost, name), ok_missing=True)

    def queues(self) -> list[dict]:
        return self.request("GET", self._path("queues", self.vhost)) or []

    def queue_bindings(self, name: str) -> list[dict]:
        return self.request("GET", self._path("queues", self.vhost, name, "bindings")) or []

    def definitions(self) -> dict:
        return self.request("GET", self._path("definitions", self.vhost))

    def load_definitions(self, document: dict) -> None:
        self.request("POST", self._path("definitions", self.vhost), document)

    # --- writes ---
    def put_user(self, name: str, password: str) -> None:
        self.request("PUT", self._path("users", name), {"password": password, "tags": ""})

    def put_permissions(self, user: str, permissions: dict) -> None:
        self.request("PUT", self._path("permissions", self.vhost, user), permissions)

    def put_exchange(self, name: str, kind: str) -> None:
        self.request(
            "PUT",
            self._path("exchanges", self.vhost, name),
            {"type": kind, "durable": True, "auto_delete": False, "internal": False, "arguments": {}},
        )

    def put_queue(self, name: str, arguments: dict) -> None:
        self.request(
            "PUT",
            self._path("queues", self.vhost, name),
            {"durable": True, "auto_delete": False, "arguments": arguments},
        )

    def bind(self, exchange: str, queue: str, routing_key: str) -> None:
        self.request(
            "POST",
            self._path("bindings", self.vhost, "e", exchange, "q", queue),
            {"routing_key": routing_key, "arguments": {}},
        )

    def delete_queue(self, name: str) -> None:
        self.request("DELETE", self._path("queues", self.vhost, name), ok_missing=True)

    def delete_user(self, name: str) -> None:
        self.request("DELETE", self._path("users", name), ok_missing=True)
