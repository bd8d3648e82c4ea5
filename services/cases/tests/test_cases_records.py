"""A case's records through the cases service's entrypoints (issue 15), in process on SQLite and PostgreSQL with the
personnel service beside it: whole-process recordings, the hash chain's verification against the files on disk and
the rows in the database, and the refusal to close a case that lacks a required document.

Documents are uploaded as the gateway uploads them (begin, chunks, finish); the verification then finds a byte
changed on disk, a file deleted and a chain row altered in the database."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from enforcement_testing import BUREAU, db_rows
from sqlalchemy import create_engine, text

from enforcement_contracts.errors import Conflict, Forbidden, ValidationFailed

pytestmark = pytest.mark.timeout(180)

MARKET = "140928-scjgj"  # 县市场监管局
TRANSPORT = "140928-jtysj"
SCJ_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
JT_ADMIN = {"username": "jt-admin", "role": "agency_admin", "agency_code": TRANSPORT}
REQUIRED_FROM = "2024-01-01"  # the cases below (filed 2024) are held to the catalogue


@pytest.fixture
def store_dir(tmp_path) -> Path:
    return tmp_path / "documents"


@pytest.fixture
def cases_service(personnel_service, run_service, database_url, store_dir):
    """The conftest's service, with its own content store and the records rules in force for 2024's cases."""
    url = None if database_url.startswith("sqlite") else database_url
    return run_service(
        "cases",
        database_url=url,
        settings={
            "RPC_TIMEOUT": 10,
            "CASES": {"records": {"storage_dir": str(store_dir), "required_from": REQUIRED_FROM}},
        },
    )


def upload(desk, case_id: str, kind: str, stage: str, body: bytes, media_type: str = "application/pdf") -> dict:
    started = desk.cases.begin_document_upload(
        SCJ_ADMIN, case_id, {"kind": kind, "stage": stage, "media_type": media_type, "declared_size": len(body)}
    )
    desk.cases.append_document_chunk(SCJ_ADMIN, started["upload_id"], 0, base64.b64encode(body).decode())
    return desk.cases.finish_document_upload(SCJ_ADMIN, started["upload_id"])


def pdf(text_: str) -> bytes:
    return b"%PDF-1.4\n" + text_.encode() + b"\n%%EOF\n"


def recording_payload(officer_id: str, **extra) -> dict:
    return {
        "device_id": "DSJ-0042",
        "officer_id": officer_id,
        "started_at": "2024-07-03T09:00:00+08:00",
        "ended_at": "2024-07-03T09:40:00+08:00",
        "place": "城关镇某超市",
        **extra,
    }


@pytest.fixture
def scene(desk):
    officers = desk.certified_officers(61, 2)
    return {"officers": officers, "item": desk.penalty_item()}


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_an_on_the_spot_penalty_is_flagged_until_its_recording_is_registered(
    desk, cases_service, scene, collect_events
):
    events = collect_events("cases", "recording.registered", "case.flagged")
    spot = {
        "procedure": "simplified",
        "filed_on": "2024-07-03",
        "violation_on": "2024-07-03",
        "decision": {"decided_on": "2024-07-03", "penalty": {"kinds": ["warning"]}},
    }
    case = desk.cases.report_case(SCJ_ADMIN, desk.report(scene["item"], scene["officers"], "当场〔2024〕5号", **spot))
    flagged = [w for w in case["warnings"] if w["code"] == "recording_missing"]
    assert flagged and "执法全过程记录" in flagged[0]["message"] and "on-the-spot" in flagged[0]["message"]
    assert desk.cases.records_checks(SCJ_ADMIN, case["case_id"])["recording_required"] is True
    officer_id = scene["officers"][0]["officer_id"]

    # refusals name the field: not an officer of the case, neither or both sources, an end before the start
    with pytest.raises(ValidationFailed) as stranger:
        desk.cases.register_recording(SCJ_ADMIN, case["case_id"], recording_payload("x" * 32, recorder_reference="R1"))
    assert "officer_id" in stranger.value.fields
    with pytest.raises(ValidationFailed) as neither:
        desk.cases.register_recording(SCJ_ADMIN, case["case_id"], recording_payload(officer_id))
    assert "document_id" in neither.value.fields
    with pytest.raises(ValidationFailed) as backwards:
        desk.cases.register_recording(
            SCJ_ADMIN,
            case["case_id"],
            recording_payload(officer_id, recorder_reference="R1", ended_at="2024-07-03T08:00:00+08:00"),
        )
    assert "ended_at" in backwards.value.fields
    with pytest.raises(ValidationFailed) as not_a_recording:
        desk.cases.register_recording(SCJ_ADMIN, case["case_id"], recording_payload(officer_id, document_id="d" * 32))
    assert "document_id" in not_a_recording.value.fields
    with pytest.raises(Forbidden):
        desk.cases.register_recording(JT_ADMIN, case["case_id"], recording_payload(officer_id, recorder_reference="R"))

    # by the recorder system's reference: an entry of the chain, the event (ids only), the warning gone
    by_reference = desk.cases.register_recording(
        SCJ_ADMIN, case["case_id"], recording_payload(officer_id, recorder_reference="DSJ-0042-20240703-0900")
    )
    assert by_reference["chain_seq"] == 1 and by_reference["content_sha256"] is None
    assert by_reference["started_at"].startswith("2024-07-03T01:00:00")  # stored and answered in UTC
    # the same request delivered again answers the same recording; another one of that recorder at that time: 409
    again = recording_payload(officer_id, recorder_reference="DSJ-0042-20240703-0900")
    assert desk.cases.register_recording(SCJ_ADMIN, case["case_id"], again) == by_reference
    with pytest.raises(Conflict) as same_start:
        desk.cases.register_recording(SCJ_ADMIN, case["case_id"], {**again, "place": "别处"})
    assert "started_at" in same_start.value.fields
    read = desk.cases.get_case(SCJ_ADMIN, case["case_id"])
    assert [w["code"] for w in read["warnings"] if w["code"] == "recording_missing"] == []

    # as an uploaded file of kind recording: its hash in the chain; the same file twice is refused
    audio = upload(
        desk, case["case_id"], "recording", "filed", b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64, "audio/mpeg"
    )
    from_file = recording_payload(officer_id, document_id=audio["document_id"], started_at="2024-07-03T10:00:00+08:00")
    from_file["ended_at"] = "2024-07-03T10:30:00+08:00"
    with_file = desk.cases.register_recording(SCJ_ADMIN, case["case_id"], from_file)
    assert with_file["content_sha256"] == audio["sha256"] and with_file["chain_seq"] == 3
    assert desk.cases.register_recording(SCJ_ADMIN, case["case_id"], from_file) == with_file  # delivered again
    with pytest.raises(Conflict):  # the same file as another recording
        desk.cases.register_recording(
            SCJ_ADMIN,
            case["case_id"],
            {**from_file, "device_id": "DSJ-0043", "started_at": "2024-07-03T10:01:00+08:00"},
        )
    listed = desk.cases.list_recordings(SCJ_ADMIN, case["case_id"])["items"]
    assert [r["recording_id"] for r in listed] == [by_reference["recording_id"], with_file["recording_id"]]

    registered = events.wait_for(3)  # the flag at the report, then both recordings
    assert {e["data"]["recording_id"] for e in registered if e["type"] == "cases.recording.registered"} == {
        by_reference["recording_id"],
        with_file["recording_id"],
    }
    for event in registered:
        assert "DSJ" not in json.dumps(event["data"])  # ids and hashes only: no device, place or reference
    assert desk.cases.verify_records(SCJ_ADMIN, case["case_id"])["ok"] is True


def test_a_case_cannot_close_while_a_required_document_is_missing(desk, cases_service, scene):
    case = desk.cases.report_case(
        SCJ_ADMIN,
        desk.report(
            scene["item"],
            scene["officers"],
            "五市监罚〔2024〕21号",
            investigation_ended_on="2024-07-20",
            notice_on="2024-07-22",
            decision={"decided_on": "2024-08-05", "penalty": {"kinds": ["warning"]}},
            served_on="2024-08-06",
        ),
    )
    catalogue = desk.cases.document_kinds()  # as seeded: version 1
    assert catalogue["version"] == 1 and catalogue["effective_from"] == "2023-01-01"
    assert {k["code"]: k["name"] for k in catalogue["kinds"]}["service_receipt"] == "送达回证"
    checks = desk.cases.records_checks(SCJ_ADMIN, case["case_id"])
    assert checks["completeness_enforced"] is True and checks["recording_required"] is False
    required = [d["code"] for d in checks["missing_documents"]]
    assert required == [
        "filing_approval",
        "inquiry_record",
        "investigation_report",
        "notice_of_rights",
        "decision",
        "service_receipt",
    ]
    for code in required[:-1]:
        upload(desk, case["case_id"], code, desk_stage(code), pdf(f"{case['case_id']} {code}"))
    with pytest.raises(Conflict) as refused:
        desk.cases.update_case(SCJ_ADMIN, case["case_id"], {"executed_on": "2024-08-10", "closed_on": "2024-08-12"})
    assert refused.value.fields == {"closed_on": ["missing document service_receipt"]}
    assert "service_receipt" in str(refused.value)
    read = desk.cases.get_case(SCJ_ADMIN, case["case_id"])
    assert read["closed_on"] is None  # nothing of the refusal was kept
    # the case's procedural checks name the missing document
    assert read["records"]["missing_documents"] == [{"code": "service_receipt", "name": "送达回证"}]

    upload(desk, case["case_id"], "service_receipt", "served", pdf(f"{case['case_id']} receipt"))
    assert desk.cases.records_checks(SCJ_ADMIN, case["case_id"])["missing_documents"] == []
    closed = desk.cases.update_case(
        SCJ_ADMIN, case["case_id"], {"executed_on": "2024-08-10", "closed_on": "2024-08-12"}
    )
    assert closed["status"] == "closed"


def desk_stage(code: str) -> str:
    return {
        "filing_approval": "filed",
        "inquiry_record": "investigated",
        "investigation_report": "investigated",
        "notice_of_rights": "noticed",
        "decision": "decided",
        "service_receipt": "served",
    }[code]


def test_a_case_filed_before_the_setting_day_closes_without_documents(desk, run_service, personnel_service, tmp_path):
    """Historical cases (filed before CASES.records.required_from) close as before."""
    service = run_service(
        "cases", settings={"CASES": {"records": {"storage_dir": str(tmp_path / "s2"), "required_from": "2025-01-01"}}}
    )
    officers = desk.certified_officers(71, 2)
    item = service.call("create_item", BUREAU, {**_item(), "code": "SCJ-CF-009"})
    case = service.call(
        "report_case",
        SCJ_ADMIN,
        desk.report(
            item,
            officers,
            "五市监罚〔2024〕31号",
            notice_on="2024-07-22",
            decision={"decided_on": "2024-08-05", "penalty": {"kinds": ["warning"]}},
            served_on="2024-08-06",
            closed_on="2024-08-12",
        ),
    )
    assert case["status"] == "closed"
    assert service.call("records_checks", SCJ_ADMIN, case["case_id"])["completeness_enforced"] is False
    assert case["records"] == {
        "missing_documents": [],
        "completeness_enforced": False,
        "recording_required": False,
        "recordings": 0,
    }


def _item() -> dict:
    return {
        "agency_code": MARKET,
        "type_code": "penalty",
        "name": "销售不符合食品安全标准的食品",
        "domain": "market_supervision",
        "legal_basis": "《中华人民共和国食品安全法》第一百二十四条",
        "effective_from": "2020-01-01",
    }


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_verification_finds_a_changed_byte_a_deleted_file_and_an_altered_row(desk, cases_service, scene, store_dir):
    case = desk.cases.report_case(SCJ_ADMIN, desk.report(scene["item"], scene["officers"], "五市监罚〔2024〕41号"))
    case_id = case["case_id"]
    docs = [upload(desk, case_id, "evidence_scan", "filed", pdf(f"{case_id} evidence {i}")) for i in range(4)]
    clean = desk.cases.verify_records(SCJ_ADMIN, case_id)
    assert clean["ok"] is True and clean["entries"] == 4 and clean["files_checked"] == 4
    assert desk.cases.verify_records(BUREAU, case_id)["ok"] is True
    with pytest.raises(Forbidden):
        desk.cases.verify_records(JT_ADMIN, case_id)
    ran = verify_command(cases_service, store_dir, "--case", case_id)
    assert ran.returncode == 0 and f"case {case_id} (五市监罚〔2024〕41号): ok (4 entries, 4 files)" in ran.stdout

    # one byte changed on disk
    changed = store_dir / docs[1]["sha256"][:2] / docs[1]["sha256"]
    content = bytearray(changed.read_bytes())
    content[-3] ^= 0x01
    changed.write_bytes(bytes(content))
    report = desk.cases.verify_records(SCJ_ADMIN, case_id)
    assert report["ok"] is False and report["altered"] == [] and report["missing"] == []
    assert [(p["seq"], p["reference"]) for p in report["changed"]] == [(2, docs[1]["document_id"])]
    assert report["changed"][0]["actual_sha256"] != docs[1]["sha256"]

    # a file deleted
    (store_dir / docs[2]["sha256"][:2] / docs[2]["sha256"]).unlink()
    report = desk.cases.verify_records(SCJ_ADMIN, case_id)
    assert [p["reference"] for p in report["missing"]] == [docs[2]["document_id"]]
    assert len(report["changed"]) == 1

    # a chain row altered in the database: that entry and every one after it
    engine = create_engine(cases_service.database_url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE record_chain SET actor = 'someone-else' WHERE case_id = :c AND seq = 3"), {"c": case_id}
        )
    engine.dispose()
    report = desk.cases.verify_records(SCJ_ADMIN, case_id)
    assert report["altered"] == [3, 4]
    rows = db_rows(cases_service.database_url, "SELECT seq FROM record_chain WHERE case_id = :c", c=case_id)
    assert sorted(r["seq"] for r in rows) == [1, 2, 3, 4]

    # the command says the same and exits 1 (every case with records: --all)
    ran = verify_command(cases_service, store_dir, "--all")
    assert ran.returncode == 1, ran.stderr
    assert f"case {case_id} (五市监罚〔2024〕41号): NOT OK" in ran.stdout
    assert "altered entries (seq): 3, 4" in ran.stdout
    assert f"changed: seq 2 document {docs[1]['document_id']}" in ran.stdout
    assert f"missing: seq 3 document {docs[2]['document_id']}" in ran.stdout
    assert verify_command(cases_service, store_dir, "--case", "no-such-case").returncode == 2


def verify_command(service, store_dir: Path, *args: str) -> subprocess.CompletedProcess:
    command = Path(sys.executable).parent / "enforcement-verify-records"
    return subprocess.run(
        [str(command), "--database-url", service.database_url, "--storage-dir", str(store_dir), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
