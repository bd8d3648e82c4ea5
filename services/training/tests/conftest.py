"""Fixtures of the training service's tests: its entrypoints called in process as a caller over the broker sees them.

``cluster.training.record_attendance(BUREAU, payload)`` runs the entrypoint in the in-process container (nameko's
``entrypoint_hook``: real worker, database, outbox relay, broker) and hands back what a standalone RPC proxy would:
the result as JSON, an error rebuilt from nameko's serialised form (so its arguments arrive as strings, exactly as
the gateway receives them). Metrics are process-wide in process: ``metric`` reads this process's registry.
"""

from __future__ import annotations

import json
import os

import pytest
from enforcement_testing import MetricsReader, db_count, drop_event_queues, metric_value, publish_event, wait_until
from training_support import FARM, MARKET

from enforcement_contracts import personnel


class Wire:
    """One in-process service's entrypoints, called as over the wire."""

    def __init__(self, service):
        self._service = service

    def __getattr__(self, method: str):
        if method.startswith("_"):
            raise AttributeError(method)

        def call(*args, **kwargs):
            from nameko.exceptions import deserialize, serialize

            try:
                result = self._service.call(method, *args, **kwargs)
            except Exception as exc:
                raise deserialize(serialize(exc)) from None
            return json.loads(json.dumps(result))

        return call


class Observed(MetricsReader):
    """An in-process service as the tests observe it: its database, its metrics, the environment of a command run
    beside it. Every in-process container shares this process's metrics: a counter reads as its increase since the
    service was added here (``cluster.add``); a gauge reads as it is."""

    def __init__(self, service):
        self.service = service
        self._baseline = metrics_text()

    @property
    def name(self) -> str:
        return self.service.name

    @property
    def database_url(self) -> str:
        return self.service.database_url

    @property
    def env(self) -> dict:
        """What a command run against this service's database needs (as ``ServiceProcess.env`` had it)."""
        config = self.service.config
        env = {k: v for k, v in os.environ.items() if k != "CONFIG"}
        env.update(
            {
                "AMQP_URI": config["AMQP_URI"],
                "DATABASE_URL": self.database_url,
                "CLOCK_TODAY": str(config["CLOCK"]["today"]),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def start(self) -> Observed:
        self.service.container.start()
        return self

    def metrics_text(self) -> str:
        return metrics_text()

    def metric(self, name: str, **labels) -> float:
        now = metrics_text()
        value = sample(now, name, **labels)
        if _kind(now, name) == "counter":
            value -= sample(self._baseline, name, **labels)
        return value


class Cluster:
    """``cluster.add(run_service("training"))``, then ``cluster.training.get_course(...)``."""

    def __init__(self):
        self._services: dict[str, Wire] = {}

    def add(self, service) -> Observed:
        self._services[service.name] = Wire(service)
        return Observed(service)

    def __getattr__(self, name: str) -> Wire:
        if name.startswith("_") or name not in self._services:
            raise AttributeError(name)
        return self._services[name]


@pytest.fixture
def cluster() -> Cluster:
    return Cluster()


@pytest.fixture
def in_process(run_service, cluster):
    """``in_process(name, database_url=None)``: ``run_service`` started without its ops port, added to ``cluster``.

    The tests read metrics from this process's registry, so no ops server is needed; and a stopping container whose
    ops server closes its listening socket under the accept loop can see that thread die with EBADF, which nameko
    turns into a kill racing the stop (the RPC consumer then waits forever for its queue consumer).
    """

    def start(name: str, database_url: str | None = None) -> Observed:
        service = run_service(name, database_url, start=False)
        service.config["OPS_PORT"] = 0
        return cluster.add(service).start()

    return start


def metrics_text() -> str:
    from prometheus_client import REGISTRY, generate_latest

    return generate_latest(REGISTRY).decode()


def sample(text: str, name: str, **labels) -> float:
    return metric_value(text, name, **labels)


def _kind(text: str, name: str) -> str:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        if any(s.name == name for s in family.samples):
            return family.type
    return "unknown"


@pytest.fixture
def training(database_url, amqp_uri, in_process):
    drop_event_queues(amqp_uri, "training")  # only this test's officers, not those other tests announced meanwhile
    service = in_process("training", database_url)
    for code, name in ((MARKET, "县市场监管局"), (FARM, "县农业农村局")):
        publish_event(
            amqp_uri,
            personnel.AGENCY_REGISTERED,
            {"code": code, "name": name, "kind": "department", "is_supervisor": False, "is_police": False},
        )
    wait_until(lambda: db_count(database_url, "agencies") == 2, message="agencies in the read model")
    return service
