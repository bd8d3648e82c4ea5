"""The supervision pages' pure parts: the assessment's detail lines in Chinese, its chart, a complaint's next deadline
and the steps the public sees, a bulletin's default period, the report's file name."""

from __future__ import annotations

from datetime import date

from enforcement_console.views import supervision as pages
from enforcement_console.views.portal import supervision as portal


def test_assessment_details_read_in_chinese():
    zh = pages.indicator_detail_zh
    assert zh("certification", "3 certified of 4 officers in post (75.0%)") == "在岗执法人员 4 人，持证 3 人（75.0%）"
    assert zh("overdue_items", "1 overdue of 8 supervision items (12.5%)") == "督办事项 8 件，逾期 1 件（12.5%）"
    assert zh("decisions_reversed", "0 reversed on reconsideration or litigation of 5 decisions (0.0%)") == (
        "作出决定 5 件，复议诉讼纠错 0 件（0.0%）"
    )
    assert zh("promptness", "no obligations with a deadline") == "本年度没有可考核的数据"
    assert zh("case_review", "3 files reviewed: excellent 1, fail 2") == "评查案卷 3 卷：优秀 1 卷，不合格 2 卷"
    assert zh("case_review", "no case file reviewed") == "本年度没有评查案卷"
    assert zh("satisfaction", "survey score 91.5") == "测评得分 91.5"
    assert zh("county_own_indicator", "anything") == "—"  # an indicator a county installed: no English shown


RUN = {
    "weights": {"certification": 60.0, "promptness": 40.0},
    "ranking": [
        {
            "agency_code": "a",
            "agency_name": "县市场监管局",
            "rank": 1,
            "total": 100.0,
            "indicators": [
                {"code": "certification", "points": 60.0, "weight": 60.0},
                {"code": "promptness", "points": 40.0, "weight": 40.0},
            ],
        },
        {
            "agency_code": "b",
            "agency_name": "县农业农村局",
            "rank": 1,
            "total": 100.0,
            "indicators": [
                {"code": "certification", "points": 60.0, "weight": 60.0},
                {"code": "promptness", "points": 40.0, "weight": 40.0},
            ],
        },
    ],
}


def test_the_assessment_chart_stacks_each_agency_s_points_by_indicator():
    chart = pages.assessment_chart(RUN)
    assert chart["type"] == "bar" and chart["options"]["indexAxis"] == "y"
    assert chart["data"]["labels"] == ["1. 县市场监管局", "1. 县农业农村局"]  # tied: the same rank
    assert [d["label"] for d in chart["data"]["datasets"]] == ["持证率", "按时办结率"]
    assert [d["data"] for d in chart["data"]["datasets"]] == [[60.0, 60.0], [40.0, 40.0]]
    assert pages.indicator_columns(RUN) == [
        {"code": "certification", "weight": 60.0},
        {"code": "promptness", "weight": 40.0},
    ]
    assert pages.assessment_chart({"ranking": [], "weights": {}})["data"]["datasets"] == []


def test_a_complaint_s_next_deadline_and_the_public_s_steps():
    registered = {"state": "registered", "received_on": "2026-11-02", "accept_due_on": "2026-11-09"}
    assert pages.next_complaint_deadline(registered) == ("受理或不予受理", "2026-11-09")
    accepted = {**registered, "state": "accepted", "decided_on": "2026-11-03", "conclude_due_on": "2026-12-03"}
    assert pages.next_complaint_deadline(accepted) == ("办结", "2026-12-03")
    assert pages.next_complaint_deadline({**accepted, "state": "concluded"}) == ("", None)

    assert [s["text"] for s in portal.progress_steps(registered)] == ["收到投诉举报", "决定是否受理"]
    steps = portal.progress_steps({**accepted, "extension_days": 10})
    assert [s["text"] for s in steps] == ["收到投诉举报", "已受理", "经批准延期 10 日", "办结"]
    assert steps[-1] == {"text": "办结", "due": "2026-12-03", "done": False}
    refused = portal.progress_steps({**registered, "state": "refused", "decided_on": "2026-11-04"})
    assert [s["text"] for s in refused] == ["收到投诉举报", "不予受理"]
    done = portal.progress_steps({**accepted, "state": "concluded", "concluded_on": "2026-11-20"})
    assert done[-1] == {"text": "已办结", "on": "2026-11-20", "done": True}


def test_a_bulletin_covers_last_month_by_default_and_the_report_file_is_named_in_chinese():
    assert pages.last_month(date(2026, 11, 29)) == (date(2026, 10, 1), date(2026, 10, 31))
    assert pages.last_month(date(2026, 1, 5)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert pages.report_filename("五寨县", "", 2025) == "五寨县2025年度行政执法统计年报.xlsx"
    assert pages.report_filename("五寨县", "县市场监管局", 2025) == "五寨县市场监管局2025年度行政执法统计年报.xlsx"
