"""系统 (the justice bureau only): 用户与角色 (accounts: create, reset a password, disable, enable), 审计日志 (the
gateway's audit trail), 事件订阅 (outside subscribers to the suite's events) and 接口文档 (links to the gateway's
API documents).

A password the bureau sets (a new account's, a reset) is made here at random and shown once, on the answer to the
form that set it: it is in no link, no cookie and no log; the person must change it at the first login.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timezone

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ..gateway import ApiError
from ..messages import label
from ..navigation import BUREAU
from ..pages import FormErrors, api, filters, paging, staff, user
from ..translations import LABELS

blueprint = Blueprint("system", __name__, url_prefix="/system")

ROLES = ("bureau", "agency_admin", "officer")
# no 0/O, 1/l/I: read out over the telephone or copied from a note without mistakes
PASSWORD_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
EVENT_SOURCES = ("personnel", "training", "cases", "supervision")


def generated_password(username: str = "", groups: int = 3, size: int = 4) -> str:
    """``Xk7p-2mQa-9rTz``: 14 characters, over the gateway's minimum (12), easy to pass on; drawn again in the rare
    case that it contains the username (which the gateway refuses)."""
    while True:
        password = "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(size)) for _ in range(groups))
        if not username or username.casefold() not in password.casefold():
            return password


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _agencies() -> list[dict]:
    """Every agency (27 in a county: one page), for the account form's list."""
    return api().get("/agencies", {"page": 1, "per_page": 500})["items"]


# --- 用户与角色 ---------------------------------------------------------------------------------------------
@blueprint.route("/")
@staff(BUREAU)
def index():
    """用户与角色: the accounts, a page at a time, by username."""
    data = api().get("/users", paging())
    now = datetime.now(timezone.utc)
    for account in data["items"]:  # a lock that has run out is no lock
        account["locked"] = bool(account.get("locked_until")) and _instant(account["locked_until"]) > now
    return render_template("system/users.html", data=data, me=user().get("username"))


@blueprint.route("/users/new", methods=["GET", "POST"])
@staff(BUREAU)
def create_user():
    form = {name: request.values.get(name, "").strip() for name in ("username", "role", "agency_code", "officer_id")}
    errors, status = FormErrors(), 200
    if request.method == "POST":
        local = {}
        if not form["username"]:
            local["username"] = ["必填"]
        if form["role"] not in ROLES:
            local["role"] = ["请选择角色"]
        if local:
            errors, status = FormErrors(fields=local, sentence="请按标出的提示修改后再提交。"), 400
        else:
            password = generated_password(form["username"])
            body = {"username": form["username"], "password": password, "role": form["role"]}
            body.update({k: form[k] for k in ("agency_code", "officer_id") if form[k]})
            try:
                created = api().post("/users", body)
            except ApiError as error:
                if error.status not in (400, 409):
                    raise
                errors, status = FormErrors(error), error.status
            else:
                return render_template("system/password_shown.html", account=created, password=password, new=True)
    agency_options = [(a["code"], a["name"]) for a in _agencies()]
    return render_template("system/user_form.html", form=form, errors=errors, agency_options=agency_options), status


def _account(username: str) -> dict:
    """One account, from the list (the gateway has no route for one account; a county has a few dozen)."""
    page = 1
    while True:
        data = api().get("/users", {"page": page, "per_page": 500})
        for account in data["items"]:
            if account["username"] == username:
                return account
        if page * data["per_page"] >= data["total"]:
            raise ApiError(404, "not_found", f"no user {username}")
        page += 1


ACTIONS = {
    "password": (
        "重置密码",
        "重置后，系统生成一个新密码，只在下一页显示一次；该账号在其他设备上的登录立即失效，本人用新密码登录后须再修改为自己的密码。",
    ),
    "disable": ("停用账号", "停用后，该账号立即退出登录，不能再登录，直到重新启用。账号和它的操作记录都会保留。"),
    "enable": ("启用账号", "启用后，该账号可以用原来的密码重新登录。"),
}


@blueprint.route("/users/<username>/<any(password, disable, enable):action>", methods=["GET", "POST"])
@staff(BUREAU)
def account_action(username: str, action: str):
    """A confirmation page (GET) and the change itself (POST): reset a password, disable or enable an account."""
    account = _account(username)
    title, explanation = ACTIONS[action]
    errors, status = FormErrors(), 200
    if request.method == "POST":
        try:
            if action == "password":
                password = generated_password(username)
                changed = api().post(f"/users/{username}/password", {"new_password": password})
                return render_template("system/password_shown.html", account=changed, password=password, new=False)
            api().post(f"/users/{username}/{action}")
        except ApiError as error:
            if error.status not in (400, 409):
                raise
            errors, status = FormErrors(error), error.status
        else:
            flash(f"账号 {username} 已{'停用' if action == 'disable' else '启用'}。", "success")
            return redirect(url_for("system.index"))
    return render_template(
        "system/account_action.html",
        account=account,
        action=action,
        title=title,
        explanation=explanation,
        errors=errors,
        own=account["username"] == user().get("username"),
    ), status


# --- 审计日志 -----------------------------------------------------------------------------------------------
def audit_action(entry: dict) -> str:
    """重置密码, 停用账号 ... for the gateway's own routes; 新增 / 修改 / 删除 by the HTTP method for the others."""
    words = LABELS.get("audit_action", {})
    if entry["action"] in words:
        return words[entry["action"]]
    return label("http_method", entry["action"].partition(" ")[0])


def audit_target(target: str | None) -> list[tuple[str, str]]:
    """The route's path parameters as (name, value) pairs (the audit keeps them as a JSON object)."""
    if not target:
        return []
    try:
        values = json.loads(target)
    except ValueError:
        return [("", target)]
    if not isinstance(values, dict):
        return [("", str(values))]
    return [(str(k), str(v)) for k, v in values.items()]


@blueprint.route("/audit")
@staff(BUREAU)
def audit():
    query = filters("actor", "action", "target", "from", "to")
    errors = FormErrors()
    try:
        data = api().get("/audit", {**query, **paging()})
    except ApiError as error:
        if error.status != 400:
            raise
        errors = FormErrors(error)
        data = {"items": [], "total": 0, "page": 1, "per_page": paging()["per_page"]}
    entries = [{**e, "verb": audit_action(e), "pairs": audit_target(e.get("target"))} for e in data["items"]]
    return render_template("system/audit.html", data=data, entries=entries, query=query, errors=errors), (
        400 if errors else 200
    )


# --- 事件订阅 -----------------------------------------------------------------------------------------------
def event_groups() -> list[tuple[str, list[str]]]:
    """Every published event type, by the service that publishes it (the contracts' catalogue)."""
    from enforcement_contracts.events import all_event_types

    types = sorted(e.type for e in all_event_types())
    return [(source, [t for t in types if t.split(".", 1)[0] == source]) for source in EVENT_SOURCES]


@blueprint.route("/subscribers")
@staff(BUREAU)
def subscribers():
    data = api().get("/subscribers", paging())
    return render_template("system/subscribers.html", data=data)


@blueprint.route("/subscribers/new", methods=["GET", "POST"])
@staff(BUREAU)
def create_subscriber():
    name = request.form.get("name", "").strip()
    chosen = request.form.getlist("events")
    errors = FormErrors()
    if request.method == "POST":
        local = {}
        if not name:
            local["name"] = ["必填"]
        if not chosen:
            local["events"] = ["请至少选择一种事件"]
        if local:
            errors = FormErrors(fields=local, sentence="请按标出的提示修改后再提交。")
        else:
            try:
                created = api().post("/subscribers", {"name": name, "events": chosen})
            except ApiError as error:
                if error.status not in (400, 409):
                    raise
                errors = FormErrors(error)
            else:
                return render_template("system/subscriber_created.html", subscriber=created)
    return render_template(
        "system/subscriber_form.html", name=name, chosen=set(chosen), groups=event_groups(), errors=errors
    ), (400 if errors else 200)


@blueprint.route("/subscribers/<name>/remove", methods=["GET", "POST"])
@staff(BUREAU)
def remove_subscriber(name: str):
    if request.method == "POST":
        api().delete(f"/subscribers/{name}")
        flash(f"订阅方 {name} 已删除，它的队列和其中未取走的事件一并删除。", "success")
        return redirect(url_for("system.subscribers"))
    every = api().get("/subscribers", {"page": 1, "per_page": 500})["items"]
    found = next((s for s in every if s["name"] == name), None)
    if found is None:
        raise ApiError(404, "not_found", f"no subscriber named {name}")
    return render_template("system/subscriber_remove.html", subscriber=found)


# --- 接口文档 -----------------------------------------------------------------------------------------------
@blueprint.route("/docs")
@staff(BUREAU)
def docs():
    gateway = current_app.config["SETTINGS"].gateway_url
    return render_template("system/docs.html", gateway=gateway)
