"""Reading attendance from .xlsx and writing tables to .xlsx (openpyxl).

Reading streams the sheet (``read_only``) and checks each cell's form only (a number, a date, an
id present); whether the officer and session exist is the import use case's business. Headers
may be the English field names or the Chinese labels county offices use.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

# field -> accepted header texts (compared case-insensitively, spaces ignored)
COLUMNS: dict[str, tuple[str, ...]] = {
    "officer_id": ("officer_id", "人员编号", "执法人员编号"),
    "session_id": ("session_id", "场次编号", "培训场次编号"),
    "hours": ("hours", "学时"),
    "attended_on": ("attended_on", "参训日期"),
    "note": ("note", "备注"),
}
REQUIRED_COLUMNS = ("officer_id", "session_id", "hours")
TEMPLATE_HEADERS = ("officer_id", "session_id", "hours", "attended_on", "note")


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read as an attendance sheet."""


@dataclass(frozen=True)
class Problem:
    row: int  # the sheet's row number (the header is row 1)
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass(frozen=True)
class Row:
    number: int
    officer_id: str | None
    session_id: str | None
    hours: float | None
    attended_on: date | None
    note: str


def _norm(text) -> str:
    return "".join(str(text).split()).lower() if text is not None else ""


def _header_map(header: tuple) -> dict[str, int]:
    wanted = {_norm(alias): name for name, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = wanted.get(_norm(cell))
        if name and name not in found:
            found[name] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if missing:
        raise SpreadsheetError(
            f"row 1 must name the columns {', '.join(REQUIRED_COLUMNS)}; missing: {', '.join(missing)}"
        )
    return found


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _number(value) -> float:
    if isinstance(value, bool):
        raise ValueError("must be a number")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise ValueError(f"'{value}' is not a number") from None


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD)") from None


def read_attendance(
    content: bytes, max_rows: int, progress: Callable[[int, int | None], None] | None = None
) -> tuple[list[Row], list[Problem]]:
    """Every data row of the first sheet, and the problems of form found in them.

    Raises ``SpreadsheetError`` when the file is not an .xlsx, has no header row or too many rows.
    ``progress(rows_read, total_or_None)`` is called every 1,000 rows.
    """
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # not a zip, missing parts, broken XML: openpyxl raises many types
        raise SpreadsheetError(f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise SpreadsheetError("the workbook has no sheet")
        total = (sheet.max_row - 1) if sheet.max_row else None
        rows_iter = sheet.iter_rows(values_only=True)
        try:
            header = next(rows_iter)
        except StopIteration:
            raise SpreadsheetError("the sheet is empty: row 1 must hold the column names") from None
        columns = _header_map(header)
        rows: list[Row] = []
        problems: list[Problem] = []
        number = 1
        try:
            for values in rows_iter:
                number += 1
                if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue  # blank lines between blocks are common in hand-made sheets
                if len(rows) >= max_rows:
                    raise SpreadsheetError(f"more than {max_rows} rows; split the file")
                rows.append(_parse_row(number, values, columns, problems))
                if progress and len(rows) % 1000 == 0:
                    progress(len(rows), total)
        except SpreadsheetError:
            raise
        except Exception as exc:  # a corrupt sheet part surfaces while streaming
            raise SpreadsheetError(f"the sheet cannot be read past row {number} ({type(exc).__name__})") from None
        if progress:
            progress(len(rows), total)
        return rows, problems
    finally:
        book.close()


def _parse_row(number: int, values: tuple, columns: dict[str, int], problems: list[Problem]) -> Row:
    def cell(name):
        index = columns.get(name)
        return values[index] if index is not None and index < len(values) else None

    parsed = {}
    for name in ("officer_id", "session_id"):
        parsed[name] = _text(cell(name))
        if parsed[name] is None:
            problems.append(Problem(number, name, "missing"))
        elif len(parsed[name]) > 40:
            problems.append(Problem(number, name, "longer than 40 characters"))
            parsed[name] = None
    raw_hours, hours = cell("hours"), None
    if raw_hours is None or (isinstance(raw_hours, str) and not raw_hours.strip()):
        problems.append(Problem(number, "hours", "missing"))
    else:
        try:
            hours = _number(raw_hours)
        except ValueError as exc:
            problems.append(Problem(number, "hours", str(exc)))
    raw_date, attended_on = cell("attended_on"), None
    if raw_date is not None and not (isinstance(raw_date, str) and not raw_date.strip()):
        try:
            attended_on = _date(raw_date)
        except ValueError as exc:
            problems.append(Problem(number, "attended_on", str(exc)))
    note = _text(cell("note")) or ""
    return Row(number, parsed["officer_id"], parsed["session_id"], hours, attended_on, note[:500])


def write_table(title: str, headers: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    """A one-sheet workbook (streamed with ``write_only``, so large tables stay small in memory)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
