"""Bulk import of attendance from a spreadsheet: every row checked first, all rows or none.

The service runs on eventlet: checking and writing 200,000 rows is a minute of CPU that never waits, so every loop
here pauses (``cooperate``) every few hundred rows; the health probe, broker heartbeats and a SIGTERM get their turn.
The rows are built into the insert's values one chunk at a time, not all at once.

On SQLite the writing does not pause: from its first INSERT to the commit the import holds the database's one write
lock, and a green thread that tried to write meanwhile (the outbox relay) would wait in SQLite's busy handler, which
blocks the whole process, the import included, until the busy timeout (30 s). The reading and checking hold no lock
(Python's sqlite3 begins a transaction only before the first write), so they pause on every database.
"""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select

from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_contracts.training import attendance as attendance_contract
from enforcement_contracts.training import common as common_contract
from enforcement_kernel import access
from enforcement_kernel.db import utcnow
from enforcement_kernel.spreadsheets import RowError, SpreadsheetError, cooperate, cooperate_while_writing, long_work

from .. import metrics, rules, spreadsheets
from .. import models as m
from ..settings import Settings
from .common import SERVICE, chunks, new_id
from .compliance import refresh_officer_years
from .guidance import officer_guidance
from .sessions import attendance_problem, pending_partners

ALREADY_RECORDED = "already recorded for this officer; correct it instead"
PAUSE_EVERY = 500  # rows checked between two pauses for other green threads
WRITE_CHUNK = 1000  # rows per INSERT (each one a pause after it: an insert on SQLite does not yield)


def import_attendance(
    tx,
    actor: dict,
    content: bytes,
    settings: Settings,
    today: date,
    *,
    filename: str = "",
    dry_run: bool = False,
    progress=None,
) -> dict:
    """Import a spreadsheet of attendance: every row is checked first; one bad row and nothing is written.

    A bad file raises ``ValidationFailed`` whose ``fields["rows"]`` lists each problem as
    ``{"row", "column", "reason"}`` (row numbers as the sheet shows them; the header is row 1).
    ``progress(stage, done, total)`` reports reading and writing for a progress bar.
    """
    with long_work():
        return _import(tx, actor, content, settings, today, filename, dry_run, progress)


def _import(tx, actor, content, settings, today, filename, dry_run, progress) -> dict:
    if not access.sees_all(actor):
        access.require_write(actor, actor.get("agency_code") or "")
    rows, problems = _read(content, settings, progress)  # first: no database work while the sheet is parsed
    digest = _new_file(tx.session, content)
    known = _Known.load(tx.session, rows)
    guided = officer_guidance(tx.session, actor)
    problems += _problems(rows, {(p.row, p.column) for p in problems}, known, actor, settings, today, guided)
    if problems:
        _refuse(problems, len(rows), settings)
    result = {
        "import_id": None,
        "rows": len(rows),
        "imported": 0,
        "officers": len({r.officer_id for r in rows}),
        "dry_run": dry_run,
    }
    if dry_run:
        return result
    import_id = _write(tx, actor, rows, known, digest, filename, settings, today, progress)
    return result | {"import_id": import_id, "imported": len(rows)}


def import_template() -> dict:
    content = spreadsheets.write_table("attendance", spreadsheets.TEMPLATE_HEADERS, [])
    return {
        "filename": "training-attendance-template.xlsx",
        "media_type": common_contract.XLSX_MEDIA_TYPE,
        "content_base64": base64.b64encode(content).decode(),
    }


def _new_file(session, content: bytes) -> str:
    """The file's digest; the same file imported before is a conflict."""
    digest = hashlib.sha256(content).hexdigest()
    earlier = session.execute(select(m.AttendanceImport).where(m.AttendanceImport.sha256 == digest)).scalars().first()
    if earlier is not None:
        raise Conflict(
            f"this file was already imported (import {earlier.import_id} on {earlier.created_at:%Y-%m-%d})",
            {"file": ["already imported"]},
        )
    return digest


def _read(content: bytes, settings: Settings, progress) -> tuple[list[spreadsheets.Row], list[RowError]]:
    try:
        rows, problems = spreadsheets.read_attendance(
            content,
            settings.import_max_rows,
            (lambda done, total: progress("read", done, total)) if progress else None,
            settings.sheet_limits,
        )
    except SpreadsheetError as exc:  # ArchiveRefused too: its message names the limit (a SPREADSHEETS setting)
        raise ValidationFailed(f"malformed spreadsheet: {exc}", {"file": [str(exc)]}) from None
    if not rows:
        raise ValidationFailed("the spreadsheet has no attendance rows", {"file": ["no rows below the header"]})
    return rows, problems


def _lookup(session, stmt, column, ids: list[str]) -> dict:
    """Rows of ``stmt`` whose ``column`` is one of ``ids`` (first selected column is the key), in chunks."""
    found = {}
    for chunk in chunks(ids):
        for row in session.execute(stmt.where(column.in_(chunk))):
            found[row[0]] = row
        cooperate()
    return found


@dataclass
class _Known:
    """What the database knows of the sheet's officers and sessions, and the pairs already recorded."""

    officers: dict
    sessions: dict
    existing: set = field(default_factory=set)
    pending: dict = field(default_factory=dict)  # session id -> co-organisers not confirmed yet (sessions.py)

    @classmethod
    def load(cls, session, rows: list[spreadsheets.Row]) -> _Known:
        officers = _lookup(
            session,
            select(m.Officer.officer_id, m.Officer.agency_code, m.Officer.departed_on, m.Officer.domains),
            m.Officer.officer_id,
            sorted({r.officer_id for r in rows if r.officer_id}),
        )
        sessions = _lookup(
            session,
            select(
                m.Session.session_id,
                m.Session.held_on,
                m.Session.ends_on,
                m.Session.hours,
                m.Session.organiser_kind,
                m.Session.organiser_agencies,
                m.Session.open_to,
                m.Session.open_county_wide,
                m.Course.category_code,
                m.Course.counts_hours,
            ).join(m.Course, m.Course.course_id == m.Session.course_id),
            m.Session.session_id,
            sorted({r.session_id for r in rows if r.session_id}),
        )
        known = cls(officers, sessions, pending=pending_partners(session, sessions))
        A = m.Attendance
        for chunk in chunks(sorted(sessions)):
            known.existing.update(
                tuple(row) for row in session.execute(select(A.officer_id, A.session_id).where(A.session_id.in_(chunk)))
            )
        return known


def _problems(
    rows, malformed: set, known: _Known, actor: dict, settings: Settings, today: date, guided: dict | None = None
) -> list[RowError]:
    """What the database says is wrong with rows whose form is right (unknown, out of scope, twice, the rules).
    ``guided``: the townships the caller's agency guides, with the domains (their officers in those are in scope)."""
    scope = None if access.sees_all(actor) else actor.get("agency_code")
    guided = guided or {}
    seen: dict[tuple[str, str], int] = {}
    problems: list[RowError] = []
    for index, r in enumerate(rows):
        if index % PAUSE_EVERY == 0:
            cooperate()
        officer, s = known.officers.get(r.officer_id), known.sessions.get(r.session_id)
        if r.officer_id and officer is None:
            problems.append(RowError(r.number, "officer_id", f"unknown officer {r.officer_id}"))
        elif (
            officer is not None
            and scope is not None
            and officer.agency_code != scope
            and not guided.get(officer.agency_code, set()) & set(officer.domains or [])
        ):
            problems.append(RowError(r.number, "officer_id", "an officer of another agency"))
        if r.session_id and s is None:
            problems.append(RowError(r.number, "session_id", f"unknown session {r.session_id}"))
        if officer is None or s is None:
            continue
        pair = (r.officer_id, r.session_id)
        if pair in seen:
            problems.append(RowError(r.number, "session_id", f"the same officer and session as row {seen[pair]}"))
        elif pair in known.existing:
            problems.append(RowError(r.number, "session_id", ALREADY_RECORDED))
        seen.setdefault(pair, r.number)
        closed = attendance_problem(s, officer.agency_code, known.pending.get(r.session_id, set()))
        if closed:  # another agency's session not open to the officer's agency
            problems.append(RowError(r.number, "session_id", closed))
        if r.hours is not None:  # a malformed hours cell is reported already
            found = rules.attendance_problems(
                hours=r.hours,
                attended_on=r.attended_on or s.held_on,
                session_hours=s.hours,
                held_on=s.held_on,
                ends_on=s.ends_on,
                today=today,
                step=settings.policy.hours_step,
                departed_on=officer.departed_on,
            )
            for column, reason in found.items():
                if not (column == "attended_on" and (r.number, "attended_on") in malformed):
                    problems.append(RowError(r.number, column, reason))
    return problems


def _refuse(problems: list[RowError], rows: int, settings: Settings):
    problems.sort(key=lambda p: (p.row, p.column))
    rows_bad = len({p.row for p in problems})
    shown = problems[: settings.max_reported_problems]
    message = f"{rows_bad} bad row(s) of {rows}, {len(problems)} problem(s); nothing was imported" + (
        f" (the first {len(shown)} are listed)" if len(shown) < len(problems) else ""
    )
    raise ValidationFailed(message, {"file": [message], "rows": [p.as_dict() for p in shown]})


def _write(tx, actor, rows, known: _Known, digest: str, filename: str, settings: Settings, today: date, progress):
    """Insert every row (in chunks), announce the file with its totals, refresh the officer-years; the import id."""
    import_id, now = _record_file(tx, actor, digest, filename, len(rows))
    totals: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0.0, 0.0])
    keys = set()
    pause = cooperate_while_writing(tx.session)  # see the module's doc
    for done, chunk in enumerate(chunks(rows, WRITE_CHUNK), start=1):
        values = []
        for r in chunk:
            s, officer = known.sessions[r.session_id], known.officers[r.officer_id]
            attended_on = r.attended_on or s.held_on
            values.append(
                {
                    "attendance_id": new_id(),
                    "officer_id": r.officer_id,
                    "session_id": r.session_id,
                    "attended_on": attended_on,
                    "hours": r.hours,
                    "version": 1,
                    "note": r.note,
                    "recorded_by": actor["username"],
                    "import_id": import_id,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            total = totals[(officer.agency_code, s.category_code)]
            total[0] += 1
            total[1] += r.hours
            total[2] += r.hours if s.counts_hours else 0.0
            keys.add((r.officer_id, attended_on.year))
        tx.session.execute(insert(m.Attendance), values)
        pause()
        if progress:
            progress("write", min(done * WRITE_CHUNK, len(rows)), len(rows))
    _announce(tx, import_id, len(rows), len({r.officer_id for r in rows}), totals)
    if progress:
        progress("snapshots", 0, len(keys))
    refresh_officer_years(tx, keys, settings, today, pause)
    if progress:
        progress("snapshots", len(keys), len(keys))
    return import_id


def _record_file(tx, actor: dict, digest: str, filename: str, rows: int) -> tuple[str, object]:
    import_id, now = new_id(), utcnow()
    tx.session.add(
        m.AttendanceImport(
            import_id=import_id,
            sha256=digest,
            filename=filename[:200],
            rows=rows,
            recorded_by=actor["username"],
            created_at=now,
        )
    )
    tx.session.flush()
    return import_id, now


def _announce(tx, import_id: str, rows: int, officers: int, totals: dict) -> None:
    tx.emit(
        attendance_contract.ATTENDANCE_IMPORTED,
        {
            "import_id": import_id,
            "rows": rows,
            "officers": officers,
            "totals": [
                {"agency_code": a, "category_code": c, "rows": n, "hours": round(h, 2), "counted_hours": round(ch, 2)}
                for (a, c), (n, h, ch) in sorted(totals.items())
            ],
        },
        subject=import_id,
    )
    for (agency, category), (_, hours, _) in totals.items():
        tx.on_commit.append(lambda a=agency, c=category, h=hours: metrics.count_hours(SERVICE, a, c, h))
