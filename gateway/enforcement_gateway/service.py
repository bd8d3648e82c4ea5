"""The gateway service: one HTTP entry point that authenticates, validates, calls and audits.

Every ``/api/v1`` request goes through ``dispatch``: size limit, route match, token and role,
JSON and contract validation, the RPC call (bounded by ``RPC_TIMEOUT``), error mapping, audit.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import sqlite3
from functools import cached_property
from pathlib import Path

import eventlet
from eventlet import tpool
from eventlet.event import Event
from marshmallow import ValidationError
from nameko.exceptions import RemoteError
from nameko.web.handlers import http
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.exceptions import NotFound as RouteNotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

from enforcement_contracts import asyncapi
from enforcement_contracts.errors import Forbidden, ServiceError, Unauthorized, Unavailable, ValidationFailed
from enforcement_kernel import logs
from enforcement_kernel.config import setting
from enforcement_kernel.db import database_unavailable, utcnow
from enforcement_kernel.rpc import Rpc, schema
from enforcement_kernel.service import Configured, ServiceBase

from . import auth
from .errors import PasswordChangeRequired, error_body
from .headers import HeaderPolicy
from .models import AuditRecord
from .openapi import build_openapi
from .ratelimit import RateLimited, RateLimiter, client_address, trusted_networks
from .routing import Call, RouteTable, check_path, deployed_services, file_response, load_route_modules

log = logging.getLogger(__name__)
HERE = Path(__file__).parent


def json_response(status: int, body, headers: dict | None = None) -> Response:
    text = json.dumps(body, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate echoed back (an unknown field's name): JSON's escapes carry it
        text = json.dumps(body, default=str)
    response = Response(text, status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def error_response(status: int, code: str, message: str, fields: dict | None = None, headers=None) -> Response:
    """Every error answer has the one shape of ``errors.error_body`` (the OpenAPI ``Error`` schema)."""
    return json_response(status, error_body(code, message, fields), headers)


class GatewaySetup:
    """Routes, settings and the OpenAPI document, built once per process (``Configured(GatewaySetup)``)."""

    def __init__(self, config: dict):
        self.config = config
        self.modules = load_route_modules(
            setting(config, "GATEWAY.routes") or None, deployed_services(setting(config, "GATEWAY.services"))
        )
        self.table = RouteTable([route for routes in self.modules.values() for route in routes])
        self.auth = auth.AuthSettings.from_config(config)
        # valid tokens remembered in process this long (0: off); a revocation here forgets them at once, another
        # replica's entries run out within this bound
        self.tokens = auth.TokenCache(float(setting(config, "GATEWAY.token_cache_seconds", 5)))
        self.max_body = int(setting(config, "GATEWAY.max_body_bytes", 65536))
        self.max_json_depth = int(setting(config, "GATEWAY.max_json_depth", 32))
        self.max_upload = int(setting(config, "GATEWAY.max_upload_bytes", 20 * 1024 * 1024))
        self.file_rpc_timeout = float(setting(config, "GATEWAY.file_rpc_timeout", 120))
        self.openapi = build_openapi(self.table.routes)
        self.limiters = {
            "write": RateLimiter(
                int(setting(config, "GATEWAY.public_rate_limit.requests", 10)),
                float(setting(config, "GATEWAY.public_rate_limit.window_seconds", 60)),
            ),
            "read": RateLimiter(
                int(setting(config, "GATEWAY.public_read_rate_limit.requests", 120)),
                float(setting(config, "GATEWAY.public_read_rate_limit.window_seconds", 60)),
            ),
            # the certificate check: stricter (its numbers are sequential); a wrong check code costs more
            "certificate_check": RateLimiter(
                int(setting(config, "GATEWAY.certificate_check_rate_limit.requests", 20)),
                float(setting(config, "GATEWAY.certificate_check_rate_limit.window_seconds", 60)),
            ),
        }
        self.wrong_code_cost = int(setting(config, "GATEWAY.certificate_check_rate_limit.wrong_code_cost", 5))
        self.trusted_proxies = trusted_networks(setting(config, "GATEWAY.trusted_proxies"))
        self.public_cache_seconds = int(setting(config, "GATEWAY.public_cache_seconds", 60))
        self.headers = HeaderPolicy.from_config(config)
        self.audit = AuditWriter()

    def client_of(self, request) -> str:
        """The client's address (behind a trusted proxy, from X-Forwarded-For): for the limits and the audit."""
        return client_address(request.remote_addr, request.headers.get("X-Forwarded-For"), self.trusted_proxies)

    def cache_control(self, route, response) -> str:
        """A public GET's successful answer may be cached by anyone for a while; everything else by nobody."""
        if route is not None and route.cached_publicly and 200 <= response.status_code < 300:
            return f"public, max-age={self.public_cache_seconds}"
        return "no-store"

    @cached_property
    def event_documents(self) -> dict[str, tuple[str, str]]:
        """name → (media type, text) of the events' AsyncAPI document and catalogue, from the installed contracts.

        Built on the first request rather than in ``setup``: rendering the YAML takes about half a second
        that every gateway start would otherwise pay.
        """
        document = asyncapi.build_asyncapi()
        return {
            "asyncapi.yaml": ("application/yaml", asyncapi.render_yaml(document)),
            "asyncapi.json": ("application/json", json.dumps(document, ensure_ascii=False, indent=2)),
            "catalogue.md": ("text/markdown", asyncapi.render_catalogue(document)),
        }


class GatewayService(ServiceBase):
    name = "gateway"

    services = Rpc()
    gateway = Configured(GatewaySetup)

    @http("GET,POST,PUT,PATCH,DELETE,OPTIONS", "/api/v1/<path:path>")
    def api(self, request, path):
        if request.method == "OPTIONS":
            self.instrumentation.name("OPTIONS")
            methods = self.gateway.table.allowed_methods(request.path)
            if methods:
                return self.gateway.headers.secure(request, self.gateway.headers.options(request, methods))
        response, audit = self.dispatch(request)
        if "Cache-Control" not in response.headers:  # unmatched paths: an error, never kept
            response.headers["Cache-Control"] = "no-store"
        if audit is not None:
            self.write_audit(*audit, status=response.status_code, request=request, response=response)
        response.headers[logs.CORRELATION_HEADER] = logs.correlation_id() or ""
        return self.gateway.headers.secure(request, response)

    @http("GET,POST,PUT,PATCH,DELETE,OPTIONS", "/<path:path>")
    def elsewhere(self, request, path):
        """Any other path: OPTIONS on one of the pages below answers 204 with Allow; the rest is a JSON 404 (not
        werkzeug's HTML) with the security headers."""
        self.instrumentation.name("unmatched")
        if request.method == "OPTIONS" and _own_page(request.path):
            response = self.gateway.headers.options(request, {"GET"})
        elif request.method == "OPTIONS" or request.method == "GET" or not _own_page(request.path):
            response = error_response(404, "not_found", f"no route {request.path}")
        else:
            response = error_response(405, "method_not_allowed", f"{request.method} is not allowed here")
        response.headers.setdefault("Cache-Control", "no-store")
        return self.gateway.headers.secure(request, response)

    @http("GET", "/openapi.json")
    def openapi(self, request):
        self.instrumentation.name("/openapi.json")
        return self.gateway.headers.secure(request, json_response(200, self.gateway.openapi))

    @http("GET", "/docs")
    def docs(self, request):
        self.instrumentation.name("/docs")
        page = Response((HERE / "docs.html").read_text(encoding="utf-8"), mimetype="text/html")
        return self.gateway.headers.secure(request, page, csp=self.gateway.headers.docs_csp)

    @http("GET", "/docs/assets/<name>")
    def docs_assets(self, request, name):
        """Swagger UI's files from the swagger-ui-bundle package: the docs page works offline."""
        self.instrumentation.name("/docs/assets")
        from swagger_ui_bundle import swagger_ui_path

        allowed = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png"}
        if name not in allowed:
            return self.gateway.headers.secure(request, error_response(404, "not_found", "no such asset"))
        data = (Path(swagger_ui_path) / name).read_bytes()
        asset = Response(data, mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream")
        return self.gateway.headers.secure(request, asset)

    @http("GET", "/events/<name>")
    def event_docs(self, request, name):
        """The AsyncAPI 3.0 document and the event catalogue for subscribers; public like the API docs."""
        self.instrumentation.name("/events")
        if name not in self.gateway.event_documents:
            missing = error_response(404, "not_found", "no such document: asyncapi.yaml, asyncapi.json or catalogue.md")
            return self.gateway.headers.secure(request, missing)
        media_type, text = self.gateway.event_documents[name]
        return self.gateway.headers.secure(request, Response(text, content_type=f"{media_type}; charset=utf-8"))

    # --- the pipeline ----------------------------------------------------------------------
    def dispatch(self, request):
        """Returns (response, audit) where audit is (route label, actor, params, outcome) or None."""
        try:
            route, params = self.gateway.table.match(request.path, request.method)
        except MethodNotAllowed:
            self.instrumentation.name("unmatched")
            return error_response(405, "method_not_allowed", f"{request.method} is not allowed here"), None
        except RouteNotFound:
            self.instrumentation.name("unmatched")
            return error_response(404, "not_found", f"no route {request.path}"), None
        label = f"{route.method} {route.template}"
        self.instrumentation.name(label)
        call = Call(
            route=route,
            actor=auth.actor_of(None),
            params=params,
            body=None,
            query={},
            services=None,
            request=request,
            db=self.db,
            settings=self.gateway,
        )
        try:
            response, outcome = self.answer(call), "ok"
        except Exception as exc:  # every failure becomes an error answer (see failure_response)
            response, outcome = self.failure_response(exc, label)
        response.headers["Cache-Control"] = self.gateway.cache_control(route, response)
        # a login is audited under the username it tried, not as anonymous; refused attempts always (a 404 of a staff
        # route too: the services answer it for a record outside the caller's scope)
        refused = response.status_code in (401, 403) or (response.status_code == 404 and not route.is_public)
        audited = route.audited or refused
        audit = (label, call.extras.get("audit_actor", call.actor), params, outcome) if audited else None
        return response, audit

    def answer(self, call: Call) -> Response:
        """Authenticate and authorise the caller, read the input, run the route's handler: the answer."""
        route, request = call.route, call.request
        user = self.gateway.tokens.authenticate(self.db, request.headers.get("Authorization"))
        call.actor = auth.actor_of(user)
        must_change_password = user is not None and user.must_change_password
        if not route.is_public:
            if user is None:
                raise Unauthorized("log in first: send 'Authorization: Bearer <token>'")
            if must_change_password and not route.before_password_change:
                raise PasswordChangeRequired()
            if call.actor["role"] not in route.roles:
                raise Forbidden(f"role {call.actor['role']} may not {route.summary.lower()}")
        if route.limit is not None:
            self.gateway.limiters[route.limit].check(self.gateway.client_of(request))
        check_path(route, call.params)
        call.body = self.read_body(request, route)
        call.query = self.read_query(request, route)
        call.services = (
            self.services.with_timeout(self.gateway.file_rpc_timeout) if route.moves_files else self.services
        )
        result = route.handler(call)
        if isinstance(result, Response):
            return result
        if route.produces:  # a service's file answer, sent as the download
            return file_response(result)
        # services answer in their contract's JSON form already; the response schema documents it
        return json_response(route.status, result)

    def failure_response(self, exc: Exception, label: str) -> tuple[Response, str]:
        """The error answer and the audit outcome of a request that failed."""
        if isinstance(exc, ServiceError):
            self.instrumentation.outcome("unavailable" if exc.status == 503 else "client_error")
            headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
            return error_response(exc.status, exc.code, exc.message, exc.fields, headers), exc.code
        if database_unavailable(exc):
            # the gateway's own database (tokens, audit) is down or out of connections: a passing condition
            log.warning("the gateway's database is unavailable behind %s: %s", label, type(exc).__name__)
            self.instrumentation.outcome("unavailable")
            message = "the gateway's database is unavailable; try again shortly"
            return error_response(503, Unavailable.code, message, None, {"Retry-After": "5"}), Unavailable.code
        if isinstance(exc, RemoteError):
            # an unexpected failure inside a service: say so without its traceback
            log.error("service error behind %s: %s", label, exc.exc_type)
            self.instrumentation.outcome("error")
            message = "a service failed to handle the request; it has been logged"
            return error_response(502, "service_error", message), "service_error"
        # a bug of ours: logged with its traceback, answered without it
        log.exception("unexpected error in %s", label, exc_info=exc)
        self.instrumentation.outcome("error")
        return error_response(500, "internal_error", "unexpected error; it has been logged"), "internal_error"

    def read_body(self, request, route):
        if route.streamed:
            return None
        if route.raw_body_types:
            return self.read_upload(request, route)
        if route.body is None:
            return None
        length = request.content_length
        if length is not None and length > self.gateway.max_body:
            raise _TooLarge(self.gateway.max_body)
        raw = request.stream.read(self.gateway.max_body + 1)
        if len(raw) > self.gateway.max_body:
            raise _TooLarge(self.gateway.max_body)
        if request.mimetype != "application/json":
            raise _UnsupportedMedia()
        try:
            payload = json.loads(raw.decode("utf-8") or "null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationFailed(f"malformed JSON: {exc}", {"_body": ["malformed JSON"]}) from None
        except RecursionError:  # deeper than the interpreter's stack; the depth check below says it the same way
            payload = None
            depth = self.gateway.max_json_depth + 1
        else:
            depth = json_depth(payload, self.gateway.max_json_depth)
        if depth > self.gateway.max_json_depth:
            limit = self.gateway.max_json_depth
            raise ValidationFailed("the body is nested too deep", {"_body": [f"nested deeper than {limit} levels"]})
        if not isinstance(payload, dict):
            raise ValidationFailed("the body must be a JSON object", {"_body": ["must be a JSON object"]})
        errors = schema(route.body).validate(payload)
        if errors:
            raise ValidationFailed("invalid request body", errors)
        return payload

    def read_upload(self, request, route) -> bytes:
        """A file upload: the raw bytes, bounded by their own (larger) limit."""
        limit = self.gateway.max_upload
        if request.content_length is not None and request.content_length > limit:
            raise _TooLarge(limit)
        if request.mimetype not in route.raw_body_types:
            raise _UnsupportedMedia(route.raw_body_types)
        raw = request.stream.read(limit + 1)
        if len(raw) > limit:
            raise _TooLarge(limit)
        if not raw:
            raise ValidationFailed("the upload is empty", {"_body": ["send the file as the request body"]})
        return raw

    def read_query(self, request, route) -> dict:
        args = request.args.to_dict()
        if route.query is None:
            if args:
                raise ValidationFailed("this route takes no query parameters", {k: ["Unknown field."] for k in args})
            return {}
        try:
            return schema(route.query).load(args)
        except ValidationError as exc:
            raise ValidationFailed("invalid query parameters", exc.messages) from None

    def write_audit(self, label, actor, params, outcome, *, status, request, response=None):
        # a create's target is the created object's id; the officer lookup's (a read of personal data by ID number)
        # the officer found: both read from the answer
        if response is not None and request.method == "POST" and status in (200, 201):
            params = {**created_id(response), **(params or {})}
        record = {
            "at": utcnow(),
            "username": actor.get("username"),
            "role": actor.get("role"),
            "action": label,
            "target": json.dumps(params, ensure_ascii=False)[:200] if params else None,
            "status": status,
            "outcome": outcome,
            "client_ip": self.gateway.client_of(request)[:64],
            "correlation_id": logs.correlation_id(),
        }
        failure = self.gateway.audit.write(self.db, record)
        if failure is not None:  # the answer is already decided; a lost audit row is logged, not hidden
            log.error("could not write the audit record for %s", label, exc_info=failure)


class AuditWriter:
    """Audit rows written by group commit: a request hands its row over and waits until the transaction holding it
    has committed, so an answer is never sent before its audit row is stored (a crash loses only rows whose
    requests were not answered). Rows handed over while one transaction commits go together in the next, so under
    load one commit serves many requests instead of one each. On a SQLite file the batch is written in eventlet's
    thread pool (``_SqliteAudit``): SQLite's commit waits for an fsync that would otherwise hold the event loop."""

    def __init__(self):
        self._pending: list[tuple[dict, Event]] = []
        self._writer = None
        self._sqlite: _SqliteAudit | None = None

    def write(self, db, record: dict) -> BaseException | None:
        """Store ``record`` (an ``AuditRecord``'s columns); None once committed, else why it could not be."""
        done = Event()
        self._pending.append((record, done))
        if self._writer is None:
            self._writer = eventlet.spawn(self._drain, db)
        return done.wait()

    def _drain(self, db) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                for (_, done), failure in zip(batch, self._commit(db, [record for record, _ in batch]), strict=True):
                    done.send(failure)
        finally:
            self._writer = None

    def _commit(self, db, records: list[dict]) -> list[BaseException | None]:
        try:
            self._store(db, records)
            return [None] * len(records)
        except Exception as exc:
            if len(records) == 1:
                return [exc]
        # one row the database refuses must not take the others with it: each on its own
        return [self._commit(db, [record])[0] for record in records]

    def _store(self, db, records: list[dict]) -> None:
        url = db.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            if self._sqlite is None:
                self._sqlite = _SqliteAudit(url.database, db.engine.dialect)
            tpool.execute(self._sqlite.insert, records)
            return
        with db.transaction() as tx:
            tx.session.add_all([AuditRecord(**record) for record in records])


class _SqliteAudit:
    """Audit rows into a SQLite file from a thread of eventlet's pool, on a connection of its own (used by one batch
    at a time: ``AuditWriter`` drains one batch after the other); the GIL is free while SQLite waits for the disk."""

    def __init__(self, path: str, dialect):
        table = AuditRecord.__table__
        self.columns = [column.name for column in table.c if column.name != "id"]
        # the values as SQLAlchemy would bind them (dates as SQLAlchemy's SQLite text), so the ORM reads them back
        self.processors = {name: table.c[name].type.bind_processor(dialect) for name in self.columns}
        self.sql = f"INSERT INTO {table.name} ({', '.join(self.columns)}) VALUES ({', '.join('?' * len(self.columns))})"
        self.path = path
        self.connection = None

    def insert(self, records: list[dict]) -> None:
        if self.connection is None:
            self.connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        rows = [
            [(self.processors[name] or (lambda value: value))(record.get(name)) for name in self.columns]
            for record in records
        ]
        try:
            self.connection.executemany(self.sql, rows)
            self.connection.commit()
        except BaseException:
            self.connection.rollback()
            raise


def created_id(response) -> dict:
    """The id of what a POST's answer created or found, as ``{name: value}`` (``id``, else the first ``*_id``, else
    ``number``, ``code`` or ``username``); empty when the answer is not a JSON object naming one."""
    try:
        body = json.loads(response.get_data(as_text=True)) if response.mimetype == "application/json" else None
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    names = ["id", *(k for k in body if k.endswith("_id")), "number", "code", "username"]
    for name in names:
        if isinstance(body.get(name), str | int) and not isinstance(body.get(name), bool):
            return {name: body[name]}
    return {}


def json_depth(value, limit: int) -> int:
    """How deep a parsed JSON value nests (a scalar is 0), counted without recursion; stops past ``limit``."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        node, depth = todo.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        todo.extend((child, depth + 1) for child in children)
    return deepest


# the gateway's pages outside /api/v1 (all GET): OPTIONS on them answers with Allow, other methods a 405
_OWN_PAGES = Map([Rule(path) for path in ("/openapi.json", "/docs", "/docs/assets/<name>", "/events/<name>")])


def _own_page(path: str) -> bool:
    try:
        _OWN_PAGES.bind("gateway").match(path, method="GET")
    except HTTPException:
        return False
    return True


class _TooLarge(ServiceError):
    status = 413
    code = "payload_too_large"

    def __init__(self, limit: int):
        super().__init__(f"the body is larger than {limit} bytes", {"_body": [f"at most {limit} bytes"]})


class _UnsupportedMedia(ServiceError):
    status = 415
    code = "unsupported_media_type"

    def __init__(self, types=("application/json",)):
        super().__init__(
            f"send the body as {' or '.join(types)}", {"_body": [f"Content-Type must be {' or '.join(types)}"]}
        )
