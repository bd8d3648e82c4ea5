"""Shared by the gateway's account and public-route tests: its database on in-memory SQLite and a GatewayService
driven without nameko (the real ``answer`` and settings). Not a test module."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from enforcement_gateway import auth
from enforcement_gateway.models import Base
from enforcement_gateway.routing import Call, Route
from enforcement_gateway.service import GatewayService, GatewaySetup

SETTINGS = auth.AuthSettings(
    token_ttl=timedelta(hours=8),
    account_throttle=auth.Throttle(after=5, delay_seconds=2, max_delay_seconds=900, forget=timedelta(hours=24)),
    address_throttle=auth.Throttle(after=20, delay_seconds=2, max_delay_seconds=900, forget=timedelta(hours=24)),
    min_password_length=12,
)
NOW = datetime(2026, 11, 30, 2, 0)


class Db:
    """The gateway's ``self.db`` on an in-memory SQLite database."""

    def __init__(self):
        self.engine = create_engine("sqlite://")
        Base.metadata.create_all(self.engine)

    @contextmanager
    def read(self):
        with Session(self.engine) as session:
            yield session
            session.rollback()

    @contextmanager
    def transaction(self):
        with Session(self.engine, expire_on_commit=False) as session:
            yield SimpleNamespace(session=session)
            session.commit()


class Gateway:
    """A GatewayService without nameko: the real ``answer`` (token, password gate, roles, limits) over ``db``."""

    def __init__(self, db, **gateway_settings):
        self.service = GatewayService.__new__(GatewayService)
        self.service.db = db
        self.setup = self.service.gateway = GatewaySetup({"GATEWAY": {"routes": ["auth"], **gateway_settings}})
        self.service.instrumentation = SimpleNamespace(name=lambda label: None, outcome=lambda outcome: None)
        self.service.services = None

    def request(self, route: Route, token: str | None = None, remote="192.0.2.1", headers=None) -> Request:
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        builder = EnvironBuilder(path=route.template, headers=headers, environ_base={"REMOTE_ADDR": remote})
        return Request(builder.get_environ())

    def answer(self, route: Route, token: str | None = None, remote="192.0.2.1", headers=None):
        request = self.request(route, token, remote, headers)
        call = Call(route, auth.actor_of(None), {}, None, {}, None, request, db=self.service.db, settings=self.setup)
        return self.service.answer(call)
