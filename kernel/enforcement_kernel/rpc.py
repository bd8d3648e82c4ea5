"""RPC between services: a timeout on every call and typed errors that cross the wire.

nameko's in-service ``RpcProxy`` waits forever for a stopped service; ``Rpc`` here gives up
after ``RPC_TIMEOUT`` seconds with ``Unavailable`` and sets the request's message TTL to the
same value, so a service that comes back does not run calls nobody waits for any more.
"""

from __future__ import annotations

import eventlet
from marshmallow import ValidationError
from nameko import exceptions as nameko_exceptions
from nameko.exceptions import UnknownService
from nameko.rpc import MethodProxy, RpcProxy
from nameko.rpc import rpc as nameko_rpc

from enforcement_contracts.errors import WIRE_ERRORS, ServiceError, Unavailable, ValidationFailed

# Rebuild our error types on the caller's side instead of a generic RemoteError.
for _cls in WIRE_ERRORS:
    nameko_exceptions.registry[nameko_exceptions.get_module_path(_cls)] = _cls

#: The RPC entrypoint every service uses: the wire errors are expected outcomes, not crashes.
#: (nameko drops keyword arguments when a decorator is applied bare, so bind them here.)
rpc = nameko_rpc(expected_exceptions=ServiceError)


def load(schema_cls, payload, *, partial: bool = False) -> dict:
    """Validate ``payload`` against a contract schema; a bad one is ``ValidationFailed`` naming each field."""
    if not isinstance(payload, dict):
        raise ValidationFailed("request body must be a JSON object", {"_schema": ["must be an object"]})
    try:
        return schema_cls().load(payload, partial=partial)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed("invalid input", messages) from None


def dump(schema_cls, obj, *, many: bool = False):
    return schema_cls().dump(obj, many=many)


class _TimedMethod:
    def __init__(self, worker_ctx, reply_listener, service: str, method: str, timeout: float):
        self._proxy = MethodProxy(worker_ctx, service, method, reply_listener, expiration=int(timeout * 1000))
        self._listener = reply_listener
        self._service, self._method, self._timeout = service, method, timeout

    def __call__(self, *args, **kwargs):
        try:
            reply = self._proxy.call_async(*args, **kwargs)
        except UnknownService:
            raise Unavailable(f"service '{self._service}' is not running") from None
        try:
            with eventlet.Timeout(self._timeout):
                return reply.result()
        except eventlet.Timeout:
            # forget the pending reply so a late answer is simply discarded
            for key, event in list(self._listener._reply_events.items()):
                if event is reply.reply_event:
                    self._listener._reply_events.pop(key, None)
            raise Unavailable(
                f"service '{self._service}' did not answer {self._method} within {self._timeout:g}s"
            ) from None


class _TimedService:
    def __init__(self, worker_ctx, reply_listener, service: str, timeout: float):
        self._args = (worker_ctx, reply_listener, service)
        self._timeout = timeout

    def __getattr__(self, method: str) -> _TimedMethod:
        if method.startswith("_"):
            raise AttributeError(method)
        return _TimedMethod(*self._args, method, self._timeout)


class _TimedCluster:
    def __init__(self, worker_ctx, reply_listener, timeout: float):
        self._worker_ctx, self._listener, self._timeout = worker_ctx, reply_listener, timeout

    def __getattr__(self, service: str) -> _TimedService:
        if service.startswith("_"):
            raise AttributeError(service)
        return _TimedService(self._worker_ctx, self._listener, service, self._timeout)

    def __call__(self, service: str) -> _TimedService:
        return _TimedService(self._worker_ctx, self._listener, service, self._timeout)

    def with_timeout(self, timeout: float) -> _TimedCluster:
        """The same cluster with another bound, for the few calls known to take long (file uploads)."""
        return _TimedCluster(self._worker_ctx, self._listener, timeout)


class Rpc(RpcProxy):
    """``self.rpc.personnel.get_officer(...)``: calls any service, each call bounded by a timeout."""

    def __init__(self, timeout: float | None = None):
        super().__init__(target_service=None)
        self.timeout = timeout

    def get_dependency(self, worker_ctx):
        timeout = self.timeout or float(self.container.config.get("RPC_TIMEOUT", 5.0))
        return _TimedCluster(worker_ctx, self.rpc_reply_listener, timeout)
