"""Reading reported cases from .xlsx (openpyxl, streamed with ``read_only``).

Row 1 names the columns, in English field names or the Chinese labels county offices use; each following row is one
case. Reading checks each cell's form only (a date, a number, a known code) and turns the row into a ``CaseReport``
payload; whether the item, officers and dates pass the law's checks is the import use case's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from enforcement_kernel.spreadsheets import (
    DEFAULT_LIMITS,
    Columns,
    Limits,
    SheetRow,
    SpreadsheetError,
    as_date,
    normalise,
    read_sheet,
    text,
)

# field -> accepted header texts (compared case-insensitively, spaces ignored)
COLUMNS: dict[str, tuple[str, ...]] = {
    "agency_code": ("agency_code", "执法机关编码"),
    "case_number": ("case_number", "案件编号", "文号"),
    "item_code": ("item_code", "事项编码"),
    "filed_on": ("filed_on", "立案日期"),
    "party_kind": ("party_kind", "当事人类型"),
    "party_name": ("party_name", "当事人", "当事人名称"),
    "party_id_number": ("party_id_number", "证件号码", "身份证号码"),
    "credit_code": ("credit_code", "统一社会信用代码"),
    "is_enterprise": ("is_enterprise", "是否企业"),
    "officer_ids": ("officer_ids", "执法人员编号"),
    "procedure": ("procedure", "程序"),
    "violation_on": ("violation_on", "违法行为日期"),
    "harm": ("harm", "危害后果"),
    "notice_on": ("notice_on", "告知日期"),
    "decided_on": ("decided_on", "决定日期"),
    "penalty_kinds": ("penalty_kinds", "处罚种类"),
    "fine_amount": ("fine_amount", "罚款金额"),
    "circumstance": ("circumstance", "裁量情节"),
    "served_on": ("served_on", "送达日期"),
    "executed_on": ("executed_on", "执行日期"),
    "closed_on": ("closed_on", "结案日期"),
}
REQUIRED_COLUMNS = ("case_number", "item_code", "filed_on", "party_kind", "party_name", "officer_ids")
DATE_COLUMNS = ("filed_on", "violation_on", "notice_on", "decided_on", "served_on", "executed_on", "closed_on")
STAGE_COLUMNS = ("notice_on", "served_on", "executed_on", "closed_on")
VALUES = {
    "party_kind": {
        "citizen": "citizen",
        "公民": "citizen",
        "自然人": "citizen",
        "organisation": "organisation",
        "organization": "organisation",
        "法人": "organisation",
        "组织": "organisation",
        "法人或其他组织": "organisation",
        "其他组织": "organisation",
    },
    "procedure": {
        "ordinary": "ordinary",
        "普通": "ordinary",
        "普通程序": "ordinary",
        "simplified": "simplified",
        "简易": "simplified",
        "简易程序": "simplified",
        "当场": "simplified",
    },
    "harm": {
        "none": "none",
        "无": "none",
        "life_health": "life_health",
        "生命健康": "life_health",
        "financial": "financial",
        "金融安全": "financial",
    },
}
PENALTY_LABELS = {
    "警告": "warning",
    "通报批评": "criticism",
    "罚款": "fine",
    "没收违法所得": "confiscate_income",
    "没收非法财物": "confiscate_property",
    "暂扣许可证件": "suspend_licence",
    "降低资质等级": "lower_qualification",
    "吊销许可证件": "revoke_licence",
    "限制开展生产经营活动": "restrict_business",
    "责令停产停业": "order_closure",
    "责令关闭": "order_shutdown",
    "限制从业": "restrict_practice",
    "行政拘留": "detention",
    "其他": "other",
}
YES = {"是", "yes", "true", "1", "y"}
NO = {"否", "no", "false", "0", "n", ""}
_SPLIT = re.compile(r"[,，;；、\s]+")
SHEET = Columns(COLUMNS, required=REQUIRED_COLUMNS)
__all__ = ["COLUMNS", "Row", "SpreadsheetError", "column_of", "read_cases"]  # SpreadsheetError: the kernel's


@dataclass
class Row:
    number: int  # the sheet's row number (the header is row 1)
    agency_code: str | None
    item_code: str | None
    payload: dict  # a CaseReport without item_id (and agency_code when the sheet has no such column)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)


def read_cases(content: bytes, max_rows: int, limits: Limits = DEFAULT_LIMITS) -> list[Row]:
    """Every data row of the first sheet; raises ``SpreadsheetError`` for a file that is not a case sheet
    (``ArchiveRefused``, naming the limit, for an archive over ``limits``: the ``SPREADSHEETS`` settings)."""
    return [_parse_row(row) for row in read_sheet(content, SHEET, max_rows, limits=limits)]


def _parse_row(row: SheetRow) -> Row:
    dates = {name: row.convert(name, _date) for name in DATE_COLUMNS}
    for name in REQUIRED_COLUMNS:
        if text(row.cell(name)) is None:
            row.error(name, "missing")
    coded = {name: _coded(row, name, table) for name, table in VALUES.items()}
    kinds = _penalty_kinds(row)
    fine = _fine(row)
    flag = normalise(row.cell("is_enterprise"))
    if flag not in YES | NO:
        row.error("is_enterprise", f"'{row.cell('is_enterprise')}' is not 是 or 否")
    payload: dict = {
        "case_number": text(row.cell("case_number")),
        "filed_on": _iso(dates["filed_on"]),
        "party": {
            "kind": coded["party_kind"] or "citizen",
            "name": text(row.cell("party_name")) or "",
            "id_number": text(row.cell("party_id_number")),
            "credit_code": text(row.cell("credit_code")),
            "is_enterprise": flag in YES,
        },
        "officers": [{"officer_id": o} for o in _SPLIT.split(text(row.cell("officer_ids")) or "") if o],
        "procedure": coded["procedure"] or "ordinary",
        "harm": coded["harm"] or "none",
        "violation_on": _iso(dates["violation_on"]),
    }
    for name in STAGE_COLUMNS:
        if dates[name] is not None:
            payload[name] = dates[name].isoformat()
    if dates["decided_on"] is not None:
        payload["decision"] = {
            "decided_on": dates["decided_on"].isoformat(),
            "penalty": {"kinds": kinds, "fine_amount": fine},
            "circumstance": text(row.cell("circumstance")),
        }
    elif kinds or fine is not None:
        row.error("decided_on", "a penalty needs the decision date")
    problems = [(e.column, e.reason) for e in row.errors]
    return Row(row.number, text(row.cell("agency_code")), text(row.cell("item_code")), payload, problems)


def _date(value) -> date:
    return as_date(value, separators="/.")


def _coded(row: SheetRow, name: str, table: dict) -> str | None:
    raw = text(row.cell(name))
    code = table.get(raw.lower() if raw and raw.isascii() else raw) if raw else None
    if raw and code is None:
        row.error(name, f"'{raw}' is not one of {', '.join(sorted(set(table.values())))}")
    return code


def _penalty_kinds(row: SheetRow) -> list[str]:
    kinds = []
    for token in _SPLIT.split(text(row.cell("penalty_kinds")) or ""):
        if token:
            kind = PENALTY_LABELS.get(token, token)
            if kind not in PENALTY_LABELS.values():
                row.error("penalty_kinds", f"'{token}' is not a penalty kind")
            kinds.append(kind)
    return kinds


def _fine(row: SheetRow) -> float | None:
    raw = row.cell("fine_amount")
    if raw is None or text(raw) is None:
        return None
    try:
        return float(str(raw).replace(",", "").replace("，", ""))
    except ValueError:
        row.error("fine_amount", f"'{raw}' is not an amount")
        return None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


# a refused row's field (as the checks name it) -> the sheet's column
FIELD_COLUMNS = {
    "party.id_number": "party_id_number",
    "party.credit_code": "credit_code",
    "party.name": "party_name",
    "party.kind": "party_kind",
    "officers": "officer_ids",
    "item_id": "item_code",
    "decision.penalty": "penalty_kinds",
    "decision.penalty.kinds": "penalty_kinds",
    "decision.penalty.fine_amount": "fine_amount",
    "decision.circumstance": "circumstance",
    "decision.decided_on": "decided_on",
    "legal_review": "decided_on",
}


def column_of(field_name: str) -> str:
    if field_name in FIELD_COLUMNS:
        return FIELD_COLUMNS[field_name]
    if field_name.startswith("party."):
        return "party_" + field_name.split(".", 1)[1]
    if field_name.startswith("decision."):
        return field_name.split(".")[-1]
    return field_name
