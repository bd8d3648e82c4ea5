"""Case documents through the cases service's entrypoints, in process on SQLite and PostgreSQL (see conftest.py):
an upload in chunks (one delivered twice is written once), the document row, its chain entry and event in one
transaction, downloads by chunk within the case's access rules, the list; refusals (kind, stage, media type, size,
magic bytes, the kind's limit reached mid-way) that leave nothing stored; abandoned uploads removed by the timer."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from enforcement_testing import BUREAU, db_connection, db_count, db_rows
from sqlalchemy import text

from cases_service.records.storage import ContentStore
from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.timeout(180)

MARKET = "140928-scjgj"
SCJ_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
JT_ADMIN = {"username": "jt-admin", "role": "agency_admin", "agency_code": "140928-jtysj"}
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40  # 10 KiB
EXE = b"MZ\x90\x00" + b"\x00" * 4000
MB = 1024 * 1024


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def store_of(service) -> ContentStore:
    return ContentStore(service.config["CASES"]["records"]["storage_dir"])


def stored_files(service) -> list[Path]:
    """Every file under the storage directory: stored documents and partial uploads alike."""
    root = Path(service.config["CASES"]["records"]["storage_dir"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def case(desk):
    officers = desk.certified_officers(1, 2)
    item = desk.penalty_item()
    return desk.cases.report_case(SCJ_ADMIN, desk.report(item, officers))


def start(desk, case, kind="inquiry_record", stage="filed", media_type="application/pdf", size=None, **extra):
    payload = {"kind": kind, "stage": stage, "media_type": media_type, "declared_size": size, **extra}
    return desk.cases.begin_document_upload(SCJ_ADMIN, case["case_id"], payload)


def upload(desk, case, content: bytes, chunk: int = 4096, **options) -> dict:
    began = start(desk, case, size=len(content), **options)
    for seq, offset in enumerate(range(0, len(content), chunk)):
        desk.cases.append_document_chunk(SCJ_ADMIN, began["upload_id"], seq, b64(content[offset : offset + chunk]))
    return desk.cases.finish_document_upload(SCJ_ADMIN, began["upload_id"])


# One upload told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_an_upload_in_chunks_is_stored_once_chained_announced_and_read_back(desk, cases_service, case, collect_events):
    events = collect_events("cases", "document.attached")
    began = start(desk, case, size=len(PDF), title="询问笔录（张三）")
    assert began["max_bytes"] == 20 * MB and began["next_seq"] == 0 and began["chunk_bytes"] == MB
    upload_id = began["upload_id"]
    first, second, third = PDF[:4096], PDF[4096:8192], PDF[8192:]
    assert desk.cases.append_document_chunk(SCJ_ADMIN, upload_id, 0, b64(first))["next_seq"] == 1
    # chunk 0 delivered again (a redelivered RPC): nothing written twice
    assert desk.cases.append_document_chunk(SCJ_ADMIN, upload_id, 0, b64(first))["received_bytes"] == 4096
    with pytest.raises(Conflict) as skipped:
        desk.cases.append_document_chunk(SCJ_ADMIN, upload_id, 2, b64(third))
    assert skipped.value.fields == {"seq": ["expected 1"]}
    with pytest.raises(NotFound):  # someone else's upload is not theirs to add to
        desk.cases.append_document_chunk(BUREAU, upload_id, 1, b64(second))
    desk.cases.append_document_chunk(SCJ_ADMIN, upload_id, 1, b64(second))
    desk.cases.append_document_chunk(SCJ_ADMIN, upload_id, 1, b64(second))
    desk.cases.append_document_chunk(SCJ_ADMIN, upload_id, 2, b64(third))

    doc = desk.cases.finish_document_upload(SCJ_ADMIN, upload_id)
    sha = hashlib.sha256(PDF).hexdigest()
    assert (doc["sha256"], doc["size_bytes"], doc["kind"], doc["stage"]) == (sha, len(PDF), "inquiry_record", "filed")
    assert doc["uploaded_by"] == "scj-admin" and doc["chain_seq"] == 1 and doc["title"] == "询问笔录（张三）"
    assert desk.cases.finish_document_upload(SCJ_ADMIN, upload_id) == doc  # finished again: the same document
    store = store_of(cases_service)
    assert store.path_of(sha).read_bytes() == PDF
    assert stored_files(cases_service) == [store.path_of(sha)]  # no partial file left
    [entry] = db_rows(cases_service.database_url, "SELECT * FROM record_chain WHERE case_id = :c", c=case["case_id"])
    assert (entry["entry_type"], entry["reference"], entry["content_sha256"]) == ("document", doc["document_id"], sha)

    [attached] = events.wait_for(1)
    assert attached["data"] == {
        "document_id": doc["document_id"],
        "case_id": case["case_id"],
        "agency_code": MARKET,
        "kind": "inquiry_record",
        "stage": "filed",
        "size_bytes": len(PDF),
        "sha256": sha,
        "chain_seq": 1,
        "entry_hash": entry["entry_hash"],
    }
    assert "PDF" not in json.dumps(attached)  # never the file

    # the same bytes again as another document: a second row and chain entry, one file
    again = upload(desk, case, PDF, kind="evidence_scan", stage="investigated")
    assert again["sha256"] == sha and again["chain_seq"] == 2 and len(stored_files(cases_service)) == 1

    listed = desk.cases.list_documents(SCJ_ADMIN, case["case_id"], {"per_page": 1})
    assert listed["total"] == 2 and [d["document_id"] for d in listed["items"]] == [doc["document_id"]]
    only = desk.cases.list_documents(BUREAU, case["case_id"], {"stage": "investigated"})
    assert [d["document_id"] for d in only["items"]] == [again["document_id"]]

    piece = desk.cases.read_document_chunk(BUREAU, case["case_id"], doc["document_id"], 4000, 200)
    assert base64.b64decode(piece["data_base64"]) == PDF[4000:4200]
    assert (piece["size_bytes"], piece["media_type"]) == (len(PDF), "application/pdf")
    assert piece["filename"] == "询问笔录（张三）.pdf"
    end = desk.cases.read_document_chunk(SCJ_ADMIN, case["case_id"], doc["document_id"], len(PDF), MB)
    assert end["data_base64"] == ""
    with pytest.raises(Forbidden):  # another agency's case
        desk.cases.read_document_chunk(JT_ADMIN, case["case_id"], doc["document_id"], 0, 10)
    with pytest.raises(Forbidden):
        desk.cases.list_documents(JT_ADMIN, case["case_id"])
    officer = {"username": "someone", "role": "officer", "agency_code": MARKET, "officer_id": "not-on-the-case"}
    with pytest.raises(Forbidden):
        desk.cases.read_document_chunk(officer, case["case_id"], doc["document_id"], 0, 10)
    with pytest.raises(NotFound):
        desk.cases.read_document_chunk(BUREAU, case["case_id"], "0" * 32, 0, 10)


def test_refused_uploads_name_the_rule_and_leave_nothing_stored(desk, cases_service, case):
    def refused(**options):
        with pytest.raises(ValidationFailed) as info:
            start(desk, case, **options)
        return info.value.fields

    assert refused(kind="selfie") == {"kind": ["unknown document kind selfie"]}
    assert "stage" in refused(stage="served")
    assert refused(kind="evidence_photo", media_type="application/x-msdownload")["file"] == [
        "a evidence_photo is one of image/jpeg, image/png, not application/x-msdownload"
    ]
    assert refused(kind="evidence_photo", media_type="image/jpeg", size=20 * MB + 1)["file"] == [
        f"larger than the 20 MiB limit of a evidence_photo (max_bytes {20 * MB})"
    ]
    with pytest.raises(Forbidden):  # another agency's case
        desk.cases.begin_document_upload(
            JT_ADMIN, case["case_id"], {"kind": "decision", "stage": "decided", "media_type": "application/pdf"}
        )
    with pytest.raises(NotFound):
        desk.cases.begin_document_upload(
            SCJ_ADMIN, "no-such-case", {"kind": "decision", "stage": "decided", "media_type": "application/pdf"}
        )

    # an executable sent as a photo: refused once its bytes are in, its partial file and upload removed
    began = start(desk, case, kind="evidence_photo", media_type="image/jpeg", size=len(EXE))
    desk.cases.append_document_chunk(SCJ_ADMIN, began["upload_id"], 0, b64(EXE))
    assert len(stored_files(cases_service)) == 1  # the partial file
    with pytest.raises(ValidationFailed) as exe:
        desk.cases.finish_document_upload(SCJ_ADMIN, began["upload_id"])
    assert exe.value.fields == {"file": ["the file's content is a Windows executable, not image/jpeg"]}
    with pytest.raises(NotFound):
        desk.cases.finish_document_upload(SCJ_ADMIN, began["upload_id"])

    # no size declared (sent chunked): the kind's limit is reached mid-way
    began = start(desk, case, kind="evidence_photo", media_type="image/jpeg")
    chunk = b"\xff\xd8\xff\xe0" + b"\x00" * (4 * MB - 4)
    for seq in range(5):
        desk.cases.append_document_chunk(SCJ_ADMIN, began["upload_id"], seq, b64(chunk))
    with pytest.raises(ValidationFailed) as over:
        desk.cases.append_document_chunk(SCJ_ADMIN, began["upload_id"], 5, b64(chunk))
    assert over.value.fields == {"file": [f"larger than the 20 MiB limit of a evidence_photo (max_bytes {20 * MB})"]}

    # fewer bytes than declared
    began = start(desk, case, size=len(PDF))
    desk.cases.append_document_chunk(SCJ_ADMIN, began["upload_id"], 0, b64(PDF[:100]))
    with pytest.raises(ValidationFailed) as short:
        desk.cases.finish_document_upload(SCJ_ADMIN, began["upload_id"])
    assert short.value.fields == {"file": [f"100 bytes arrived of the {len(PDF)} declared"]}
    with pytest.raises(ValidationFailed) as bad:
        desk.cases.append_document_chunk(SCJ_ADMIN, start(desk, case)["upload_id"], 0, "not base64!")
    assert bad.value.fields == {"file": ["not valid base64"]}

    url = cases_service.database_url
    assert db_count(url, "case_documents") == 0 and db_count(url, "record_chain") == 0
    assert db_count(url, "outbox_events", "event_type = 'cases.document.attached'") == 0
    assert db_count(url, "document_uploads") == 1  # only the last, never finished: the timer's (next test)
    assert len(stored_files(cases_service)) == 0


def test_an_abandoned_upload_is_removed_by_the_timer(desk, cases_service, case):
    began = start(desk, case, size=len(PDF))
    desk.cases.append_document_chunk(SCJ_ADMIN, began["upload_id"], 0, b64(PDF[:100]))
    upload(desk, case, PDF)
    assert len(stored_files(cases_service)) == 2
    cases_service.call("clean_abandoned_uploads")  # within CASES.records.upload_abandon_seconds (an hour): kept
    assert db_count(cases_service.database_url, "document_uploads") == 2
    desk.cases.append_document_chunk(SCJ_ADMIN, began["upload_id"], 1, b64(PDF[100:200]))


def test_the_timer_removes_uploads_older_than_the_setting(desk, personnel_service, run_service, tmp_path):
    storage = tmp_path / "abandoned"
    records = {"storage_dir": str(storage), "upload_abandon_seconds": 0}  # every upload is old at once
    service = run_service("cases", settings={"RPC_TIMEOUT": 10, "CASES": {"records": records}})
    desk.cases = type(desk.cases)(service)
    officers = desk.certified_officers(1, 2)
    case = desk.cases.report_case(SCJ_ADMIN, desk.report(desk.penalty_item(), officers))
    began = start(desk, case, size=len(PDF))
    desk.cases.append_document_chunk(SCJ_ADMIN, began["upload_id"], 0, b64(PDF[:100]))
    done = upload(desk, case, PDF)
    service.call("clean_abandoned_uploads")
    assert db_count(service.database_url, "document_uploads") == 0  # the unfinished one and the finished one's row
    assert sorted(p for p in storage.rglob("*") if p.is_file()) == [ContentStore(storage).path_of(done["sha256"])]
    with pytest.raises(NotFound):
        desk.cases.append_document_chunk(SCJ_ADMIN, began["upload_id"], 1, b64(PDF[100:200]))
    assert desk.cases.list_documents(SCJ_ADMIN, case["case_id"])["total"] == 1


def test_a_finish_sent_again_after_a_crash_records_the_stored_file(desk, cases_service, case):
    """A finish that stored the file and then failed before its transaction committed (simulated: the file moved
    into the store and the upload's sha256 set, as finish does before it records): the finish sent again records it
    without the partial file. An upload whose bytes are gone is a 409, not a server error."""
    began = start(desk, case, size=len(PDF))
    desk.cases.append_document_chunk(SCJ_ADMIN, began["upload_id"], 0, b64(PDF))
    store = store_of(cases_service)
    sha, _ = store.adopt(store.partial_path(began["upload_id"]))
    with db_connection(cases_service.database_url) as conn:
        conn.execute(
            text("UPDATE document_uploads SET sha256 = :s WHERE upload_id = :u"), {"s": sha, "u": began["upload_id"]}
        )
        conn.commit()
    doc = desk.cases.finish_document_upload(SCJ_ADMIN, began["upload_id"])
    assert doc["sha256"] == sha and doc["chain_seq"] == 1

    gone = start(desk, case, size=len(PDF))
    desk.cases.append_document_chunk(SCJ_ADMIN, gone["upload_id"], 0, b64(PDF))
    store.discard_partial(gone["upload_id"])
    with pytest.raises(Conflict) as info:
        desk.cases.finish_document_upload(SCJ_ADMIN, gone["upload_id"])
    assert info.value.fields == {"upload_id": ["gone"]}


def test_a_zip_based_kind_gets_the_archive_checks(desk, cases_service, case):
    """A county's catalogue version 2 lets a decision (决定书) be a .docx: a docx that would unpack a thousandfold is
    refused with the archive limit's name (as a spreadsheet upload is) and nothing is kept; a plain one is stored."""
    import io
    import zipfile
    from datetime import date

    from cases_service.records.kinds import DOCUMENT_KINDS_V1

    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    kinds = [
        {**k, "media_types": [*k["media_types"], docx]} if k["code"] == "decision" else k
        for k in DOCUMENT_KINDS_V1["kinds"]
    ]
    with db_connection(cases_service.database_url) as conn:
        conn.execute(
            text(
                "INSERT INTO record_kind_catalogues (version, effective_from, kinds, created_by, created_at) "
                "VALUES (2, :on, :kinds, 'test', :on)"
            ),
            {"on": date(2024, 1, 1), "kinds": json.dumps(kinds)},
        )
        conn.commit()

    def zipped(member: bytes) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("word/document.xml", member)
        return out.getvalue()

    bomb = zipped(b"\x00" * (8 * MB))
    with pytest.raises(ValidationFailed) as refused:
        upload(desk, case, bomb, kind="decision", stage="decided", media_type=docx)
    assert "max_ratio" in refused.value.fields["file"][0]
    assert stored_files(cases_service) == [] and db_count(cases_service.database_url, "case_documents") == 0
    plain = zipped("<w:document>决定书</w:document>".encode())
    doc = upload(desk, case, plain, kind="decision", stage="decided", media_type=docx)
    assert doc["catalogue_version"] == 2 and doc["media_type"] == docx
    assert stored_files(cases_service) == [store_of(cases_service).path_of(doc["sha256"])]
