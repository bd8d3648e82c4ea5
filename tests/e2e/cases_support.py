"""What the cases end-to-end tests share: the agencies they use, an agency admin, a certified officer."""

from __future__ import annotations

from datetime import date

from enforcement_testing import publish_event, valid_id_number, wait_until

from enforcement_contracts.training import compliance as training_compliance
from enforcement_contracts.training import exams as training_exams

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
        training_compliance.HOURS_UPDATED,
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
        training_exams.EXAM_PASSED,
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
    cert = suite.admin().post(  # the issuing authority (the bureau) issues, whoever registered the officer
        "/certificates",
        json={"officer_id": officer["officer_id"], "domains": [DOMAIN], "issued_on": CERT_ISSUED.isoformat()},
    )
    assert cert.status_code == 201, cert.text
    return officer


def penalty_item(api, code: str, name: str = "销售过期食品") -> dict:
    """A penalty item of the market regulator's catalogue, created over HTTP."""
    item = api.post(
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
    assert item.status_code == 201, item.text
    return item.json()


def report_case(api, item: dict, officers: list[dict], number: str, **extra) -> dict:
    """A case of ``item`` against a company, filed 2024-07-03 by the market regulator, reported over HTTP; ``extra``
    adds or overrides fields of the report (later stages, another party)."""
    reported = api.post(
        "/cases",
        json={
            "agency_code": SCJ,
            "case_number": number,
            "item_id": item["item_id"],
            "filed_on": "2024-07-03",
            "violation_on": "2024-06-28",
            "party": {"kind": "organisation", "name": "某某商贸有限公司"},
            "officers": [{"officer_id": o["officer_id"]} for o in officers],
            **extra,
        },
    )
    assert reported.status_code == 201, reported.text
    return reported.json()


def tamper_and_verify(api, case_id: str, store, changed: dict, deleted: dict) -> None:
    """A byte of ``changed``'s file flipped on disk and ``deleted``'s file removed from ``store`` (the test processes'
    CASES_STORAGE_DIR); the case's chain verification then reports exactly those two and no entry altered."""
    path = store / changed["sha256"][:2] / changed["sha256"]
    path.chmod(0o640)  # stored files are read-only
    content = bytearray(path.read_bytes())
    content[10] ^= 0x20
    path.write_bytes(bytes(content))
    (store / deleted["sha256"][:2] / deleted["sha256"]).unlink()
    report = api.get(f"/cases/{case_id}/records/verification").json()
    assert report["ok"] is False and report["altered"] == []
    assert [p["reference"] for p in report["changed"]] == [changed["document_id"]]
    assert [p["reference"] for p in report["missing"]] == [deleted["document_id"]]
