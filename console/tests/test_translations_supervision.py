"""Every English message the supervision service (its operations, rules, reports, contracts) and its gateway routes can
send has Chinese: the test finds the message literals in their source and asks ``messages.translate`` for each. A
new message without a translation fails here, naming it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from enforcement_console import messages
from enforcement_console.translations import supervision

REPO = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((REPO / "services" / "supervision" / "supervision_service").rglob("*.py")),
    REPO / "contracts" / "enforcement_contracts" / "supervision.py",
    REPO / "contracts" / "enforcement_contracts" / "supervision_reports.py",
    REPO / "kernel" / "enforcement_kernel" / "access.py",  # the scope checks the service calls
]
ERRORS = r"(?:ValidationFailed|Conflict|NotFound|Forbidden)"
STRING = r"""(f?)(["'])((?:(?!\2).)*)\2"""
# the error's own message: Conflict("...") / Forbidden(f"...")
MESSAGE = re.compile(rf"{ERRORS}\(\s*{STRING}", re.S)
# field messages: {"name": ["..."]} / {"name": [f"..."]}
FIELD = re.compile(rf"""\{{\s*f?["'][\w.]+["']\s*:\s*\[\s*{STRING}\s*\]""")
# marshmallow validators' own messages: error="..."
VALIDATOR = re.compile(rf"error=\s*{STRING}")


def _sample(template: str, is_f: bool) -> str:
    """An f-string as a message it can produce ({year} -> 2025, anything else -> a code-like word)."""
    if not is_f:
        return template

    def value(match: re.Match) -> str:
        expression = match.group(1)
        if "year" in expression or "days" in expression or "workdays" in expression or "[0]" in expression:
            return "2025"
        if "isoformat" in expression or expression.endswith("_on"):
            return "2026-01-31"
        if expression == "what":  # get_row(..., "supervision item" / "complaint")
            return "supervision item"
        if "join" in expression:
            return "issued or acknowledged"
        return "140928-scjgj"

    return re.sub(r"\{([^{}]+)\}", value, template)


def found_messages() -> list[tuple[str, str]]:
    found = []
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        for pattern in (MESSAGE, FIELD, VALIDATOR):
            for match in pattern.finditer(source):
                is_f, text = bool(match.group(1)), match.group(3)
                if not text or "migrations" in path.parts:
                    continue
                found.append((f"{path.relative_to(REPO)}", _sample(text, is_f)))
    return found


def test_the_scan_finds_the_service_s_messages():
    texts = {text for _where, text in found_messages()}
    assert len(texts) > 30
    for expected in ("no such agency", "the complaint was already extended once", "already filed", "has passed"):
        assert expected in texts


@pytest.mark.parametrize(("where", "message"), found_messages())
def test_every_supervision_message_has_chinese(where, message):
    chinese = messages.translate(message)
    assert chinese, f"no Chinese for {message!r} ({where}): add it to enforcement_console/translations/supervision.py"
    assert not re.search(r"[A-Za-z]{3,}", re.sub(r"\d{6}-[a-z]+", "", chinese)) or "7KQ4" in chinese, chinese


def test_the_words_the_pages_show_are_chinese():
    for kind, words in supervision.LABELS.items():
        for code, word in words.items():
            assert re.search(r"[\u4e00-\u9fff]", word), f"{kind}.{code} = {word!r}"
    assert messages.label("item_state", "issued") == "已下发"
    assert messages.label("complaint_state", "accepted") == "已受理"
    assert messages.label("complaint_outcome", "not_upheld") == "不属实"
    for code in ("rectification", "complaint_referral", "transfer_followup", "report_request"):
        assert messages.label("item_kind", code) != code


def test_the_report_s_columns_and_the_indicators_all_have_words():
    from supervision_service import annual_report, indicators

    for code, _title, columns in annual_report.SECTIONS:
        assert code in supervision.LABELS["report_section"]
        for column in annual_report.AGENCY + columns:
            assert column.key in supervision.LABELS["report_column"], column.key
    for name in dir(indicators):
        indicator = getattr(indicators, name)
        if hasattr(indicator, "measure") and hasattr(indicator, "code") and isinstance(indicator.code, str):
            assert indicator.code in supervision.LABELS["indicator"], indicator.code
