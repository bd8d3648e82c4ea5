"""End to end over HTTP: an agency reports a case, a qualified reviewer passes it, it is decided, served and published
late; the lateness is on the cases service's /metrics, and, through the real supervision service consuming the cases
service's measurements, in the agency's county-wide promptness (its /metrics, its on-time ratio over HTTP) and in an
item opened for the late publication; the public list shows it masked. Bad input is a 4xx naming the field and writes
nothing."""

from __future__ import annotations

import json

import pytest
from cases_support import DOMAIN, NRJ, SCJ, agency_admin, certified_officer
from enforcement_testing import (
    db_count,
    db_counts,
    drop_event_queues,
    metric_value,
    valid_id_number,
    wait_until,
)


# One life cycle told in order (each step needs the one before), so longer than 50 lines on purpose.
@pytest.mark.timeout(240)
def test_report_review_decide_publish_late_and_see_the_promptness_metric(cases_suite, rpc, start_service, tmp_path):
    suite = cases_suite
    drop_event_queues(suite.amqp_uri, "supervision")  # what earlier tests announced while no supervision service ran
    supervision = start_service("supervision", f"sqlite:///{tmp_path}/supervision.db", suite.amqp_uri)
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-admin")
    nrj = agency_admin(suite, admin, NRJ, "nrj-admin")
    officers = [certified_officer(suite, scj, seq) for seq in (501, 502)]
    uncertified = scj.post(
        "/officers", json={"agency_code": SCJ, "name": "见习员", "id_number": valid_id_number(503), "domains": [DOMAIN]}
    ).json()
    reviewer = scj.post(
        "/legal-reviewers",
        json={
            "agency_code": SCJ,
            "name": "公职律师",
            "kind": "public_lawyer",
            "has_legal_qualification": True,
            "qualification_number": "A2019140928",
        },
    )
    assert reviewer.status_code == 201, reviewer.text

    item = scj.post(
        "/catalogue/items",
        json={
            "agency_code": SCJ,
            "code": "SCJ-CF-009",
            "type_code": "penalty",
            "name": "未按规定公示营业执照",
            "domain": DOMAIN,
            "legal_basis": "《市场主体登记管理条例》第四十八条",
            "effective_from": "2022-03-01",
        },
    )
    assert item.status_code == 201, item.text
    item = item.json()
    bench = scj.post(
        f"/catalogue/items/{item['item_id']}/benchmarks",
        json={
            "effective_from": "2022-03-01",
            "tiers": [
                {
                    "tier": "general",
                    "label": "一般",
                    "penalty_kinds": ["warning", "fine"],
                    "fine_min": 1000,
                    "fine_max": 5000,
                }
            ],
        },
    )
    assert bench.status_code == 201, bench.text
    major = scj.post(
        "/major-decision-list", json={"agency_code": SCJ, "item_id": item["item_id"], "note": "本事项均需法制审核"}
    )
    assert major.status_code == 201, major.text

    clear_id = valid_id_number(777)
    payload = {
        "agency_code": SCJ,
        "case_number": "五市监罚〔2024〕88号",
        "item_id": item["item_id"],
        "filed_on": "2024-07-03",
        "violation_on": "2024-06-28",
        "party": {"kind": "citizen", "name": "李四", "id_number": clear_id},
        "officers": [{"officer_id": o["officer_id"]} for o in officers],
        "notice_on": "2024-08-01",
    }

    # bad input: a clear 4xx naming the field, and nothing written
    before = db_counts(suite.cases_db, "cases", "outbox_events")
    missing = scj.post("/cases", json={k: v for k, v in payload.items() if k != "filed_on"})
    assert missing.status_code == 400 and "filed_on" in missing.json()["fields"]
    bad_date = scj.post("/cases", json={**payload, "filed_on": "2024-13-40"})
    assert bad_date.status_code == 400 and "filed_on" in bad_date.json()["fields"]
    backwards = scj.post("/cases", json={**payload, "notice_on": "2024-07-01"})
    assert backwards.status_code == 400 and "notice_on" in backwards.json()["fields"]
    not_certified = scj.post(
        "/cases",
        json={
            **payload,
            "officers": [{"officer_id": officers[0]["officer_id"]}, {"officer_id": uncertified["officer_id"]}],
        },
    )
    assert not_certified.status_code == 400
    assert "no certificate" in not_certified.json()["fields"]["officers"][0]
    other_agency = nrj.post("/cases", json=payload)
    assert other_agency.status_code == 403
    assert db_counts(suite.cases_db, "cases", "outbox_events") == before

    created = scj.post("/cases", json=payload)
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["is_major"] is True and clear_id not in created.text
    assert nrj.get(f"/cases/{case['case_id']}").status_code == 403

    decision = {
        "decided_on": "2024-09-27",
        "penalty": {"kinds": ["fine"], "fine_amount": 3000},
        "circumstance": "general",
        "summary": "罚款人民币叁仟元",
    }
    blocked = scj.post(f"/cases/{case['case_id']}/decision", json=decision)
    assert blocked.status_code == 409 and "legal_review" in blocked.json()["fields"]
    review = scj.post(
        f"/cases/{case['case_id']}/legal-reviews",
        json={"reviewer_id": reviewer.json()["reviewer_id"], "reviewed_on": "2024-09-26", "passed": True},
    )
    assert review.status_code == 201, review.text
    decided = scj.post(f"/cases/{case['case_id']}/decision", json=decision)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "decided" and decided.json()["warnings"] == []
    served = scj.patch(f"/cases/{case['case_id']}", json={"served_on": "2024-09-30"})
    assert served.status_code == 200, served.text

    # published on the 8th working day after the decision (Sep 29 and Oct 12 are make-up working days): late
    published = scj.post(f"/cases/{case['case_id']}/publication", json={"published_on": "2024-10-14"})
    assert published.status_code == 200, published.text
    assert [w["code"] for w in published.json()["warnings"]] == ["publication_late"]
    again = scj.post(f"/cases/{case['case_id']}/publication", json={"published_on": "2024-10-14"})
    assert again.status_code == 409

    assert (
        suite.cases.wait_metric(
            "enforcement_promptness_measurements_total",
            1,
            service="cases",
            agency=SCJ,
            kind="decision_published",
            on_time="false",
        )
        == 1
    )
    metrics = suite.cases.metrics_text()
    assert (
        metric_value(
            metrics,
            "enforcement_promptness_measurements_total",
            service="cases",
            agency=SCJ,
            kind="decision_served",
            on_time="true",
        )
        == 1
    )
    assert (
        metric_value(
            metrics,
            "enforcement_promptness_measurements_total",
            service="cases",
            agency=SCJ,
            kind="case_decided",
            on_time="true",
        )
        == 1
    )
    assert (
        metric_value(
            metrics, "enforcement_promptness_workdays_count", service="cases", agency=SCJ, kind="decision_published"
        )
        == 1
    )
    assert clear_id not in metrics and case["case_id"] not in metrics
    rows = {r["kind"]: r for r in scj.get("/cases/promptness").json()}
    assert rows["decision_published"]["on_time"] == 0 and rows["decision_published"]["mean_workdays"] == 8.0
    assert rows["decision_served"]["on_time_ratio"] == 1.0

    # the supervision service holds every agency's measurements: the late publication is in the county-wide figures
    assert (
        supervision.wait_metric(
            "enforcement_promptness_measurements_total",
            1,
            service="supervision",
            agency=SCJ,
            kind="decision_published",
            on_time="false",
        )
        == 1
    )
    table = scj.get("/supervision/promptness", params={"from": "2024-01-01", "to": "2024-12-31"})
    assert table.status_code == 200, table.text
    county = {(r["agency_code"], r["kind"]): r for r in table.json()}
    assert county[(SCJ, "decision_published")]["on_time_ratio"] == 0.0
    assert county[(SCJ, "decision_served")]["on_time_ratio"] == 1.0
    assert county[(SCJ, "all")]["measurements"] == 3 and county[(SCJ, "all")]["on_time"] == 2
    assert all(agency == SCJ for agency, _ in county)  # an agency admin sees its own figures only
    opened = wait_until(
        lambda: (
            [
                i
                for i in admin.get("/supervision/items", params={"agency_code": SCJ}).json()["items"]
                if i["origin"] == "cases.promptness.measured"
            ]
            or None
        ),
        message="an item opened for the late publication",
    )
    assert len(opened) == 1 and opened[0]["kind"] == "rectification"
    assert opened[0]["body"] == (
        f"{case['case_id']}: 8 working days against 7 working days (from 2024-09-27 to 2024-10-14)"
    )
    assert (opened[0]["details"]["taken"], opened[0]["details"]["deadline_unit"]) == (8, "workdays")

    # the public list: no login, no ID number, the citizen's name masked
    public = suite.anonymous().get("/public/decisions")
    assert public.status_code == 200, public.text
    [shown] = public.json()["items"]
    assert shown["party_name"] == "李*" and shown["agency_name"] == "县市场监管局" and shown["fine_amount"] == 3000
    assert clear_id not in public.text and "李四" not in public.text
    assert suite.anonymous().get("/cases").status_code == 401

    # a revoked decision is withdrawn from the public list; the withdrawal is measured too
    bad_ground = scj.post(
        f"/cases/{case['case_id']}/revocation",
        json={"changed_on": "2024-11-04", "reason": "复议撤销", "ground": "appeal"},
    )
    assert bad_ground.status_code == 400 and "ground" in bad_ground.json()["fields"]
    revoked = scj.post(
        f"/cases/{case['case_id']}/revocation",
        json={"changed_on": "2024-11-04", "reason": "复议撤销", "ground": "reconsideration"},
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    # off the public list at once, before the withdrawal is recorded; its page says it was revoked
    assert suite.anonymous().get("/public/decisions").json()["items"] == []
    gone = suite.anonymous().get(f"/public/decisions/{case['case_id']}")
    assert gone.status_code == 404 and gone.json()["fields"] == {"case_id": ["revoked"]}
    withdrawn = scj.post(f"/cases/{case['case_id']}/publication/withdrawal", json={"withdrawn_on": "2024-11-06"})
    assert withdrawn.status_code == 200, withdrawn.text
    assert suite.anonymous().get("/public/decisions").json()["items"] == []
    assert (
        suite.cases.wait_metric(
            "enforcement_promptness_measurements_total",
            1,
            service="cases",
            agency=SCJ,
            kind="publication_withdrawn",
            on_time="true",
        )
        == 1
    )
    assert db_count(suite.cases_db, "promptness_measurements") == 4
    assert json.dumps(scj.get(f"/cases/{case['case_id']}").json()).count(clear_id) == 0

    # the yearly facts the supervision service's assessment and statistics report ask for (bureau only)
    [facts] = rpc.cases.agency_case_facts({"username": "supervision", "role": "system"}, 2024)
    assert facts == {
        "agency_code": SCJ,
        "decisions": 1,
        "publications": 1,
        "publications_on_time": 0,
        "review_grades": {},
        "changed_by_ground": {"reconsideration": 1},
        "decisions_reversed": 1,
        "followups": {},  # no case file failed a review
        "by_type": [
            {"agency_code": SCJ, "type_code": "penalty", "cases": 1, "decided": 1, "fined": 1, "fine_total": 3000.0}
        ],
    }
    assert rpc.cases.agency_case_facts({"username": "supervision", "role": "system"}, 2023) == []
