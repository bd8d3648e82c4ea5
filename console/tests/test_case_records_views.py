"""The pages of a case's records and of what follows a failing case file, rendered from canned gateway answers (no
services): documents by stage with their download links, an upload passed on as its file with its media type and the
refusal naming the limit beside 文件, a download passed through with its name, a recording registered in Beijing
time, the verification's 完好 or what changed; the follow-up list and a record's step forms for whoever may move it,
an exemption sent with its ground and a refusal shown beside that officer's field."""

from __future__ import annotations

import io
import re

import pytest
from console_support import client_as, text_of, unit_settings
from enforcement_console import messages
from enforcement_console.app import create_app
from enforcement_console.gateway import ApiError, Gateway
from enforcement_console.pages import FormErrors
from enforcement_console.views import cases_followups as followups
from enforcement_console.views import cases_records as records
from werkzeug.datastructures import MultiDict

MARKET, FARMING = "140928-scjgj", "140928-nyncj"
CASE_ID, DOC_ID = "c" * 32, "d" * 32
OFFICERS = ["o1" + "0" * 30, "o2" + "0" * 30]

CASE = {
    "case_id": CASE_ID,
    "case_number": "五市监罚〔2026〕88号",
    "agency_code": MARKET,
    "status": "decided",
    "item_id": "i" * 32,
    "item_name": "销售过期食品",
    "item_version": 1,
    "type_code": "penalty",
    "procedure": "ordinary",
    "party": {"kind": "organisation", "name": "五寨县某超市"},
    "filed_on": "2026-03-04",
    "decided_on": "2026-04-01",
    "officers": [{"officer_id": o} for o in OFFICERS],
    "records": {
        "missing_documents": [{"code": "service_receipt", "name": "送达回证"}],
        "completeness_enforced": True,
        "recording_required": True,
        "recordings": 0,
    },
}
KINDS = {
    "version": 1,
    "effective_from": "2026-01-01",
    "kinds": [
        {"code": "decision", "name": "行政处理决定书", "stages": ["decided"], "required": [], "max_bytes": 20 << 20,
         "media_types": ["application/pdf"]},
        {"code": "recording", "name": "执法记录仪音视频", "stages": ["investigated"], "required": [],
         "max_bytes": 2048 << 20, "media_types": ["video/mp4"]},
    ],
}  # fmt: skip
DOCUMENT = {
    "document_id": DOC_ID,
    "case_id": CASE_ID,
    "kind": "decision",
    "stage": "decided",
    "title": "行政处罚决定书",
    "media_type": "application/pdf",
    "size_bytes": 1536 * 1024,
    "sha256": "a" * 64,
    "catalogue_version": 1,
    "uploaded_by": "scj-cases",
    "uploaded_at": "2026-09-25T02:30:00",  # UTC, as the service answers it
    "chain_seq": 1,
}
RECORD = {
    "record_id": 7,
    "kind": "accountability",
    "state": "assigned",
    "case_id": CASE_ID,
    "case_number": CASE["case_number"],
    "file_id": "f" * 32,
    "agency_code": MARKET,
    "officer_ids": OFFICERS,
    "reason": "案卷评查不合格",
    "opened_on": "2026-11-02",
    "assigned_on": "2026-11-03",
    "assignee": "县司法局执法监督科",
    "assignee_agency_code": None,
    "assigned_by": "admin",
    "assigned_at": "2026-11-03T01:00:00Z",
    "decided_on": None,
    "decided_by": None,
    "measure": None,
    "officers": [],
    "exemptions": 0,
    "closed_on": None,
    "closed_by": None,
    "notes": {},
    "due_on": "2026-12-31",
    "overdue": False,
}

CORRECTION = {
    **RECORD,
    "record_id": 8,
    "kind": "correction",
    "state": "opened",
    "officer_ids": [],
    "due_on": "2026-12-07",
}


def page(*items) -> dict:
    return {"items": list(items), "total": len(items), "page": 1, "per_page": 20, "total_exact": True, "next": None}


ANSWERS = {
    f"/cases/{CASE_ID}": CASE,
    "/document-kinds": KINDS,
    f"/cases/{CASE_ID}/documents": {**page(DOCUMENT), "per_page": 500},
    f"/cases/{CASE_ID}/recordings": {"items": []},
    f"/cases/{CASE_ID}/records/verification": {
        "case_id": CASE_ID, "ok": True, "entries": 1, "files_checked": 1, "altered": [], "gaps": [], "changed": [],
        "missing": [],
    },
    "/officers": page(*({"officer_id": o, "name": n} for o, n in zip(OFFICERS, ("执法员甲", "执法员乙"), strict=True))),
    "/agencies": page({"code": MARKET, "name": "县市场监管局"}, {"code": FARMING, "name": "县农业农村局"}),
    "/reviews/followups/7": RECORD,
    "/catalogue/types": page({"code": "penalty", "penalty_procedure": True, "publish_decisions": True}),
    f"/catalogue/items/{'i' * 32}/benchmarks": page(),
}  # fmt: skip


class Answer:
    def __init__(self, body, headers=None, content=b""):
        self.body, self.headers, self.content = body, headers or {}, content

    def json(self):
        return self.body

    def iter_content(self, size):
        for start in range(0, len(self.content), size):
            yield self.content[start : start + size]


@pytest.fixture
def calls(monkeypatch):
    made = []

    def request(self, method, path, **kw):
        data = kw.get("data")
        sent = data.read() if hasattr(data, "read") else data
        made.append({"method": method, "path": path, **kw, "sent": sent})
        if method == "POST" and path == f"/cases/{CASE_ID}/documents":
            if kw["params"]["kind"] == "recording":
                raise ApiError(
                    400,
                    "validation_failed",
                    "the upload was refused: file: larger than the 2048 MiB limit of a recording (max_bytes 1)",
                    {"file": ["larger than the 2048 MiB limit of a recording (max_bytes 2147483648)"]},
                )
            return Answer({**DOCUMENT, "title": kw["params"].get("title"), "size_bytes": len(sent)})
        if path.endswith("/file"):
            headers = {
                "Content-Type": "application/pdf",
                "Content-Length": "7",
                "Content-Disposition": "attachment; filename*=UTF-8''%E5%86%B3%E5%AE%9A.pdf",
            }
            return Answer(None, headers, b"%PDF-1.")
        if method == "POST":
            return Answer({})
        if path == "/reviews/followups":  # filtered as the service filters them
            asked = {k: v for k, v in (kw.get("params") or {}).items() if k in ("kind", "state")}
            return Answer(page(*(r for r in (RECORD, CORRECTION) if all(r[k] == v for k, v in asked.items()))))
        if path not in ANSWERS:
            raise ApiError(404, "not_found", f"no {path}")
        return Answer(ANSWERS[path])

    monkeypatch.setattr(Gateway, "request", request)
    return made


@pytest.fixture
def app(calls):
    return create_app(unit_settings())


def test_the_records_page_lists_documents_by_stage_with_their_download_and_what_is_missing(app):
    answer = client_as(app, "agency_admin", MARKET).get(f"/cases/{CASE_ID}/records")
    text = text_of(answer)
    assert answer.status_code == 200
    assert "决定（1 份）" in text and "行政处理决定书 行政处罚决定书 1.5 MB scj-cases 2026年9月25日 10:30" in text
    assert f'href="/cases/{CASE_ID}/records/documents/{DOC_ID}/file"' in answer.get_data(as_text=True)
    assert "本案还缺少：送达回证。缺少必备文书的案件不能结案" in text and "尚未登记" in text
    assert "完好" not in text  # verified only when asked
    assert "行政处理决定书（决定；不超过 20 MB）" in text and "执法记录仪音视频（调查取证；不超过 2 GB）" in text
    case_page = text_of(client_as(app, "bureau").get(f"/cases/{CASE_ID}"))
    assert "按文书目录还缺少：送达回证。" in case_page and "查看、上传案卷材料" in case_page
    case_page = client_as(app, "bureau").get(f"/cases/{CASE_ID}/records?verify=1")
    assert "完好 记录链 1 条记录均未被改动，1 个文件均与上传时一致" in text_of(case_page)


def test_an_upload_is_passed_on_as_its_file_with_its_media_type_and_a_refusal_names_the_limit(app, calls):
    client = client_as(app, "agency_admin", MARKET)
    form = {
        "_csrf": "csrf-token",
        "kind": "decision",
        "stage": "decided",
        "file": (io.BytesIO(b"%PDF-1.7 x"), "决定.pdf"),
    }
    done = client.post(f"/cases/{CASE_ID}/records/documents", data=form, content_type="multipart/form-data")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/cases/{CASE_ID}/records#documents")
    [upload] = [c for c in calls if c["method"] == "POST"]
    assert upload["params"] == {"kind": "decision", "stage": "decided", "title": "决定.pdf"}
    assert upload["content_type"] == "application/pdf" and upload["sent"] == b"%PDF-1.7 x"
    form = {"_csrf": "csrf-token", "kind": "recording", "stage": "investigated", "file": (io.BytesIO(b"x"), "a.mp4")}
    refused = client.post(f"/cases/{CASE_ID}/records/documents", data=form, content_type="multipart/form-data")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert re.search(r'id="e-file">文件超过该类文书的大小上限 2048 MiB（2147483648 字节）<', html)
    form = {"_csrf": "csrf-token", "kind": "decision", "file": (io.BytesIO(b"%PDF-1.7 y"), "决定2.pdf")}
    assert client.post(f"/cases/{CASE_ID}/records/documents", data=form).status_code == 302
    assert calls[-1]["params"]["stage"] == "decided"  # the kind's one stage
    big = b"%PDF-1.7 " + b"0" * (26 << 20)  # over the console's 25 MB for other forms
    form = {"_csrf": "csrf-token", "kind": "decision", "stage": "decided", "file": (io.BytesIO(big), "卷宗.pdf")}
    assert client.post(f"/cases/{CASE_ID}/records/documents", data=form).status_code == 302
    assert calls[-1]["sent"] == big
    nothing = client.post(f"/cases/{CASE_ID}/records/documents", data={"_csrf": "csrf-token", "kind": "decision"})
    assert nothing.status_code == 400 and "请选择要上传的文件" in text_of(nothing)


def test_a_download_is_passed_through_with_its_name_and_type(app, calls):
    answer = client_as(app, "bureau").get(f"/cases/{CASE_ID}/records/documents/{DOC_ID}/file")
    assert answer.status_code == 200 and answer.data == b"%PDF-1."
    assert answer.mimetype == "application/pdf" and "%E5%86%B3%E5%AE%9A.pdf" in answer.headers["Content-Disposition"]
    [download] = [c for c in calls if c["path"].endswith("/file")]
    assert download["stream"] is True  # not read whole by the console


def test_the_media_type_comes_from_the_name_when_the_browser_sends_none():
    class Upload:
        def __init__(self, mimetype, filename):
            self.mimetype, self.filename = mimetype, filename

    assert records.media_type_of(Upload("video/mp4", "a.bin")) == "video/mp4"
    assert records.media_type_of(Upload("application/octet-stream", "笔录.PDF")) == "application/pdf"
    assert records.media_type_of(Upload("", "决定.ofd")) == "application/ofd"
    assert records.utc_time_cn("2026-09-20T01:30:00+00:00") == "2026年9月20日 09:30"
    assert records.size_cn(12) == "12 字节" and records.size_cn(2048) == "2 KB" and records.size_cn(3 << 30) == "3 GB"


def test_a_recording_is_sent_in_beijing_time_with_the_source_chosen():
    form = MultiDict(
        {
            "device_id": "DSJ-07",
            "officer_id": OFFICERS[0],
            "started_at": "2026-09-20T09:30",
            "ended_at": "2026-09-20T10:05",
            "place": "城关镇某超市",
            "source": "reference",
            "document_id": DOC_ID,
            "recorder_reference": "REC-2026-0920-1",
        }
    )
    body = records.recording_body(form)
    assert body["started_at"] == "2026-09-20T09:30:00+08:00" and body["ended_at"] == "2026-09-20T10:05:00+08:00"
    assert body["recorder_reference"] == "REC-2026-0920-1" and "document_id" not in body
    assert "recorder_reference" not in records.recording_body(MultiDict({**form, "source": "document"}))


def test_the_verification_names_each_changed_or_missing_document():
    report = {
        "ok": False,
        "entries": 3,
        "files_checked": 2,
        "altered": [2, 3],
        "gaps": [],
        "changed": [{"seq": 1, "entry_type": "document", "reference": DOC_ID, "sha256": "a", "actual_sha256": "b"}],
        "missing": [{"seq": 3, "entry_type": "recording", "reference": "r9", "sha256": "c"}],
    }
    summary = records.verification_summary(report, {DOC_ID: {**DOCUMENT, "kind_name": "行政处理决定书"}})
    assert summary["changed"] == ["行政处理决定书《行政处罚决定书》（第 1 条记录）"]
    assert summary["missing"] == ["执法全过程记录 r9（第 3 条记录）"] and summary["altered"] == [2, 3]
    assert not summary["ok"]


def test_the_followup_list_filters_and_shows_the_deadline_in_working_days(app, calls):
    answer = client_as(app, "agency_admin", MARKET).get("/cases/followups?kind=accountability&agency_code=x")
    text = text_of(answer)
    assert answer.status_code == 200 and "第 7 号 过错责任追究" in text and "已交办" in text
    assert "2026年12月31日前" in text and re.search(r"还剩 \d+ 个工作日|已超期", text)
    [asked] = [c["params"] for c in calls if c["path"] == "/reviews/followups"]
    assert asked == {"kind": "accountability", "page": 1, "per_page": 20}  # an agency sees its own: no agency filter
    assert '<a href="/cases/followups" aria-current="page">错案纠正与责任追究</a>' in answer.get_data(as_text=True)


def test_a_record_offers_its_next_step_to_whoever_may_move_it(app):
    bureau = text_of(client_as(app, "bureau").get("/cases/followups/7"))
    assert "处理决定" in bureau and "免责情形" in bureau and "执法员甲" in bureau and "登记处理决定" in bureau
    agency = text_of(client_as(app, "agency_admin", MARKET).get("/cases/followups/7"))
    assert "登记处理决定" not in agency and "过错责任追究由县司法局交办、作出处理决定和办结" in agency
    assert followups.may_move({**RECORD, "kind": "correction"}, "agency_admin", MARKET)
    assert not followups.may_move({**RECORD, "kind": "correction"}, "agency_admin", FARMING)


def test_the_decision_sends_an_exemption_with_its_ground_or_an_outcome_per_officer():
    form = MultiDict(
        {
            "decided_on": "2026-11-20",
            f"exemption_kind.{OFFICERS[0]}": "due_diligence",
            f"exemption_ground.{OFFICERS[0]}": "party_concealment",
            f"exemption_text.{OFFICERS[0]}": "当事人伪造进货票据",
            f"outcome.{OFFICERS[1]}": "criticism_education",
            f"note.{OFFICERS[1]}": "复核时未核对票据原件",
        }
    )
    body = followups.decision_body(form, "accountability", OFFICERS)
    assert body == {
        "decided_on": "2026-11-20",
        "officers": [
            {
                "officer_id": OFFICERS[0],
                "exemption": {"kind": "due_diligence", "ground": "party_concealment", "text": "当事人伪造进货票据"},
            },
            {"officer_id": OFFICERS[1], "outcome": "criticism_education", "note": "复核时未核对票据原件"},
        ],
    }
    labels = {"evidence": "主要证据充分"}
    reason = followups.reason_cn("案卷评查 不合格: 0 points; basic items failed: evidence, x", labels)
    assert reason == "案卷评查不合格（0 分）；不符合的基本项：主要证据充分；x"
    assert followups.reason_cn("案卷评查 不合格: 55 points", labels) == "案卷评查不合格（55 分）"
    correction = followups.decision_body(MultiDict({"decided_on": "2026-11-20", "measure": "remade"}), "correction", [])
    assert correction == {"decided_on": "2026-11-20", "measure": "remade"}


def test_a_refused_exemption_is_shown_beside_that_officers_field(app, monkeypatch):
    error = ApiError(
        400,
        "validation_failed",
        "officers.1.exemption.ground: Must be one of: unclear_rules.",
        {"officers": {"1": {"exemption": {"ground": ["Must be one of: unclear_rules."]}}}, "decided_on": ["x"]},
    )
    errors = FormErrors(error)
    followups.officer_errors(errors, OFFICERS)
    assert f"exemption_ground.{OFFICERS[1]}" in errors.fields and "officers.1.exemption.ground" not in errors.fields

    def refuse(self, method, path, **kw):
        if method == "POST":
            raise ApiError(400, "validation_failed", "decided_on must not be after today",
                           {"decided_on": ["must not be after today"]})  # fmt: skip
        return Answer(ANSWERS.get(path) or page())

    monkeypatch.setattr(Gateway, "request", refuse)
    form = {"_csrf": "csrf-token", "kind": "accountability", "decided_on": "2027-01-01", "officer_ids": OFFICERS}
    answer = client_as(app, "bureau").post("/cases/followups/7/decision", data=form)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and 'id="e-decided_on">不能晚于今天<' in html
    assert messages.translate("measure: a correction records what was corrected") == "错案纠正须选择纠正措施"


def test_a_deadline_in_a_year_the_holiday_calendar_lacks_is_counted_in_calendar_days():
    from datetime import date

    from enforcement_console.formatting import deadline_cn

    assert deadline_cn("2099-01-12", date(2099, 1, 2)) == "还剩 10 日"  # the page shows it instead of failing
    assert deadline_cn("2099-01-02", date(2099, 1, 5)) == "已超期 3 日"
    assert deadline_cn("2026-12-07", date(2026, 11, 30)) == "还剩 5 个工作日"


def test_the_agency_to_do_list_has_its_open_corrections_with_their_deadlines(app, calls):
    answer = client_as(app, "agency_admin", MARKET).get("/overview/")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "错案纠正待办理（1）" in text_of(answer)
    assert 'href="/cases/followups/8"' in html and "交办：错案纠正第 8 号" in text_of(answer)
    assert "2026年12月7日" in text_of(answer)
    asked = [c["params"] for c in calls if c["path"] == "/reviews/followups"]
    assert [(p["kind"], p["state"]) for p in asked] == [("correction", s) for s in ("opened", "assigned", "decided")]
