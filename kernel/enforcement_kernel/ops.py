"""The operator port of a service: /metrics (prometheus_client), /health/live and /health/ready.

It runs in its own greenthread on its own port, so metrics and probes answer even when every
worker is busy. Ready means: the database answers, the broker accepts a connection, and the
outbox has no row older than ``OUTBOX.stuck_after_seconds``.
"""

from __future__ import annotations

import json
import logging
import time

import eventlet
import eventlet.wsgi
from kombu import Connection
from nameko.extensions import DependencyProvider
from prometheus_client import make_wsgi_app
from sqlalchemy import text

from .config import setting

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"  # outside a container the ops port stays on the host (OPS_HOST)


class _Quiet:
    def write(self, *_args):  # eventlet.wsgi wants a file-like log
        pass


class OpsServer(DependencyProvider):
    def setup(self):
        config = self.container.config
        self.port = int(config.get("OPS_PORT", 0))
        self.host = config.get("OPS_HOST") or DEFAULT_HOST
        self.amqp_uri = config["AMQP_URI"]
        self.stuck_after = float(setting(config, "OUTBOX.stuck_after_seconds", 300))
        self.metrics_app = make_wsgi_app()
        self._broker_ok = (0.0, False)
        self.socket = None
        self._server = None

    def start(self):
        if self.port:
            # no SO_REUSEPORT: a second instance on the same port must fail, not share the probes
            self.socket = eventlet.listen((self.host, self.port), reuse_port=False)
            self._server = self.container.spawn_managed_thread(
                lambda: eventlet.wsgi.server(self.socket, self.app, log=_Quiet(), log_output=False)
            )

    def stop(self):
        # End the accept loop before closing its socket: closed under it, accept fails with EBADF, the managed
        # thread dies with an error and nameko kills the container in the middle of its graceful stop (it hung).
        if self._server is not None:
            self._server.kill()
            self._server = None
        if self.socket is not None:
            self.socket.close()
            self.socket = None

    kill = stop

    def _dependency(self, name):
        return next((d for d in self.container.dependencies if d.attr_name == name), None)

    def broker_ok(self) -> bool:
        checked_at, ok = self._broker_ok
        if time.monotonic() - checked_at > 5:
            try:
                with Connection(self.amqp_uri, connect_timeout=2) as conn:
                    conn.ensure_connection(max_retries=1)
                ok = True
            except Exception:
                ok = False
            self._broker_ok = (time.monotonic(), ok)
        return ok

    def readiness(self) -> dict:
        checks = {}
        db = self._dependency("db")
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"failed: {type(exc).__name__}"
        checks["broker"] = "ok" if self.broker_ok() else "failed: cannot connect"
        relay = self._dependency("outbox")
        if relay is not None and checks["database"] == "ok":
            state = relay.update_gauges()
            age = state["oldest_pending_age"]
            checks["outbox"] = (
                "ok" if age < self.stuck_after else f"stuck: {state['counts']['pending']} pending, oldest {age:.0f}s"
            )
        return checks

    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return self.metrics_app(environ, start_response)
        if path == "/health/live":
            return self._json(start_response, 200, {"status": "ok"})
        if path == "/health/ready":
            checks = self.readiness()
            ready = all(v == "ok" for v in checks.values())
            return self._json(
                start_response, 200 if ready else 503, {"status": "ok" if ready else "unavailable", "checks": checks}
            )
        return self._json(start_response, 404, {"error": "not_found"})

    @staticmethod
    def _json(start_response, status: int, body: dict):
        data = json.dumps(body).encode()
        reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
        start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]
