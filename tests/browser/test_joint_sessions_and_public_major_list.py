"""Issue 13's pages in a real browser: a joint training session waits for its co-organiser, whose admin confirms it
on the session's page; the portal shows the agencies' major-decision lists (重大执法决定法制审核目录) to anyone."""

from __future__ import annotations

from datetime import timedelta

from enforcement_testing import RUN_DATE
from enforcement_testing.browser import sign_in

MARKET = "140928-scjgj"  # 县市场监管局
FARMING = "140928-nyncj"  # 县农业农村局


def test_a_joint_session_waits_for_the_co_organiser_who_confirms_it_on_its_page(visitor, full_stack):
    full_stack.create_account("scj-admin", "agency_admin", MARKET)
    full_stack.create_account("nyj-admin", "agency_admin", FARMING)
    market = full_stack.session("scj-admin")  # its first password changed here, through the API
    course = market.post(
        f"{full_stack.api}/training/courses",
        json={"title": "联合执法专题培训", "category_code": "professional"},
        timeout=10,
    )
    assert course.status_code == 201, course.text

    tab = visitor
    sign_in(tab, "scj-admin", full_stack.password_of("scj-admin"))
    tab.go(f"/training/sessions/new?course_id={course.json()['course_id']}")
    tab.shot("session-form")
    tab.fill("开始日期", (RUN_DATE - timedelta(days=1)).isoformat())
    tab.fill("学时", "4")
    tab.select("举办方式", "joint")
    tab.page.get_by_label("县农业农村局", exact=False).first.check()
    tab.click("保存培训班")
    tab.shot("joint-session-pending")
    text = tab.text()
    assert "已新建培训班" in text and "县农业农村局：待确认" in text and "（联合举办单位确认后）" in text
    session_url = tab.page.url
    assert "确认联合举办" not in text  # the organiser does not confirm for its partner

    partner = visitor.open.new(name="partner")
    sign_in(partner, "nyj-admin", full_stack.password_of("nyj-admin"), "Farming-desk-2026!")
    partner.page.goto(session_url)
    partner.shot("joint-session-to-confirm")
    assert "将本单位列为联合举办单位" in partner.text()
    partner.click("确认联合举办")
    partner.shot("joint-session-confirmed")
    text = partner.text()
    assert (
        "已确认联合举办。" in text
        and "县农业农村局：已确认" in text
        and "确认联合举办" not in text.replace("已确认联合举办", "")
    )


def test_the_portal_shows_the_agencies_major_decision_lists(visitor, full_stack):
    full_stack.create_account("scj-admin", "agency_admin", MARKET)
    market = full_stack.session("scj-admin")
    entry = market.post(
        f"{full_stack.api}/major-decision-list",
        json={"agency_code": MARKET, "fine_from": 50000, "note": "五万元以上罚款"},
        timeout=10,
    )
    assert entry.status_code == 201, entry.text

    public = visitor
    public.go("/public/major-decision-list")
    public.shot("portal-major-decision-list")
    text = public.text()
    assert "重大执法决定法制审核目录" in text and "县市场监管局" in text and "五万元以上罚款" in text
    public.page.set_viewport_size({"width": 375, "height": 800})
    public.go(f"/public/major-decision-list?agency_code={FARMING}")
    public.shot("portal-major-decision-list-phone")
    assert "五万元以上罚款" not in public.text()
