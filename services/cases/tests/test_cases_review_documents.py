"""Case-file review with the files (issue 15.5) through the cases service's entrypoints, in process on SQLite and
PostgreSQL with the personnel service beside it: the seeded checklist version 2 names each item's documents; the
review file's answer lists the case's documents with their downloads and, per item, which of its documents the case
has; the documents the completeness checks find missing (here a needed whole-process recording) pre-fill the
missing-documents item's deduction; the assigned reviewer, of another agency, reads the case's documents until the
file is scored, nobody else of that agency does."""

from __future__ import annotations

import base64

import pytest
from enforcement_testing import BUREAU, RUN_DATE

from enforcement_contracts.errors import Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.timeout(180)

MARKET = "140928-scjgj"  # 县市场监管局
TRANSPORT = "140928-jtysj"  # the reviewer's agency
SCJ_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
STAGE = {
    "filing_approval": "filed",
    "inquiry_record": "investigated",
    "investigation_report": "investigated",
    "notice_of_rights": "noticed",
    "decision": "decided",
    "service_receipt": "served",
}


@pytest.fixture
def cases_service(personnel_service, run_service, database_url, tmp_path):
    """The conftest's service with the records rules in force for 2024's cases."""
    url = None if database_url.startswith("sqlite") else database_url
    records = {"storage_dir": str(tmp_path / "documents"), "required_from": "2024-01-01"}
    return run_service("cases", database_url=url, settings={"RPC_TIMEOUT": 10, "CASES": {"records": records}})


def pdf(text: str) -> bytes:
    return b"%PDF-1.4\n" + text.encode() + b"\n%%EOF\n"


def upload(desk, case_id: str, kind: str) -> dict:
    body = pdf(f"{case_id} {kind}")
    started = desk.cases.begin_document_upload(
        SCJ_ADMIN,
        case_id,
        {"kind": kind, "stage": STAGE[kind], "media_type": "application/pdf", "declared_size": len(body)},
    )
    desk.cases.append_document_chunk(SCJ_ADMIN, started["upload_id"], 0, base64.b64encode(body).decode())
    return desk.cases.finish_document_upload(SCJ_ADMIN, started["upload_id"])


def closed_cases(desk) -> tuple[dict, dict, list[dict]]:
    """An ordinary penalty case with every required document, closed; an on-the-spot one (it needs a whole-process
    recording) closed with its decision and no recording."""
    officers = desk.certified_officers(81, 2)
    item = desk.penalty_item()
    ordinary = desk.cases.report_case(
        SCJ_ADMIN,
        desk.report(
            item,
            officers,
            "五市监罚〔2024〕81号",
            investigation_ended_on="2024-07-20",
            notice_on="2024-07-22",
            decision={"decided_on": "2024-08-05", "penalty": {"kinds": ["warning"]}},
            served_on="2024-08-06",
        ),
    )
    docs = [upload(desk, ordinary["case_id"], kind) for kind in STAGE]
    desk.cases.update_case(SCJ_ADMIN, ordinary["case_id"], {"closed_on": "2024-08-12"})
    spot = desk.cases.report_case(
        SCJ_ADMIN,
        desk.report(
            item,
            officers,
            "当场〔2024〕82号",
            procedure="simplified",
            violation_on="2024-07-03",
            decision={"decided_on": "2024-07-03", "penalty": {"kinds": ["warning"]}},
        ),
    )
    upload(desk, spot["case_id"], "decision")
    desk.cases.update_case(SCJ_ADMIN, spot["case_id"], {"closed_on": "2024-07-10"})
    return ordinary, spot, docs


# One review told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_the_reviewer_reads_the_files_documents_and_the_missing_ones_prefill_the_score(desk, cases_service):
    ordinary, spot, docs = closed_cases(desk)
    reviewer = desk.register_officer(89, TRANSPORT)
    colleague = desk.register_officer(90, TRANSPORT)
    as_reviewer = {
        "username": "reviewer",
        "role": "officer",
        "agency_code": TRANSPORT,
        "officer_id": reviewer["officer_id"],
    }
    as_colleague = {**as_reviewer, "username": "colleague", "officer_id": colleague["officer_id"]}
    # before any assignment the reviewer is another agency's officer: the case's documents are refused
    with pytest.raises(Forbidden):
        desk.cases.list_documents(as_reviewer, ordinary["case_id"], {})

    planned = desk.cases.plan_review_batch(
        BUREAU, {"agency_code": MARKET, "closed_from": "2024-01-01", "closed_to": "2024-12-31", "size": 2}
    )
    assert planned["checklist_version"] == 2  # the seeded version naming the documents is in force
    batch = desk.cases.execute_review_batch(BUREAU, planned["batch_id"])
    files = {f["case_id"]: f for f in batch["files"]}
    desk.cases.assign_reviewers(
        BUREAU,
        batch["batch_id"],
        {"assignments": [{"file_id": f["file_id"], "reviewer_id": reviewer["officer_id"]} for f in batch["files"]]},
    )

    complete = desk.cases.get_review_file(as_reviewer, files[ordinary["case_id"]]["file_id"])
    assert complete["checklist_version"] == 2 and complete["reviewer_agency"] == TRANSPORT
    assert [d["document_id"] for d in complete["documents"]] == [d["document_id"] for d in docs]
    receipt = next(d for d in complete["documents"] if d["kind"] == "service_receipt")
    assert receipt["kind_name"] == "送达回证" and receipt["sha256"] == docs[-1]["sha256"]
    assert receipt["download"] == f"/cases/{ordinary['case_id']}/documents/{receipt['document_id']}/file"
    items = {i["code"]: i for i in complete["items"]}
    held = {d["code"]: d["document_ids"] for d in items["deadlines"]["documents"]}
    assert held == {
        "filing_approval": [docs[0]["document_id"]],
        "decision": [docs[4]["document_id"]],
        "service_receipt": [receipt["document_id"]],
    }
    assert {d["code"]: d["document_ids"] for d in items["execution"]["documents"]} == {
        "payment_receipt": [],
        "closing_report": [],
    }
    assert complete["missing_documents"] == [] and complete["completeness_enforced"] is True
    assert complete["proposed"] == {"basic_failures": [], "deductions": []}

    lacking = desk.cases.get_review_file(as_reviewer, files[spot["case_id"]]["file_id"])
    assert lacking["missing_documents"] == [{"code": "recording", "name": "执法记录仪音视频"}]
    assert lacking["proposed"]["deductions"] == [
        {"code": "documents", "points": 5, "note": "缺少执法记录仪音视频（recording）"}
    ]
    assert desk.cases.get_review_file(BUREAU, files[spot["case_id"]]["file_id"]) == lacking

    # the reviewer reads the documents of the cases assigned; a colleague and the case's agency do not read the file
    listed = desk.cases.list_documents(as_reviewer, ordinary["case_id"], {})
    assert listed["total"] == len(docs)
    chunk = desk.cases.read_document_chunk(as_reviewer, ordinary["case_id"], receipt["document_id"], 0, 1 << 20)
    assert base64.b64decode(chunk["data_base64"]) == pdf(f"{ordinary['case_id']} service_receipt")
    for stranger in (as_colleague, SCJ_ADMIN):
        with pytest.raises(Forbidden):
            desk.cases.get_review_file(stranger, files[ordinary["case_id"]]["file_id"])
    with pytest.raises(Forbidden):
        desk.cases.read_document_chunk(as_colleague, ordinary["case_id"], receipt["document_id"], 0, 100)
    with pytest.raises(NotFound):
        desk.cases.get_review_file(BUREAU, "0" * 32)

    # the bureau scores with the proposal as it stands; the file scored, the reviewer's access to the case ends
    scored = desk.cases.score_review_file(
        BUREAU,
        files[spot["case_id"]]["file_id"],
        {"scored_on": RUN_DATE.isoformat(), "deductions": lacking["proposed"]["deductions"]},
    )
    assert (scored["form_score"], scored["total"], scored["grade"]) == (15, 95, "excellent")
    with pytest.raises(Forbidden):
        desk.cases.read_document_chunk(as_reviewer, spot["case_id"], docs[0]["document_id"], 0, 100)
    assert desk.cases.list_documents(as_reviewer, ordinary["case_id"], {})["total"] == len(docs)  # still to score


def test_a_checklist_names_only_kinds_of_the_catalogue_and_one_missing_documents_item(desk, cases_service):
    current = desk.cases.list_checklists()["items"][-1]
    assert current["version"] == 2 and current["effective_from"] == "2026-01-01"
    by_code = {i["code"]: i for i in current["items"]}
    assert by_code["documents"]["per_missing_document"] == 5 and "service_receipt" in by_code["documents"]["documents"]
    unknown = [{**i, "documents": ["birth_certificate"]} if i["code"] == "facts" else i for i in current["items"]]
    with pytest.raises(ValidationFailed) as refused:
        desk.cases.create_checklist(BUREAU, {"effective_from": "2099-01-01", "items": unknown})
    assert refused.value.fields == {"items": ["facts: birth_certificate is not a kind of the document-kind catalogue"]}
    filed = desk.cases.create_checklist(BUREAU, {"effective_from": "2099-01-01", "items": current["items"]})
    assert filed["version"] == 3 and filed["items"] == current["items"]
