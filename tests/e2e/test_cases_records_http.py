"""End to end over HTTP with the real personnel and cases services and the gateway as processes: a case's records
(issue 15). Documents are uploaded stage by stage; closing is refused (409 naming the missing 送达回证) until the last
one is there; a whole-process recording is registered; the chain verification finds a byte changed on disk and a file
deleted, and is refused to another agency. Every answer is checked against the gateway's /openapi.json."""

from __future__ import annotations

import pytest
from cases_support import (
    NRJ,
    SCJ,
    agency_admin,
    certified_officer,
    penalty_item,
    report_case,
    tamper_and_verify,
)


@pytest.fixture(autouse=True)
def records_from_2024(monkeypatch):
    """The processes this test starts hold cases filed from 2024 to the kind catalogue (the default is 2027)."""
    monkeypatch.setenv("CASES_RECORDS_REQUIRED_FROM", "2024-01-01")


def pdf(text: str) -> bytes:
    return b"%PDF-1.7\n" + text.encode() + b"\n%%EOF\n"


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
@pytest.mark.timeout(240)
def test_closing_waits_for_the_service_receipt_and_the_chain_finds_tampering(cases_suite, tmp_path):
    suite = cases_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-records")
    nrj = agency_admin(suite, admin, NRJ, "nrj-records")
    officers = [certified_officer(suite, scj, seq) for seq in (631, 632)]
    kinds = scj.get("/document-kinds")
    assert kinds.status_code == 200, kinds.text
    kinds = kinds.json()
    assert {k["code"]: k["name"] for k in kinds["kinds"]}["service_receipt"] == "送达回证"
    item = penalty_item(scj, "SCJ-CF-063")
    reported = report_case(scj, item, officers, "五市监罚〔2024〕63号")
    case_id = reported["case_id"]
    assert [d["code"] for d in reported["records"]["missing_documents"]] == ["filing_approval"]

    def attach(kind: str, stage: str) -> dict:
        answer = scj.post(
            f"/cases/{case_id}/documents",
            params={"kind": kind, "stage": stage},
            data=pdf(f"{case_id} {kind}"),
            headers={"Content-Type": "application/pdf"},
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    # stage by stage: each stage recorded, then its documents
    docs = [attach("filing_approval", "filed")]
    stages = [
        (
            {"investigation_ended_on": "2024-07-20"},
            [("inquiry_record", "investigated"), ("investigation_report", "investigated")],
        ),
        ({"notice_on": "2024-07-22"}, [("notice_of_rights", "noticed")]),
    ]
    for dates, kinds_of_stage in stages:
        assert scj.patch(f"/cases/{case_id}", json=dates).status_code == 200
        docs += [attach(kind, stage) for kind, stage in kinds_of_stage]
    decided = scj.post(
        f"/cases/{case_id}/decision", json={"decided_on": "2024-08-05", "penalty": {"kinds": ["warning"]}}
    )
    assert decided.status_code == 200, decided.text
    docs.append(attach("decision", "decided"))
    assert scj.patch(f"/cases/{case_id}", json={"served_on": "2024-08-06"}).status_code == 200
    checks = scj.get(f"/cases/{case_id}/records/checks").json()
    assert checks["missing_documents"] == [{"code": "service_receipt", "name": "送达回证"}]

    refused = scj.patch(f"/cases/{case_id}", json={"closed_on": "2024-08-12"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["fields"] == {"closed_on": ["missing document service_receipt"]}
    assert scj.get(f"/cases/{case_id}").json()["closed_on"] is None
    docs.append(attach("service_receipt", "served"))
    closed = scj.patch(f"/cases/{case_id}", json={"closed_on": "2024-08-12"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed", closed.text

    # a whole-process recording by the recorder system's reference: the next entry of the chain
    recording = scj.post(
        f"/cases/{case_id}/recordings",
        json={
            "device_id": "DSJ-0063",
            "officer_id": officers[0]["officer_id"],
            "started_at": "2024-07-03T09:00:00+08:00",
            "ended_at": "2024-07-03T09:25:00+08:00",
            "place": "五寨县某超市",
            "recorder_reference": "DSJ-0063-20240703-0900",
        },
    )
    assert recording.status_code == 201, recording.text
    assert recording.json()["chain_seq"] == len(docs) + 1
    assert (
        scj.get(f"/cases/{case_id}/recordings").json()["items"][0]["recording_id"] == recording.json()["recording_id"]
    )
    backwards = scj.post(
        f"/cases/{case_id}/recordings",
        json={
            "device_id": "DSJ-0063",
            "officer_id": officers[0]["officer_id"],
            "started_at": "2024-07-03T09:00:00+08:00",
            "ended_at": "2024-07-03T08:00:00+08:00",
            "place": "五寨县某超市",
            "recorder_reference": "R",
        },
    )
    assert backwards.status_code == 400 and "ended_at" in backwards.json()["fields"]

    # the verification: clean, then a byte changed on disk, then a file deleted; another agency is refused
    verification = f"/cases/{case_id}/records/verification"
    clean = scj.get(verification).json()
    assert clean["ok"] is True and clean["entries"] == len(docs) + 1 and clean["files_checked"] == len(docs)
    assert nrj.get(verification).status_code == 403
    tamper_and_verify(admin, case_id, tmp_path / "cases-documents", changed=docs[1], deleted=docs[2])
