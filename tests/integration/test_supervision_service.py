"""The supervision service over the real broker with the real personnel service, on SQLite and PostgreSQL.

Personnel runs for real: it answers the agency list and, when an officer leaves and the certificate is cancelled
late, publishes the ``personnel.promptness.measured`` event that opens a supervision item. The cases and training
events (a late publication, a failing case file, officers short of training, a repeated inspection) are published
through the harness exactly as those services publish them; starting cases with certified officers and a decided
case only to get one late publication would double this module's run time.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from enforcement_testing import (
    BUREAU,
    db_count,
    db_counts,
    db_rows,
    drop_event_queues,
    publish_event,
    valid_id_number,
    wait_until,
)

from enforcement_contracts import cases, training
from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement_kernel.workdays import add_workdays, workdays_between

pytestmark = pytest.mark.timeout(240)

MARKET = "140928-scjgj"  # 县市场监管局
TRANSPORT = "140928-jtysj"  # 县交通运输局
DOMAIN = "market_supervision"
MARKET_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
TRANSPORT_ADMIN = {"username": "jt-admin", "role": "agency_admin", "agency_code": TRANSPORT}
FAST_TIMERS = {"SUPERVISION_OVERDUE_CHECK_SECONDS": "1", "SUPERVISION_GAUGES_REFRESH_SECONDS": "1"}
WRITE_TABLES = (
    "supervision_items",
    "supervision_item_history",
    "complaints",
    "promptness_measurements",
    "bulletins",
    "outbox_events",
)


@pytest.fixture
def personnel(tmp_path, amqp_uri, start_service):
    return start_service("personnel", f"sqlite:///{tmp_path}/personnel.db", amqp_uri)


@pytest.fixture
def supervision(personnel, database_url, amqp_uri, start_service):
    drop_event_queues(amqp_uri, "supervision")  # only this test's events, not what earlier tests left queued
    return start_service("supervision", database_url, amqp_uri, extra_env={**FAST_TIMERS, "RPC_TIMEOUT": "3"})


def certified_officer(rpc, amqp_uri: str, seq: int) -> tuple[dict, dict]:
    officer = rpc.personnel.register_officer(
        BUREAU,
        {"agency_code": MARKET, "name": f"督察员{seq}", "id_number": valid_id_number(700 + seq), "domains": [DOMAIN]},
    )
    publish_event(
        amqp_uri,
        training.HOURS_UPDATED,
        {
            "officer_id": officer["officer_id"],
            "agency_code": MARKET,
            "year": date.today().year,
            "revision": 1,
            "hours_by_category": {"public_law": 30.0, "professional": 30.0},
            "required_courses_done": True,
        },
    )
    publish_event(
        amqp_uri,
        training.EXAM_PASSED,
        {
            "result_id": uuid.uuid4().hex,
            "officer_id": officer["officer_id"],
            "agency_code": MARKET,
            "exam_kind": "qualification",
            "score": 80.0,
            "pass_mark": 60.0,
            "sat_on": date.today(),
        },
    )
    wait_until(
        lambda: rpc.personnel.eligibility(BUREAU, officer["officer_id"])["eligible"],
        message="personnel has the training facts",
    )
    cert = rpc.personnel.issue_certificate(BUREAU, {"officer_id": officer["officer_id"], "domains": [DOMAIN]})
    return officer, cert


def items_of(rpc, **query) -> list[dict]:
    return rpc.supervision.list_items(BUREAU, {"per_page": 500, **query})["items"]


def ratio(service, agency: str, kind: str) -> float | None:
    text = service.metrics_text()
    for line in text.splitlines():
        if (
            line.startswith("enforcement_agency_on_time_ratio{")
            and f'agency="{agency}"' in line
            and f'kind="{kind}"' in line
        ):
            return float(line.rsplit(" ", 1)[1])
    return None


# --- automatic supervision and the promptness table ----------------------------------------------
def test_late_obligations_elsewhere_open_items_and_show_in_the_on_time_ratios(
    supervision, personnel, rpc, amqp_uri, collect_events
):
    issued = collect_events("supervision", "item.issued", "item.changed")
    today = date.today()
    late_officer, late_cert = certified_officer(rpc, amqp_uri, 1)
    prompt_officer, _ = certified_officer(rpc, amqp_uri, 2)
    departed_on = add_workdays(today, -8)

    # the real personnel service: one certificate cancelled 8 working days after the departure (late), one at once
    rpc.personnel.record_departure(
        BUREAU, late_officer["officer_id"], {"reason": "transfer", "departed_on": departed_on.isoformat()}
    )
    rpc.personnel.record_departure(
        BUREAU, prompt_officer["officer_id"], {"reason": "retirement", "departed_on": today.isoformat()}
    )
    wait_until(
        lambda: db_count(supervision.database_url, "promptness_measurements") == 2,
        timeout=30,
        message="both personnel measurements landed",
    )
    [item] = wait_until(
        lambda: items_of(rpc, agency_code=MARKET) or None, message="the late cancellation opened an item"
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
    envelope = publish_event(amqp_uri, cases.PROMPTNESS_MEASURED, late_publication)
    publish_event(amqp_uri, cases.PROMPTNESS_MEASURED, late_publication, event_id=envelope.id)  # redelivered
    wait_until(lambda: len(items_of(rpc, agency_code=MARKET)) == 2, message="the late publication opened an item")
    # the gauges come from the table: 1 of 2 cancellations on time, no publication, 1 of 3 overall
    wait_until(lambda: ratio(supervision, MARKET, "decision_published") == 0.0, message="publication ratio on /metrics")
    assert ratio(supervision, MARKET, "certificate_cancelled") == 0.5
    assert ratio(supervision, MARKET, "all") == pytest.approx(1 / 3)
    assert (
        supervision.metric(
            "enforcement_promptness_measurements_total",
            service="supervision",
            agency=MARKET,
            kind="decision_published",
            on_time="false",
        )
        == 1
    )
    assert supervision.metric("enforcement_supervision_items_open", agency=MARKET) == 2
    assert (
        supervision.metric(
            "enforcement_events_handled_total",
            service="supervision",
            event_type="cases.promptness.measured",
            outcome="duplicate",
        )
        == 1
    )

    # other services' events: failing case file, officers short of training (one item per agency and year),
    # a repeated inspection; a passing file and an inspection without warnings change nothing
    for grade, file_id in (("fail", "f-1"), ("pass", "f-2")):
        publish_event(
            amqp_uri,
            cases.REVIEW_FILE_SCORED,
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
            training.OFFICER_SHORT_AT_YEAR_END,
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
            cases.INSPECTION_RECORDED,
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
        cases.PROMPTNESS_MEASURED,
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
            items_of(rpc, agency_code=TRANSPORT)
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
    table = rpc.supervision.promptness_table(
        BUREAU, {"from": date(today.year, 1, 1).isoformat(), "to": today.isoformat()}
    )
    overall = next(r for r in table if r["agency_code"] == MARKET and r["kind"] == "all")
    assert (overall["measurements"], overall["on_time"], overall["max_workdays"]) == (3, 1, 12)
    assert overall["on_time_ratio"] == pytest.approx(0.3333, abs=1e-4)
    assert rpc.supervision.promptness_table(MARKET_ADMIN, {"from": "2000-01-01", "to": "2000-12-31"}) == []
    with pytest.raises(Forbidden):
        rpc.supervision.promptness_table(
            TRANSPORT_ADMIN, {"from": "2025-01-01", "to": "2025-12-31", "agency_code": MARKET}
        )
    with pytest.raises(ValidationFailed) as order:
        rpc.supervision.promptness_table(BUREAU, {"from": "2025-12-31", "to": "2025-01-01"})
    assert "to" in order.value.fields


# --- items by hand, complaints, bad input ----------------------------------------------------------
def test_items_and_complaints_follow_their_rules_and_bad_input_writes_nothing(
    supervision, rpc, amqp_uri, collect_events
):
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
            rpc.supervision.issue_item(BUREAU, payload)
        assert field in caught.value.fields, (field, caught.value.fields)
    with pytest.raises(Forbidden):
        rpc.supervision.issue_item(MARKET_ADMIN, good)
    with pytest.raises(ValidationFailed) as bad_complaint:
        rpc.supervision.register_complaint(
            {
                "agency_code": MARKET,
                "complainant_kind": "enterprise",
                "complainant_name": "某公司",
                "contact": "none",
                "summary": "x",
            }
        )
    assert "contact" in bad_complaint.value.fields
    assert db_counts(supervision.database_url, *WRITE_TABLES) == before

    item = rpc.supervision.issue_item(BUREAU, good)
    item_id = item["item_id"]
    with pytest.raises(Forbidden):  # another agency's item
        rpc.supervision.acknowledge_item(TRANSPORT_ADMIN, item_id)
    with pytest.raises(Forbidden):  # the answer is the agency's own
        rpc.supervision.answer_item(BUREAU, item_id, {"answer": "已整改"})
    with pytest.raises(Conflict) as not_acknowledged:
        rpc.supervision.answer_item(MARKET_ADMIN, item_id, {"answer": "已整改"})
    assert not_acknowledged.value.fields == {"state": ["is issued"]}
    with pytest.raises(NotFound):
        rpc.supervision.get_item(BUREAU, 424242)
    rpc.supervision.acknowledge_item(MARKET_ADMIN, item_id)
    answered = rpc.supervision.answer_item(MARKET_ADMIN, item_id, {"answer": "已在门户网站公示"})
    assert answered["answered_on_time"] is True and answered["state"] == "answered"
    returned = rpc.supervision.return_item(BUREAU, item_id, {"reason": "缺少佐证材料"})
    assert returned["state"] == "returned" and returned["due_on"] == add_workdays(date.today(), 5).isoformat()
    rpc.supervision.answer_item(MARKET_ADMIN, item_id, {"answer": "补充佐证材料"})
    rpc.supervision.verify_item(BUREAU, item_id, {"note": "核查属实"})
    closed = rpc.supervision.close_item(BUREAU, item_id)
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
        rpc.supervision.get_item(TRANSPORT_ADMIN, item_id)
    # measured once, at the first answer
    assert db_count(supervision.database_url, "promptness_measurements", "kind = 'supervision_item_answered'") == 1

    # a complaint: public registration, details encrypted and masked, decided, extended once, concluded upheld
    receipt = rpc.supervision.register_complaint(
        {
            "agency_code": MARKET,
            "complainant_kind": "enterprise",
            "complainant_name": "五寨县晋北商贸有限公司",
            "contact": "13812345678",
            "summary": "一月内被重复检查三次",
        }
    )
    assert receipt["accept_due_on"] == add_workdays(date.today(), 5).isoformat()
    cid = receipt["complaint_id"]
    [raw] = db_rows(supervision.database_url, "SELECT * FROM complaints")
    assert "13812345678" not in json.dumps(raw, default=str) and "晋北" not in json.dumps(raw, default=str)
    with pytest.raises(Forbidden):
        rpc.supervision.decide_complaint(TRANSPORT_ADMIN, cid, {"accept": True, "reasons": "属于受理范围"})
    accepted = rpc.supervision.decide_complaint(MARKET_ADMIN, cid, {"accept": True, "reasons": "属于受理范围"})
    assert accepted["contact_masked"] == "138****5678" and accepted["complainant_name_masked"] == "五***"
    assert accepted["conclude_due_on"] == (date.today() + timedelta(days=30)).isoformat()
    with pytest.raises(Forbidden):  # the extension needs the bureau's approval
        rpc.supervision.extend_complaint(MARKET_ADMIN, cid, {"days": 10, "reason": "情况复杂"})
    with pytest.raises(ValidationFailed) as too_long:
        rpc.supervision.extend_complaint(BUREAU, cid, {"days": 31, "reason": "情况复杂"})
    assert "days" in too_long.value.fields
    extended = rpc.supervision.extend_complaint(BUREAU, cid, {"days": 30, "reason": "情况复杂"})
    assert extended["conclude_due_on"] == (date.today() + timedelta(days=60)).isoformat()
    with pytest.raises(Conflict):
        rpc.supervision.extend_complaint(BUREAU, cid, {"days": 5, "reason": "再次延期"})
    done = rpc.supervision.conclude_complaint(MARKET_ADMIN, cid, {"outcome": "upheld", "conclusion": "责令整改"})
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
    assert "13812345678" not in supervision.log_text() and "晋北" not in supervision.log_text()


# --- the overdue timer across a crash -------------------------------------------------------------
def backdate(url: str, item_ids: list[int], due_on: date) -> None:
    """Time passing: these items' deadlines are now in the past (the service reads only the database)."""
    from enforcement_testing import db_connection
    from sqlalchemy import text

    with db_connection(url) as conn:
        conn.execute(
            text(f"UPDATE supervision_items SET due_on = :due WHERE id IN ({','.join(map(str, item_ids))})"),
            {"due": due_on},
        )
        conn.commit()


def test_items_falling_due_across_a_kill_are_escalated_once_each(supervision, rpc, collect_events):
    escalations = collect_events("supervision", "item.overdue")
    ids = [
        rpc.supervision.issue_item(
            BUREAU, {"agency_code": agency, "kind": "report_request", "title": f"报送执法统计 {n}"}
        )["item_id"]
        for n, agency in enumerate([MARKET, TRANSPORT] * 15)
    ]
    answered = ids[0]
    rpc.supervision.acknowledge_item(MARKET_ADMIN, answered)
    rpc.supervision.answer_item(MARKET_ADMIN, answered, {"answer": "已报送"})
    yesterday = date.today() - timedelta(days=1)
    first, second = ids[:12], ids[12:]
    backdate(supervision.database_url, first, yesterday)
    url = supervision.database_url
    overdue_rows = "SELECT COUNT(*) AS n FROM outbox_events WHERE event_type = 'supervision.item.overdue'"
    wait_until(lambda: db_rows(url, overdue_rows)[0]["n"] == 11, message="11 open items escalated (one was answered)")

    supervision.kill()  # SIGKILL: nothing runs on the way down
    backdate(url, second, yesterday)  # these fall due while the service is down
    supervision.start()
    wait_until(lambda: db_rows(url, overdue_rows)[0]["n"] == 29, timeout=30, message="every open item escalated")

    # delivery is at least once: an event published just before the kill may come again after the restart, with
    # the same id (its "sent" mark was lost), which subscribers drop; what must not happen is a second escalation
    # (another id) of an item, or a missing one
    def distinct_events(seconds: float) -> dict:
        return {e["id"]: e for e in escalations.collect_for(seconds)}

    wait_until(lambda: len(distinct_events(0.5)) >= 29, timeout=30, message="29 distinct escalations delivered")
    received = list(distinct_events(3).values())  # and nothing more
    assert sorted(e["data"]["item_id"] for e in received) == sorted(set(ids) - {answered})  # one id per item
    rows = db_rows(url, "SELECT id, overdue, overdue_on, escalated_due_on FROM supervision_items")
    assert all(bool(r["overdue"]) is (r["id"] != answered) for r in rows)
    assert supervision.wait_metric("enforcement_supervision_items_overdue", 15, agency=TRANSPORT) == 15
    assert supervision.metric("enforcement_supervision_items_overdue", agency=MARKET) == 14

    # a returned item gets a new deadline and can be escalated again, once
    item = ids[1]
    rpc.supervision.acknowledge_item(TRANSPORT_ADMIN, item)
    rpc.supervision.answer_item(TRANSPORT_ADMIN, item, {"answer": "已报送"})
    assert rpc.supervision.get_item(BUREAU, item)["answered_on_time"] is False  # answered after its deadline
    rpc.supervision.return_item(BUREAU, item, {"reason": "数据不全"})
    backdate(url, [item], yesterday - timedelta(days=1))  # a deadline other than the one escalated
    wait_until(lambda: db_rows(url, overdue_rows)[0]["n"] == 30, message="the returned item escalated again")

    # the bulletin of the period lists every item that fell overdue; published once
    bulletin_query = {"period_from": date.today().isoformat(), "period_to": date.today().isoformat()}
    entries = rpc.supervision.overdue_list(BUREAU, bulletin_query)
    assert len(entries) == 29
    assert {e["agency_code"] for e in rpc.supervision.overdue_list(MARKET_ADMIN, bulletin_query)} == {MARKET}
    bulletin = rpc.supervision.publish_bulletin(BUREAU, {**bulletin_query, "title": "关于逾期未办结督办事项的通报"})
    assert len(bulletin["entries"]) == 29
    with pytest.raises(Conflict):
        rpc.supervision.publish_bulletin(BUREAU, {**bulletin_query, "title": "again"})
    with pytest.raises(Forbidden):
        rpc.supervision.publish_bulletin(MARKET_ADMIN, {**bulletin_query, "title": "x"})


# --- the county's clock ------------------------------------------------------------------------------
def test_the_service_dates_what_it_records_by_the_county_s_clock(personnel, database_url, amqp_uri, start_service, rpc):
    """CLOCK_TODAY pins the date (a training environment replaying 31 March 2025): the item is issued that day and
    its 5 working days run to Tuesday 8 April (Qingming: 4-6 April are not working days)."""
    start_service("supervision", database_url, amqp_uri, extra_env={"CLOCK_TODAY": "2025-03-31", "RPC_TIMEOUT": "3"})
    item = rpc.supervision.issue_item(
        BUREAU, {"agency_code": MARKET, "kind": "report_request", "title": "报送一季度执法统计", "deadline_workdays": 5}
    )
    assert (item["issued_on"], item["due_on"]) == ("2025-03-31", "2025-04-08")
