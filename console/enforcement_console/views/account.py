"""登录, 退出, 修改密码. The gateway checks the password and keeps the token; the console keeps the token in its
signed session cookie and nothing else."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from .. import navigation
from ..gateway import ApiError
from ..pages import FormErrors, api, staff

blueprint = Blueprint("account", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only a path of this site: a login link must not send the person elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    errors = FormErrors()
    username = request.form.get("username", "").strip()
    if request.args.get("expired") == "disabled":
        errors = FormErrors(sentence="您的账号已被停用，不能继续使用平台；如有疑问，请联系县司法局。")
    elif request.args.get("expired"):
        errors = FormErrors(sentence="登录已过期或已在别处退出，请重新登录。")
    if request.method == "POST":
        password = request.form.get("password", "")
        missing = {name: ["必填"] for name, value in (("username", username), ("password", password)) if not value}
        if missing:
            errors = FormErrors(fields=missing, sentence="请填写用户名和密码。")
        else:
            try:
                answer = api().post("/auth/login", {"username": username, "password": password})
            except ApiError as error:
                errors = FormErrors(error)
                if error.status == 401:
                    errors = FormErrors(sentence=_login_refusal(error))
            else:
                session.clear()
                session.permanent = True
                session["token"] = answer["token"]
                session["user"] = {k: answer.get(k) for k in ("username", "role", "agency_code")}
                session["must_change_password"] = bool(answer.get("must_change_password"))
                me = api().get("/auth/me")
                session["user"]["officer_id"] = me.get("officer_id")
                if session["must_change_password"]:
                    return redirect(url_for("account.password"))
                target = _safe_next(request.args.get("next"))
                return redirect(target or url_for(navigation.home_endpoint(answer["role"])))
    return render_template("login.html", errors=errors, username=username), (
        400 if errors and request.method == "POST" else 200
    )


def _login_refusal(error: ApiError) -> str:
    """The gateway answers every refused login the same way (it never says whether the account exists, is disabled
    or waits after repeated failures), so neither does this page."""
    return "用户名或密码不正确。如连续输错多次，须稍候再试；忘记密码请联系县司法局重置。"


@blueprint.route("/logout", methods=["POST"])
def logout():
    if session.get("token"):
        try:
            api().post("/auth/logout")
        except ApiError:
            pass  # the token may have expired already; either way the session ends here
    session.clear()
    flash("已安全退出。", "success")
    return redirect(url_for("account.login"))


@blueprint.route("/password", methods=["GET", "POST"])
@staff()
def password():
    errors = FormErrors()
    forced = bool(session.get("must_change_password"))
    if request.method == "POST":
        current = request.form.get("current_password", "")
        new = request.form.get("new_password", "")
        repeat = request.form.get("new_password_repeat", "")
        local = {}
        for name, value in (("current_password", current), ("new_password", new), ("new_password_repeat", repeat)):
            if not value:
                local[name] = ["必填"]
        if new and repeat and new != repeat:
            local["new_password_repeat"] = ["两次输入的新密码不一致"]
        if local:
            errors = FormErrors(fields=local, sentence="请按标出的提示修改后再提交。")
        else:
            try:
                api().post("/auth/password", {"current_password": current, "new_password": new})
            except ApiError as error:
                errors = FormErrors(error)
            else:
                session["must_change_password"] = False
                flash("密码已修改。您在其他设备上的登录已失效。", "success")
                return redirect(url_for(navigation.home_endpoint(session["user"]["role"])))
    status = 400 if errors else 200
    return render_template("password.html", errors=errors, forced=forced), status
