"""总览 in a real browser: the bureau's county-wide year, an agency admin's to-do list (deadlines in working days)."""

from __future__ import annotations

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
    # a second item the agency answers at once: the county's promptness table then has a measurement
    answered = bureau.post(
        f"{full_stack.api}/supervision/items",
        json={"agency_code": AGENCY, "kind": "report_request", "title": "报送年度执法统计", "deadline_workdays": 5},
        timeout=10,
    ).json()
    full_stack.create_account("scjgj-admin", "agency_admin", AGENCY)
    agency_api = full_stack.session("scjgj-admin")
    base = f"{full_stack.api}/supervision/items/{answered['item_id']}"
    assert agency_api.post(f"{base}/acknowledge", json={}, timeout=10).status_code == 200
    assert agency_api.post(f"{base}/answer", json={"answer": "已按要求报送"}, timeout=10).status_code == 200

    # the bureau: the county's picture
    visitor.login("admin", full_stack.password_of("admin"))
    visitor.go("/overview/")
    visitor.shot("bureau-overview")
    text = visitor.text()
    for heading in ("按时办结率", "超期监督事项", "持证率", "培训达标率", "各部门按时办结率", "临近期限的投诉举报"):
        assert heading in text
    assert "没有超期的监督事项" in text  # the items just issued are not overdue
    assert "100.0%" in text and "县市场监管局" in text  # the answered item: on time, under the agency's name
    visitor.go("/overview/?sort=agency")
    visitor.shot("bureau-overview-by-agency")
    assert "按部门" in visitor.text()

    # the agency admin (its first password was changed when it answered through the API)
    agency = visitor.open.new(name="agency")
    agency.login("scjgj-admin", full_stack.password_of("scjgj-admin"))
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
    phone.login("scjgj-admin", full_stack.password_of("scjgj-admin"))
    phone.go("/overview/")
    phone.shot("agency-to-do-phone")
    width = phone.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375-px phone"
