"""培训: courses (课程), sessions (培训班) with their attendance, one attendance recorded by form or a sheet
imported (导入参训记录), the yearly hours against the thresholds (学时达标, exported as .xlsx) and qualification
exams (资格考试).

Every list, record and rule is the training service's (through the gateway); the pages add the Chinese words, the
officer and agency names for the choices, and the attendance sheet's template with Chinese column names.
"""

from __future__ import annotations

import io
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from ..formatting import county_today
from ..gateway import ApiError
from ..messages import LABELS, label, translate
from ..navigation import ADMINS, BUREAU
from ..pages import FormErrors, agency_name, agency_names, api, filters, paging, role, staff, user

blueprint = Blueprint("training", __name__, url_prefix="/training")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST_YEAR = 2023  # the three-year programme began in 2023
MANY = 500  # the API's largest page: the choices of a form (courses, sessions, officers) are read in one call
# The attendance sheet as the console hands it out: Chinese column names the importer accepts (its aliases), and the
# officer's name for the clerk's eyes (a column the importer ignores).
TEMPLATE_COLUMNS = ("人员编号", "姓名", "场次编号", "学时", "参训日期", "备注")
TEMPLATE_HELP = (
    "填写说明：人员编号、场次编号、学时必填；参训日期不填则为培训班开始日期（格式 2026-11-29）；"
    "学时为 0.5 的整数倍，不超过培训班学时；姓名一列仅供核对，导入时不读取。"
)


# --- what several pages need ---------------------------------------------------------------------------------------
def categories() -> list[dict]:
    return api().get("/training/categories", {"per_page": MANY})["items"]


def category_name(code: str | None, known: list[dict] | None = None) -> str:
    """The glossary's word for a seeded category; a county's own category by the name it was given."""
    if code in LABELS.get("training_category", {}):
        return label("training_category", code)
    for category in known or []:
        if category["code"] == code:
            return category["name"]
    return code or "—"


def in_plan_order(codes) -> list[str]:
    """Category codes in the plan's order (公共法律知识, 业务知识和执法技能, 政治轮训), then a county's own by code."""
    plan = list(LABELS.get("training_category", {}))
    return sorted(codes, key=lambda code: (plan.index(code) if code in plan else len(plan), code))


def category_options(known: list[dict]) -> list[tuple[str, str]]:
    return [(c["code"], category_name(c["code"], known)) for c in known]


def course_options() -> list[tuple[str, str]]:
    courses = api().get("/training/courses", {"per_page": MANY})["items"]
    return [(c["course_id"], c["title"]) for c in courses]


def agency_options() -> list[tuple[str, str]]:
    return sorted(agency_names().items(), key=lambda item: item[0])


def officer_options(agency_code: str | None) -> list[tuple[str, str]]:
    """An agency's officers in post, as ``姓名（编号）`` choices; none until an agency is chosen."""
    if not agency_code:
        return []
    officers = api().get("/officers", {"agency_code": agency_code, "status": "active", "per_page": MANY})["items"]
    return [(o["officer_id"], f"{o['name']}（{o['officer_id']}）") for o in officers]


def chosen_agency() -> str | None:
    """The agency whose officers a form offers: an agency's admin its own; the bureau the one it picked."""
    if role() == BUREAU:
        return request.values.get("agency") or None
    return user().get("agency_code")


def year_options() -> list[int]:
    return list(range(county_today().year, FIRST_YEAR - 1, -1))


def form_values(*names: str) -> dict:
    return {name: request.form.get(name, "").strip() for name in names}


def payload(values: dict, *numbers: str) -> dict:
    """The form's non-empty values for the API (a required one left empty is reported as missing by the API)."""
    out = {}
    for name, value in values.items():
        if value == "":
            continue
        out[name] = value
        if name in numbers:
            try:
                out[name] = float(value)
            except ValueError:
                pass  # the API answers "应为数字" beside the field
    return out


def refused(error: ApiError) -> bool:
    """A write the person can correct on the form (the rest becomes the error page)."""
    return error.status in (400, 409, 422)


def import_rows(rows: list[dict]) -> list[dict]:
    """An import's row problems as the page lists them: the sheet's row, the column's Chinese name, the reason in
    Chinese (a reason with no translation yet still says which cell to look at)."""
    columns = LABELS.get("attendance_column", {})
    out = []
    for problem in rows:
        reason = str(problem.get("reason") or "")
        column = str(problem.get("column") or "")
        out.append(
            {
                "row": problem.get("row"),
                "column": columns.get(column, column or "—"),
                "reason_zh": translate(reason) or "此处填写有误，请检查",
            }
        )
    return out


def attachment(content: bytes, filename: str, fallback: str) -> Response:
    """A download with its Chinese file name (RFC 6266: an ASCII fallback, then the UTF-8 name)."""
    response = Response(content, mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return response


def template_workbook(rows: list[list]) -> bytes:
    """The attendance sheet: row 1 the column names the importer reads, then ``rows`` (an officer each, prefilled)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    book = Workbook()
    sheet = book.active
    sheet.title = "参训记录"
    sheet.append(list(TEMPLATE_COLUMNS))
    for row in rows:
        sheet.append(row)
    for cell, width in zip(sheet[1], (34, 12, 34, 8, 14, 24), strict=True):
        sheet.column_dimensions[cell.column_letter].width = width
    sheet["A1"].comment = Comment(TEMPLATE_HELP, "县司法局")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- 概况 -----------------------------------------------------------------------------------------------------------
@blueprint.route("/")
@staff(*ADMINS)
def index():
    year = county_today().year
    try:
        summary = api().get("/training/compliance/summary", {"year": year})
    except ApiError as error:
        if error.status < 500:
            raise
        summary = None  # the page's links still work
    sessions = api().get("/training/sessions", {"from": f"{year}-01-01", "per_page": 5})
    return render_template("training/index.html", title="培训", year=year, summary=summary, sessions=sessions)


# --- 课程 -----------------------------------------------------------------------------------------------------------
@blueprint.route("/courses")
@staff(*ADMINS)
def courses():
    chosen = filters("category_code", "kind", "required")
    data = api().get("/training/courses", {**chosen, **paging()})
    known = categories()
    return render_template(
        "training/courses.html",
        title="课程",
        data=data,
        chosen=chosen,
        categories=known,
        category_options=category_options(known),
        category_name=category_name,
    )


@blueprint.route("/courses/new", methods=["GET", "POST"])
@staff(*ADMINS)
def create_course():
    known = categories()
    errors = FormErrors()
    values = {"kind": "training", "counts_hours": "true"}
    if request.method == "POST":
        values = form_values("title", "category_code", "kind", "description")
        values["required"] = "true" if request.form.get("required") else ""
        values["counts_hours"] = "true" if request.form.get("counts_hours") else ""
        body = payload({k: values[k] for k in ("title", "category_code", "kind", "description")})
        body["required"] = bool(values["required"]) and role() == BUREAU
        body["counts_hours"] = bool(values["counts_hours"])
        try:
            course = api().post("/training/courses", body)
        except ApiError as error:
            if not refused(error):
                raise
            errors = FormErrors(error)
        else:
            flash(f"已新建课程“{course['title']}”。", "success")
            return redirect(url_for("training.course", course_id=course["course_id"]))
    return render_template(
        "training/course_form.html",
        title="新建课程",
        values=values,
        errors=errors,
        category_options=category_options(known),
        kind_options=list(LABELS["course_kind"].items()),
    ), (400 if errors else 200)


@blueprint.route("/courses/<course_id>")
@staff(*ADMINS)
def course(course_id: str, years_errors: FormErrors | None = None, years_values: dict | None = None):
    found = api().get(f"/training/courses/{quote(course_id, safe='')}")
    sessions = api().get("/training/sessions", {"course_id": course_id, **paging()})
    return render_template(
        "training/course.html",
        title=found["title"],
        course=found,
        sessions=sessions,
        category=category_name(found["category_code"], categories()),
        years_errors=years_errors or FormErrors(),
        years_values=years_values or {},
    ), (400 if years_errors else 200)


@blueprint.route("/courses/<course_id>/required-years", methods=["POST"])
@staff(BUREAU)
def required_years(course_id: str):
    """必修年度 (the bureau): required from one year (this year when not given) until another (or still)."""
    values = {name: request.form.get(name, "").strip() for name in ("required", "required_from", "required_until")}
    body: dict = {"required": values["required"] != "false"}
    problems = {}
    for name in ("required_from", "required_until"):
        if values[name]:
            if not values[name].isdigit():
                problems[name] = ["应为年份，如 2026"]
            else:
                body[name] = int(values[name])
    if problems:
        return course(course_id, FormErrors(fields=problems, sentence="请按标出的提示修改。"), values)
    try:
        api().post(f"/training/courses/{quote(course_id, safe='')}/required-years", body)
    except ApiError as error:
        if error.status not in (400, 409):
            raise
        return course(course_id, FormErrors(error), values)
    flash("必修年度已保存。", "success")
    return redirect(url_for("training.course", course_id=course_id))


# --- 培训班 ---------------------------------------------------------------------------------------------------------
@blueprint.route("/sessions")
@staff(*ADMINS)
def sessions():
    chosen = filters("course_id", "from", "to")
    data = api().get("/training/sessions", {**chosen, **paging()})
    return render_template(
        "training/sessions.html",
        title="培训班",
        data=data,
        chosen=chosen,
        course_options=course_options(),
        category_name=category_name,
        categories=categories(),
    )


def organiser_of(form) -> dict:
    """The organiser as the API takes it: an agency's admin organises for its own agency (with others, jointly)."""
    kind = form.get("organiser_kind", "")
    codes = [c for c in form.getlist("agency_codes") if c]
    if role() != BUREAU:
        own = user().get("agency_code")
        codes = [own] if kind == "agency" else [own, *(c for c in codes if c != own)]
    if kind == "bureau":
        codes = []
    return {"kind": kind, "agency_codes": codes}


@blueprint.route("/sessions/new", methods=["GET", "POST"])
@staff(*ADMINS)
def create_session():
    errors = FormErrors()
    values = {
        "course_id": request.args.get("course_id", ""),
        "delivery": "offline",
        "organiser_kind": "bureau" if role() == BUREAU else "agency",
    }
    chosen_codes: list[str] = []
    if request.method == "POST":
        values = form_values("course_id", "held_on", "ends_on", "hours", "delivery", "organiser_kind", "location")
        organiser = organiser_of(request.form)
        chosen_codes = organiser["agency_codes"]
        body = payload(
            {k: values[k] for k in ("course_id", "held_on", "ends_on", "hours", "delivery", "location")}, "hours"
        )
        body["organiser"] = organiser
        # whose officers may attend besides the organisers' (the bureau's sessions: every agency's anyway)
        open_to = [c for c in request.form.getlist("open_to") if c and c not in chosen_codes]
        values["open_county_wide"] = request.form.get("open_county_wide") == "on"
        values["open_to"] = open_to
        if values["open_county_wide"]:
            body["open_county_wide"] = True
        elif open_to:
            body["open_to"] = open_to
        try:
            created = api().post("/training/sessions", body)
        except ApiError as error:
            if not refused(error):
                raise
            errors = FormErrors(error)
            if "organiser.kind" in errors.fields:  # the form's field for the API's organiser.kind
                errors.fields["organiser_kind"] = errors.fields.pop("organiser.kind")
        else:
            flash(f"已新建培训班：{created['course_title']}。", "success")
            return redirect(url_for("training.session", session_id=created["session_id"]))
    kinds = [("bureau", "县司法局举办"), ("agency", "部门举办"), ("joint", "联合举办")]
    if role() != BUREAU:
        kinds = [("agency", "本部门举办"), ("joint", "与其他部门联合举办")]
    return render_template(
        "training/session_form.html",
        title="新建培训班",
        values=values,
        errors=errors,
        course_options=course_options(),
        delivery_options=list(LABELS["delivery"].items()),
        organiser_options=kinds,
        agencies=[(code, name) for code, name in agency_options() if code != user().get("agency_code")],
        chosen_codes=chosen_codes,
    ), (400 if errors else 200)


def _session_page(
    session_id: str,
    errors: FormErrors | None = None,
    values: dict | None = None,
    status: int = 200,
    confirm_errors: FormErrors | None = None,
):
    found = api().get(f"/training/sessions/{quote(session_id, safe='')}")
    attendance = api().get(f"/training/sessions/{quote(session_id, safe='')}/attendance", paging())
    agency = chosen_agency()
    own = user().get("agency_code") if role() != BUREAU else None
    # a joint session's co-organiser: its admin confirms (待确认) or refuses here
    mine = next((p for p in found.get("partners") or [] if own and p["agency_code"] == own), None)
    return render_template(
        "training/session.html",
        title=found["course_title"],
        session=found,
        my_partnership=mine,
        confirm_errors=confirm_errors or FormErrors(),
        attendance=attendance,
        category=category_name(found["category_code"], categories()),
        agency=agency,
        agency_choices=agency_options() if role() == BUREAU else [],
        officers=officer_options(agency),
        values=values or {"hours": f"{found['hours']:g}"},
        errors=errors or FormErrors(),
    ), status


@blueprint.route("/sessions/<session_id>")
@staff(*ADMINS)
def session(session_id: str):
    return _session_page(session_id)


@blueprint.route("/sessions/<session_id>/confirmation", methods=["POST"])
@staff(*ADMINS)
def confirm_session(session_id: str):
    decision = request.form.get("decision", "")
    try:
        api().post(f"/training/sessions/{quote(session_id, safe='')}/confirmation", {"decision": decision})
    except ApiError as error:
        if not refused(error):
            raise
        return _session_page(session_id, status=error.status, confirm_errors=FormErrors(error))
    flash("已确认联合举办。" if decision == "confirmed" else "已回复本单位不参加联合举办。", "success")
    return redirect(url_for("training.session", session_id=session_id))


@blueprint.route("/sessions/<session_id>/attendance", methods=["POST"])
@staff(*ADMINS)
def record_session_attendance(session_id: str):
    values = form_values("officer_id", "hours", "attended_on", "note")
    try:
        recorded = api().post("/training/attendance", payload({**values, "session_id": session_id}, "hours"))
    except ApiError as error:
        if not refused(error):
            raise
        return _session_page(session_id, FormErrors(error), values, 400 if error.status != 409 else 409)
    flash(
        f"已登记 {recorded.get('officer_name') or recorded['officer_id']} 的参训记录（{recorded['hours']:g} 学时）。",
        "success",
    )
    return redirect(url_for("training.session", session_id=session_id, agency=request.form.get("agency") or None))


@blueprint.route("/sessions/<session_id>/sheet.xlsx")
@staff(*ADMINS)
def session_sheet(session_id: str):
    """The attendance sheet of one session, one row per officer of the agency (hours to fill in)."""
    found = api().get(f"/training/sessions/{quote(session_id, safe='')}")
    rows = [
        [officer_id, text.split("（")[0], found["session_id"], None, None, None]
        for officer_id, text in officer_options(chosen_agency())
    ]
    name = f"参训记录-{found['course_title'][:40]}-{found['held_on']}.xlsx"
    return attachment(template_workbook(rows), name, f"attendance-{found['held_on']}.xlsx")


# --- 参训记录 -------------------------------------------------------------------------------------------------------
@blueprint.route("/attendance")
@staff(*ADMINS)
def attendance():
    """An officer's attendance in a year (pick the agency, the officer, the year), and the way to record one."""
    agency = chosen_agency()
    officer_id = request.args.get("officer_id", "").strip()
    year = request.args.get("year", "").strip() or str(county_today().year)
    records = compliance_row = None
    if officer_id:
        oid = quote(officer_id, safe="")
        records = api().get(f"/training/officers/{oid}/attendance", {"year": year, **paging()})
        compliance_row = api().get(f"/training/officers/{oid}/compliance", {"year": year})
    known = categories()
    return render_template(
        "training/attendance.html",
        title="参训记录",
        agency=agency,
        agency_choices=agency_options() if role() == BUREAU else [],
        officers=officer_options(agency),
        officer_id=officer_id,
        year=year,
        years=year_options(),
        records=records,
        standing=compliance_row,
        category_name=lambda code: category_name(code, known),
        in_plan_order=in_plan_order,
    )


@blueprint.route("/attendance/new", methods=["GET", "POST"])
@staff(*ADMINS)
def record_attendance():
    errors = FormErrors()
    status = 200
    values = {"session_id": request.args.get("session_id", "")}
    agency = chosen_agency()
    if request.method == "POST":
        values = form_values("session_id", "officer_id", "hours", "attended_on", "note")
        try:
            recorded = api().post("/training/attendance", payload(values, "hours"))
        except ApiError as error:
            if not refused(error):
                raise
            errors, status = FormErrors(error), error.status
        else:
            flash(f"已登记 {recorded.get('officer_name') or recorded['officer_id']} 的参训记录。", "success")
            return redirect(url_for("training.attendance_record", attendance_id=recorded["attendance_id"]))
    recent = api().get("/training/sessions", {"per_page": MANY})["items"]
    session_choices = [(s["session_id"], f"{s['held_on']} {s['course_title']}（{s['hours']:g} 学时）") for s in recent]
    return render_template(
        "training/attendance_form.html",
        title="登记参训记录",
        values=values,
        errors=errors,
        agency=agency,
        agency_choices=agency_options() if role() == BUREAU else [],
        officers=officer_options(agency),
        session_choices=session_choices,
    ), status


@blueprint.route("/attendance/<attendance_id>", methods=["GET", "POST"])
@staff(*ADMINS)
def attendance_record(attendance_id: str):
    """One attendance with its earlier versions; a correction (hours or date, with its reason) keeps them."""
    path = f"/training/attendance/{quote(attendance_id, safe='')}"
    errors = FormErrors()
    values: dict = {}
    if request.method == "POST":
        values = form_values("hours", "attended_on", "reason")
        try:
            api().post(f"{path}/correction", payload(values, "hours"))
        except ApiError as error:
            if not refused(error):
                raise
            errors = FormErrors(error)
        else:
            flash("已更正参训记录，原记录保留在下方的修改历史中。", "success")
            return redirect(url_for("training.attendance_record", attendance_id=attendance_id))
    record = api().get(path)
    known = categories()
    return render_template(
        "training/attendance_record.html",
        title="参训记录",
        record=record,
        category=category_name(record["category_code"], known),
        values=values,
        errors=errors,
    ), (400 if errors else 200)


# --- 导入参训记录 ---------------------------------------------------------------------------------------------------
@blueprint.route("/attendance/import", methods=["GET", "POST"])
@staff(*ADMINS)
def import_attendance():
    errors = FormErrors()
    result = None
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        content = upload.read() if upload else b""
        if not upload or not upload.filename or not content:
            errors = FormErrors(fields={"file": ["请选择要导入的 .xlsx 文件"]}, sentence="请选择要导入的文件。")
            status = 400
        else:
            params = {"filename": upload.filename[:200], "dry_run": "true" if request.form.get("dry_run") else None}
            try:
                result = (
                    api()
                    .call("POST", "/training/attendance/import", params=params, data=content, content_type=XLSX)
                    .json()
                )
            except ApiError as error:
                if not refused(error):
                    raise
                errors = FormErrors(error)
                errors.rows = import_rows(error.rows)
                if errors.rows:
                    errors.fields.pop("file", None)  # the table says it all, row by row
                status = error.status
    return render_template(
        "training/import.html", title="导入参训记录", errors=errors, result=result, template_help=TEMPLATE_HELP
    ), status


@blueprint.route("/attendance/import/template.xlsx")
@staff(*ADMINS)
def import_template():
    return attachment(template_workbook([]), "参训记录导入模板.xlsx", "attendance-template.xlsx")


# --- 学时达标 -------------------------------------------------------------------------------------------------------
@blueprint.route("/compliance")
@staff(*ADMINS)
def compliance():
    chosen = filters("year", "agency_code", "standing")
    query = {"year": chosen.get("year"), "agency_code": chosen.get("agency_code") if role() == BUREAU else None}
    if chosen.get("standing") in ("compliant", "short"):
        query["compliant"] = "true" if chosen["standing"] == "compliant" else "false"
    table = api().get("/training/compliance", {**query, **paging()})
    summary = api().get("/training/compliance/summary", {"year": table["year"]})
    rollup = summary["county"]
    if query["agency_code"]:
        rollup = next((a for a in summary["agencies"] if a["agency_code"] == query["agency_code"]), None)
    known = categories()
    shown = in_plan_order(c["code"] for c in known)
    return render_template(
        "training/compliance.html",
        title="学时达标",
        table=table,
        rollup=rollup,
        chosen=chosen,
        years=year_options(),
        columns=[(code, category_name(code, known), table.get("thresholds", {}).get(code)) for code in shown],
        agency_choices=agency_options() if role() == BUREAU else [],
        export_agency=query["agency_code"] or (user().get("agency_code") if role() != BUREAU else None),
    )


@blueprint.route("/compliance/export")
@staff(*ADMINS)
def export_compliance():
    year = request.args.get("year") or str(county_today().year)
    agency_code = request.args.get("agency_code") if role() == BUREAU else user().get("agency_code")
    if not agency_code:
        flash("请先选择要导出的部门。", "warning")
        return redirect(url_for("training.compliance", year=year))
    answer = api().download("/training/compliance/export", {"year": year, "agency_code": agency_code})
    name = f"培训学时达标-{year}-{agency_name(agency_code)}.xlsx"
    return attachment(answer.content, name, f"training-compliance-{year}.xlsx")


# --- 资格考试 -------------------------------------------------------------------------------------------------------
@blueprint.route("/exams", methods=["GET", "POST"])
@staff(*ADMINS)
def exams():
    errors = FormErrors()
    values = {"exam_kind": "qualification"}
    if request.method == "POST":
        if role() != BUREAU:
            abort(403)
        values = form_values("exam_kind", "title", "sat_on")
        try:
            sitting = api().post("/training/exams", payload(values))
        except ApiError as error:
            if not refused(error):
                raise
            errors = FormErrors(error)
        else:
            flash(f"已安排考试“{sitting['title']}”。", "success")
            return redirect(url_for("training.exam", sitting_id=sitting["sitting_id"]))
    data = api().get("/training/exams", paging())
    return render_template(
        "training/exams.html",
        title="资格考试",
        data=data,
        values=values,
        errors=errors,
        kind_options=list(LABELS["exam_kind"].items()),
    ), (400 if errors else 200)


def _exam_page(sitting_id: str, errors: FormErrors | None = None, values: dict | None = None, status: int = 200):
    path = f"/training/exams/{quote(sitting_id, safe='')}"
    sitting = api().get(path)
    results = api().get(f"{path}/results", paging())
    agency = chosen_agency() if role() == BUREAU else None
    return render_template(
        "training/exam.html",
        title=sitting["title"],
        sitting=sitting,
        results=results,
        agency=agency,
        agency_choices=agency_options() if role() == BUREAU else [],
        officers=officer_options(agency),
        values=values or {},
        errors=errors or FormErrors(),
        today=county_today().isoformat(),
    ), status


@blueprint.route("/exams/<sitting_id>")
@staff(*ADMINS)
def exam(sitting_id: str):
    return _exam_page(sitting_id)


@blueprint.route("/exams/<sitting_id>/results", methods=["POST"])
@staff(BUREAU)
def record_exam_result(sitting_id: str):
    values = form_values("officer_id", "score")
    try:
        result = api().post(f"/training/exams/{quote(sitting_id, safe='')}/results", payload(values, "score"))
    except ApiError as error:
        if not refused(error):
            raise
        return _exam_page(sitting_id, FormErrors(error), values, error.status)
    verdict = label("exam_passed", result["passed"])
    flash(
        f"已登记 {result.get('officer_name') or result['officer_id']} 的成绩：{result['score']:g} 分，{verdict}。",
        "success",
    )
    return redirect(url_for("training.exam", sitting_id=sitting_id, agency=request.form.get("agency") or None))
