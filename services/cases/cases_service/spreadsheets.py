"""Reading reported cases from .xlsx (openpyxl, streamed with ``read_only``).

Row 1 names the columns, in English field names or the Chinese labels county offices use; each following row is one
case. Reading checks each cell's form only (a date, a number, a known code) and turns the row into a ``CaseReport``
payload; whether the item, officers and dates pass the law's checks is the import use case's business.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

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


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read as a case sheet."""


@dataclass
class Row:
    number: int  # the sheet's row number (the header is row 1)
    agency_code: str | None
    item_code: str | None
    payload: dict  # a CaseReport without item_id (and agency_code when the sheet has no such column)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)


def _norm(text) -> str:
    return "".join(str(text).split()).lower() if text is not None else ""


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a text column (an ID, a case number)
    text = str(value).strip()
    return text or None


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip().replace("/", "-").replace(".", "-"))
    except ValueError:
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD)") from None


def read_cases(content: bytes, max_rows: int) -> list[Row]:
    """Every data row of the first sheet; raises ``SpreadsheetError`` for a file that is not a case sheet."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise SpreadsheetError(f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    except Exception as exc:  # openpyxl raises its own types for broken parts
        raise SpreadsheetError(f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        if not book.worksheets:
            raise SpreadsheetError("the workbook has no sheet")
        rows_iter = book.worksheets[0].iter_rows(values_only=True)
        try:
            header = next(rows_iter)
        except StopIteration:
            raise SpreadsheetError("the sheet is empty: row 1 must hold the column names") from None
        wanted = {_norm(alias): name for name, aliases in COLUMNS.items() for alias in aliases}
        columns: dict[str, int] = {}
        for index, cell in enumerate(header):
            name = wanted.get(_norm(cell))
            if name and name not in columns:
                columns[name] = index
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise SpreadsheetError(f"row 1 lacks the columns {', '.join(missing)}")
        rows: list[Row] = []
        number = 1
        try:
            for values in rows_iter:
                number += 1
                if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                if len(rows) >= max_rows:
                    raise SpreadsheetError(f"more than {max_rows} rows; split the file")
                rows.append(_parse_row(number, values, columns))
        except SpreadsheetError:
            raise
        except Exception as exc:  # a corrupt sheet part surfaces while streaming
            raise SpreadsheetError(f"the sheet cannot be read past row {number} ({type(exc).__name__})") from None
        return rows
    finally:
        book.close()


def _parse_row(number: int, values: tuple, columns: dict[str, int]) -> Row:
    def cell(name):
        index = columns.get(name)
        return values[index] if index is not None and index < len(values) else None

    problems: list[tuple[str, str]] = []
    dates: dict[str, date | None] = {}
    for name in DATE_COLUMNS:
        raw = cell(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            dates[name] = None
            continue
        try:
            dates[name] = _date(raw)
        except ValueError as exc:
            problems.append((name, str(exc)))
            dates[name] = None
    for name in REQUIRED_COLUMNS:
        if _text(cell(name)) is None:
            problems.append((name, "missing"))
    coded = {}
    for name, table in VALUES.items():
        raw = _text(cell(name))
        coded[name] = table.get(raw.lower() if raw and raw.isascii() else raw) if raw else None
        if raw and coded[name] is None:
            problems.append((name, f"'{raw}' is not one of {', '.join(sorted(set(table.values())))}"))
    kinds = []
    for token in _SPLIT.split(_text(cell("penalty_kinds")) or ""):
        if token:
            kind = PENALTY_LABELS.get(token, token)
            if kind not in PENALTY_LABELS.values():
                problems.append(("penalty_kinds", f"'{token}' is not a penalty kind"))
            kinds.append(kind)
    fine = None
    raw_fine = cell("fine_amount")
    if raw_fine is not None and _text(raw_fine) is not None:
        try:
            fine = float(str(raw_fine).replace(",", "").replace("，", ""))
        except ValueError:
            problems.append(("fine_amount", f"'{raw_fine}' is not an amount"))
    flag = _norm(cell("is_enterprise"))
    if flag not in YES | NO:
        problems.append(("is_enterprise", f"'{cell('is_enterprise')}' is not 是 or 否"))

    payload: dict = {
        "case_number": _text(cell("case_number")),
        "filed_on": _iso(dates["filed_on"]),
        "party": {
            "kind": coded["party_kind"] or "citizen",
            "name": _text(cell("party_name")) or "",
            "id_number": _text(cell("party_id_number")),
            "credit_code": _text(cell("credit_code")),
            "is_enterprise": flag in YES,
        },
        "officers": [{"officer_id": o} for o in _SPLIT.split(_text(cell("officer_ids")) or "") if o],
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
            "circumstance": _text(cell("circumstance")),
        }
    elif kinds or fine is not None:
        problems.append(("decided_on", "a penalty needs the decision date"))
    return Row(number, _text(cell("agency_code")), _text(cell("item_code")), payload, problems)


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
