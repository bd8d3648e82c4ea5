"""案件 · 案卷材料: a case's documents by stage (uploaded through the console, which passes the file on to the gateway
as it reads it, and downloaded through the console with the person's token: the gateway audits every download), its
whole-process recordings (执法全过程记录) and, on request, the verification of its records' hash chain (记录核验).
The pages add to the cases blueprint; the cases service decides who may read or add what (the bureau every case, an
agency its own)."""

from __future__ import annotations

import mimetypes
from datetime import datetime, timezone
from urllib.parse import quote

from flask import Response, flash, redirect, render_template, request, url_for

from ..gateway import ApiError
from ..navigation import ADMINS
from ..pages import NO_ERRORS, FormErrors, api, staff
from ..translations import cases as words
from .cases import CHINA, _clean, _failed, _local_datetime, blueprint, local_time_cn

# the kind catalogue's stages in the case's order, as the pages group documents
STAGES = list(words.RECORD_STAGE)
# the console takes a file as large as the catalogue's largest kind (a recording; app.LARGE_UPLOADS); the gateway
# checks each kind's own limit and names it when refusing
UPLOAD_LIMIT = 2048 * 1024 * 1024 + 1024 * 1024
CHUNK = 64 * 1024


def size_cn(count) -> str:
    """1.5 MB / 320 KB / 12 字节 (binary units, as the catalogue's limits are written)."""
    if count is None:
        return "—"
    count = int(count)
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            value = count / scale
            return f"{value:.1f} {unit}".replace(".0 ", " ")
    return f"{count} 字节"


def utc_time_cn(value) -> str:
    """A time the records answer in UTC (with an offset, or without one: documents' uploaded_at) in Beijing time."""
    if value in (None, ""):
        return "—"
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return local_time_cn(moment.astimezone(CHINA).isoformat())


@blueprint.context_processor
def _records_helpers():
    return {"size_cn": size_cn, "utc_time_cn": utc_time_cn}


def by_stage(documents: list[dict]) -> list[tuple[str, list[dict]]]:
    """The documents grouped by stage in the case's order (stages with none left out)."""
    groups = {stage: [] for stage in STAGES}
    for document in documents:
        groups.setdefault(document["stage"], []).append(document)
    return [(stage, rows) for stage, rows in groups.items() if rows]


def kind_options(kinds: list[dict]) -> list[tuple[str, str]]:
    """The 文书种类 choices, each with its stages and size limit: 行政处理决定书（决定；不超过 20 MB）."""
    options = []
    for kind in kinds:
        stages = kind.get("stages") or []
        where = "各环节" if len(stages) >= len(STAGES) - 1 else "、".join(words.RECORD_STAGE.get(s, s) for s in stages)
        options.append((kind["code"], f"{kind['name']}（{where}；不超过 {size_cn(kind['max_bytes'])}）"))
    return options


def media_type_of(upload) -> str:
    """The file's media type: the browser's, or from its name when the browser sent none or a generic one."""
    given = (upload.mimetype or "").lower()
    if given and given != "application/octet-stream":
        return given
    guessed = mimetypes.guess_type(upload.filename or "")[0]
    if (upload.filename or "").lower().endswith(".ofd"):
        guessed = "application/ofd"
    return guessed or given or "application/octet-stream"


def verification_summary(report: dict, documents: dict[str, dict]) -> dict:
    """The verification as a page says it: 完好, or each changed or missing file named by its document, and the
    altered chain entries."""

    def named(problem: dict) -> str:
        found = documents.get(problem.get("reference") or "")
        if found:
            kind = found.get("kind_name") or words.DOCUMENT_KINDS.get(found["kind"], found["kind"])
            return f"{kind}《{found.get('title') or found['document_id']}》（第 {problem['seq']} 条记录）"
        what = "执法全过程记录" if problem.get("entry_type") == "recording" else "文书"
        return f"{what} {problem.get('reference')}（第 {problem['seq']} 条记录）"

    return {
        "ok": bool(report.get("ok")),
        "entries": report.get("entries", 0),
        "files_checked": report.get("files_checked", 0),
        "changed": [named(p) for p in report.get("changed") or []],
        "missing": [named(p) for p in report.get("missing") or []],
        "altered": list(report.get("altered") or []),
        "gaps": list(report.get("gaps") or []),
    }


def _all_documents(case_id: str) -> list[dict]:
    found, page = [], 1
    while True:
        answer = api().get(f"/cases/{case_id}/documents", {"page": page, "per_page": 500})
        found += answer["items"]
        if page * answer["per_page"] >= answer["total"]:
            return found
        page += 1


def _render_records(case_id: str, form: str = "", errors: FormErrors = NO_ERRORS, status: int = 200):
    case = api().get(f"/cases/{case_id}")
    catalogue = api().get("/document-kinds")
    kinds = {k["code"]: k for k in catalogue["kinds"]}
    documents = _all_documents(case_id)
    for document in documents:
        document["kind_name"] = kinds.get(document["kind"], {}).get("name") or words.DOCUMENT_KINDS.get(
            document["kind"], document["kind"]
        )
    recordings = api().get(f"/cases/{case_id}/recordings")["items"]
    try:
        officers = api().get("/officers", {"agency_code": case["agency_code"], "per_page": 500})["items"]
        officer_names = {o["officer_id"]: o["name"] for o in officers}
    except ApiError:
        officer_names = {}
    verification = None
    if request.args.get("verify"):
        report = api().get(f"/cases/{case_id}/records/verification")
        verification = verification_summary(report, {d["document_id"]: d for d in documents})
    return render_template(
        "cases/records.html",
        case=case,
        catalogue=catalogue,
        kinds=kinds,
        kind_options=kind_options(catalogue["kinds"]),
        stages=by_stage(documents),
        documents=documents,
        recording_documents=[d for d in documents if d["kind"] == "recording"],
        recordings=recordings,
        officer_names=officer_names,
        verification=verification,
        form=form,
        errors=errors,
        values=request.form,
    ), status


@blueprint.route("/<case_id>/records")
@staff(*ADMINS)
def records(case_id):
    return _render_records(case_id)


@blueprint.route("/<case_id>/records/documents", methods=["POST"])
@staff(*ADMINS)
def upload_document(case_id):
    upload = request.files.get("file")
    query = _clean(
        {
            "kind": request.form.get("kind", ""),
            "stage": request.form.get("stage", ""),
            "title": request.form.get("title", "") or (upload.filename if upload else ""),
        }
    )
    if "title" in query:
        query["title"] = query["title"][:200]
    if "kind" in query and "stage" not in query:  # a kind of one stage needs no choice
        stages = next((k["stages"] for k in api().get("/document-kinds")["kinds"] if k["code"] == query["kind"]), [])
        if len(stages) == 1:
            query["stage"] = stages[0]
    if not upload or not upload.filename:
        errors = FormErrors(fields={"file": ["请选择要上传的文件"]}, sentence="请选择要上传的文件。")
        return _render_records(case_id, "upload", errors, 400)
    try:
        # the file object itself: requests sends it as it reads it (werkzeug spooled a large one to disk)
        document = (
            api()
            .call(
                "POST",
                f"/cases/{case_id}/documents",
                params=query,
                data=upload.stream,
                content_type=media_type_of(upload),
            )
            .json()
        )
    except ApiError as error:
        if error.status == 415:  # no kind takes this type: the gateway names the types it takes
            errors = FormErrors(error)
            errors.fields["file"] = errors.fields.pop("_body", []) or ["文件格式不支持"]
            return _render_records(case_id, "upload", errors, 400)
        errors, status = _failed(error)
        return _render_records(case_id, "upload", errors, status)
    kind = words.DOCUMENT_KINDS.get(document["kind"], document["kind"])
    flash(f"{kind}“{document.get('title') or upload.filename}”已上传（{size_cn(document['size_bytes'])}）。", "success")
    return redirect(url_for("cases.records", case_id=case_id) + "#documents")


@blueprint.route("/<case_id>/records/documents/<document_id>/file")
@staff(*ADMINS)
def download_document(case_id, document_id):
    """The gateway's answer passed on a chunk at a time, with its name and type (the gateway audits the download)."""
    answer = api().call("GET", f"/cases/{case_id}/documents/{document_id}/file", stream=True)
    response = Response(
        answer.iter_content(CHUNK), mimetype=answer.headers.get("Content-Type", "application/octet-stream")
    )
    for header in ("Content-Length", "ETag"):
        if answer.headers.get(header):
            response.headers[header] = answer.headers[header]
    response.headers["Content-Disposition"] = answer.headers.get(
        "Content-Disposition", f"attachment; filename*=UTF-8''{quote(document_id)}"
    )
    return response


RECORDING_FIELDS = ("device_id", "officer_id", "place", "document_id", "recorder_reference")


def recording_body(form) -> dict:
    """The register form: the times typed in Beijing time, and either the uploaded recording or the recorder's
    reference (the one chosen by ``source``)."""
    body = _clean({name: form.get(name, "") for name in RECORDING_FIELDS})
    for name in ("started_at", "ended_at"):
        value = _local_datetime(form.get(name, "").strip())
        if value:
            body[name] = value
    if form.get("source") == "reference":
        body.pop("document_id", None)
    elif form.get("source") == "document":
        body.pop("recorder_reference", None)
    return body


@blueprint.route("/<case_id>/records/recordings", methods=["POST"])
@staff(*ADMINS)
def register_recording(case_id):
    try:
        api().post(f"/cases/{case_id}/recordings", recording_body(request.form))
    except ApiError as error:
        errors, status = _failed(error)
        return _render_records(case_id, "recording", errors, status)
    flash("执法全过程记录已登记。", "success")
    return redirect(url_for("cases.records", case_id=case_id) + "#recordings")
