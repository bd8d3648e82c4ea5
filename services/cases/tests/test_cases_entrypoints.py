"""The cases service's entrypoints in process (nameko's entrypoint_hook) with the personnel service beside it, on
SQLite and PostgreSQL: the catalogue, reporting and deciding cases, legal review, refusals and promptness.

Both services run in this process on fresh databases and talk over the real broker; the test calls the entrypoints as
the gateway does (``desk.cases.report_case(...)``, see conftest.py) and watches the cases service's events from a
plain kombu queue. What needs a restart or a stopped service is in test_cases_faults.py.
"""

from __future__ import annotations

import json
import logging

import pytest
from enforcement_testing import BUREAU, db_count, db_counts, db_rows, valid_id_number

from enforcement_contracts.errors import Conflict, Forbidden, ValidationFailed

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"  # 县市场监管局
TRANSPORT = "140928-jtysj"  # 县交通运输局
SCJ_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
JT_ADMIN = {"username": "jt-admin", "role": "agency_admin", "agency_code": TRANSPORT}
CASE_TABLES = (
    "cases",
    "case_suspensions",
    "case_extensions",
    "legal_reviews",
    "promptness_measurements",
    "outbox_events",
)


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_catalogue_versions_benchmarks_and_lenient_lists_are_filed(desk, cases_service, collect_events):
    events = collect_events("cases", "item.*", "benchmark.filed", "lenient_list.filed")

    with pytest.raises(ValidationFailed) as no_basis:
        desk.penalty_item(legal_basis="   ")
    assert "legal_basis" in no_basis.value.fields
    with pytest.raises(ValidationFailed) as bad_type:
        desk.penalty_item(type_code="penalties")
    assert "type_code" in bad_type.value.fields
    with pytest.raises(ValidationFailed) as unknown_agency:
        desk.penalty_item(agency_code="140928-nowhere")
    assert unknown_agency.value.fields == {"agency_code": ["unknown agency 140928-nowhere"]}
    with pytest.raises(Forbidden):
        desk.penalty_item(actor=JT_ADMIN)
    assert db_count(cases_service.database_url, "items") == 0

    item = desk.penalty_item(actor=SCJ_ADMIN)
    assert item["version"] == 1 and item["type_code"] == "penalty" and item["agency_code"] == MARKET
    with pytest.raises(Conflict):
        desk.penalty_item()
    changed = desk.cases.change_item(
        SCJ_ADMIN,
        item["item_id"],
        {
            "legal_basis": "《中华人民共和国食品安全法》（2021修正）第一百二十四条",
            "effective_from": "2024-07-01",
            "reason": "法律修正",
        },
    )
    assert changed["version"] == 2 and [v["effective_to"] for v in changed["versions"]] == ["2024-06-30", None]
    with pytest.raises(ValidationFailed) as not_after:
        desk.cases.change_item(
            SCJ_ADMIN, item["item_id"], {"name": "新名称", "effective_from": "2024-07-01", "reason": "x1"}
        )
    assert "effective_from" in not_after.value.fields

    bench = desk.cases.set_benchmark(
        SCJ_ADMIN,
        item["item_id"],
        {
            "effective_from": "2024-01-01",
            "tiers": [
                {"tier": "minor", "label": "轻微", "penalty_kinds": ["warning"]},
                {
                    "tier": "general",
                    "label": "一般",
                    "penalty_kinds": ["warning", "fine"],
                    "fine_min": 1000,
                    "fine_max": 5000,
                },
            ],
        },
    )
    assert bench["version"] == 1 and bench["tiers"][1]["fine_max"] == 5000
    with pytest.raises(ValidationFailed) as no_range:
        desk.cases.set_benchmark(
            SCJ_ADMIN,
            item["item_id"],
            {
                "effective_from": "2024-02-01",
                "tiers": [{"tier": "general", "label": "一般", "penalty_kinds": ["fine"]}],
            },
        )
    assert "tiers" in no_range.value.fields
    entry = desk.cases.add_lenient_entry(
        SCJ_ADMIN,
        {
            "list_kind": "first_violation_exempt",
            "item_id": item["item_id"],
            "conditions": "首次违法、危害后果轻微并及时改正",
            "effective_from": "2024-01-01",
        },
    )
    removed = desk.cases.remove_lenient_entry(
        SCJ_ADMIN, entry["entry_id"], {"removed_on": "2024-12-31", "reason": "清单调整"}
    )
    assert removed["removed_on"] == "2024-12-31"

    received = events.wait_for(5)
    types = [e["type"] for e in received]
    assert types == [
        "cases.item.registered",
        "cases.item.changed",
        "cases.benchmark.filed",
        "cases.lenient_list.filed",
        "cases.lenient_list.filed",
    ]
    filed = events.of_type("cases.benchmark.filed")[0]["data"]
    assert filed["agency_code"] == MARKET and filed["version"] == 1 and filed["filed_by"] == "scj-admin"
    assert [e["data"]["action"] for e in events.of_type("cases.lenient_list.filed")] == ["added", "removed"]
    assert events.of_type("cases.item.changed")[0]["data"]["changed"] == ["legal_basis"]


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_case_needs_two_certified_officers_and_keeps_the_id_number_out_of_sight(
    desk, cases_service, collect_events, caplog
):
    caplog.set_level(logging.DEBUG)  # in process: every log record of both services is captured here
    events = collect_events("cases", "case.*")
    certified = desk.certified_officers(1, 2)
    uncertified = desk.register_officer(3)
    departed = desk.register_officer(4)
    desk.certify(departed)
    desk.personnel.record_departure(BUREAU, departed["officer_id"], {"reason": "transfer", "departed_on": "2024-06-01"})
    item = desk.penalty_item()
    before = db_counts(cases_service.database_url, *CASE_TABLES)

    with pytest.raises(ValidationFailed) as one_uncertified:
        desk.cases.report_case(SCJ_ADMIN, desk.report(item, [certified[0], uncertified]))
    [reason] = one_uncertified.value.fields["officers"]
    assert uncertified["officer_id"] in reason and "no certificate" in reason
    with pytest.raises(ValidationFailed) as one_departed:
        desk.cases.report_case(SCJ_ADMIN, desk.report(item, [certified[0], departed]))
    assert "had left the enforcement post on 2024-06-01" in one_departed.value.fields["officers"][0]
    with pytest.raises(ValidationFailed) as alone:
        desk.cases.report_case(SCJ_ADMIN, desk.report(item, certified[:1]))
    assert "at least 2" in alone.value.fields["officers"][0]
    with pytest.raises(Forbidden):
        desk.cases.report_case(JT_ADMIN, desk.report(item, certified))
    assert db_counts(cases_service.database_url, *CASE_TABLES) == before, "a refused report writes nothing"

    clear = valid_id_number(900)
    case = desk.cases.report_case(SCJ_ADMIN, desk.report(item, certified))
    assert case["status"] == "filed" and case["item_version"] == 1 and case["decision_due_on"] == "2024-10-01"
    assert case["party"]["id_number_masked"] == clear[:6] + "*" * 8 + clear[-4:]
    assert clear not in json.dumps(case)
    with pytest.raises(Conflict):
        desk.cases.report_case(SCJ_ADMIN, desk.report(item, certified))

    [reported] = events.wait_for(1)
    assert reported["type"] == "cases.case.reported" and reported["data"]["party_name_masked"] == "张*"
    assert reported["data"]["officer_ids"] == [o["officer_id"] for o in certified]
    for row in db_rows(cases_service.database_url, "SELECT * FROM cases"):
        for column, value in row.items():
            assert clear not in str(value), f"clear ID number in cases.{column}"
    for row in db_rows(cases_service.database_url, "SELECT body FROM outbox_events"):
        assert clear not in str(row["body"]) and "张三" not in str(row["body"])
    logged = caplog.text + "".join(str(record.__dict__) for record in caplog.records)
    assert clear not in logged and clear not in desk.metrics_text()

    # a later stage by an officer who has since left: refused on the new date only
    with pytest.raises(ValidationFailed) as stale:
        desk.cases.update_case(SCJ_ADMIN, case["case_id"], {"officers": [{"officer_id": departed["officer_id"]}]})
    assert "had left" in stale.value.fields["officers"][0]
    update = desk.cases.update_case(
        SCJ_ADMIN,
        case["case_id"],
        {
            "notice_on": "2024-09-02",
            "suspensions": [{"suspended_on": "2024-08-01", "resumed_on": "2024-08-11", "reason": "等待检验结果"}],
        },
    )
    assert update["notice_on"] == "2024-09-02" and update["decision_due_on"] == "2024-10-11"
    with pytest.raises(Conflict):
        desk.cases.update_case(SCJ_ADMIN, case["case_id"], {"notice_on": "2024-09-03"})


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_major_decision_waits_for_a_qualified_reviewer_not_on_the_case(desk, cases_service, collect_events):
    events = collect_events("cases", "case.decided", "legal_review.recorded", "promptness.measured", "case.flagged")
    late = {"service": "cases", "agency": MARKET, "kind": "case_decided", "on_time": "false"}
    late_before = desk.metric("enforcement_promptness_measurements_total", **late)  # metrics are process-wide
    officers = desk.certified_officers(21, 2)
    item = desk.penalty_item()
    desk.cases.set_benchmark(
        BUREAU,
        item["item_id"],
        {
            "effective_from": "2024-01-01",
            "tiers": [
                {"tier": "general", "label": "一般", "penalty_kinds": ["fine"], "fine_min": 1000, "fine_max": 5000}
            ],
        },
    )
    desk.cases.add_major_rule(SCJ_ADMIN, {"agency_code": MARKET, "fine_from": 5000})
    unqualified = desk.personnel.register_legal_reviewer(
        BUREAU, {"agency_code": MARKET, "name": "法律顾问甲", "kind": "legal_adviser", "has_legal_qualification": False}
    )
    on_case = desk.personnel.register_legal_reviewer(
        BUREAU,
        {
            "agency_code": MARKET,
            "name": "公职律师乙",
            "kind": "public_lawyer",
            "has_legal_qualification": True,
            "qualification_number": "A20201409281",
            "officer_id": officers[0]["officer_id"],
        },
    )
    qualified = desk.personnel.register_legal_reviewer(
        BUREAU,
        {
            "agency_code": MARKET,
            "name": "公职律师丙",
            "kind": "public_lawyer",
            "has_legal_qualification": True,
            "qualification_number": "A20201409282",
        },
    )
    case = desk.cases.report_case(SCJ_ADMIN, desk.report(item, officers, notice_on="2024-08-01"))
    decision = {
        "decided_on": "2024-10-02",
        "penalty": {"kinds": ["fine"], "fine_amount": 8000},
        "circumstance": "general",
    }

    with pytest.raises(Conflict) as blocked:
        desk.cases.decide_case(SCJ_ADMIN, case["case_id"], decision)
    assert "legal_review" in blocked.value.fields
    for reviewer, expected in ((unqualified, "qualification"), (on_case, "officer on this case")):
        with pytest.raises(ValidationFailed) as refused:
            desk.cases.record_legal_review(
                SCJ_ADMIN,
                case["case_id"],
                {"reviewer_id": reviewer["reviewer_id"], "reviewed_on": "2024-09-30", "passed": True},
            )
        assert expected in refused.value.fields["reviewer_id"][0]
    assert db_count(cases_service.database_url, "legal_reviews") == 0
    review = desk.cases.record_legal_review(
        SCJ_ADMIN,
        case["case_id"],
        {
            "reviewer_id": qualified["reviewer_id"],
            "reviewed_on": "2024-09-30",
            "passed": True,
            "opinion": "事实清楚，证据确凿",
        },
    )
    assert review["passed"] is True

    decided = desk.cases.decide_case(SCJ_ADMIN, case["case_id"], decision)
    assert decided["status"] == "decided" and decided["is_major"] is True and decided["fine_amount"] == 8000
    assert {w["code"] for w in decided["warnings"]} == {"decision_late", "outside_benchmark"}  # day 91; above 5,000
    with pytest.raises(Conflict):
        desk.cases.decide_case(SCJ_ADMIN, case["case_id"], decision)

    received = events.wait_for(4)
    measured = events.of_type("cases.promptness.measured")[0]["data"]
    assert (
        measured["kind"] == "case_decided" and measured["on_time"] is False and measured["reference"] == case["case_id"]
    )
    assert events.of_type("cases.case.decided")[0]["data"]["days_taken"] == 91
    assert {w["code"] for w in events.of_type("cases.case.flagged")[0]["data"]["warnings"]} == {
        "decision_late",
        "outside_benchmark",
    }
    assert len(received) == 4
    assert desk.wait_metric("enforcement_promptness_measurements_total", late_before + 1, **late) == late_before + 1
    table = desk.cases.promptness(SCJ_ADMIN, {})
    assert table == [
        {
            "agency_code": MARKET,
            "kind": "case_decided",
            "measurements": 1,
            "on_time": 0,
            "on_time_ratio": 0.0,
            "mean_workdays": float(measured["workdays_taken"]),
        }
    ]
    with pytest.raises(Forbidden):
        desk.cases.promptness(JT_ADMIN, {"agency_code": MARKET})
    # a period is from/to (both days included), as on every route
    assert desk.cases.promptness(SCJ_ADMIN, {"from": "2024-10-02", "to": "2024-10-02"}) == table
    assert desk.cases.promptness(SCJ_ADMIN, {"from": "2024-10-03"}) == []
    with pytest.raises(ValidationFailed) as backwards:
        desk.cases.promptness(SCJ_ADMIN, {"from": "2024-10-03", "to": "2024-10-02"})
    assert "to" in backwards.value.fields


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_refusals_versions_first_violation_and_dormant_items(desk, cases_service):
    officers = desk.certified_officers(31, 2)
    item = desk.penalty_item()
    dormant = desk.penalty_item(code="SCJ-CF-077", name="多年未发生的事项", effective_from="2015-01-01")
    desk.cases.add_lenient_entry(
        SCJ_ADMIN,
        {
            "list_kind": "first_violation_exempt",
            "item_id": item["item_id"],
            "conditions": "首次违法、危害后果轻微并及时改正",
            "effective_from": "2024-01-01",
        },
    )
    desk.cases.change_item(
        SCJ_ADMIN,
        item["item_id"],
        {"name": "销售不符合食品安全标准的食品（修订）", "effective_from": "2024-06-01", "reason": "名称规范"},
    )
    spot = {
        "procedure": "simplified",
        "filed_on": "2024-05-06",
        "violation_on": "2024-05-06",
        "minor_violation": True,
        "decision": {"decided_on": "2024-05-06", "penalty": {"kinds": ["fine"], "fine_amount": 201}},
    }
    before = db_counts(cases_service.database_url, *CASE_TABLES)
    with pytest.raises(ValidationFailed) as over:
        desk.cases.report_case(SCJ_ADMIN, desk.report(item, officers, "当场〔2024〕1号", **spot))
    assert "200" in over.value.fields["procedure"][0]
    with pytest.raises(Conflict) as expired:
        desk.cases.report_case(
            SCJ_ADMIN,
            desk.report(
                item,
                officers,
                "五市监罚〔2024〕9号",
                violation_on="2022-05-05",
                notice_on="2024-07-10",
                decision={"decided_on": "2024-07-20", "penalty": {"kinds": ["warning"]}},
            ),
        )
    assert "violation_on" in expired.value.fields
    with pytest.raises(ValidationFailed) as too_early:
        desk.cases.report_case(
            SCJ_ADMIN,
            desk.report(item, officers, "五市监罚〔2019〕1号", filed_on="2019-12-31", violation_on="2019-12-30"),
        )
    assert "not in the catalogue on 2019-12-31" in too_early.value.fields["item_id"][0]
    assert db_counts(cases_service.database_url, *CASE_TABLES) == before

    # 200 yuan on the spot is allowed, but a first minor violation on the 首违不罚 list was penalised: flagged
    spot["decision"]["penalty"]["fine_amount"] = 200
    first = desk.cases.report_case(SCJ_ADMIN, desk.report(item, officers, "当场〔2024〕1号", **spot))
    assert first["status"] == "decided" and first["decision_due_on"] is None
    assert [w["code"] for w in first["warnings"]] == ["first_violation_penalised"]
    assert first["item_version"] == 1  # filed before the change took effect
    second = desk.cases.report_case(
        SCJ_ADMIN,
        desk.report(
            item,
            officers,
            "当场〔2024〕2号",
            **{
                **spot,
                "filed_on": "2024-06-03",
                "violation_on": "2024-06-03",
                "decision": {"decided_on": "2024-06-03", "penalty": {"kinds": ["warning"]}},
            },
        ),
    )
    assert second["item_version"] == 2 and second["item_name"].endswith("（修订）")
    assert second["warnings"] == []  # the same party again within 12 months: not a first violation

    assert desk.cases.statistics(SCJ_ADMIN, {"year": 2024}) == [
        {"agency_code": MARKET, "type_code": "penalty", "cases": 2, "decided": 2, "fined": 1, "fine_total": 200.0}
    ]
    assert desk.cases.statistics(BUREAU, {"year": 2023}) == []
    filed_in_june = desk.cases.list_cases(SCJ_ADMIN, {"from": "2024-06-01", "to": "2024-06-30"})
    assert [c["case_id"] for c in filed_in_june["items"]] == [second["case_id"]] and filed_in_june["total"] == 1

    listed = desk.cases.dormant_items(SCJ_ADMIN, {})["items"]
    assert [d["item_id"] for d in listed] == [dormant["item_id"]]
    assert listed[0]["last_case_filed_on"] is None and listed[0]["in_catalogue_since"] == "2015-01-01"
