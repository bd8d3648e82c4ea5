"""Every English message the training service can send has its Chinese in ``translations.training``.

The messages are found in the source: the literal text (f-strings with their placeholders filled) given to the errors
(``ValidationFailed``, ``Conflict``, ``NotFound``, ``Forbidden``), to the spreadsheet's row errors and to the
reasons the rules return, in the service and in the kernel modules it uses (the sheet reader, the access checks). A
new message without a translation fails here. The rules are also run, so the reasons they build are checked as sent.
"""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from enforcement_console.messages import LABELS, translate

from enforcement_contracts.training import common as training_common
from training_service import rules, seed_data, spreadsheets

REPO = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((REPO / "services" / "training" / "training_service").rglob("*.py")),
    REPO / "kernel" / "enforcement_kernel" / "spreadsheets.py",
    REPO / "kernel" / "enforcement_kernel" / "access.py",
]
ERRORS = {"ValidationFailed", "Conflict", "NotFound", "Forbidden", "RowError", "SpreadsheetError", "ValueError"}
PLACEHOLDER = "7"  # what a formatted value reads as: matches the patterns' \d+, \S+ and .+
# Raised when the service starts with a bad setting: an operator reads these in the log, no page shows them.
NOT_SHOWN = {
    "hours_step must be positive",
    "yearly hour thresholds cannot be negative",
    "TRAINING.rotation_window_start must not be after TRAINING.rotation_deadline",
}
# ``known(..., what)`` and ``get_or_404(..., what)`` name the kind of row in their messages ("unknown course 7")
LOOKUPS = {"known": 5, "get_or_404": 4}  # helper -> the position of its ``what`` argument


def render(node: ast.AST) -> str | None:
    """The text a message expression produces, its formatted values filled in; None when it holds no literal text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else PLACEHOLDER for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = render(node.left), render(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else PLACEHOLDER) + (right if right is not None else PLACEHOLDER)
    if isinstance(node, ast.IfExp):
        return render(node.body)
    return None


def texts(node: ast.AST, skip: frozenset = frozenset()):
    """The message texts in an error's arguments (inside the ``fields`` dict and its lists too)."""
    if id(node) in skip:
        return
    if isinstance(node, ast.IfExp):  # one message or the other
        yield from texts(node.body, skip)
        yield from texts(node.orelse, skip)
        return
    text = render(node)
    if text is not None:
        yield text
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from texts(value, skip)
    elif isinstance(node, ast.List | ast.Tuple):
        for item in node.elts:
            yield from texts(item, skip)


def is_message(text: str) -> bool:
    return any(c.isalpha() for c in text) and not text.startswith("_")


def lookup_kinds(trees) -> dict[str, set[str]]:
    """helper -> the ``what`` its calls pass (course, session, exam sitting...)."""
    kinds: dict[str, set[str]] = {name: set() for name in LOOKUPS}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in LOOKUPS:
                position = LOOKUPS[node.func.id] - 1
                if len(node.args) > position and isinstance(node.args[position], ast.Constant):
                    kinds[node.func.id].add(node.args[position].value)
    return kinds


def messages_in(tree: ast.AST, kinds: dict[str, set[str]]) -> set[str]:
    found: set[str] = set()
    templated: set[int] = set()  # the lookup helpers' f-strings, expanded once per kind of row
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in LOOKUPS:
            for inner in ast.walk(node):
                if isinstance(inner, ast.JoinedStr):
                    templated.add(id(inner))
                    parts = [v.value if isinstance(v, ast.Constant) else "{}" for v in inner.values]
                    found.update("".join(parts).format(kind, PLACEHOLDER) for kind in kinds[node.name])
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            skip = {"RowError": 2, "error": 1}.get(name, 0)  # RowError(row, column, reason); row.error(column, reason)
            if name in ERRORS or name == "error":
                for arg in node.args[skip:]:
                    found.update(texts(arg, frozenset(templated)))
        elif isinstance(node, ast.Assign):
            target = node.targets[0]
            # problems["hours"] = "..." (the rules); message = f"..." (the import's refusal); ALREADY_RECORDED = "..."
            if (
                (isinstance(target, ast.Subscript) and getattr(target.value, "id", "") == "problems")
                or (isinstance(target, ast.Name) and target.id == "message")
                or (
                    isinstance(target, ast.Name)
                    and target.id.isupper()
                    and isinstance(node.value, ast.Constant)
                    and " " in str(node.value.value)
                )
            ):
                found.update(texts(node.value))
        elif isinstance(node, ast.FunctionDef) and node.name.endswith("_problem"):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and inner.value is not None:
                    found.update(texts(inner.value))
    return {text for text in found if is_message(text) and text not in NOT_SHOWN}


TREES = [ast.parse(path.read_text(encoding="utf-8")) for path in SOURCES]
KINDS = lookup_kinds(TREES)
MESSAGES = sorted({text for tree in TREES for text in messages_in(tree, KINDS)})


def test_the_source_holds_the_messages_the_pages_show():
    # the finder works: a few messages every attendance page can show are among those found
    for known in ("an officer of another agency", "missing", "unknown officer 7", "unknown session 7"):
        assert known in MESSAGES, known
    assert {"course", "session"} <= KINDS["known"] and "exam sitting" in KINDS["get_or_404"]
    assert len(MESSAGES) > 50


@pytest.mark.parametrize("message", MESSAGES)
def test_every_message_of_the_service_has_chinese(message):
    chinese = translate(message)
    assert chinese, f"no Chinese for {message!r}: add it to console/enforcement_console/translations/training.py"
    words = chinese
    for allowed in (".xlsx", "Excel", "WPS"):
        words = words.replace(allowed, "")
    assert not any("a" <= c.lower() <= "z" for c in words), chinese


def test_the_rules_reasons_as_sent_have_chinese():
    day = date(2026, 5, 10)

    def problems(hours, attended_on=day, today=day, departed_on=None):
        found = rules.attendance_problems(
            hours=hours,
            attended_on=attended_on,
            session_hours=8,
            held_on=day,
            ends_on=day,
            today=today,
            departed_on=departed_on,
        )
        return list(found.values())

    reasons = [
        *problems(0.3),
        *problems(-1),
        *problems(9.5, attended_on=date(2026, 6, 1)),
        *problems(2, attended_on=date(2026, 5, 1)),
        *problems(2, attended_on=date(2026, 5, 12), today=date(2026, 6, 1)),
        *problems(2, departed_on=date(2026, 5, 9)),
    ]
    policy = rules.Policy(yearly_hours={"public_law": 30})
    reasons += rules.session_problems(day, date(2026, 5, 1), 8, policy).values()
    reasons += rules.session_problems(day, date(2027, 6, 1), 8, policy).values()
    reasons += rules.session_problems(day, day, 20, policy).values()
    assert len(reasons) >= 9
    for reason in reasons:
        assert translate(reason), f"no Chinese for the rule's reason {reason!r}"


def test_every_code_the_pages_show_has_its_word():
    kinds = {
        "course_kind": training_common.COURSE_KINDS,
        "delivery": training_common.DELIVERIES,
        "organiser_kind": training_common.ORGANISER_KINDS,
        "exam_kind": training_common.EXAM_KINDS,
        "training_category": [c["code"] for c in seed_data.CATEGORIES],
        "attendance_column": list(spreadsheets.COLUMNS.aliases),
    }
    for kind, codes in kinds.items():
        assert set(codes) <= set(LABELS[kind]), kind
    reasons = {rules.REASON_REQUIRED, rules.REASON_ROTATION}
    reasons |= {f"{rules.REASON_HOURS}:{c['code']}" for c in seed_data.CATEGORIES}
    assert reasons <= set(LABELS["compliance_reason"])
    # the glossary's words for the seeded categories
    assert [LABELS["training_category"][c] for c in ("public_law", "professional", "political")] == [
        "公共法律知识",
        "业务知识和执法技能",
        "政治轮训",
    ]
