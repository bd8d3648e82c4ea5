"""案件: the enforcement-item catalogue, benchmarks and lenient lists; cases (list, report, a case's page with its
timeline, deadlines, procedural checks, legal review, decision, publication and withdrawal); transfers; enterprise
inspections and double-random draws; case-file review. Everything read and written through the gateway: the cases
service scopes an agency admin to their agency, the pages only leave out what the role cannot do."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .. import formatting, messages
from ..gateway import ApiError
from ..navigation import ADMINS, BUREAU
from ..pages import NO_ERRORS, FormErrors, api, filters, paging, role, staff, user
from ..translations import cases as words

blueprint = Blueprint("cases", __name__, url_prefix="/cases")

# the area's sub-navigation: (label, endpoint, roles)
SUBNAV = [
    ("案件", "cases.index", ADMINS),
    ("执法事项目录", "cases.catalogue", ADMINS),
    ("裁量基准", "cases.benchmarks", ADMINS),
    ("从轻减轻及首违不罚清单", "cases.lenient", ADMINS),
    ("案件移送", "cases.transfers", ADMINS),
    ("涉企行政检查", "cases.inspections", ADMINS),
    ("双随机抽查", "cases.draws", ADMINS),
    ("案卷评查", "cases.reviews", ADMINS),
    ("错案纠正与责任追究", "cases.followups", ADMINS),
]
# penalty kinds a form offers (every kind of 行政处罚法 art. 9)
PENALTY_CHOICES = list(words.PENALTY_KIND.items())
TIER_ROWS = list(words.TIER.items())  # 轻微 / 一般 / 较重 / 严重
CHINA = timezone(timedelta(hours=8))
WRITE_FAILURES = (400, 404, 409, 422)


def today() -> date:
    """The county's day (a pinned ``TODAY`` when the console is given one, like the services' clock)."""
    return formatting.county_today()


# pages under a sub-navigation entry: endpoint → the entry
SECTIONS = {
    **dict.fromkeys(
        ("new_case", "case", "review", "stages", "decide", "publish", "revoke", "withdraw", "propose_transfer"), "index"
    ),
    **dict.fromkeys(("new_item", "item", "change_item", "cancel_item", "set_benchmark", "add_lenient"), "catalogue"),
    "remove_lenient": "lenient",
    "transfer": "transfers",
    "transfer_step": "transfers",
    "draw": "draws",
    "batch": "reviews",
    "score": "reviews",
    **dict.fromkeys(("records", "upload_document", "register_recording"), "index"),
    **dict.fromkeys(("followup", "followup_step"), "followups"),
}


@blueprint.context_processor
def _area():
    endpoint = (request.endpoint or "").removeprefix("cases.")
    return {
        "cases_subnav": [(text, ep) for text, ep, roles in SUBNAV if role() in roles],
        "subnav_current": "cases." + SECTIONS.get(endpoint, endpoint),
        "today": today(),
        "label_options": label_options,
        "pairs": pairs,
        "local_time_cn": local_time_cn,
    }


def local_time_cn(value) -> str:
    """A transfer's time as the cases service answers it: the county's local time (no offset), or with one."""
    if value in (None, ""):
        return "—"
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def label_options(kind: str) -> list[tuple[str, str]]:
    """A select's options: every code of ``kind`` with its Chinese word."""
    return list(messages.LABELS.get(kind, {}).items())


def pairs(rows: list[dict], value: str, text: str) -> list[tuple[str, str]]:
    return [(row[value], row[text]) for row in rows]


# --- what several pages read
def own_agency() -> str | None:
    """The agency an agency admin is scoped to; None for the bureau (every agency)."""
    return user().get("agency_code") if role() != BUREAU else None


def agencies() -> dict[str, str]:
    """Agency code → name, for the bureau's filters and for names in tables."""
    try:
        page = api().get("/agencies", {"per_page": 500})
    except ApiError:
        return {}
    return {a["code"]: a["name"] for a in page.get("items", [])}


def item_types() -> list[dict]:
    return api().get("/catalogue/types", {"per_page": 100})["items"]


def type_options() -> list[tuple[str, str]]:
    return [(code, name) for code, name in words.CASE_TYPE.items()]


def _clean(values: dict) -> dict:
    """A form's values without the empty ones (the API says 必填 for what is missing)."""
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items() if v not in (None, "", [])}


def _form(*names: str) -> dict:
    return _clean({name: request.form.get(name, "") for name in names})


def _failed(error: ApiError) -> tuple[FormErrors, int]:
    if error.status not in WRITE_FAILURES:
        raise error
    return FormErrors(error), 409 if error.status == 409 else 400


def _bool(value: str | None) -> bool | None:
    return {"true": True, "false": False}.get(value or "")


# --- pure helpers for the case page (unit-tested)
def deadline_state(deadline: dict, on: date) -> dict:
    """How one deadline of a case reads: its length (7 个工作日 / 90 日（自然日）), its due day, and what is left or
    how it was met (按期完成 / 超期完成 / 还剩 3 个工作日 / 已超期 2 个自然日)."""
    unit = deadline["unit"]
    length = f"{deadline['limit']} 个工作日" if unit == "workdays" else f"{deadline['limit']} 日（自然日）"
    due = formatting.as_date(deadline["due_on"])
    if deadline.get("met_on"):
        late = deadline.get("on_time") is False
        return {"length": length, "state": "超期完成" if late else "按期完成", "late": late, "open": False}
    if unit == "workdays":
        text = formatting.deadline_cn(due, on)
    else:
        days = (due - on).days
        text = "今天到期" if days == 0 else (f"还剩 {days} 个自然日" if days > 0 else f"已超期 {-days} 个自然日")
    return {"length": length, "state": text, "late": due < on, "open": True}


def procedure_checks(case: dict, item_type: dict | None) -> list[dict]:
    """Every procedural check that applies to the case, in the law's order: the rule in plain Chinese, its article,
    and whether the case fails it (a warning the service recorded), meets it, or has not reached that stage."""
    warnings: dict[str, list[str]] = {}
    for warning in case.get("warnings") or []:
        warnings.setdefault(warning["code"], []).append(_warning_detail(warning["message"]))
    records = case.get("records") or {}  # the documents missing are checked live, not recorded as warnings
    if records.get("missing_documents"):
        warnings["documents_missing"] = [f"缺少{d['name']}" for d in records["missing_documents"]]
    penalty = bool(item_type and item_type.get("penalty_procedure"))
    publish = bool(item_type and item_type.get("publish_decisions"))
    rows = []
    for check in words.CHECKS:
        scope = check["scope"]
        if (scope == "penalty" and not penalty) or (scope == "publish" and not publish):
            continue
        if scope == "major" and not case.get("is_major"):
            continue
        if check.get("procedure") and case.get("procedure") != check["procedure"]:
            continue
        if check.get("needs") and not case.get(check["needs"]):
            continue
        if check.get("records") and not records.get(check["records"]):
            continue
        if check.get("after") and check["after"] not in {d["kind"] for d in case.get("deadlines") or []}:
            continue
        if check["code"] in warnings:
            status = "failed"
        elif case.get(check["stage"]):
            status = "passed"
        else:
            status = "pending"
        if check["code"].startswith("hearing_") and not case.get("hearing_requested_on"):
            continue  # no hearing asked for: the hearing checks do not apply
        rows.append({**check, "status": status, "details": warnings.get(check["code"], [])})
    return rows


def _warning_detail(message: str) -> str:
    text = messages.translate(message)
    return text if text is not None else "详见案件记录"


def timeline(case: dict) -> list[tuple[str, object]]:
    """The stages recorded so far, in the law's order: (name, date)."""
    stages = [
        ("违法行为发生", case.get("violation_on")),
        ("发现违法行为", case.get("detected_on")),
        ("立案", case.get("filed_on")),
        ("调查终结", case.get("investigation_ended_on")),
        ("告知（陈述、申辩、听证权利）", case.get("notice_on")),
        ("当事人申请听证", case.get("hearing_requested_on")),
        ("听证通知", case.get("hearing_notice_on")),
        ("举行听证", case.get("hearing_held_on")),
        ("当事人撤回听证申请", case.get("hearing_withdrawn_on")),
    ]
    for review in case.get("legal_reviews") or []:
        stages.append(("法制审核" + ("通过" if review["passed"] else "退回"), review["reviewed_on"]))
    stages += [
        ("作出决定", case.get("decided_on")),
        ("送达决定书", case.get("served_on")),
        ("公示", case.get("published_on")),
        ("执行完毕", case.get("executed_on")),
        ("结案", case.get("closed_on")),
        ("决定被撤销", case.get("revoked_on")),
        ("撤回公示", case.get("publication_withdrawn_on")),
    ]
    return [(name, day) for name, day in stages if day]


# --- 案件: the list
CASE_FILTERS = ("agency_code", "type_code", "status", "from", "to", "overdue", "flagged")


def filtered_list(path: str, names: tuple[str, ...]) -> tuple[dict, dict, FormErrors]:
    """A list page's filters (an agency admin's own agency: no agency filter), its page, and a refused filter's
    errors (an empty page then)."""
    chosen = filters(*names)
    if own_agency():
        chosen.pop("agency_code", None)
    query = {**chosen, **paging()}
    try:
        return chosen, api().get(path, query), NO_ERRORS
    except ApiError as error:
        if error.status != 400:
            raise
        return chosen, {"items": [], "total": 0, "page": 1, "per_page": query["per_page"]}, FormErrors(error)


@blueprint.route("/")
@staff(*ADMINS)
def index():
    chosen, data, errors = filtered_list("/cases", CASE_FILTERS)
    names = agencies()
    return render_template(
        "cases/index.html",
        data=data,
        chosen=chosen,
        errors=errors,
        names=names,
        agency_options=sorted(names.items()) if not own_agency() else [],
    ), (400 if errors else 200)


# --- report a case (立案)
REPORT_FIELDS = (
    "case_number",
    "item_id",
    "filed_on",
    "violation_on",
    "procedure",
    "harm",
    "party.kind",
    "party.name",
    "party.id_number",
    "party.credit_code",
    "investigation_ended_on",
    "notice_on",
)


def _report_body(agency_code: str) -> dict:
    values = _form(*REPORT_FIELDS)
    party = {k.split(".", 1)[1]: values.pop(k) for k in list(values) if k.startswith("party.")}
    party["is_enterprise"] = request.form.get("party.is_enterprise") == "true"
    officers = [{"officer_id": o} for o in request.form.getlist("officers") if o]
    body = {**values, "agency_code": agency_code, "party": party, "officers": officers}
    body["minor_violation"] = request.form.get("minor_violation") == "true"
    return body


@blueprint.route("/new", methods=["GET", "POST"])
@staff(*ADMINS)
def new_case():
    agency_code = own_agency() or request.values.get("agency_code", "").strip()
    errors, status = NO_ERRORS, 200
    if request.method == "POST" and agency_code:
        try:
            case = api().post("/cases", _report_body(agency_code))
        except ApiError as error:
            errors, status = _failed(error)
        else:
            flash(f"案件 {case['case_number']} 已立案登记。", "success")
            return redirect(url_for("cases.case", case_id=case["case_id"]))
    items, officers = [], []
    if agency_code:
        items = api().get("/catalogue/items", {"agency_code": agency_code, "per_page": 500})["items"]
        officers = api().get("/officers", {"agency_code": agency_code, "status": "active", "per_page": 500})["items"]
    return render_template(
        "cases/new_case.html",
        agency_code=agency_code,
        agency_options=sorted(agencies().items()) if not own_agency() else [],
        items=items,
        officers=officers,
        form=request.form,
        chosen_officers=request.form.getlist("officers"),
        errors=errors,
    ), status


# --- a case's page and its writes
def _render_case(case_id: str, form: str = "", errors: FormErrors = NO_ERRORS, status: int = 200):
    case = api().get(f"/cases/{case_id}")
    types = {t["code"]: t for t in item_types()}
    reviewers, agency_names = [], agencies()
    if case["status"] == "filed":
        reviewers = _reviewers(case["agency_code"])
    benchmark = None
    if case.get("type_code") == "penalty":
        versions = api().get(f"/catalogue/items/{case['item_id']}/benchmarks", {"per_page": 500})["items"]
        benchmark = versions[-1] if versions else None
    on = today()
    try:
        staff_names = {
            o["officer_id"]: o["name"]
            for o in api().get("/officers", {"agency_code": case["agency_code"], "per_page": 500})["items"]
        }
    except ApiError:
        staff_names = {}
    return render_template(
        "cases/case.html",
        officer_names=staff_names,
        case=case,
        item_type=types.get(case["type_code"]),
        checks=procedure_checks(case, types.get(case["type_code"])),
        stages=timeline(case),
        deadlines=[(d, deadline_state(d, on)) for d in case.get("deadlines") or []],
        reviewers=reviewers,
        benchmark=benchmark,
        names=agency_names,
        transfer_options=sorted((c, n) for c, n in agency_names.items() if c != case["agency_code"]),
        form=form,
        errors=errors,
        values=request.form,
    ), status


def _reviewers(agency_code: str) -> list[dict]:
    """The case's agency's legal reviewers, then the county pool's where this person may read them (the justice
    bureau's 公职律师 by default: the bureau reads them; an agency administrator types a pool reviewer's number)."""
    found = []
    for code in [agency_code, *(c for c, a in _supervisors().items() if c != agency_code)]:
        try:
            rows = api().get("/legal-reviewers", {"agency_code": code, "per_page": 500})["items"]
        except ApiError:
            continue
        found += [{**r, "pool": code != agency_code} for r in rows]
    return found


def _supervisors() -> dict:
    """The supervising agencies (县司法局): the county reviewer pool's default home."""
    try:
        return {a["code"]: a for a in api().get("/agencies", {"per_page": 500})["items"] if a.get("is_supervisor")}
    except ApiError:
        return {}


@blueprint.route("/<case_id>")
@staff(*ADMINS)
def case(case_id):
    return _render_case(case_id)


def _case_write(case_id: str, form: str, send, done: str, rename: dict | None = None):
    try:
        send()
    except ApiError as error:
        errors, status = _failed(error)
        for api_name, html_name in (rename or {}).items():
            if api_name in errors.fields:
                errors.fields[html_name] = errors.fields.pop(api_name)
        return _render_case(case_id, form, errors, status)
    flash(done, "success")
    return redirect(url_for("cases.case", case_id=case_id) + f"#{form}")


@blueprint.route("/<case_id>/review", methods=["POST"])
@staff(*ADMINS)
def review(case_id):
    body = _form("reviewer_id", "reviewed_on", "opinion")
    typed = request.form.get("pool_reviewer_id", "").strip()
    if typed and not body.get("reviewer_id"):
        body["reviewer_id"] = typed  # a county pool reviewer this person cannot list
    if request.form.get("passed") in ("true", "false"):
        body["passed"] = request.form["passed"] == "true"
    return _case_write(
        case_id, "review", lambda: api().post(f"/cases/{case_id}/legal-reviews", body), "法制审核结果已登记。"
    )


@blueprint.route("/<case_id>/stages", methods=["POST"])
@staff(*ADMINS)
def stages(case_id):
    names = (
        "investigation_ended_on",
        "notice_on",
        "hearing_requested_on",
        "hearing_notice_on",
        "hearing_held_on",
        "served_on",
        "executed_on",
        "closed_on",
    )
    body = _form(*names)
    return _case_write(case_id, "stages", lambda: api().patch(f"/cases/{case_id}", body), "办案环节已登记。")


@blueprint.route("/<case_id>/hearing-withdrawal", methods=["POST"])
@staff(*ADMINS)
def hearing_withdrawal(case_id):
    body = _form("hearing_withdrawn_on", "hearing_withdrawn_by")
    return _case_write(
        case_id,
        "hearing-withdrawal",
        lambda: api().patch(f"/cases/{case_id}", body),
        "已登记当事人撤回听证申请。",
    )


@blueprint.route("/<case_id>/decision", methods=["POST"])
@staff(*ADMINS)
def decide(case_id):
    body = _form("decided_on", "circumstance", "lenient", "summary")
    if request.form.get("has_penalty") == "true":
        kinds = request.form.getlist("penalty.kinds")
        fine = request.form.get("penalty.fine_amount", "").strip()
        body["penalty"] = {"kinds": kinds, "fine_amount": fine or None}
    return _case_write(case_id, "decision", lambda: api().post(f"/cases/{case_id}/decision", body), "决定已登记。")


@blueprint.route("/<case_id>/publication", methods=["POST"])
@staff(*ADMINS)
def publish(case_id):
    body = _form("published_on")
    return _case_write(
        case_id, "publication", lambda: api().post(f"/cases/{case_id}/publication", body), "公示已登记。"
    )


@blueprint.route("/<case_id>/revocation", methods=["POST"])
@staff(*ADMINS)
def revoke(case_id):
    body = _form("changed_on", "reason", "ground")
    body["revoked"] = request.form.get("revoked", "true") == "true"
    return _case_write(
        case_id, "revocation", lambda: api().post(f"/cases/{case_id}/revocation", body), "决定的变更或撤销已登记。"
    )


@blueprint.route("/<case_id>/withdrawal", methods=["POST"])
@staff(*ADMINS)
def withdraw(case_id):
    body = _form("withdrawn_on")
    return _case_write(
        case_id,
        "withdrawal",
        lambda: api().post(f"/cases/{case_id}/publication/withdrawal", body),
        "公示已撤回。",
    )


@blueprint.route("/<case_id>/transfer", methods=["POST"])
@staff(*ADMINS)
def propose_transfer(case_id):
    body = _form("to_agency_code", "proposed_on")
    body.update(_clean({"reason": request.form.get("transfer_reason", "")}))
    return _case_write(
        case_id,
        "transfer",
        lambda: api().post(f"/cases/{case_id}/transfers", body),
        "移送建议已登记，待负责人决定。",
        rename={"reason": "transfer_reason"},
    )


# --- 执法事项目录
@blueprint.route("/catalogue")
@staff(*ADMINS)
def catalogue():
    chosen = filters("agency_code", "type_code", "include_cancelled")
    data = api().get("/catalogue/items", {**chosen, **paging()})
    names = agencies()
    return render_template("cases/catalogue.html", data=data, chosen=chosen, names=names)


@blueprint.route("/catalogue/new", methods=["GET", "POST"])
@staff(*ADMINS)
def new_item():
    errors, status = NO_ERRORS, 200
    if request.method == "POST":
        body = _form("agency_code", "code", "type_code", "name", "domain", "legal_basis", "effective_from")
        if own_agency():
            body["agency_code"] = own_agency()
        try:
            item = api().post("/catalogue/items", body)
        except ApiError as error:
            errors, status = _failed(error)
        else:
            flash(f"执法事项“{item['name']}”已列入目录。", "success")
            return redirect(url_for("cases.item", item_id=item["item_id"]))
    return render_template(
        "cases/new_item.html",
        errors=errors,
        form=request.form,
        agency_options=sorted(agencies().items()) if not own_agency() else [],
        domain_options=sorted(messages.LABELS.get("enforcement_domain", {}).items()),
    ), status


def _render_item(item_id: str, form: str = "", errors: FormErrors = NO_ERRORS, status: int = 200):
    item = api().get(f"/catalogue/items/{item_id}")
    benchmarks = api().get(f"/catalogue/items/{item_id}/benchmarks", {"per_page": 500})["items"]
    lenient = api().get("/lenient-lists", {"agency_code": item["agency_code"], "per_page": 500})["items"]
    return render_template(
        "cases/item.html",
        item=item,
        benchmarks=benchmarks,
        lenient=[e for e in lenient if e["item_id"] == item_id],
        names=agencies(),
        may_write=role() == BUREAU or own_agency() == item["agency_code"],
        form=form,
        errors=errors,
        values=request.form,
        domain_options=sorted(messages.LABELS.get("enforcement_domain", {}).items()),
    ), status


@blueprint.route("/catalogue/<item_id>")
@staff(*ADMINS)
def item(item_id):
    return _render_item(item_id)


def _item_write(item_id: str, form: str, send, done: str, rename: dict | None = None):
    try:
        send()
    except ApiError as error:
        errors, status = _failed(error)
        for api_name, html_name in (rename or {}).items():
            if api_name in errors.fields:
                errors.fields[html_name] = errors.fields.pop(api_name)
        return _render_item(item_id, form, errors, status)
    flash(done, "success")
    return redirect(url_for("cases.item", item_id=item_id))


def _renamed(rename: dict) -> dict:
    """A form's values sent under the API's names (``rename``: API name → the field's name on the page)."""
    return _clean({api_name: request.form.get(html_name, "") for api_name, html_name in rename.items()})


@blueprint.route("/catalogue/<item_id>/versions", methods=["POST"])
@staff(*ADMINS)
def change_item(item_id):
    rename = {"effective_from": "version_from", "reason": "version_reason"}
    body = {**_form("name", "domain", "legal_basis"), **_renamed(rename)}
    return _item_write(
        item_id,
        "version",
        lambda: api().post(f"/catalogue/items/{item_id}/versions", body),
        "新版本已登记。",
        rename,
    )


@blueprint.route("/catalogue/<item_id>/cancellation", methods=["POST"])
@staff(*ADMINS)
def cancel_item(item_id):
    rename = {"reason": "cancel_reason"}
    body = {**_form("cancelled_on"), **_renamed(rename)}
    return _item_write(
        item_id,
        "cancel",
        lambda: api().post(f"/catalogue/items/{item_id}/cancellation", body),
        "执法事项已取消。",
        rename,
    )


def benchmark_body(form) -> dict:
    """The benchmark form (one row per tier 轻微/一般/较重/严重; a row with no penalty kind is left out)."""
    tiers = []
    for code, label in TIER_ROWS:
        kinds = form.getlist(f"{code}.kinds")
        if not kinds:
            continue
        tier = {"tier": code, "label": label, "penalty_kinds": kinds}
        for bound in ("fine_min", "fine_max"):
            value = form.get(f"{code}.{bound}", "").strip()
            if value:
                tier[bound] = value
        tiers.append(tier)
    return _clean({"effective_from": form.get("effective_from", ""), "note": form.get("note", "")}) | {"tiers": tiers}


def benchmark_field_errors(errors: FormErrors, body: dict) -> None:
    """The API names a tier's problem ``tiers.1.fine_max``; the form shows it beside 一般's 罚款上限."""
    for name in list(errors.fields):
        parts = name.split(".")
        if parts[0] == "tiers" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(body["tiers"]):
            code = body["tiers"][int(parts[1])]["tier"]
            target = f"{code}.{parts[2]}" if parts[2] in ("fine_min", "fine_max") else "effective_from"
            errors.fields.setdefault(target, []).extend(errors.fields.pop(name))


@blueprint.route("/catalogue/<item_id>/benchmarks", methods=["POST"])
@staff(*ADMINS)
def set_benchmark(item_id):
    body = benchmark_body(request.form)
    if not body["tiers"]:
        errors = FormErrors(fields={"effective_from": []}, sentence="请至少为一个档次选择处罚种类。")
        return _render_item(item_id, "benchmark", errors, 400)
    try:
        api().post(f"/catalogue/items/{item_id}/benchmarks", body)
    except ApiError as error:
        errors, status = _failed(error)
        benchmark_field_errors(errors, body)
        return _render_item(item_id, "benchmark", errors, status)
    flash("裁量基准已备案。", "success")
    return redirect(url_for("cases.item", item_id=item_id))


@blueprint.route("/catalogue/<item_id>/lenient", methods=["POST"])
@staff(*ADMINS)
def add_lenient(item_id):
    rename = {"effective_from": "lenient_from"}
    body = {**_form("list_kind", "conditions"), **_renamed(rename), "item_id": item_id}
    return _item_write(item_id, "lenient", lambda: api().post("/lenient-lists", body), "已列入清单并备案。", rename)


# --- 裁量基准 and the lenient lists
@blueprint.route("/benchmarks")
@staff(*ADMINS)
def benchmarks():
    chosen = filters("agency_code")
    data = api().get("/public/benchmarks", {**chosen, **paging()})
    return render_template("cases/benchmarks.html", data=data, chosen=chosen, names=agencies())


@blueprint.route("/lenient-lists")
@staff(*ADMINS)
def lenient():
    chosen = filters("agency_code", "list_kind", "include_removed")
    data = api().get("/lenient-lists", {**chosen, **paging()})
    return render_template("cases/lenient.html", data=data, chosen=chosen, names=agencies(), own=own_agency())


@blueprint.route("/lenient-lists/<int:entry_id>/removal", methods=["POST"])
@staff(*ADMINS)
def remove_lenient(entry_id):
    body = _form("removed_on", "reason")
    try:
        api().post(f"/lenient-lists/{entry_id}/removal", body)
    except ApiError as error:
        if error.status not in WRITE_FAILURES:
            raise
        flash("未能移出：" + "；".join([FormErrors(error).sentence, *_all_field_messages(error)]), "error")
    else:
        flash("已移出清单并备案。", "success")
    return redirect(url_for("cases.lenient"))


def _all_field_messages(error: ApiError) -> list[str]:
    return [m for values in messages.field_errors(error.fields).values() for m in values]


# --- 案件移送
@blueprint.route("/transfers")
@staff(*ADMINS)
def transfers():
    chosen = filters("agency_code")
    data = api().get("/transfers", {**chosen, **paging()})
    return render_template("cases/transfers.html", data=data, chosen=chosen, names=agencies())


def _render_transfer(transfer_id: str, errors: FormErrors = NO_ERRORS, status: int = 200, form: str = ""):
    transfer = api().get(f"/transfers/{transfer_id}")
    mine = own_agency()
    return render_template(
        "cases/transfer.html",
        transfer=transfer,
        names=agencies(),
        sender=role() == BUREAU or mine == transfer["from_agency_code"],
        receiver=role() == BUREAU or mine == transfer["to_agency_code"],
        errors=errors,
        form=form,
        values=request.form,
    ), status


@blueprint.route("/transfers/<transfer_id>")
@staff(*ADMINS)
def transfer(transfer_id):
    return _render_transfer(transfer_id)


def _local_datetime(value: str) -> str | None:
    """A datetime-local input (Beijing time) as the API's ISO time with its offset."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=CHINA).isoformat()
    except ValueError:
        return value  # the API names the field


@blueprint.route("/transfers/<transfer_id>/<step>", methods=["POST"])
@staff(*ADMINS)
def transfer_step(transfer_id, step):
    if step == "decision":
        body = _clean({"decided_at": _local_datetime(request.form.get("decided_at", "")), **_form("note")})
        if request.form.get("approved") in ("true", "false"):
            body["approved"] = request.form["approved"] == "true"
    elif step == "handover":
        body = _clean({"handed_over_at": _local_datetime(request.form.get("handed_over_at", ""))})
    elif step == "acknowledgement":
        body = _form("acknowledged_on")
    else:
        abort(404)
    try:
        api().post(f"/transfers/{transfer_id}/{step}", body)
    except ApiError as error:
        errors, status = _failed(error)
        return _render_transfer(transfer_id, errors, status, step)
    flash(
        {"decision": "负责人决定已登记。", "handover": "移交已登记。", "acknowledgement": "已签收。"}[step], "success"
    )
    return redirect(url_for("cases.transfer", transfer_id=transfer_id))


# --- 涉企行政检查
@blueprint.route("/inspections", methods=["GET", "POST"])
@staff(*ADMINS)
def inspections():
    chosen = filters("agency_code", "credit_code", "year")
    errors, status = NO_ERRORS, 200
    if request.method == "POST":
        body = _form("enterprise_name", "inspected_on", "kind", "domain", "result", "draw_id")
        body.update(_renamed({"credit_code": "target_credit_code"}))
        body["agency_code"] = own_agency() or request.form.get("agency_code", "")
        body["officers"] = [o for o in request.form.getlist("officers") if o]
        body["joint_agencies"] = [a for a in request.form.getlist("joint_agencies") if a]
        try:
            recorded = api().post("/inspections", _clean(body) | {"officers": body["officers"]})
        except ApiError as error:
            errors, status = _failed(error)
            if "credit_code" in errors.fields:
                errors.fields["target_credit_code"] = errors.fields.pop("credit_code")
        else:
            flash(
                "检查已登记。"
                + "".join(f"提示：{_warning_detail(w['message'])}。" for w in recorded.get("warnings", [])),
                "success" if not recorded.get("warnings") else "warning",
            )
            return redirect(url_for("cases.inspections"))
    data = api().get("/inspections", {**chosen, **paging()})
    lead = request.form.get("agency_code") or request.args.get("lead", "")
    agency_code = own_agency() or lead
    officers = []
    if agency_code:
        officers = api().get("/officers", {"agency_code": agency_code, "status": "active", "per_page": 500})["items"]
    names = agencies()
    return render_template(
        "cases/inspections.html",
        lead=lead,
        data=data,
        chosen=chosen,
        names=names,
        agency_options=sorted(names.items()),
        joint_options=sorted((code, name) for code, name in names.items() if code != agency_code),
        officers=officers,
        errors=errors,
        form=request.form,
        domain_options=sorted(messages.LABELS.get("enforcement_domain", {}).items()),
    ), status


# --- 双随机抽查
@blueprint.route("/draws", methods=["GET", "POST"])
@staff(*ADMINS)
def draws():
    chosen = filters("agency_code", "published")
    errors, status, which = NO_ERRORS, 200, ""
    if request.method == "POST":
        which = request.form.get("form", "draw")
        picked = "directory_agency" if which == "directory" else "draw_agency"
        agency_code = own_agency() or request.form.get(picked, "")
        try:
            if which == "directory":
                entries = directory_entries(request.form.get("entries", ""))
                done = api().post("/inspections/directory", {"agency_code": agency_code, "entries": entries})
                flash(
                    f"名录库已更新：新增 {done['added']} 户，更新 {done['updated']} 户，共 {done['total']} 户。",
                    "success",
                )
                return redirect(url_for("cases.draws"))
            body = _form("domain", "target_count", "category", "drawn_on")
            draw = api().post("/inspections/draws", {**body, "agency_code": agency_code})
        except ApiError as error:
            errors, status = _failed(error)
            if "agency_code" in errors.fields:
                errors.fields[picked] = errors.fields.pop("agency_code")
        else:
            flash("已计划抽取：名录库和检查人员库已固定，随机种子摘要已公布。确认后点击“执行抽取”。", "success")
            return redirect(url_for("cases.draw", draw_id=draw["draw_id"]))
    data = api().get("/inspections/draws", {**chosen, **paging()})
    names = agencies()
    return render_template(
        "cases/draws.html",
        data=data,
        chosen=chosen,
        names=names,
        agency_options=sorted(names.items()),
        errors=errors,
        which=which,
        form=request.form,
        domain_options=sorted(messages.LABELS.get("enforcement_domain", {}).items()),
    ), status


def directory_entries(text: str) -> list[dict]:
    """The directory form: one enterprise a line, ``统一社会信用代码，名称[，类别]`` (Chinese or ASCII commas, or tabs
    as pasted from a spreadsheet)."""
    entries = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace("，", ",").replace("\t", ",").split(",")]
        if not any(parts):
            continue
        entry = {"credit_code": parts[0], "name": parts[1] if len(parts) > 1 else ""}
        if len(parts) > 2 and parts[2]:
            entry["category"] = parts[2]
        entries.append(entry)
    return entries


@blueprint.route("/draws/<draw_id>", methods=["GET", "POST"])
@staff(*ADMINS)
def draw(draw_id):
    errors, status = NO_ERRORS, 200
    if request.method == "POST":
        try:
            api().post(f"/inspections/draws/{draw_id}/publication", _form("published_on"))
        except ApiError as error:
            errors, status = _failed(error)
        else:
            flash("抽查结果已公示。", "success")
            return redirect(url_for("cases.draw", draw_id=draw_id))
    found = api().get(f"/inspections/draws/{draw_id}")
    wanted = request.args.get("replay") and found.get("state") != "planned"  # a planned draw has nothing to replay
    replay = api().get(f"/inspections/draws/{draw_id}/replay") if wanted else None
    return render_template(
        "cases/draw.html", draw=found, replay=replay, names=agencies(), errors=errors, form=request.form
    ), status


BATCH_RENAME = {"agency_code": "batch_agency", "type_code": "batch_type"}


# --- 案卷评查
@blueprint.route("/reviews", methods=["GET", "POST"])
@staff(*ADMINS)
def reviews():
    errors, status = NO_ERRORS, 200
    if request.method == "POST":
        if role() != BUREAU:
            abort(403)
        body = {**_form("closed_from", "closed_to", "size"), **_renamed(BATCH_RENAME)}
        try:
            batch = api().post("/reviews/batches", body)
        except ApiError as error:
            errors, status = _failed(error)
            for api_name, html_name in BATCH_RENAME.items():
                if api_name in errors.fields:
                    errors.fields[html_name] = errors.fields.pop(api_name)
        else:
            flash("已计划评查批次：案卷范围已固定，随机种子摘要已公布。确认后点击“执行抽取”。", "success")
            return redirect(url_for("cases.batch", batch_id=batch["batch_id"]))
    chosen = filters("agency_code", "grade")
    files = api().get("/reviews/files", {**chosen, **paging()})
    batches = api().get("/reviews/batches", {"per_page": 20}) if role() == BUREAU else None
    names = agencies()
    return render_template(
        "cases/reviews.html",
        files=files,
        batches=batches,
        chosen=chosen,
        names=names,
        agency_options=sorted(names.items()),
        errors=errors,
        form=request.form,
    ), status


def _render_batch(batch_id: str, errors: FormErrors = NO_ERRORS, status: int = 200):
    found = api().get(f"/reviews/batches/{batch_id}")
    officers = api().get("/officers", {"status": "active", "per_page": 500})["items"]
    return render_template(
        "cases/batch.html", batch=found, officers=officers, names=agencies(), errors=errors, form=request.form
    ), status


@blueprint.route("/reviews/<batch_id>", methods=["GET", "POST"])
@staff(BUREAU)
def batch(batch_id):
    if request.method == "POST":
        assignments = [
            {"file_id": key.split(".", 1)[1], "reviewer_id": value}
            for key, value in request.form.items()
            if key.startswith("reviewer.") and value
        ]
        try:
            api().post(f"/reviews/batches/{batch_id}/assignments", {"assignments": assignments})
        except ApiError as error:
            errors, status = _failed(error)
            return _render_batch(batch_id, errors, status)
        flash("评查人员已指定。", "success")
        return redirect(url_for("cases.batch", batch_id=batch_id))
    return _render_batch(batch_id)


def item_errors(errors: FormErrors, error: ApiError) -> None:
    """A deduction refused for one checklist item (``documents deducts at most 10 points``) is shown beside that
    item's field, not under the whole list."""
    for raw in error.fields.get("deductions") or []:
        found = re.match(r"^(\w+) (?:deducts at most|is not a form or content item)", str(raw))
        if found:
            errors.fields.setdefault(f"deduct.{found.group(1)}", []).append(messages.field_message(raw))
    if any(name.startswith("deduct.") for name in errors.fields):
        errors.fields.pop("deductions", None)


def score_body(form, checklist: list[dict]) -> dict:
    """The scoring form: a basic item ticked as failed, or points deducted for a form or content item."""
    failures, deductions = [], []
    for item in checklist:
        if item["section"] == "basic":
            if form.get(f"fail.{item['code']}") == "true":
                failures.append(item["code"])
            continue
        points = form.get(f"deduct.{item['code']}", "").strip()
        if points and points != "0":
            deduction = {"code": item["code"], "points": points}
            note = form.get(f"note.{item['code']}", "").strip()
            if note:
                deduction["note"] = note
            deductions.append(deduction)
    return _clean({"scored_on": form.get("scored_on", ""), "note": form.get("note", "")}) | {
        "basic_failures": failures,
        "deductions": deductions,
    }


@blueprint.route("/reviews/<batch_id>/files/<file_id>", methods=["GET", "POST"])
@staff(BUREAU)
def score(batch_id, file_id):
    found = api().get(f"/reviews/batches/{batch_id}")
    file = next((f for f in found["files"] if f["file_id"] == file_id), None)
    if file is None:
        abort(404)
    checklists = api().get("/reviews/checklists", {"per_page": 500})["items"]
    checklist = next(c for c in checklists if c["version"] == found["checklist_version"])
    errors, status = NO_ERRORS, 200
    if request.method == "POST":
        try:
            scored = api().post(f"/reviews/files/{file_id}/score", score_body(request.form, checklist["items"]))
        except ApiError as error:
            errors, status = _failed(error)
            item_errors(errors, error)
        else:
            grade = messages.label("review_grade", scored["grade"])
            flash(f"案卷 {scored['case_number']} 评分 {scored['total']} 分，{grade}。", "success")
            return redirect(url_for("cases.batch", batch_id=batch_id))
    return render_template(
        "cases/score.html", batch=found, file=file, checklist=checklist, errors=errors, form=request.form
    ), status
