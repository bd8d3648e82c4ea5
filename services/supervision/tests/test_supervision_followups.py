"""Corrections (错案纠正) and accountability records (过错责任追究) in the yearly facts, the statistics report and the
assessment: the cases service's counts by kind are summed per agency; an older cases service without them counts
none. Pure."""

from __future__ import annotations

from datetime import date

from supervision_service.annual_report import ReportSettings, build_report
from supervision_service.assessment import AgencyFacts
from supervision_service.facts import merge
from supervision_service.indicators import FOLLOWUPS_OVERDUE

SCJ, JTJ = "140928-scjgj", "140928-jtysj"
AGENCIES = [{"code": SCJ, "name": "县市场监管局"}, {"code": JTJ, "name": "县交通运输局"}]


def cases_row(code: str, followups: dict | None) -> dict:
    row = {
        "agency_code": code,
        "by_type": [],
        "decisions": 4,
        "publications": 0,
        "publications_on_time": 0,
        "review_grades": {"fail": 1},
        "changed_by_ground": {},
        "decisions_reversed": 0,
    }
    if followups is not None:
        row["followups"] = followups
    return row


def county() -> list[AgencyFacts]:
    scj = {
        "correction": {"opened": 2, "closed": 1, "overdue": 1, "exemptions": 0},
        "accountability": {"opened": 2, "closed": 2, "overdue": 0, "exemptions": 1},
    }
    return merge(2026, AGENCIES, {}, [], [], [cases_row(SCJ, scj), cases_row(JTJ, None)])


def test_the_kinds_are_summed_per_agency_and_an_older_cases_service_counts_none():
    scj, jtj = sorted(county(), key=lambda f: f.agency_code)[::-1]
    assert scj.agency_code == SCJ
    assert (scj.followups_opened, scj.followups_closed, scj.followups_overdue, scj.followup_exemptions) == (4, 3, 1, 1)
    assert (jtj.followups_opened, jtj.followups_closed, jtj.followups_overdue, jtj.followup_exemptions) == (0, 0, 0, 0)


def test_the_report_has_a_section_for_them_with_the_county_total():
    report = build_report(2026, county(), {}, ReportSettings(), today=date(2027, 1, 10))
    section = {s["code"]: s for s in report["sections"]}["followups"]
    assert section["title"] == "错案纠正与责任追究 corrections and accountability"
    assert section["total"] == {
        "followups_opened": 4,
        "followups_closed": 3,
        "followups_overdue": 1,
        "followup_exemptions": 1,
    }
    assert [r["agency_code"] for r in section["rows"]] == [JTJ, SCJ]


def test_the_assessment_indicator_scores_the_share_overdue_and_has_no_data_without_records():
    scj = {f.agency_code: f for f in county()}[SCJ]
    measured = FOLLOWUPS_OVERDUE.measure(scj, {"full_at": 0.0, "zero_at": 0.5})
    assert measured.ratio == 0.5 and measured.detail.startswith("1 overdue of 4 corrections and accountability")
    none = FOLLOWUPS_OVERDUE.measure(AgencyFacts(agency_code=JTJ), {})
    assert none.ratio is None
