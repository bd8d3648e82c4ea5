"""End to end over HTTP (issue 12, rules 1 and 13): the police bureau (县公安局) registers two police officers with
their police cards and records a penalty case with both, accepted and decided, with no enforcement certificate; a
police officer is refused in a domain outside the bureau's domains; looking up an ID number registered in another
agency answers exactly as an unknown one."""

from __future__ import annotations

import pytest
from cases_support import SCJ, agency_admin
from enforcement_testing import db_counts, valid_id_number

GAJ = "140928-gaj"  # 县公安局, seeded with its domain public_security


def _item(api, code: str, domain: str) -> dict:
    item = api.post(
        "/catalogue/items",
        json={
            "agency_code": GAJ,
            "code": code,
            "type_code": "penalty",
            "name": "扰乱公共秩序" if domain == "public_security" else "未按规定公示营业执照",
            "domain": domain,
            "legal_basis": "《治安管理处罚法》第二十三条",
            "effective_from": "2022-03-01",
        },
    )
    assert item.status_code == 201, item.text
    return item.json()


# One story told in order (the officers, the items, the refusals and the case build on each other).
@pytest.mark.timeout(240)
def test_the_police_bureau_records_a_case_with_two_police_officers(cases_suite):
    suite = cases_suite
    admin = suite.admin()
    gaj = agency_admin(suite, admin, GAJ, "gaj-admin")
    scj = agency_admin(suite, admin, SCJ, "scj-admin")

    # a police officer needs a police card number: refused field by field, nothing written
    before = db_counts(suite.personnel_db, "officers")
    clear_ids = [valid_id_number(seq) for seq in (601, 602)]
    no_card = gaj.post("/officers", json={"agency_code": GAJ, "name": "民警甲", "id_number": clear_ids[0]})
    assert no_card.status_code == 400, no_card.text
    assert no_card.json()["fields"] == {"police_card_number": ["a police officer needs a police card number"]}
    assert db_counts(suite.personnel_db, "officers") == before
    officers = []
    for name, id_number, card in zip(("民警甲", "民警乙"), clear_ids, ("140601", "140602"), strict=True):
        created = gaj.post(
            "/officers",
            json={
                "agency_code": GAJ,
                "name": name,
                "id_number": id_number,
                "police_card_number": card,
                "appointed_on": "2019-09-02",  # in post since: the case's dates are after it
            },
        )
        assert created.status_code == 201, created.text
        assert created.json()["is_police"] is True and created.json()["police_card_number"] == card
        assert created.json()["certificate_number"] is None  # no enforcement certificate, none needed
        officers.append(created.json())
    shown = gaj.get(f"/officers/{officers[0]['officer_id']}").json()
    assert shown["police_card_number"] == "140601" and clear_ids[0] not in str(shown)

    # a case in a domain outside the bureau's: refused for each officer, naming the domain
    outside = _item(gaj, "GAJ-CF-900", "market_supervision")
    payload = {
        "agency_code": GAJ,
        "case_number": "五公罚〔2024〕12号",
        "filed_on": "2024-07-03",
        "violation_on": "2024-06-28",
        "party": {"kind": "citizen", "name": "王五", "id_number": valid_id_number(777)},
        "officers": [{"officer_id": o["officer_id"]} for o in officers],
    }
    before = db_counts(suite.cases_db, "cases", "outbox_events")
    refused = gaj.post("/cases", json={**payload, "item_id": outside["item_id"]})
    assert refused.status_code == 400, refused.text
    problems = refused.json()["fields"]["officers"]
    assert len(problems) == 2 and all("not one of the police bureau's domains" in p for p in problems), problems
    assert not any("certificate" in p for p in problems)
    assert db_counts(suite.cases_db, "cases", "outbox_events") == before

    # in the bureau's domain: accepted with both police officers, then decided
    item = _item(gaj, "GAJ-CF-001", "public_security")
    created = gaj.post("/cases", json={**payload, "item_id": item["item_id"]})
    assert created.status_code == 201, created.text
    case = created.json()
    assert sorted(o["officer_id"] for o in case["officers"]) == sorted(o["officer_id"] for o in officers)
    decided = gaj.post(
        f"/cases/{case['case_id']}/decision",
        json={"decided_on": "2024-08-20", "penalty": {"kinds": ["warning"]}, "summary": "警告"},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "decided"

    # another agency looking the officer's ID number up learns nothing: the same answer as an unknown number
    theirs = scj.post("/officers/lookup", json={"id_number": clear_ids[0]})
    unknown = scj.post("/officers/lookup", json={"id_number": valid_id_number(699)})
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() == unknown.json()
    assert (
        gaj.post("/officers/lookup", json={"id_number": clear_ids[0]}).json()["officer_id"] == officers[0]["officer_id"]
    )
