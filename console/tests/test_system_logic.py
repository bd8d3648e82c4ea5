"""The 系统 pages' own logic: the passwords the bureau hands out, the audit trail's words for an action and its
target, and the event types offered to a subscriber."""

from __future__ import annotations

import re

from enforcement_console.views import system

from enforcement_contracts.events import all_event_types


def test_a_generated_password_is_long_readable_and_new_each_time():
    passwords = {system.generated_password() for _ in range(200)}
    assert len(passwords) == 200
    for password in passwords:
        assert re.fullmatch(r"[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}", password), password
        assert not set(password) & set("0O1lI")  # nothing to misread on the telephone
        assert len(password) >= 10  # the gateway's GATEWAY.min_password_length by default


def test_audit_actions_read_as_what_was_done():
    def verb(action):
        return system.audit_action({"action": action})

    assert verb("POST /api/v1/auth/login") == "登录"
    assert verb("POST /api/v1/auth/logout") == "退出登录"
    assert verb("POST /api/v1/auth/password") == "修改本人密码"
    assert verb("POST /api/v1/users") == "新增账号"
    assert verb("POST /api/v1/users/<username>/disable") == "停用账号"
    assert verb("POST /api/v1/users/<username>/password") == "重置密码"
    assert verb("POST /api/v1/officers") == "新增"
    assert verb("PATCH /api/v1/officers/<officer_id>") == "修改"
    assert verb("PUT /api/v1/x") == "修改"
    assert verb("DELETE /api/v1/subscribers/<name>") == "删除订阅方"
    assert verb("DELETE /api/v1/cases/<case_id>/documents") == "删除"


def test_audit_targets_are_the_path_parameters():
    assert system.audit_target('{"username": "scjgj-li"}') == [("username", "scjgj-li")]
    assert system.audit_target('{"case_id": "C-1", "transfer_id": 7}') == [("case_id", "C-1"), ("transfer_id", "7")]
    assert system.audit_target(None) == [] and system.audit_target("") == []
    assert system.audit_target("not json") == [("", "not json")]
    assert system.audit_target("[1, 2]") == [("", "[1, 2]")]


def test_every_event_type_is_offered_once_under_its_publisher():
    groups = system.event_groups()
    assert [source for source, _ in groups] == ["personnel", "training", "cases", "supervision"]
    offered = [event for _, events in groups for event in events]
    assert sorted(offered) == sorted(e.type for e in all_event_types())
    assert all(event.startswith(source + ".") for source, events in groups for event in events)
