"""End to end over HTTP with the real personnel and cases services and the gateway as processes: an agency uploads a
file to its case through the gateway (streamed to the cases service in chunks over RPC) and downloads it back byte
for byte; the same upload as an executable, a wrong media type or over the kind's limit is a 400 naming the limit and
leaves nothing stored; another agency's download is refused; every download is audited, whoever asks."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cases_support import NRJ, SCJ, agency_admin, certified_officer, penalty_item, report_case
from enforcement_testing import db_count, db_rows

MB = 1024 * 1024
PDF = b"%PDF-1.7\n" + bytes(range(256)) * (10 * 1024)  # 2.5 MiB: three chunks of the gateway's 1 MiB


def stored(tmp_path: Path) -> list[Path]:
    root = tmp_path / "cases-documents"  # CASES_STORAGE_DIR of the test's processes (start_service)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
@pytest.mark.timeout(240)
def test_upload_download_refusals_and_the_audit(cases_suite, tmp_path):
    suite = cases_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-docs")
    nrj = agency_admin(suite, admin, NRJ, "nrj-docs")
    officers = [certified_officer(suite, scj, seq) for seq in (611, 612)]
    case = report_case(scj, penalty_item(scj, "SCJ-CF-061"), officers, "五市监罚〔2024〕61号")
    documents = f"/cases/{case['case_id']}/documents"

    uploaded = scj.post(
        documents,
        params={"kind": "inquiry_record", "stage": "filed", "title": "询问笔录"},
        data=PDF,
        headers={"Content-Type": "application/pdf"},
    )
    assert uploaded.status_code == 201, uploaded.text
    doc = uploaded.json()
    assert doc["sha256"] == hashlib.sha256(PDF).hexdigest() and doc["size_bytes"] == len(PDF)
    assert doc["chain_seq"] == 1 and doc["uploaded_by"] == "scj-docs"
    assert [p.name for p in stored(tmp_path)] == [doc["sha256"]]

    # sent chunked (no Content-Length): the same bytes, a second document, still one file
    chunked = scj.post(
        documents,
        params={"kind": "evidence_scan", "stage": "investigated"},
        data=(PDF[i : i + 300_000] for i in range(0, len(PDF), 300_000)),
        headers={"Content-Type": "application/pdf"},
    )
    assert chunked.status_code == 201, chunked.text
    assert chunked.json()["sha256"] == doc["sha256"] and chunked.json()["chain_seq"] == 2
    assert [p.name for p in stored(tmp_path)] == [doc["sha256"]]

    # refusals: a 400 naming the rule, nothing stored
    before = (db_count(suite.cases_db, "case_documents"), db_count(suite.cases_db, "outbox_events"), stored(tmp_path))
    exe = scj.post(
        documents,
        params={"kind": "evidence_photo", "stage": "filed"},
        data=b"MZ\x90\x00" + b"\x00" * 5000,
        headers={"Content-Type": "image/jpeg"},
    )
    assert exe.status_code == 400 and exe.json()["fields"] == {
        "file": ["the file's content is a Windows executable, not image/jpeg"]
    }
    wrong_type = scj.post(
        documents,
        params={"kind": "evidence_photo", "stage": "filed"},
        data=PDF,
        headers={"Content-Type": "application/pdf"},
    )
    assert wrong_type.status_code == 400
    assert wrong_type.json()["fields"]["file"] == [
        "a evidence_photo is one of image/jpeg, image/png, not application/pdf"
    ]
    too_big = scj.post(
        documents,
        params={"kind": "evidence_photo", "stage": "filed"},
        data=b"\xff\xd8\xff\xe0" + b"\x00" * (20 * MB),
        headers={"Content-Type": "image/jpeg"},
    )
    assert too_big.status_code == 400
    assert too_big.json()["fields"]["file"] == [
        f"larger than the 20 MiB limit of a evidence_photo (max_bytes {20 * MB})"
    ]
    no_kind = scj.post(documents, params={"stage": "filed"}, data=PDF, headers={"Content-Type": "application/pdf"})
    assert no_kind.status_code == 400 and "kind" in no_kind.json()["fields"]
    not_a_document = scj.post(
        documents, params={"kind": "other", "stage": "filed"}, data=b"MZ", headers={"Content-Type": "application/x-exe"}
    )
    assert not_a_document.status_code == 415
    assert (
        nrj.post(
            documents, params={"kind": "other", "stage": "filed"}, data=PDF, headers={"Content-Type": "application/pdf"}
        ).status_code
        == 403
    )
    after = (db_count(suite.cases_db, "case_documents"), db_count(suite.cases_db, "outbox_events"), stored(tmp_path))
    assert after == before
    assert db_count(suite.cases_db, "document_uploads", "document_id IS NULL") == 0

    # downloads: byte for byte to the agency and the bureau, refused to another agency, all audited
    path = f"{documents}/{doc['document_id']}/file"
    for api in (scj, admin):
        got = api.get(path)
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["Content-Type"] == "application/pdf" and got.headers["Content-Length"] == str(len(PDF))
        assert "filename*=UTF-8''" in got.headers["Content-Disposition"]
    assert nrj.get(path).status_code == 403
    assert scj.get(f"{documents}/{'0' * 32}/file").status_code == 404
    listed = scj.get(documents).json()
    assert listed["total"] == 2 and listed["items"][0]["document_id"] == doc["document_id"]
    assert nrj.get(documents).status_code == 403
    assert scj.get(f"{documents}/{doc['document_id']}").json() == doc

    action = "GET /api/v1/cases/<case_id>/documents/<document_id>/file"
    rows = db_rows(
        suite.gateway_db,
        "SELECT username, status, target FROM audit_records WHERE action = :a ORDER BY id",
        a=action,
    )
    assert [(r["username"], r["status"]) for r in rows] == [
        ("scj-docs", 200),
        ("admin", 200),
        ("nrj-docs", 403),
        ("scj-docs", 404),
    ]
    assert doc["document_id"] in rows[0]["target"]
    uploads = db_rows(
        suite.gateway_db,
        "SELECT status, target FROM audit_records WHERE action = 'POST /api/v1/cases/<case_id>/documents' ORDER BY id",
    )
    assert uploads[0]["status"] == 201 and json.loads(uploads[0]["target"])["document_id"] == doc["document_id"]
