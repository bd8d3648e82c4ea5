"""End to end over HTTP: a case-file review (案卷评查) is drawn, assigned, scored and graded."""

from __future__ import annotations

import hashlib

import pytest
from cases_support import DOMAIN, NRJ, SCJ, agency_admin, certified_officer
from enforcement_testing import (
    RUN_DATE,
    valid_id_number,
)


# One life cycle told in order (each step needs the one before), so longer than 50 lines on purpose.
@pytest.mark.timeout(240)
def test_case_file_review_draw_assign_score_and_see_the_grade(cases_suite, collect_events, rpc):
    from cases_service.rules.draws import seeded_sample

    suite = cases_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-admin")
    officers = [certified_officer(suite, scj, seq) for seq in (601, 602)]
    outsider = admin.post(
        "/officers",
        json={"agency_code": NRJ, "name": "评查员", "id_number": valid_id_number(610), "domains": ["agriculture"]},
    ).json()
    item = scj.post(
        "/catalogue/items",
        json={
            "agency_code": SCJ,
            "code": "SCJ-CF-010",
            "type_code": "penalty",
            "name": "无照经营",
            "domain": DOMAIN,
            "legal_basis": "《无证无照经营查处办法》第十三条",
            "effective_from": "2022-01-01",
        },
    ).json()
    case_ids = []
    for n in range(3):
        response = scj.post(
            "/cases",
            json={
                "agency_code": SCJ,
                "case_number": f"五市监罚〔2024〕{200 + n}号",
                "item_id": item["item_id"],
                "filed_on": "2024-03-04",
                "violation_on": "2024-03-01",
                "notice_on": "2024-03-20",
                "party": {"kind": "organisation", "name": f"五寨县某商店{n}", "is_enterprise": True},
                "officers": [{"officer_id": o["officer_id"]} for o in officers],
                "served_on": "2024-04-02",
                "closed_on": "2024-04-30",
                "decision": {"decided_on": "2024-04-01", "penalty": {"kinds": ["warning"]}},
            },
        )
        assert response.status_code == 201, response.text
        case_ids.append(response.json()["case_id"])
    events = collect_events("cases", "review_file.scored", "correction.opened", "accountability.opened")

    assert (
        scj.post(
            "/reviews/batches", json={"closed_from": "2024-01-01", "closed_to": "2024-12-31", "size": 2}
        ).status_code
        == 403
    )
    seeded = admin.get("/reviews/checklists").json()["items"]
    assert [c["version"] for c in seeded] == [1, 2]  # version 2 names each item's documents
    v1 = seeded[0]["items"]
    short = admin.post("/reviews/checklists", json={"effective_from": "2099-01-01", "items": v1[:-1]})
    assert short.status_code == 400 and "content items add up to 70" in " ".join(short.json()["fields"]["items"])
    v3 = admin.post("/reviews/checklists", json={"effective_from": "2099-01-01", "items": v1})
    assert v3.status_code == 201 and v3.json()["version"] == 3  # not in force yet: today's draw uses version 2
    period = {"agency_code": SCJ, "closed_from": "2024-01-01", "closed_to": "2024-12-31", "size": 2}
    chosen = admin.post("/reviews/batches", json={**period, "seed": "2024-h1-review"})
    assert chosen.status_code == 400 and list(chosen.json()["fields"]) == ["seed"]  # nobody picks the seed
    planned = admin.post("/reviews/batches", json=period)
    assert planned.status_code == 201, planned.text
    commitment = planned.json()
    assert commitment["state"] == "planned" and commitment["seed"] is None and commitment["files"] == []
    assert commitment["population_size"] == 3 and commitment["checklist_version"] == 2
    drawn = admin.post(f"/reviews/batches/{commitment['batch_id']}/execution")
    assert drawn.status_code == 200, drawn.text
    batch = drawn.json()
    assert hashlib.sha256(batch["seed"].encode()).hexdigest() == commitment["seed_hash"]
    assert sorted(f["case_id"] for f in batch["files"]) == sorted(seeded_sample(case_ids, 2, batch["seed"]))
    assert admin.post(f"/reviews/batches/{batch['batch_id']}/execution").status_code == 409
    assert admin.get(f"/reviews/batches/{batch['batch_id']}/replay").json()["reproduced"] is True
    first, second = batch["files"]

    own_agency = admin.post(
        f"/reviews/batches/{batch['batch_id']}/assignments",
        json={"assignments": [{"file_id": first["file_id"], "reviewer_id": officers[0]["officer_id"]}]},
    )
    assert own_agency.status_code == 400 and "own agency" in own_agency.json()["fields"]["assignments"][0]
    assigned = admin.post(
        f"/reviews/batches/{batch['batch_id']}/assignments",
        json={
            "assignments": [{"file_id": f["file_id"], "reviewer_id": outsider["officer_id"]} for f in batch["files"]]
        },
    )
    assert assigned.status_code == 200, assigned.text

    over = admin.post(
        f"/reviews/files/{first['file_id']}/score",
        json={"scored_on": RUN_DATE.isoformat(), "deductions": [{"code": "documents", "points": 11}]},
    )
    assert over.status_code == 400 and "deductions" in over.json()["fields"]
    passed = admin.post(
        f"/reviews/files/{first['file_id']}/score",
        json={
            "scored_on": RUN_DATE.isoformat(),
            "deductions": [{"code": "discretion", "points": 6}, {"code": "signatures", "points": 5}],
        },
    )
    assert passed.status_code == 200, passed.text
    assert (passed.json()["total"], passed.json()["grade"]) == (89, "pass")
    failed = admin.post(
        f"/reviews/files/{second['file_id']}/score",
        json={"scored_on": RUN_DATE.isoformat(), "basic_failures": ["evidence"]},
    )
    assert (failed.json()["total"], failed.json()["grade"]) == (0, "fail")

    grades = {f["file_id"]: f["grade"] for f in scj.get("/reviews/files").json()["items"]}
    assert grades == {first["file_id"]: "pass", second["file_id"]: "fail"}
    facts = rpc.cases.agency_case_facts({"username": "supervision", "role": "system"}, RUN_DATE.year)
    assert [(f["agency_code"], f["review_grades"]) for f in facts] == [(SCJ, {"fail": 1, "pass": 1})]
    received = events.wait_for(4)
    assert sorted(e["type"] for e in received) == [
        "cases.accountability.opened",
        "cases.correction.opened",
        "cases.review_file.scored",
        "cases.review_file.scored",
    ]
    accountability = [e for e in received if e["type"] == "cases.accountability.opened"][0]["data"]
    assert accountability["case_id"] == second["case_id"]
    assert sorted(accountability["officer_ids"]) == sorted(o["officer_id"] for o in officers)
