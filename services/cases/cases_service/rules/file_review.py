"""Case-file review (案卷评查): checklists, scores and grades."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from enforcement_contracts.cases.reviews import REVIEW_GRADES

GRADE_EXCELLENT, GRADE_PASS, GRADE_FAIL = REVIEW_GRADES  # the contract's: 优秀, 合格, 不合格


@dataclass(frozen=True)
class CheckItem:
    code: str
    label: str
    section: str  # basic | form | content
    points: int = 0
    documents: tuple[str, ...] = ()  # the document kinds the item looks at
    per_missing_document: int | None = None  # the missing-documents item: points proposed per missing document


def checklist_errors(items: Sequence[CheckItem], form_points: int = 20, content_points: int = 80) -> list[str]:
    """A checklist is valid when its codes are unique, basic items carry no points, and the form and content items
    add up to their sections' points (20 and 80 by default)."""
    problems = []
    codes = [i.code for i in items]
    if len(codes) != len(set(codes)):
        problems.append("item codes must be unique")
    if not any(i.section == "basic" for i in items):
        problems.append("at least one basic item (a failed one fails the file)")
    if any(i.section == "basic" and i.points for i in items):
        problems.append("basic items pass or fail: they carry no points")
    for section, wanted in (("form", form_points), ("content", content_points)):
        total = sum(i.points for i in items if i.section == section)
        if total != wanted:
            problems.append(f"{section} items add up to {total} points; they must add up to {wanted}")
    return problems


def review_grade(total: int, excellent: int = 90, passing: int = 70) -> str:
    """优秀 from ``excellent``, 合格 from ``passing``, else 不合格 (settings)."""
    if total >= excellent:
        return GRADE_EXCELLENT
    return GRADE_PASS if total >= passing else GRADE_FAIL


@dataclass(frozen=True)
class FileScore:
    form: int
    content: int
    total: int
    grade: str
    basic_failures: tuple[str, ...]


def score_file(
    items: Sequence[CheckItem],
    basic_failures: Iterable[str],
    deductions: Iterable[tuple[str, int]],
    form_points: int = 20,
    content_points: int = 80,
    excellent: int = 90,
    passing: int = 70,
) -> FileScore:
    """A failed basic item makes the file 不合格 with 0 points; otherwise each section starts full and loses its
    deductions, never below 0. Raises ValueError naming a code that is unknown, in the wrong section or over its
    points."""
    by_code = {i.code: i for i in items}
    failed = tuple(sorted(set(basic_failures)))
    for code in failed:
        if code not in by_code or by_code[code].section != "basic":
            raise ValueError(f"{code} is not a basic item of the checklist")
    spent: dict[str, int] = {}
    for code, points in deductions:
        item = by_code.get(code)
        if item is None or item.section == "basic":
            raise ValueError(f"{code} is not a form or content item of the checklist")
        spent[code] = spent.get(code, 0) + points
        if spent[code] > item.points:
            raise ValueError(f"{code} deducts at most {item.points} points")
    if failed:
        return FileScore(0, 0, 0, GRADE_FAIL, failed)
    form = max(0, form_points - sum(p for c, p in spent.items() if by_code[c].section == "form"))
    content = max(0, content_points - sum(p for c, p in spent.items() if by_code[c].section == "content"))
    return FileScore(form, content, form + content, review_grade(form + content, excellent, passing), ())


def reviewer_agency_error(reviewer_agency: str, case_agency: str) -> str | None:
    """A case file is never reviewed by someone of the case's own agency."""
    if reviewer_agency == case_agency:
        return "the reviewer belongs to the case's own agency"
    return None


def checklist_document_errors(items: Sequence[CheckItem], kind_codes: Iterable[str]) -> list[str]:
    """The items' documents are kinds of the catalogue; one form or content item at most is the missing-documents
    item (``per_missing_document``), and its proposal never exceeds what it can deduct."""
    known = set(kind_codes)
    problems = [
        f"{i.code}: {code} is not a kind of the document-kind catalogue"
        for i in items
        for code in i.documents
        if code not in known
    ]
    flagged = [i for i in items if i.per_missing_document is not None]
    if len(flagged) > 1:
        problems.append("one item at most carries per_missing_document: " + ", ".join(i.code for i in flagged))
    for i in flagged:
        if i.section == "basic":
            problems.append(f"{i.code}: a basic item passes or fails, it cannot carry per_missing_document")
        elif i.per_missing_document > i.points:
            problems.append(f"{i.code}: per_missing_document is more than the item's {i.points} points")
    return problems


def item_documents(items: Sequence[CheckItem], held: dict[str, list[str]], names: dict[str, str]) -> list[dict]:
    """Each item with the kinds it looks at and, per kind, the case's documents of it (``held``: kind -> ids)."""
    return [
        {
            "code": i.code,
            "label": i.label,
            "section": i.section,
            "points": i.points,
            "documents": [
                {"code": kind, "name": names.get(kind), "document_ids": list(held.get(kind, ()))}
                for kind in i.documents
            ],
        }
        for i in items
    ]


def review_missing(checks: dict, recording_name: str) -> list[tuple[str, str]]:
    """What a reviewer is told the file lacks, from the case's records checks: each required document missing, and a
    whole-process recording (kind ``recording``) when the case needs one and has none; (code, name) pairs."""
    missing = [(k["code"], k["name"]) for k in checks["missing_documents"]]
    if checks["recording_required"] and checks["recordings"] == 0:
        missing.append(("recording", recording_name))
    return missing


def proposed_deductions(items: Sequence[CheckItem], missing: Sequence[tuple[str, str]]) -> list[dict]:
    """The missing-documents item's deduction proposed from the completeness checks' missing kinds (code, name):
    ``per_missing_document`` points each, at most the item's points, its note naming them. Nothing when nothing is
    missing or the checklist has no such item."""
    item = next((i for i in items if i.per_missing_document is not None and i.section != "basic"), None)
    if item is None or not missing or item.points == 0:
        return []
    points = min(item.points, item.per_missing_document * len(missing))
    note = "缺少" + "、".join(f"{name}（{code}）" for code, name in missing)
    return [{"code": item.code, "points": points, "note": note[:500]}]
