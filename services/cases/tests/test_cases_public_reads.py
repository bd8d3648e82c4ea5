"""What the portal and the console read that the cases service added for them, in process on SQLite and PostgreSQL:
the public catalogue, benchmarks and lenient lists (in force today only), the published draws (enterprises drawn,
inspectors counted, never named; planned ones with their seed's hash, replayed from what the public sees), one
published decision and the decisions by publication date (a revoked one leaves them at once); the staff lists of
draws and review batches (planned, drawn, replayed); a case's deadlines (calendar days for the decision, working
days for service and publication) and the overdue filter (what the deadline watch found still open)."""

from __future__ import annotations

import json

import pytest
from enforcement_testing import BUREAU

from cases_service.rules import draws
from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.timeout(180)

MARKET = "140928-scjgj"  # 县市场监管局
DOMAIN = "market_supervision"
SCJ_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
TIERS = [
    {"tier": "minor", "label": "轻微", "penalty_kinds": ["warning"]},
    {"tier": "general", "label": "一般", "penalty_kinds": ["warning", "fine"], "fine_min": 1000, "fine_max": 5000},
]


def test_the_public_reads_only_what_is_in_force(desk):
    item = desk.penalty_item()
    cancelled = desk.penalty_item(code="SCJ-CF-002", name="已取消的事项")
    desk.cases.cancel_item(SCJ_ADMIN, cancelled["item_id"], {"cancelled_on": "2024-05-01", "reason": "法律修改"})
    licence = desk.penalty_item(code="SCJ-XK-001", type_code="licensing", name="食品经营许可")
    desk.cases.set_benchmark(SCJ_ADMIN, item["item_id"], {"effective_from": "2024-01-01", "tiers": TIERS})
    desk.cases.set_benchmark(SCJ_ADMIN, item["item_id"], {"effective_from": "2099-01-01", "tiers": TIERS[:1]})

    catalogue = desk.cases.public_catalogue()
    assert catalogue["total"] == 2 and (catalogue["page"], catalogue["per_page"]) == (1, 50)
    shown = {i["item_id"]: i for i in catalogue["items"]}
    assert set(shown) == {item["item_id"], licence["item_id"]}
    assert shown[item["item_id"]]["has_benchmark"] is True and shown[licence["item_id"]]["has_benchmark"] is False
    assert shown[item["item_id"]]["agency_name"] == "县市场监管局"
    assert shown[item["item_id"]]["legal_basis"] == "《中华人民共和国食品安全法》第一百二十四条"
    assert [i["item_id"] for i in desk.cases.public_catalogue({"type_code": "licensing"})["items"]] == [
        licence["item_id"]
    ]
    second = desk.cases.public_catalogue({"page": 2, "per_page": 1})
    assert second["total"] == 2 and len(second["items"]) == 1
    with pytest.raises(ValidationFailed):
        desk.cases.public_catalogue({"type_code": "Not A Code"})

    detail = desk.cases.public_item(item["item_id"])
    assert [t["tier"] for t in detail["benchmark_tiers"]] == ["minor", "general"]  # version 2 is not in force yet
    assert detail["benchmark_effective_from"] == "2024-01-01" and [v["version"] for v in detail["versions"]] == [1]
    assert desk.cases.public_item(cancelled["item_id"])["cancelled_on"] == "2024-05-01"
    with pytest.raises(NotFound):
        desk.cases.public_item("no-such-item")

    benchmarks = desk.cases.public_benchmarks()
    assert [(b["item_id"], b["version"]) for b in benchmarks["items"]] == [(item["item_id"], 1)]
    assert benchmarks["items"][0]["tiers"][1]["fine_max"] == 5000
    assert desk.cases.public_benchmarks({"agency_code": "140928-jtysj"})["total"] == 0

    entries = {
        kind: desk.cases.add_lenient_entry(
            SCJ_ADMIN,
            {
                "list_kind": kind,
                "item_id": item["item_id"],
                "conditions": "初次违法且危害后果轻微",
                "effective_from": on,
            },
        )
        for kind, on in (
            ("lighter", "2024-01-01"),
            ("first_violation_exempt", "2024-01-01"),
            ("mitigated", "2099-01-01"),
        )
    }
    desk.cases.remove_lenient_entry(
        SCJ_ADMIN, entries["first_violation_exempt"]["entry_id"], {"removed_on": "2024-06-01", "reason": "调整"}
    )
    lenient = desk.cases.public_lenient()
    assert [(e["list_kind"], e["item_code"]) for e in lenient["items"]] == [("lighter", "SCJ-CF-001")]
    assert lenient["items"][0]["agency_name"] == "县市场监管局"
    assert desk.cases.public_lenient({"list_kind": "mitigated"})["total"] == 0

    assert desk.cases.public_agencies() == [{"code": MARKET, "name": "县市场监管局"}]


# One scenario told in order (each read needs the writes before it), so longer than 50 lines on purpose.
def test_decisions_draws_batches_deadlines_and_overdue_cases(desk):
    officers = desk.certified_officers(61, 3)
    item = desk.penalty_item()
    decided = desk.cases.report_case(SCJ_ADMIN, desk.report(item, officers[:2], notice_on="2024-08-01"))
    assert [d["kind"] for d in decided["deadlines"]] == ["decided"]
    assert decided["deadlines"][0] == {
        "kind": "decided",
        "starts_on": "2024-07-03",
        "limit": 90,
        "unit": "days",
        "due_on": "2024-10-01",
        "met_on": None,
        "on_time": None,
    }
    case_id = decided["case_id"]
    desk.cases.decide_case(
        SCJ_ADMIN, case_id, {"decided_on": "2024-09-27", "penalty": {"kinds": ["warning"]}, "summary": "警告"}
    )
    desk.cases.update_case(SCJ_ADMIN, case_id, {"served_on": "2024-09-30", "closed_on": "2024-10-16"})
    assert [c["case_id"] for c in desk.cases.list_cases(SCJ_ADMIN, {"publication": "to_publish"})["items"]] == [case_id]
    published = desk.cases.publish_decision(SCJ_ADMIN, case_id, {"published_on": "2024-10-14"})
    assert desk.cases.list_cases(SCJ_ADMIN, {"publication": "to_publish"})["total"] == 0
    assert desk.cases.list_cases(SCJ_ADMIN, {"publication": "to_withdraw"})["total"] == 0  # published, not changed
    deadlines = {d["kind"]: d for d in published["deadlines"]}
    assert deadlines["decided"]["on_time"] is True and deadlines["decided"]["met_on"] == "2024-09-27"
    # 7 working days from 2024-09-27 end on Saturday Oct 12 (Sep 29 and Oct 12 are make-up working days)
    assert deadlines["published"] == {
        "kind": "published",
        "starts_on": "2024-09-27",
        "limit": 7,
        "unit": "workdays",
        "due_on": "2024-10-12",
        "met_on": "2024-10-14",
        "on_time": False,
    }
    assert deadlines["served"]["on_time"] is True and deadlines["served"]["unit"] == "workdays"

    assert desk.cases.public_decision(case_id)["party_name"] == "张*"
    assert "张三" not in json.dumps(desk.cases.public_decision(case_id))
    assert desk.cases.public_decisions({"from": "2024-10-14", "to": "2024-10-14"})["total"] == 1
    assert desk.cases.public_decisions({"from": "2024-10-15"})["total"] == 0
    with pytest.raises(ValidationFailed) as backwards:
        desk.cases.public_decisions({"from": "2024-10-15", "to": "2024-10-01"})
    assert "to" in backwards.value.fields

    late = desk.cases.report_case(SCJ_ADMIN, desk.report(item, officers[1:], number="五市监罚〔2024〕2号"))
    assert desk.cases.list_cases(SCJ_ADMIN, {"overdue": True})["total"] == 0  # the watch has not looked yet
    desk.cases.watch_deadlines()
    overdue = desk.cases.list_cases(SCJ_ADMIN, {"overdue": True})
    assert [c["case_id"] for c in overdue["items"]] == [late["case_id"]] and overdue["total"] == 1
    assert [c["case_id"] for c in desk.cases.list_cases(SCJ_ADMIN, {"overdue": False})["items"]] == [case_id]
    with pytest.raises(NotFound):
        desk.cases.public_decision(late["case_id"])  # not decided, not published

    directory = [{"credit_code": f"91140928MA0{i:07d}", "name": f"五寨县商户{i}"} for i in range(4)]
    desk.cases.upload_directory(SCJ_ADMIN, {"agency_code": MARKET, "entries": directory})
    planned = desk.cases.plan_draw(
        SCJ_ADMIN, {"agency_code": MARKET, "domain": DOMAIN, "target_count": 2, "drawn_on": "2024-06-03"}
    )
    assert desk.cases.public_draws()["total"] == 0  # not published yet
    # the seed's hash is public from the plan on, before anything is drawn; the seed is not
    [before] = desk.cases.public_draws({"state": "planned"})["items"]
    assert (before["draw_id"], before["seed_hash"], before["seed"]) == (planned["draw_id"], planned["seed_hash"], None)
    assert (before["targets"], before["target_pool"], before["target_count"]) == ([], [], 2)
    draw = desk.cases.execute_draw(SCJ_ADMIN, planned["draw_id"])
    assert desk.cases.public_draws({"state": "planned"})["total"] == 0
    [made] = desk.cases.public_draws({"state": "drawn"})["items"]
    assert made["seed"] == draw["seed"] and made["targets"] == [] and made["target_pool"] == []  # not yet announced
    listed = desk.cases.list_draws(SCJ_ADMIN, {"published": False})
    assert [d["draw_id"] for d in listed["items"]] == [draw["draw_id"]] and listed["total"] == 1
    desk.cases.publish_draw(SCJ_ADMIN, draw["draw_id"], {"published_on": "2024-06-04"})
    assert desk.cases.list_draws(SCJ_ADMIN, {"published": False})["total"] == 0
    public = desk.cases.public_draws({"year": 2024})
    [shown] = public["items"]
    assert shown["agency_name"] == "县市场监管局" and shown["target_pool_size"] == 4
    assert [t["credit_code"] for t in shown["targets"]] == [a["credit_code"] for a in draw["assignments"]]
    assert all(t["inspectors"] == 2 for t in shown["targets"])
    assert not any(o["officer_id"] in json.dumps(public) for o in officers)
    assert desk.cases.public_draws({"year": 2023})["total"] == 0
    # anyone replays it from what the public route shows: the seed is the committed one, the targets come out again
    assert shown["state"] == "published" and len(shown["target_pool"]) == 4
    check = draws.check_targets(
        shown["seed"],
        shown["seed_hash"],
        shown["target_pool"],
        shown["target_count"],
        [t["credit_code"] for t in shown["targets"]],
    )
    assert check.seed_matches and check.result_matches
    assert not draws.check_targets("another seed", shown["seed_hash"], shown["target_pool"], 2, []).seed_matches

    with pytest.raises(Forbidden):
        desk.cases.list_review_batches(SCJ_ADMIN)
    period = {"closed_from": "2024-10-01", "closed_to": "2024-10-31", "size": 1}
    with pytest.raises(ValidationFailed) as chosen_seed:
        desk.cases.plan_review_batch(BUREAU, {**period, "seed": "2024-h2-review"})
    assert list(chosen_seed.value.fields) == ["seed"]
    planned = desk.cases.plan_review_batch(BUREAU, period)
    assert (planned["state"], planned["seed"], planned["files"], planned["population_size"]) == ("planned", None, [], 1)
    with pytest.raises(Conflict):
        desk.cases.replay_review_batch(BUREAU, planned["batch_id"])
    with pytest.raises(Forbidden):
        desk.cases.execute_review_batch(SCJ_ADMIN, planned["batch_id"])
    batch = desk.cases.execute_review_batch(BUREAU, planned["batch_id"])
    assert batch["state"] == "drawn" and draws.seed_matches(batch["seed"], planned["seed_hash"])
    assert [f["case_id"] for f in batch["files"]] == [case_id]
    replayed = desk.cases.replay_review_batch(BUREAU, batch["batch_id"])
    assert replayed["reproduced"] is True and replayed["case_ids"] == [case_id]
    with pytest.raises(Conflict):
        desk.cases.execute_review_batch(BUREAU, batch["batch_id"])
    batches = desk.cases.list_review_batches(BUREAU)
    assert batches["total"] == 1
    assert {k: batches["items"][0][k] for k in ("batch_id", "files", "scored", "population_size")} == {
        "batch_id": batch["batch_id"],
        "files": 1,
        "scored": 0,
    } | {"population_size": 1}

    # revoked on reconsideration: the published decision is now to withdraw, until it is withdrawn
    desk.cases.revoke_decision(
        SCJ_ADMIN, case_id, {"changed_on": "2024-11-20", "reason": "行政复议决定撤销", "ground": "reconsideration"}
    )
    # gone from the public list at once, before the withdrawal is recorded; its page says it was revoked
    assert desk.cases.public_decisions({"from": "2024-10-14", "to": "2024-10-14"})["total"] == 0
    with pytest.raises(NotFound) as revoked:
        desk.cases.public_decision(case_id)
    assert revoked.value.fields == {"case_id": ["revoked"]}
    to_withdraw = desk.cases.list_cases(SCJ_ADMIN, {"publication": "to_withdraw"})
    assert [c["case_id"] for c in to_withdraw["items"]] == [case_id]
    desk.cases.withdraw_publication(SCJ_ADMIN, case_id, {"withdrawn_on": "2024-11-21"})
    assert desk.cases.list_cases(SCJ_ADMIN, {"publication": "to_withdraw"})["total"] == 0
    assert desk.cases.list_cases(SCJ_ADMIN, {"publication": "to_publish"})["total"] == 0  # revoked: nothing to publish
