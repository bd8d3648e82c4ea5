"""系统 in a real browser (the justice bureau only): accounts created, reset, disabled and enabled through the pages and
what the person behind the account sees each time; the audit trail of it; an event subscriber added and removed; the
API documents' links; and the Chinese 403 for anyone else."""

from __future__ import annotations

import re
import uuid

import requests
from enforcement_testing.browser import change_first_password

AGENCY = "140928-scjgj"  # 县市场监管局
CLERK = "scjgj-li"


def _row_action(tab, row: str, action: str) -> None:
    """Follows an action's link (重置密码, 停用, 删除 ...) on the table row of ``row``."""
    tab.page.locator("tr", has_text=row).get_by_role("link", name=re.compile(f"^{action}")).click()
    tab.page.wait_for_load_state()


def _login_bureau(visitor, full_stack) -> None:
    full_stack.bureau()  # the seeded admin's forced first change, made through the API
    visitor.login("admin", full_stack.password_of("admin"))
    visitor.shot("overview")


def test_the_bureau_manages_accounts_and_reads_the_audit_trail(visitor, full_stack):
    page = visitor.page
    _login_bureau(visitor, full_stack)
    visitor.link("系统")
    visitor.shot("users")
    assert page.url.endswith("/system/")
    text = visitor.text()
    assert "admin（本人）" in text and "司法局管理员" in text
    own = page.locator("tr", has_text="admin（本人）")
    assert own.get_by_role("link", name=re.compile("^停用")).count() == 0  # nobody is offered to disable themselves
    assert own.get_by_role("link", name=re.compile("^重置密码")).count() == 1

    # a new account: two mistakes first, each explained beside its field
    visitor.link("新建账号")
    visitor.shot("user-form")
    visitor.fill("用户名", "li")
    visitor.select("角色", "agency_admin")
    visitor.select("所属执法部门", AGENCY)
    visitor.click("创建账号")
    visitor.shot("user-form-bad-username")
    assert "3 至 60 个字符" in page.locator("#e-username").inner_text()
    visitor.fill("用户名", CLERK)
    visitor.select("所属执法部门", "")
    visitor.click("创建账号")
    visitor.shot("user-form-no-agency")
    assert page.locator("#e-agency_code").inner_text() == "此角色须选择所属执法部门"
    assert page.locator("#f-username").input_value() == CLERK  # what was typed stays
    visitor.select("所属执法部门", AGENCY)
    visitor.click("创建账号")
    visitor.shot("user-created")
    assert "账号已创建" in visitor.text() and "县市场监管局" in visitor.text()
    first_password = page.locator("#shown-password").inner_text()
    assert len(first_password) >= 12

    # the same username again: 409, beside the username
    visitor.go("/system/users/new")
    visitor.fill("用户名", CLERK)
    visitor.select("角色", "agency_admin")
    visitor.select("所属执法部门", AGENCY)
    visitor.click("创建账号")
    visitor.shot("user-form-taken")
    assert page.locator("#e-username").inner_text() == "已存在"
    assert "该用户名已被使用" in page.locator("#error-summary").inner_text()

    visitor.go("/system/")
    visitor.shot("users-with-clerk")
    row = page.locator("tr", has_text=CLERK)
    assert "部门管理员" in row.inner_text() and "县市场监管局" in row.inner_text()
    assert "待本人修改密码" in row.inner_text()

    # the clerk's first login: the forced change, then the console; 系统 is not theirs
    clerk = visitor.open.new(name="clerk")
    clerk.login(CLERK, first_password)
    change_first_password(clerk, first_password, "Market-clerk-2026")
    clerk.shot("clerk-overview")
    assert "系统" not in clerk.page.locator(".main-nav").inner_text()
    clerk.go("/system/")
    clerk.shot("clerk-forbidden")
    assert "没有权限" in clerk.text() and "您没有查看此页面的权限。" in clerk.text()
    clerk.go("/system/audit")
    clerk.shot("clerk-forbidden-audit")
    assert "您没有查看此页面的权限。" in clerk.text()

    # the bureau resets the clerk's password: confirmation, then the new one shown once
    visitor.go("/system/")
    _row_action(visitor, CLERK, "重置密码")
    visitor.shot("reset-confirm")
    assert "重置密码" in visitor.text() and "只在下一页显示一次" in visitor.text()
    visitor.click("确认重置密码")
    visitor.shot("reset-done")
    assert "密码已重置" in visitor.text()
    reset_password = page.locator("#shown-password").inner_text()
    assert reset_password != first_password

    # the clerk's next page (one that reads the gateway): logged out; the new password must be changed again
    clerk.go("/personnel/")
    clerk.shot("clerk-logged-out-by-reset")
    assert "/login" in clerk.page.url and "登录已过期或已在别处退出" in clerk.text()
    clerk.login(CLERK, reset_password)
    change_first_password(clerk, reset_password, "Market-clerk-2027")
    clerk.shot("clerk-after-second-change")

    # the bureau disables the clerk
    visitor.go("/system/")
    _row_action(visitor, CLERK, "停用")
    visitor.shot("disable-confirm")
    visitor.click("确认停用账号")
    visitor.shot("disabled")
    assert f"账号 {CLERK} 已停用。" in visitor.text()
    assert "已停用" in page.locator("tr", has_text=CLERK).inner_text()

    # ... whose next page is the login saying the account is disabled, and whose password no longer opens
    clerk.go("/personnel/")
    clerk.shot("clerk-disabled")
    assert "/login" in clerk.page.url
    assert "您的账号已被停用" in clerk.text()
    clerk.login(CLERK, "Market-clerk-2027")
    clerk.shot("clerk-disabled-login")
    assert "用户名或密码不正确。" in clerk.text()

    # enabled again: the password the clerk chose opens once more
    _row_action(visitor, CLERK, "启用")
    visitor.shot("enable-confirm")
    visitor.click("确认启用账号")
    visitor.shot("enabled")
    assert f"账号 {CLERK} 已启用。" in visitor.text()
    clerk.login(CLERK, "Market-clerk-2027")
    clerk.shot("clerk-back")
    assert "/overview/" in clerk.page.url

    # the audit trail: what the bureau did, filtered by its username
    visitor.link("审计日志")
    visitor.shot("audit")
    visitor.fill("用户名", "admin")
    visitor.click("查询")
    visitor.shot("audit-admin")
    text = visitor.text()
    for route in ("/api/v1/users/<username>/password", "/api/v1/users/<username>/disable", "/api/v1/users"):
        assert f"POST {route}" in text
    assert f"用户名：{CLERK}" in text
    assert "新增" in text and "成功" in text and "填写有误" in text and "与当前状态冲突" in text
    disable_row = page.locator("tr", has_text="/disable").first.inner_text()
    assert "成功" in disable_row and f"用户名：{CLERK}" in disable_row
    # the clerk's own trail: logins, the password changes, a refused login
    visitor.fill("用户名", CLERK)
    visitor.click("查询")
    visitor.shot("audit-clerk")
    text = visitor.text()
    assert "登录" in text and "修改本人密码" in text and "未通过身份验证" in text
    # a bad period: the Chinese beside 结束日期
    visitor.fill("开始日期", "2026-12-01")
    visitor.fill("结束日期", "2026-11-01")
    visitor.click("查询")
    visitor.shot("audit-bad-period")
    assert page.locator("#e-to").inner_text() == "不能早于开始日期"
    visitor.go("/system/audit?actor=nobody-at-all")
    visitor.shot("audit-none")
    assert "没有符合条件的记录。" in visitor.text()

    # the audit trail on a phone: the table scrolls inside its frame, the page does not
    phone = visitor.open.phone()
    phone.go("/system/audit")  # the login first, then the page asked for
    phone.shot("login-phone")
    phone.fill("用户名", "admin")
    phone.fill("密码", full_stack.password_of("admin"))
    phone.click("登录")
    phone.shot("audit-phone")
    assert phone.page.url.endswith("/system/audit")
    width = phone.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the audit page is {width} px wide on a 375-px phone"


def _drop_broker_user(full_stack, user: str) -> None:
    from enforcement_kernel import rabbitmq_management as mgmt

    settings = mgmt.ManagementSettings.from_env(amqp_uri=full_stack.amqp_uri)
    mgmt.ManagementApi(settings).delete_user(user)


def test_the_bureau_adds_and_removes_an_event_subscriber_and_finds_the_api_documents(request, visitor, full_stack):
    page = visitor.page
    _login_bureau(visitor, full_stack)
    visitor.go("/system/subscribers")
    visitor.shot("subscribers-empty")
    assert "还没有订阅方。" in visitor.text()

    visitor.link("添加订阅方")
    visitor.shot("subscriber-form")
    assert "行政执法证已发证" in visitor.text()
    # no event chosen
    visitor.fill("订阅方名称", "credit")
    visitor.click("添加订阅方")
    visitor.shot("subscriber-form-no-events")
    assert page.locator("#e-events").inner_text() == "请至少选择一种事件"
    # a name the broker would not take
    visitor.fill("订阅方名称", "Credit Platform")
    page.get_by_label("行政执法证已发证").check()
    visitor.click("添加订阅方")
    visitor.shot("subscriber-form-bad-name")
    assert "只能用小写英文字母" in page.locator("#e-name").inner_text()
    assert page.get_by_label("行政执法证已发证").is_checked()  # the choice stays

    name = f"credit-{uuid.uuid4().hex[:8]}"  # broker users outlive the test's vhost: a name of its own ...
    request.addfinalizer(lambda: _drop_broker_user(full_stack, f"sub-{name}"))  # ... removed even if the test fails
    visitor.fill("订阅方名称", name)
    page.get_by_label("执法决定已公示").check()
    visitor.click("添加订阅方")
    visitor.shot("subscriber-created")
    text = visitor.text()
    assert f"订阅方已添加：{name}" in text and f"sub-{name}" in text
    assert "行政执法证已发证" in text and "执法决定已公示" in text
    assert len(page.locator("#shown-password").inner_text()) >= 20

    visitor.link("返回事件订阅")
    visitor.shot("subscribers")
    row = page.locator("tr", has_text=name).inner_text()
    assert "行政执法证已发证" in row and "执法决定已公示" in row and f"sub-{name}" in row

    _row_action(visitor, name, "删除")
    visitor.shot("subscriber-remove-confirm")
    assert "不能恢复" in visitor.text()
    visitor.click("确认删除")
    visitor.shot("subscriber-removed")
    assert f"订阅方 {name} 已删除" in visitor.text()
    assert "还没有订阅方。" in visitor.text()
    visitor.go(f"/system/subscribers/{name}/remove")
    visitor.shot("subscriber-gone")
    assert f"没有名为 {name} 的订阅方" in visitor.text()

    # 接口文档: the gateway's documents, each of which answers
    visitor.go("/system/subscribers")
    visitor.link("接口文档")
    visitor.shot("docs")
    links = page.locator("main ul.cards a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [
        f"{full_stack.gateway_url}/docs",
        f"{full_stack.gateway_url}/openapi.json",
        f"{full_stack.gateway_url}/events/catalogue.md",
        f"{full_stack.gateway_url}/events/asyncapi.yaml",
    ]
    for href in hrefs:
        assert requests.get(href, timeout=10).status_code == 200, href

    # an unknown account's page: the Chinese 404 sentence
    visitor.go("/system/users/nobody-here/disable")
    visitor.shot("unknown-account")
    assert "没有用户名为 nobody-here 的账号" in visitor.text()
