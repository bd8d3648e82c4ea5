"""案件 · 错案纠正与责任追究: what follows a failing case file (案卷评查 不合格). A correction (错案纠正) and an
accountability record (过错责任追究) are each 交办 (assigned), given a 处理决定 (decided: the correction's measure, or
per officer concerned an outcome or an exemption, 尽职免责 / 容错纠错, with its ground) and 办结 (closed), each step
within its deadline. The list and the record's page add to the cases blueprint; the cases service decides who may move
which record on (the bureau every one; an agency administrator its own agency's corrections)."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for

from ..gateway import ApiError
from ..navigation import ADMINS, BUREAU
from ..pages import NO_ERRORS, FormErrors, api, role, staff
from .cases import _clean, _failed, agencies, blueprint, filtered_list, own_agency

FILTERS = ("agency_code", "kind", "state", "overdue")
STEPS = {"assignment": "assigned", "decision": "decided", "closure": "closed"}
# the step a record in each state waits for: (its form, its name)
NEXT_STEP = {"opened": ("assignment", "交办"), "assigned": ("decision", "处理决定"), "decided": ("closure", "办结")}
DONE = {"assignment": "已交办。", "decision": "处理决定已登记。", "closure": "已办结。"}


def may_move(record: dict, who: str | None, agency: str | None) -> bool:
    """The bureau moves every record on; an agency administrator its own agency's corrections (accountability is the
    bureau's)."""
    if who == BUREAU:
        return True
    return who == "agency_admin" and record["kind"] == "correction" and record["agency_code"] == agency


def decision_body(form, kind: str, officer_ids: list[str]) -> dict:
    """The 处理决定 form as the API's body: a correction's measure, or for each officer concerned an exemption (when its
    kind is chosen: with its ground and text) or else an outcome."""
    body = _clean({"decided_on": form.get("decided_on", ""), "note": form.get("note", "")})
    if kind == "correction":
        body.update(_clean({"measure": form.get("measure", "")}))
        return body
    officers = []
    for officer_id in officer_ids:
        entry = {"officer_id": officer_id}
        exemption = form.get(f"exemption_kind.{officer_id}", "").strip()
        if exemption:
            entry["exemption"] = {
                "kind": exemption,
                "ground": form.get(f"exemption_ground.{officer_id}", "").strip(),
                "text": form.get(f"exemption_text.{officer_id}", "").strip(),
            }
        else:
            entry["outcome"] = form.get(f"outcome.{officer_id}", "").strip() or None
        note = form.get(f"note.{officer_id}", "").strip()
        if note:
            entry["note"] = note
        officers.append(entry)
    body["officers"] = officers
    return body


REASON = re.compile(r"^案卷评查 不合格: (\d+) points(?:; basic items failed: (.+))?$")


def reason_cn(reason: str | None, item_labels: dict[str, str]) -> str:
    """The service's reason (``案卷评查 不合格: 0 points; basic items failed: evidence``) as a page says it, each
    failed basic item by its checklist label."""
    found = REASON.match(reason or "")
    if not found:
        return reason or "案卷评查不合格"
    text = f"案卷评查不合格（{found.group(1)} 分）"
    if found.group(2):
        failed = [item_labels.get(code.strip(), code.strip()) for code in found.group(2).split(",")]
        text += "；不符合的基本项：" + "；".join(failed)
    return text


def _item_labels() -> dict[str, str]:
    try:
        checklists = api().get("/reviews/checklists", {"per_page": 500})["items"]
    except ApiError:
        return {}
    return {item["code"]: item["label"] for checklist in checklists for item in checklist.get("items", [])}


OFFICER_FIELD = re.compile(r"^officers\.(\d+)\.(?:(exemption)\.)?(\w+)$")


def officer_errors(errors: FormErrors, officer_ids: list[str]) -> None:
    """A refusal naming ``officers.1.exemption.ground`` is shown beside that officer's 免责事由."""
    for name in list(errors.fields):
        found = OFFICER_FIELD.match(name)
        if not found or int(found.group(1)) >= len(officer_ids):
            continue
        officer_id, field = officer_ids[int(found.group(1))], found.group(3)
        html = f"exemption_{field}.{officer_id}" if found.group(2) else f"{field}.{officer_id}"
        errors.fields.setdefault(html, []).extend(errors.fields.pop(name))


@blueprint.route("/followups")
@staff(*ADMINS)
def followups():
    chosen, data, errors = filtered_list("/reviews/followups", FILTERS)
    names = agencies()
    return render_template(
        "cases/followups.html",
        data=data,
        chosen=chosen,
        errors=errors,
        names=names,
        agency_options=sorted(names.items()) if not own_agency() else [],
    ), (400 if errors else 200)


def _render_followup(record_id: int, form: str = "", errors: FormErrors = NO_ERRORS, status: int = 200):
    record = api().get(f"/reviews/followups/{record_id}")
    try:
        officers = api().get("/officers", {"agency_code": record["agency_code"], "per_page": 500})["items"]
        officer_names = {o["officer_id"]: o["name"] for o in officers}
    except ApiError:
        officer_names = {}
    names = agencies()
    return render_template(
        "cases/followup.html",
        record=record,
        reason=reason_cn(record.get("reason"), _item_labels()),
        names=names,
        agency_options=sorted(names.items()),
        officer_names=officer_names,
        next_step=NEXT_STEP.get(record["state"]),
        can_move=may_move(record, role(), own_agency()),
        form=form,
        errors=errors,
        values=request.form,
    ), status


@blueprint.route("/followups/<int:record_id>")
@staff(*ADMINS)
def followup(record_id):
    return _render_followup(record_id)


@blueprint.route("/followups/<int:record_id>/<step>", methods=["POST"])
@staff(*ADMINS)
def followup_step(record_id, step):
    if step not in STEPS:
        abort(404)
    officer_ids = request.form.getlist("officer_ids")
    if step == "assignment":
        body = _clean({name: request.form.get(name, "") for name in ("assigned_on", "assignee", "note")})
        body.update(_clean({"assignee_agency_code": request.form.get("assignee_agency_code", "")}))
    elif step == "decision":
        body = decision_body(request.form, request.form.get("kind", ""), officer_ids)
    else:
        body = _clean({name: request.form.get(name, "") for name in ("closed_on", "note")})
    try:
        api().post(f"/reviews/followups/{record_id}/{step}", body)
    except ApiError as error:
        errors, status = _failed(error)
        officer_errors(errors, officer_ids)
        return _render_followup(record_id, step, errors, status)
    flash(DONE[step], "success")
    return redirect(url_for("cases.followup", record_id=record_id))
