"""Reading reported cases from .xlsx: headers in English or Chinese, each cell's form checked, rows turned into
``CaseReport`` payloads (no broker, no database)."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest

from cases_service import spreadsheets
from enforcement_contracts.cases import procedure as contract


def workbook(header, *rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = (
    "案件编号",
    "事项编码",
    "立案日期",
    "当事人类型",
    "当事人",
    "证件号码",
    "是否企业",
    "执法人员编号",
    "程序",
    "违法行为日期",
    "告知日期",
    "决定日期",
    "处罚种类",
    "罚款金额",
    "送达日期",
    "结案日期",
)


def test_a_chinese_sheet_becomes_case_reports():
    content = workbook(
        HEADER,
        (
            "五市监罚〔2024〕1号",
            "SCJ-CF-001",
            datetime(2024, 7, 3),
            "公民",
            "张三",
            "14092819850615001X",
            "否",
            "o1，o2",
            "普通程序",
            "2024-06-20",
            "2024/08/01",
            date(2024, 9, 2),
            "警告、罚款",
            3000,
            None,
            "2024-09-30",
        ),
    )
    [row] = spreadsheets.read_cases(content, 100)
    assert row.problems == [] and row.number == 2 and row.item_code == "SCJ-CF-001" and row.agency_code is None
    payload = row.payload
    assert payload["officers"] == [{"officer_id": "o1"}, {"officer_id": "o2"}]
    assert payload["notice_on"] == "2024-08-01" and payload["closed_on"] == "2024-09-30" and "served_on" not in payload
    assert payload["decision"]["penalty"] == {"kinds": ["warning", "fine"], "fine_amount": 3000.0}
    loaded = contract.CaseReport().load({**payload, "agency_code": "140928-scjgj", "item_id": "x"})
    assert loaded["party"]["kind"] == "citizen" and loaded["procedure"] == "ordinary"


def test_each_bad_cell_is_named_by_row_and_column():
    content = workbook(
        HEADER,
        (
            "1号",
            "I1",
            "2024-13-01",
            "公民",
            "张三",
            None,
            "也许",
            "o1 o2",
            "普通",
            None,
            None,
            None,
            "罚款",
            "三千",
            None,
            None,
        ),
        (
            None,
            "I1",
            "2024-07-01",
            "外星人",
            "李四",
            None,
            "否",
            "o1",
            "普通",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ),
    )
    first, second = spreadsheets.read_cases(content, 100)
    assert set(first.problems) >= {
        ("filed_on", "'2024-13-01' is not a date (YYYY-MM-DD)"),
        ("fine_amount", "'三千' is not an amount"),
        ("decided_on", "a penalty needs the decision date"),
    }
    assert any(col == "is_enterprise" for col, _ in first.problems)
    assert ("case_number", "missing") in second.problems
    assert any(col == "party_kind" for col, _ in second.problems)


def test_a_file_that_is_not_a_case_sheet_is_refused_as_a_whole():
    with pytest.raises(spreadsheets.SpreadsheetError, match="not a readable .xlsx"):
        spreadsheets.read_cases(b"not a workbook", 100)
    with pytest.raises(spreadsheets.SpreadsheetError, match="lacks the columns"):
        spreadsheets.read_cases(workbook(("案件编号", "立案日期")), 100)
    with pytest.raises(spreadsheets.SpreadsheetError, match="more than 1 rows"):
        spreadsheets.read_cases(workbook(HEADER, *[("n", "I", "2024-01-01", "公民", "a", None, "否", "o1 o2")] * 2), 1)


def test_a_refused_field_maps_back_to_its_column():
    assert spreadsheets.column_of("officers") == "officer_ids"
    assert spreadsheets.column_of("party.id_number") == "party_id_number"
    assert spreadsheets.column_of("decision.penalty.fine_amount") == "fine_amount"
    assert spreadsheets.column_of("notice_on") == "notice_on"
