"""监督: supervision items (issue; each agency's inbox; acknowledge, answer, verify, return, close), complaints
(accept, refuse, extend, conclude), bulletins (通报), the yearly assessment (评议考核) and the yearly statistics
report (统计年报, its .xlsx and who has filed it).

Every list and record is the supervision service's answer through the gateway; the gateway and the service decide
who may do what (an agency admin sees only its own agency); these pages only leave out what the role cannot do.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from urllib.parse import quote

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, request, url_for

from .. import obligations
from ..formatting import county_today, date_cn, deadline_cn
from ..gateway import ApiError
from ..messages import label
from ..navigation import ADMINS, BUREAU
from ..pages import FormErrors, api, filters, paging, role, staff, user

blueprint = Blueprint("supervision", __name__, url_prefix="/supervision")

SUBNAV = [
    ("监督事项", "supervision.index", ADMINS),
    ("投诉举报", "supervision.complaints", ADMINS),
    ("通报", "supervision.bulletins", ADMINS),
    ("评议考核", "supervision.assessment", (BUREAU,)),
    ("统计年报", "supervision.reports", ADMINS),
]
ITEM_KINDS = ("rectification", "complaint_referral", "transfer_followup", "report_request")
ITEM_STATES = ("issued", "acknowledged", "answered", "returned", "verified", "closed")
OPEN_ITEM_STATES = ("issued", "acknowledged", "returned")
COMPLAINT_STATES = ("registered", "accepted", "refused", "concluded")
# an item's actions: (who, the states it may start from, the API's path word)
ITEM_ACTIONS = {
    "acknowledge": ("agency_admin", ("issued",)),
    "answer": ("agency_admin", ("acknowledged", "returned")),
    "verify": (BUREAU, ("answered",)),
    "return": (BUREAU, ("answered",)),
    "close": (BUREAU, ("verified",)),
}
ITEM_ACTION_DONE = {
    "acknowledge": "已签收。",
    "answer": "已提交反馈，等待县司法局核查。",
    "verify": "已核查。",
    "return": "已退回部门重新反馈。",
    "close": "已办结。",
}
COLOURS = ["#8c1c13", "#0b57a4", "#1a7f37", "#9a6700", "#6639ba", "#bc4c00", "#1b7c83", "#57606a", "#bf3989"]


def today() -> date:
    return county_today()  # the county's day (Beijing, or the pinned CLOCK_TODAY)


@blueprint.context_processor
def _words():
    return {
        "subnav": [(text, endpoint) for text, endpoint, roles in SUBNAV if role() in roles],
        "due": lambda value: deadline_cn(value, today()),
        "due_days": lambda value: obligations.calendar_deadline(value, today()),
        "obligation_text": obligations.obligation_text,
        "complaint_lateness": lambda complaint: obligations.complaint_lateness(complaint, today()),
        "agency_name": agency_name,
        "is_bureau": role() == BUREAU,
    }


def agencies() -> dict[str, dict]:
    """The agencies by code (read once per page; none when the list cannot be read: codes are shown instead)."""
    if "sv_agencies" not in g:
        try:
            g.sv_agencies = {a["code"]: a for a in api().get("/agencies", {"per_page": 500})["items"]}
        except ApiError:
            g.sv_agencies = {}
    return g.sv_agencies


def agency_name(code) -> str:
    if code in (None, ""):
        return "—"
    if code == "county":
        return label("report_scope", "county")
    found = agencies().get(code)
    return found["name"] if found else str(code)


def agency_options(supervised_only: bool = True) -> list[tuple[str, str]]:
    return [
        (code, a["name"]) for code, a in sorted(agencies().items()) if not (supervised_only and a.get("is_supervisor"))
    ]


def whole_number(form: dict, name: str, errors: dict) -> int | None:
    """An optional whole number from a form: None when empty, the field's Chinese error when not a number."""
    text = (form.get(name) or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        errors[name] = ["应为整数"]
        return None


def _list(path: str, params: dict):
    """A page of a list, or (None, the form errors) when the API refused the filters."""
    try:
        return api().get(path, params), FormErrors()
    except ApiError as error:
        if error.status != 400:
            raise
        return None, FormErrors(error)


# --- 监督事项 ------------------------------------------------------------------------------------------
@blueprint.route("/")
@staff(*ADMINS)
def index():
    chosen = filters("agency_code", "kind", "state", "overdue", "year")
    data, errors = _list("/supervision/items", {**chosen, **paging()})
    return render_template(
        "supervision/items.html",
        title="监督事项" if role() == BUREAU else "本部门监督事项",
        data=data,
        errors=errors,
        chosen=chosen,
        kinds=[(k, label("item_kind", k)) for k in ITEM_KINDS],
        states=[(s, label("item_state", s)) for s in ITEM_STATES],
        agency_choices=agency_options() if role() == BUREAU else [],
        open_states=OPEN_ITEM_STATES,
    ), (400 if errors else 200)


@blueprint.route("/items/new", methods=["GET", "POST"])
@staff(BUREAU)
def item_new():
    form = request.form if request.method == "POST" else request.args
    values = {k: form.get(k, "") for k in ("agency_code", "kind", "title", "body", "deadline_workdays", "complaint_id")}
    errors = FormErrors()
    if request.method == "POST":
        problems: dict = {}
        body = {
            "agency_code": values["agency_code"].strip(),
            "kind": values["kind"].strip(),
            "title": values["title"].strip(),
            "body": values["body"].strip(),
            "deadline_workdays": whole_number(values, "deadline_workdays", problems),
            "complaint_id": whole_number(values, "complaint_id", problems),
        }
        for name in ("agency_code", "kind", "title"):
            if not body[name]:
                problems[name] = ["必填"]
        if problems:
            errors = FormErrors(fields=problems, sentence="提交的内容有误，请按标出的提示修改后再提交。")
        else:
            try:
                item = api().post("/supervision/items", {k: v for k, v in body.items() if v not in (None, "")})
            except ApiError as error:
                if error.status not in (400, 409):
                    raise
                errors = FormErrors(error)
            else:
                flash(
                    f"已向{agency_name(item['agency_code'])}下发监督事项，办理期限至 {date_cn(item['due_on'])}。",
                    "success",
                )
                return redirect(url_for("supervision.item", item_id=item["item_id"]))
    return render_template(
        "supervision/item_new.html",
        title="下发监督事项",
        values=values,
        errors=errors,
        kinds=[(k, label("item_kind", k)) for k in ITEM_KINDS],
        agency_choices=agency_options(),
    ), (400 if errors else 200)


def _item_page(item_id: int, errors: dict | None = None, status: int = 200):
    item = api().get(f"/supervision/items/{item_id}")
    me = user()
    actions = [
        action
        for action, (who, states) in ITEM_ACTIONS.items()
        if item["state"] in states
        and (
            who == BUREAU and role() == BUREAU or who == "agency_admin" and me.get("agency_code") == item["agency_code"]
        )
    ]
    return render_template(
        "supervision/item.html",
        title=f"监督事项：{item['title']}",
        item=item,
        actions=actions,
        errors=errors or {},
        values=request.form,
        open_states=OPEN_ITEM_STATES,
    ), status


@blueprint.route("/items/<int:item_id>")
@staff(*ADMINS)
def item(item_id: int):
    return _item_page(item_id)


@blueprint.route("/items/<int:item_id>/<action>", methods=["POST"])
@staff(*ADMINS)
def item_action(item_id: int, action: str):
    if action not in ITEM_ACTIONS:
        return _item_page(item_id), 404
    form, problems, body = request.form, {}, {}
    if action == "answer":
        body["answer"] = form.get("answer", "").strip()
        if not body["answer"]:
            problems["answer"] = ["必填：请写明整改或办理情况"]
    elif action == "return":
        body["reason"] = form.get("reason", "").strip()
        if not body["reason"]:
            problems["reason"] = ["必填：请写明退回的理由"]
        workdays = whole_number(form, "deadline_workdays", problems)
        if workdays is not None:
            body["deadline_workdays"] = workdays
    else:
        body["note"] = form.get("note", "").strip()
    if problems:
        return _item_page(item_id, {action: FormErrors(fields=problems, sentence="请按标出的提示修改后再提交。")}, 400)
    try:
        api().post(f"/supervision/items/{item_id}/{action}", body)
    except ApiError as error:
        if error.status not in (400, 409):
            raise
        return _item_page(item_id, {action: FormErrors(error)}, error.status)
    flash(ITEM_ACTION_DONE[action], "success")
    return redirect(url_for("supervision.item", item_id=item_id))


# --- 投诉举报 ------------------------------------------------------------------------------------------
@blueprint.route("/complaints")
@staff(*ADMINS)
def complaints():
    chosen = filters("agency_code", "state", "year")
    data, errors = _list("/supervision/complaints", {**chosen, **paging()})
    return render_template(
        "supervision/complaints.html",
        title="投诉举报",
        data=data,
        errors=errors,
        chosen=chosen,
        states=[(s, label("complaint_state", s)) for s in COMPLAINT_STATES],
        agency_choices=agency_options() if role() == BUREAU else [],
    ), (400 if errors else 200)


def next_complaint_deadline(complaint: dict) -> tuple[str, str | None]:
    """What the complaint waits for and by when: (step, due date) — 受理 by accept_due_on, 办结 by conclude_due_on."""
    if complaint["state"] == "registered":
        return "受理或不予受理", complaint.get("accept_due_on")
    if complaint["state"] == "accepted":
        return "办结", complaint.get("conclude_due_on")
    return "", None


blueprint.add_app_template_global(next_complaint_deadline, "next_complaint_deadline")


def _complaint_page(complaint_id: int, errors: dict | None = None, status: int = 200):
    complaint = api().get(f"/supervision/complaints/{complaint_id}")
    mine = role() == BUREAU or user().get("agency_code") == complaint["agency_code"]
    actions = []
    if mine and complaint["state"] == "registered":
        actions.append("decision")
    if complaint["state"] == "accepted":
        if role() == BUREAU and complaint.get("extension_days") is None:
            actions.append("extension")
        if mine:
            actions.append("conclusion")
    return render_template(
        "supervision/complaint.html",
        title=f"投诉举报 第 {complaint['complaint_id']} 号",
        complaint=complaint,
        actions=actions,
        errors=errors or {},
        values=request.form,
    ), status


@blueprint.route("/complaints/<int:complaint_id>")
@staff(*ADMINS)
def complaint(complaint_id: int):
    return _complaint_page(complaint_id)


@blueprint.route("/complaints/<int:complaint_id>/<step>", methods=["POST"])
@staff(*ADMINS)
def complaint_action(complaint_id: int, step: str):
    form, problems = request.form, {}
    if step == "decision":
        accept = form.get("accept")
        body = {"accept": accept == "true", "reasons": form.get("reasons", "").strip()}
        if accept not in ("true", "false"):
            problems["accept"] = ["请选择受理或不予受理"]
        if not body["reasons"]:
            problems["reasons"] = ["必填：受理或不予受理都须写明理由"]
        done = "已受理，请在办结期限内办结。" if body["accept"] else "已决定不予受理。"
    elif step == "extension":
        body = {"days": whole_number(form, "days", problems), "reason": form.get("reason", "").strip()}
        if body["days"] is None and "days" not in problems:
            problems["days"] = ["必填"]
        if not body["reason"]:
            problems["reason"] = ["必填：请写明延期理由"]
        done = "已批准延期。"
    elif step == "conclusion":
        body = {"outcome": form.get("outcome", ""), "conclusion": form.get("conclusion", "").strip()}
        if body["outcome"] not in ("upheld", "not_upheld"):
            problems["outcome"] = ["请选择属实或不属实"]
        if not body["conclusion"]:
            problems["conclusion"] = ["必填：请写明办理结论"]
        done = "已办结。"
    else:
        return _complaint_page(complaint_id), 404
    if problems:
        return _complaint_page(
            complaint_id, {step: FormErrors(fields=problems, sentence="请按标出的提示修改后再提交。")}, 400
        )
    try:
        api().post(f"/supervision/complaints/{complaint_id}/{step}", body)
    except ApiError as error:
        if error.status not in (400, 409):
            raise
        return _complaint_page(complaint_id, {step: FormErrors(error)}, error.status)
    flash(done, "success")
    return redirect(url_for("supervision.complaint", complaint_id=complaint_id))


# --- 通报 --------------------------------------------------------------------------------------------
def last_month(day: date) -> tuple[date, date]:
    """The calendar month before ``day``'s: the usual period of a bulletin."""
    end = day.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


@blueprint.route("/bulletins", methods=["GET", "POST"])
@staff(*ADMINS)
def bulletins():
    start, end = last_month(today())
    source = request.form if request.method == "POST" else request.args
    period = {"from": source.get("from") or start.isoformat(), "to": source.get("to") or end.isoformat()}
    bad_dates = {}
    for name, default in (("from", start), ("to", end)):
        try:
            date.fromisoformat(period[name])
        except ValueError:
            bad_dates[name] = ["日期格式应为 年-月-日，如 2026-11-29"]
            period[name] = default.isoformat()
    title = source.get("title") or f"关于{period['from'][:4]}年{int(period['from'][5:7])}月逾期未办结监督事项的通报"
    errors = FormErrors(fields=bad_dates, sentence="日期填写有误，请修改后再查看。") if bad_dates else FormErrors()
    if request.method == "POST" and not bad_dates:
        if role() != BUREAU:
            return render_template("error.html", status=403, sentence="您没有进行此操作的权限。"), 403
        try:
            bulletin = api().post("/supervision/bulletins", {**period, "title": source.get("title", "").strip()})
        except ApiError as error:
            if error.status not in (400, 409):
                raise
            errors = FormErrors(error)
        else:
            flash(f"已发布通报：{bulletin['title']}（列入 {len(bulletin['entries'])} 项超期事项）。", "success")
            return redirect(url_for("supervision.bulletins"))
    published = api().get("/supervision/bulletins", paging())
    overdue, overdue_errors = _list("/supervision/overdue", {**period, "per_page": 100})
    if overdue_errors and not errors:
        errors = overdue_errors
    return render_template(
        "supervision/bulletins.html",
        title="通报",
        published=published,
        overdue=overdue,
        period=period,
        bulletin_title=title,
        already=next(
            (b for b in published["items"] if (b["period_from"], b["period_to"]) == (period["from"], period["to"])),
            None,
        ),
        errors=errors,
    ), (400 if errors else 200)


# --- 评议考核 ------------------------------------------------------------------------------------------
def _year(default: int) -> int:
    try:
        year = int(request.values.get("year", default))
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


@blueprint.route("/assessment")
@staff(BUREAU)
def assessment():
    year = _year(today().year)
    try:
        run = api().get(f"/supervision/assessments/{year}")
    except ApiError as error:
        if error.status != 404:
            raise
        run = None
    return render_template(
        "supervision/assessment.html",
        title="评议考核",
        year=year,
        years=list(range(today().year, today().year - 6, -1)),
        year_options=[(y, f"{y} 年") for y in range(today().year, today().year - 6, -1)],
        run=run,
        summary=assessment_summary(run) if run else "",
        scored=ranked(run) if run else [],
        indicators=indicator_columns(run) if run else [],
        chart=json.dumps(assessment_chart(run), ensure_ascii=False) if run else "",
        details={
            score["agency_code"]: [
                {**indicator, "detail_zh": indicator_detail_zh(indicator["code"], indicator.get("detail") or "")}
                for indicator in score["indicators"]
            ]
            for score in (run or {}).get("ranking", [])
        },
    )


@blueprint.route("/assessment/run", methods=["POST"])
@staff(BUREAU)
def assessment_run():
    year = _year(today().year)
    try:
        run = api().post("/supervision/assessments", {"year": year})
    except ApiError as error:
        if error.status not in (400, 409):
            raise
        flash(FormErrors(error).sentence, "error")
    else:
        flash(f"{year} 年度评议考核已完成：{assessment_summary(run)}。", "success")
    return redirect(url_for("supervision.assessment", year=year))


def ranked(run: dict) -> list[dict]:
    """The agencies with a score and a rank (the 无数据 ones follow them in the run's ranking, unranked)."""
    return [s for s in run.get("ranking") or [] if s.get("rank") is not None]


def assessment_summary(run: dict) -> str:
    """共 20 个执法部门参加排名，3 个无数据不排名，2 个不参加考核."""
    scored = len(ranked(run))
    no_data = len(run.get("ranking") or []) - scored
    text = f"共 {scored} 个执法部门参加排名"
    if no_data:
        text += f"，{no_data} 个无数据、不排名"
    if run.get("not_assessed"):
        text += f"，{len(run['not_assessed'])} 个不参加考核"
    return text


def indicator_columns(run: dict) -> list[dict]:
    """The indicators of a run in the order the service scored them, with their weights (points possible)."""
    first = (run.get("ranking") or [{}])[0].get("indicators") or []
    weights = run.get("weights") or {}
    return [{"code": i["code"], "weight": weights.get(i["code"], i.get("weight"))} for i in first]


def assessment_chart(run: dict) -> dict:
    """A Chart.js horizontal stacked bar: each agency's total split into its indicators' points (the tables under it
    carry the same numbers for keyboard and screen-reader users)."""
    ranking = ranked(run)  # the 无数据 agencies have no bar: they are listed under the chart, unranked
    columns = indicator_columns(run)
    datasets = []
    for index, column in enumerate(columns):
        points = []
        for score in ranking:
            found = next((i for i in score["indicators"] if i["code"] == column["code"]), None)
            points.append(round(found["points"], 2) if found and found.get("points") is not None else 0)
        datasets.append(
            {
                "label": label("indicator", column["code"]),
                "data": points,
                "backgroundColor": COLOURS[index % len(COLOURS)],
                "stack": "points",
            }
        )
    return {
        "type": "bar",
        "data": {"labels": [f"{s['rank']}. {s['agency_name']}" for s in ranking], "datasets": datasets},
        "options": {
            "indexAxis": "y",
            "scales": {"x": {"stacked": True, "min": 0, "max": 100}, "y": {"stacked": True}},
            "plugins": {"legend": {"position": "bottom"}},
        },
    }


_GRADES = {"excellent": "优秀", "pass": "合格", "fail": "不合格"}
_RATE_DETAILS = {
    # code: (what is counted, of what) — the service's detail line "<part> <counted> of <whole> <of> (<share>)"
    "certification": ("在岗执法人员 {whole} 人，持证 {part} 人", "certified", "officers in post"),
    "training": ("应训人员 {whole} 人，达标 {part} 人", "compliant", "officers"),
    "publication": ("应公示决定 {whole} 件，按时公示 {part} 件", "on time", "decisions published"),
    "overdue_items": ("督办事项 {whole} 件，逾期 {part} 件", "overdue", "supervision items"),
    "complaints_upheld": ("办结投诉举报 {whole} 件，查实 {part} 件", "upheld", "complaints concluded"),
    "decisions_reversed": (
        "作出决定 {whole} 件，复议诉讼纠错 {part} 件",
        "reversed on reconsideration or litigation",
        "decisions",
    ),
    "promptness": ("有期限的事项 {whole} 件，按时办结 {part} 件", "on time", "obligations with a deadline"),
}


def indicator_detail_zh(code: str, detail: str) -> str:
    """The assessment's English detail line in Chinese ("3 certified of 4 officers in post (75.0%)" → 在岗执法人员
    4 人，持证 3 人（75.0%）); a dash for a line it does not know."""
    if code in _RATE_DETAILS:
        words, counted, of = _RATE_DETAILS[code]
        match = re.fullmatch(rf"(\d+) {re.escape(counted)} of (\d+) {re.escape(of)} \(([\d.]+%)\)", detail)
        if match:
            return words.format(part=match.group(1), whole=match.group(2)) + f"（{match.group(3)}）"
        if detail == f"no {of}":
            return "本年度没有可考核的数据"
    if code == "case_review":
        if detail == "no case file reviewed":
            return "本年度没有评查案卷"
        match = re.fullmatch(r"(\d+) files reviewed: (.*)", detail)
        if match:
            grades = [part.rsplit(" ", 1) for part in match.group(2).split(", ") if " " in part]
            counts = "，".join(f"{_GRADES.get(grade, grade)} {n} 卷" for grade, n in grades)
            return f"评查案卷 {match.group(1)} 卷：{counts}"
    if code == "satisfaction":
        if detail == "no survey result recorded":
            return "没有录入满意度测评结果"
        match = re.fullmatch(r"survey score ([\d.]+)", detail)
        if match:
            return f"测评得分 {match.group(1)}"
    return "—"


# --- 统计年报 ------------------------------------------------------------------------------------------
def report_filename(county: str, scope_name: str, year: int) -> str:
    """五寨县2025年度行政执法统计年报.xlsx; an agency's: 五寨县市场监管局2025年度… (its name with the county's)."""
    if scope_name.startswith("县"):
        scope_name = scope_name[1:]
    return f"{county}{scope_name}{year}年度行政执法统计年报.xlsx"


def _report_scope() -> str | None:
    """The agency whose report is shown: the bureau chooses (none: the county's), an agency admin sees its own."""
    if role() == BUREAU:
        return request.values.get("agency_code") or None
    return user().get("agency_code")


@blueprint.route("/reports")
@staff(*ADMINS)
def reports():
    year = _year(today().year - 1)
    scope = _report_scope()
    params = {"year": year, "agency_code": scope}
    report = api().get("/supervision/annual-reports", params)
    filings = api().get("/supervision/annual-reports/filings", {"year": year})
    rows = filings["filings"]
    own_scope = "county" if role() == BUREAU else user().get("agency_code")
    own = next((row for row in rows if row["scope"] == own_scope), None)
    return render_template(
        "supervision/reports.html",
        title="统计年报",
        year=year,
        year_options=[(y, f"{y} 年") for y in range(today().year, today().year - 7, -1)],
        years_current=today().year,
        scope=scope,
        report=report,
        filings=filings,
        filed=[row for row in rows if row["filed"]],
        late=[row for row in rows if row["overdue"] or row["filed"] and row["on_time"] is False],
        own=own,
        can_file=own is not None and not own["filed"] and year < today().year,
        agency_choices=agency_options() if role() == BUREAU else [],
    )


@blueprint.route("/reports/export")
@staff(*ADMINS)
def reports_export():
    year = _year(today().year - 1)
    scope = _report_scope()
    answer = api().download("/supervision/annual-reports/export", {"year": year, "agency_code": scope})
    county = current_app.config["SETTINGS"].county
    filename = report_filename(county, "" if scope is None else agency_name(scope), year)
    response = Response(
        answer.iter_content(64 * 1024),
        mimetype=answer.headers.get("Content-Type", "application/octet-stream"),
    )
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"annual-report-{year}.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


@blueprint.route("/reports/filings", methods=["POST"])
@staff(*ADMINS)
def reports_file():
    year = _year(today().year - 1)
    try:
        filing = api().post("/supervision/annual-reports/filings", {"year": year})
    except ApiError as error:
        if error.status not in (400, 403, 409):
            raise
        flash(FormErrors(error).sentence, "error")
    else:
        when = "按时" if filing["on_time"] else "逾期"
        flash(f"已报送 {year} 年度统计年报（{when}报送，报送期限 {date_cn(filing['due_on'])}）。", "success")
    return redirect(url_for("supervision.reports", year=year))
