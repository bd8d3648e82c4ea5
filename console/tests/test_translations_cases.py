"""Every English message the cases service can send (its refusals and their field messages, the rules' problems, the
warnings it records on a case or an inspection, the access rules it applies and its contract's own checks) has its
Chinese: the messages are found in the source, so a new one without a translation fails here. Also every code the
案件 pages and the portal show has its word, and every warning code a case can carry has its check and article."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from enforcement_console import messages
from enforcement_console.translations import LABELS
from enforcement_console.translations import cases as words

from enforcement_contracts.cases import common as cases_common
from enforcement_contracts.cases import inspections as inspections_contract
from enforcement_contracts.cases import procedure, publication, reviews

REPO = Path(__file__).resolve().parents[2]
SERVICE = REPO / "services/cases/cases_service"
SOURCES = [
    *sorted(p for p in SERVICE.rglob("*.py") if "migrations" not in p.parts),
    REPO / "kernel/enforcement_kernel/access.py",  # the agency scoping the service applies
    *sorted((REPO / "contracts/enforcement_contracts/cases").glob("*.py")),  # the schemas' own rules (error=...)
]
ERRORS = {"ValidationFailed", "Conflict", "NotFound", "Forbidden", "ValidationError", "ValueError", "Finding"}
# messages no page shows: configuration or programming mistakes, and what a log alone records
NEVER_SHOWN = {
    "x1 is not a watched deadline",  # the deadline watch's own guard
    "deadline_workdays cannot be negative",  # a programming mistake
    "years must be positive",  # the dormant-items setting
    "not a watched deadline",
}


SAMPLES = {  # placeholders whose value is itself a sentence or a code a pattern expects
    "who": "officer 张三 (a1b2c3)",
    "conflict": "the reviewer belongs to the case's own agency",
    "lenient": "lighter",
    "answer['reason']": "no certificate issued on or before that date",
    # a follow-up's refusal names its field, then the field's message
    "field": "decided_on",
    "problem": "must not be after today",
    "problems[field][0]": "a correction records what was corrected",
}


def _sample(expression: str) -> str:
    """A plausible value for an f-string's placeholder: a date, a number, or a code (x1)."""
    if expression in SAMPLES:
        return SAMPLES[expression]
    if expression.endswith(".year"):
        return "2026"
    if "isoformat" in expression or re.search(r"(_on|departed|current|day)\b", expression):
        return "2026-01-02"
    if re.search(
        r"len\(|count|days|points|total|wanted|year|limit|minimum|per_target|workdays|taken|cap|frequency|"
        r"\+ 1|fine|refused|min|max",
        expression,
    ):
        return "3"
    return "x1"


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
                parts.append(_sample(ast.unparse(value.value)))
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _example(node.left), _example(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _examples(node: ast.AST) -> list[str]:
    """Both messages of ``"a" if ... else "b"``, or the one of any other literal."""
    if isinstance(node, ast.IfExp):
        return _examples(node.body) + _examples(node.orelse)
    text = _example(node)
    return [text] if text is not None else []


def _strings_in(node: ast.AST) -> list[str]:
    """Literal strings in an error's field messages: ``{"field": ["message", ...]}``."""
    found = []
    if isinstance(node, ast.Dict):
        for value in node.values:
            if isinstance(value, ast.List | ast.Tuple):
                found += [t for item in value.elts if (t := _example(item)) is not None]
    return found


def _is_message(text: str) -> bool:
    return " " in text.strip() and not text.startswith(("SELECT", "%"))


def sent_messages() -> dict[str, str]:
    """Every message a person may read, with where it is written."""
    found: dict[str, str] = {}
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(REPO).as_posix()
        in_rules = "rules" in path.parts or path.name == "personnel.py"
        for node in ast.walk(tree):
            texts: list[str] = []
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ERRORS:
                    # Finding(code, field, message): the message; the others: the first argument
                    first = node.args[2:3] if name == "Finding" else node.args[:1]
                    texts += [t for a in first for t in _examples(a)]
                    for argument in node.args[1:]:
                        texts += _strings_in(argument)
                if name in ("append", "reject") and node.args:
                    texts += [t for t in [_example(node.args[-1] if name == "reject" else node.args[0])] if t]
                for keyword in node.keywords:  # error= (a schema's rule)
                    if keyword.arg == "error":
                        texts += [t for t in [_example(keyword.value)] if t is not None]
            if isinstance(node, ast.Assign):
                for target in node.targets:  # errors["drawn_on"] = ["must not be in the future"]; message = f"..."
                    if isinstance(target, ast.Subscript) and isinstance(node.value, ast.List):
                        texts += [t for e in node.value.elts if (t := _example(e)) is not None]
                    if isinstance(target, ast.Name) and target.id in ("message", "reason"):
                        texts += [t for t in [_example(node.value)] if t is not None]
                if isinstance(node.value, ast.Dict):
                    texts += _strings_in(node.value)
            if in_rules and isinstance(node, ast.Return) and node.value is not None:
                values = node.value.elts if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
                texts += [t for v in values if (t := _example(v)) is not None]
            for text in texts:
                if _is_message(text):
                    found.setdefault(text, f"{where}:{getattr(node, 'lineno', 0)}")
    # the yearly cap's refusal and warning add to the message they share
    cap = next((m for m in found if m.startswith("the agency already inspected")), None)
    if cap:
        found.setdefault(cap + " (complaints and referrals are exempt)", found[cap])
        found.setdefault(cap + "; recorded as a x1 inspection", found[cap])
    return found


MESSAGES = sent_messages()
PERSONNEL_REASONS = [  # the personnel service's may-enforce reasons, which the cases service passes on
    "no certificate issued on or before that date",
    "officer holds no enforcement certificate",
    "certificate is suspended (暂扣)",
    "certificate expired on 2026-01-02",
    "certificate does not cover the enforcement domain 'x1'",
    "the enforcement domain 'x1' is not one of the police bureau's domains",
    "the police officer has no police card number on record",
    "the police officer left the post on 2026-01-02",
    "the police officer took up the post on 2026-01-02, after that date",
    "the officer left the post on 2026-01-02",
]


def test_the_source_is_read():
    for known in (
        "the case is not decided yet",
        "the decision is already published",
        "must lie between the decision (2026-01-02) and today",
        "a major decision (重大执法决定) needs a passed legal review (法制审核) before it is decided",
        "at least 3 certified officers must handle a case (art. 42); 3 given",
        "published 3 working days after the decision; due within 3 (国办发〔2018〕118号)",
        "decided 3 days after 立案 (suspensions excluded); due by 2026-01-02 (art. 60)",
        "only the justice bureau may do this",
        "x1 deducts at most 3 points",
        "not allowed to change another agency's records",
        "must be a lower-case code like penalty",
        "a fine needs its amount",
        "the case was refused: x1: x1",
    ):
        assert known in MESSAGES, sorted(MESSAGES)
    assert len(MESSAGES) > 120


@pytest.mark.parametrize("message", sorted(set(MESSAGES) - NEVER_SHOWN))
def test_every_message_has_its_chinese(message):
    chinese = messages.translate(message)
    assert chinese, f"no Chinese for {message!r} ({MESSAGES[message]}): add it to translations/cases.py"
    # no English words left (a code quoted from the message, like x1, may stay)
    assert not re.search(r"[A-Za-z]{3,}", chinese.replace("x1", "")), chinese


@pytest.mark.parametrize("reason", PERSONNEL_REASONS)
def test_an_officer_refused_for_a_certificate_reads_in_chinese(reason):
    message = f"officer 张三 (a1b2c3) may not enforce market_supervision on 2026-03-02: {reason}"
    chinese = messages.translate(message)
    assert chinese and chinese.startswith("执法人员“张三”") or chinese.startswith("“张三”"), chinese
    assert not re.search(r"[A-Za-z]{3,}", chinese), chinese


def test_the_messages_a_clerk_meets_most_read_naturally():
    assert messages.translate("published 8 working days after the decision; due within 7 (国办发〔2018〕118号)") == (
        "作出决定后第 8 个工作日才公示；应在 7 个工作日内公示"
    )
    assert messages.translate("case 9f0c not found") == "案件不存在。"
    assert messages.translate(
        "the on-the-spot procedure allows a fine of at most 200 yuan for a citizen; 500 given"
    ) == ("简易程序（当场处罚）罚款不能超过 200 元（《行政处罚法》第五十一条）")
    assert messages.translate("documents deducts at most 10 points") == "该项最多扣 10 分"
    assert messages.translate("must not be before notice_on (2026-08-03)") == "不能早于前一环节的日期 2026-08-03"
    # a document's media types as a clerk knows them, not as codes
    assert messages.translate("a decision is one of application/pdf, image/jpeg, image/png, not video/mp4") == (
        "该类文书只接受以下格式的文件：PDF 文件、JPEG 图片、PNG 图片（所选文件为 MP4 视频）"
    )
    assert messages.translate("a decision is one of application/pdf, not an unnamed type").endswith(
        "（所选文件为 未注明的格式）"
    )


def test_every_code_the_cases_pages_show_has_its_word():
    for kind in cases_common.PENALTY_KINDS:
        assert LABELS["penalty_kind"][kind]
    for kind in cases_common.LENIENT_LISTS:
        assert LABELS["lenient_list"][kind]
    for status in procedure.CASE_STATUSES:
        assert LABELS["case_status"][status]
    for value in procedure.PROCEDURES:
        assert LABELS["case_procedure"][value]
    for value in procedure.PARTY_KINDS:
        assert LABELS["party_kind"][value]
    for value in procedure.HARMS:
        assert LABELS["harm"][value]
    for kind in procedure.DEADLINE_KINDS:
        assert LABELS["deadline_kind"][kind]
    for ground in publication.CHANGE_GROUNDS:
        assert LABELS["change_ground"][ground]
    for kind in inspections_contract.INSPECTION_KINDS:
        assert LABELS["inspection_kind"][kind]
    for grade in reviews.REVIEW_GRADES:
        assert LABELS["review_grade"][grade]
    for section in reviews.CHECKLIST_SECTIONS:
        assert LABELS["checklist_section"][section]
    for status in ("proposed", "refused", "approved", "handed_over", "acknowledged"):
        assert LABELS["transfer_status"][status]
    seeded = (SERVICE / "seed_data.py").read_text(encoding="utf-8")
    for code in re.findall(r'"code": "([a-z_]+)", "name"', seeded):  # the seeded enforcement types
        assert LABELS["case_type"][code]


def test_every_warning_a_case_can_carry_has_its_check_and_article():
    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted((SERVICE / "rules").glob("*.py")))
    source += (SERVICE / "operations/publication.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'Finding\(\s*"([a-z_]+)"', source))
    inspection_codes = {"repeated", "high_frequency", "over_yearly_cap"}
    assert codes >= {"decision_late", "publication_late", "withdrawal_late", "outside_benchmark"}
    checks = {c["code"]: c for c in words.CHECKS}
    for code in sorted(codes - inspection_codes):
        assert code in checks, f"no check for the warning {code}: add it to translations.cases.CHECKS"
        assert re.search(r"《.+》第.+条|国办发", checks[code]["source"]), checks[code]
        assert not re.search(r"[A-Za-z]{3,}", checks[code]["rule"]), checks[code]
    for code in inspection_codes:
        assert LABELS["inspection_warning"][code]
