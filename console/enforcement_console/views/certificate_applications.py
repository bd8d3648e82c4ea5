"""人员 · 执法证申领: an agency applies for its officer's certificate (申请发证), the issuing authority (县司法局)
lists the applications — 待审核 first, with the working days waited and the deadline — and approves (which issues the
certificate) or refuses with reasons. These pages add routes to the personnel blueprint; the service decides."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..formatting import as_date, date_cn, working_days_between
from ..gateway import ApiError
from ..navigation import ADMINS, BUREAU
from ..pages import FormErrors, api, filters, paging, role, staff
from .personnel import _agencies, _agency_names, _fail, _path, blueprint, domain_options, today


@blueprint.app_template_filter("workdays_waited")
def workdays_waited(application: dict) -> int:
    """工作日 from filing to the decision (or to today while pending), counted as the deadline counts them."""
    end = as_date(application.get("decided_on")) or today()
    return max(0, working_days_between(as_date(application["filed_on"]), end))


def latest_application(officer: dict) -> dict | None:
    """The officer's pending application, else their latest decided one (the pending ones come first, then the
    latest decided)."""
    try:
        page = api().get(
            "/certificate-applications",
            {"agency_code": officer["agency_code"], "officer_id": officer["officer_id"], "per_page": 1},
        )
    except ApiError as error:
        if error.status in (401, 403) or error.code == "password_change_required":
            return None  # an officer reading their own record: applications are the administrators'
        raise
    return next((a for a in page["items"] if a["officer_id"] == officer["officer_id"]), None)


@blueprint.route("/applications")
@staff(*ADMINS)
def applications():
    wanted = filters("state", "agency_code")
    if role() != BUREAU:
        wanted.pop("agency_code", None)
    data = api().get("/certificate-applications", {**wanted, **paging()})
    return render_template(
        "personnel/applications.html", data=data, wanted=wanted, agencies=_agencies(), names=_agency_names()
    )


@blueprint.route("/applications/<application_id>")
@staff(*ADMINS)
def application(application_id: str):
    found = api().get(f"/certificate-applications/{_path(application_id)}")
    return render_template(
        "personnel/application.html", app=found, agency=_agency_names().get(found["agency_code"]), errors=FormErrors()
    )


@blueprint.route("/applications/<application_id>/approval", methods=["POST"])
@staff(BUREAU)
def approve(application_id: str):
    try:
        found = api().post(f"/certificate-applications/{_path(application_id)}/approval")
    except ApiError as error:
        failed = _fail(error)
        details = [message for texts in failed.fields.values() for message in texts]
        flash("未能批准：" + failed.sentence + ("（" + "；".join(details) + "）" if details else ""), "error")
        return redirect(url_for("personnel.application", application_id=application_id))
    flash(f"已批准 {found['officer_name']} 的申请，发放执法证 {found['certificate_number']}。", "success")
    return redirect(url_for("personnel.certificate", number=found["certificate_number"]))


@blueprint.route("/applications/<application_id>/refusal", methods=["POST"])
@staff(BUREAU)
def refuse(application_id: str):
    reason = request.form.get("reason", "").strip()
    try:
        found = api().post(f"/certificate-applications/{_path(application_id)}/refusal", {"reason": reason})
    except ApiError as error:
        errors = _fail(error)
        current = api().get(f"/certificate-applications/{_path(application_id)}")
        return render_template(
            "personnel/application.html",
            app=current,
            agency=_agency_names().get(current["agency_code"]),
            errors=errors,
            reason=reason,
        ), error.status
    flash(f"已不予批准 {found['officer_name']} 的申请，理由已告知申请部门。", "success")
    return redirect(url_for("personnel.applications"))


@blueprint.route("/officers/<officer_id>/application", methods=["GET", "POST"])
@staff(*ADMINS)
def apply(officer_id: str):
    """The agency's application for its officer (the bureau may file one for an agency too)."""
    officer = api().get(f"/officers/{_path(officer_id)}")
    eligibility = api().get(f"/officers/{_path(officer_id)}/eligibility", {"year": today().year})
    errors = FormErrors()
    values = {"domains": list(officer.get("domains") or [])}
    if request.method == "POST":
        values = {"domains": request.form.getlist("domains")}
        try:
            found = api().post("/certificate-applications", {"officer_id": officer_id, "domains": values["domains"]})
        except ApiError as error:
            errors = _fail(error)
        else:
            flash(
                f"已提交 {officer['name']} 的执法证申请，由{found['issuing_authority']}在 "
                f"{found['deadline_workdays']} 个工作日内审核（{date_cn(found['due_on'])}前）。",
                "success",
            )
            return redirect(url_for("personnel.officer", officer_id=officer_id))
    return render_template(
        "personnel/certificate_form.html",
        applying=True,
        officer=officer,
        eligibility=eligibility,
        errors=errors,
        values=values,
        domains=domain_options(officer.get("domains") or []),
    ), (400 if errors else 200)
