"""The supervision service's entrypoints in process (nameko's container and ``entrypoint_hook``), with the real
personnel service in process too, on SQLite and PostgreSQL, over the real broker.

Personnel runs for real: it answers the agency list and, when an officer leaves and the certificate is cancelled
late, publishes the ``personnel.promptness.measured`` event that opens a supervision item. The cases and training
events (a late publication, a failing case file, officers short of training, a repeated inspection) are published
through the harness exactly as those services publish them; starting cases with certified officers and a decided
case only to get one late publication would double this module's run time. The overdue timer across a kill -9 is
in test_supervision_restart.py (a subprocess).
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import date, timedelta

import pytest
from enforcement_testing import BUREAU, RUN_DATE, db_count, db_counts, db_rows, publish_event, wait_until
from enforcement_testing.paging import walk_by_cursor, walk_by_number

from enforcement_contracts.cases import inspections as cases_inspections
from enforcement_contracts.cases import promptness as cases_promptness
from enforcement_contracts.cases import reviews as cases_reviews
from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement_contracts.training import compliance as training_compliance
from enforcement_kernel.workdays import add_workdays, workdays_between

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"  # 县市场监管局
TRANSPORT = "140928-jtysj"  # 县交通运输局
MARKET_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
TRANSPORT_ADMIN = {"username": "jt-admin", "role": "agency_admin", "agency_code": TRANSPORT}

WRITE_TABLES = (
    "supervision_items",
    "supervision_item_history",
    "complaints",
    "promptness_measurements",
    "bulletins",
    "outbox_events",
)


def items_of(supervision, **query) -> list[dict]:
    return supervision.call("list_items", BUREAU, {"per_page": 500, **query})["items"]


# --- automatic supervision and the promptness table ----------------------------------------------
def test_late_obligations_elsewhere_open_items_and_show_in_the_on_time_ratios(
    supervision, personnel, certified_officer, metrics, amqp_uri, collect_events
):
    # one scenario (50+ lines): each step reads what the previous ones landed in the table and the gauges
    measured = (
        "enforcement_promptness_measurements_total",
        {"service": "supervision", "agency": MARKET, "kind": "decision_published", "on_time": "false"},
    )
    duplicates = (
        "enforcement_events_handled_total",
        {"service": "supervision", "event_type": "cases.promptness.measured", "outcome": "duplicate"},
    )
    # metrics are process-wide in process: the counters are compared with their values before the test
    measured_before, duplicates_before = metrics(measured[0], **measured[1]), metrics(duplicates[0], **duplicates[1])
    issued = collect_events("supervision", "item.issued", "item.changed")
    today = RUN_DATE
    late_officer, late_cert = certified_officer(1)
    prompt_officer, _ = certified_officer(2)
    departed_on = add_workdays(today, -8)

    # the real personnel service: one certificate cancelled 8 working days after the departure (late), one at once
    personnel.call(
        "record_departure",
        BUREAU,
        late_officer["officer_id"],
        {"reason": "transfer", "departed_on": departed_on.isoformat()},
    )
    personnel.call(
        "record_departure",
        BUREAU,
        prompt_officer["officer_id"],
        {"reason": "retirement", "departed_on": today.isoformat()},
    )
    wait_until(
        lambda: db_count(supervision.database_url, "promptness_measurements") == 2,
        timeout=30,
        message="both personnel measurements landed",
    )
    [item] = wait_until(
        lambda: items_of(supervision, agency_code=MARKET) or None, message="the late cancellation opened an item"
    )
    assert item["origin"] == "personnel.promptness.measured" and item["kind"] == "rectification"
    assert item["state"] == "issued" and item["details"]["reference"] == late_cert["number"]
    assert item["due_on"] == add_workdays(today, 10).isoformat()
    rows = db_rows(
        supervision.database_url,
        "SELECT source, agency_code, kind, workdays_taken, deadline_workdays, "
        "on_time, year FROM promptness_measurements ORDER BY workdays_taken",
    )
    assert [(r["source"], r["kind"], r["workdays_taken"], bool(r["on_time"])) for r in rows] == [
        ("personnel", "certificate_cancelled", 0, True),
        ("personnel", "certificate_cancelled", workdays_between(departed_on, today), False),
    ]

    # the real cases event of a late publication (published through the harness, see the module docstring)
    late_publication = {
        "agency_code": MARKET,
        "kind": "decision_published",
        "reference": "case-0001",
        "started_on": add_workdays(today, -12),
        "ended_on": today,
        "workdays_taken": 12,
        "deadline_workdays": 7,
        "on_time": False,
    }
    envelope = publish_event(amqp_uri, cases_promptness.PROMPTNESS_MEASURED, late_publication)
    publish_event(amqp_uri, cases_promptness.PROMPTNESS_MEASURED, late_publication, event_id=envelope.id)  # redelivered
    wait_until(
        lambda: len(items_of(supervision, agency_code=MARKET)) == 2, message="the late publication opened an item"
    )
    # the gauges come from the table: 1 of 2 cancellations on time, no publication, 1 of 3 overall
    wait_until(lambda: metrics.ratio(MARKET, "decision_published") == 0.0, message="publication ratio on /metrics")
    assert metrics.ratio(MARKET, "certificate_cancelled") == 0.5
    assert metrics.ratio(MARKET, "all") == pytest.approx(1 / 3)
    assert metrics(measured[0], **measured[1]) - measured_before == 1
    assert metrics("enforcement_supervision_items_open", agency=MARKET) == 2
    assert metrics.wait(duplicates[0], duplicates_before + 1, **duplicates[1]) - duplicates_before == 1

    # other services' events: failing case file, officers short of training (one item per agency and year),
    # a repeated inspection; a passing file and an inspection without warnings change nothing
    for grade, file_id in (("fail", "f-1"), ("pass", "f-2")):
        publish_event(
            amqp_uri,
            cases_reviews.REVIEW_FILE_SCORED,
            {
                "file_id": file_id,
                "batch_id": "b-1",
                "case_id": "case-0002",
                "agency_code": TRANSPORT,
                "checklist_version": 1,
                "total": 0 if grade == "fail" else 85,
                "grade": grade,
                "basic_failures": ["fewer_than_two_officers"] if grade == "fail" else [],
            },
        )
    for officer in ("o-1", "o-2"):
        publish_event(
            amqp_uri,
            training_compliance.OFFICER_SHORT_AT_YEAR_END,
            {
                "officer_id": officer,
                "agency_code": TRANSPORT,
                "year": today.year - 1,
                "hours_by_category": {"public_law": 10.0},
                "shortfall_by_category": {"public_law": 20.0},
                "required_courses_done": True,
                "rotation_done": None,
                "reasons": ["public_law: 20 hours short"],
            },
        )
    for warnings in ([], [{"code": "repeated", "field": "inspected_on", "message": "inspected again within 30 days"}]):
        publish_event(
            amqp_uri,
            cases_inspections.INSPECTION_RECORDED,
            {
                "inspection_id": uuid.uuid4().hex,
                "agency_code": TRANSPORT,
                "credit_code": "91140928MA0XXXXX1K",
                "inspected_on": today,
                "kind": "routine",
                "joint_agencies": [],
                "warnings": warnings,
            },
        )
    publish_event(
        amqp_uri,
        cases_promptness.PROMPTNESS_MEASURED,
        {  # the receiving agency acknowledged a transfer late
            "agency_code": TRANSPORT,
            "kind": "transfer_acknowledged",
            "reference": "transfer-0001",
            "started_on": add_workdays(today, -5),
            "ended_on": today,
            "workdays_taken": 5,
            "deadline_workdays": 3,
            "on_time": False,
        },
    )
    transport = wait_until(
        lambda: (lambda found: found if len(found) == 4 and any(i["occurrences"] == 2 for i in found) else None)(
            items_of(supervision, agency_code=TRANSPORT)
        ),
        message="four items for the transport bureau, the training one with two officers",
    )
    by_origin = {i["origin"]: i for i in transport}
    assert set(by_origin) == {
        "cases.review_file.scored",
        "training.officer.short_at_year_end",
        "cases.inspection.recorded",
        "cases.promptness.measured",
    }
    assert by_origin["cases.promptness.measured"]["kind"] == "transfer_followup"
    assert by_origin["training.officer.short_at_year_end"]["details"]["officers"] == ["o-1", "o-2"]
    assert [e["data"]["action"] for e in issued.wait_for(7) if e["type"] == "supervision.item.changed"] == ["recurred"]

    # the query API: the same figures over a period, per agency and kind, done in SQL
    table = supervision.call(
        "promptness_table", BUREAU, {"from": date(today.year, 1, 1).isoformat(), "to": today.isoformat()}
    )
    overall = next(r for r in table if r["agency_code"] == MARKET and r["kind"] == "all")
    assert (overall["measurements"], overall["on_time"], overall["max_workdays"]) == (3, 1, 12)
    assert overall["on_time_ratio"] == pytest.approx(0.3333, abs=1e-4)
    assert supervision.call("promptness_table", MARKET_ADMIN, {"from": "2000-01-01", "to": "2000-12-31"}) == []
    with pytest.raises(Forbidden):
        supervision.call(
            "promptness_table", TRANSPORT_ADMIN, {"from": "2025-01-01", "to": "2025-12-31", "agency_code": MARKET}
        )
    with pytest.raises(ValidationFailed) as order:
        supervision.call("promptness_table", BUREAU, {"from": "2025-12-31", "to": "2025-01-01"})
    assert "to" in order.value.fields


# --- items by hand, complaints, bad input ----------------------------------------------------------
def test_items_and_complaints_follow_their_rules_and_bad_input_writes_nothing(supervision, collect_events, caplog):
    # one scenario (50+ lines): an item and a complaint each taken through every step, in order
    caplog.set_level(logging.DEBUG)  # every record the service writes, to check no personal data is logged
    complaint_events = collect_events("supervision", "complaint.*")
    before = db_counts(supervision.database_url, *WRITE_TABLES)
    good = {"agency_code": MARKET, "kind": "rectification", "title": "整改执法公示不到位", "deadline_workdays": 5}
    refused = {
        "agency_code": {**good, "agency_code": "140928-nowhere"},
        "kind": {**good, "kind": "advice"},
        "title": {**good, "title": ""},
        "deadline_workdays": {**good, "deadline_workdays": 61},
        "complaint_id": {**good, "complaint_id": 999},
        "colour": {**good, "colour": "red"},
    }
    for field, payload in refused.items():
        with pytest.raises(ValidationFailed) as caught:
            supervision.call("issue_item", BUREAU, payload)
        assert field in caught.value.fields, (field, caught.value.fields)
    with pytest.raises(Forbidden):
        supervision.call("issue_item", MARKET_ADMIN, good)
    with pytest.raises(ValidationFailed) as bad_complaint:
        supervision.call(
            "register_complaint",
            {
                "agency_code": MARKET,
                "complainant_kind": "enterprise",
                "complainant_name": "某公司",
                "contact": "none",
                "summary": "x",
            },
        )
    assert "contact" in bad_complaint.value.fields
    assert db_counts(supervision.database_url, *WRITE_TABLES) == before

    item = supervision.call("issue_item", BUREAU, good)
    item_id = item["item_id"]
    with pytest.raises(Forbidden):  # another agency's item
        supervision.call("acknowledge_item", TRANSPORT_ADMIN, item_id)
    with pytest.raises(Forbidden):  # the answer is the agency's own
        supervision.call("answer_item", BUREAU, item_id, {"answer": "已整改"})
    with pytest.raises(Conflict) as not_acknowledged:
        supervision.call("answer_item", MARKET_ADMIN, item_id, {"answer": "已整改"})
    assert not_acknowledged.value.fields == {"state": ["is issued"]}
    with pytest.raises(NotFound):
        supervision.call("get_item", BUREAU, 424242)
    supervision.call("acknowledge_item", MARKET_ADMIN, item_id)
    answered = supervision.call("answer_item", MARKET_ADMIN, item_id, {"answer": "已在门户网站公示"})
    assert answered["answered_on_time"] is True and answered["state"] == "answered"
    returned = supervision.call("return_item", BUREAU, item_id, {"reason": "缺少佐证材料"})
    assert returned["state"] == "returned" and returned["due_on"] == add_workdays(RUN_DATE, 5).isoformat()
    supervision.call("answer_item", MARKET_ADMIN, item_id, {"answer": "补充佐证材料"})
    supervision.call("verify_item", BUREAU, item_id, {"note": "核查属实"})
    closed = supervision.call("close_item", BUREAU, item_id)
    assert [h["action"] for h in closed["history"]] == [
        "issued",
        "acknowledged",
        "answered",
        "returned",
        "answered",
        "verified",
        "closed",
    ]
    with pytest.raises(Forbidden):
        supervision.call("get_item", TRANSPORT_ADMIN, item_id)
    # measured once, at the first answer
    assert db_count(supervision.database_url, "promptness_measurements", "kind = 'supervision_item_answered'") == 1

    # a complaint: public registration, details encrypted and masked, decided, extended once, concluded upheld
    receipt = supervision.call(
        "register_complaint",
        {
            "agency_code": MARKET,
            "complainant_kind": "enterprise",
            "complainant_name": "五寨县晋北商贸有限公司",
            "contact": "13812345678",
            "summary": "一月内被重复检查三次",
        },
    )
    assert receipt["accept_due_on"] == add_workdays(RUN_DATE, 5).isoformat()
    cid = receipt["complaint_id"]
    [raw] = db_rows(supervision.database_url, "SELECT * FROM complaints")
    assert "13812345678" not in json.dumps(raw, default=str) and "晋北" not in json.dumps(raw, default=str)
    with pytest.raises(Forbidden):
        supervision.call("decide_complaint", TRANSPORT_ADMIN, cid, {"accept": True, "reasons": "属于受理范围"})
    accepted = supervision.call("decide_complaint", MARKET_ADMIN, cid, {"accept": True, "reasons": "属于受理范围"})
    assert accepted["contact_masked"] == "138****5678" and accepted["complainant_name_masked"] == "五***"
    assert accepted["conclude_due_on"] == (RUN_DATE + timedelta(days=30)).isoformat()
    with pytest.raises(Forbidden):  # the extension needs the bureau's approval
        supervision.call("extend_complaint", MARKET_ADMIN, cid, {"days": 10, "reason": "情况复杂"})
    with pytest.raises(ValidationFailed) as too_long:
        supervision.call("extend_complaint", BUREAU, cid, {"days": 31, "reason": "情况复杂"})
    assert "days" in too_long.value.fields
    extended = supervision.call("extend_complaint", BUREAU, cid, {"days": 30, "reason": "情况复杂"})
    assert extended["conclude_due_on"] == (RUN_DATE + timedelta(days=60)).isoformat()
    with pytest.raises(Conflict):
        supervision.call("extend_complaint", BUREAU, cid, {"days": 5, "reason": "再次延期"})
    done = supervision.call("conclude_complaint", MARKET_ADMIN, cid, {"outcome": "upheld", "conclusion": "责令整改"})
    assert done["state"] == "concluded" and done["outcome"] == "upheld"
    kinds = {
        r["kind"]: bool(r["on_time"])
        for r in db_rows(
            supervision.database_url, "SELECT kind, on_time FROM promptness_measurements WHERE kind LIKE 'complaint%'"
        )
    }
    assert kinds == {"complaint_accepted": True, "complaint_concluded": True}
    published = complaint_events.wait_for(4)
    assert [e["type"] for e in published] == [
        "supervision.complaint.registered",
        "supervision.complaint.decided",
        "supervision.complaint.extended",
        "supervision.complaint.concluded",
    ]
    assert "13812345678" not in json.dumps(published, ensure_ascii=False)
    assert "晋北" not in json.dumps(published, ensure_ascii=False)
    logged = "\n".join(json.dumps(vars(r), default=str, ensure_ascii=False) for r in caplog.records)
    assert "13812345678" not in logged and "晋北" not in logged


# --- the county's clock ------------------------------------------------------------------------------
def test_the_service_dates_what_it_records_by_the_county_s_clock(personnel, database_url, run_service):
    """CLOCK_TODAY pins the date (a training environment replaying 31 March 2025): the item is issued that day and
    its 5 working days run to Tuesday 8 April (Qingming: 4-6 April are not working days)."""
    supervision = run_service("supervision", database_url, settings={"RPC_TIMEOUT": 3}, today=date(2025, 3, 31))
    item = supervision.call(
        "issue_item",
        BUREAU,
        {"agency_code": MARKET, "kind": "report_request", "title": "报送一季度执法统计", "deadline_workdays": 5},
    )
    assert (item["issued_on"], item["due_on"]) == ("2025-03-31", "2025-04-08")


def test_items_and_complaints_continue_after_a_cursor_as_page_numbers_do(supervision):
    for n, agency in enumerate([MARKET, TRANSPORT, MARKET, MARKET, TRANSPORT]):
        good = {"agency_code": agency, "kind": "rectification", "title": f"整改事项{n}", "deadline_workdays": 5}
        supervision.call("issue_item", BUREAU, good)
    for n in range(4):
        supervision.call(
            "register_complaint",
            {
                "agency_code": MARKET,
                "complainant_kind": "citizen",
                "complainant_name": "李四",
                "contact": f"1381234567{n}",
                "summary": f"投诉{n}",
            },
        )
    items = lambda query: supervision.call("list_items", BUREAU, query)  # noqa: E731
    complaints = lambda query: supervision.call("list_complaints", MARKET_ADMIN, query)  # noqa: E731
    every_item = walk_by_number(items, {}, 2)
    assert len(every_item) == 5 and [i["item_id"] for i in every_item] == sorted(
        (i["item_id"] for i in every_item), reverse=True
    )
    assert walk_by_cursor(items, {}, 2) == every_item
    assert walk_by_cursor(items, {"agency_code": MARKET}, 1) == [i for i in every_item if i["agency_code"] == MARKET]
    every_complaint = walk_by_number(complaints, {}, 3)
    assert len(every_complaint) == 4 and walk_by_cursor(complaints, {}, 3) == every_complaint

    first_items, first_complaints = items({"per_page": 2}), complaints({"per_page": 2})
    assert (first_items["total"], first_items["total_exact"]) == (5, True)
    # a cursor belongs to its list: the complaints' is refused by the items' and the other way round
    for read, query in (
        (items, {"after": first_complaints["next"]}),
        (complaints, {"after": first_items["next"]}),
        (items, {"after": first_items["next"], "page": 2}),
        (complaints, {"after": "%%%"}),
    ):
        with pytest.raises(ValidationFailed) as refused:
            read(query)
        assert set(refused.value.fields) == {"after"}


def test_the_to_do_list_reads_only_the_complaints_whose_next_deadline_is_near(supervision):
    """``due_by``: open complaints whose next deadline (accepting a registered one, concluding an accepted one) is on
    or before the day; a concluded or a later one is not read (the county dashboard asked for 500 and decrypted
    each)."""
    register = {"agency_code": MARKET, "complainant_kind": "citizen", "complainant_name": "李四", "summary": "投诉"}
    first = supervision.call("register_complaint", {**register, "contact": "13812345670"})
    second = supervision.call("register_complaint", {**register, "contact": "13812345671"})
    complaints = lambda query: supervision.call("list_complaints", MARKET_ADMIN, query)  # noqa: E731
    ids = lambda query: {c["complaint_id"] for c in complaints(query)["items"]}  # noqa: E731
    accept_due = date.fromisoformat(complaints({})["items"][0]["accept_due_on"])
    assert ids({"due_by": accept_due.isoformat()}) == {first["complaint_id"], second["complaint_id"]}
    assert ids({"due_by": (accept_due - timedelta(days=1)).isoformat()}) == set()
    accepted = supervision.call(
        "decide_complaint", MARKET_ADMIN, second["complaint_id"], {"accept": True, "reasons": "属于受理范围"}
    )
    conclude_due = date.fromisoformat(accepted["conclude_due_on"])
    assert conclude_due > accept_due
    assert ids({"due_by": accept_due.isoformat()}) == {first["complaint_id"]}  # its next deadline is to conclude
    assert ids({"due_by": conclude_due.isoformat(), "state": "accepted"}) == {second["complaint_id"]}
    with pytest.raises(ValidationFailed) as refused:
        complaints({"due_by": "next week"})
    assert set(refused.value.fields) == {"due_by"}
