"""人员 in a real browser. An agency's admin (an account the bureau made, first password changed) registers an officer
(a bad ID number refused in Chinese beside 身份证号, then a good one), finds them, records a departure, and is refused
another agency's officer; the bureau reads every agency, certifies an officer whose training and exam are in the
training service, suspends the certificate with a reason, records an assessment and a legal reviewer; the public
opens the certificate's QR link; the officer reads their own record on a phone.

(Named test_personnel_console.py: test_personnel_pages.py is the personnel service's paging test.)
"""

from __future__ import annotations

import re
from datetime import timedelta

from enforcement_testing import RUN_DATE, valid_id_number, wait_until, wrong_check_char
from enforcement_testing.browser import change_first_password

SCJ = "140928-scjgj"  # 县市场监管局
NRJ = "140928-nyncj"  # 县农业农村局
DAY = RUN_DATE - timedelta(days=1)  # training held yesterday (attendance may be recorded for it)


def officer(stack, http, agency: str, seq: int, name: str) -> str:
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
    return answer.json()["officer_id"]


def trained_and_examined(stack, http, officer_id: str) -> None:
    """What the training pages record (outside this area, so through the API): 30 + 30 hours with the required
    course, and a passed qualification exam; then personnel's read model has it (eligible)."""
    api = stack.api
    wait_until(
        lambda: http.get(f"{api}/training/officers/{officer_id}/compliance", timeout=10).status_code == 200,
        message="training knows the officer",
    )
    law = http.post(f"{api}/training/courses", json={"title": "行政处罚法专题", "category_code": "public_law"})
    skills = http.post(f"{api}/training/courses", json={"title": "市场监管执法技能", "category_code": "professional"})
    assert law.status_code == skills.status_code == 201, (law.text, skills.text)
    law, skills = law.json()["course_id"], skills.json()["course_id"]
    # at most 12 hours a day: the year's 30 + 30 in several sessions (the compulsory 27号 course among them)
    for course_id, hours in (
        ("gbf-2023-27", 4),
        (law, 12),
        (law, 12),
        (law, 2),
        (skills, 12),
        (skills, 12),
        (skills, 6),
    ):
        session = http.post(
            f"{api}/training/sessions",
            json={
                "course_id": course_id,
                "held_on": DAY.isoformat(),
                "hours": hours,
                "delivery": "offline",
                "organiser": {"kind": "bureau"},
            },
        )
        assert session.status_code == 201, session.text
        attended = http.post(
            f"{api}/training/attendance",
            json={"officer_id": officer_id, "session_id": session.json()["session_id"], "hours": hours},
        )
        assert attended.status_code == 201, attended.text
    sitting = http.post(
        f"{api}/training/exams",
        json={"exam_kind": "qualification", "title": f"{DAY.year}年行政执法资格考试", "sat_on": DAY.isoformat()},
    )
    assert sitting.status_code == 201, sitting.text
    result = http.post(
        f"{api}/training/exams/{sitting.json()['sitting_id']}/results", json={"officer_id": officer_id, "score": 86}
    )
    assert result.status_code == 201, result.text
    wait_until(
        lambda: http.get(f"{api}/officers/{officer_id}/eligibility", timeout=10).json()["eligible"],
        message="personnel's read model has the hours and the exam",
    )


def field_error(tab, name: str) -> str:
    return tab.page.locator(f"#e-{name}").inner_text()


# One agency admin's morning, in order (each step needs the one before), so longer than 50 lines on purpose.
def test_an_agency_admin_registers_an_officer_and_records_the_departure(visitor, full_stack):
    bureau = full_stack.bureau()
    other = officer(full_stack, bureau, NRJ, 721, "赵农")
    full_stack.create_account("scj-clerk", "agency_admin", SCJ)
    tab = visitor
    tab.login("scj-clerk", full_stack.password_of("scj-clerk"))
    change_first_password(tab, "Initial-pass-2026", "Clerk-desk-2026!")
    tab.shot("home")  # 总览, where the console sends an agency admin first

    tab.go("/personnel/")
    tab.shot("index-agency")
    text = tab.text()
    assert "县市场监管局" in text and "在岗执法人员" in text and "0 人" in text
    assert "县农业农村局" not in text  # an agency admin sees its own agency

    tab.link("登记执法人员")
    tab.shot("register-form")
    assert tab.page.locator("#f-agency_code").count() == 0  # its own agency: nothing to choose
    # nothing but a short ID number: both refused beside their fields
    tab.fill("身份证号", "14092819850615")
    tab.click("登记")
    tab.shot("register-missing")
    assert field_error(tab, "name") == "必填"
    assert field_error(tab, "id_number") == "长度应为 18 个字符"
    # a well-formed number with a wrong check character: the service's check, in Chinese, beside 身份证号
    good = valid_id_number(711)
    tab.fill("姓名", "张明")
    tab.fill("身份证号", wrong_check_char(good))
    tab.fill("职务", "执法大队队员")
    tab.page.get_by_label("市场监管", exact=True).check()
    tab.page.get_by_label("食品安全", exact=True).check()
    tab.click("登记")
    tab.shot("register-bad-id")
    assert field_error(tab, "id_number") == "身份证号码校验位不对，请逐位核对"  # the right character is not told
    assert tab.page.get_by_label("姓名", exact=True).input_value() == "张明"  # what was typed stays
    assert tab.page.get_by_label("食品安全", exact=True).is_checked()
    tab.fill("身份证号", good)
    tab.click("登记")
    tab.shot("officer-registered")
    text = tab.text()
    assert "已登记执法人员 张明" in text and good[:6] + "********" + good[-4:] in text and good not in text
    assert "尚未发放行政执法证" in text and "暂不具备申领资格" in text
    assert "尚未通过行政执法资格考试" in text and "食品安全、市场监管" in text
    officer_url = tab.page.url

    tab.go("/personnel/officers?name=张")
    tab.shot("officers-search")
    text = tab.text()
    assert "张明" in text and "共 1 人" in text and "未持证" in text and "赵农" not in text
    tab.go("/personnel/officers?certificate_status=valid")
    tab.shot("officers-none-valid")
    assert "没有符合条件的执法人员" in tab.text()

    tab.page.goto(officer_url)
    tab.link("登记离岗")
    tab.shot("departure-form")
    tab.select("离岗原因", "transfer")
    tab.fill("离岗日期", DAY.isoformat())  # (the services run on the test run's date, the console on Beijing's)
    tab.click("登记离岗")
    tab.shot("departed")
    text = tab.text()
    assert "已登记 张明 离岗" in text and "已离岗" in text and "登记离岗" not in text

    # another agency's officer and a certificate that does not exist: plain Chinese sentences
    tab.go(f"/personnel/officers/{other}")
    tab.shot("other-agency-403")
    assert "没有权限" in tab.text() and "不能查看其他" in tab.text()
    tab.go("/personnel/certificates/140928209900001")
    tab.shot("certificate-404")
    assert "执法证 140928209900001 不存在" in tab.text()


# The bureau's certification of one officer and what follows from it, in order, so longer than 50 lines on purpose.
def test_the_bureau_certifies_an_officer_the_public_checks_it_by_qr_and_the_officer_reads_it_on_a_phone(
    visitor, full_stack
):
    bureau = full_stack.bureau()
    oid = officer(full_stack, bureau, SCJ, 731, "王芳")
    trained_and_examined(full_stack, bureau, oid)
    full_stack.create_account("wangfang", "officer", SCJ, officer_id=oid)

    tab = visitor
    tab.page.on("dialog", lambda dialog: dialog.accept())  # confirmations (console.js) are answered yes
    tab.login("admin", full_stack.password_of("admin"))
    tab.shot("home")
    tab.go("/personnel/")
    tab.shot("index-bureau")
    text = tab.text()
    assert "执法部门（共 27 个）" in text and "第 1 / 1 页" in text and "小河头镇" in text and "县市场监管局" in text
    tab.go(f"/personnel/officers?agency_code={SCJ}&status=active")
    tab.shot("officers-scj")
    assert "王芳" in tab.text()
    tab.link("王芳")
    tab.shot("officer-eligible")
    text = tab.text()
    assert "具备申领资格" in text and "暂不具备" not in text
    assert re.search(r"公共法律知识\s+30 学时\s+30 学时", text) and "业务知识" in text

    tab.link("直接发证")  # the issuing authority's direct issue (an agency applies instead: 申请发证)
    tab.shot("issue-form")
    tab.click("发证")
    tab.shot("certificate")
    text = tab.text()
    number = re.search(r"行政执法证 (\d{15})", text).group(1)
    assert f"已为 王芳 发放执法证 {number}" in text and "有效" in text and "公众查询" in text
    assert tab.page.locator(".qr svg").count() == 1
    # the check code (查验码) is printed beside the QR code and carried in its link (issue 13)
    code = tab.page.locator(".check-code").inner_text()
    assert re.fullmatch(r"[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}", code)
    check_link = tab.page.locator(".check-url a").get_attribute("href")
    assert check_link == f"{full_stack.console_url}/public/certificate-check?number={number}&code={code}"

    # suspended with a reason (a missing reason is refused beside its field), then visible in the history
    tab.link("暂扣")
    tab.shot("suspend-form")
    tab.click("确认变更")
    tab.shot("suspend-missing-reason")
    assert field_error(tab, "reason") == "必填"
    tab.fill("原因", "涉嫌违规执法，调查期间暂扣")
    tab.click("确认变更")
    tab.shot("suspended")
    text = tab.text()
    assert f"执法证 {number} 已暂扣" in text and "有效 → 暂扣" in text and "涉嫌违规执法，调查期间暂扣" in text
    assert "恢复（解除暂扣）" in text

    # a yearly assessment and a legal reviewer
    tab.link("王芳")
    tab.link("登记年度考核")
    tab.shot("assessment-form")
    tab.fill("考核年度", str(DAY.year - 1))
    tab.select("考核等次", "excellent")
    tab.click("登记")
    tab.shot("assessed")
    assert f"已登记 王芳 {DAY.year - 1} 年度考核" in tab.text() and "优秀" in tab.text()
    tab.go("/personnel/reviewers/new")
    tab.shot("reviewer-form")
    tab.select("所属部门", SCJ)
    tab.fill("姓名", "刘律师")
    tab.select("类别", "public_lawyer")
    tab.select("是否具有法律职业资格", "true")
    tab.click("登记")
    tab.shot("reviewer-missing-number")
    assert field_error(tab, "qualification_number") == "具有法律职业资格的，须填写证书编号"
    tab.fill("法律职业资格证书编号", "A20201401234")
    tab.click("登记")
    tab.shot("reviewers")
    assert "已登记法制审核人员 刘律师" in tab.text() and "公职律师" in tab.text()

    # the public, by the QR code's link: no login, the status in Chinese
    public = visitor.open.new(name="public")
    public.page.goto(check_link)
    public.shot("public-check")
    text = public.text()
    assert number in public.page.get_by_label("执法证编号").input_value()
    assert "不在有效状态" in text and "原因：执法证已暂扣、注销或吊销" in text and "暂扣" in text
    assert "王芳" in text and "县市场监管局" in text
    assert valid_id_number(731)[-4:] not in text
    # by the number alone (or a wrong code): whether it is valid, never whose it is
    public.go(f"/public/certificate-check?number={number}")
    public.shot("public-check-without-code")
    text = public.text()
    assert "不在有效状态" in text and "输入执法证上的查验码" in text
    assert "王芳" not in text and "县市场监管局" not in text
    public.page.get_by_label("查验码").fill("WRONG234")
    public.click("查询")
    public.shot("public-check-wrong-code")
    assert "查验码不对" in public.text() and "王芳" not in public.text()
    public.go("/public/certificate-check?number=140928209900001")
    public.shot("public-not-found")
    assert "没有找到编号为 140928209900001 的执法证" in public.text()

    # the officer, on a phone: their own record, nothing to change, no other page of the area
    phone = visitor.open.phone()
    phone.login("wangfang", full_stack.password_of("wangfang"))
    change_first_password(phone, "Initial-pass-2026", "Wang-fang-2026!")
    assert phone.page.url.endswith("/personnel/me")
    phone.shot("me-phone")
    text = phone.text()
    assert "我的档案：王芳" in text and "暂扣" in text and "优秀" in text and "登记离岗" not in text
    width = phone.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375 px phone"
    phone.link(f"执法证 {number}")
    phone.shot("me-certificate-phone")
    assert phone.page.locator(".qr svg").count() == 1 and "暂扣" not in [
        b.inner_text() for b in phone.page.get_by_role("link").all()
    ]
    assert phone.page.evaluate("() => document.documentElement.scrollWidth") <= 375
    phone.go("/personnel/officers")
    phone.shot("officer-refused-list")
    assert "您没有查看此页面的权限" in phone.text()
