"""End to end over HTTP: what the portal reads without login besides the published decisions (the catalogue in force
with the agencies that publish one, an item with its benchmark, the benchmarks and lenient lists in force, the
published draws without a single inspector named, one published decision), each a page at a time, cacheable and
refusing a bad query with a 400 naming the field; and the staff lists the console added (an agency's draws, the
bureau's review batches, cases past a deadline), scoped by role. Every answer is checked against /openapi.json."""

from __future__ import annotations

import hashlib

import pytest
from cases_support import DOMAIN, NRJ, SCJ, agency_admin, certified_officer
from enforcement_testing import valid_id_number

from cases_service.rules.draws import draw_targets

pytestmark = pytest.mark.timeout(240)

TIERS = [
    {"tier": "minor", "label": "轻微", "penalty_kinds": ["warning"]},
    {"tier": "general", "label": "一般", "penalty_kinds": ["warning", "fine"], "fine_min": 1000, "fine_max": 5000},
]


def _created(response, status=201) -> dict:
    assert response.status_code == status, response.text
    return response.json()


# One scenario told in order (each public read needs the staff writes before it), so longer than 50 lines on purpose.
def test_the_public_reads_the_catalogue_benchmarks_lists_draws_and_a_decision(cases_suite):
    suite = cases_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-admin")
    nrj = agency_admin(suite, admin, NRJ, "nrj-admin")
    public = suite.anonymous()
    officers = [certified_officer(suite, scj, seq) for seq in (601, 602)]

    items = [
        _created(
            scj.post(
                "/catalogue/items",
                json={
                    "agency_code": SCJ,
                    "code": code,
                    "type_code": "penalty",
                    "name": name,
                    "domain": DOMAIN,
                    "legal_basis": "《中华人民共和国食品安全法》第一百二十四条",
                    "effective_from": "2022-01-01",
                },
            )
        )
        for code, name in (("SCJ-CF-101", "销售过期食品"), ("SCJ-CF-102", "未索证索票"))
    ]
    _created(
        scj.post(
            f"/catalogue/items/{items[0]['item_id']}/benchmarks", json={"effective_from": "2022-01-01", "tiers": TIERS}
        )
    )
    _created(
        scj.post(
            "/lenient-lists",
            json={
                "list_kind": "first_violation_exempt",
                "item_id": items[1]["item_id"],
                "conditions": "初次违法且危害后果轻微并及时改正",
                "effective_from": "2022-01-01",
            },
        )
    )

    agencies = public.get("/public/agencies")
    assert agencies.status_code == 200, agencies.text
    assert agencies.json() == [{"code": SCJ, "name": "县市场监管局"}]
    assert agencies.headers["Cache-Control"].startswith("public")
    catalogue = public.get("/public/catalogue", params={"agency_code": SCJ, "per_page": 1, "page": 2})
    assert catalogue.status_code == 200, catalogue.text
    page = catalogue.json()
    assert (page["total"], page["page"], page["per_page"]) == (2, 2, 1)
    assert [i["code"] for i in page["items"]] == ["SCJ-CF-102"] and page["items"][0]["has_benchmark"] is False
    assert catalogue.headers["Cache-Control"].startswith("public")
    bad = public.get("/public/catalogue", params={"type_code": "Penalty!"})
    assert bad.status_code == 400 and "type_code" in bad.json()["fields"]
    item = public.get(f"/public/catalogue/{items[0]['item_id']}")
    assert item.status_code == 200 and [t["tier"] for t in item.json()["benchmark_tiers"]] == ["minor", "general"]
    assert public.get("/public/catalogue/no-such-item").status_code == 404
    benchmarks = public.get("/public/benchmarks").json()
    assert [(b["item_code"], b["agency_name"]) for b in benchmarks["items"]] == [("SCJ-CF-101", "县市场监管局")]
    lenient = public.get("/public/lenient-lists", params={"list_kind": "first_violation_exempt"}).json()
    assert [(e["item_code"], e["list_kind"]) for e in lenient["items"]] == [("SCJ-CF-102", "first_violation_exempt")]
    assert public.get("/public/lenient-lists", params={"list_kind": "lenient"}).status_code == 400

    # a draw: listed for its agency (not another's), public only once published, no inspector named
    directory = [{"credit_code": f"91140928MA0{i:07d}", "name": f"五寨县商户{i}"} for i in range(4)]
    _created(scj.post("/inspections/directory", json={"agency_code": SCJ, "entries": directory}), 200)
    planned = _created(
        scj.post(
            "/inspections/draws",
            json={"agency_code": SCJ, "domain": DOMAIN, "target_count": 2, "drawn_on": "2024-06-03"},
        )
    )
    assert public.get("/public/draws").json()["total"] == 0
    hashes = public.get("/public/draws", params={"state": "planned"}).json()["items"]
    assert [(d["seed_hash"], d["seed"]) for d in hashes] == [(planned["seed_hash"], None)]  # before the draw
    draw = _created(scj.post(f"/inspections/draws/{planned['draw_id']}/execution"), 200)
    listed = scj.get("/inspections/draws", params={"published": "false"})
    assert listed.status_code == 200 and [d["draw_id"] for d in listed.json()["items"]] == [draw["draw_id"]]
    assert nrj.get("/inspections/draws").json()["total"] == 0  # its own agency's draws only
    assert nrj.get("/inspections/draws", params={"agency_code": SCJ}).status_code == 403
    _created(scj.post(f"/inspections/draws/{draw['draw_id']}/publication", json={"published_on": "2024-06-04"}), 200)
    draws = public.get("/public/draws", params={"year": 2024})
    assert draws.status_code == 200 and draws.json()["total"] == 1
    assert [t["inspectors"] for t in draws.json()["items"][0]["targets"]] == [2, 2]
    assert not any(o["officer_id"] in draws.text for o in officers)
    shown = draws.json()["items"][0]  # anyone replays it from the public answer
    assert hashlib.sha256(shown["seed"].encode()).hexdigest() == planned["seed_hash"] == shown["seed_hash"]
    targets = draw_targets(shown["target_pool"], shown["target_count"], shown["seed"])
    assert targets == [t["credit_code"] for t in shown["targets"]]
    assert public.get("/public/draws", params={"year": 1999}).status_code == 400

    # one published decision; the case list's overdue filter is a boolean
    case = _created(
        scj.post(
            "/cases",
            json={
                "agency_code": SCJ,
                "case_number": "五市监罚〔2024〕7号",
                "item_id": items[0]["item_id"],
                "filed_on": "2024-07-03",
                "party": {"kind": "citizen", "name": "王五", "id_number": valid_id_number(788)},
                "officers": [{"officer_id": o["officer_id"]} for o in officers],
                "notice_on": "2024-08-01",
                "decision": {"decided_on": "2024-09-02", "penalty": {"kinds": ["warning"]}, "circumstance": "minor"},
            },
        )
    )
    assert [d["kind"] for d in case["deadlines"]] == ["decided", "served", "published"]
    assert public.get(f"/public/decisions/{case['case_id']}").status_code == 404  # not published yet
    _created(scj.post(f"/cases/{case['case_id']}/publication", json={"published_on": "2024-09-04"}), 200)
    decision = public.get(f"/public/decisions/{case['case_id']}")
    assert decision.status_code == 200 and decision.json()["party_name"] == "王*"
    assert "王五" not in decision.text and valid_id_number(788) not in decision.text
    assert public.get("/public/decisions", params={"from": "2024-09-05"}).json()["total"] == 0
    assert public.get("/public/decisions", params={"from": "2024-09-04", "to": "2024-09-04"}).json()["total"] == 1
    assert scj.get("/cases", params={"overdue": "false"}).json()["total"] == 1
    assert scj.get("/cases", params={"overdue": "maybe"}).status_code == 400

    # the bureau's review batches: the bureau only
    assert scj.get("/reviews/batches").status_code == 403
    batches = admin.get("/reviews/batches")
    assert batches.status_code == 200 and batches.json()["total"] == 0
