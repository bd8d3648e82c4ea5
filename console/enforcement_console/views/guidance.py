"""人员 · 行业指导: which county department guides which township in which enforcement domain (the plan: county
agencies guide their sector's townships). The bureau lists, records and ends the relations; an agency administrator
reads the ones that concern their agency. A guiding department's admin then sees the guided townships' supervision
items (read-only) and organises their training (the training and supervision pages, as the services allow)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..gateway import ApiError
from ..navigation import ADMINS, BUREAU
from ..pages import FormErrors, api, filters, paging, role, staff, user
from .personnel import _agencies, _fail, _path, blueprint, domain_options, today


def _kinds(agencies: list[dict]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(county departments, townships) as (code, name) options."""
    departments = [
        (a["code"], a["name"]) for a in agencies if a.get("kind") == "department" and not a.get("is_supervisor")
    ]
    townships = [(a["code"], a["name"]) for a in agencies if a.get("kind") == "township"]
    return departments, townships


@blueprint.route("/guidance", methods=["GET", "POST"])
@staff(*ADMINS)
def guidance():
    errors, values, status = FormErrors(), {"since": today().isoformat()}, 200
    if request.method == "POST":
        if role() != BUREAU:
            return redirect(url_for("personnel.guidance"))
        values = {
            name: request.form.get(name, "").strip() for name in ("agency_code", "township_code", "domain", "since")
        }
        try:
            made = api().post("/guidance", {k: v for k, v in values.items() if v})
        except ApiError as error:
            errors, status = _fail(error), error.status
        else:
            flash(f"已登记：{made['agency_name']}指导{made['township_name']}的行业执法工作。", "success")
            return redirect(url_for("personnel.guidance"))
    wanted = filters("agency_code", "township_code", "domain", "active")
    if role() != BUREAU:
        # an agency administrator reads the relations of their own agency (as the guide, or as the township)
        own = user().get("agency_code") or ""
        mine = {**wanted, "agency_code": own}
        data = api().get("/guidance", {**mine, **paging()})
        if not data["items"]:
            data = api().get("/guidance", {**wanted, "township_code": own, **paging()})
    else:
        data = api().get("/guidance", {**wanted, **paging()})
    departments, townships = _kinds(_agencies())
    return render_template(
        "personnel/guidance.html",
        data=data,
        wanted=wanted,
        departments=departments,
        townships=townships,
        domains=domain_options(),
        errors=errors,
        values=values,
    ), status


@blueprint.route("/guidance/<guidance_id>/end", methods=["POST"])
@staff(BUREAU)
def end_guidance(guidance_id: str):
    ended_on = request.form.get("ended_on", "").strip()
    try:
        ended = api().post(f"/guidance/{_path(guidance_id)}/end", {"ended_on": ended_on} if ended_on else {})
    except ApiError as error:
        failed = _fail(error)
        details = [message for texts in failed.fields.values() for message in texts]
        flash("未能结束：" + failed.sentence + ("（" + "；".join(details) + "）" if details else ""), "error")
    else:
        flash(f"{ended['agency_name']}对{ended['township_name']}的指导已于 {ended['ended_on']} 结束。", "success")
    return redirect(url_for("personnel.guidance"))
