"""人员: agencies, officers (list, record, registration, departure, certificates, assessments), legal reviewers, and an
officer's own record (我的档案). Every figure is the gateway's; the pages only choose what to show and to offer."""

from __future__ import annotations

import html
from datetime import date
from urllib.parse import quote, urlencode

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.routing import BuildError

from .. import messages
from ..formatting import county_today
from ..gateway import ApiError
from ..navigation import ADMINS, BUREAU, OFFICER
from ..pages import FormErrors, api, filters, paging, role, staff, user
from ..translations.personnel import ENFORCEMENT_DOMAIN

blueprint = Blueprint("personnel", __name__, url_prefix="/personnel")

SUBNAV = [
    ("执法部门", "personnel.index"),
    ("执法人员", "personnel.officers"),
    ("执法证申请", "personnel.applications"),
    ("行业指导", "personnel.guidance"),
    ("法制审核人员", "personnel.reviewers"),
]
# what a certificate in each status may become, and the word on the button (吊销 is the bureau's alone)
CERTIFICATE_ACTIONS = {
    "valid": [("suspended", "暂扣"), ("cancelled", "注销"), ("revoked", "吊销")],
    "suspended": [("valid", "恢复（解除暂扣）"), ("cancelled", "注销"), ("revoked", "吊销")],
}
LIVE = ("valid", "suspended")
FORM_ERRORS = (400, 409)


def today() -> date:
    """The county's day (Beijing time), whatever the server's clock zone."""
    return county_today()


def _path(value: str) -> str:
    return quote(str(value), safe="")


@blueprint.app_context_processor
def _personnel_globals():
    return {"personnel_subnav": SUBNAV}


@blueprint.app_template_global()
def personnel_errors_under(errors, name: str) -> list[str]:
    """The messages of a field and of its items (``domains``, ``domains.0`` …), for a group of checkboxes."""
    found = []
    for key, texts in errors.fields.items():
        if key == name or key.startswith(name + "."):
            found.extend(texts)
    return found


@blueprint.app_template_filter("personnel_reason")
def reason_text(text) -> str:
    """A reason the service wrote (eligibility, a certificate's history) in Chinese; one a person typed, as typed."""
    if not text:
        return "—"
    return messages.translate(str(text)) or str(text)


@blueprint.app_template_filter("personnel_hours")
def hours_text(value) -> str:
    """学时: 30 学时, 12.5 学时."""
    number = float(value or 0)
    return f"{number:g} 学时"


def _fail(error: ApiError) -> FormErrors:
    """A refused write as the form shows it; anything but a bad input or a conflict is the error page."""
    if error.status not in FORM_ERRORS:
        raise error
    return FormErrors(error)


def _agencies() -> list[dict]:
    """Every agency (27 in the county: one call), for names and the agency filter."""
    return api().get("/agencies", {"per_page": 500})["items"]


def _agency_names() -> dict[str, str]:
    return {a["code"]: a["name"] for a in _agencies()}


@blueprint.app_template_global()
def personnel_agency_options(agencies: list[dict]) -> list[tuple[str, str]]:
    return [(a["code"], a["name"]) for a in agencies]


def domain_options(extra=()) -> list[tuple[str, str]]:
    """The enforcement domains the forms offer (the known ones, and any others the officer already has)."""
    options = list(ENFORCEMENT_DOMAIN.items())
    options += [(code, code) for code in extra if code not in ENFORCEMENT_DOMAIN]
    return options


def actions_for(certificate: dict, who: str | None, on: date) -> dict:
    """What the certificate page offers this role: status changes and renewal (the service still decides)."""
    moves = [] if who not in ADMINS else CERTIFICATE_ACTIONS.get(certificate["status"], [])
    moves = [(status, text) for status, text in moves if status != "revoked" or who == BUREAU]
    opens, expires = (
        date.fromisoformat(certificate["renewal_window_opens"]),
        date.fromisoformat(certificate["expires_on"]),
    )
    renewable = who in ADMINS and certificate["status"] == "valid" and opens <= on <= expires
    return {"moves": moves, "renewable": renewable}


def check_url(number: str, public_url: str, code: str | None = None) -> str:
    """The portal's certificate check for this number, as the public reaches it; with the card's check code (查验码),
    without which the check answers only whether the card is valid."""
    args = {"number": number, **({"code": code} if code else {})}
    try:
        path = url_for("portal_personnel.certificate_check", **args)
    except BuildError:  # a staff-only console: the portal runs elsewhere, at the same path
        path = "/public/certificate-check?" + urlencode(args)
    base = public_url or request.host_url.rstrip("/")
    return base.rstrip("/") + path


def qr_svg(text: str, title: str) -> Markup:
    """The QR code of ``text`` as inline SVG (no script, no request: the CSP allows it)."""
    svg = segno.make(text, error="m").svg_inline(scale=4, title=title, border=2)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(title)}" ', 1))


# --- agencies -------------------------------------------------------------------------------------------------
@blueprint.route("/")
@staff(*ADMINS)
def index():
    if role() == BUREAU:
        data = api().get("/agencies", {**paging(), "per_page": 50})  # the county's 27 on one page
        return render_template("personnel/index.html", data=data, own=None)
    own = api().get(f"/agencies/{_path(user().get('agency_code') or '')}")
    return render_template("personnel/index.html", data=None, own=own)


# --- officers -------------------------------------------------------------------------------------------------
@blueprint.route("/officers")
@staff(*ADMINS)
def officers():
    wanted = filters("name", "agency_code", "status", "certificate_status")
    if role() != BUREAU:
        wanted.pop("agency_code", None)
    data = api().get("/officers", {**wanted, **paging()})
    return render_template(
        "personnel/officers.html", data=data, wanted=wanted, agencies=_agencies(), names=_agency_names()
    )


def _officer_form_body(form) -> dict:
    body = {
        "agency_code": form.get("agency_code", "").strip() if role() == BUREAU else user().get("agency_code"),
        "name": form.get("name", "").strip(),
        "id_number": form.get("id_number", "").strip().upper(),
        "position": form.get("position", "").strip(),
        "domains": form.getlist("domains"),
        "is_police": form.get("is_police") == "true",
        "police_card_number": form.get("police_card_number", "").strip().upper(),
        "appointed_on": form.get("appointed_on", "").strip(),
    }
    return {k: v for k, v in body.items() if v not in ("", None)}  # a missing field is "必填", not "too short"


@blueprint.route("/officers/new", methods=["GET", "POST"])
@staff(*ADMINS)
def register_officer():
    errors, values = FormErrors(), {"domains": []}
    agencies = _agencies()
    own = user().get("agency_code")
    # every officer of a police agency is police: the agency's own admin starts from a ticked box
    values["is_police"] = any(a["code"] == own and a.get("is_police") for a in agencies)
    if request.method == "POST":
        values = _officer_form_body(request.form)
        try:
            officer = api().post("/officers", values)
        except ApiError as error:
            errors = _fail(error)
        else:
            flash(f"已登记执法人员 {officer['name']}。", "success")
            return redirect(url_for("personnel.officer", officer_id=officer["officer_id"]))
    return render_template(
        "personnel/officer_form.html",
        errors=errors,
        values=values,
        agencies=agencies,
        domains=domain_options(),
    ), (400 if errors else 200)


def _training_hours(officer_id: str, years: list[int]) -> dict:
    """Hours by category in each year from the training service; a sentence instead when it cannot answer."""
    try:
        categories = api().get("/training/categories", {"per_page": 500})["items"]
        path = f"/training/officers/{_path(officer_id)}/compliance"
        by_year = {year: api().get(path, {"year": year}) for year in years}
    except ApiError as error:
        if error.status in (401, 403) or error.code == "password_change_required":
            raise
        return {"problem": "培训记录暂时无法读取（培训系统未响应或尚未收到该人员的信息），请稍后刷新。"}
    return {"categories": categories, "years": years, "by_year": by_year}


def _record(officer_id: str) -> dict:
    """Everything an officer's page shows."""
    from .certificate_applications import latest_application  # (that module adds its routes to this blueprint)

    path = _path(officer_id)
    officer = api().get(f"/officers/{path}")
    year = today().year
    return {
        "officer": officer,
        "application": latest_application(officer) if role() in ADMINS else None,
        "agency": api().get(f"/agencies/{_path(officer['agency_code'])}"),
        "certificates": api().get(f"/officers/{path}/certificates", {"per_page": 20}),
        "eligibility": api().get(f"/officers/{path}/eligibility", {"year": year}),
        "assessments": api().get(f"/officers/{path}/assessments", {"per_page": 20}),
        "hours": _training_hours(officer_id, [year, year - 1]),
        "today_iso": today().isoformat(),
    }


@blueprint.route("/officers/<officer_id>")
@staff(*ADMINS)
def officer(officer_id: str):
    return render_template("personnel/officer.html", mine=False, **_record(officer_id))


@blueprint.route("/me")
@staff()
def me():
    if role() != OFFICER:
        return redirect(url_for("personnel.index"))
    officer_id = user().get("officer_id")
    if not officer_id:
        return render_template("personnel/me_unlinked.html"), 404
    return render_template("personnel/officer.html", mine=True, **_record(officer_id))


@blueprint.route("/officers/<officer_id>/departure", methods=["GET", "POST"])
@staff(*ADMINS)
def departure(officer_id: str):
    officer = api().get(f"/officers/{_path(officer_id)}")
    errors = FormErrors()
    values = {"departed_on": today().isoformat(), "cancel_certificate": True}
    if request.method == "POST":
        form = request.form
        values = {
            "reason": form.get("reason", ""),
            "departed_on": form.get("departed_on", "").strip(),
            "note": form.get("note", "").strip(),
            "cancel_certificate": form.get("cancel_certificate") == "true",
        }
        try:
            answer = api().post(
                f"/officers/{_path(officer_id)}/departure", {k: v for k, v in values.items() if v != ""}
            )
        except ApiError as error:
            errors = _fail(error)
        else:
            flash(_departure_notice(officer, answer), "success")
            return redirect(url_for("personnel.officer", officer_id=officer_id))
    return render_template("personnel/departure_form.html", officer=officer, errors=errors, values=values), (
        400 if errors else 200
    )


def _departure_notice(officer: dict, answer: dict) -> str:
    text = f"已登记 {officer['name']} 离岗。"
    if answer.get("certificate_cancelled"):
        return text + f"执法证 {answer['certificate_number']} 已注销。"
    if answer.get("certificate_number"):
        return text + f"请尽快收回执法证 {answer['certificate_number']} 并在执法证页面注销（限期 5 个工作日）。"
    return text


@blueprint.route("/officers/<officer_id>/certificate", methods=["GET", "POST"])
@staff(BUREAU)
def issue_certificate(officer_id: str):
    """The issuing authority's direct issue (an agency applies instead: certificate_applications.apply)."""
    officer = api().get(f"/officers/{_path(officer_id)}")
    eligibility = api().get(f"/officers/{_path(officer_id)}/eligibility", {"year": today().year})
    errors = FormErrors()
    values = {"domains": list(officer.get("domains") or []), "issued_on": ""}
    if request.method == "POST":
        values = {"domains": request.form.getlist("domains"), "issued_on": request.form.get("issued_on", "").strip()}
        body = {"officer_id": officer_id, "domains": values["domains"]}
        if values["issued_on"]:
            body["issued_on"] = values["issued_on"]
        try:
            certificate = api().post("/certificates", body)
        except ApiError as error:
            errors = _fail(error)
        else:
            flash(f"已为 {officer['name']} 发放执法证 {certificate['number']}。", "success")
            return redirect(url_for("personnel.certificate", number=certificate["number"]))
    return render_template(
        "personnel/certificate_form.html",
        officer=officer,
        eligibility=eligibility,
        errors=errors,
        values=values,
        domains=domain_options(officer.get("domains") or []),
    ), (400 if errors else 200)


@blueprint.route("/officers/<officer_id>/assessment", methods=["GET", "POST"])
@staff(*ADMINS)
def assessment(officer_id: str):
    officer = api().get(f"/officers/{_path(officer_id)}")
    errors = FormErrors()
    values = {"year": today().year - 1, "grade": "", "note": ""}
    if request.method == "POST":
        form = request.form
        values = {"year": form.get("year", "").strip(), "grade": form.get("grade", ""), "note": form.get("note", "")}
        try:
            answer = api().post(
                f"/officers/{_path(officer_id)}/assessments", {k: v for k, v in values.items() if v != ""}
            )
        except ApiError as error:
            errors = _fail(error)
        else:
            text = f"已登记 {officer['name']} {answer['year']} 年度考核。"
            if answer.get("certificate_suspended"):
                text += "考核不合格，其执法证已暂扣。"
            flash(text, "success")
            return redirect(url_for("personnel.officer", officer_id=officer_id))
    return render_template("personnel/assessment_form.html", officer=officer, errors=errors, values=values), (
        400 if errors else 200
    )


# --- certificates ---------------------------------------------------------------------------------------------
@blueprint.route("/certificates/<number>")
@staff()
def certificate(number: str):
    cert = api().get(f"/certificates/{_path(number)}")
    officer = api().get(f"/officers/{_path(cert['officer_id'])}")
    agency = api().get(f"/agencies/{_path(cert['agency_code'])}")
    url = check_url(cert["number"], current_app.config["SETTINGS"].public_url, cert.get("check_code"))
    return render_template(
        "personnel/certificate.html",
        cert=cert,
        officer=officer,
        agency=agency,
        check_url=url,
        qr=qr_svg(url, f"执法证 {cert['number']} 查询二维码"),
        actions=actions_for(cert, role(), today()),
        today=today(),
    )


@blueprint.route("/certificates/<number>/status", methods=["GET", "POST"])
@staff(*ADMINS)
def certificate_status(number: str):
    cert = api().get(f"/certificates/{_path(number)}")
    moves = actions_for(cert, role(), today())["moves"]
    if not moves:
        flash("该执法证当前的状态不能再变更。", "warning")
        return redirect(url_for("personnel.certificate", number=number))
    errors = FormErrors()
    values = {"status": request.values.get("to", ""), "reason": ""}
    if request.method == "POST":
        values = {"status": request.form.get("status", ""), "reason": request.form.get("reason", "").strip()}
        try:
            api().post(f"/certificates/{_path(number)}/status", {k: v for k, v in values.items() if v})
        except ApiError as error:
            errors = _fail(error)
        else:
            flash(f"执法证 {number} 已{dict(moves).get(values['status'], '变更')}。", "success")
            return redirect(url_for("personnel.certificate", number=number))
    return render_template("personnel/status_form.html", cert=cert, moves=moves, errors=errors, values=values), (
        400 if errors else 200
    )


@blueprint.route("/certificates/<number>/renewal", methods=["POST"])
@staff(*ADMINS)
def renew(number: str):
    try:
        cert = api().post(f"/certificates/{_path(number)}/renewal")
    except ApiError as error:
        flash(_refusal(error), "error")
    else:
        flash(f"执法证 {number} 已换证，有效期至 {cert['expires_on']}。", "success")
    return redirect(url_for("personnel.certificate", number=number))


def _refusal(error: ApiError) -> str:
    failed = _fail(error)
    details = [message for messages in failed.fields.values() for message in messages]
    return "换证未完成：" + failed.sentence + ("（" + "；".join(details) + "）" if details else "")


# --- legal reviewers ------------------------------------------------------------------------------------------
@blueprint.route("/reviewers")
@staff(*ADMINS)
def reviewers():
    wanted = filters("agency_code") if role() == BUREAU else {}
    data = api().get("/legal-reviewers", {**wanted, **paging()})
    return render_template(
        "personnel/reviewers.html", data=data, wanted=wanted, agencies=_agencies(), names=_agency_names()
    )


@blueprint.route("/reviewers/new", methods=["GET", "POST"])
@staff(*ADMINS)
def register_reviewer():
    errors, values = FormErrors(), {}
    if request.method == "POST":
        form = request.form
        values = {
            "agency_code": form.get("agency_code", "").strip() if role() == BUREAU else user().get("agency_code"),
            "name": form.get("name", "").strip(),
            "kind": form.get("kind", ""),
            "has_legal_qualification": {"true": True, "false": False}.get(form.get("has_legal_qualification", "")),
            "qualification_number": form.get("qualification_number", "").strip(),
            "first_reviewed_on": form.get("first_reviewed_on", "").strip(),
        }
        try:
            reviewer = api().post("/legal-reviewers", {k: v for k, v in values.items() if v not in ("", None)})
        except ApiError as error:
            errors = _fail(error)
        else:
            flash(f"已登记法制审核人员 {reviewer['name']}。", "success")
            return redirect(url_for("personnel.reviewers"))
    return render_template("personnel/reviewer_form.html", errors=errors, values=values, agencies=_agencies()), (
        400 if errors else 200
    )
