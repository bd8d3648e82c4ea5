"""Whole-process recordings (执法全过程记录) of a case: registered with the recorder, the officer, when and where, and
either an uploaded file (a document of kind ``recording``) or the recorder system's own reference; each one an
entry of the case's hash chain. Also the verification of a case's records (the RPC and the command share it)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from enforcement_contracts.cases import records as contract
from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_kernel import access

from .. import models as m
from ..operations.cases import get_case, require_case_read
from ..rules import records as rules
from .chain import append_entry, verify_case

RECORDING_KIND = "recording"


def _naive_utc(at: datetime) -> datetime:
    return at.astimezone(timezone.utc).replace(tzinfo=None) if at.tzinfo else at


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc)


def recording_dict(r: m.Recording, chain_seq: int) -> dict:
    return contract.Recording().dump(
        {
            "recording_id": r.recording_id,
            "case_id": r.case_id,
            "device_id": r.device_id,
            "officer_id": r.officer_id,
            "started_at": _aware(r.started_at),
            "ended_at": _aware(r.ended_at),
            "place": r.place,
            "document_id": r.document_id,
            "recorder_reference": r.recorder_reference,
            "content_sha256": r.content_sha256,
            "registered_by": r.registered_by,
            "chain_seq": chain_seq,
        }
    )


def _recording_document(session, case: m.Case, document_id: str) -> m.CaseDocument:
    doc = session.get(m.CaseDocument, document_id)
    if doc is None or doc.case_id != case.case_id:
        raise ValidationFailed(
            "the document is not one of this case's", {"document_id": [f"{document_id} is not a document of the case"]}
        )
    if doc.kind != RECORDING_KIND:
        raise ValidationFailed(
            "the document is not a recording", {"document_id": [f"is of kind {doc.kind}, not {RECORDING_KIND}"]}
        )
    return doc


def _already_registered(session, case: m.Case, data: dict, started_at: datetime) -> dict | None:
    """The same recording registered before (a request delivered again): its answer. Another recording of the same
    recorder starting at the same instant: 409."""
    found = session.execute(
        select(m.Recording).where(
            m.Recording.case_id == case.case_id,
            m.Recording.device_id == data["device_id"].strip(),
            m.Recording.started_at == started_at,
        )
    ).scalar_one_or_none()
    if found is None:
        return None
    asked = (
        data["officer_id"],
        _naive_utc(data["ended_at"]),
        data["place"].strip(),
        data.get("document_id"),
        (data.get("recorder_reference") or "").strip() or None,
    )
    if asked != (found.officer_id, found.ended_at, found.place, found.document_id, found.recorder_reference):
        raise Conflict(
            "this recorder's recording starting at that time is already registered",
            {"started_at": ["already registered for this device"]},
        )
    seq = session.execute(
        select(m.RecordChainEntry.seq).where(
            m.RecordChainEntry.case_id == case.case_id, m.RecordChainEntry.reference == found.recording_id
        )
    ).scalar_one()
    return recording_dict(found, seq)


def register_recording(tx, actor: dict, case_id: str, data: dict) -> dict:
    """Register a recording on the case (its agency or the bureau); the officer is one of the case's officers."""
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    if case.revoked_on is not None:
        raise Conflict("the decision was revoked; the case is closed to changes", {"case_id": ["revoked"]})
    officer_ids = {o["officer_id"] for o in case.officers or []}
    if officer_ids and data["officer_id"] not in officer_ids:
        raise ValidationFailed(
            "the officer is not one of the case's officers", {"officer_id": ["not one of the case's officers"]}
        )
    started_at = _naive_utc(data["started_at"])
    same = _already_registered(session, case, data, started_at)
    if same is not None:
        return same
    sha = None
    if data.get("document_id"):
        sha = _recording_document(session, case, data["document_id"]).sha256
        taken = session.execute(
            select(m.Recording.recording_id).where(
                m.Recording.case_id == case.case_id, m.Recording.document_id == data["document_id"]
            )
        ).first()
        if taken:
            raise Conflict("the document is already registered as a recording", {"document_id": ["already registered"]})
    recording = m.Recording(
        recording_id=uuid.uuid4().hex,
        case_id=case.case_id,
        agency_code=case.agency_code,
        device_id=data["device_id"].strip(),
        officer_id=data["officer_id"],
        started_at=started_at,
        ended_at=_naive_utc(data["ended_at"]),
        place=data["place"].strip(),
        document_id=data.get("document_id"),
        recorder_reference=(data.get("recorder_reference") or "").strip() or None,
        content_sha256=sha,
        registered_by=actor["username"],
    )
    session.add(recording)
    try:
        session.flush()
    except IntegrityError:  # the same request at the same moment in another worker: it registered it
        raise Conflict(
            "this recorder's recording starting at that time is already registered",
            {"started_at": ["already registered for this device"]},
        ) from None
    entry = append_entry(tx, case.case_id, "recording", recording.recording_id, sha, actor["username"])
    # the case has a recording now: its warning that it had none no longer holds
    kept = [w for w in case.warnings or [] if w.get("code") != rules.RECORDING_MISSING]
    if len(kept) != len(case.warnings or []):
        case.warnings, case.warning_count = kept, len(kept)
    tx.emit(
        contract.RECORDING_REGISTERED,
        {
            "recording_id": recording.recording_id,
            "case_id": case.case_id,
            "agency_code": case.agency_code,
            "officer_id": recording.officer_id,
            "document_id": recording.document_id,
            "content_sha256": sha,
            "chain_seq": entry.seq,
            "entry_hash": entry.entry_hash,
        },
        subject=case.case_id,
    )
    return recording_dict(recording, entry.seq)


def list_recordings(session, actor: dict, case_id: str) -> dict:
    case = get_case(session, case_id)
    require_case_read(actor, case)
    seqs = dict(
        session.execute(
            select(m.RecordChainEntry.reference, m.RecordChainEntry.seq).where(
                m.RecordChainEntry.case_id == case_id, m.RecordChainEntry.entry_type == "recording"
            )
        ).all()
    )
    rows = session.execute(
        select(m.Recording).where(m.Recording.case_id == case_id).order_by(m.Recording.started_at)
    ).scalars()
    return {"items": [recording_dict(r, seqs.get(r.recording_id, 0)) for r in rows]}


def verify_records(session, actor: dict, case_id: str, store) -> dict:
    """The case's chain and files checked again: the bureau and the case's agency."""
    case = get_case(session, case_id)
    access.require_read(actor, case.agency_code)
    return contract.RecordsVerification().dump(verify_case(session, case_id, store).as_dict())
