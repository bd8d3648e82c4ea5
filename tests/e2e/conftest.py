"""End-to-end fixtures: the personnel service and the gateway as real processes, a logged-in HTTP client."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests

from enforcement_testing import free_port, fresh_postgres_database

ADMIN = ("admin", "change-me-now")


@dataclass
class Suite:
    base: str  # http://127.0.0.1:<port>/api/v1
    root: str
    personnel: object
    gateway: object
    amqp_uri: str
    personnel_db: str
    gateway_db: str

    def login(self, username: str, password: str) -> "Api":
        response = requests.post(f"{self.base}/auth/login", json={"username": username, "password": password}, timeout=10)
        assert response.status_code == 200, response.text
        return Api(self.base, response.json()["token"])

    def admin(self) -> "Api":
        return self.login(*ADMIN)

    def anonymous(self) -> "Api":
        return Api(self.base, None)


class Api:
    """requests with the token and the API prefix filled in."""

    def __init__(self, base: str, token: str | None):
        self.base = base
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy for loopback
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def __getattr__(self, method):
        if method not in ("get", "post", "patch", "put", "delete"):
            raise AttributeError(method)
        return lambda path, **kw: self.session.request(method.upper(), self.base + path, timeout=15, **kw)


@pytest.fixture
def suite(request, start_service, amqp_uri, tmp_path):
    """personnel and the gateway, both ready; personnel on PostgreSQL when parametrized with "postgresql"."""
    if getattr(request, "param", None) == "postgresql":
        database = fresh_postgres_database()
        personnel_db = database.__enter__()
        request.addfinalizer(lambda: database.__exit__(None, None, None))
    else:
        personnel_db = f"sqlite:///{tmp_path}/personnel.db"
    gateway_db = f"sqlite:///{tmp_path}/gateway.db"
    web = free_port()
    personnel = start_service("personnel", personnel_db, amqp_uri)
    gateway = start_service("gateway", gateway_db, amqp_uri,
                            extra_env={"WEB_SERVER_ADDRESS": f"127.0.0.1:{web}", "RPC_TIMEOUT": "2"})
    root = f"http://127.0.0.1:{web}"
    return Suite(f"{root}/api/v1", root, personnel, gateway, amqp_uri, personnel_db, gateway_db)
