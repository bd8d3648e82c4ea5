"""End to end over HTTP (issue 13, access and privacy): the major-decision lists are published on purpose — the
public reads every agency's under /public/ (cacheable, no personal data), and so does any signed-in role — and a
refusal naming an officer of another agency reads exactly as one naming an unknown officer. Every answer is checked
against /openapi.json."""

from __future__ import annotations

import pytest
from cases_support import DOMAIN, NRJ, SCJ, agency_admin, certified_officer
from enforcement_testing import valid_id_number

pytestmark = pytest.mark.timeout(240)


def _created(response, status=201) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def _item(scj, code: str, name: str) -> dict:
    body = {
        "agency_code": SCJ,
        "code": code,
        "type_code": "penalty",
        "name": name,
        "domain": DOMAIN,
        "legal_basis": "《中华人民共和国食品安全法》第一百二十四条",
        "effective_from": "2022-01-01",
    }
    return _created(scj.post("/catalogue/items", json=body))


def test_the_major_decision_lists_are_public_on_purpose(cases_suite):
    suite = cases_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-admin")
    nrj = agency_admin(suite, admin, NRJ, "nrj-admin")
    public = suite.anonymous()
    item = _item(scj, "SCJ-CF-201", "生产经营禁止生产经营的食品")
    by_item = _created(scj.post("/major-decision-list", json={"agency_code": SCJ, "item_id": item["item_id"]}))
    _created(scj.post("/major-decision-list", json={"agency_code": SCJ, "fine_from": 50000, "note": "五万元以上罚款"}))
    removed = _created(scj.post("/major-decision-list", json={"agency_code": SCJ, "type_code": "coercion"}))
    assert scj.delete(f"/major-decision-list/{removed['rule_id']}").status_code == 200
    _created(nrj.post("/major-decision-list", json={"agency_code": NRJ, "penalty_kind": "revoke_licence"}))

    listed = public.get("/public/major-decision-list", params={"agency_code": SCJ})
    assert listed.status_code == 200, listed.text
    assert listed.headers["Cache-Control"].startswith("public, max-age=")  # published: shared caches may keep it
    page = listed.json()
    assert page["total"] == 2 and [r["rule_id"] for r in page["items"]] == [
        by_item["rule_id"],
        page["items"][1]["rule_id"],
    ]
    first, second = page["items"]
    assert (first["item_id"], first["item_code"], first["item_name"]) == (
        item["item_id"],
        "SCJ-CF-201",
        "生产经营禁止生产经营的食品",
    )
    assert first["agency_name"] == "县市场监管局" and (second["fine_from"], second["note"]) == (
        50000.0,
        "五万元以上罚款",
    )
    assert set(first) == {
        "rule_id",
        "agency_code",
        "agency_name",
        "item_id",
        "item_code",
        "item_name",
        "penalty_kind",
        "fine_from",
        "type_code",
        "circumstance",
        "note",
    }  # what a decision is, never who: no person, no case
    everyone = public.get("/public/major-decision-list").json()
    assert {r["agency_code"] for r in everyone["items"]} == {SCJ, NRJ} and everyone["total"] == 3
    bad = public.get("/public/major-decision-list", params={"agency_code": "not a code!"})
    assert bad.status_code == 400 and "agency_code" in bad.json()["fields"]

    # the staff list reads the same published information for any agency (not scoped, on purpose)
    theirs = nrj.get("/major-decision-list", params={"agency_code": SCJ})
    assert theirs.status_code == 200 and theirs.json()["total"] == 2
    # writing stays the agency's own
    refused = nrj.post("/major-decision-list", json={"agency_code": SCJ, "penalty_kind": "detention"})
    assert refused.status_code == 403


def test_a_case_naming_another_agency_s_officer_reads_as_an_unknown_officer(cases_suite):
    suite = cases_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-admin")
    mine = certified_officer(suite, scj, 611)
    theirs = _created(
        admin.post(
            "/officers",
            json={
                "agency_code": NRJ,
                "name": "农业执法员乙",
                "id_number": valid_id_number(612),
                "domains": ["agriculture"],
            },
        )
    )
    item = _item(scj, "SCJ-CF-202", "未按规定公示食品经营许可")
    payload = {
        "agency_code": SCJ,
        "case_number": "五市监罚〔2024〕90号",
        "item_id": item["item_id"],
        "filed_on": "2024-07-03",
        "violation_on": "2024-06-28",
        "party": {"kind": "organisation", "name": "某某食品店"},
    }

    def refusal(officer_id: str) -> dict:
        officers = [{"officer_id": mine["officer_id"]}, {"officer_id": officer_id}]
        response = scj.post("/cases", json={**payload, "officers": officers})
        assert response.status_code == 400, response.text
        return response.json()

    other = refusal(theirs["officer_id"])
    unknown = refusal("f" * 32)
    text = str(other)
    assert "农业执法员乙" not in text and NRJ not in text and "another agency" not in text
    assert text.replace(theirs["officer_id"], "f" * 32) == str(unknown)
    assert f"officer {theirs['officer_id']} not found in the acting agency" in text
