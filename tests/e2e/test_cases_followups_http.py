"""End to end over HTTP with the real services and broker: a failing case file (案卷评查 不合格) opens a correction
(错案纠正) and an accountability record (过错责任追究); the correction is assigned, decided and closed by the case's
agency, the accountability record by the bureau, ending in an exemption (尽职免责) with its grounds. Another agency
finds neither."""

from __future__ import annotations

import pytest
from cases_support import NRJ, SCJ, agency_admin, certified_officer, penalty_item
from enforcement_testing import RUN_DATE, valid_id_number, wait_until

EXEMPTION = {
    "kind": "due_diligence",
    "ground": "party_concealment",
    "text": "当事人伪造进货票据，执法人员已尽审慎审查义务",
}


def _failing_file(suite, admin, scj) -> tuple[list[dict], dict]:
    """A closed case of the market agency drawn, assigned to a reviewer of another agency and scored failing."""
    officers = [certified_officer(suite, scj, seq) for seq in (701, 702)]
    reviewer = admin.post(
        "/officers",
        json={"agency_code": NRJ, "name": "评查员", "id_number": valid_id_number(710), "domains": ["agriculture"]},
    ).json()
    item = penalty_item(scj, "SCJ-CF-020")
    case = scj.post(
        "/cases",
        json={
            "agency_code": SCJ,
            "case_number": "五市监罚〔2024〕300号",
            "item_id": item["item_id"],
            "filed_on": "2024-03-04",
            "violation_on": "2024-03-01",
            "notice_on": "2024-03-20",
            "party": {"kind": "organisation", "name": "五寨县某超市", "is_enterprise": True},
            "officers": [{"officer_id": o["officer_id"]} for o in officers],
            "served_on": "2024-04-02",
            "closed_on": "2024-04-30",
            "decision": {"decided_on": "2024-04-01", "penalty": {"kinds": ["warning"]}},
        },
    )
    assert case.status_code == 201, case.text
    period = {"agency_code": SCJ, "closed_from": "2024-01-01", "closed_to": "2024-12-31", "size": 1}
    planned = admin.post("/reviews/batches", json=period).json()
    batch = admin.post(f"/reviews/batches/{planned['batch_id']}/execution").json()
    file_id = batch["files"][0]["file_id"]
    assigned = admin.post(
        f"/reviews/batches/{batch['batch_id']}/assignments",
        json={"assignments": [{"file_id": file_id, "reviewer_id": reviewer["officer_id"]}]},
    )
    assert assigned.status_code == 200, assigned.text
    scored = admin.post(
        f"/reviews/files/{file_id}/score", json={"scored_on": RUN_DATE.isoformat(), "basic_failures": ["evidence"]}
    )
    assert scored.json()["grade"] == "fail", scored.text
    return officers, case.json()


# One life cycle told in order (each step needs the one before), so longer than 50 lines on purpose.
@pytest.mark.timeout(240)
def test_a_failing_file_is_corrected_and_its_accountability_ends_in_an_exemption(cases_suite, collect_events):
    suite = cases_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-followups")
    nrj = agency_admin(suite, admin, NRJ, "nrj-followups")
    events = collect_events("cases", "correction.*", "accountability.*")
    officers, case = _failing_file(suite, admin, scj)
    today = RUN_DATE.isoformat()

    listed = scj.get("/reviews/followups")
    assert listed.status_code == 200, listed.text
    records = {r["kind"]: r for r in listed.json()["items"]}
    assert set(records) == {"correction", "accountability"} and listed.json()["next"] is None
    correction, accountability = records["correction"], records["accountability"]
    assert correction["case_id"] == case["case_id"] and correction["state"] == "opened"
    rid, aid = correction["record_id"], accountability["record_id"]
    first = scj.get("/reviews/followups", params={"per_page": 1})
    rest = scj.get("/reviews/followups", params={"per_page": 1, "after": first.json()["next"]})
    assert {first.json()["items"][0]["record_id"], rest.json()["items"][0]["record_id"]} == {rid, aid}

    # another agency: neither listed nor found
    assert nrj.get("/reviews/followups").json()["total"] == 0
    assert nrj.get(f"/reviews/followups/{rid}").status_code == 404
    assert (
        nrj.post(f"/reviews/followups/{rid}/assignment", json={"assigned_on": today, "assignee": "某科"}).status_code
        == 404
    )

    # the correction: by the case's agency, step by step
    early = scj.post(f"/reviews/followups/{rid}/closure", json={"closed_on": today})
    assert early.status_code == 409 and early.json()["fields"] == {"state": ["is opened"]}
    assigned = scj.post(
        f"/reviews/followups/{rid}/assignment", json={"assigned_on": today, "assignee": "综合执法科 王科长"}
    )
    assert assigned.status_code == 200, assigned.text
    assert (assigned.json()["state"], assigned.json()["assigned_by"]) == ("assigned", "scj-followups")
    unknown = scj.post(f"/reviews/followups/{rid}/decision", json={"decided_on": today, "measure": "ignored"})
    assert unknown.status_code == 400 and "measure" in unknown.json()["fields"]
    decided = scj.post(f"/reviews/followups/{rid}/decision", json={"decided_on": today, "measure": "remade"})
    assert decided.status_code == 200 and decided.json()["measure"] == "remade", decided.text
    closed = scj.post(f"/reviews/followups/{rid}/closure", json={"closed_on": today, "note": "已重新作出处罚决定"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed", closed.text

    # the accountability record: the bureau's; it ends in an exemption for one officer with its grounds
    refused = scj.post(f"/reviews/followups/{aid}/assignment", json={"assigned_on": today, "assignee": "调查组"})
    assert refused.status_code == 403
    assert (
        admin.post(
            f"/reviews/followups/{aid}/assignment",
            json={"assigned_on": today, "assignee": "县司法局执法监督科", "assignee_agency_code": "140928-sfj"},
        ).status_code
        == 200
    )
    first_officer, second_officer = (o["officer_id"] for o in officers)
    bad_ground = admin.post(
        f"/reviews/followups/{aid}/decision",
        json={
            "decided_on": today,
            "officers": [{"officer_id": first_officer, "exemption": {**EXEMPTION, "ground": "felt_like_it"}}],
        },
    )
    assert bad_ground.status_code == 400 and list(bad_ground.json()["fields"]) == ["officers.0.exemption.ground"]
    decided = admin.post(
        f"/reviews/followups/{aid}/decision",
        json={
            "decided_on": today,
            "officers": [
                {"officer_id": first_officer, "exemption": EXEMPTION},
                {"officer_id": second_officer, "outcome": "criticism_education", "note": "复核时未核对票据原件"},
            ],
        },
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["exemptions"] == 1
    assert closed.json()["overdue"] is False
    closed = admin.post(f"/reviews/followups/{aid}/closure", json={"closed_on": today})
    assert closed.status_code == 200, closed.text
    record = scj.get(f"/reviews/followups/{aid}").json()
    assert record["state"] == "closed" and record["officers"][0]["exemption"] == EXEMPTION
    assert record["assignee"] == "县司法局执法监督科" and record["closed_by"] == "admin"

    received = events.wait_for(8)
    assert sorted(e["type"] for e in received) == sorted(
        f"cases.{kind}.{state}"
        for kind in ("correction", "accountability")
        for state in ("opened", "assigned", "decided", "closed")
    )
    wait_until(
        lambda: (
            suite.cases.metric("enforcement_review_followups", agency=SCJ, kind="accountability", state="closed") == 1
        ),
        message="the gauge counts the closed accountability record",
    )
