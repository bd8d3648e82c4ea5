"""Obligations read in their own unit (小时 / 工作日 / 自然日), complaints' lateness, and the assessment's 无数据
agencies (null totals, ranks and points) — the pure helpers behind the 监督 pages."""

from __future__ import annotations

from datetime import date

from enforcement_console.obligations import amount, calendar_deadline, complaint_lateness, obligation_text
from enforcement_console.views.supervision import assessment_chart, assessment_summary, ranked


def test_a_hand_over_reads_in_hours_and_a_publication_in_working_days():
    hours = {"reference": "t-1", "taken": 30.5, "deadline": 24, "deadline_unit": "hours"}
    assert obligation_text(hours) == "用时 30.5 小时，期限 24 小时，超过 6.5 小时"
    days = {"taken": 95, "deadline": 90, "deadline_unit": "days"}
    assert obligation_text(days) == "用时 95 日（自然日），期限 90 日（自然日），超过 5 日（自然日）"
    on_time = {"taken": 3, "deadline": 7, "deadline_unit": "workdays"}
    assert obligation_text(on_time) == "用时 3 个工作日，期限 7 个工作日"
    assert amount(24.0, "hours") == "24 小时" and amount(5, None) == "5 个工作日"


def test_a_missed_deadline_reads_as_still_open_and_an_item_issued_by_hand_has_no_reading():
    missed = {
        "deadline_unit": "workdays",
        "deadline": 3,
        "started_on": "2026-03-02",
        "due_on": "2026-03-05",
        "detected_on": "2026-03-06",
    }
    assert obligation_text(missed) == (
        "截至2026年3月6日仍未办理，应于2026年3月5日前办理（期限 3 个工作日，自2026年3月2日起算）"
    )
    assert obligation_text({}) is None and obligation_text(None) is None and obligation_text({"year": 2025}) is None


def test_calendar_days_left_and_past():
    today = date(2026, 3, 10)
    assert calendar_deadline("2026-03-22", today) == "还剩 12 日"
    assert calendar_deadline("2026-03-10", today) == "今天到期"
    assert calendar_deadline("2026-03-07", today) == "已超期 3 日"
    assert calendar_deadline(None, today) == "—"


def test_what_is_late_about_a_complaint():
    today = date(2026, 5, 20)
    waiting = {"state": "registered", "accept_due_on": "2026-05-18", "decided_on": None}
    assert complaint_lateness(waiting, today) == ["已超过受理期限 2 个工作日，尚未决定是否受理"]
    in_time = {"state": "registered", "accept_due_on": "2026-05-20", "decided_on": None}
    assert complaint_lateness(in_time, today) == []
    late_both = {
        "state": "concluded",
        "accept_due_on": "2026-03-06",
        "decided_on": "2026-03-09",
        "conclude_due_on": "2026-04-08",
        "concluded_on": "2026-04-10",
    }
    assert complaint_lateness(late_both, today) == ["超过受理期限 1 个工作日才决定是否受理", "超过办结期限 2 日才办结"]
    open_late = {"state": "accepted", "accept_due_on": "2026-04-01", "decided_on": "2026-04-01"}
    open_late["conclude_due_on"] = "2026-05-01"
    assert complaint_lateness(open_late, today) == ["已超过办结期限 19 日，尚未办结"]


RUN = {
    "weights": {"certification": 15.0, "training": 15.0},
    "min_weight_with_data": 30.0,
    "ranking": [
        {
            "agency_code": "a",
            "agency_name": "县市场监管局",
            "total": 60.57,
            "rank": 1,
            "no_data": False,
            "weight_with_data": 15.0,
            "indicators": [
                {"code": "certification", "weight": 15.0, "has_data": True, "points": 60.57, "points_possible": 100.0},
                {"code": "training", "weight": 15.0, "has_data": False, "points": None, "points_possible": None},
            ],
        },
        {
            "agency_code": "b",
            "agency_name": "前所乡",
            "total": None,
            "rank": None,
            "no_data": True,
            "weight_with_data": 0.0,
            "indicators": [
                {"code": "certification", "weight": 15.0, "has_data": False, "points": None, "points_possible": None},
                {"code": "training", "weight": 15.0, "has_data": False, "points": None, "points_possible": None},
            ],
        },
    ],
    "not_assessed": [{"agency_code": "c", "agency_name": "县财政局", "reason": "no_enforcement_duties"}],
}


def test_the_assessment_counts_ranked_unranked_and_not_assessed_agencies_and_charts_the_ranked_only():
    assert [s["agency_code"] for s in ranked(RUN)] == ["a"]
    assert assessment_summary(RUN) == "共 1 个执法部门参加排名，1 个无数据、不排名，1 个不参加考核"
    chart = assessment_chart(RUN)
    assert chart["data"]["labels"] == ["1. 县市场监管局"]
    assert [d["data"] for d in chart["data"]["datasets"]] == [[60.57], [0]]
