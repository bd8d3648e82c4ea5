"""Every English message the gateway itself can send (logins, passwords, accounts, the audit trail, event subscribers
and the request pipeline: authentication, bodies, queries, uploads, rate limits) has its Chinese: the messages are
found in the source, so a new one without a translation fails here. Also every code the 系统 pages show has its
word."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from enforcement_console import messages
from enforcement_console.translations import LABELS

from enforcement_contracts.events import all_event_types
from enforcement_gateway.auth import ROLES

REPO = Path(__file__).resolve().parents[2]
GATEWAY = REPO / "gateway/enforcement_gateway"
SOURCES = [
    *sorted(p for p in GATEWAY.rglob("*.py") if "migrations" not in p.parts),
    # what the gateway's subscriber routes call, and what a producer's replay answers through them
    REPO / "kernel/enforcement_kernel/subscribers.py",
    REPO / "kernel/enforcement_kernel/rabbitmq_management.py",
    REPO / "kernel/enforcement_kernel/replay.py",
    REPO / "kernel/enforcement_kernel/paging.py",  # the audit trail read after a cursor
    # the audit trail's period (DateRange) and the account form's agency code (AGENCY_CODE)
    REPO / "contracts/enforcement_contracts/common.py",
]
ERRORS = {
    "ValidationFailed",
    "Conflict",
    "NotFound",
    "Forbidden",
    "Unauthorized",
    "Unavailable",
    "ValidationError",
    "PasswordChangeRequired",
    "RateLimited",
}
# ValueErrors a person reads: the replay plan's (the subscriber route answers it as a 400); the others are
# configuration or programming mistakes that stop a process at start-up
SHOWN_VALUE_ERRORS = {"replay.py"}
# messages no page can show: caught and answered with another message, or written only to a log
NEVER_SHOWN = {
    "not a date-time",  # replay.parse_time's; the route answers "<from|to> is not a date-time"
}
SAMPLES = {
    "settings.min_password_length": "12",
    "address_wait": "3",
    "self.requests": "120",
    "self.window": "60",
    "wait": "3",
    "limit": "65536",
    "sent": "12",
    "key": "from",
    "message": "unknown event type: a.b",
}


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level string constants (``NAME_RULE = "..."``), so a message given by name is found too."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def _example(node: ast.AST, constants: dict[str, str]) -> str | None:
    """A string literal as the gateway would send it (an f-string with sample values)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value.value, ast.Name) and value.value.id in constants:
                parts.append(constants[value.value.id])
            else:
                sample = SAMPLES.get(ast.unparse(value.value), "x1")
                parts.append(repr(sample) if value.conversion == ord("r") else sample)
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # "..." "..." over lines, or "a" + "b"
        left, right = _example(node.left, constants), _example(node.right, constants)
        return left + right if left is not None and right is not None else None
    return None


def _strings_in(node: ast.AST, constants: dict[str, str]) -> list[str]:
    """Literal strings in an error's field messages: ``{"field": ["message", ...]}`` (also built in a loop)."""
    found = []
    if isinstance(node, ast.Dict):
        for value in node.values:
            if isinstance(value, ast.List | ast.Tuple):
                found += [t for item in value.elts if (t := _example(item, constants)) is not None]
    if isinstance(node, ast.DictComp) and isinstance(node.value, ast.List):
        found += [t for item in node.value.elts if (t := _example(item, constants)) is not None]
    return found


def sent_messages() -> dict[str, str]:
    """Every message a person may read, with where it is written."""
    found: dict[str, str] = {}
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        where = path.relative_to(REPO).as_posix()
        for node in ast.walk(tree):
            texts: list[str] = []
            if isinstance(node, ast.Call):
                func = node.func
                name = getattr(func, "id", None) or getattr(func, "attr", None)
                is_super = name == "__init__" and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
                if name in ERRORS or is_super or (name == "ValueError" and path.name in SHOWN_VALUE_ERRORS):
                    texts += [t for a in node.args[:1] if (t := _example(a, constants)) is not None]
                    for argument in node.args[1:]:
                        texts += _strings_in(argument, constants)
                if name == "error_response" and len(node.args) >= 3:  # (status, code, message)
                    texts += [t for t in [_example(node.args[2], constants)] if t is not None]
                if name == "append" and isinstance(func.value, ast.Name) and func.value.id == "problems":
                    texts += [t for t in [_example(node.args[0], constants)] if t is not None]
                for keyword in node.keywords:  # error= (a schema's rule), message= (a default)
                    if keyword.arg in ("error", "message"):
                        texts += [t for t in [_example(keyword.value, constants)] if t is not None]
            if isinstance(node, ast.Assign):
                for target in node.targets:  # errors["agency_code"] = ["required for this role"]
                    is_errors = isinstance(target, ast.Subscript) and getattr(target.value, "id", "") == "errors"
                    if is_errors and isinstance(node.value, ast.List):
                        texts += [t for e in node.value.elts if (t := _example(e, constants)) is not None]
            if isinstance(node, ast.FunctionDef) and node.name == "_locked_message":
                texts += [
                    t for n in ast.walk(node) if isinstance(n, ast.Return) and (t := _example(n.value, constants))
                ]
            if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):  # message or "default message"
                if getattr(node.values[0], "id", "") == "message":
                    texts += [t for v in node.values[1:] if (t := _example(v, constants)) is not None]
            for text in texts:
                found.setdefault(text, f"{where}:{node.lineno}")
    return found


MESSAGES = sent_messages()


def test_the_source_is_read():
    for known in (
        "invalid credentials",
        "account disabled",
        "must be at least 12 characters",
        "is a commonly used password",
        "must not contain the username",
        "must differ from the current password",
        "you cannot disable your own account",
        "required for this role",
        "username taken",
        "unknown agency x1",
        "3-60 letters, digits, _ . -",
        "role x1 may not x1",
        "too many requests from this address: at most 120 every 60 seconds; try again in 3 s",
        "retry in 3 s",
        "change your password first: POST /api/v1/auth/password with current_password and new_password",
        "3-40 characters: lower-case letters, digits and '-', starting with a letter",
        "name at least one event type",
        "must not be before from",
        "too many failed logins from this address; try again in 3 s",
        "too many wrong passwords; try again in 3 s",
    ):
        assert known in MESSAGES, sorted(MESSAGES)
    assert len(MESSAGES) > 60


@pytest.mark.parametrize("message", sorted(set(MESSAGES) - NEVER_SHOWN))
def test_every_message_has_its_chinese(message):
    chinese = messages.translate(message)
    assert chinese, f"no Chinese for {message!r} ({MESSAGES[message]}): add it to translations/accounts.py"
    # no English words left (a code or a name quoted from the message, like x1, may stay)
    assert not re.search(r"[A-Za-z]{3,}", chinese.replace("x1", "")), chinese


def test_the_messages_a_person_meets_most_read_naturally():
    assert messages.translate("must be at least 12 characters") == "至少 12 个字符"
    assert messages.translate("no user scjgj-li") == "没有用户名为 scjgj-li 的账号"
    assert messages.translate(
        "unknown event types: a.b, c.d (`enforcement-subscribers events` lists the known ones)"
    ) == ("不认识的事件类型：a.b, c.d")
    assert messages.translate("subscriber credit already exists; remove it first to change its events").startswith(
        "订阅方 credit 已存在"
    )
    assert messages.translate("no subscriber named credit") == "没有名为 credit 的订阅方"
    locked = messages.translate("account locked after repeated failed attempts; try again after 2026-11-29T10:00:00Z")
    assert locked.startswith("连续输错密码次数过多")


def test_every_code_the_system_pages_show_has_its_word():
    for role in ROLES:
        assert LABELS["role"][role]
    for event in all_event_types():
        assert LABELS["event_type"].get(event.type), f"no Chinese for the event type {event.type}"
        assert LABELS["event_source"].get(event.source), event.source
    for code in ("ok", "validation_failed", "unauthorized", "forbidden", "not_found", "conflict", "rate_limited"):
        assert LABELS["audit_outcome"][code]
    for code in ("password_change_required", "payload_too_large", "unsupported_media_type", "unavailable"):
        assert LABELS["audit_outcome"][code]
    for code in ("request_abandoned",):  # enforcement_kernel.poison
        assert LABELS["audit_outcome"][code]
    for code in ("service_error", "internal_error", "method_not_allowed"):
        assert LABELS["audit_outcome"].get(code) or code == "method_not_allowed"  # 405s are not audited
    assert LABELS["http_method"]["POST"] == "新增" and LABELS["http_method"]["DELETE"] == "删除"


def test_every_path_parameter_of_the_gateway_has_its_word():
    """The audit trail shows a request's path parameters (用户名：scjgj-li): each route's parameter names."""
    names = set()
    for path in sorted((GATEWAY / "routes").glob("*.py")):
        names.update(re.findall(r"<(?:\w+:)?(\w+)>", path.read_text(encoding="utf-8")))
    names.discard("token")  # the docs' 'Authorization: Bearer <token>', not a parameter
    assert names >= {"username", "officer_id", "case_id"}
    for name in sorted(names):
        assert LABELS["audit_param"].get(name), f"no Chinese for the path parameter {name}"


def test_the_audit_words_name_real_routes():
    """``audit_action`` is keyed by the audit trail's label of a route (``POST /api/v1/users/<username>/disable``)."""
    import importlib

    modules = [
        importlib.import_module(f"enforcement_gateway.routes.{p.stem}") for p in (GATEWAY / "routes").glob("*.py")
    ]
    routes = [route for module in modules for route in getattr(module, "ROUTES", [])]
    labels = {f"{route.method} {route.template}" for route in routes}
    assert set(LABELS["audit_action"]) <= labels, set(LABELS["audit_action"]) - labels
