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
