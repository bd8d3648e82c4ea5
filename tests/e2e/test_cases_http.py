"""End to end over HTTP: an agency reports a case, a qualified reviewer passes it, it is decided, served and published
late; the lateness is on the cases service's /metrics, and, through the real supervision service consuming the cases
service's measurements, in the agency's county-wide promptness (its /metrics, its on-time ratio over HTTP) and in an
item opened for the late publication; the public list shows it masked. Bad input is a 4xx naming the field and writes
nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest
from enforcement_testing import (
    db_count,
    db_counts,
    drop_event_queues,
    metric_value,
    publish_event,
    valid_id_number,
    wait_until,
)

from enforcement_contracts import training

SCJ = "140928-scjgj"  # 县市场监管局
NRJ = "140928-nyncj"  # 县农业农村局
PASSWORD = "a-long-enough-password"
DOMAIN = "market_supervision"
CERT_ISSUED = date(2024, 1, 2)


def agency_admin(suite, admin, agency_code: str, username: str):
    response = admin.post(
        "/users", json={"username": username, "password": PASSWORD, "role": "agency_admin", "agency_code": agency_code}
    )
    assert response.status_code == 201, response.text
    return suite.login(username, PASSWORD)


def certified_officer(suite, api, seq: int) -> dict:
    """Registered over HTTP; the training service's facts as events; a certificate dated early in 2024."""
    officer = api.post(
        "/officers",
        json={"agency_code": SCJ, "name": f"执法员{seq}", "id_number": valid_id_number(seq), "domains": [DOMAIN]},
    )
    assert officer.status_code == 201, officer.text
    officer = officer.json()
    publish_event(
        suite.amqp_uri,
        training.HOURS_UPDATED,
        {
            "officer_id": officer["officer_id"],
            "agency_code": SCJ,
            "year": CERT_ISSUED.year,
            "revision": 1,
            "hours_by_category": {"public_law": 30.0, "professional": 30.0},
            "required_courses_done": True,
        },
    )
    publish_event(
        suite.amqp_uri,
        training.EXAM_PASSED,
        {
            "result_id": f"exam-{officer['officer_id']}",
            "officer_id": officer["officer_id"],
            "agency_code": SCJ,
            "exam_kind": "qualification",
            "score": 82,
            "pass_mark": 60,
            "sat_on": CERT_ISSUED.isoformat(),
        },
    )
    wait_until(
        lambda: api.get(f"/officers/{officer['officer_id']}/eligibility", params={"year": CERT_ISSUED.year}).json()[
            "eligible"
        ],
        message="training facts arrived",
    )
    cert = api.post(
        "/certificates",
        json={"officer_id": officer["officer_id"], "domains": [DOMAIN], "issued_on": CERT_ISSUED.isoformat()},
    )
    assert cert.status_code == 201, cert.text
    return officer


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
    assert opened[0]["body"].startswith(f"{case['case_id']}: 8 working days from 2024-09-27 to 2024-10-14")

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
        "by_type": [
            {"agency_code": SCJ, "type_code": "penalty", "cases": 1, "decided": 1, "fined": 1, "fine_total": 3000.0}
        ],
    }
    assert rpc.cases.agency_case_facts({"username": "supervision", "role": "system"}, 2023) == []


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
    v1 = admin.get("/reviews/checklists").json()[0]["items"]
    short = admin.post("/reviews/checklists", json={"effective_from": "2099-01-01", "items": v1[:-1]})
    assert short.status_code == 400 and "content items add up to 70" in " ".join(short.json()["fields"]["items"])
    v2 = admin.post("/reviews/checklists", json={"effective_from": "2099-01-01", "items": v1})
    assert v2.status_code == 201 and v2.json()["version"] == 2  # not in force yet: today's draw uses version 1
    drawn = admin.post(
        "/reviews/batches",
        json={
            "agency_code": SCJ,
            "closed_from": "2024-01-01",
            "closed_to": "2024-12-31",
            "size": 2,
            "seed": "2024-h1-review",
        },
    )
    assert drawn.status_code == 201, drawn.text
    batch = drawn.json()
    assert batch["population_size"] == 3 and batch["checklist_version"] == 1
    assert sorted(f["case_id"] for f in batch["files"]) == sorted(seeded_sample(case_ids, 2, "2024-h1-review"))
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
        json={"scored_on": date.today().isoformat(), "deductions": [{"code": "documents", "points": 11}]},
    )
    assert over.status_code == 400 and "deductions" in over.json()["fields"]
    passed = admin.post(
        f"/reviews/files/{first['file_id']}/score",
        json={
            "scored_on": date.today().isoformat(),
            "deductions": [{"code": "discretion", "points": 6}, {"code": "signatures", "points": 5}],
        },
    )
    assert passed.status_code == 200, passed.text
    assert (passed.json()["total"], passed.json()["grade"]) == (89, "pass")
    failed = admin.post(
        f"/reviews/files/{second['file_id']}/score",
        json={"scored_on": date.today().isoformat(), "basic_failures": ["evidence"]},
    )
    assert (failed.json()["total"], failed.json()["grade"]) == (0, "fail")

    grades = {f["file_id"]: f["grade"] for f in scj.get("/reviews/files").json()["items"]}
    assert grades == {first["file_id"]: "pass", second["file_id"]: "fail"}
    facts = rpc.cases.agency_case_facts({"username": "supervision", "role": "system"}, date.today().year)
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


@pytest.mark.timeout(240)
def test_spreadsheet_import_reports_every_bad_row_and_imports_nothing_until_all_pass(cases_suite):
    import io

    from openpyxl import Workbook

    suite = cases_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-admin")
    a, b = (certified_officer(suite, scj, seq) for seq in (701, 702))
    scj.post(
        "/catalogue/items",
        json={
            "agency_code": SCJ,
            "code": "SCJ-CF-020",
            "type_code": "penalty",
            "name": "未按规定索证索票",
            "domain": DOMAIN,
            "legal_basis": "《中华人民共和国食品安全法》第一百二十六条",
            "effective_from": "2021-01-01",
        },
    ).raise_for_status()
    clear_id = valid_id_number(720)
    header = (
        "案件编号",
        "事项编码",
        "立案日期",
        "当事人类型",
        "当事人",
        "证件号码",
        "执法人员编号",
        "违法行为日期",
        "告知日期",
        "决定日期",
        "处罚种类",
        "罚款金额",
    )
    good = [
        (
            "五市监罚〔2024〕301号",
            "SCJ-CF-020",
            "2024-04-01",
            "公民",
            "王五",
            clear_id,
            f"{a['officer_id']},{b['officer_id']}",
            "2024-03-28",
            "2024-04-20",
            "2024-05-06",
            "罚款",
            2000,
        ),
        (
            "五市监罚〔2024〕302号",
            "SCJ-CF-020",
            "2024-04-02",
            "法人",
            "五寨县某超市",
            None,
            f"{a['officer_id']},{b['officer_id']}",
            "2024-03-30",
            None,
            None,
            None,
            None,
        ),
    ]
    bad = [
        (
            "五市监罚〔2024〕303号",
            "SCJ-CF-999",
            "2024-04-03",
            "公民",
            "赵六",
            None,
            f"{a['officer_id']},{b['officer_id']}",
            "2024-04-01",
            None,
            None,
            None,
            None,
        ),
        (
            "五市监罚〔2024〕304号",
            "SCJ-CF-020",
            "2024-04-04",
            "公民",
            "钱七",
            None,
            a["officer_id"],
            "2024-04-01",
            "2024-03-01",
            None,
            None,
            None,
        ),
    ]

    def sheet(rows) -> bytes:
        book = Workbook()
        book.active.append(header)
        for row in rows:
            book.active.append(list(row))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    xlsx = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    refused = scj.post("/cases/import", data=sheet(good + bad), headers=xlsx)
    assert refused.status_code == 400, refused.text
    assert "2 of 4 rows were refused; nothing was imported" == refused.json()["message"]
    problems = {(p["row"], p["column"]) for p in refused.json()["rows"]}
    assert problems == {(4, "item_code"), (5, "officer_ids"), (5, "notice_on")}
    assert db_count(suite.cases_db, "cases") == 0
    assert clear_id not in refused.text

    dry = scj.post("/cases/import", params={"dry_run": "true"}, data=sheet(good), headers=xlsx)
    assert dry.status_code == 200 and dry.json()["imported"] == 2 and dry.json()["dry_run"] is True
    assert db_count(suite.cases_db, "cases") == 0
    done = scj.post("/cases/import", data=sheet(good), headers=xlsx)
    assert done.status_code == 200, done.text
    assert done.json()["imported"] == 2 and db_count(suite.cases_db, "cases") == 2
    first = scj.get(f"/cases/{done.json()['case_ids'][0]}").json()
    assert first["status"] == "decided" and first["fine_amount"] == 2000
    assert first["party"]["id_number_masked"] == clear_id[:6] + "********" + clear_id[-4:]
    again = scj.post("/cases/import", data=sheet(good), headers=xlsx)
    assert again.status_code == 400 and {p["column"] for p in again.json()["rows"]} == {"case_number"}
    wrong_type = scj.post("/cases/import", data=b"{}", headers={"Content-Type": "application/json"})
    assert wrong_type.status_code == 415
