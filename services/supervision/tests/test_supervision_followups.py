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


def test_a_follow_up_step_past_its_deadline_opens_an_item_for_the_cases_agency():
    """cases.deadline.missed of a correction's assignment: late at once, an item titled in Chinese, keyed on the
    record (a redelivery changes nothing)."""
    from sqlalchemy import create_engine, func, select
    from sqlalchemy.orm import Session

    from enforcement_contracts.cases import promptness as cases_promptness
    from enforcement_contracts.events import Envelope
    from enforcement_kernel.db import Tx, kernel_metadata
    from supervision_service import models as m
    from supervision_service.operations import automatic
    from supervision_service.operations.common import Settings

    engine = create_engine("sqlite://")
    m.Base.metadata.create_all(engine)
    kernel_metadata.create_all(engine)
    missed = {
        "case_id": "c-9",
        "agency_code": SCJ,
        "kind": "followup_assigned",
        "reference": "correction-7",
        "started_on": date(2026, 3, 2),
        "due_on": date(2026, 3, 9),
        "detected_on": date(2026, 3, 16),
        "deadline": 5,
        "deadline_unit": "workdays",
    }
    data = cases_promptness.DEADLINE_MISSED.load(cases_promptness.DEADLINE_MISSED.dump(missed))
    envelope = Envelope(type="cases.deadline.missed", source="cases", data={}, schemaversion=1)
    with Session(engine) as session:
        for _ in range(2):  # delivered twice
            automatic.on_deadline_missed(Tx(session, "supervision"), envelope, data, Settings(), date(2026, 3, 16))
        [item] = session.scalars(select(m.SupervisionItem)).all()
        assert (item.agency_code, item.title) == (SCJ, "错案纠正或责任追究未按时交办")
        assert item.details["reference"] == "correction-7" and item.occurrences == 1
        assert session.scalar(select(func.count()).select_from(m.PromptnessMeasurement)) == 1
    engine.dispose()
