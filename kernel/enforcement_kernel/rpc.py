"""RPC between services: a timeout on every call and typed errors that cross the wire.

nameko's in-service ``RpcProxy`` waits forever for a stopped service; ``Rpc`` here gives up
after ``RPC_TIMEOUT`` seconds with ``Unavailable`` and sets the request's message TTL to the
same value, so a service that comes back does not run calls nobody waits for any more.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re

import eventlet
from marshmallow import ValidationError
from nameko import exceptions as nameko_exceptions
from nameko.exceptions import IncorrectSignature, UnknownService
from nameko.rpc import MethodProxy, RpcProxy

from enforcement_contracts.errors import WIRE_ERRORS, ServiceError, Unavailable, ValidationFailed

from .db import database_unavailable
from .poison import GuardedRpc

log = logging.getLogger(__name__)

# Rebuild our error types on the caller's side instead of a generic RemoteError.
for _cls in WIRE_ERRORS:
    nameko_exceptions.registry[nameko_exceptions.get_module_path(_cls)] = _cls

#: nameko's entrypoint, counting each request's deliveries (``poison``), with the wire errors as expected outcomes,
#: not crashes. (nameko drops keyword arguments when a decorator is applied bare, so bind them here.)
_entrypoint = GuardedRpc.decorator(expected_exceptions=ServiceError)

#: The parameter through which the gateway (or a calling service) names who is asking.
CALLER_PARAMETER = "actor"


def rpc(method):
    """The RPC entrypoint every service uses.

    A method with a parameter named ``actor`` receives it validated against the ``Actor`` contract (a bad
    or missing one is ``ValidationFailed`` naming ``actor``), so no entrypoint repeats the check and none
    can forget it. Everything else about the call is nameko's.
    """
    signature = inspect.signature(method)
    if CALLER_PARAMETER in signature.parameters:
        method = _with_validated_caller(method, signature)
    return _entrypoint(_with_database_refusals(method))


def _with_database_refusals(method):
    """A write the database refused (a reference to nothing, a duplicate, a number it cannot store) is the caller's
    input, not a crash of the service: a 400 or 409 naming the column where the database says it, never a 502.
    Rules are checked in the operations first; this is the net under them."""

    signature = inspect.signature(method)

    @functools.wraps(method)
    def call(*args, **kwargs):
        from sqlalchemy.exc import DataError, IntegrityError

        try:  # nameko checks the wrapper's (*args, **kwargs): check the method's here
            signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise IncorrectSignature(str(exc)) from None
        try:
            return method(*args, **kwargs)
        except IntegrityError as exc:
            raise integrity_refusal(exc) from None
        except (DataError, OverflowError) as exc:
            text = str(getattr(exc, "orig", exc))
            name = _column_of(text) or "_schema"
            if "too long" in text:  # PostgreSQL: value too long for type character varying(n)
                raise ValidationFailed("a value is too long", {name: ["is too long"]}) from None
            raise ValidationFailed("a value is out of range", {name: ["is out of range"]}) from None
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            # down, restarting or out of connections: the caller may try again (503), nothing was written
            log.warning("database unavailable in %s: %s", method.__name__, type(exc).__name__)
            raise Unavailable("the service's database is unavailable; try again shortly") from None

    return call


_COLUMN_PATTERNS = (
    re.compile(r"Key \((\w+)(?:, \w+)*\)="),  # PostgreSQL's DETAIL (the value after it is never repeated)
    re.compile(r"constraint failed: \w+\.(\w+)"),  # SQLite: "UNIQUE constraint failed: officers.id_hash"
    re.compile(r'column "(\w+)"'),  # PostgreSQL: null value in column "x"
)


def _column_of(text: str) -> str | None:
    for pattern in _COLUMN_PATTERNS:
        found = pattern.search(text)
        if found:
            return found.group(1)
    return None


def integrity_refusal(exc) -> ServiceError:
    """The wire error for an ``IntegrityError``: a reference to nothing or a missing value is a 400, a duplicate a
    409; the column is named where the database names it (PostgreSQL always, SQLite for UNIQUE and NOT NULL)."""
    from enforcement_contracts.errors import Conflict

    text = str(getattr(exc, "orig", exc))
    name = _column_of(text) or "_schema"
    lowered = text.lower()
    if "foreign key" in lowered:
        return ValidationFailed(
            "refers to a record that does not exist", {name: ["refers to a record that does not exist"]}
        )
    if "not null" in lowered or "null value" in lowered:
        return ValidationFailed("a required value is missing", {name: ["Missing data for required field."]})
    return Conflict("conflicts with a record already stored", {name: ["already recorded"]})


def _with_validated_caller(method, signature: inspect.Signature):
    @functools.wraps(method)
    def call(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:  # nameko checks the wrapper's (*args, **kwargs): check the method's here
            raise IncorrectSignature(str(exc)) from None
        bound.arguments[CALLER_PARAMETER] = load_caller(bound.arguments.get(CALLER_PARAMETER))
        return method(*bound.args, **bound.kwargs)

    return call


@functools.lru_cache(maxsize=1024)
def schema(schema_cls):
    """One instance of a contract schema per class: building one deep-copies its declared fields (a large share of a
    small request's time), while ``load``, ``validate`` and ``dump`` keep nothing between calls."""
    return schema_cls()


def load_caller(actor) -> dict:
    """The caller as the ``Actor`` contract reads it; ``ValidationFailed`` naming ``actor`` otherwise.

    Every RPC with an actor loads it, and the same few callers come again and again: a valid one is remembered (by
    its fields, all text) instead of going through marshmallow each time; an invalid one is checked every time."""
    if not isinstance(actor, dict):
        raise ValidationFailed("invalid caller", {CALLER_PARAMETER: ["must be an object"]})
    cacheable = all(isinstance(k, str) and isinstance(v, str | None) for k, v in actor.items())
    try:
        return dict(_loaded_caller(tuple(sorted(actor.items())))) if cacheable else _load_actor(actor)
    except ValidationError as exc:
        raise ValidationFailed("invalid caller", {CALLER_PARAMETER: exc.messages}) from None


def _load_actor(actor: dict) -> dict:
    from enforcement_contracts.common import Actor

    return schema(Actor).load(actor)


@functools.lru_cache(maxsize=1024)
def _loaded_caller(items: tuple) -> dict:
    return _load_actor(dict(items))


def load(schema_cls, payload, *, partial: bool = False) -> dict:
    """Validate ``payload`` against a contract schema; a bad one is ``ValidationFailed`` naming each field."""
    if not isinstance(payload, dict):
        raise ValidationFailed("request body must be a JSON object", {"_schema": ["must be an object"]})
    try:
        return schema(schema_cls).load(payload, partial=partial)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed("invalid input", messages) from None


def every_item(fetch, per_page: int = 500) -> list:
    """Every item of a paged list RPC: ``fetch({"page": n, "per_page": per_page})`` for n = 1, 2, ... until the
    answer's ``total`` is reached (or a page comes back empty); a list that answers a ``next`` cursor is followed by
    it instead (``{"page": 1, "per_page": per_page, "after": next}``): its total stops counting at 10,000. For
    callers that need the whole list (caches, checks against every agency); ``fetch`` binds the other arguments, e.g.
    ``every_item(lambda page: self.services.personnel.list_officers(SYSTEM, {"status": "active", **page}))``."""
    items: list = []
    query = {"page": 1, "per_page": per_page}
    while True:
        answer = fetch(query)
        batch = answer["items"]
        items.extend(batch)
        if answer.get("next"):
            query = {"page": 1, "per_page": per_page, "after": answer["next"]}
            continue
        if not batch or len(items) >= answer["total"]:
            return items
        query = {"page": query["page"] + 1, "per_page": per_page}


def dump(schema_cls, obj, *, many: bool = False):
    return schema(schema_cls).dump(obj, many=many)


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
    """``services = Rpc()``, then ``self.services.personnel.get_officer(...)``: calls any service, each call
    bounded by a timeout (the dependency is named ``services`` in every service and the gateway)."""

    def __init__(self, timeout: float | None = None):
        super().__init__(target_service=None)
        self.timeout = timeout

    def get_dependency(self, worker_ctx):
        timeout = self.timeout or float(self.container.config.get("RPC_TIMEOUT", 5.0))
        return _TimedCluster(worker_ctx, self.rpc_reply_listener, timeout)
