"""Supervision's own deadline watches in process, over the real broker, on SQLite and PostgreSQL: a complaint not
accepted within its 5 working days, and an agency's yearly report not filed by 31 January, are each announced once
(``supervision.deadline.missed``), open one follow-up item, count late in the promptness table, on /metrics and in
the agency's on-time ratio, and are not announced again after a restart. The county's day is pinned
(``CLOCK.today``): registered on one day, the service is started again days later, as a county would find it after
a long weekend.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from enforcement_testing import BUREAU, db_count, drop_event_queues, wait_until

from conftest import FAST_TIMERS, MARKET, Metrics

pytestmark = pytest.mark.timeout(120)

REGISTERED_ON = date(2026, 3, 2)  # a Monday: 5 working days end on Monday 2026-03-09
FOUND_ON = date(2026, 3, 11)
WATCHED = {"SUPERVISION": {**FAST_TIMERS["SUPERVISION"], "deadline_watch_seconds": 1}, "RPC_TIMEOUT": 3}
LATE = {"service": "supervision", "agency": MARKET, "kind": "complaint_accepted", "on_time": "false"}
LATE_FILING = {"service": "supervision", "agency": MARKET, "kind": "annual_report_filed"}


# one scenario in order (registered, the days pass, found late, a restart): over 50 lines
def test_a_complaint_not_accepted_in_time_is_announced_once_followed_up_and_counted_late(
    personnel, run_service, database_url, amqp_uri, collect_events
):
    drop_event_queues(amqp_uri, "supervision")
    supervision = run_service("supervision", database_url, settings=WATCHED, today=REGISTERED_ON)
    receipt = supervision.call(
        "register_complaint",
        {
            "agency_code": MARKET,
            "complainant_kind": "enterprise",
            "complainant_name": "五寨县某商贸有限公司",
            "contact": "13912345678",
            "summary": "一年内被同一事项重复检查三次",
        },
    )
    assert receipt["accept_due_on"] == "2026-03-09"
    complaint_id = receipt["complaint_id"]
    supervision.call("watch_deadlines")  # still in time: nothing
    assert db_count(database_url, "deadline_misses") == 0
    supervision.stop()

    events = collect_events("supervision", "deadline.missed")
    # the registry is the process's: read the count before through personnel's /metrics
    late_before = Metrics(personnel)("enforcement_promptness_measurements_total", **LATE)
    supervision = run_service("supervision", database_url, settings=WATCHED, today=FOUND_ON)
    metrics = Metrics(supervision)

    [announced] = events.wait_for(1, timeout=20)
    assert announced["subject"] == f"complaint {complaint_id}"
    assert announced["data"] == {
        "agency_code": MARKET,
        "kind": "complaint_accepted",
        "reference": f"complaint {complaint_id}",
        "started_on": "2026-03-02",
        "due_on": "2026-03-09",
        "detected_on": "2026-03-11",
        "deadline": 5.0,
        "deadline_unit": "workdays",
    }
    assert "五寨县某商贸" not in json.dumps(announced) and "13912345678" not in json.dumps(announced)

    [item] = supervision.call("list_items", BUREAU, {"agency_code": MARKET})["items"]
    assert (item["title"], item["kind"], item["state"], item["origin"]) == (
        "投诉举报未按时受理",
        "rectification",
        "issued",
        "supervision.deadline.missed",
    )
    assert item["details"]["deadline"] == 5.0 and item["details"]["deadline_unit"] == "workdays"

    [all_kinds, accepted] = supervision.call(
        "promptness_table", BUREAU, {"from": "2026-01-01", "to": "2026-12-31", "agency_code": MARKET}
    )
    assert (accepted["kind"], accepted["measurements"], accepted["on_time"]) == ("complaint_accepted", 1, 0)
    assert all_kinds["on_time_ratio"] == 0.0
    assert metrics.wait("enforcement_promptness_measurements_total", late_before + 1, **LATE) == late_before + 1
    wait_until(lambda: metrics.ratio(MARKET, "all") == 0.0, message="the agency's on-time ratio falls to 0")

    # a restart watches again at start and finds nothing new
    supervision.stop()
    supervision = run_service("supervision", database_url, settings=WATCHED, today=FOUND_ON)
    supervision.call("watch_deadlines")
    assert db_count(database_url, "deadline_misses") == 1
    assert db_count(database_url, "outbox_events", "event_type = 'supervision.deadline.missed'") == 1
    assert len(events.collect_for(2.0)) == 1, "a restart announced the same miss again"
    assert len(supervision.call("list_items", BUREAU, {"agency_code": MARKET})["items"]) == 1
    assert db_count(database_url, "promptness_measurements") == 1
    assert Metrics(supervision)("enforcement_promptness_measurements_total", **LATE) == late_before + 1


# one scenario in order (the due date passes, found late, a restart): over 50 lines
def test_each_agency_without_last_years_report_after_the_due_date_is_announced_once_and_counted_late(
    personnel, run_service, database_url, amqp_uri, collect_events
):
    """The 2025 report is due by 31 January 2026: on 3 February every agency that has not filed is announced once
    (the bureau is not among them), gets a report request and counts late; a restart announces nobody again."""
    drop_event_queues(amqp_uri, "supervision")
    agencies = personnel.call("list_agencies", BUREAU, {"per_page": 100})["items"]
    expected = sorted(a["code"] for a in agencies if not a.get("is_supervisor"))
    missed_before = Metrics(personnel)("enforcement_deadline_missed_total", **LATE_FILING)
    events = collect_events("supervision", "deadline.missed")
    settings = {**WATCHED, "ANNUAL_REPORT": {"watch_seconds": 1}}
    supervision = run_service("supervision", database_url, settings=settings, today=date(2026, 2, 3))

    received = events.wait_for(len(expected), timeout=30)
    assert sorted(e["data"]["agency_code"] for e in received) == expected
    market = next(e["data"] for e in received if e["data"]["agency_code"] == MARKET)
    assert market == {
        "agency_code": MARKET,
        "kind": "annual_report_filed",
        "reference": f"annual-report-2025:{MARKET}",
        "started_on": "2025-12-31",
        "due_on": "2026-01-31",
        "detected_on": "2026-02-03",
        "deadline": 31.0,
        "deadline_unit": "days",
    }
    assert len(supervision.call("list_items", BUREAU, {"per_page": 100})["items"]) == len(expected)
    [item] = supervision.call("list_items", BUREAU, {"agency_code": MARKET})["items"]
    assert (item["kind"], item["title"], item["details"]["deadline_unit"]) == (
        "report_request",
        "行政执法统计年报未按时报送",
        "days",
    )
    metrics = Metrics(supervision)
    wanted = missed_before + 1
    assert metrics.wait("enforcement_deadline_missed_total", wanted, **LATE_FILING) == wanted
    wait_until(lambda: metrics.ratio(MARKET, "annual_report_filed") == 0.0, message="the filing's on-time ratio")

    supervision.stop()
    supervision = run_service("supervision", database_url, settings=settings, today=date(2026, 2, 3))
    supervision.call("watch_filings")
    assert db_count(database_url, "deadline_misses") == len(expected)
    assert len(events.collect_for(2.0)) == len(expected), "a restart announced the same reports again"
    assert db_count(database_url, "promptness_measurements") == len(expected)


# one scenario in order (accepted in time, the 30 days pass, found late, a restart): over 50 lines
def test_a_complaint_accepted_in_time_but_not_concluded_in_30_days_is_announced_once_and_counted_late(
    personnel, run_service, database_url, amqp_uri, collect_events
):
    """Accepted on the day it came (in time), the complaint's 30 calendar days run to 1 April; found on 3 April still
    open: one announcement in days, one follow-up item, the conclusion counted late beside the acceptance on time."""
    drop_event_queues(amqp_uri, "supervision")
    supervision = run_service("supervision", database_url, settings=WATCHED, today=REGISTERED_ON)
    receipt = supervision.call(
        "register_complaint",
        {
            "agency_code": MARKET,
            "complainant_kind": "citizen",
            "complainant_name": "李四",
            "contact": "13800001111",
            "summary": "执法人员未出示执法证件",
        },
    )
    complaint_id = receipt["complaint_id"]
    admin = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
    accepted = supervision.call("decide_complaint", admin, complaint_id, {"accept": True, "reasons": "属于本机关职责"})
    assert accepted["conclude_due_on"] == "2026-04-01"
    supervision.stop()

    events = collect_events("supervision", "deadline.missed")
    late = {"service": "supervision", "agency": MARKET, "kind": "complaint_concluded", "on_time": "false"}
    late_before = Metrics(personnel)("enforcement_promptness_measurements_total", **late)
    supervision = run_service("supervision", database_url, settings=WATCHED, today=date(2026, 4, 3))
    metrics = Metrics(supervision)
    [announced] = events.wait_for(1, timeout=20)
    assert announced["data"] == {
        "agency_code": MARKET,
        "kind": "complaint_concluded",
        "reference": f"complaint {complaint_id}",
        "started_on": "2026-03-02",
        "due_on": "2026-04-01",
        "detected_on": "2026-04-03",
        "deadline": 30.0,
        "deadline_unit": "days",
    }
    [item] = supervision.call("list_items", BUREAU, {"agency_code": MARKET})["items"]
    assert (item["title"], item["details"]["deadline_unit"]) == ("投诉举报未按时办结", "days")
    rows = supervision.call("promptness_table", BUREAU, {"from": "2026-01-01", "to": "2026-12-31"})
    by_kind = {r["kind"]: (r["measurements"], r["on_time"]) for r in rows if r["agency_code"] == MARKET}
    assert by_kind == {"all": (2, 1), "complaint_accepted": (1, 1), "complaint_concluded": (1, 0)}
    assert metrics.wait("enforcement_promptness_measurements_total", late_before + 1, **late) == late_before + 1
    wait_until(lambda: metrics.ratio(MARKET, "all") == 0.5, message="the agency's on-time ratio falls to 1 of 2")

    supervision.stop()
    supervision = run_service("supervision", database_url, settings=WATCHED, today=date(2026, 4, 3))
    supervision.call("watch_deadlines")
    assert len(events.collect_for(2.0)) == 1, "a restart announced the same miss again"
    assert db_count(database_url, "deadline_misses") == 1
    assert len(supervision.call("list_items", BUREAU, {"agency_code": MARKET})["items"]) == 1
