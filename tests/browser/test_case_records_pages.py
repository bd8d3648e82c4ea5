"""A case's records and what follows a failing file, in a real browser (issue 15). The agency admin opens a closed
case's 案卷材料, uploads its 决定书 (a video sent as the 决定书 is refused beside 文件 naming the types it takes),
sees it listed under 决定, downloads it byte for byte, uploads the recorder's video and registers it as a
whole-process recording (执法全过程记录), and has the records verified: 完好; a byte changed on disk is then found and
the changed document named. The bureau draws the case for review and scores it failing: the agency finds the
correction on its 待办事项 and in 错案纠正与责任追究, and assigns, decides (重新作出) and closes it; the bureau
assigns the accountability record, decides it (first refused: an officer left undecided, named beside his field)
with a due-diligence exemption (尽职免责) and its ground for one officer and an outcome for the other, and closes
it. Every page is shot."""

from __future__ import annotations

import hashlib

import pytest
from enforcement_testing import RUN_DATE, valid_id_number
from enforcement_testing.browser import sign_in
from test_cases_console_pages import NRJ, SCJ, agency_tab, certified_officers, check_row

pytestmark = pytest.mark.timeout(480)  # a loaded machine: the stack alone took 80-95 s to start

CASE_NUMBER = "五市监罚〔2026〕301号"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"%" * 3000 + b"\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 4096
TODAY = RUN_DATE.isoformat()


def _ok(answer, status=201) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()


def closed_case(stack, bureau, officer_ids: list[str]) -> dict:
    """A warning case of the market agency, decided, served and closed in 2026 (before the records rules apply)."""
    api = stack.api
    item = _ok(
        bureau.post(
            f"{api}/catalogue/items",
            json={
                "agency_code": SCJ,
                "code": "SCJ-CF-021",
                "type_code": "penalty",
                "name": "销售过期食品",
                "domain": "market_supervision",
                "legal_basis": "《中华人民共和国食品安全法》第一百二十四条",
                "effective_from": "2022-01-01",
            },
        )
    )
    return _ok(
        bureau.post(
            f"{api}/cases",
            json={
                "agency_code": SCJ,
                "case_number": CASE_NUMBER,
                "item_id": item["item_id"],
                "filed_on": "2026-03-04",
                "violation_on": "2026-03-01",
                "notice_on": "2026-03-20",
                "party": {"kind": "organisation", "name": "五寨县某超市", "is_enterprise": True},
                "officers": [{"officer_id": o} for o in officer_ids],
                "decision": {"decided_on": "2026-04-01", "penalty": {"kinds": ["warning"]}},
                "served_on": "2026-04-02",
                "closed_on": "2026-04-30",
            },
        )
    )


def failing_review(stack, bureau) -> None:
    """The bureau draws the market agency's 2026 files, assigns a reviewer of another agency and fails the file."""
    api = stack.api
    reviewer = _ok(
        bureau.post(
            f"{api}/officers",
            json={"agency_code": NRJ, "name": "评查员", "id_number": valid_id_number(910), "domains": ["agriculture"]},
        )
    )
    period = {"agency_code": SCJ, "closed_from": "2026-01-01", "closed_to": "2026-12-31", "size": 1}
    planned = _ok(bureau.post(f"{api}/reviews/batches", json=period))
    batch = _ok(bureau.post(f"{api}/reviews/batches/{planned['batch_id']}/execution"), 200)
    file_id = batch["files"][0]["file_id"]
    assignment = {"assignments": [{"file_id": file_id, "reviewer_id": reviewer["officer_id"]}]}
    _ok(bureau.post(f"{api}/reviews/batches/{batch['batch_id']}/assignments", json=assignment), 200)
    score = {"scored_on": TODAY, "basic_failures": ["evidence"]}
    assert _ok(bureau.post(f"{api}/reviews/files/{file_id}/score", json=score), 200)["grade"] == "fail"


def upload(tab, kind: str, stage: str, name: str, media_type: str, content: bytes, title: str = "") -> None:
    tab.select("文书种类", kind)
    tab.select("办案环节", stage)
    tab.fill("标题", title)
    tab.page.set_input_files("#f-file", files=[{"name": name, "mimeType": media_type, "buffer": content}])
    tab.click("上传")


# One case's records and its follow-ups in order (each step needs the one before), so longer than 50 lines.
def test_a_cases_records_are_uploaded_verified_and_its_failing_file_followed_up(visitor, full_stack, tmp_path):
    bureau = full_stack.bureau()
    officers = certified_officers(full_stack, bureau, SCJ, [901, 902])
    case = closed_case(full_stack, bureau, officers)
    tab = agency_tab(visitor, full_stack)
    page = tab.page

    # the case's page leads to its records
    tab.go(f"/cases/{case['case_id']}")
    tab.shot("case")
    assert "案卷材料" in tab.text() and check_row(tab, "由两名以上").count() == 1
    tab.link("查看、上传案卷材料 · 执法全过程记录 · 记录核验")
    tab.shot("records-empty")
    assert "本案还没有上传材料" in tab.text() and "本案还没有登记执法全过程记录" in tab.text()

    # a video as the 决定书: refused beside 文件, naming the types a 决定书 takes; nothing listed
    upload(tab, "decision", "decided", "决定书.mp4", "video/mp4", MP4)
    tab.shot("upload-refused")
    refusal = page.locator('[id="e-file"]').inner_text()
    assert "该类文书只接受以下格式的文件：PDF 文件、JPEG 图片、PNG 图片" in refusal and "MP4 视频" in refusal, refusal
    assert "本案还没有上传材料" in tab.text()

    # the 决定书 as a PDF: listed under 决定 with its size and uploader, downloaded byte for byte
    upload(tab, "decision", "decided", "决定书.pdf", "application/pdf", PDF, title="行政处罚决定书")
    tab.shot("decision-uploaded")
    text = tab.text()
    assert "已上传" in text and "决定（1 份）" in text and "行政处罚决定书" in text and "scj-cases" in text
    with page.expect_download() as downloading:
        page.get_by_role("link", name="下载").first.click()
    download = downloading.value
    assert open(download.path(), "rb").read() == PDF and download.suggested_filename.endswith(".pdf")

    # the recorder's video, registered as a whole-process recording
    upload(tab, "recording", "investigated", "DSJ-07-0920.mp4", "video/mp4", MP4, title="现场检查录像")
    tab.shot("recording-uploaded")
    tab.fill("执法记录仪编号", "DSJ-07")
    tab.select("执法人员", officers[0])
    tab.fill("开始时间", "2026-03-05T09:30")
    tab.fill("结束时间", "2026-03-05T10:05")
    tab.fill("地点", "城关镇某超市")
    tab.select("音视频来源", "document")
    page.get_by_label("已上传的音视频", exact=True).select_option(label="现场检查录像（4 KB）")
    tab.click("登记")
    tab.shot("recording-registered")
    text = tab.text()
    assert "执法全过程记录已登记" in text and "DSJ-07" in text and "2026年3月5日 09:30" in text

    # the verification: 完好; then a byte of the 决定书 changed on disk is found and the document named
    tab.click("核验记录")
    tab.shot("verified-intact")
    assert "完好" in tab.text() and "3 条记录均未被改动，3 个文件均与上传时一致" in tab.text()
    stored = tmp_path / "cases-documents" / hashlib.sha256(PDF).hexdigest()[:2] / hashlib.sha256(PDF).hexdigest()
    stored.chmod(0o644)
    stored.write_bytes(PDF[:-2] + b"X\n")
    tab.click("重新核验")
    tab.shot("verified-changed")
    assert "文件已被改动：行政处理决定书《行政处罚决定书》（第 1 条记录）" in tab.text()

    # the file fails its review: the agency corrects it
    failing_review(full_stack, bureau)
    tab.go("/overview/")
    tab.shot("todo-with-correction")
    assert "错案纠正待办理（1）" in tab.text() and f"交办：错案纠正第 1 号（案件 {CASE_NUMBER}）" in tab.text()
    tab.go("/cases/followups")
    tab.shot("followups")
    assert "\t错案纠正\t" in tab.text() and "过错责任追究" in tab.text() and "待交办" in tab.text()
    assert "个工作日" in tab.text()  # the step's deadline in working days
    page.locator("table tr", has_text="错案纠正").get_by_role("link", name="第").click()
    tab.shot("correction")
    tab.fill("交办日期", TODAY)
    tab.fill("承办科室或人员", "综合执法科 王科长")
    tab.click("交办")
    tab.shot("correction-assigned")
    assert "已交办" in tab.text() and "综合执法科 王科长" in tab.text()
    tab.fill("决定日期", TODAY)
    tab.select("纠正措施", "remade")
    tab.click("登记处理决定")
    tab.shot("correction-decided")
    assert "纠正措施：重新作出" in tab.text()
    tab.fill("办结日期", TODAY)
    tab.fill("办结情况", "已重新作出处罚决定")
    tab.click("办结")
    tab.shot("correction-closed")
    assert "已办结" in tab.text() and "已重新作出处罚决定" in tab.text()

    # the accountability record is the bureau's: the agency sees no form
    tab.go("/cases/followups?kind=accountability")
    tab.shot("followups-accountability")
    tab.page.locator("table tr", has_text="过错责任追究").get_by_role("link", name="第").click()
    tab.shot("accountability-agency")
    assert "过错责任追究由县司法局交办、作出处理决定和办结" in tab.text()
    record_url = page.url.removeprefix(full_stack.console_url)

    desk = visitor.open.new(name="bureau")
    sign_in(desk, "admin", full_stack.password_of("admin"))
    desk.go(record_url)
    desk.shot("accountability")
    desk.fill("交办日期", TODAY)
    desk.fill("承办科室或人员", "县司法局执法监督科")
    desk.click("交办")
    desk.shot("accountability-assigned")
    first, second = officers
    form = desk.page
    form.locator(f'[id="f-exemption_kind.{first}"]').select_option("due_diligence")
    form.locator(f'[id="f-exemption_ground.{first}"]').select_option("party_concealment")
    form.locator(f'[id="f-exemption_text.{first}"]').fill("当事人伪造进货票据，执法人员已尽审慎审查义务")
    desk.fill("决定日期", TODAY)
    desk.click("登记处理决定")
    desk.shot("accountability-decision-refused")
    beside = form.locator(f'[id="e-outcome.{second}"]').inner_text()
    assert beside == "每名执法人员须选择处理结果或免责情形，二者选一", beside
    form.locator(f'[id="f-exemption_kind.{first}"]').select_option("due_diligence")
    form.locator(f'[id="f-exemption_ground.{first}"]').select_option("party_concealment")
    form.locator(f'[id="f-exemption_text.{first}"]').fill("当事人伪造进货票据，执法人员已尽审慎审查义务")
    form.locator(f'[id="f-outcome.{second}"]').select_option("criticism_education")
    desk.fill("决定日期", TODAY)
    desk.click("登记处理决定")
    desk.shot("accountability-decided")
    text = desk.text()
    assert "处理决定已登记" in text and "尽职免责" in text and "当事人伪造进货票据" in text and "批评教育" in text
    assert "其中尽职免责、容错纠错 1 人" in text
    desk.fill("办结日期", TODAY)
    desk.click("办结")
    desk.shot("accountability-closed")
    assert "已办结" in desk.text()
