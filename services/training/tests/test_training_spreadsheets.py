"""The attendance sheet as the kernel's one spreadsheet reader reads it (no broker, no database): header aliases,
blank lines, limits (rows, characters per cell) and each row's problems named by row and column."""

from __future__ import annotations

from datetime import date

import pytest

from enforcement_kernel.spreadsheets import Columns, RowError, SpreadsheetError, read_sheet, write_table
from training_service import spreadsheets


def sheet(headers, *rows) -> bytes:
    return write_table("attendance", headers, rows)


def test_english_or_chinese_headers_in_any_order_and_blank_lines_skipped():
    content = sheet(
        ["备注", " 学时 ", "场次编号", "人员编号", "参训日期"],
        ["第一期", 4, "s1", "o1", date(2025, 3, 1)],
        [None, None, None, None, None],
        ["", "2.5", "s2", 12345.0, "2025-03-02"],
    )
    rows, problems = spreadsheets.read_attendance(content, 10)
    assert problems == []
    assert [(r.number, r.officer_id, r.session_id, r.hours, r.attended_on, r.note) for r in rows] == [
        (2, "o1", "s1", 4.0, date(2025, 3, 1), "第一期"),
        (4, "12345", "s2", 2.5, date(2025, 3, 2), ""),  # a number typed into an id column loses its .0
    ]


def test_each_bad_cell_is_a_problem_of_its_row_and_column():
    content = sheet(
        spreadsheets.TEMPLATE_HEADERS,
        [None, "s1", "four", "2025-02-30", ""],
        ["x" * 41, "s1", None, None, "n" * 600],
    )
    rows, problems = spreadsheets.read_attendance(content, 10)
    assert [(p.row, p.column) for p in problems] == [
        (2, "officer_id"),
        (2, "hours"),
        (2, "attended_on"),
        (3, "officer_id"),
        (3, "hours"),
    ]
    assert problems[0] == RowError(2, "officer_id", "missing")
    assert problems[1].reason == "'four' is not a number" and "not a date" in problems[2].reason
    assert problems[3].reason == "longer than 40 characters" and problems[4].reason == "missing"
    assert rows[1].officer_id is None and len(rows[1].note) == spreadsheets.NOTE_LENGTH  # a long note is cut
    assert problems[0].as_dict() == {"row": 2, "column": "officer_id", "reason": "missing"}


def test_a_file_that_is_not_an_attendance_sheet_is_refused_as_a_whole():
    with pytest.raises(SpreadsheetError, match="not a readable .xlsx"):
        spreadsheets.read_attendance(b"officer_id,session_id,hours\n", 10)
    with pytest.raises(SpreadsheetError, match="missing: hours"):
        spreadsheets.read_attendance(sheet(["officer_id", "session_id"], ["o1", "s1"]), 10)
    with pytest.raises(SpreadsheetError, match="more than 2 rows"):
        spreadsheets.read_attendance(sheet(spreadsheets.TEMPLATE_HEADERS, *[["o1", "s1", 1]] * 3), 2)
    rows, problems = spreadsheets.read_attendance(sheet(spreadsheets.TEMPLATE_HEADERS), 10)
    assert rows == [] and problems == []


def test_the_reader_streams_rows_and_reports_progress():
    columns = Columns({"a": ("a", "甲")}, required=("a",), max_length={"a": 4})
    seen = []
    content = sheet(["甲"], *[[str(i)] for i in range(2500)])
    rows = list(read_sheet(content, columns, 5000, lambda done, total: seen.append((done, total))))
    assert len(rows) == 2500 and rows[0].number == 2 and rows[-1].number == 2501
    assert [done for done, _ in seen] == [1000, 2000, 2500]  # the total only where the sheet declares its size
    assert rows[-1].text("a") == "2499" and rows[-1].errors == []
    long = rows[-1]
    long.values = ("abcde",)
    assert long.text("a") is None and long.errors == [RowError(2501, "a", "longer than 4 characters")]
