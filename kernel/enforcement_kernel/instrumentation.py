"""Counts, outcomes and durations of every entrypoint, and the correlation id of every worker."""

from __future__ import annotations

import time

from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc as RpcEntrypoint
from nameko.timer import Timer
from nameko.web.handlers import HttpRequestHandler

from enforcement_contracts.errors import ServiceError, Unavailable

from . import logs, metrics


def entrypoint_kind(entrypoint) -> str:
    if isinstance(entrypoint, RpcEntrypoint):
        return "rpc"
    if isinstance(entrypoint, EventHandler):
        return "event"
    if isinstance(entrypoint, Timer):
        return "timer"
    if isinstance(entrypoint, HttpRequestHandler):
        return "http"
    return type(entrypoint).__name__.lower()


def outcome_of(exc_info) -> str:
    if exc_info is None:
        return "ok"
    exc = exc_info[1]
    if isinstance(exc, Unavailable):
        return "unavailable"
    if isinstance(exc, ServiceError):
        return "client_error"
    return "error"


class Instrumentation(DependencyProvider):
    """Attached to every service by the base class; workers may rename themselves (HTTP routes)."""

    def setup(self):
        self.service = self.container.config.get("SERVICE_NAME", self.container.service_name)
        self._started: dict = {}
        self._names: dict = {}  # worker -> metric name when it is not the method name
        self._outcomes: dict = {}  # worker -> outcome when the worker turned an error into a response

    def start(self):
        # outcomes of the known entrypoints at 0, so a first error shows in rate()/increase(); HTTP routes name
        # themselves per request (route templates), so they are not known here
        for entrypoint in self.container.entrypoints:
            kind = entrypoint_kind(entrypoint)
            if kind != "http":
                metrics.zero_calls(self.service, kind, entrypoint.method_name)

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx] = time.perf_counter()
        cid = worker_ctx.data.get("correlation_id")
        if cid is None and worker_ctx.args and hasattr(worker_ctx.args[0], "headers"):
            # the HTTP request's, when it is safe to log and echo
            cid = logs.safe_correlation_id(worker_ctx.args[0].headers.get(logs.CORRELATION_HEADER))
        # nameko passes worker_ctx.data on to every RPC call this worker makes
        worker_ctx.data["correlation_id"] = logs.set_correlation_id(cid)

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        outcome = self._outcomes.pop(worker_ctx, None) or outcome_of(exc_info)
        started = self._started.pop(worker_ctx, None)
        name = self._names.pop(worker_ctx, worker_ctx.entrypoint.method_name)
        kind = entrypoint_kind(worker_ctx.entrypoint)
        metrics.CALLS.labels(self.service, kind, name, outcome).inc()
        if started is not None:
            metrics.CALL_DURATION.labels(self.service, kind, name).observe(time.perf_counter() - started)

    def worker_teardown(self, worker_ctx):
        for store in (self._started, self._names, self._outcomes):
            store.pop(worker_ctx, None)

    def get_dependency(self, worker_ctx):
        return WorkerMetrics(self, worker_ctx)


class WorkerMetrics:
    """Lets a worker name itself (an HTTP route template, never a raw path) and report its outcome."""

    def __init__(self, provider: Instrumentation, worker_ctx):
        self._provider, self._worker_ctx = provider, worker_ctx

    def name(self, label: str) -> None:
        self._provider._names[self._worker_ctx] = label

    def outcome(self, value: str) -> None:
        self._provider._outcomes[self._worker_ctx] = value
