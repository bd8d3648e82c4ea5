"""Faults and restarts of the cases service, as real processes (``enforcement-run``) with the real personnel
service, on SQLite and PostgreSQL: a stopped personnel service refuses a report with nothing written; the deadline
watch announces each missed deadline once, not again after a restart, and supervision opens one follow-up per unmet
transfer leg. Helpers (``process_desk``) are in conftest.py; the calls go through a standalone RPC proxy.
"""

from __future__ import annotations

import json

import pytest
from enforcement_testing import BUREAU, RUN_DATE, db_count, db_counts, drop_event_queues, valid_id_number, wait_until

from enforcement_contracts.errors import Unavailable

pytestmark = pytest.mark.timeout(180)

MARKET = "140928-scjgj"  # 县市场监管局
SCJ_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
POLICE = "140928-gaj"  # 县公安局
GAJ_ADMIN = {"username": "gaj-admin", "role": "agency_admin", "agency_code": POLICE}
CASE_TABLES = (
    "cases",
    "case_suspensions",
    "case_extensions",
    "legal_reviews",
    "promptness_measurements",
    "outbox_events",
)


@pytest.fixture
def cases(personnel_process, database_url, amqp_uri, start_service):
    return start_service("cases", database_url, amqp_uri, extra_env={"RPC_TIMEOUT": "2"})


@pytest.fixture
def watched_cases(personnel_process, database_url, amqp_uri, start_service):
    """The cases service with its deadline watch every second instead of hourly."""
    return start_service(
        "cases", database_url, amqp_uri, extra_env={"RPC_TIMEOUT": "2", "CASES_DEADLINE_WATCH_SECONDS": "1"}
    )


def test_while_personnel_is_down_a_report_is_refused_with_unavailable_and_nothing_is_written(
    cases, personnel_process, process_desk
):
    officers = process_desk.certified_officers(11, 2)
    item = process_desk.penalty_item()
    before = db_counts(cases.database_url, *CASE_TABLES)
    personnel_process.stop()

    with pytest.raises(Unavailable) as down:
        process_desk.cases.report_case(SCJ_ADMIN, process_desk.report(item, officers))
    assert "personnel" in str(down.value)
    assert db_counts(cases.database_url, *CASE_TABLES) == before

    personnel_process.start()
    case = process_desk.cases.report_case(SCJ_ADMIN, process_desk.report(item, officers))
    assert case["status"] == "filed"


def test_a_missed_deadline_is_announced_once_and_not_again_after_a_restart(watched_cases, process_desk, collect_events):
    cases = watched_cases
    events = collect_events("cases", "deadline.missed")
    officers = process_desk.certified_officers(41, 2)
    item = process_desk.penalty_item()
    # filed 2024-07-03 and never decided: its 90 days ran out on 2024-10-01
    undecided = process_desk.cases.report_case(SCJ_ADMIN, process_desk.report(item, officers))
    # decided in time on Friday 2024-07-19 and never published: 7 working days ran out on 2024-07-30
    unpublished = process_desk.cases.report_case(
        SCJ_ADMIN,
        process_desk.report(
            item,
            officers,
            "五市监罚〔2024〕2号",
            notice_on="2024-07-10",
            decision={"decided_on": "2024-07-19", "penalty": {"kinds": ["warning"]}},
        ),
    )

    received = events.wait_for(3, timeout=20)
    by_kind = {e["data"]["kind"]: e for e in received}
    # the decision was neither published nor served (art. 61: 7 working days too)
    assert sorted(by_kind) == ["case_decided", "decision_published", "decision_served"]
    served = by_kind["decision_served"]["data"]
    assert (served["case_id"], served["started_on"], served["due_on"], served["deadline_unit"]) == (
        unpublished["case_id"],
        "2024-07-19",
        "2024-07-30",
        "workdays",
    )
    decided, published = by_kind["case_decided"]["data"], by_kind["decision_published"]["data"]
    assert (decided["case_id"], decided["agency_code"], decided["started_on"], decided["due_on"]) == (
        undecided["case_id"],
        MARKET,
        "2024-07-03",
        "2024-10-01",
    )
    assert (published["case_id"], published["started_on"], published["due_on"]) == (
        unpublished["case_id"],
        "2024-07-19",
        "2024-07-30",
    )
    assert decided["detected_on"] == RUN_DATE.isoformat()
    # each in its own unit, named as the measurement that follows names it: 90 calendar days, 7 working days
    assert (decided["reference"], decided["deadline"], decided["deadline_unit"]) == (undecided["case_id"], 90, "days")
    assert (published["reference"], published["deadline"], published["deadline_unit"]) == (
        unpublished["case_id"],
        7,
        "workdays",
    )
    assert by_kind["case_decided"]["subject"] == undecided["case_id"]
    assert "张三" not in json.dumps(received) and valid_id_number(900) not in json.dumps(received)

    assert len(events.collect_for(2.5)) == 3, "the watch ran again and announced nothing new"
    assert cases.stop() == 0
    cases.start()
    assert len(events.collect_for(3.0)) == 3, "a restart announced the same misses again"
    assert db_count(cases.database_url, "deadline_misses") == 3


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_transfer_legs_left_unmet_are_announced_once_and_open_supervision_items(
    cases, tmp_path, rpc, process_desk, amqp_uri, start_service, collect_events
):
    """The deadline watch runs at start (then hourly): the data is reported first, then a restart looks at it, so
    no watch can run between the separate calls that report one transfer."""
    drop_event_queues(amqp_uri, "supervision")
    supervision = start_service(
        "supervision", f"sqlite:///{tmp_path}/supervision.db", amqp_uri, extra_env={"RPC_TIMEOUT": "3"}
    )
    events = collect_events("cases", "deadline.missed")
    officers = process_desk.certified_officers(61, 2)
    item = process_desk.penalty_item()
    reported = [
        process_desk.cases.report_case(SCJ_ADMIN, process_desk.report(item, officers, f"五市监罚〔2024〕{n}号"))
        for n in (11, 12, 13)
    ]
    undecided, unhanded, unacknowledged = [
        process_desk.cases.propose_transfer(
            SCJ_ADMIN, case["case_id"], {"to_agency_code": POLICE, "reason": "涉嫌犯罪", "proposed_on": "2024-09-27"}
        )["transfer_id"]
        for case in reported
    ]
    for tid in (unhanded, unacknowledged):  # the third working day: in time
        process_desk.cases.decide_transfer(
            SCJ_ADMIN, tid, {"decided_at": "2024-10-08T10:00:00+08:00", "approved": True}
        )
    process_desk.cases.hand_over_transfer(SCJ_ADMIN, unacknowledged, {"handed_over_at": "2024-10-09T09:00:00+08:00"})

    assert cases.stop() == 0
    cases.start()
    # six: the three transfer legs, and the three cases themselves, still undecided past their 90 days
    legs = {e["data"]["kind"]: e for e in events.wait_for(6, timeout=30) if e["data"]["kind"].startswith("transfer_")}
    assert sorted(legs) == ["transfer_acknowledged", "transfer_decided", "transfer_handed_over"]
    expected = {  # kind: (transfer, case, bound agency, started, last day in time)
        "transfer_decided": (undecided, reported[0], MARKET, "2024-09-27", "2024-10-08"),  # Sep 29, Sep 30, Oct 8
        "transfer_handed_over": (unhanded, reported[1], MARKET, "2024-10-08", "2024-10-09"),  # 24 hours
        "transfer_acknowledged": (unacknowledged, reported[2], POLICE, "2024-10-09", "2024-10-12"),  # make-up Sat
    }
    for kind, (tid, case, agency, started, due) in expected.items():
        data = legs[kind]["data"]
        assert (data["transfer_id"], data["case_id"], data["agency_code"], data["started_on"], data["due_on"]) == (
            tid,
            case["case_id"],
            agency,
            started,
            due,
        ), kind
        assert legs[kind]["subject"] == data["reference"] == tid
        assert (data["deadline"], data["deadline_unit"]) == (
            (24, "hours") if kind == "transfer_handed_over" else (3, "workdays")
        )
    assert db_count(cases.database_url, "deadline_misses", "transfer_id IS NOT NULL") == 3

    # supervision opens one transfer follow-up per leg, addressed to the agency the leg binds
    def followups():
        found = rpc.supervision.list_items(BUREAU, {"kind": "transfer_followup"})["items"]
        return found if len(found) == 3 else None

    opened = {i["details"]["reference"]: i for i in wait_until(followups, timeout=30, message="three follow-ups")}
    assert {tid: opened[tid]["agency_code"] for tid in opened} == {
        undecided: MARKET,
        unhanded: MARKET,
        unacknowledged: POLICE,
    }
    assert all(i["origin"] == "cases.deadline.missed" and i["state"] == "issued" for i in opened.values())

    # met at last (late): the measurement adds an occurrence to the same item, and nothing is announced again
    process_desk.cases.acknowledge_transfer(GAJ_ADMIN, unacknowledged, {"acknowledged_on": "2024-10-21"})
    wait_until(
        lambda: rpc.supervision.get_item(BUREAU, opened[unacknowledged]["item_id"])["occurrences"] == 2,
        timeout=30,
        message="the late acknowledgement recorded on the item",
    )
    assert cases.stop() == 0
    cases.start()
    assert len(events.collect_for(3.0)) == 6, "a restart announced the same misses again"
    assert len(rpc.supervision.list_items(BUREAU, {"kind": "transfer_followup"})["items"]) == 3
    assert supervision.running
