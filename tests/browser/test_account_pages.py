"""登录, 修改密码 and 退出 in a real browser: the seeded bureau admin's forced first change (with the mistakes a person
makes on the way), logging out and back in, and the login form by keyboard alone."""

from __future__ import annotations

from enforcement_testing.browser import ADMIN, ADMIN_NEW_PASSWORD


def _current_nav(tab) -> str:
    return tab.page.locator('.main-nav a[aria-current="page"]').inner_text()


def test_the_seeded_admin_changes_the_first_password_and_logs_back_in(visitor):
    page = visitor.page
    visitor.go("/login")
    visitor.shot("login")
    assert "忘记密码请联系县司法局管理员重置" in visitor.text()

    # keyboard only: Tab to the username, type, Tab, type, Enter
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == "f-username":
            break
    else:
        raise AssertionError("Tab never reached the username field")
    page.keyboard.type(ADMIN[0])
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "f-password"
    page.keyboard.type(ADMIN[1])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    visitor.shot("password-required")
    assert "这是您首次登录，或密码已被管理员重置" in visitor.text()

    # too short: the gateway's rule, in Chinese beside the new password
    visitor.fill("当前密码", ADMIN[1])
    visitor.fill("新密码", "short-1")
    visitor.fill("再次输入新密码", "short-1")
    visitor.click("保存新密码")
    visitor.shot("password-too-short")
    assert "至少 12 个字符" in page.locator("#e-new_password").inner_text()
    assert "不能是常见密码" in visitor.text()  # the form says the rules before anyone gets them wrong
    assert "新密码不符合要求" in page.locator("#error-summary").inner_text()
    assert page.locator("#f-new_password").get_attribute("aria-invalid") == "true"

    # the repeat differs
    visitor.fill("当前密码", ADMIN[1])
    visitor.fill("新密码", ADMIN_NEW_PASSWORD)
    visitor.fill("再次输入新密码", ADMIN_NEW_PASSWORD + "x")
    visitor.click("保存新密码")
    visitor.shot("password-mismatch")
    assert page.locator("#e-new_password_repeat").inner_text() == "两次输入的新密码不一致"

    # a wrong current password
    visitor.fill("当前密码", "not-the-password")
    visitor.fill("新密码", ADMIN_NEW_PASSWORD)
    visitor.fill("再次输入新密码", ADMIN_NEW_PASSWORD)
    visitor.click("保存新密码")
    visitor.shot("password-wrong-current")
    assert page.locator("#e-current_password").inner_text() == "密码不正确"

    # one containing the username, or a common one, is refused too
    visitor.fill("当前密码", ADMIN[1])
    visitor.fill("新密码", "my-admin-password")
    visitor.fill("再次输入新密码", "my-admin-password")
    visitor.click("保存新密码")
    visitor.shot("password-is-username")
    assert "不能包含用户名" in page.locator("#e-new_password").inner_text()
    visitor.fill("当前密码", ADMIN[1])
    visitor.fill("新密码", "123456789123")
    visitor.fill("再次输入新密码", "123456789123")
    visitor.click("保存新密码")
    visitor.shot("password-common")
    assert "常见密码" in page.locator("#e-new_password").inner_text()

    # the change itself: on to 总览
    visitor.fill("当前密码", ADMIN[1])
    visitor.fill("新密码", ADMIN_NEW_PASSWORD)
    visitor.fill("再次输入新密码", ADMIN_NEW_PASSWORD)
    visitor.click("保存新密码")
    visitor.shot("overview-after-change")
    assert "/overview/" in page.url
    assert _current_nav(visitor) == "总览"
    assert "密码已修改" in visitor.text()

    # log out, the old password no longer opens, the new one does
    visitor.click("退出")
    visitor.shot("logged-out")
    assert "已安全退出" in visitor.text()
    visitor.login(*ADMIN)
    visitor.shot("old-password-refused")
    assert "用户名或密码不正确。" in page.locator("#error-summary").inner_text()
    visitor.login(ADMIN[0], "")
    visitor.shot("password-missing")
    assert page.locator("#e-password").inner_text() == "必填"
    visitor.login(ADMIN[0], ADMIN_NEW_PASSWORD)
    visitor.shot("overview-after-login")
    assert _current_nav(visitor) == "总览"

    # a page asked for before logging in is the one shown after it
    phone = visitor.open.phone()
    phone.go("/system/audit")
    phone.shot("login-on-phone")
    assert "/login" in phone.page.url
    width = phone.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the login page is {width} px wide on a 375-px phone"
    phone.fill("用户名", ADMIN[0])
    phone.fill("密码", ADMIN_NEW_PASSWORD)
    phone.click("登录")
    phone.shot("audit-after-login-on-phone")
    assert phone.page.url.endswith("/system/audit")
    assert "审计日志" in phone.text()
