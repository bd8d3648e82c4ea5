"""培训 in a real browser: an agency's admin creates a course and a session, imports an attendance sheet (a bad one
refused row by row in Chinese with nothing imported, then a good one), records and corrects one attendance, reads
the hours in 学时达标 and downloads it as .xlsx; the bureau schedules a qualification exam and records a result;
an officer is refused the pages, an unknown session is a Chinese 404."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import requests
from enforcement_testing import RUN_DATE, valid_id_number, wait_until
from enforcement_testing.browser import sign_in
from openpyxl import Workbook, load_workbook

AGENCY = "140928-scjgj"  # 县市场监管局
OTHER = "140928-nyncj"  # 县农业农村局
HEADERS = ("人员编号", "场次编号", "学时", "参训日期", "备注")
DAY = RUN_DATE - timedelta(days=1)  # a session held yesterday: attendance may be recorded for it


def sheet(rows) -> bytes:
    book = Workbook()
    book.active.append(list(HEADERS))
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def officer(stack, http: requests.Session, agency: str, seq: int, name: str) -> str:
    answer = http.post(
        f"{stack.api}/officers",
        json={
            "agency_code": agency,
            "name": name,
            "id_number": valid_id_number(seq),
            "domains": ["market_supervision"],
        },
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    officer_id = answer.json()["officer_id"]
    wait_until(
        lambda: http.get(f"{stack.api}/training/officers/{officer_id}/compliance", timeout=10).status_code == 200,
        message=f"training knows officer {officer_id}",
    )
    return officer_id


def attendance_total(stack, http, officer_id: str) -> int:
    answer = http.get(f"{stack.api}/training/officers/{officer_id}/attendance", params={"year": DAY.year}, timeout=10)
    return answer.json()["total"]


def upload(tab, name: str, content: bytes, answer: str) -> str:
    """Sends the file as a clerk does (console.js posts it by XHR, a <progress> showing) and waits for ``answer``."""
    form = tab.page.locator("form[data-upload-progress]")
    assert form.locator("progress").count() == 1
    file = {"name": name, "mimeType": "application/octet-stream", "buffer": content}
    tab.page.set_input_files("#f-file", files=[file])
    tab.page.get_by_role("button", name="上传并导入", exact=True).click()
    tab.page.locator(answer).wait_for()
    return tab.text()


# One agency admin's afternoon, in order (each step needs the one before), so longer than 50 lines on purpose.
def test_an_agency_imports_a_sheet_and_reads_the_hours(visitor, full_stack):
    bureau = full_stack.bureau()
    zhang = officer(full_stack, bureau, AGENCY, 801, "张明")
    li = officer(full_stack, bureau, AGENCY, 802, "李华")
    full_stack.create_account("scj-admin", "agency_admin", AGENCY)
    tab = visitor
    sign_in(tab, "scj-admin", full_stack.password_of("scj-admin"), "Market-desk-2026!")

    tab.go("/training/")
    tab.shot("index")
    assert "学时达标情况（县市场监管局）" in tab.text() and "在岗执法人员（人）" in tab.text()
    tab.link("课程")
    tab.shot("courses")
    text = tab.text()
    assert "公共法律知识" in text and "必修" in text  # the seeded 国办发〔2023〕27号 course

    # a course: a bad form first (no title), then a good one
    tab.go("/training/courses/new")
    tab.shot("course-form")
    assert tab.page.get_by_label("必修课程").count() == 0  # the bureau's decision: not offered to an agency
    tab.select("类别", "public_law")
    tab.click("保存课程")
    tab.shot("course-form-error")
    assert tab.page.locator("#e-title").inner_text() == "必填"
    tab.fill("课程名称", "《行政处罚法》专题培训")
    tab.click("保存课程")
    tab.shot("course")
    assert "已新建课程“《行政处罚法》专题培训”" in tab.text()

    # a session of it
    tab.link("为本课程新建培训班")
    tab.shot("session-form")
    tab.fill("开始日期", DAY.isoformat())
    tab.fill("学时", "8")
    tab.fill("地点", "县市场监管局三楼会议室")
    tab.click("保存培训班")
    tab.shot("session")
    assert "已新建培训班" in tab.text() and "本培训班还没有参训记录。" in tab.text()
    session_id = tab.page.locator("dd code").inner_text()

    # the sheet with two bad rows: nothing imported, both rows listed in Chinese
    tab.link("导入参训记录")
    tab.shot("import")
    bad = sheet(
        [
            (zhang, session_id, 8, DAY.isoformat(), ""),
            ("no-such-officer", session_id, 8, DAY.isoformat(), ""),
            (li, session_id, 8, "下周二", ""),
        ]
    )
    text = upload(tab, "签到表.xlsx", bad, "table.rows-errors")
    tab.shot("import-refused")
    assert "共 3 行，其中 2 行有问题（2 处），全部未导入" in text
    table = tab.page.locator("table.rows-errors tbody tr")
    assert table.count() == 2
    assert table.nth(0).locator("td").all_inner_texts() == [
        "3",
        "人员编号",
        "人员编号 no-such-officer 不存在（或尚未同步到培训系统）",
    ]
    assert table.nth(1).locator("td").all_inner_texts() == [
        "4",
        "参训日期",
        "“下周二”不是日期（应为 年-月-日，如 2026-11-29）",
    ]
    assert attendance_total(full_stack, bureau, zhang) == 0 and attendance_total(full_stack, bureau, li) == 0

    # the good sheet
    good = sheet([(zhang, session_id, 8, DAY.isoformat(), "签到"), (li, session_id, 6.5, None, "")])
    text = upload(tab, "签到表-改正.xlsx", good, "section.result")
    tab.shot("import-done")
    assert "已导入 2 条参训记录" in text and "涉及 2 名执法人员" in text
    assert attendance_total(full_stack, bureau, zhang) == 1

    # the session lists them; one record corrected (a bad correction first)
    tab.go(f"/training/sessions/{session_id}")
    tab.shot("session-attended")
    assert "共 2 人" in tab.text() and "张明" in tab.text()
    tab.page.locator("tbody tr", has_text="李华").get_by_role("link").click()
    tab.page.wait_for_load_state()
    tab.shot("attendance-record")
    assert "没有更正过。" in tab.text()
    tab.fill("更正后的学时", "9")
    tab.fill("更正原因", "补签到")
    tab.click("保存更正")
    tab.shot("attendance-correction-error")
    assert tab.page.locator("#e-hours").inner_text() == "9 学时超过本培训班的 8 学时"
    tab.fill("更正后的学时", "7.5")
    tab.fill("更正原因", "补签到：下午迟到半小时")
    tab.click("保存更正")
    tab.shot("attendance-corrected")
    assert "已更正参训记录" in tab.text() and "第 1 版" in tab.text()

    # 学时达标: the hours against 30 h, a filter, the export
    tab.go("/training/compliance")
    tab.shot("compliance")
    row = tab.page.locator("table.compliance tbody tr", has_text="张明")
    cells = row.locator("td").all_inner_texts()
    # registered this year: in post from today to 31 December, the 30 hours owed pro-rated (应训) to those days
    assert re.fullmatch(r"\d+ 天", cells[0]), cells
    public_law = cells[1]  # 公共法律知识: 8 hours
    assert public_law.startswith("8"), cells
    owed = float(re.search(r"应训 ([\d.]+)", public_law).group(1)) if "应训" in public_law else 30.0
    if owed > 8:
        assert f"差 {owed - 8:g}" in public_law and "公共法律知识学时不足" in row.inner_text()
    else:
        assert "差" not in public_law and "公共法律知识学时不足" not in row.inner_text()
    assert "未达标" in row.inner_text()
    tab.select("是否达标", "compliant")
    tab.click("筛选")
    tab.shot("compliance-compliant")
    assert "没有符合条件的执法人员。" in tab.text()
    tab.go("/training/compliance")
    with tab.page.expect_download() as download_info:
        tab.page.get_by_role("link", name=f"导出 Excel（县市场监管局，{RUN_DATE.year} 年）").click()
    download = download_info.value
    assert download.suggested_filename == f"培训学时达标-{RUN_DATE.year}-县市场监管局.xlsx"
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)  # a real .xlsx
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert sorted(r[1] for r in rows[1:]) == ["张明", "李华"]
    public_law = next(i for i, h in enumerate(rows[0]) if "public_law" in h and "差" not in h)
    assert {r[1]: r[public_law] for r in rows[1:]} == {"张明": 8.0, "李华": 7.5}

    # the same table on a phone
    phone = visitor.open.phone()
    sign_in(phone, "scj-admin", "Market-desk-2026!")
    phone.go("/training/compliance")
    phone.shot("compliance-phone")
    width = phone.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375-px phone"


def test_the_bureau_records_an_exam_and_others_are_refused(visitor, full_stack):
    bureau = full_stack.bureau()
    wang = officer(full_stack, bureau, AGENCY, 811, "王强")
    officer(full_stack, bureau, OTHER, 812, "赵刚")
    full_stack.create_account("scj-admin", "agency_admin", AGENCY)
    full_stack.create_account("wang", "officer", AGENCY, officer_id=wang)

    tab = visitor
    sign_in(tab, "admin", full_stack.password_of("admin"))
    tab.go("/training/exams")
    tab.shot("exams")
    assert "还没有安排考试。" in tab.text()
    tab.fill("考试日期", RUN_DATE.isoformat())
    tab.click("安排考试")
    tab.shot("exams-error")
    assert tab.page.locator("#e-title").inner_text() == "必填"
    tab.fill("考试名称", "2026 年第一次行政执法资格考试")
    tab.click("安排考试")
    tab.shot("exam")
    assert "已安排考试" in tab.text() and "还没有登记成绩。" in tab.text()
    tab.select("执法部门", AGENCY)
    tab.click("列出该部门的执法人员")
    tab.shot("exam-agency")
    tab.fill("成绩（分）", "120")
    tab.select("执法人员", wang)
    tab.click("登记成绩")
    tab.shot("exam-score-error")
    assert "成绩超过满分 100 分" in tab.text()
    tab.fill("成绩（分）", "86")
    tab.click("登记成绩")
    tab.shot("exam-recorded")
    assert "已登记 王强 的成绩：86 分，通过。" in tab.text()
    assert tab.page.locator("table tbody tr", has_text="王强").locator(".badge").inner_text() == "通过"
    exam_url = tab.page.url

    # the bureau's compliance table names every agency and filters by one
    tab.go(f"/training/compliance?agency_code={OTHER}")
    tab.shot("bureau-compliance")
    assert "赵刚" in tab.text() and "王强" not in tab.text()
    # 参训记录: an officer's year (none yet), one record by form with its error beside the field
    tab.go(f"/training/attendance?agency={AGENCY}&officer_id={wang}")
    tab.shot("officer-attendance")
    assert "王强" in tab.text() and f"{RUN_DATE.year} 年还没有参训记录。" in tab.text()
    tab.go(f"/training/attendance/new?agency={AGENCY}")
    tab.shot("attendance-form")
    tab.select("执法人员", wang)
    tab.fill("学时", "2")
    tab.click("登记")
    tab.shot("attendance-form-error")
    assert tab.page.locator("#e-session_id").inner_text() == "必填"
    tab.go("/training/attendance/import")
    tab.shot("import-page")
    with tab.page.expect_download() as download_info:
        tab.page.get_by_role("link", name="下载空白模板（.xlsx）").click()
    template = download_info.value
    assert template.suggested_filename == "参训记录导入模板.xlsx"
    header = next(load_workbook(io.BytesIO(Path(template.path()).read_bytes())).active.iter_rows(values_only=True))
    assert header[:3] == ("人员编号", "姓名", "场次编号")
    tab.go("/training/sessions/no-such-session")
    tab.shot("session-404")
    assert "没有找到这个培训班。" in tab.text()

    # the agency's admin reads the results, records none
    agency = visitor.open.new(name="agency")
    sign_in(agency, "scj-admin", full_stack.password_of("scj-admin"), "Market-desk-2026!")
    agency.page.goto(exam_url)
    agency.shot("agency-exam")
    assert "王强" in agency.text() and "登记成绩" not in agency.text()

    # an officer has no training pages
    own = visitor.open.new(name="officer")
    sign_in(own, "wang", full_stack.password_of("wang"), "Officer-desk-2026!")
    own.go("/training/")
    own.shot("officer-refused")
    assert "您没有查看此页面的权限。" in own.text()
