"""人员 · 修改执法人员信息: an administrator corrects an officer's name, position, domains, appointment day (任职日期)
and a police officer's police card number (警官证号).
A page of the personnel blueprint; the service checks every field."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..gateway import ApiError
from ..navigation import ADMINS
from ..pages import FormErrors, api, staff
from .personnel import _fail, _path, blueprint, domain_options

FIELDS = ("name", "position", "appointed_on", "police_card_number")


def changes(officer: dict, form) -> dict:
    """What the form changes (PATCH sends only those: an unchanged police card is not checked again)."""
    values = {name: form.get(name, "").strip() for name in FIELDS}
    values["police_card_number"] = values["police_card_number"].upper()
    body = {name: value for name, value in values.items() if value and value != (officer.get(name) or "")}
    if values["name"] == "":
        body["name"] = ""  # a blanked name is refused by the service as 必填, not silently kept
    domains = form.getlist("domains")
    if sorted(domains) != sorted(officer.get("domains") or []):
        body["domains"] = domains
    return body


@blueprint.route("/officers/<officer_id>/edit", methods=["GET", "POST"])
@staff(*ADMINS)
def edit_officer(officer_id: str):
    officer = api().get(f"/officers/{_path(officer_id)}")
    errors, values = FormErrors(), dict(officer)
    if request.method == "POST":
        body = changes(officer, request.form)
        values = {**officer, **{name: request.form.get(name, "").strip() for name in FIELDS}}
        values["domains"] = request.form.getlist("domains")
        if not body:
            flash("没有修改任何信息。", "info")
            return redirect(url_for("personnel.officer", officer_id=officer_id))
        try:
            api().patch(f"/officers/{_path(officer_id)}", body)
        except ApiError as error:
            errors = _fail(error)
        else:
            flash(f"已修改 {officer['name']} 的信息。", "success")
            return redirect(url_for("personnel.officer", officer_id=officer_id))
    return render_template(
        "personnel/officer_edit.html",
        officer=officer,
        errors=errors,
        values=values,
        domains=domain_options(officer.get("domains") or []),
    ), (400 if errors else 200)
