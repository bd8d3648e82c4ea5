"""The personnel reads the console's pages use, over HTTP (every answer checked against /openapi.json): an agency with
its counts, officers by a part of the name and by certificate status, an officer's certificates with their status
history, a certificate with its history, an officer's yearly assessments, and who may read them."""

from __future__ import annotations

import pytest
from enforcement_testing import RUN_DATE, wait_until
from test_http import NRJ, SCJ, agency_admin, feed_training, register


@pytest.mark.timeout(120)
def test_the_console_reads_of_personnel(suite):
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-console")
    nrj = agency_admin(suite, admin, NRJ, "nrj-console")
    today = RUN_DATE

    certified = register(scj, SCJ, 611)
    plain = register(scj, SCJ, 612)
    oid = certified["officer_id"]
    feed_training(suite.amqp_uri, oid, SCJ, today.year)
    wait_until(lambda: scj.get(f"/officers/{oid}/eligibility").json()["eligible"], message="training facts arrived")
    cert = admin.post("/certificates", json={"officer_id": oid, "domains": ["market_supervision"]})  # the bureau
    assert cert.status_code == 201, cert.text
    number = cert.json()["number"]
    suspended = scj.post(f"/certificates/{number}/status", json={"status": "suspended", "reason": "案件调查期间"})
    assert suspended.status_code == 200, suspended.text
    assert (
        scj.post(f"/officers/{oid}/assessments", json={"year": today.year - 1, "grade": "competent"}).status_code == 201
    )

    agency = scj.get(f"/agencies/{SCJ}")
    assert agency.status_code == 200
    assert agency.json()["officer_count"] == 2 and agency.json()["certified_count"] == 0  # the one certificate: 暂扣
    assert admin.get("/agencies/140928-nowhere").status_code == 404
    listed = {a["code"]: a for a in admin.get("/agencies", params={"per_page": 500}).json()["items"]}
    assert listed[SCJ]["officer_count"] == 2 and "certified_count" in listed[SCJ]

    found = scj.get("/officers", params={"name": "611"}).json()
    assert [o["officer_id"] for o in found["items"]] == [oid] and found["total"] == 1
    by_status = scj.get("/officers", params={"certificate_status": "suspended"}).json()["items"]
    assert [o["officer_id"] for o in by_status] == [oid]
    never = scj.get("/officers", params={"certificate_status": "none"}).json()["items"]
    assert [o["officer_id"] for o in never] == [plain["officer_id"]]
    refused = scj.get("/officers", params={"certificate_status": "lost"})
    assert refused.status_code == 400 and "certificate_status" in refused.json()["fields"]

    record = scj.get(f"/certificates/{number}").json()
    assert [(h["old_status"], h["new_status"]) for h in record["history"]] == [(None, "valid"), ("valid", "suspended")]
    assert record["history"][1]["reason"] == "案件调查期间" and record["history"][1]["actor"] == "scj-console"
    certificates = scj.get(f"/officers/{oid}/certificates", params={"per_page": 5}).json()
    assert certificates["total"] == 1 and certificates["items"][0]["history"] == record["history"]
    assessments = scj.get(f"/officers/{oid}/assessments").json()
    assert [(a["year"], a["grade"]) for a in assessments["items"]] == [(today.year - 1, "competent")]

    # another agency's administrator reads neither; the certificate check stays public and personal-data free
    assert nrj.get(f"/officers/{oid}/certificates").status_code == 403
    assert nrj.get(f"/officers/{oid}/assessments").status_code == 403
    assert nrj.get(f"/certificates/{number}").status_code == 403
    code = scj.get(f"/certificates/{number}").json()["check_code"]
    public = suite.anonymous().get(f"/public/certificates/{number}", params={"code": code})
    assert public.status_code == 200 and public.json()["status"] == "suspended" and "history" not in public.json()
    assert suite.anonymous().get(f"/officers/{oid}/certificates").status_code == 401
