"""The hash chain over a case's records (tamper evidence, issue 15.2).

Every document and recording of a case is an entry of the case's chain: ``seq`` 1..n, and
``entry_hash = sha256(prev_hash + canonical JSON of the entry's fields)``, the first entry's ``prev_hash`` being 64
zeros. Altering any stored field of an entry (or removing one) changes what the hashes recompute to from that entry
on; a file changed on disk no longer hashes to the ``content_sha256`` its entry holds.

Entries are appended, never updated. ``append_entry`` holds the case's lock for the rest of the transaction so two
uploads to one case get consecutive seqs with the right prev_hash (the unique (case_id, seq) refuses a race anyway).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from enforcement_kernel.db import utcnow

from .. import models as m

GENESIS = "0" * 64

ENTRY_TYPES = ("document", "recording")


@dataclass(frozen=True)
class ChainEntry:
    case_id: str
    seq: int
    entry_type: str
    reference: str
    content_sha256: str | None
    recorded_at: datetime
    actor: str
    prev_hash: str
    entry_hash: str

    def as_dict(self) -> dict:
        return {
            "seq": self.seq,
            "entry_type": self.entry_type,
            "reference": self.reference,
            "content_sha256": self.content_sha256,
            "recorded_at": self.recorded_at.isoformat(),
            "actor": self.actor,
            "prev_hash": self.prev_hash,
            "entry_hash": self.entry_hash,
        }


def canonical(
    case_id: str,
    seq: int,
    entry_type: str,
    reference: str,
    content_sha256: str | None,
    recorded_at: datetime,
    actor: str,
) -> bytes:
    """The entry's fields as hashed: sorted keys, no spaces, UTF-8; the time to the microsecond, naive UTC."""
    return json.dumps(
        {
            "case_id": case_id,
            "seq": seq,
            "entry_type": entry_type,
            "reference": reference,
            "content_sha256": content_sha256,
            "recorded_at": recorded_at.replace(tzinfo=None).isoformat(timespec="microseconds"),
            "actor": actor,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def entry_hash(prev_hash: str, fields: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + fields).hexdigest()


def _entry(row: m.RecordChainEntry) -> ChainEntry:
    return ChainEntry(
        case_id=row.case_id,
        seq=row.seq,
        entry_type=row.entry_type,
        reference=row.reference,
        content_sha256=row.content_sha256,
        recorded_at=row.recorded_at,
        actor=row.actor,
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
    )


def append_entry(
    tx, case_id: str, entry_type: str, reference: str, content_sha256: str | None, actor: str
) -> ChainEntry:
    """Append an entry to the case's chain within ``tx`` (committed with it)."""
    if entry_type not in ENTRY_TYPES:
        raise ValueError(f"unknown chain entry type {entry_type!r}")
    tx.serialise(f"record-chain:{case_id}")
    last = tx.session.execute(
        select(m.RecordChainEntry.seq, m.RecordChainEntry.entry_hash)
        .where(m.RecordChainEntry.case_id == case_id)
        .order_by(m.RecordChainEntry.seq.desc())
        .limit(1)
    ).first()
    seq, prev = (last.seq + 1, last.entry_hash) if last else (1, GENESIS)
    # microseconds survive both SQLite and PostgreSQL timestamps, so the stored time hashes as it was hashed here
    recorded_at = utcnow()
    digest = entry_hash(prev, canonical(case_id, seq, entry_type, reference, content_sha256, recorded_at, actor))
    row = m.RecordChainEntry(
        case_id=case_id,
        seq=seq,
        entry_type=entry_type,
        reference=reference,
        content_sha256=content_sha256,
        recorded_at=recorded_at,
        actor=actor,
        prev_hash=prev,
        entry_hash=digest,
    )
    tx.session.add(row)
    tx.session.flush()
    return _entry(row)


def case_entries(session, case_id: str) -> list[ChainEntry]:
    rows = session.execute(
        select(m.RecordChainEntry).where(m.RecordChainEntry.case_id == case_id).order_by(m.RecordChainEntry.seq)
    ).scalars()
    return [_entry(r) for r in rows]


@dataclass
class VerificationReport:
    """What the verification found for one case. ``altered``: seqs whose stored fields no longer hash to the chain
    (an altered entry and every entry after it); ``gaps``: seqs missing from 1..n; ``changed``/``missing``: entries
    whose file hashes differently now or is gone (entry seq, the reference and the hash it should have)."""

    case_id: str
    entries: int = 0
    altered: list[int] = field(default_factory=list)
    gaps: list[int] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        return not (self.altered or self.gaps or self.changed or self.missing)

    def as_dict(self) -> dict:
        return {
            "case_id": self.case_id,
            "ok": self.ok,
            "entries": self.entries,
            "files_checked": self.files_checked,
            "altered": list(self.altered),
            "gaps": list(self.gaps),
            "changed": list(self.changed),
            "missing": list(self.missing),
        }


def verify_entries(case_id: str, entries: list[ChainEntry]) -> VerificationReport:
    """Recompute the chain alone (no files): pure."""
    report = VerificationReport(case_id=case_id, entries=len(entries))
    expected_prev = GENESIS
    expected_seq = 1
    for entry in entries:
        while expected_seq < entry.seq:
            report.gaps.append(expected_seq)
            expected_seq += 1
        recomputed = entry_hash(
            expected_prev,
            canonical(
                entry.case_id,
                entry.seq,
                entry.entry_type,
                entry.reference,
                entry.content_sha256,
                entry.recorded_at,
                entry.actor,
            ),
        )
        if entry.case_id != case_id or entry.prev_hash != expected_prev or entry.entry_hash != recomputed:
            report.altered.append(entry.seq)
        # continue from what the chain should be: everything after an altered entry fails to verify as well
        expected_prev = recomputed
        expected_seq = entry.seq + 1
    return report


def verify_case(session, case_id: str, store) -> VerificationReport:
    """Recompute the case's chain and the hash of each entry's file in ``store`` (a ContentStore)."""
    entries = case_entries(session, case_id)
    report = verify_entries(case_id, entries)
    for entry in entries:
        sha = entry.content_sha256
        if sha is None:
            continue  # a recording registered by the recorder system's reference only: no file here
        about = {"seq": entry.seq, "entry_type": entry.entry_type, "reference": entry.reference, "sha256": sha}
        try:
            actual = store.sha256_of(sha)
        except (FileNotFoundError, ValueError):
            report.missing.append(about)
            continue
        report.files_checked += 1
        if actual != sha:
            report.changed.append({**about, "actual_sha256": actual})
    return report
