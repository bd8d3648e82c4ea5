"""Transfers (案件移送) and enterprise inspections (涉企行政检查) in process, with the personnel service beside it.

Each leg of a transfer is a promptness figure: the sender's head decides within 3 working days, hands over within 24
hours, the receiver (here the police) acknowledges within 3 working days. Inspections are capped per enterprise per
agency and year, warned when repeated, and double-random draws are planned with the hash of a seed only the server
knows, then drawn (the seed revealed) and replayed from their recorded pools. The legs left unmet
(announced by the deadline watch at a restart) are in test_cases_faults.py.
"""

from __future__ import annotations

import hashlib

import pytest
from enforcement_testing import BUREAU, db_count

from enforcement_contracts.errors import Conflict, Forbidden, ValidationFailed

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"  # 县市场监管局
DOMAIN = "market_supervision"
SCJ_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
POLICE = "140928-gaj"  # 县公安局
GAJ_ADMIN = {"username": "gaj-admin", "role": "agency_admin", "agency_code": POLICE}


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_each_leg_of_a_transfer_to_the_police_is_measured(desk, collect_events):
    events = collect_events("cases", "transfer.*")
    measured = collect_events("cases", "promptness.measured")
    late_ack = {"service": "cases", "agency": POLICE, "kind": "transfer_acknowledged", "on_time": "false"}
    handover = {"service": "cases", "agency": MARKET, "kind": "transfer_handed_over"}
    # metrics are process-wide in process: the test asserts on the change it makes
    late_ack_before = desk.metric("enforcement_promptness_measurements_total", **late_ack)
    seconds_before = desk.metric("enforcement_promptness_seconds_sum", **handover)
    officers = desk.certified_officers(41, 2)
    case = desk.cases.report_case(SCJ_ADMIN, desk.report(desk.penalty_item(), officers))

    with pytest.raises(ValidationFailed) as to_self:
        desk.cases.propose_transfer(
            SCJ_ADMIN, case["case_id"], {"to_agency_code": MARKET, "reason": "涉嫌犯罪", "proposed_on": "2024-09-27"}
        )
    assert "to_agency_code" in to_self.value.fields
    transfer = desk.cases.propose_transfer(
        SCJ_ADMIN,
        case["case_id"],
        {"to_agency_code": POLICE, "reason": "涉嫌生产销售不符合安全标准的食品罪", "proposed_on": "2024-09-27"},
    )
    assert transfer["to_police"] is True and transfer["status"] == "proposed"
    with pytest.raises(Conflict):
        desk.cases.propose_transfer(
            SCJ_ADMIN, case["case_id"], {"to_agency_code": POLICE, "reason": "再次移送", "proposed_on": "2024-09-28"}
        )
    tid = transfer["transfer_id"]
    with pytest.raises(Conflict):
        desk.cases.hand_over_transfer(SCJ_ADMIN, tid, {"handed_over_at": "2024-10-08T12:00:00+08:00"})
    # Sep 29 (make-up Sunday), Sep 30, Oct 8: the third working day
    decided = desk.cases.decide_transfer(SCJ_ADMIN, tid, {"decided_at": "2024-10-08T10:00:00+08:00", "approved": True})
    assert decided["status"] == "approved" and decided["decided_at"] == "2024-10-08T10:00:00"
    # 25 hours later: late
    desk.cases.hand_over_transfer(SCJ_ADMIN, tid, {"handed_over_at": "2024-10-09T11:00:00+08:00"})
    with pytest.raises(Forbidden):
        desk.cases.acknowledge_transfer(SCJ_ADMIN, tid, {"acknowledged_on": "2024-10-10"})
    # Oct 10, 11, 12 (make-up Saturday) are the three working days; Oct 14 is the fourth
    done = desk.cases.acknowledge_transfer(GAJ_ADMIN, tid, {"acknowledged_on": "2024-10-14"})
    assert done["status"] == "acknowledged"

    table = {(r["agency_code"], r["kind"]): r for r in desk.cases.promptness(BUREAU, {})}
    assert table[(MARKET, "transfer_decided")]["on_time"] == 1
    assert table[(MARKET, "transfer_handed_over")]["on_time"] == 0
    assert table[(POLICE, "transfer_acknowledged")]["on_time"] == 0
    assert table[(POLICE, "transfer_acknowledged")]["mean_workdays"] == 4.0
    assert [r["kind"] for r in desk.cases.promptness(GAJ_ADMIN, {})] == ["transfer_acknowledged"]
    assert desk.cases.list_transfers(GAJ_ADMIN, {})["total"] == 1  # the receiver sees it too
    assert [e["type"] for e in events.wait_for(4)] == [
        "cases.transfer.proposed",
        "cases.transfer.decided",
        "cases.transfer.handed_over",
        "cases.transfer.acknowledged",
    ]
    assert (
        desk.wait_metric("enforcement_promptness_measurements_total", late_ack_before + 1, **late_ack)
        == late_ack_before + 1
    )
    # the hand-over is timed to the second (25 hours); the legs counted in days carry no seconds
    seconds = {e["data"]["kind"]: e["data"]["seconds_taken"] for e in measured.wait_for(3)}
    assert seconds == {"transfer_decided": None, "transfer_handed_over": 25 * 3600, "transfer_acknowledged": None}
    # each leg in its own clock's unit: the follow-up item reads "25 h against 24 h"
    units = {
        e["data"]["kind"]: (e["data"]["taken"], e["data"]["deadline"], e["data"]["deadline_unit"])
        for e in measured.received
    }
    assert units["transfer_handed_over"] == (25.0, 24.0, "hours")
    assert units["transfer_acknowledged"][2] == units["transfer_decided"][2] == "workdays"
    assert desk.metric("enforcement_promptness_seconds_sum", **handover) - seconds_before == 25 * 3600


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_inspections_are_capped_warned_and_drawn_at_random_reproducibly(desk, cases_service, collect_events):
    events = collect_events("cases", "inspection.recorded", "draw.published")
    officers = desk.certified_officers(51, 3)
    uncertified = desk.register_officer(54)
    directory = [
        {"credit_code": f"91140928MA0{i:07d}", "name": f"五寨县商户{i}", "category": "食品销售"} for i in range(8)
    ]
    uploaded = desk.cases.upload_directory(SCJ_ADMIN, {"agency_code": MARKET, "entries": directory})
    assert uploaded == {"agency_code": MARKET, "added": 8, "updated": 0, "total": 8}

    request = {"agency_code": MARKET, "domain": DOMAIN, "target_count": 3, "drawn_on": "2024-06-03"}
    with pytest.raises(ValidationFailed) as chosen_seed:  # nobody picks the seed
        desk.cases.plan_draw(SCJ_ADMIN, {**request, "seed": "scj-2024-06"})
    assert list(chosen_seed.value.fields) == ["seed"]
    assert db_count(cases_service.database_url, "draws") == 0
    planned = desk.cases.plan_draw(SCJ_ADMIN, request)
    assert (planned["state"], planned["seed"], planned["assignments"]) == ("planned", None, [])
    assert len(planned["seed_hash"]) == 64 and planned["target_pool_size"] == 8 and planned["inspector_pool_size"] == 3
    with pytest.raises(Conflict):
        desk.cases.replay_draw(SCJ_ADMIN, planned["draw_id"])  # nothing drawn yet
    with pytest.raises(Conflict):
        desk.cases.publish_draw(SCJ_ADMIN, planned["draw_id"], {"published_on": "2024-06-04"})
    with pytest.raises(Forbidden):
        desk.cases.execute_draw(GAJ_ADMIN, planned["draw_id"])
    draw = desk.cases.execute_draw(SCJ_ADMIN, planned["draw_id"])
    assert draw["state"] == "drawn" and draw["seed_hash"] == planned["seed_hash"]
    assert hashlib.sha256(draw["seed"].encode()).hexdigest() == planned["seed_hash"]
    assert len(draw["assignments"]) == 3
    assert uncertified["officer_id"] not in {o for a in draw["assignments"] for o in a["officer_ids"]}
    with pytest.raises(Conflict):
        desk.cases.execute_draw(SCJ_ADMIN, planned["draw_id"])  # drawn once, never again
    replay = desk.cases.replay_draw(SCJ_ADMIN, draw["draw_id"])
    assert replay["reproduced"] is True and replay["assignments"] == draw["assignments"]
    assert replay["seed_matches"] is True and replay["result_matches"] is True
    desk.cases.publish_draw(SCJ_ADMIN, draw["draw_id"], {"published_on": "2024-06-04"})

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
    first = desk.cases.record_inspection(SCJ_ADMIN, visit)
    assert first["warnings"] == []
    with pytest.raises(ValidationFailed) as not_drawn:
        desk.cases.record_inspection(
            SCJ_ADMIN, {**visit, "credit_code": draw["assignments"][1]["credit_code"][:-1] + "X"}
        )
    assert "credit_code" in not_drawn.value.fields
    with pytest.raises(ValidationFailed) as uncert:
        desk.cases.record_inspection(
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
    second = desk.cases.record_inspection(SCJ_ADMIN, {**routine, "inspected_on": "2024-06-20"})
    assert [w["code"] for w in second["warnings"]] == ["repeated"]
    before = db_count(cases_service.database_url, "inspections")
    with pytest.raises(Conflict) as capped:
        desk.cases.record_inspection(SCJ_ADMIN, {**routine, "inspected_on": "2024-09-02"})
    assert "yearly cap is 2" in capped.value.fields["credit_code"][0]
    assert db_count(cases_service.database_url, "inspections") == before
    complaint = desk.cases.record_inspection(SCJ_ADMIN, {**routine, "kind": "complaint", "inspected_on": "2024-09-02"})
    assert [w["code"] for w in complaint["warnings"]] == ["over_yearly_cap"]
    next_year = desk.cases.record_inspection(SCJ_ADMIN, {**routine, "inspected_on": "2025-01-06"})
    assert next_year["warnings"] == []

    received = events.wait_for(5)
    published = [e for e in received if e["type"] == "cases.draw.published"][0]["data"]
    assert published["seed"] == draw["seed"] and published["assignments"] == draw["assignments"]
    assert published["seed_hash"] == planned["seed_hash"]
    assert desk.cases.list_inspections(SCJ_ADMIN, {"credit_code": target["credit_code"], "year": 2024})["total"] == 3
