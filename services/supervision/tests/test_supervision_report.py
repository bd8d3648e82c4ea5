"""The yearly statistics report (行政执法统计年报): sections, totals, the due date, the .xlsx workbook. Pure."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from enforcement_contracts.errors import ValidationFailed
from supervision_service import annual_report
from supervision_service.annual_report import SECTIONS, ReportSettings, build_report, workbook
from supervision_service.assessment import AgencyFacts
from supervision_service.facts import merge

TYPE_NAMES = {"penalty": "行政处罚", "licence": "行政许可"}


def county_facts() -> list[AgencyFacts]:
    # 50+ lines: a literal table of the county's facts, one entry per agency, read more easily whole
    agencies = [
        {"code": "140928-scjgj", "name": "县市场监管局"},
        {"code": "140928-jtysj", "name": "县交通运输局"},
        {"code": "140928-sfj", "name": "县司法局", "is_supervisor": True},
    ]
    local = {
        "140928-scjgj": {
            "items": 3,
            "items_overdue": 1,
            "complaints": 2,
            "complaints_concluded": 2,
            "complaints_upheld": 1,
        },
        "140928-sfj": {"items": 9},
    }  # the bureau is not a reporting agency
    certification = [
        {
            "agency_code": "140928-scjgj",
            "officers": 12,
            "certified": 11,
            "certificates_issued": 3,
            "certificates_cancelled": 1,
        },
        {
            "agency_code": "140928-jtysj",
            "officers": 5,
            "certified": 5,
            "certificates_issued": 0,
            "certificates_cancelled": 0,
        },
    ]
    training = [
        {"agency_code": "140928-scjgj", "officers": 12, "compliant": 10},
        {"agency_code": "140928-jtysj", "officers": 5, "compliant": 5},
    ]
    cases = [
        {
            "agency_code": "140928-scjgj",
            "decisions": 7,
            "publications": 5,
            "publications_on_time": 4,
            "review_grades": {"excellent": 1, "fail": 1},
            "changed_by_ground": {"reconsideration": 1},
            "decisions_reversed": 1,
            "by_type": [
                {"type_code": "penalty", "cases": 6, "decided": 5, "fined": 4, "fine_total": 12500.5},
                {"type_code": "licence", "cases": 2, "decided": 2, "fined": 0, "fine_total": 0.0},
            ],
        },
        {
            "agency_code": "140928-jtysj",
            "decisions": 1,
            "publications": 1,
            "publications_on_time": 1,
            "review_grades": {"pass": 2},
            "changed_by_ground": {},
            "decisions_reversed": 0,
            "by_type": [{"type_code": "penalty", "cases": 1, "decided": 1, "fined": 1, "fine_total": 200.0}],
        },
    ]
    return merge(2025, agencies, local, certification, training, cases)


def test_facts_merge_every_source_per_agency_and_leave_the_bureau_out():
    facts = county_facts()
    assert [f.agency_code for f in facts] == ["140928-jtysj", "140928-scjgj"]
    scj = facts[1]
    assert (scj.officers, scj.certified, scj.training_compliant, scj.items_overdue) == (12, 11, 10, 1)
    assert (
        scj.review_files == 2 and scj.decisions_reversed == 1 and scj.cases_by_type["penalty"]["fine_total"] == 12500.5
    )


def test_the_county_report_has_every_section_with_the_right_totals_and_the_due_date():
    report = build_report(2025, county_facts(), TYPE_NAMES, ReportSettings(), today=date(2026, 1, 10))
    assert report["due_on"] == "2026-01-31" and report["due_passed"] is False and report["complete"] is True
    sections = {s["code"]: s for s in report["sections"]}
    assert list(sections) == [code for code, _, _ in SECTIONS]
    assert sections["cases"]["total"] == {"cases": 9, "decided": 8, "fined": 5, "fine_total": 12700.5}
    assert [(r["agency_code"], r["type_name"]) for r in sections["cases"]["rows"]] == [
        ("140928-jtysj", "行政处罚"),
        ("140928-scjgj", "行政许可"),
        ("140928-scjgj", "行政处罚"),
    ]
    assert sections["certificates"]["total"] == {
        "officers": 17,
        "certified": 16,
        "certificates_issued": 3,
        "certificates_cancelled": 1,
    }
    assert sections["training"]["total"] == {"training_officers": 17, "training_compliant": 15}
    assert sections["reviews"]["total"] == {"review_files": 4, "excellent": 1, "pass": 2, "fail": 1}
    assert sections["complaints"]["total"] == {"complaints": 2, "complaints_concluded": 2, "complaints_upheld": 1}
    assert sections["supervision"]["total"] == {"items": 3, "items_overdue": 1, "decisions_reversed": 1}
    late = build_report(2025, county_facts(), TYPE_NAMES, ReportSettings(), today=date(2026, 2, 1))
    assert late["due_passed"] is True


def test_one_agencys_report_holds_only_its_rows():
    report = build_report(2025, county_facts(), TYPE_NAMES, ReportSettings(), date(2026, 1, 5), "140928-jtysj")
    assert report["scope"] == "140928-jtysj" and report["agencies"] == 1
    for section in report["sections"]:
        assert {r["agency_code"] for r in section["rows"]} == {"140928-jtysj"}
    assert report["sections"][0]["total"]["fine_total"] == 200.0


def test_the_workbook_has_one_sheet_per_section_with_headers_rows_and_the_total_last():
    report = build_report(2025, county_facts(), TYPE_NAMES, ReportSettings(), date(2026, 1, 10))
    book = load_workbook(io.BytesIO(workbook(report)))
    assert book.sheetnames == ["概况 summary", *(title[:31] for _, title, _ in SECTIONS)]
    cases = list(book["执法案件 cases by type"].iter_rows(values_only=True))
    assert cases[0][:4] == (
        "机关代码 agency code",
        "执法机关 agency",
        "类别代码 type code",
        "执法类别 enforcement type",
    )
    assert len(cases) == 1 + 3 + 1
    assert cases[-1][0] == "合计 total" and cases[-1][4:] == (9, 8, 5, 12700.5)
    reviews = list(book["案卷评查 case-file review"].iter_rows(values_only=True))
    assert reviews[-1] == ("合计 total", None, 4, 1, 2, 1)
    summary = dict(book["概况 summary"].iter_rows(values_only=True))
    assert summary["报送期限 due"] == "2026-01-31" and summary["年度 year"] == 2025


def test_a_due_date_no_year_has_is_refused():
    assert ReportSettings.from_settings({"due": {"month": 3, "day": 31}}).due_on(2025) == date(2026, 3, 31)
    with pytest.raises(ValidationFailed) as refused:
        ReportSettings.from_settings({"due": {"month": 2, "day": 30}})
    assert "ANNUAL_REPORT.due" in refused.value.fields


# --- filing (报送) ---------------------------------------------------------------------------------
def test_an_agency_files_its_own_report_and_the_bureau_the_county_s_or_an_agency_s():
    from enforcement_contracts.errors import Forbidden

    admin = {"username": "scj-admin", "role": "agency_admin", "agency_code": "140928-scjgj", "officer_id": None}
    bureau = {"username": "admin", "role": "bureau", "agency_code": None, "officer_id": None}
    assert (
        annual_report.filing_scope(admin, None) == annual_report.filing_scope(admin, "140928-scjgj") == "140928-scjgj"
    )
    assert annual_report.filing_scope(bureau, None) == annual_report.COUNTY
    assert annual_report.filing_scope(bureau, "140928-nyncj") == "140928-nyncj"
    with pytest.raises(Forbidden) as other:
        annual_report.filing_scope(admin, "140928-nyncj")
    assert "agency_code" in other.value.fields
    with pytest.raises(Forbidden):
        annual_report.filing_scope({**admin, "role": "officer"}, None)


def test_a_report_is_filed_for_a_year_that_is_over():
    assert annual_report.filing_year_problem(2025, date(2026, 1, 1)) is None
    assert "not over" in annual_report.filing_year_problem(2026, date(2026, 12, 31))
    assert annual_report.filing_year_problem(2027, date(2026, 6, 1)) is not None
