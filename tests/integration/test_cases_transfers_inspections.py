"""Transfers (案件移送) and enterprise inspections (涉企行政检查) over the real broker, with the real personnel service.

Each leg of a transfer is a promptness figure: the sender's head decides within 3 working days, hands over within 24
hours, the receiver (here the police) acknowledges within 3 working days. Inspections are capped per enterprise per
agency and year, warned when repeated, and double-random draws replay from their recorded seed.
"""

from __future__ import annotations

import pytest
from enforcement_testing import BUREAU, db_count, drop_event_queues, wait_until
from test_cases_service import DOMAIN, MARKET, SCJ_ADMIN, certified_officers, penalty_item, register_officer, report

from enforcement_contracts.errors import Conflict, Forbidden, ValidationFailed

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def personnel(tmp_path, amqp_uri, start_service):
    return start_service("personnel", f"sqlite:///{tmp_path}/personnel.db", amqp_uri)


@pytest.fixture
def cases(personnel, database_url, amqp_uri, start_service):
    return start_service("cases", database_url, amqp_uri, extra_env={"RPC_TIMEOUT": "2"})


POLICE = "140928-gaj"  # 县公安局
GAJ_ADMIN = {"username": "gaj-admin", "role": "agency_admin", "agency_code": POLICE}


def test_each_leg_of_a_transfer_to_the_police_is_measured(cases, rpc, amqp_uri, collect_events):
    events = collect_events("cases", "transfer.*")
    measured = collect_events("cases", "promptness.measured")
    officers = certified_officers(rpc, amqp_uri, 41, 2)
    case = rpc.cases.report_case(SCJ_ADMIN, report(penalty_item(rpc), officers))

    with pytest.raises(ValidationFailed) as to_self:
        rpc.cases.propose_transfer(
            SCJ_ADMIN, case["case_id"], {"to_agency_code": MARKET, "reason": "涉嫌犯罪", "proposed_on": "2024-09-27"}
        )
    assert "to_agency_code" in to_self.value.fields
    transfer = rpc.cases.propose_transfer(
        SCJ_ADMIN,
        case["case_id"],
        {"to_agency_code": POLICE, "reason": "涉嫌生产销售不符合安全标准的食品罪", "proposed_on": "2024-09-27"},
    )
    assert transfer["to_police"] is True and transfer["status"] == "proposed"
    with pytest.raises(Conflict):
        rpc.cases.propose_transfer(
            SCJ_ADMIN, case["case_id"], {"to_agency_code": POLICE, "reason": "再次移送", "proposed_on": "2024-09-28"}
        )
    tid = transfer["transfer_id"]
    with pytest.raises(Conflict):
        rpc.cases.hand_over_transfer(SCJ_ADMIN, tid, {"handed_over_at": "2024-10-08T12:00:00+08:00"})
    # Sep 29 (make-up Sunday), Sep 30, Oct 8: the third working day
    decided = rpc.cases.decide_transfer(SCJ_ADMIN, tid, {"decided_at": "2024-10-08T10:00:00+08:00", "approved": True})
    assert decided["status"] == "approved" and decided["decided_at"] == "2024-10-08T10:00:00"
    # 25 hours later: late
    rpc.cases.hand_over_transfer(SCJ_ADMIN, tid, {"handed_over_at": "2024-10-09T11:00:00+08:00"})
    with pytest.raises(Forbidden):
        rpc.cases.acknowledge_transfer(SCJ_ADMIN, tid, {"acknowledged_on": "2024-10-10"})
    # Oct 10, 11, 12 (make-up Saturday) are the three working days; Oct 14 is the fourth
    done = rpc.cases.acknowledge_transfer(GAJ_ADMIN, tid, {"acknowledged_on": "2024-10-14"})
    assert done["status"] == "acknowledged"

    table = {(r["agency_code"], r["kind"]): r for r in rpc.cases.promptness(BUREAU, {})}
    assert table[(MARKET, "transfer_decided")]["on_time"] == 1
    assert table[(MARKET, "transfer_handed_over")]["on_time"] == 0
    assert table[(POLICE, "transfer_acknowledged")]["on_time"] == 0
    assert table[(POLICE, "transfer_acknowledged")]["mean_workdays"] == 4.0
    assert [r["kind"] for r in rpc.cases.promptness(GAJ_ADMIN, {})] == ["transfer_acknowledged"]
    assert rpc.cases.list_transfers(GAJ_ADMIN, {})["total"] == 1  # the receiver sees it too
    assert [e["type"] for e in events.wait_for(4)] == [
        "cases.transfer.proposed",
        "cases.transfer.decided",
        "cases.transfer.handed_over",
        "cases.transfer.acknowledged",
    ]
    assert (
        cases.wait_metric(
            "enforcement_promptness_measurements_total",
            1,
            service="cases",
            agency=POLICE,
            kind="transfer_acknowledged",
            on_time="false",
        )
        == 1
    )
    # the hand-over is timed to the second (25 hours); the legs counted in days carry no seconds
    seconds = {e["data"]["kind"]: e["data"]["seconds_taken"] for e in measured.wait_for(3)}
    assert seconds == {"transfer_decided": None, "transfer_handed_over": 25 * 3600, "transfer_acknowledged": None}
    assert (
        cases.metric("enforcement_promptness_seconds_sum", service="cases", agency=MARKET, kind="transfer_handed_over")
        == 25 * 3600
    )


def test_transfer_legs_left_unmet_are_announced_once_and_open_supervision_items(
    cases, tmp_path, rpc, amqp_uri, start_service, collect_events
):
    """The deadline watch runs at start (then hourly): the data is reported first, then a restart looks at it, so
    no watch can run between the separate calls that report one transfer."""
    drop_event_queues(amqp_uri, "supervision")
    supervision = start_service(
        "supervision", f"sqlite:///{tmp_path}/supervision.db", amqp_uri, extra_env={"RPC_TIMEOUT": "3"}
    )
    events = collect_events("cases", "deadline.missed")
    officers = certified_officers(rpc, amqp_uri, 61, 2)
    item = penalty_item(rpc)
    reported = [
        rpc.cases.report_case(SCJ_ADMIN, report(item, officers, f"五市监罚〔2024〕{n}号")) for n in (11, 12, 13)
    ]
    undecided, unhanded, unacknowledged = [
        rpc.cases.propose_transfer(
            SCJ_ADMIN, case["case_id"], {"to_agency_code": POLICE, "reason": "涉嫌犯罪", "proposed_on": "2024-09-27"}
        )["transfer_id"]
        for case in reported
    ]
    for tid in (unhanded, unacknowledged):  # the third working day: in time
        rpc.cases.decide_transfer(SCJ_ADMIN, tid, {"decided_at": "2024-10-08T10:00:00+08:00", "approved": True})
    rpc.cases.hand_over_transfer(SCJ_ADMIN, unacknowledged, {"handed_over_at": "2024-10-09T09:00:00+08:00"})

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
        assert legs[kind]["subject"] == tid
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
    rpc.cases.acknowledge_transfer(GAJ_ADMIN, unacknowledged, {"acknowledged_on": "2024-10-21"})
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


def test_inspections_are_capped_warned_and_drawn_at_random_reproducibly(cases, rpc, amqp_uri, collect_events):
    events = collect_events("cases", "inspection.recorded", "draw.published")
    officers = certified_officers(rpc, amqp_uri, 51, 3)
    uncertified = register_officer(rpc, 54)
    directory = [
        {"credit_code": f"91140928MA0{i:07d}", "name": f"五寨县商户{i}", "category": "食品销售"} for i in range(8)
    ]
    uploaded = rpc.cases.upload_directory(SCJ_ADMIN, {"agency_code": MARKET, "entries": directory})
    assert uploaded == {"agency_code": MARKET, "added": 8, "updated": 0, "total": 8}

    draw = rpc.cases.make_draw(
        SCJ_ADMIN,
        {"agency_code": MARKET, "domain": DOMAIN, "target_count": 3, "drawn_on": "2024-06-03", "seed": "scj-2024-06"},
    )
    assert draw["seed"] == "scj-2024-06" and draw["target_pool_size"] == 8 and draw["inspector_pool_size"] == 3
    assert len(draw["assignments"]) == 3
    assert uncertified["officer_id"] not in {o for a in draw["assignments"] for o in a["officer_ids"]}
    replay = rpc.cases.replay_draw(SCJ_ADMIN, draw["draw_id"])
    assert replay["reproduced"] is True and replay["assignments"] == draw["assignments"]
    rpc.cases.publish_draw(SCJ_ADMIN, draw["draw_id"], {"published_on": "2024-06-04"})

    target = draw["assignments"][0]
    visit = {
        "agency_code": MARKET,
        "credit_code": target["credit_code"],
        "enterprise_name": target["enterprise_name"],
        "inspected_on": "2024-06-10",
        "kind": "double_random",
        "domain": DOMAIN,
        "officers": target["officer_ids"],
        "draw_id": draw["draw_id"],
    }
    first = rpc.cases.record_inspection(SCJ_ADMIN, visit)
    assert first["warnings"] == []
    with pytest.raises(ValidationFailed) as not_drawn:
        rpc.cases.record_inspection(
            SCJ_ADMIN, {**visit, "credit_code": draw["assignments"][1]["credit_code"][:-1] + "X"}
        )
    assert "credit_code" in not_drawn.value.fields
    with pytest.raises(ValidationFailed) as uncert:
        rpc.cases.record_inspection(
            SCJ_ADMIN,
            {
                **visit,
                "kind": "routine",
                "draw_id": None,
                "officers": [officers[0]["officer_id"], uncertified["officer_id"]],
            },
        )
    assert "no certificate" in uncert.value.fields["officers"][0]
    routine = {**visit, "kind": "routine", "draw_id": None, "officers": [o["officer_id"] for o in officers[:2]]}
    second = rpc.cases.record_inspection(SCJ_ADMIN, {**routine, "inspected_on": "2024-06-20"})
    assert [w["code"] for w in second["warnings"]] == ["repeated"]
    before = db_count(cases.database_url, "inspections")
    with pytest.raises(Conflict) as capped:
        rpc.cases.record_inspection(SCJ_ADMIN, {**routine, "inspected_on": "2024-09-02"})
    assert "yearly cap is 2" in capped.value.fields["credit_code"][0]
    assert db_count(cases.database_url, "inspections") == before
    complaint = rpc.cases.record_inspection(SCJ_ADMIN, {**routine, "kind": "complaint", "inspected_on": "2024-09-02"})
    assert [w["code"] for w in complaint["warnings"]] == ["over_yearly_cap"]
    next_year = rpc.cases.record_inspection(SCJ_ADMIN, {**routine, "inspected_on": "2025-01-06"})
    assert next_year["warnings"] == []

    received = events.wait_for(5)
    published = [e for e in received if e["type"] == "cases.draw.published"][0]["data"]
    assert published["seed"] == "scj-2024-06" and published["assignments"] == draw["assignments"]
    assert rpc.cases.list_inspections(SCJ_ADMIN, {"credit_code": target["credit_code"], "year": 2024})["total"] == 3
