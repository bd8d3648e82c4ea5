"""The portal's supervision pages (no login): the complaint form (投诉举报) answering with a receipt number (查询码),
the progress of a complaint by that number (no personal data), and each agency's yearly statistics report once
filed (统计年报). Everything is the gateway's public routes, limited per visitor."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request

from ...formatting import county_today
from ...gateway import ApiError
from ...messages import label
from ...pages import FormErrors, public_api

blueprint = Blueprint("portal_supervision", __name__, url_prefix="/public")

FIELDS = ("agency_code", "complainant_kind", "complainant_name", "contact", "summary")


def today() -> date:
    return county_today()  # the county's day (Beijing, or the pinned CLOCK_TODAY)


def _agencies() -> list[dict]:
    return public_api().get("/public/complaints/agencies", {"per_page": 500})["items"]


def _private(response):
    """Pages with a form token or one complainant's progress are never kept by a shared cache."""
    body, status = response if isinstance(response, tuple) else (response, 200)
    from flask import make_response

    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/complaint", methods=["GET", "POST"])
def complaint():
    values = {name: request.form.get(name, "").strip() for name in FIELDS}
    errors, status = FormErrors(), 200
    agencies = _agencies()
    if request.method == "POST":
        missing = {name: ["必填"] for name in FIELDS if not values[name]}
        if missing:
            errors, status = FormErrors(fields=missing, sentence="请填写标出的必填项后再提交。"), 400
        else:
            try:
                receipt = public_api().post("/public/complaints", values)
            except ApiError as error:
                if error.status not in (400, 429):
                    raise
                errors, status = FormErrors(error), error.status
            else:
                names = {a["code"]: a["name"] for a in agencies}
                return _private(
                    render_template(
                        "portal/supervision_receipt.html",
                        title="投诉举报已收到",
                        receipt=receipt,
                        agency=names.get(values["agency_code"], values["agency_code"]),
                    )
                )
    return _private(
        (
            render_template(
                "portal/supervision_complaint.html",
                title="投诉举报",
                values=values,
                errors=errors,
                agency_choices=[(a["code"], a["name"]) for a in agencies],
                kinds=[(k, label("complainant_kind", k)) for k in ("citizen", "enterprise")],
            ),
            status,
        )
    )


@blueprint.route("/track")
def track():
    code = request.args.get("code", "").strip()
    progress, errors, status = None, FormErrors(), 200
    agency = ""
    if code:
        try:
            progress = public_api().get(f"/public/complaints/{code}")
        except ApiError as error:
            if error.status == 404:
                errors, status = FormErrors(fields={"code": ["没有找到这个查询码，请核对后重新输入。"]}), 404
            elif error.status == 400:
                errors, status = FormErrors(fields={"code": ["查询码应为 12 位字母和数字，如 7KQ4-M9XP-2HTW"]}), 400
            else:
                raise
        else:
            agency = {a["code"]: a["name"] for a in _agencies()}.get(progress["agency_code"], progress["agency_code"])
    return _private(
        (
            render_template(
                "portal/supervision_track.html",
                title="投诉办理进度",
                code=code,
                progress=progress,
                agency=agency,
                errors=errors,
                steps=progress_steps(progress) if progress else [],
                today=today(),
            ),
            status,
        )
    )


def progress_steps(progress: dict) -> list[dict]:
    """The complaint's steps as the public reads them: done (with the date) or waiting (with the deadline)."""
    steps = [{"text": "收到投诉举报", "on": progress["received_on"], "done": True}]
    state = progress["state"]
    if state == "registered":
        steps.append({"text": "决定是否受理", "due": progress["accept_due_on"], "done": False})
        return steps
    steps.append({"text": "不予受理" if state == "refused" else "已受理", "on": progress["decided_on"], "done": True})
    if state == "refused":
        return steps
    if progress.get("extension_days"):
        steps.append({"text": f"经批准延期 {progress['extension_days']} 日", "on": None, "done": True})
    if state == "accepted":
        steps.append({"text": "办结", "due": progress["conclude_due_on"], "done": False})
    else:
        steps.append({"text": "已办结", "on": progress["concluded_on"], "done": True})
    return steps


def _year() -> int:
    try:
        year = int(request.args.get("year", today().year - 1))
    except ValueError:
        return today().year - 1
    return year if 2000 <= year <= 2100 else today().year - 1


@blueprint.route("/reports")
def reports():
    year = _year()
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    data = public_api().get("/public/annual-reports", {"year": year, "page": page, "per_page": 50})
    return render_template(
        "portal/supervision_reports.html",
        title="行政执法统计年报",
        year=year,
        year_options=[(y, f"{y} 年") for y in range(today().year - 1, today().year - 7, -1)],
        data=data,
    )


@blueprint.route("/reports/<int:year>/<scope>")
def report(year: int, scope: str):
    data = public_api().get(f"/public/annual-reports/{year}/{scope}")
    name = label("report_scope", "county") if scope == "county" else _agency_of(data)
    return render_template("portal/supervision_report.html", title=f"{name} {year} 年度行政执法统计年报", report=data)


def _agency_of(report: dict) -> str:
    for section in report.get("sections") or []:
        for row in section.get("rows") or []:
            if row.get("agency_name"):
                return row["agency_name"]
    return report.get("scope", "")
