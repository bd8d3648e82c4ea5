"""总览 in a real browser: the bureau's county-wide year and an agency admin's to-do list (deadlines in working days)."""

from __future__ import annotations

from enforcement_testing.browser import change_first_password

AGENCY = "140928-scjgj"  # 县市场监管局


def test_the_bureau_sees_the_county_and_an_agency_sees_its_to_do_list(visitor, full_stack):
    bureau = full_stack.bureau()
    issued = bureau.post(
        f"{full_stack.api}/supervision/items",
        json={
            "agency_code": AGENCY,
            "kind": "rectification",
            "title": "整改执法公示不及时问题",
            "deadline_workdays": 5,
        },
        timeout=10,
    )
    assert issued.status_code == 201, issued.text
    full_stack.create_account("scjgj-admin", "agency_admin", AGENCY)

    # the bureau: the county's picture
    visitor.login("admin", full_stack.password_of("admin"))
    visitor.go("/overview/")
    visitor.shot("bureau-overview")
    text = visitor.text()
    for heading in ("按时办结率", "超期监督事项", "持证率", "培训达标率", "各部门按时办结率", "临近期限的投诉举报"):
        assert heading in text
    assert "没有超期的监督事项" in text  # the item just issued is not overdue
    visitor.go("/overview/?sort=agency")
    visitor.shot("bureau-overview-by-agency")
    assert "按部门" in visitor.text()

    # the agency admin: first the forced password change, then its to-do list
    agency = visitor.open.new(name="agency")
    agency.login("scjgj-admin", full_stack.password_of("scjgj-admin"))
    change_first_password(agency, "Initial-pass-2026", "Scjgj-admin-2026")
    agency.go("/overview/")
    agency.shot("agency-to-do")
    text = agency.text()
    assert "签收：整改执法公示不及时问题" in text
    assert (
        "还剩 5 个工作日" in text or "还剩 4 个工作日" in text
    )  # issued today: five working days (four if today is not one)
    assert "监督事项待签收、待反馈（1）" in text
    assert "没有待办。" in text  # the other groups are empty and say so

    # the same list on a phone
    phone = visitor.open.phone()
    phone.login("scjgj-admin", "Scjgj-admin-2026")
    phone.go("/overview/")
    phone.shot("agency-to-do-phone")
    width = phone.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375-px phone"
