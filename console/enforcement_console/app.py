"""The console's web application: staff pages and the public portal, rendered on the server from the gateway's API.

``create_app(settings)`` builds it; ``enforcement-console`` serves it with waitress. Pages hold no data of their own:
every list, record and change goes through the gateway with the signed-in person's token.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from flask import Flask, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException

from . import formatting, messages, navigation, pages
from .gateway import ApiError, Gateway
from .settings import Settings
from .views import PUBLIC_BLUEPRINTS, STAFF_BLUEPRINTS
from .views.cases_records import UPLOAD_LIMIT

# pages that take files over MAX_CONTENT_LENGTH (a case's evidence and recordings): their own limit, set before the
# form (and its token) is first read
LARGE_UPLOADS = {"cases.upload_document": UPLOAD_LIMIT}

log = logging.getLogger(__name__)

# Pages may not load anything from elsewhere (the suite works with no internet) and run no inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.load()
    app = Flask(__name__)
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key or secrets.token_hex(32),
        SESSION_COOKIE_NAME="enforcement_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_minutes),
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
        TEMPLATES_AUTO_RELOAD=False,
    )
    if settings.proxy_hops:  # behind the county's HTTPS proxy: the visitor's address and scheme from its headers
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)
    app.extensions["gateway"] = Gateway(settings.gateway_url, settings.gateway_timeout)
    app.jinja_env.filters.update(formatting.FILTERS)
    app.jinja_env.globals.update(
        label=messages.label,
        deadline=formatting.deadline,
        agency_name=pages.agency_name,
        agency_names=pages.agency_names,
        csrf_token=csrf_token,
        nav_items=navigation.items_for,
        current_user=pages.user,
        county=settings.county,
        page_count=pages.page_count,
        count_text=pages.count_text,
        NO_ERRORS=pages.NO_ERRORS,
        parts=settings.parts,
        portal_nav=navigation.PORTAL,
    )
    if "staff" in settings.parts:
        for blueprint in STAFF_BLUEPRINTS:
            app.register_blueprint(blueprint)
    if "public" in settings.parts:
        for blueprint in PUBLIC_BLUEPRINTS:
            app.register_blueprint(blueprint)
    app.add_url_rule("/", "root", _root)
    app.add_url_rule("/healthz", "healthz", _healthz)
    app.before_request(_upload_limit)
    app.before_request(_check_csrf)
    app.after_request(_headers)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    return app


def _root():
    settings = _settings()
    if "staff" in settings.parts and session.get("token"):
        return redirect(url_for(navigation.home_endpoint(pages.role())))
    if "public" in settings.parts:
        return redirect(url_for("portal.home"))
    return redirect(url_for("account.login"))


def _healthz():
    """The container's liveness probe: the process answers. No gateway call, so a gateway outage does not get the
    console restarted (its pages say the gateway is unavailable)."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


def _settings() -> Settings:
    from flask import current_app

    return current_app.config["SETTINGS"]


def csrf_token() -> str:
    """The session's form token: every form that changes something sends it back (``_csrf``)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def _upload_limit():
    limit = LARGE_UPLOADS.get(request.endpoint or "")
    if limit:
        request.max_content_length = limit


def _check_csrf():
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        sent = request.form.get("_csrf") or request.headers.get("X-CSRF-Token")
        if not sent or not secrets.compare_digest(sent, session.get("csrf", "")):
            return _error_page(400, "页面已过期或来源不明，请刷新页面后重新提交。")
    return None


def _headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    portal = bool(request.blueprint and request.blueprint.startswith("portal"))
    # a portal page is the same for everyone unless it used the session (a form's token): only then may a shared
    # cache keep it
    if portal and request.method == "GET" and response.status_code == 200 and not session.accessed:
        response.headers.setdefault("Cache-Control", f"public, max-age={_settings().public_cache_seconds}")
    elif not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _error_page(status: int, sentence: str):
    return render_template("error.html", status=status, sentence=sentence), status


def _api_error(error: ApiError):
    if error.status == 401 and request.blueprint and not request.blueprint.startswith("portal"):
        session.clear()
        reason = "disabled" if error.message == "account disabled" else 1  # the login page says which
        return redirect(url_for("account.login", next=request.full_path.rstrip("?"), expired=reason))
    if error.code == "password_change_required":
        session["must_change_password"] = True
        return redirect(url_for("account.password"))
    if error.status >= 500:
        log.warning("gateway answered %s on %s %s: %s", error.status, request.method, request.path, error.code)
    return _error_page(error.status if error.status in messages.STATUS_SENTENCES else 502, messages.sentence(error))


def _http_error(error: HTTPException):
    sentence = {
        404: "页面不存在，请检查地址，或从导航重新进入。",
        403: "您没有查看此页面的权限。",
        405: "不支持此操作。",
        413: "上传的文件过大。",
    }.get(error.code, messages.STATUS_SENTENCES.get(error.code or 500, messages.STATUS_SENTENCES[500]))
    return _error_page(error.code or 500, sentence)


def _unexpected(error: Exception):
    log.exception("unexpected error on %s %s", request.method, request.path, exc_info=error)
    return _error_page(500, messages.STATUS_SENTENCES[500])


def main() -> None:
    import waitress

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings.load()
    host, _, port = settings.address.rpartition(":")
    log.info(
        "console on http://%s:%s/ (gateway %s; parts %s)", host, port, settings.gateway_url, sorted(settings.parts)
    )
    # waitress refuses a body over 1 GiB by default; a case's recording may be 2 GiB (it spools bodies to disk, and
    # every other form keeps Flask's MAX_CONTENT_LENGTH)
    waitress.serve(
        create_app(settings),
        host=host or "0.0.0.0",
        port=int(port),
        threads=settings.threads,
        ident="",
        max_request_body_size=UPLOAD_LIMIT,
    )
