"""The training pages' own logic: the attendance sheet the console hands out is one the service's importer reads, an
import's row problems are listed in Chinese, a download keeps its Chinese file name, a form's numbers are numbers."""

from __future__ import annotations

from urllib.parse import quote

from enforcement_console.views import training

from training_service import spreadsheets


def test_the_template_is_a_sheet_the_importer_reads():
    empty = training.template_workbook([])
    rows, problems = spreadsheets.read_attendance(empty, 10)
    assert rows == [] and problems == []  # the header is understood (a missing column would raise)

    filled = training.template_workbook(
        [["o-1", "张明", "s-1", 8, "2026-11-27", "签到"], ["o-2", "李华", "s-1", None, None, None]]
    )
    rows, problems = spreadsheets.read_attendance(filled, 10)
    assert [(r.officer_id, r.session_id, r.hours, str(r.attended_on), r.note) for r in rows[:1]] == [
        ("o-1", "s-1", 8.0, "2026-11-27", "签到")
    ]
    # a prefilled row left without hours is the importer's "missing", on the sheet's row 3
    assert [(p.row, p.column, p.reason) for p in problems] == [(3, "hours", "missing")]


def test_the_template_columns_are_the_importers_aliases():
    accepted = {alias for aliases in spreadsheets.COLUMNS.aliases.values() for alias in aliases}
    assert set(training.TEMPLATE_COLUMNS) - accepted == {"姓名"}  # the name is for the clerk's eyes only
    for field in spreadsheets.COLUMNS.required:
        assert set(spreadsheets.COLUMNS.aliases[field]) & set(training.TEMPLATE_COLUMNS), field


def test_an_imports_row_problems_are_listed_in_chinese():
    listed = training.import_rows(
        [
            {"row": 3, "column": "officer_id", "reason": "unknown officer x-9"},
            {"row": 4, "column": "attended_on", "reason": "'下周二' is not a date (YYYY-MM-DD)"},
            {"row": 5, "column": "hours", "reason": "10 h is more than the session's 8 h"},
            {"row": 6, "column": "session_id", "reason": "something the console has never heard of"},
        ]
    )
    assert listed == [
        {"row": 3, "column": "人员编号", "reason_zh": "人员编号 x-9 不存在（或尚未同步到培训系统）"},
        {"row": 4, "column": "参训日期", "reason_zh": "“下周二”不是日期（应为 年-月-日，如 2026-11-29）"},
        {"row": 5, "column": "学时", "reason_zh": "10 学时超过本培训班的 8 学时"},
        {"row": 6, "column": "场次编号", "reason_zh": "此处填写有误，请检查"},
    ]


def test_a_download_keeps_its_chinese_name():
    response = training.attachment(b"PK", "培训学时达标-2026-县市场监管局.xlsx", "training-compliance-2026.xlsx")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="training-compliance-2026.xlsx"; ')
    assert disposition.endswith("filename*=UTF-8''" + quote("培训学时达标-2026-县市场监管局.xlsx"))
    assert response.mimetype == training.XLSX


def test_a_forms_numbers_are_sent_as_numbers_and_blanks_left_out():
    body = training.payload({"hours": "7.5", "note": "", "officer_id": "o-1", "score": "abc"}, "hours", "score")
    assert body == {"hours": 7.5, "officer_id": "o-1", "score": "abc"}  # the API names a non-number beside its field


def test_categories_are_shown_in_the_plans_order():
    assert training.in_plan_order(["political", "zz_local", "professional", "aa_local", "public_law"]) == [
        "public_law",
        "professional",
        "political",
        "aa_local",
        "zz_local",
    ]
