"""Exports write whatever is stored: no control character fails a workbook, and no stored text runs as a formula."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from enforcement_kernel.spreadsheets import write_table


def test_text_that_looks_like_a_formula_is_written_as_text():
    data = write_table(
        "导出", ["姓名", "学时"], [['=HYPERLINK("http://x.invalid","点我")', 3.5], ["张三\u0000", "=1+2"]]
    )
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows(min_row=2)]
    assert cells == [
        [('=HYPERLINK("http://x.invalid","点我")', "s"), (3.5, "n")],
        [("张三", "s"), ("=1+2", "s")],
    ]


def test_the_annual_report_workbook_writes_formula_like_names_as_text():
    from supervision_service.annual_report import workbook

    report = {
        "year": 2026,
        "scope": "五寨县",
        "due_on": "2027-01-31",
        "generated_on": "2027-01-05",
        "agencies": 1,
        "sections": [
            {
                "title": "执法案件",
                "columns": [{"key": "agency_code", "title": "代码"}, {"key": "agency_name", "title": "机关"}],
                "rows": [{"agency_code": "X", "agency_name": "=cmd|' /C calc'!A0"}],
                "total": {},
            }
        ],
    }
    sheet = load_workbook(io.BytesIO(workbook(report)))["执法案件"]
    assert (sheet["B2"].value, sheet["B2"].data_type) == ("=cmd|' /C calc'!A0", "s")
