"""Issue 15's "Done when", one scenario over HTTP with the real personnel and cases services, the gateway and the broker
as processes: a case is reported and its documents uploaded stage by stage (a file of the wrong type refused with a
400 naming the rule, nothing stored); closing is refused (409 naming the 送达回证) until it is uploaded; the case is
drawn for review with an on-the-spot case closed without its whole-process recording; the reviewer, an officer of
another agency, reads the file (the documents each checklist item looks at, the on-the-spot file's missing-documents
deduction pre-filled) and downloads a document byte for byte; the file is scored failing; the correction is opened,
assigned, decided and closed; the accountability record ends in an exemption with its grounds; the chain verification
finds a changed byte and a deleted file; another agency's download is refused, the reviewer's too once the file is
scored, and every download is in the gateway's audit trail. Every answer is checked against the gateway's
/openapi.json."""

from __future__ import annotations

import pytest
from cases_support import (
    NRJ,
    PASSWORD,
    SCJ,
    agency_admin,
    certified_officer,
    penalty_item,
    report_case,
    tamper_and_verify,
)
from enforcement_testing import RUN_DATE, db_rows, valid_id_number

EXEMPTION = {
    "kind": "due_diligence",
    "ground": "party_concealment",
    "text": "当事人隐匿送达地址，执法人员已依法公告送达",
}
STAGES = [  # the stage's dates, then its documents
    (
        {"investigation_ended_on": "2024-07-20"},
        [("inquiry_record", "investigated"), ("investigation_report", "investigated")],
    ),
    ({"notice_on": "2024-07-22"}, [("notice_of_rights", "noticed")]),
]


@pytest.fixture(autouse=True)
def records_from_2024(monkeypatch):
    """The processes this test starts hold cases filed from 2024 to the kind catalogue (the default is 2027)."""
    monkeypatch.setenv("CASES_RECORDS_REQUIRED_FROM", "2024-01-01")


def pdf(text: str) -> bytes:
    return b"%PDF-1.7\n" + text.encode() + b"\n%%EOF\n"


def attach(api, case_id: str, kind: str, stage: str) -> dict:
    answer = api.post(
        f"/cases/{case_id}/documents",
        params={"kind": kind, "stage": stage},
        data=pdf(f"{case_id} {kind}"),
        headers={"Content-Type": "application/pdf"},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def reviewer_account(suite, admin) -> tuple[dict, object]:
    """An officer of the agricultural agency with an account of their own: the file's reviewer."""
    officer = admin.post(
        "/officers",
        json={"agency_code": NRJ, "name": "评查员", "id_number": valid_id_number(760), "domains": ["agriculture"]},
    )
    assert officer.status_code == 201, officer.text
    account = admin.post(
        "/users",
        json={
            "username": "nrj-reviewer",
            "password": PASSWORD,
            "role": "officer",
            "agency_code": NRJ,
            "officer_id": officer.json()["officer_id"],
        },
    )
    assert account.status_code == 201, account.text
    return officer.json(), suite.login("nrj-reviewer", PASSWORD)


# One life cycle told in order (each step needs the one before), so longer than 50 lines on purpose.
@pytest.mark.timeout(300)
def test_a_case_file_from_its_documents_to_review_correction_and_accountability(cases_suite, tmp_path):
    suite = cases_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-lifecycle")
    nrj = agency_admin(suite, admin, NRJ, "nrj-lifecycle")
    officers = [certified_officer(suite, scj, seq) for seq in (751, 752)]
    reviewer, as_reviewer = reviewer_account(suite, admin)
    item = penalty_item(scj, "SCJ-CF-075")
    case_id = report_case(scj, item, officers, "五市监罚〔2024〕75号")["case_id"]

    # documents stage by stage; closing refused while the 送达回证 is missing, then closed
    docs = [attach(scj, case_id, "filing_approval", "filed")]
    store = tmp_path / "cases-documents"  # CASES_STORAGE_DIR of the test's processes
    kept = sorted(p.name for p in store.rglob("*") if p.is_file())
    photo = scj.post(  # a PDF is not a photo: 400 naming the rule, nothing stored
        f"/cases/{case_id}/documents",
        params={"kind": "evidence_photo", "stage": "filed"},
        data=pdf("not a photo"),
        headers={"Content-Type": "application/pdf"},
    )
    assert photo.status_code == 400 and photo.json()["fields"] == {
        "file": ["a evidence_photo is one of image/jpeg, image/png, not application/pdf"]
    }
    assert sorted(p.name for p in store.rglob("*") if p.is_file()) == kept
    assert scj.get(f"/cases/{case_id}/documents").json()["total"] == 1
    for dates, kinds in STAGES:
        assert scj.patch(f"/cases/{case_id}", json=dates).status_code == 200
        docs += [attach(scj, case_id, kind, stage) for kind, stage in kinds]
    decided = scj.post(
        f"/cases/{case_id}/decision", json={"decided_on": "2024-08-05", "penalty": {"kinds": ["warning"]}}
    )
    assert decided.status_code == 200, decided.text
    docs.append(attach(scj, case_id, "decision", "decided"))
    assert scj.patch(f"/cases/{case_id}", json={"served_on": "2024-08-06"}).status_code == 200
    refused = scj.patch(f"/cases/{case_id}", json={"closed_on": "2024-08-12"})
    assert refused.status_code == 409 and refused.json()["fields"] == {
        "closed_on": ["missing document service_receipt"]
    }
    docs.append(attach(scj, case_id, "service_receipt", "served"))
    closed = scj.patch(f"/cases/{case_id}", json={"closed_on": "2024-08-12"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed", closed.text

    # an on-the-spot penalty (当场处罚) closed with its decision but no whole-process recording
    spot = report_case(
        scj,
        item,
        officers,
        "当场〔2024〕76号",
        procedure="simplified",
        violation_on="2024-07-03",
        decision={"decided_on": "2024-07-03", "penalty": {"kinds": ["warning"]}},
    )
    attach(scj, spot["case_id"], "decision", "decided")
    assert scj.patch(f"/cases/{spot['case_id']}", json={"closed_on": "2024-07-10"}).status_code == 200

    # drawn for review, both files assigned to the reviewer of another agency
    period = {"agency_code": SCJ, "closed_from": "2024-01-01", "closed_to": "2024-12-31", "size": 2}
    planned = admin.post("/reviews/batches", json=period).json()
    assert planned["checklist_version"] == 2 and planned["population_size"] == 2
    batch = admin.post(f"/reviews/batches/{planned['batch_id']}/execution").json()
    files = {f["case_id"]: f["file_id"] for f in batch["files"]}
    assigned = admin.post(
        f"/reviews/batches/{batch['batch_id']}/assignments",
        json={"assignments": [{"file_id": f, "reviewer_id": reviewer["officer_id"]} for f in files.values()]},
    )
    assert assigned.status_code == 200, assigned.text

    # the reviewer reads the files: the documents, what each item looks at, the missing documents pre-filled
    review = as_reviewer.get(f"/reviews/files/{files[case_id]}")
    assert review.status_code == 200, review.text
    review = review.json()
    assert [d["document_id"] for d in review["documents"]] == [d["document_id"] for d in docs]
    items = {i["code"]: i for i in review["items"]}
    receipt = next(d for d in items["documents"]["documents"] if d["code"] == "service_receipt")
    assert receipt == {"code": "service_receipt", "name": "送达回证", "document_ids": [docs[-1]["document_id"]]}
    assert review["missing_documents"] == [] and review["proposed"]["deductions"] == []
    spot_review = as_reviewer.get(f"/reviews/files/{files[spot['case_id']]}").json()
    assert spot_review["missing_documents"] == [{"code": "recording", "name": "执法记录仪音视频"}]
    assert spot_review["proposed"]["deductions"] == [
        {"code": "documents", "points": 5, "note": "缺少执法记录仪音视频（recording）"}
    ]
    assert scj.get(f"/reviews/files/{files[case_id]}").status_code == 403  # the case's agency does not review it
    decision = next(d for d in review["documents"] if d["kind"] == "decision")
    downloaded = as_reviewer.get(decision["download"])
    assert downloaded.status_code == 200 and downloaded.content == pdf(f"{case_id} decision")
    assert nrj.get(decision["download"]).status_code == 403  # the reviewer's agency is not the case's

    # scored: the ordinary file fails (a basic item), the on-the-spot one with the proposal as it stands
    failed = admin.post(
        f"/reviews/files/{files[case_id]}/score",
        json={"scored_on": RUN_DATE.isoformat(), "basic_failures": ["evidence"]},
    )
    assert failed.status_code == 200 and failed.json()["grade"] == "fail", failed.text
    spot_scored = admin.post(
        f"/reviews/files/{files[spot['case_id']]}/score",
        json={"scored_on": RUN_DATE.isoformat(), **spot_review["proposed"]},
    )
    assert (spot_scored.json()["form_score"], spot_scored.json()["grade"]) == (15, "excellent"), spot_scored.text
    assert as_reviewer.get(decision["download"]).status_code == 403  # scored: the review's access has ended

    # the correction: opened, assigned, decided and closed by the case's agency
    today = RUN_DATE.isoformat()
    followups = {r["kind"]: r for r in scj.get("/reviews/followups").json()["items"]}
    assert {r["case_id"] for r in followups.values()} == {case_id}
    rid, aid = followups["correction"]["record_id"], followups["accountability"]["record_id"]
    assert followups["correction"]["state"] == "opened"
    steps = [
        ("assignment", {"assigned_on": today, "assignee": "综合执法科"}, "assigned"),
        ("decision", {"decided_on": today, "measure": "remade"}, "decided"),
        ("closure", {"closed_on": today, "note": "已重新作出处罚决定"}, "closed"),
    ]
    for step, body, state in steps:
        moved = scj.post(f"/reviews/followups/{rid}/{step}", json=body)
        assert moved.status_code == 200 and moved.json()["state"] == state, moved.text

    # the accountability record: the bureau's, ending in an exemption with its grounds
    assigned = admin.post(
        f"/reviews/followups/{aid}/assignment",
        json={"assigned_on": today, "assignee": "县司法局执法监督科", "assignee_agency_code": "140928-sfj"},
    )
    assert assigned.status_code == 200, assigned.text
    decided = admin.post(
        f"/reviews/followups/{aid}/decision",
        json={
            "decided_on": today,
            "officers": [{"officer_id": o["officer_id"], "exemption": EXEMPTION} for o in officers],
        },
    )
    assert decided.status_code == 200 and decided.json()["exemptions"] == 2, decided.text
    assert admin.post(f"/reviews/followups/{aid}/closure", json={"closed_on": today}).status_code == 200
    record = scj.get(f"/reviews/followups/{aid}").json()
    assert record["state"] == "closed" and [o["exemption"] for o in record["officers"]] == [EXEMPTION, EXEMPTION]

    # the chain verification finds a changed byte and a deleted file
    verification = f"/cases/{case_id}/records/verification"
    assert scj.get(verification).json()["ok"] is True
    tamper_and_verify(admin, case_id, store, changed=docs[1], deleted=docs[2])

    # every download, served or refused, is in the gateway's audit trail with who asked
    rows = db_rows(
        suite.gateway_db,
        "SELECT username, status, target FROM audit_records WHERE action = :a ORDER BY id",
        a="GET /api/v1/cases/<case_id>/documents/<document_id>/file",
    )
    assert [(r["username"], r["status"]) for r in rows] == [
        ("nrj-reviewer", 200),
        ("nrj-lifecycle", 403),
        ("nrj-reviewer", 403),
    ]
    assert all(decision["document_id"] in r["target"] for r in rows)
