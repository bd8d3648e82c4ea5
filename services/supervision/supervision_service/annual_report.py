"""The yearly statistics report (行政执法统计年报), per agency and for the county.

Built from the same ``AgencyFacts`` as the assessment (pure: no database, no broker): one section each for
cases by enforcement type (counts and fine amounts), certificates, training, case-file review, complaints and
supervision items, each with a county total. Due by 31 January of the next year (``ANNUAL_REPORT.due``).
Exported as JSON (``build_report``) and as .xlsx with one sheet per section (``workbook``).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from enforcement_contracts.errors import Forbidden, ValidationFailed
from enforcement_kernel.spreadsheets import safe_cell, safe_row

from .assessment import AgencyFacts

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ReportSettings:
    due_month: int = 1
    due_day: int = 31

    @classmethod
    def from_settings(cls, section: Mapping[str, Any]) -> ReportSettings:
        due = (section or {}).get("due") or {}
        try:
            settings = cls(int(due.get("month", 1)), int(due.get("day", 31)))
            date(2001, settings.due_month, settings.due_day)  # a day every year has (no 29 February)
        except (TypeError, ValueError):
            raise ValidationFailed(
                "the report due date is wrong", {"ANNUAL_REPORT.due": ["must be a month and day of the next year"]}
            ) from None
        return settings

    def due_on(self, year: int) -> date:
        return date(year + 1, self.due_month, self.due_day)


COUNTY = "county"


def filing_scope(actor: dict, agency_code: str | None) -> str:
    """Whose report ``actor`` files: an agency admin their own agency's; the bureau the county's, or an agency's
    (filed on its behalf)."""
    if actor["role"] == "bureau":
        return agency_code or COUNTY
    if actor["role"] == "agency_admin" and agency_code in (None, actor.get("agency_code")):
        return actor["agency_code"]
    if actor["role"] == "agency_admin":
        raise Forbidden("an agency files its own report", {"agency_code": ["not your agency"]})
    raise Forbidden("only the bureau and agency admins file the yearly report")


def filing_year_problem(year: int, today: date) -> str | None:
    """A report is filed for a year that is over."""
    return None if year < today.year else f"{year} is not over yet: its report is filed from 1 January {year + 1}"


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    money: bool = False


AGENCY = [Column("agency_code", "机关代码 agency code"), Column("agency_name", "执法机关 agency")]

SECTIONS: list[tuple[str, str, list[Column]]] = [
    (
        "cases",
        "执法案件 cases by type",
        [
            Column("type_code", "类别代码 type code"),
            Column("type_name", "执法类别 enforcement type"),
            Column("cases", "立案 cases filed"),
            Column("decided", "作出决定 decided"),
            Column("fined", "罚款 fined"),
            Column("fine_total", "罚没金额 fines (yuan)", money=True),
        ],
    ),
    (
        "certificates",
        "执法证件 certificates",
        [
            Column("officers", "在岗执法人员 officers in post"),
            Column("certified", "持证 certified"),
            Column("certificates_issued", "新发证 issued"),
            Column("certificates_cancelled", "注销吊销 cancelled"),
        ],
    ),
    (
        "training",
        "培训 training",
        [Column("training_officers", "应训人员 officers"), Column("training_compliant", "达标 compliant")],
    ),
    (
        "reviews",
        "案卷评查 case-file review",
        [
            Column("review_files", "评查案卷 files"),
            Column("excellent", "优秀 excellent"),
            Column("pass", "合格 pass"),
            Column("fail", "不合格 fail"),
        ],
    ),
    (
        "followups",
        "错案纠正与责任追究 corrections and accountability",
        [
            Column("followups_opened", "启动 opened"),
            Column("followups_closed", "办结 closed"),
            Column("followups_overdue", "逾期 overdue"),
            Column("followup_exemptions", "尽职免责容错 officers exempted"),
        ],
    ),
    (
        "complaints",
        "投诉举报 complaints",
        [
            Column("complaints", "受理登记 received"),
            Column("complaints_concluded", "办结 concluded"),
            Column("complaints_upheld", "查实 upheld"),
        ],
    ),
    (
        "supervision",
        "执法监督 supervision items",
        [
            Column("items", "督办事项 items"),
            Column("items_overdue", "逾期 overdue or answered late"),
            Column("decisions_reversed", "复议诉讼纠错 decisions reversed"),
        ],
    ),
]
COLUMNS = {code: columns for code, _title, columns in SECTIONS}


def _rows(code: str, facts: list[AgencyFacts], type_names: Mapping[str, str]) -> list[dict]:
    rows = []
    for f in facts:
        base = {"agency_code": f.agency_code, "agency_name": f.agency_name}
        if code == "cases":
            for type_code in sorted(f.cases_by_type):
                rows.append(
                    base
                    | {"type_code": type_code, "type_name": type_names.get(type_code, type_code)}
                    | f.cases_by_type[type_code]
                )
        elif code == "reviews":
            rows.append(
                base
                | {"review_files": f.review_files}
                | {g: f.review_grades.get(g, 0) for g in ("excellent", "pass", "fail")}
            )
        else:
            rows.append(base | {c.key: getattr(f, c.key) for c in COLUMNS[code]})
    return rows


def _total(columns: list[Column], rows: list[dict]) -> dict:
    total: dict[str, Any] = {}
    for c in columns:
        if c.key in ("type_code", "type_name"):
            continue
        value = sum(r[c.key] for r in rows)
        total[c.key] = round(value, 2) if c.money else value
    return total


def build_report(
    year: int,
    facts: list[AgencyFacts],
    type_names: Mapping[str, str],
    settings: ReportSettings,
    today: date,
    agency_code: str | None = None,
) -> dict:
    """The report as JSON: the county's (every agency, with totals) or one agency's (``agency_code``)."""
    if agency_code is not None:
        facts = [f for f in facts if f.agency_code == agency_code]
    due_on = settings.due_on(year)
    sections = []
    for code, title, columns in SECTIONS:
        rows = _rows(code, facts, type_names)
        sections.append(
            {
                "code": code,
                "title": title,
                "columns": [{"key": c.key, "title": c.title} for c in AGENCY + columns],
                "rows": rows,
                "total": _total(columns, rows),
            }
        )
    return {
        "year": year,
        "scope": agency_code or "county",
        "due_on": due_on.isoformat(),
        "generated_on": today.isoformat(),
        "complete": today > date(year, 12, 31),
        "due_passed": today > due_on,
        "agencies": len(facts),
        "sections": sections,
    }


def workbook(report: dict) -> bytes:
    """One sheet per section (header row, a row per agency, the total row last) and a cover sheet."""
    book = Workbook()
    cover = book.active
    cover.title = "概况 summary"
    for row in (
        ("年度 year", report["year"]),
        ("范围 scope", report["scope"]),
        ("报送期限 due", report["due_on"]),
        ("生成日期 generated", report["generated_on"]),
        ("机关数 agencies", report["agencies"]),
    ):
        cover.append(safe_row(row, cover))
    bold = Font(bold=True)
    for section in report["sections"]:
        sheet = book.create_sheet(safe_cell(section["title"][:31]))  # Excel's limit on a sheet name
        keys = [c["key"] for c in section["columns"]]
        sheet.append(safe_row(c["title"] for c in section["columns"]))
        for row in section["rows"]:
            sheet.append(safe_row((row.get(k) for k in keys), sheet))
        sheet.append(safe_row(["合计 total", ""] + [section["total"].get(k, "") for k in keys[2:]]))
        for cell in (*sheet[1], *sheet[sheet.max_row]):
            cell.font = bold
        sheet.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
