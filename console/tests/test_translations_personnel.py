"""Every English message the personnel service (its operations and rules, its contract, its gateway routes and the
access rules it applies) can send has its Chinese: the messages are found in the source, so a new one without a
translation fails here. Also every code the personnel pages show has its word."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from enforcement_console import messages
from enforcement_console.translations import LABELS

from enforcement_contracts import personnel as contract

REPO = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((REPO / "services/personnel/personnel_service").rglob("*.py")),
    REPO / "contracts/enforcement_contracts/personnel.py",
    REPO / "gateway/enforcement_gateway/routes/personnel.py",
    REPO / "kernel/enforcement_kernel/access.py",
]
ERRORS = {"ValidationFailed", "Conflict", "NotFound", "Forbidden", "ValueError"}
# ValueErrors of the rules that only a programming or configuration mistake raises (the contract has already refused
# such input, or the value is a setting): no person ever reads them on a page
NEVER_SHOWN = {
    "the first part of an ID number must be exactly 17 digits",
    "training hour thresholds cannot be negative",
    "validity_years must be positive",
    "months_before cannot be negative",
    "deadline_workdays cannot be negative",
    "unknown assessment grade '1'",
    "workdays cannot be negative",
    "1 is not a watched deadline",
}
# what a placeholder stands for where the translation depends on it (codes are translated per code); else "1"
SAMPLES = {
    "current": "valid",
    "target": "cancelled",
    "data['reason']": "transfer",
    "data['grade']": "incompetent",
    "certificate_status": "suspended",
    "cert.status": "suspended",
    "app.state": "approved",
    "what": "a township",
}


def _example(node: ast.AST) -> str | None:
    """A string literal as the service would send it (an f-string with sample values)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                source = ast.unparse(value.value)
                sample = SAMPLES.get(source, "1")
                parts.append(repr(sample) if value.conversion == ord("r") else sample)
        return "".join(parts)
    return None


def _examples(node: ast.AST) -> list[str]:
    """The literal, or both literals of ``"a" if condition else "b"``."""
    if isinstance(node, ast.IfExp):
        return _examples(node.body) + _examples(node.orelse)
    text = _example(node)
    return [] if text is None else [text]


def _strings_in(node: ast.AST) -> list[str]:
    """Literal strings in an error's field messages: ``{"field": ["message", ...]}``."""
    found = []
    if isinstance(node, ast.Dict):
        for value in node.values:
            if isinstance(value, ast.List | ast.Tuple):
                found += [text for item in value.elts if (text := _example(item)) is not None]
    return found


def sent_messages() -> dict[str, str]:
    """Every message a person may read, with where it is written."""
    found: dict[str, str] = {}
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(REPO).as_posix()
        for node in ast.walk(tree):
            texts: list[str] = []
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ERRORS:
                    texts += [t for a in node.args[:1] for t in _examples(a)]
                    for argument in node.args[1:]:
                        texts += _strings_in(argument)
                if name == "append" and node.args and isinstance(node.args[0], ast.Tuple):  # eligibility reasons
                    texts += [t for t in (_example(e) for e in node.args[0].elts[1:]) if t is not None]
                if name == "set_status" and len(node.args) > 3:  # the reason a status change writes in the history
                    texts += [t for t in [_example(node.args[3])] if t is not None]
                for keyword in node.keywords:  # reason= (a certificate's history), error= (a contract's shape)
                    if keyword.arg in ("reason", "error"):
                        texts += [t for t in [_example(keyword.value)] if t is not None]
            if isinstance(node, ast.Return | ast.Assign) and isinstance(node.value, ast.Tuple):  # may_enforce
                elements = node.value.elts
                if len(elements) == 2 and isinstance(elements[0], ast.Constant) and elements[0].value is False:
                    texts += [t for t in [_example(elements[1])] if t is not None]
            for text in texts:
                found.setdefault(text, f"{where}:{node.lineno}")
    return found


MESSAGES = sent_messages()


def test_the_source_is_read():
    # a few messages every reader of the source knows are there
    for known in (
        "invalid ID card number",
        "the officer already holds a valid or suspended certificate",
        "already certified",
        "ID number check character does not match the first 17 digits",
        "certificate cannot move from valid to cancelled",
        "departure: transfer",
        "not allowed to change another agency's records",
        "must be a lower-case code like market_supervision",
        "officer holds no enforcement certificate",
    ):
        assert known in MESSAGES, sorted(MESSAGES)
    assert len(MESSAGES) > 50


@pytest.mark.parametrize("message", sorted(set(MESSAGES) - NEVER_SHOWN))
def test_every_message_has_its_chinese(message):
    chinese = messages.translate(message)
    assert chinese, f"no Chinese for {message!r} ({MESSAGES[message]}): add it to translations/personnel.py"
    assert not re.search(r"[A-Za-z]{2,}", chinese.replace("market_supervision", "")), chinese  # (X: an ID number's)


@pytest.mark.parametrize("old", contract.CERTIFICATE_STATUSES)
@pytest.mark.parametrize("new", contract.CERTIFICATE_STATUSES)
def test_every_status_move_reads_in_chinese(old, new):
    assert messages.translate(f"certificate cannot move from {old} to {new}").startswith("执法证不能从")


def test_every_code_the_pages_show_has_its_word():
    kinds = {
        "certificate_status": [*contract.CERTIFICATE_STATUSES, "expired", "none"],
        "departure_reason": contract.DEPARTURE_REASONS,
        "assessment_grade": contract.ASSESSMENT_GRADES,
        "agency_kind": contract.AGENCY_KINDS,
        "reviewer_kind": contract.REVIEWER_KINDS,
        "officer_status": ["active", "departed"],
    }
    for kind, codes in kinds.items():
        for code in codes:
            assert LABELS[kind].get(code), f"no word for {kind}={code}"
    assert LABELS["certificate_status"]["suspended"] == "暂扣" and LABELS["departure_reason"]["transfer"] == "调离"
    assert all(contract.DOMAIN_CODE(code) == code for code in LABELS["enforcement_domain"])


def test_a_reason_with_numbers_keeps_them():
    assert messages.translate("professional knowledge and skills training 12.5 h is below the required 30 h") == (
        "业务知识和执法技能培训 12.5 学时，未达到要求的 30 学时"
    )
    assert messages.translate("outside the renewal window (2030-07-05 to 2031-01-05)") == (
        "不在换证期内（换证期为 2030-07-05 至 2031-01-05）"
    )
    assert messages.translate("certificate is cancelled (注销), which is final") == "执法证已注销，不能再变更状态"
