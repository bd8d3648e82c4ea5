"""人民警察 in a real browser (issue 12): the police bureau's admin registers a police officer — without the police
card number the form says so beside 警官证号, with it the officer is registered — and the officer's page shows the
card, the appointment day and that they enforce with their police card (no enforcement certificate to apply for);
the card number is corrected on the edit page."""

from __future__ import annotations

from enforcement_testing import valid_id_number
from enforcement_testing.browser import change_first_password

POLICE = "140928-gaj"  # 县公安局
ADMIN = "gaj-admin"


def test_a_police_officer_is_registered_with_the_police_card_and_corrected(full_stack, visitor):
    full_stack.create_account(ADMIN, "agency_admin", POLICE)
    tab = visitor
    tab.login(ADMIN, full_stack.password_of(ADMIN))
    change_first_password(tab, full_stack.password_of(ADMIN), "Police-desk-2026!")
    tab.shot("home")
    tab.go("/personnel/officers/new")
    tab.shot("register")
    tab.fill("姓名", "郭警官")
    tab.fill("身份证号", valid_id_number(951))
    tab.fill("任职日期", "2019-03-01")
    tab.page.get_by_label("公安", exact=True).check()
    tab.click("登记")
    tab.shot("register-no-card")
    assert tab.page.locator("#e-police_card_number").inner_text() == "人民警察须登记人民警察证号"
    tab.fill("警官证号", "12")
    tab.click("登记")
    tab.shot("register-bad-card")
    assert "人民警察证号" in tab.page.locator("#e-police_card_number").inner_text()
    tab.fill("警官证号", "a140928")
    tab.click("登记")
    tab.shot("registered")
    text = tab.text()
    assert "已登记执法人员 郭警官" in text and "A140928" in text
    assert "2019年3月1日" in text and "持人民警察证执法" in text and "申请发证" not in text

    tab.link("修改信息")
    tab.shot("edit")
    tab.fill("警官证号", "A140929")
    tab.click("保存")
    tab.shot("edited")
    assert "已修改 郭警官 的信息" in tab.text() and "A140929" in tab.text()
