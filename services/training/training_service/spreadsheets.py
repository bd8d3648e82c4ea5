"""The attendance sheet: its columns and how a row becomes an attendance (read by the kernel's one reader).

Reading checks each cell's form only (a number, a date, an id present); whether the officer and session exist is
the import use case's business. Headers may be the English field names or the Chinese labels county offices use.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from enforcement_kernel.spreadsheets import (
    DEFAULT_LIMITS,
    Columns,
    Limits,
    RowError,
    as_date,
    number,
    read_sheet,
    write_table,
)

COLUMNS = Columns(
    aliases={
        "officer_id": ("officer_id", "人员编号", "执法人员编号"),
        "session_id": ("session_id", "场次编号", "培训场次编号"),
        "hours": ("hours", "学时"),
        "attended_on": ("attended_on", "参训日期"),
        "note": ("note", "备注"),
    },
    required=("officer_id", "session_id", "hours"),
    max_length={"officer_id": 40, "session_id": 40},
)
TEMPLATE_HEADERS = ("officer_id", "session_id", "hours", "attended_on", "note")
NOTE_LENGTH = 500  # a longer note is cut, not refused
__all__ = ["COLUMNS", "TEMPLATE_HEADERS", "Row", "read_attendance", "write_table"]  # write_table: exports, template


class Row(NamedTuple):
    """One row's values. A tuple of strings, numbers and dates, which Python's garbage collector stops tracking:
    200,000 tracked objects made each full collection a pause of about a second during an import."""

    number: int
    officer_id: str | None
    session_id: str | None
    hours: float | None
    attended_on: date | None
    note: str


def read_attendance(
    content: bytes,
    max_rows: int,
    progress: Callable[[int, int | None], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[list[Row], list[RowError]]:
    """Every data row of the first sheet, and the problems of form found in them.

    Raises ``SpreadsheetError`` (the kernel's; ``ArchiveRefused`` for an archive over ``limits``) when the file is not
    an .xlsx, has no header row, too many rows or a cell too long. ``progress(rows_read, None)`` is called every 1,000
    rows. Only these small rows are kept (one per data row): the sheet itself is streamed.
    """
    rows: list[Row] = []
    problems: list[RowError] = []
    for sheet_row in read_sheet(content, COLUMNS, max_rows, progress, limits):
        officer_id = sheet_row.required_text("officer_id")
        session_id = sheet_row.required_text("session_id")
        hours = sheet_row.convert("hours", number, required=True)
        attended_on = sheet_row.convert("attended_on", as_date)
        note = sheet_row.text("note") or ""
        rows.append(Row(sheet_row.number, officer_id, session_id, hours, attended_on, note[:NOTE_LENGTH]))
        problems += sheet_row.errors
    return rows, problems
