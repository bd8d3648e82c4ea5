"""What every view uses: the signed-in person, their view of the gateway, paging, and forms that show errors."""

from __future__ import annotations

import functools
import math

from flask import abort, current_app, g, redirect, request, session, url_for

from . import messages
from .gateway import Api, ApiError


def client_ip() -> str | None:
    return request.remote_addr


def api() -> Api:
    """The gateway with the signed-in person's token (or none on the portal)."""
    token = session.get("token")
    if "api" not in g or g.api.token != token:  # a login or logout in this request changes the token
        g.api = Api(current_app.extensions["gateway"], token, client_ip())
    return g.api


def public_api() -> Api:
    """The gateway as the public sees it: no token, whoever is signed in."""
    return Api(current_app.extensions["gateway"], None, client_ip())


def user() -> dict:
    return session.get("user") or {}


def role() -> str | None:
    return user().get("role")


def staff(*roles: str):
    """The view needs a signed-in person (of one of ``roles`` when given) who has changed their first password."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not session.get("token"):
                return redirect(url_for("account.login", next=request.full_path.rstrip("?")))
            if session.get("must_change_password") and request.endpoint != "account.password":
                return redirect(url_for("account.password"))
            if roles and role() not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def paging() -> dict:
    """``page``/``per_page`` for a list call, from the page's own query string."""
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    return {"page": page, "per_page": current_app.config["SETTINGS"].per_page}


def filters(*names: str) -> dict:
    """The list filters the page's query string carries (empty ones dropped)."""
    return {name: request.args.get(name, "").strip() for name in names if request.args.get(name, "").strip()}


class FormErrors:
    """A failed submission as the form shows it: one sentence on top, the messages beside each field."""

    def __init__(self, error: ApiError | None = None, fields: dict | None = None, sentence: str | None = None):
        self.fields = messages.field_errors(error.fields) if error else dict(fields or {})
        self.sentence = sentence or (messages.sentence(error) if error else "")
        self.rows = list(error.rows) if error else []

    def __bool__(self) -> bool:
        return bool(self.sentence or self.fields)

    def get(self, name: str) -> list[str]:
        return self.fields.get(name, [])


NO_ERRORS = FormErrors()


def page_count(data: dict) -> int:
    """The pages a list fills; a floor when the count stopped at its bound (``total_exact`` false)."""
    return max(1, math.ceil((data.get("total") or 0) / max(1, data.get("per_page") or 1)))


def count_text(data: dict, unit: str) -> str:
    """How many items a list holds, as a person reads it: 共 12 件, or 超过 10,000 件 when the count stopped at its
    bound (the API counts no further, so the exact number is not known)."""
    total = data.get("total") or 0
    return f"超过 {total:,} {unit}" if data.get("total_exact") is False else f"共 {total} {unit}"


_AGENCIES: dict = {}  # source ("staff" or "public") → {"at": monotonic time, "names": {code: name}}
AGENCY_NAMES_TTL = 300  # seconds: agencies change a few times a year; a new one shows within five minutes


def agency_names() -> dict[str, str]:
    """code → name of every agency (the portal's and the pages' way to show 县市场监管局 rather than its code).

    Staff pages read ``/agencies`` with the person's token; the portal reads the public list (without touching the
    session, so its pages stay cacheable). Kept for ``AGENCY_NAMES_TTL`` seconds per process and source.
    """
    import time

    portal = bool(request.blueprint and request.blueprint.startswith("portal"))
    key = "public" if portal else "staff"
    cached = _AGENCIES.setdefault(key, {"at": 0.0, "names": {}})
    now = time.monotonic()
    if now - cached["at"] < AGENCY_NAMES_TTL and cached["names"]:
        return cached["names"]
    if portal:
        source, path = public_api(), "/public/complaints/agencies"
    elif session.get("token") and not session.get("must_change_password"):
        source, path = api(), "/agencies"
    else:
        return cached["names"] or _AGENCIES.get("public", {}).get("names", {})
    names, page = {}, 1
    try:
        while True:
            answer = source.get(path, {"page": page, "per_page": 500})
            names.update({a["code"]: a["name"] for a in answer["items"]})
            if page * answer["per_page"] >= answer["total"]:
                break
            page += 1
    except ApiError:
        return cached["names"]
    cached.update(at=now, names=names)
    return names


def agency_name(code: str | None) -> str:
    """县市场监管局 for 140928-scjgj; the code itself when the name is not known."""
    if not code:
        return "—"
    return agency_names().get(code, code)
