"""Case-file review (案卷评查): checklists, batches drawn at random, reviewers and scores."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select

from enforcement_contracts.cases import reviews as contract
from enforcement_contracts.common import page
from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement_kernel import access
from enforcement_kernel.db import utcnow

from .. import models as m
from ..personnel import PersonnelPort
from ..records.completeness import records_checks
from ..records.kinds import kind_catalogue
from ..rules import draws, file_review
from . import followups
from .common import Settings, page_rows
from .inspections import utc


def _check_items(items: list[dict]) -> list[file_review.CheckItem]:
    return [
        file_review.CheckItem(
            i["code"],
            i["label"],
            i["section"],
            int(i.get("points", 0)),
            tuple(i.get("documents") or ()),
            i.get("per_missing_document"),
        )
        for i in items
    ]


def _stored_item(item: dict) -> dict:
    """An item as the checklist keeps it: the documents and the missing-documents proposal only when given."""
    stored = {
        "code": item["code"],
        "label": item["label"],
        "section": item["section"],
        "points": int(item.get("points", 0)),
    }
    if item.get("documents") is not None:
        stored["documents"] = list(item["documents"])
    if item.get("per_missing_document") is not None:
        stored["per_missing_document"] = int(item["per_missing_document"])
    return stored


def _checklist_row(c: m.Checklist) -> dict:
    return {"version": c.version, "effective_from": c.effective_from, "items": list(c.items)}


def _checklist_dict(c: m.Checklist) -> dict:
    return contract.Checklist().dump(_checklist_row(c))


def create_checklist(tx, actor: dict, data: dict, settings: Settings) -> dict:
    """A new checklist version (the bureau's): later batches use it, earlier ones keep theirs."""
    access.require_bureau(actor)
    items = _check_items(data["items"])
    problems = file_review.checklist_errors(items, settings.review_form_points, settings.review_content_points)
    problems += file_review.checklist_document_errors(items, [k.code for k in kind_catalogue(tx.session).kinds])
    if problems:
        raise ValidationFailed("invalid checklist", {"items": problems})
    latest = tx.session.execute(select(m.Checklist).order_by(m.Checklist.version.desc())).scalars().first()
    if latest is not None and data["effective_from"] <= latest.effective_from:
        raise ValidationFailed(
            "a new version starts after the current one",
            {"effective_from": [f"must be after {latest.effective_from.isoformat()}"]},
        )
    checklist = m.Checklist(
        version=(latest.version + 1) if latest else 1,
        effective_from=data["effective_from"],
        items=[_stored_item(i) for i in data["items"]],
        created_by=actor["username"],
    )
    tx.session.add(checklist)
    tx.emit(
        contract.CHECKLIST_FILED,
        {
            "version": checklist.version,
            "effective_from": checklist.effective_from,
            "items": len(checklist.items),
            "filed_by": actor["username"],
        },
        subject=str(checklist.version),
    )
    return _checklist_dict(checklist)


def list_checklists(session, query: dict) -> dict:
    rows, total = page_rows(session, select(m.Checklist).order_by(m.Checklist.version), query)
    return page(contract.Checklist, [_checklist_row(c) for (c,) in rows], total, query)


def _file_row(f: m.ReviewFile, case_number: str) -> dict:
    return {
        "file_id": f.file_id,
        "batch_id": f.batch_id,
        "case_id": f.case_id,
        "case_number": case_number,
        "agency_code": f.agency_code,
        "reviewer_id": f.reviewer_id,
        "scored_on": f.scored_on,
        "basic_failures": list(f.basic_failures or []),
        "form_score": f.form_score,
        "content_score": f.content_score,
        "total": f.total,
        "grade": f.grade,
    }


def _file_dict(f: m.ReviewFile, case_number: str) -> dict:
    return contract.ReviewFile().dump(_file_row(f, case_number))


def _batch_dict(session, b: m.ReviewBatch) -> dict:
    rows = session.execute(
        select(m.ReviewFile, m.Case.case_number)
        .join(m.Case, m.Case.case_id == m.ReviewFile.case_id)
        .where(m.ReviewFile.batch_id == b.batch_id)
        .order_by(m.Case.case_number)
    ).all()
    return contract.ReviewBatch().dump(
        {
            **_commitment(b),
            "batch_id": b.batch_id,
            "drawn_on": b.drawn_on,
            "agency_code": b.agency_code,
            "type_code": b.type_code,
            "closed_from": b.closed_from,
            "closed_to": b.closed_to,
            "population_size": len(b.population),
            "checklist_version": b.checklist_version,
            "files": [_file_dict(f, number) for f, number in rows],
        }
    )


def _commitment(b: m.ReviewBatch) -> dict:
    """The batch's seed as anyone reading it sees it: the hash from the plan on, the seed once drawn."""
    return {
        "state": b.state,
        "seed_hash": b.seed_hash,
        "seed": b.seed if b.state == "drawn" else None,
        "planned_at": utc(b.created_at),
        "executed_at": utc(b.executed_at),
        "size": b.size,
    }


def plan_review_batch(tx, actor: dict, data: dict, today: date) -> dict:
    """The bureau plans a batch: the population (closed cases by agency, type, closing period) and the checklist are
    fixed and recorded, a secret seed made by the server and its SHA-256 published (``review_batch.planned``); the
    files are drawn later (``execute_review_batch``)."""
    # Over 50 lines: the checklist, the population and the commitment are recorded in one transaction.
    access.require_bureau(actor)
    session = tx.session
    checklist = (
        session.execute(
            select(m.Checklist).where(m.Checklist.effective_from <= today).order_by(m.Checklist.version.desc())
        )
        .scalars()
        .first()
    )
    if checklist is None:
        raise Conflict("no review checklist in force", {"checklist": ["file a checklist first"]})
    stmt = select(m.Case.case_id).where(
        m.Case.closed_on >= data["closed_from"], m.Case.closed_on <= data["closed_to"], m.Case.revoked_on.is_(None)
    )
    if data.get("agency_code"):
        stmt = stmt.where(m.Case.agency_code == data["agency_code"])
    if data.get("type_code"):
        stmt = stmt.where(m.Case.type_code == data["type_code"])
    population = sorted(session.execute(stmt).scalars())
    if not population:
        raise ValidationFailed("no closed case matches", {"closed_from": ["no case closed in the period matches"]})
    seed = draws.new_seed()
    batch = m.ReviewBatch(
        batch_id=uuid.uuid4().hex,
        drawn_on=today,
        seed=seed,
        seed_hash=draws.seed_hash(seed),
        state="planned",
        agency_code=data.get("agency_code"),
        type_code=data.get("type_code"),
        closed_from=data["closed_from"],
        closed_to=data["closed_to"],
        size=data["size"],
        population=population,
        checklist_version=checklist.version,
        created_by=actor["username"],
    )
    session.add(batch)
    session.flush()  # created_at: the moment of the commitment
    tx.emit(
        contract.REVIEW_BATCH_PLANNED,
        {
            "batch_id": batch.batch_id,
            "planned_on": today,
            "seed_hash": batch.seed_hash,
            "agency_code": batch.agency_code,
            "type_code": batch.type_code,
            "population_size": len(population),
            "size": batch.size,
        },
        subject=batch.batch_id,
    )
    return _batch_dict(session, batch)


def execute_review_batch(tx, actor: dict, batch_id: str, today: date) -> dict:
    """A planned batch drawn from its recorded population with its committed seed, which is revealed
    (``review_batch.drawn``); one file per case drawn, to be assigned and scored."""
    access.require_bureau(actor)
    session = tx.session
    batch = get_batch(session, batch_id, lock=True)
    if batch.state != "planned":
        raise Conflict("the batch is already drawn", {"batch_id": ["already drawn"]})
    chosen = draws.seeded_sample(batch.population, batch.size, batch.seed)
    batch.state, batch.drawn_on, batch.executed_at = "drawn", today, utcnow()
    agencies = dict(session.execute(select(m.Case.case_id, m.Case.agency_code).where(m.Case.case_id.in_(chosen))).all())
    for case_id in chosen:
        session.add(
            m.ReviewFile(
                file_id=uuid.uuid4().hex,
                batch_id=batch.batch_id,
                case_id=case_id,
                agency_code=agencies[case_id],
                basic_failures=[],
                deductions=[],
            )
        )
    session.flush()
    tx.emit(
        contract.REVIEW_BATCH_DRAWN,
        {
            "batch_id": batch.batch_id,
            "drawn_on": today,
            "seed": batch.seed,
            "seed_hash": batch.seed_hash,
            "agency_code": batch.agency_code,
            "type_code": batch.type_code,
            "population_size": len(batch.population),
            "case_ids": chosen,
        },
        subject=batch.batch_id,
    )
    return _batch_dict(session, batch)


def list_review_batches(session, actor: dict, query: dict) -> dict:
    """The bureau's review batches, latest first, each with its files counted and how many are scored."""
    access.require_bureau(actor)
    F = m.ReviewFile
    counts = (
        select(F.batch_id, func.count().label("files"), func.count(F.scored_on).label("scored"))
        .group_by(F.batch_id)
        .subquery()
    )
    stmt = (
        select(m.ReviewBatch, counts.c.files, counts.c.scored)
        .outerjoin(counts, counts.c.batch_id == m.ReviewBatch.batch_id)
        .order_by(m.ReviewBatch.drawn_on.desc(), m.ReviewBatch.created_at.desc())
    )
    rows, total = page_rows(session, stmt, query)
    items = [
        {
            **_commitment(b),
            "batch_id": b.batch_id,
            "drawn_on": b.drawn_on,
            "agency_code": b.agency_code,
            "type_code": b.type_code,
            "closed_from": b.closed_from,
            "closed_to": b.closed_to,
            "population_size": len(b.population),
            "checklist_version": b.checklist_version,
            "files": files or 0,
            "scored": scored or 0,
        }
        for b, files, scored in rows
    ]
    return page(contract.ReviewBatchSummary, items, total, query)


def get_batch(session, batch_id: str, lock: bool = False) -> m.ReviewBatch:
    """``lock``: held until the transaction ends (two calls drawing the same batch: the second waits, then sees it
    drawn)."""
    batch = session.get(m.ReviewBatch, batch_id, with_for_update=lock) if isinstance(batch_id, str) else None
    if batch is None:
        raise NotFound(f"review batch {batch_id} not found")
    return batch


def read_batch(session, actor: dict, batch_id: str) -> dict:
    access.require_bureau(actor)
    return _batch_dict(session, get_batch(session, batch_id))


def replay_review_batch(session, actor: dict, batch_id: str) -> dict:
    """The batch checked: the revealed seed is the committed one, and the recorded population and seed draw the same
    cases again."""
    access.require_bureau(actor)
    batch = get_batch(session, batch_id)
    if batch.state != "drawn":
        raise Conflict("the batch is not drawn yet", {"batch_id": ["not drawn yet"]})
    drawn = session.execute(select(m.ReviewFile.case_id).where(m.ReviewFile.batch_id == batch_id)).scalars().all()
    check = draws.check_sample(batch.seed, batch.seed_hash, batch.population, batch.size, drawn)
    return contract.ReviewBatchReplay().dump(
        {
            "batch_id": batch.batch_id,
            "seed": batch.seed,
            "seed_hash": batch.seed_hash,
            "seed_matches": check.seed_matches,
            "result_matches": check.result_matches,
            "reproduced": check.reproduced,
            "case_ids": sorted(draws.seeded_sample(batch.population, batch.size, batch.seed)),
        }
    )


def assign_reviewers(tx, actor: dict, batch_id: str, data: dict, personnel: PersonnelPort) -> dict:
    """Reviewers are registered officers of another agency than the case's (never their own agency's files)."""
    access.require_bureau(actor)
    session = tx.session
    batch = get_batch(session, batch_id)
    files = {
        f.file_id: f for f in session.execute(select(m.ReviewFile).where(m.ReviewFile.batch_id == batch_id)).scalars()
    }
    problems = []
    plan = []
    for a in data["assignments"]:
        f = files.get(a["file_id"])
        if f is None:
            problems.append(f"file {a['file_id']} is not in this batch")
            continue
        if f.scored_on is not None:
            problems.append(f"file {a['file_id']} is already scored")
            continue
        reviewer = personnel.officer(a["reviewer_id"])
        if reviewer is None or reviewer.get("status") != "active":
            problems.append(f"reviewer {a['reviewer_id']} is not an active registered officer")
            continue
        conflict = file_review.reviewer_agency_error(reviewer["agency_code"], f.agency_code)
        if conflict:
            problems.append(f"file {a['file_id']}: {conflict} ({f.agency_code})")
            continue
        plan.append((f, a["reviewer_id"], reviewer["agency_code"]))
    if problems:
        raise ValidationFailed(f"assignment refused: {problems[0]}", {"assignments": problems})
    for f, reviewer_id, agency in plan:
        f.reviewer_id, f.reviewer_agency = reviewer_id, agency
    tx.emit(
        contract.REVIEWERS_ASSIGNED,
        {
            "batch_id": batch_id,
            "assignments": [{"file_id": f.file_id, "reviewer_id": reviewer_id} for f, reviewer_id, _ in plan],
        },
        subject=batch_id,
    )
    return _batch_dict(session, batch)


def score_review_file(tx, actor: dict, file_id: str, data: dict, settings: Settings, today: date) -> dict:
    """Scores a file against its batch's checklist; a failing file opens a correction and an accountability record."""
    # Over 50 lines: checks, the score, the correction it may open and the events are one transaction.
    access.require_bureau(actor)
    session = tx.session
    f = session.get(m.ReviewFile, file_id) if isinstance(file_id, str) else None
    if f is None:
        raise NotFound(f"review file {file_id} not found")
    if f.reviewer_id is None:
        raise Conflict("assign a reviewer first", {"file_id": ["no reviewer"]})
    if f.scored_on is not None:
        raise Conflict("the file is already scored", {"file_id": ["already scored"]})
    batch = session.get(m.ReviewBatch, f.batch_id)
    if data["scored_on"] < batch.drawn_on or data["scored_on"] > today:
        raise ValidationFailed("date out of range", {"scored_on": ["must lie between the draw and today"]})
    checklist = session.get(m.Checklist, batch.checklist_version)
    try:
        score = file_review.score_file(
            _check_items(checklist.items),
            data["basic_failures"],
            [(d["code"], d["points"]) for d in data["deductions"]],
            settings.review_form_points,
            settings.review_content_points,
            settings.grade_excellent,
            settings.grade_pass,
        )
    except ValueError as exc:
        field = "basic_failures" if "basic" in str(exc) else "deductions"
        raise ValidationFailed(str(exc), {field: [str(exc)]}) from None
    f.scored_on, f.basic_failures, f.note = data["scored_on"], list(score.basic_failures), data.get("note", "")
    f.deductions = [{"code": d["code"], "points": d["points"], "note": d.get("note", "")} for d in data["deductions"]]
    f.form_score, f.content_score, f.total, f.grade = score.form, score.content, score.total, score.grade
    tx.emit(
        contract.REVIEW_FILE_SCORED,
        {
            "file_id": f.file_id,
            "batch_id": f.batch_id,
            "case_id": f.case_id,
            "agency_code": f.agency_code,
            "checklist_version": checklist.version,
            "total": score.total,
            "grade": score.grade,
            "basic_failures": list(score.basic_failures),
        },
        subject=f.case_id,
    )
    if score.grade == file_review.GRADE_FAIL:
        case = session.get(m.Case, f.case_id)
        reason = f"案卷评查 不合格: {score.total} points" + (
            f"; basic items failed: {', '.join(score.basic_failures)}" if score.basic_failures else ""
        )
        officer_ids = [o["officer_id"] for o in case.officers]
        for kind, event_type in (
            ("correction", contract.CORRECTION_OPENED),
            ("accountability", contract.ACCOUNTABILITY_OPENED),
        ):
            record = m.Correction(
                kind=kind,
                case_id=f.case_id,
                file_id=f.file_id,
                agency_code=f.agency_code,
                officer_ids=officer_ids if kind == "accountability" else [],
                opened_on=data["scored_on"],
                reason=reason,
            )
            session.add(record)
            session.flush()
            tx.emit(
                event_type,
                {
                    "record_id": record.id,
                    "case_id": f.case_id,
                    "agency_code": f.agency_code,
                    "file_id": f.file_id,
                    "officer_ids": record.officer_ids,
                    "opened_on": record.opened_on,
                    "reason": reason,
                },
                subject=f.case_id,
            )
        followups.count_on_commit(tx)  # the follow-up gauges count them once committed
    return _file_dict(f, session.get(m.Case, f.case_id).case_number)


def list_review_files(session, actor: dict, query: dict) -> dict:
    """An agency sees the grades of its own files; the bureau all."""
    agency_code = access.query_agency(actor, query.get("agency_code"))
    stmt = select(m.ReviewFile, m.Case.case_number).join(m.Case, m.Case.case_id == m.ReviewFile.case_id)
    if agency_code:
        stmt = stmt.where(m.ReviewFile.agency_code == agency_code)
    if query.get("grade"):
        stmt = stmt.where(m.ReviewFile.grade == query["grade"])
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    rows = session.execute(
        stmt.order_by(m.ReviewFile.batch_id, m.Case.case_number).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return {
        "items": [_file_dict(f, number) for f, number in rows],
        "total": total,
        "total_exact": True,
        "page": page,
        "per_page": per_page,
        "next": None,
    }


# --- the file as its reviewer reads it (issue 15.5: review with the files) ------------------------------------------
def _review_file(session, file_id) -> m.ReviewFile:
    f = session.get(m.ReviewFile, file_id) if isinstance(file_id, str) else None
    if f is None:
        raise NotFound(f"review file {file_id} not found")
    return f


def is_reviewing(session, actor: dict, case_id: str) -> bool:
    """Whether the caller is an officer assigned to review a file of the case that is not scored yet: reviewers are
    of another agency than the case's (``assign_reviewers``), so the case's own access rules would refuse them."""
    officer_id = actor.get("officer_id")
    if actor.get("role") != "officer" or not officer_id:
        return False
    found = session.execute(
        select(m.ReviewFile.file_id)
        .where(
            m.ReviewFile.case_id == case_id,
            m.ReviewFile.reviewer_id == officer_id,
            m.ReviewFile.scored_on.is_(None),
        )
        .limit(1)
    ).first()
    return found is not None


def _may_read_file(actor: dict, f: m.ReviewFile) -> bool:
    if access.sees_all(actor):
        return True
    return actor.get("role") == "officer" and bool(actor.get("officer_id")) and actor["officer_id"] == f.reviewer_id


def read_review_file(session, actor: dict, file_id, settings: Settings) -> dict:
    """A review file as its reviewer scores it (the bureau too): the checklist's items with the documents each looks
    at and which of them the case has, the case's documents with their download paths, the documents the
    completeness checks find missing and the score form pre-filled from them."""
    f = _review_file(session, file_id)
    if not _may_read_file(actor, f):
        raise Forbidden("only the bureau and the file's reviewer read a review file")
    case = session.get(m.Case, f.case_id)
    checklist = session.get(m.Checklist, session.get(m.ReviewBatch, f.batch_id).checklist_version)
    items = _check_items(checklist.items)
    catalogue = kind_catalogue(session)
    names = {k.code: k.name for k in catalogue.kinds}
    docs = (
        session.execute(
            select(m.CaseDocument)
            .where(m.CaseDocument.case_id == case.case_id)
            .order_by(m.CaseDocument.uploaded_at, m.CaseDocument.document_id)
        )
        .scalars()
        .all()
    )
    held: dict[str, list[str]] = {}
    for d in docs:
        held.setdefault(d.kind, []).append(d.document_id)
    checks = records_checks(session, case, settings.records)
    missing = file_review.review_missing(checks, names.get("recording", "执法记录仪音视频"))
    return contract.ReviewFileDetail().dump(
        {
            **_file_row(f, case.case_number),
            "checklist_version": checklist.version,
            "reviewer_agency": f.reviewer_agency,
            "items": file_review.item_documents(items, held, names),
            "documents": [
                {
                    "document_id": d.document_id,
                    "kind": d.kind,
                    "kind_name": names.get(d.kind),
                    "title": d.title,
                    "stage": d.stage,
                    "media_type": d.media_type,
                    "size_bytes": d.size_bytes,
                    "sha256": d.sha256,
                    "download": f"/cases/{case.case_id}/documents/{d.document_id}/file",
                }
                for d in docs
            ],
            "missing_documents": [{"code": code, "name": name} for code, name in missing],
            "completeness_enforced": checks["completeness_enforced"],
            "proposed": {
                "basic_failures": [],
                "deductions": file_review.proposed_deductions(items, missing) if f.scored_on is None else [],
            },
        }
    )
