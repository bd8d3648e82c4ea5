"""The programme's core path through the pages alone, as issue 11 walks it: an agency's admin registers an officer and
uploads the attendance sheet (two bad rows refused and listed, then the corrected sheet), the bureau records the
qualification exam, the agency applies for the certificate, the bureau refuses with reasons, the agency applies
again and the bureau approves (issuing it), and the public checks it by the QR code's link.

Only what is not part of this path is set up through the API: the accounts and the year's training sessions.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

from enforcement_testing import RUN_DATE, valid_id_number, wait_until
from enforcement_testing.browser import change_first_password
from openpyxl import Workbook

AGENCY = "140928-scjgj"  # 县市场监管局
DAY = RUN_DATE - timedelta(days=1)  # sessions held yesterday: attendance may be recorded for them
HEADERS = ("人员编号", "场次编号", "学时", "参训日期", "备注")


def sheet(rows) -> bytes:
    book = Workbook()
    book.active.append(list(HEADERS))
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sessions_of_the_year(stack, http) -> list[tuple[str, float]]:
    """The sessions an officer needs for a compliant year: the required 27号 course and 30 + 30 hours
    (at most 12 hours a day, so several sessions); (session_id, hours) each."""
    api = stack.api
    law = http.post(f"{api}/training/courses", json={"title": "行政处罚法专题", "category_code": "public_law"})
    skills = http.post(f"{api}/training/courses", json={"title": "市场监管执法技能", "category_code": "professional"})
    assert law.status_code == skills.status_code == 201, (law.text, skills.text)
    plan = [("gbf-2023-27", 4), (law.json()["course_id"], 12), (law.json()["course_id"], 12)]
    plan += [(law.json()["course_id"], 2), (skills.json()["course_id"], 12), (skills.json()["course_id"], 12)]
    plan += [(skills.json()["course_id"], 6)]
    sessions = []
    for course_id, hours in plan:
        body = {"course_id": course_id, "held_on": DAY.isoformat(), "hours": hours, "delivery": "offline"}
        answer = http.post(f"{api}/training/sessions", json={**body, "organiser": {"kind": "bureau"}})
        assert answer.status_code == 201, answer.text
        sessions.append((answer.json()["session_id"], hours))
    return sessions


def upload(tab, name: str, content: bytes, answer: str) -> str:
    form = tab.page.locator("form[data-upload-progress]")
    assert form.locator("progress").count() == 1  # the clerk sees how far the upload has gone
    tab.page.set_input_files(
        "#f-file", files=[{"name": name, "mimeType": "application/octet-stream", "buffer": content}]
    )
    tab.page.get_by_role("button", name="上传并导入", exact=True).click()
    tab.page.locator(answer).wait_for()
    return tab.text()


# One officer from registration to a certificate the public can check, in order, so longer than 50 lines on purpose.
def test_an_officer_is_registered_trained_examined_certified_and_checked_by_the_public(visitor, full_stack):
    bureau = full_stack.bureau()
    sessions = sessions_of_the_year(full_stack, bureau)
    full_stack.create_account("scj-admin", "agency_admin", AGENCY)

    # the agency's admin: first password, then the officer
    agency = visitor.open.new(name="agency")
    agency.login("scj-admin", full_stack.password_of("scj-admin"))
    change_first_password(agency, full_stack.password_of("scj-admin"), "Market-desk-2026!")
    agency.shot("agency-home")
    agency.go("/personnel/")
    agency.shot("personnel")
    agency.link("登记执法人员")
    agency.shot("register")
    id_number = valid_id_number(901)
    agency.fill("姓名", "陈立")
    agency.fill("身份证号", id_number)
    agency.page.get_by_label("市场监管", exact=True).check()
    agency.click("登记")
    agency.shot("registered")
    assert "已登记执法人员 陈立" in agency.text() and id_number not in agency.text()
    officer_id = agency.page.url.rstrip("/").rsplit("/", 1)[-1]
    wait_until(
        lambda: (
            bureau.get(f"{full_stack.api}/training/officers/{officer_id}/compliance", timeout=10).status_code == 200
        ),
        message="the training service knows the new officer",
    )

    # the attendance sheet: two bad rows (an unknown officer, a date that is not one), nothing imported
    agency.go("/training/attendance/import")
    agency.shot("import")
    rows = [(officer_id, session_id, hours, DAY.isoformat(), "") for session_id, hours in sessions]
    bad = rows[:2] + [
        ("no-such-officer", sessions[2][0], 12, DAY.isoformat(), ""),
        (officer_id, sessions[3][0], 2, "下周二", ""),
    ]
    text = upload(agency, "签到表.xlsx", sheet(bad), "table.rows-errors")
    agency.shot("import-refused")
    listed = agency.page.locator("table.rows-errors tbody tr")
    assert listed.count() == 2 and "全部未导入" in text
    assert "人员编号 no-such-officer 不存在" in listed.nth(0).inner_text()
    assert "“下周二”不是日期" in listed.nth(1).inner_text()
    # the corrected sheet: every session of the year
    text = upload(agency, "签到表-改正.xlsx", sheet(rows), "section.result")
    agency.shot("import-done")
    assert f"已导入 {len(rows)} 条参训记录" in text

    # the bureau: the exam, then the certificate
    tab = visitor
    tab.page.on("dialog", lambda dialog: dialog.accept())
    tab.login("admin", full_stack.password_of("admin"))
    tab.shot("bureau-home")
    tab.go("/training/exams")
    tab.shot("exams")
    tab.fill("考试名称", f"{DAY.year} 年行政执法资格考试")
    tab.fill("考试日期", DAY.isoformat())
    tab.click("安排考试")
    tab.shot("exam")
    tab.select("执法部门", AGENCY)
    tab.click("列出该部门的执法人员")
    tab.shot("exam-agency")
    tab.select("执法人员", officer_id)
    tab.fill("成绩（分）", "88")
    tab.click("登记成绩")
    tab.shot("exam-recorded")
    assert "已登记 陈立 的成绩：88 分，通过。" in tab.text()
    wait_until(
        lambda: bureau.get(f"{full_stack.api}/officers/{officer_id}/eligibility", timeout=10).json()["eligible"],
        message="personnel has the hours and the exam",
    )
    # the agency applies (it no longer issues); the bureau refuses with reasons, the agency applies again, the
    # bureau approves, which issues the certificate
    agency.go(f"/personnel/officers/{officer_id}")
    agency.shot("officer-eligible")
    assert "具备申领资格" in agency.text() and "直接发证" not in agency.text()
    agency.link("申请发证")
    agency.shot("apply")
    agency.click("提交申请")
    agency.shot("applied")
    assert "已提交 陈立 的执法证申请" in agency.text() and "待审核" in agency.text()

    tab.go("/overview/")
    tab.shot("bureau-overview-applications")
    assert "待审核的执法证申请（1）" in tab.text() and "陈立" in tab.text()
    tab.go("/personnel/applications")
    tab.shot("applications")
    listed = tab.page.get_by_role("table", name=re.compile("执法证申请")).inner_text()
    assert "陈立" in listed and "待审核" in listed and "0 个工作日" in listed
    tab.link("陈立")
    tab.shot("application")
    tab.click("不予批准")
    tab.shot("refusal-empty")
    assert tab.page.locator("#e-reason").count() == 1  # the reason is required, told beside its field
    tab.fill("不予批准的理由", "资格考试成绩单未盖章，请补正后重新申请")
    tab.click("不予批准")
    tab.shot("refused")
    assert "已不予批准 陈立 的申请" in tab.text()

    agency.go(f"/personnel/officers/{officer_id}")
    agency.shot("officer-refused")
    assert "不予批准" in agency.text() and "资格考试成绩单未盖章" in agency.text()
    agency.go("/overview/")
    agency.shot("agency-overview-refused")
    assert "未获批准的执法证申请" in agency.text() and "资格考试成绩单未盖章" in agency.text()
    agency.go(f"/personnel/officers/{officer_id}")
    agency.link("申请发证")
    agency.click("提交申请")
    agency.shot("applied-again")

    tab.go("/personnel/applications?state=pending")
    tab.shot("applications-pending")
    tab.link("陈立")
    tab.shot("application-again")
    tab.click("批准并发证")
    tab.shot("certificate")
    number = re.search(r"行政执法证 (\d{15})", tab.text()).group(1)
    assert f"已批准 陈立 的申请，发放执法证 {number}" in tab.text()
    link = tab.page.locator(".check-url a").get_attribute("href")

    # the public, by the QR code's link
    public = visitor.open.phone(name="public")
    public.page.goto(link)
    public.shot("public-check")
    text = public.text()
    assert number in text and "有效" in text and "陈立" in text and "县市场监管局" in text
    assert id_number[-4:] not in text
