"""Route declarations and the table that matches requests to them.

A route module (registered under the entry-point group ``enforcement.gateway.routes``) exports
``ROUTES``: a list of ``Route``. Each names its roles, its request and response schemas from the
contracts (validation and OpenAPI come from the same schemas) and what answers it: most routes only forward to
one RPC method, declared with ``forward("service.method", *arguments)``; the few that do more name a handler
``fn(call)``.
"""

from __future__ import annotations

import base64
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any
from urllib.parse import quote

from marshmallow import ValidationError
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

from enforcement_contracts import input_policy
from enforcement_contracts.errors import ValidationFailed
from enforcement_kernel.rpc import schema

ENTRY_POINT_GROUP = "enforcement.gateway.routes"
API_PREFIX = "/api/v1"
PUBLIC = "public"
STAFF = ("bureau", "agency_admin", "officer")
ADMINS = ("bureau", "agency_admin")
BUREAU = ("bureau",)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # werkzeug syntax under /api/v1, e.g. "/officers/<officer_id>"
    handler: Callable[[Call], Any]  # a ``forward(...)`` declaration or a named handler
    roles: tuple[str, ...] | str
    summary: str
    tag: str
    body: type | None = None  # marshmallow schema of the JSON body
    query: type | None = None  # marshmallow schema of the query string
    response: type | None = None
    many: bool = False  # the response is a list of ``response``
    status: int = 200
    audit: bool | None = None  # default: every write is audited
    # a file upload: the body is these media types, passed to the handler as bytes (GATEWAY.max_upload_bytes)
    raw_body_types: tuple[str, ...] = ()
    # with raw_body_types: the handler reads request.stream itself, a chunk at a time (case documents, up to GBs)
    streamed: bool = False
    produces: str | tuple[str, ...] | None = None  # media type(s) when the handler answers with a file
    rate_limited: bool = False  # public writes: GATEWAY.public_rate_limit per client address (429 beyond it)
    # a stricter limiter of its own for a public route (a name of GatewaySetup.limiters), e.g. the certificate check
    limiter: str | None = None
    # answers 429 with Retry-After by itself (the login: failed logins throttled per client address, auth.login)
    throttled: bool = False
    # open to an account that must change its password first (see errors.PasswordChangeRequired)
    before_password_change: bool = False

    @property
    def template(self) -> str:
        return API_PREFIX + self.path

    @property
    def integer_params(self) -> tuple[str, ...]:
        """The path parameters declared ``<int:name>``: ids (1 to 2^63-1) and years (the input policy's range)."""
        return tuple(re.findall(r"<int:(\w+)>", self.path))

    @property
    def is_public(self) -> bool:
        return self.roles == PUBLIC

    @property
    def limit(self) -> str | None:
        """The per-client limit the route is under: ``"write"`` (``GATEWAY.public_rate_limit``) where declared
        ``rate_limited``, ``"read"`` (``GATEWAY.public_read_rate_limit``) for every other public GET, else None."""
        if self.limiter:
            return self.limiter
        if self.rate_limited:
            return "write"
        if self.is_public and self.method == "GET":
            return "read"
        return None

    @property
    def cached_publicly(self) -> bool:
        """A public GET's successful answer may be kept by shared caches (``GATEWAY.public_cache_seconds``)."""
        return self.is_public and self.method == "GET"

    @property
    def moves_files(self) -> bool:
        """Uploads and downloads: their RPC calls get GATEWAY.file_rpc_timeout instead of RPC_TIMEOUT."""
        return bool(self.raw_body_types or self.produces)

    @property
    def audited(self) -> bool:
        return self.audit if self.audit is not None else self.method != "GET"


@dataclass
class Call:
    """What a handler gets: who is calling, the validated input, and the RPC cluster (``services``)."""

    route: Route
    actor: dict
    params: dict
    body: Any
    query: dict
    services: Any
    request: Any
    db: Any = None  # the gateway's own database (users, tokens, audit)
    settings: Any = None
    extras: dict = field(default_factory=dict)

    def wire_query(self) -> dict:
        """The validated query in its wire form for an RPC call: the names as sent (``from``/``to``), dates as ISO
        strings, defaults filled in, absent values left out. The service loads it with the same contract schema."""
        if self.route.query is None:
            return {}
        return {k: v for k, v in schema(self.route.query).dump(self.query).items() if v is not None}

    def argument(self, name: str):
        """One argument of a forwarded call, by its declared name (see ``Forward``)."""
        if name in _WHOLE:
            return _WHOLE[name](self)
        source, _, key = name.partition(".")
        if source == "path":
            return self.params[key]
        if source == "body":
            return self.body[key]
        value = self.query.get(key)  # "query.<name>"
        return value.isoformat() if hasattr(value, "isoformat") else value


_WHOLE: dict[str, Callable[[Call], Any]] = {
    "actor": lambda call: call.actor,
    "body": lambda call: call.body,
    "body?": lambda call: call.body or {},  # an optional body: an empty object when none was sent
    "query": Call.wire_query,
    # only the page of a list (its other filters are positional arguments)
    "page": lambda call: {"page": call.query["page"], "per_page": call.query["per_page"]},
    "file": lambda call: base64.b64encode(call.body).decode(),  # JSON carries no bytes
}
_PARTS = ("path", "body", "query")


@dataclass(frozen=True)
class Forward:
    """A route that only forwards to one RPC method. ``args`` name what it passes, in order:

    ``actor`` (the caller), ``body`` (the validated JSON body; ``body?`` an empty object when none was sent),
    ``query`` (the validated query in its wire form), ``page`` (only ``{page, per_page}`` of the validated query, for
    a list whose filters are positional), ``file`` (an uploaded file, base64-encoded),
    ``path.<name>`` (a path parameter), ``query.<name>`` (one query value, a date as ISO), ``body.<name>``.
    The service answers in its contract's JSON form already; the route's response schema documents it.
    """

    service: str
    method: str
    args: tuple[str, ...] = ()

    def __post_init__(self):
        for name in self.args:
            source, dot, key = name.partition(".")
            if name not in _WHOLE and not (dot and key and source in _PARTS):
                raise ValueError(f"{self.service}.{self.method}: unknown argument {name!r}")

    def __call__(self, call: Call):
        method = getattr(call.services(self.service), self.method)
        values = [call.argument(name) for name in self.args]
        try:
            return method(*values)
        except ValidationFailed as exc:
            if "file" in self.args:
                restore_row_numbers(exc)
            raise


def check_path(route: Route, params: dict) -> None:
    """The input policy on a path's parameters: werkzeug's ``int`` takes any number of digits, the databases do not
    (an id of 2^63 was a 502); text may not hold control characters (PostgreSQL refuses a NUL in a query). A 400
    naming the parameter."""
    problems = {}
    for name, value in params.items():
        if name not in route.integer_params:
            if isinstance(value, str) and (problem := input_policy.text_problem(value)) is not None:
                problems[name] = [problem]
        elif name == "year":
            try:
                input_policy.check_year(value)
            except ValidationError as exc:
                problems[name] = exc.messages
        elif (problem := input_policy.id_problem(value)) is not None:
            problems[name] = [problem]
    if problems:
        raise ValidationFailed("invalid path parameter", problems)


def forward(target: str, *args: str) -> Forward:
    """``forward("cases.get_case", "actor", "path.case_id")``: the route calls ``cases.get_case(actor, case_id)``."""
    service, method = target.split(".")
    return Forward(service, method, args)


def restore_row_numbers(exc: ValidationFailed) -> None:
    """An import's problems are listed by row; nameko sends an error's arguments as strings: give rows back as ints."""
    for problem in (exc.fields or {}).get("rows") or []:
        problem["row"] = int(problem["row"])


def file_response(result: dict) -> Response:
    """A service's file answer (``content_base64``, ``media_type``, ``filename``) as the HTTP download."""
    data = base64.b64decode(result["content_base64"])
    response = Response(data, status=200, mimetype=result["media_type"])
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(result['filename'])}"
    return response


GATEWAY_OWN = "gateway"  # owner of route modules the gateway serves itself (log in, accounts): always mounted


def deployed_services(value) -> set[str] | None:
    """``GATEWAY.services`` as a set: a YAML list or ``"personnel,training"`` (from $GATEWAY_SERVICES); empty = all."""
    names = value.split(",") if isinstance(value, str) else list(value or [])
    names = {str(name).strip() for name in names if str(name).strip()}
    return names or None


def route_module_service(ep) -> str:
    """The service a route module fronts: its module's ``SERVICE``, else the entry-point name up to the first
    ``_`` (``supervision_reports`` fronts ``supervision``)."""
    module = importlib.import_module(ep.module)
    return getattr(module, "SERVICE", None) or ep.name.split("_", 1)[0]


def load_route_modules(enabled: list[str] | None = None, services: set[str] | None = None) -> dict[str, list[Route]]:
    """Route lists of every installed module (or only the enabled ones), leaving out modules that front a
    service not deployed behind this gateway (``services``; None = every service)."""
    modules = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if enabled and ep.name not in enabled:
            continue
        owner = route_module_service(ep)
        if services and owner != GATEWAY_OWN and owner not in services:
            continue
        modules[ep.name] = list(ep.load())
    return modules


class RouteTable:
    def __init__(self, routes: list[Route]):
        self.routes = routes
        self._map = Map(
            [Rule(r.template, endpoint=i, methods=[r.method]) for i, r in enumerate(routes)], strict_slashes=False
        )

    def allowed_methods(self, path: str) -> set[str]:
        """The methods some route takes at ``path`` (empty: no route there); for OPTIONS."""
        return set(self._map.bind("gateway").allowed_methods(path))

    def match(self, path: str, method: str) -> tuple[Route, dict]:
        """Raises werkzeug's NotFound or MethodNotAllowed."""
        adapter = self._map.bind("gateway")
        index, params = adapter.match(path, method=method)
        return self.routes[index], params
