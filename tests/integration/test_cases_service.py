"""The cases service over the real broker with the real personnel service, on SQLite and PostgreSQL.

Both services run as processes (``enforcement-run``) on fresh databases; the test calls them through a standalone
nameko RPC proxy as the gateway does and watches the cases service's events from a plain kombu queue. Officers are
certified the way the suite does it: registered with personnel, training facts published as ``training.*`` events,
then a certificate issued (dated early in 2024 so the 2024 cases below fall inside it).
"""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from enforcement_testing import BUREAU, db_count, db_counts, db_rows, publish_event, valid_id_number, wait_until

from enforcement_contracts import training
from enforcement_contracts.errors import Conflict, Forbidden, Unavailable, ValidationFailed

pytestmark = pytest.mark.timeout(180)

MARKET = "140928-scjgj"  # 县市场监管局
TRANSPORT = "140928-jtysj"  # 县交通运输局
DOMAIN = "market_supervision"
CERT_ISSUED = date(2024, 1, 2)
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


@pytest.fixture
def personnel(tmp_path, amqp_uri, start_service):
    return start_service("personnel", f"sqlite:///{tmp_path}/personnel.db", amqp_uri)


@pytest.fixture
def cases(personnel, database_url, amqp_uri, start_service):
    return start_service("cases", database_url, amqp_uri, extra_env={"RPC_TIMEOUT": "2"})


@pytest.fixture
def watched_cases(personnel, database_url, amqp_uri, start_service):
    """The cases service with its deadline watch every second instead of hourly."""
    return start_service(
        "cases", database_url, amqp_uri, extra_env={"RPC_TIMEOUT": "2", "CASES_DEADLINE_WATCH_SECONDS": "1"}
    )


# --- helpers ---------------------------------------------------------------------------------
def register_officer(rpc, seq: int, agency_code: str = MARKET) -> dict:
    return rpc.personnel.register_officer(
        BUREAU,
        {"agency_code": agency_code, "name": f"执法员{seq}", "id_number": valid_id_number(seq), "domains": [DOMAIN]},
    )


def certify(rpc, amqp_uri: str, officer: dict, issued_on: date = CERT_ISSUED) -> dict:
    """What makes an officer certified: the year's training facts from the training service, then the certificate."""
    publish_event(
        amqp_uri,
        training.HOURS_UPDATED,
        {
            "officer_id": officer["officer_id"],
            "agency_code": officer["agency_code"],
            "year": issued_on.year,
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
            "agency_code": officer["agency_code"],
            "exam_kind": "qualification",
            "score": 80.0,
            "pass_mark": 60.0,
            "sat_on": issued_on,
        },
    )
    wait_until(
        lambda: rpc.personnel.eligibility(BUREAU, officer["officer_id"], issued_on.year)["eligible"],
        message="personnel has the training facts",
    )
    return rpc.personnel.issue_certificate(
        BUREAU, {"officer_id": officer["officer_id"], "domains": [DOMAIN], "issued_on": issued_on.isoformat()}
    )


def certified_officers(rpc, amqp_uri: str, first_seq: int, n: int, agency_code: str = MARKET) -> list[dict]:
    officers = [register_officer(rpc, first_seq + i, agency_code) for i in range(n)]
    for officer in officers:
        certify(rpc, amqp_uri, officer)
    return officers


def penalty_item(rpc, code: str = "SCJ-CF-001", actor: dict = BUREAU, **extra) -> dict:
    payload = {
        "agency_code": MARKET,
        "code": code,
        "type_code": "penalty",
        "name": "销售不符合食品安全标准的食品",
        "domain": DOMAIN,
        "legal_basis": "《中华人民共和国食品安全法》第一百二十四条",
        "effective_from": "2020-01-01",
    }
    payload.update(extra)
    return rpc.cases.create_item(actor, payload)


def report(item: dict, officers: list[dict], number: str = "五市监罚〔2024〕1号", **extra) -> dict:
    payload = {
        "agency_code": MARKET,
        "case_number": number,
        "item_id": item["item_id"],
        "filed_on": "2024-07-03",
        "violation_on": "2024-06-20",
        "party": {"kind": "citizen", "name": "张三", "id_number": valid_id_number(900)},
        "officers": [{"officer_id": o["officer_id"]} for o in officers],
    }
    payload.update(extra)
    return payload


# --- catalogue and benchmarks ------------------------------------------------------------------
def test_catalogue_versions_benchmarks_and_lenient_lists_are_filed(cases, rpc, collect_events):
    events = collect_events("cases", "item.*", "benchmark.filed", "lenient_list.filed")

    with pytest.raises(ValidationFailed) as no_basis:
        penalty_item(rpc, legal_basis="   ")
    assert "legal_basis" in no_basis.value.fields
    with pytest.raises(ValidationFailed) as bad_type:
        penalty_item(rpc, type_code="penalties")
    assert "type_code" in bad_type.value.fields
    with pytest.raises(ValidationFailed) as unknown_agency:
        penalty_item(rpc, agency_code="140928-nowhere")
    assert unknown_agency.value.fields == {"agency_code": ["unknown agency 140928-nowhere"]}
    with pytest.raises(Forbidden):
        penalty_item(rpc, actor=JT_ADMIN)
    assert db_count(cases.database_url, "items") == 0

    item = penalty_item(rpc, actor=SCJ_ADMIN)
    assert item["version"] == 1 and item["type_code"] == "penalty" and item["agency_code"] == MARKET
    with pytest.raises(Conflict):
        penalty_item(rpc)
    changed = rpc.cases.change_item(
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
        rpc.cases.change_item(
            SCJ_ADMIN, item["item_id"], {"name": "新名称", "effective_from": "2024-07-01", "reason": "x1"}
        )
    assert "effective_from" in not_after.value.fields

    bench = rpc.cases.set_benchmark(
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
        rpc.cases.set_benchmark(
            SCJ_ADMIN,
            item["item_id"],
            {
                "effective_from": "2024-02-01",
                "tiers": [{"tier": "general", "label": "一般", "penalty_kinds": ["fine"]}],
            },
        )
    assert "tiers" in no_range.value.fields
    entry = rpc.cases.add_lenient_entry(
        SCJ_ADMIN,
        {
            "list_kind": "first_violation_exempt",
            "item_id": item["item_id"],
            "conditions": "首次违法、危害后果轻微并及时改正",
            "effective_from": "2024-01-01",
        },
    )
    removed = rpc.cases.remove_lenient_entry(
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


# --- cases: certified officers, personal data, refusals ----------------------------------------
def test_case_needs_two_certified_officers_and_keeps_the_id_number_out_of_sight(
    cases, personnel, rpc, amqp_uri, collect_events
):
    events = collect_events("cases", "case.*")
    certified = certified_officers(rpc, amqp_uri, 1, 2)
    uncertified = register_officer(rpc, 3)
    departed = register_officer(rpc, 4)
    certify(rpc, amqp_uri, departed)
    rpc.personnel.record_departure(BUREAU, departed["officer_id"], {"reason": "transfer", "departed_on": "2024-06-01"})
    item = penalty_item(rpc)
    before = db_counts(cases.database_url, *CASE_TABLES)

    with pytest.raises(ValidationFailed) as one_uncertified:
        rpc.cases.report_case(SCJ_ADMIN, report(item, [certified[0], uncertified]))
    [reason] = one_uncertified.value.fields["officers"]
    assert uncertified["officer_id"] in reason and "no certificate" in reason
    with pytest.raises(ValidationFailed) as one_departed:
        rpc.cases.report_case(SCJ_ADMIN, report(item, [certified[0], departed]))
    assert "had left the enforcement post on 2024-06-01" in one_departed.value.fields["officers"][0]
    with pytest.raises(ValidationFailed) as alone:
        rpc.cases.report_case(SCJ_ADMIN, report(item, certified[:1]))
    assert "at least 2" in alone.value.fields["officers"][0]
    with pytest.raises(Forbidden):
        rpc.cases.report_case(JT_ADMIN, report(item, certified))
    assert db_counts(cases.database_url, *CASE_TABLES) == before, "a refused report writes nothing"

    clear = valid_id_number(900)
    case = rpc.cases.report_case(SCJ_ADMIN, report(item, certified))
    assert case["status"] == "filed" and case["item_version"] == 1 and case["decision_due_on"] == "2024-10-01"
    assert case["party"]["id_number_masked"] == clear[:6] + "*" * 8 + clear[-4:]
    assert clear not in json.dumps(case)
    with pytest.raises(Conflict):
        rpc.cases.report_case(SCJ_ADMIN, report(item, certified))

    [reported] = events.wait_for(1)
    assert reported["type"] == "cases.case.reported" and reported["data"]["party_name_masked"] == "张*"
    assert reported["data"]["officer_ids"] == [o["officer_id"] for o in certified]
    for row in db_rows(cases.database_url, "SELECT * FROM cases"):
        for column, value in row.items():
            assert clear not in str(value), f"clear ID number in cases.{column}"
    for row in db_rows(cases.database_url, "SELECT body FROM outbox_events"):
        assert clear not in str(row["body"]) and "张三" not in str(row["body"])
    assert clear not in cases.log_text() and clear not in cases.metrics_text()

    # a later stage by an officer who has since left: refused on the new date only
    with pytest.raises(ValidationFailed) as stale:
        rpc.cases.update_case(SCJ_ADMIN, case["case_id"], {"officers": [{"officer_id": departed["officer_id"]}]})
    assert "had left" in stale.value.fields["officers"][0]
    update = rpc.cases.update_case(
        SCJ_ADMIN,
        case["case_id"],
        {
            "notice_on": "2024-09-02",
            "suspensions": [{"suspended_on": "2024-08-01", "resumed_on": "2024-08-11", "reason": "等待检验结果"}],
        },
    )
    assert update["notice_on"] == "2024-09-02" and update["decision_due_on"] == "2024-10-11"
    with pytest.raises(Conflict):
        rpc.cases.update_case(SCJ_ADMIN, case["case_id"], {"notice_on": "2024-09-03"})


def test_while_personnel_is_down_a_report_is_refused_with_unavailable_and_nothing_is_written(
    cases, personnel, rpc, amqp_uri
):
    officers = certified_officers(rpc, amqp_uri, 11, 2)
    item = penalty_item(rpc)
    before = db_counts(cases.database_url, *CASE_TABLES)
    personnel.stop()

    with pytest.raises(Unavailable) as down:
        rpc.cases.report_case(SCJ_ADMIN, report(item, officers))
    assert "personnel" in str(down.value)
    assert db_counts(cases.database_url, *CASE_TABLES) == before

    personnel.start()
    case = rpc.cases.report_case(SCJ_ADMIN, report(item, officers))
    assert case["status"] == "filed"


# --- decisions, legal review, promptness --------------------------------------------------------
def test_major_decision_waits_for_a_qualified_reviewer_not_on_the_case(cases, personnel, rpc, amqp_uri, collect_events):
    events = collect_events("cases", "case.decided", "legal_review.recorded", "promptness.measured", "case.flagged")
    officers = certified_officers(rpc, amqp_uri, 21, 2)
    item = penalty_item(rpc)
    rpc.cases.set_benchmark(
        BUREAU,
        item["item_id"],
        {
            "effective_from": "2024-01-01",
            "tiers": [
                {"tier": "general", "label": "一般", "penalty_kinds": ["fine"], "fine_min": 1000, "fine_max": 5000}
            ],
        },
    )
    rpc.cases.add_major_rule(SCJ_ADMIN, {"agency_code": MARKET, "fine_from": 5000})
    unqualified = rpc.personnel.register_legal_reviewer(
        BUREAU, {"agency_code": MARKET, "name": "法律顾问甲", "kind": "legal_adviser", "has_legal_qualification": False}
    )
    on_case = rpc.personnel.register_legal_reviewer(
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
    qualified = rpc.personnel.register_legal_reviewer(
        BUREAU,
        {
            "agency_code": MARKET,
            "name": "公职律师丙",
            "kind": "public_lawyer",
            "has_legal_qualification": True,
            "qualification_number": "A20201409282",
        },
    )
    case = rpc.cases.report_case(SCJ_ADMIN, report(item, officers, notice_on="2024-08-01"))
    decision = {
        "decided_on": "2024-10-02",
        "penalty": {"kinds": ["fine"], "fine_amount": 8000},
        "circumstance": "general",
    }

    with pytest.raises(Conflict) as blocked:
        rpc.cases.decide_case(SCJ_ADMIN, case["case_id"], decision)
    assert "legal_review" in blocked.value.fields
    for reviewer, expected in ((unqualified, "qualification"), (on_case, "officer on this case")):
        with pytest.raises(ValidationFailed) as refused:
            rpc.cases.record_legal_review(
                SCJ_ADMIN,
                case["case_id"],
                {"reviewer_id": reviewer["reviewer_id"], "reviewed_on": "2024-09-30", "passed": True},
            )
        assert expected in refused.value.fields["reviewer_id"][0]
    assert db_count(cases.database_url, "legal_reviews") == 0
    review = rpc.cases.record_legal_review(
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

    decided = rpc.cases.decide_case(SCJ_ADMIN, case["case_id"], decision)
    assert decided["status"] == "decided" and decided["is_major"] is True and decided["fine_amount"] == 8000
    assert {w["code"] for w in decided["warnings"]} == {"decision_late", "outside_benchmark"}  # day 91; above 5,000
    with pytest.raises(Conflict):
        rpc.cases.decide_case(SCJ_ADMIN, case["case_id"], decision)

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
    assert (
        cases.wait_metric(
            "enforcement_promptness_measurements_total",
            1,
            service="cases",
            agency=MARKET,
            kind="case_decided",
            on_time="false",
        )
        == 1
    )
    table = rpc.cases.promptness(SCJ_ADMIN, {})
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
        rpc.cases.promptness(JT_ADMIN, {"agency_code": MARKET})


def test_refusals_versions_first_violation_and_dormant_items(cases, personnel, rpc, amqp_uri):
    officers = certified_officers(rpc, amqp_uri, 31, 2)
    item = penalty_item(rpc)
    dormant = penalty_item(rpc, code="SCJ-CF-077", name="多年未发生的事项", effective_from="2015-01-01")
    rpc.cases.add_lenient_entry(
        SCJ_ADMIN,
        {
            "list_kind": "first_violation_exempt",
            "item_id": item["item_id"],
            "conditions": "首次违法、危害后果轻微并及时改正",
            "effective_from": "2024-01-01",
        },
    )
    rpc.cases.change_item(
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
    before = db_counts(cases.database_url, *CASE_TABLES)
    with pytest.raises(ValidationFailed) as over:
        rpc.cases.report_case(SCJ_ADMIN, report(item, officers, "当场〔2024〕1号", **spot))
    assert "200" in over.value.fields["procedure"][0]
    with pytest.raises(Conflict) as expired:
        rpc.cases.report_case(
            SCJ_ADMIN,
            report(
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
        rpc.cases.report_case(
            SCJ_ADMIN, report(item, officers, "五市监罚〔2019〕1号", filed_on="2019-12-31", violation_on="2019-12-30")
        )
    assert "not in the catalogue on 2019-12-31" in too_early.value.fields["item_id"][0]
    assert db_counts(cases.database_url, *CASE_TABLES) == before

    # 200 yuan on the spot is allowed, but a first minor violation on the 首违不罚 list was penalised: flagged
    spot["decision"]["penalty"]["fine_amount"] = 200
    first = rpc.cases.report_case(SCJ_ADMIN, report(item, officers, "当场〔2024〕1号", **spot))
    assert first["status"] == "decided" and first["decision_due_on"] is None
    assert [w["code"] for w in first["warnings"]] == ["first_violation_penalised"]
    assert first["item_version"] == 1  # filed before the change took effect
    second = rpc.cases.report_case(
        SCJ_ADMIN,
        report(
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

    assert rpc.cases.statistics(SCJ_ADMIN, {"year": 2024}) == [
        {"agency_code": MARKET, "type_code": "penalty", "cases": 2, "decided": 2, "fined": 1, "fine_total": 200.0}
    ]
    assert rpc.cases.statistics(BUREAU, {"year": 2023}) == []

    listed = rpc.cases.dormant_items(SCJ_ADMIN, {})
    assert [d["item_id"] for d in listed] == [dormant["item_id"]]
    assert listed[0]["last_case_filed_on"] is None and listed[0]["in_catalogue_since"] == "2015-01-01"


# --- the deadline watch ----------------------------------------------------------------------------
def test_a_missed_deadline_is_announced_once_and_not_again_after_a_restart(
    watched_cases, rpc, amqp_uri, collect_events
):
    cases = watched_cases
    events = collect_events("cases", "deadline.missed")
    officers = certified_officers(rpc, amqp_uri, 41, 2)
    item = penalty_item(rpc)
    # filed 2024-07-03 and never decided: its 90 days ran out on 2024-10-01
    undecided = rpc.cases.report_case(SCJ_ADMIN, report(item, officers))
    # decided in time on Friday 2024-07-19 and never published: 7 working days ran out on 2024-07-30
    unpublished = rpc.cases.report_case(
        SCJ_ADMIN,
        report(
            item,
            officers,
            "五市监罚〔2024〕2号",
            notice_on="2024-07-10",
            decision={"decided_on": "2024-07-19", "penalty": {"kinds": ["warning"]}},
        ),
    )

    received = events.wait_for(2, timeout=20)
    by_kind = {e["data"]["kind"]: e for e in received}
    assert sorted(by_kind) == ["case_decided", "decision_published"]
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
    assert decided["detected_on"] == date.today().isoformat()
    assert by_kind["case_decided"]["subject"] == undecided["case_id"]
    assert "张三" not in json.dumps(received) and valid_id_number(900) not in json.dumps(received)

    assert len(events.collect_for(2.5)) == 2, "the watch ran again and announced nothing new"
    assert cases.stop() == 0
    cases.start()
    assert len(events.collect_for(3.0)) == 2, "a restart announced the same misses again"
    assert db_count(cases.database_url, "deadline_misses") == 2
