"""Enterprise inspections (涉企行政检查): the directory of targets, recorded inspections and random draws (双随机)."""

from __future__ import annotations

import uuid
from datetime import date, timezone

from sqlalchemy import func, select

from enforcement_contracts.cases import inspections as contract
from enforcement_contracts.common import page
from enforcement_contracts.errors import Conflict, NotFound, ValidationFailed
from enforcement_kernel import access
from enforcement_kernel.db import utcnow

from .. import models as m
from ..personnel import PersonnelPort, officer_problems
from ..rules import draws, inspection_limits, procedure
from .common import Settings, ensure_agency, page_rows


def upload_directory(tx, actor: dict, data: dict, personnel: PersonnelPort) -> dict:
    """Adds or renames entries of an agency's directory (检查对象名录库); returns the counts."""
    session = tx.session
    access.require_write(actor, data["agency_code"])
    ensure_agency(session, personnel, data["agency_code"])
    seen, added, updated = set(), 0, 0
    for entry in data["entries"]:
        code = entry["credit_code"].strip().upper()
        if code in seen:
            raise ValidationFailed("a credit code is listed twice", {"entries": [f"{code} listed twice"]})
        seen.add(code)
        row = (
            session.execute(
                select(m.DirectoryEntry).where(
                    m.DirectoryEntry.agency_code == data["agency_code"], m.DirectoryEntry.credit_code == code
                )
            )
            .scalars()
            .first()
        )
        if row is None:
            session.add(
                m.DirectoryEntry(
                    agency_code=data["agency_code"],
                    credit_code=code,
                    name=entry["name"].strip(),
                    category=entry.get("category", ""),
                )
            )
            added += 1
        else:
            row.name, row.category = entry["name"].strip(), entry.get("category", "")
            updated += 1
    total = session.execute(
        select(func.count()).select_from(m.DirectoryEntry).where(m.DirectoryEntry.agency_code == data["agency_code"])
    ).scalar_one()
    result = {"agency_code": data["agency_code"], "added": added, "updated": updated, "total": total}
    tx.emit(contract.DIRECTORY_UPDATED, result, subject=data["agency_code"])
    return result


def _inspection_dict(i: m.Inspection) -> dict:
    return contract.Inspection().dump(
        {
            "inspection_id": i.inspection_id,
            "agency_code": i.agency_code,
            "credit_code": i.credit_code,
            "enterprise_name": i.enterprise_name,
            "inspected_on": i.inspected_on,
            "kind": i.kind,
            "domain": i.domain,
            "officers": list(i.officers),
            "joint_agencies": list(i.joint_agencies or []),
            "draw_id": i.draw_id,
            "result": i.result,
            "warnings": list(i.warnings or []),
        }
    )


def inspection_history(session, agency_code: str, credit_code: str, on: date) -> inspection_limits.InspectionHistory:
    year_start, year_end = date(on.year, 1, 1), date(on.year, 12, 31)
    I = m.Inspection
    in_year = (I.credit_code == credit_code, I.inspected_on >= year_start, I.inspected_on <= year_end)
    by_agency = session.execute(
        select(func.count()).select_from(I).where(*in_year, I.agency_code == agency_code)
    ).scalar_one()
    everyone = session.execute(select(func.count()).select_from(I).where(*in_year)).scalar_one()
    last = session.execute(
        select(func.max(I.inspected_on)).where(
            I.credit_code == credit_code, I.agency_code == agency_code, I.inspected_on <= on
        )
    ).scalar_one()
    return inspection_limits.InspectionHistory(by_agency, last, everyone)


def record_inspection(tx, actor: dict, data: dict, settings: Settings, personnel: PersonnelPort, today: date) -> dict:
    """Record an inspection of an enterprise: certified officers, the yearly cap, repeat and frequency warnings."""
    # Over 50 lines: every refusal (officers, draw, yearly cap) is checked before anything is written.
    session = tx.session
    access.require_write(actor, data["agency_code"])
    joint = sorted(set(data.get("joint_agencies", [])) - {data["agency_code"]})
    errors: dict[str, list[str]] = {}
    if data["inspected_on"] > today:
        errors["inspected_on"] = ["must not be in the future"]
    count_error = procedure.officer_count_error(data["officers"], settings.case_rules.min_officers)
    problems = [count_error] if count_error else []
    for officer_id in dict.fromkeys(data["officers"]):
        problems += officer_problems(
            personnel,
            officer_id,
            {data["agency_code"], *joint},
            data["domain"],
            [data["inspected_on"]] if not errors else [],
        )
    if problems:
        errors["officers"] = problems
    ensure_agency(session, personnel, data["agency_code"])  # after the personnel calls (it may write)
    for code in joint:
        ensure_agency(session, personnel, code, field="joint_agencies")
    credit_code = data["credit_code"].strip().upper()
    if data.get("draw_id"):
        draw = session.get(m.Draw, data["draw_id"])
        if draw is None or draw.agency_code != data["agency_code"]:
            errors["draw_id"] = ["not a draw of this agency"]
        elif credit_code not in {a["credit_code"] for a in draw.assignments}:
            errors["credit_code"] = ["not a target of that draw"]
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(f"the inspection was refused: {first}: {errors[first][0]}", errors)
    history = inspection_history(session, data["agency_code"], credit_code, data["inspected_on"])
    refusal, findings = inspection_limits.inspection_check(
        data["kind"], data["inspected_on"], history, settings.inspection_limits
    )
    if refusal:
        raise Conflict(refusal, {"credit_code": [refusal]})
    inspection = m.Inspection(
        inspection_id=uuid.uuid4().hex,
        agency_code=data["agency_code"],
        credit_code=credit_code,
        enterprise_name=data["enterprise_name"].strip(),
        inspected_on=data["inspected_on"],
        kind=data["kind"],
        domain=data["domain"],
        officers=list(dict.fromkeys(data["officers"])),
        joint_agencies=joint,
        draw_id=data.get("draw_id"),
        result=data.get("result", ""),
        warnings=[f.as_dict() for f in findings],
    )
    session.add(inspection)
    tx.emit(
        contract.INSPECTION_RECORDED,
        {
            "inspection_id": inspection.inspection_id,
            "agency_code": inspection.agency_code,
            "credit_code": credit_code,
            "inspected_on": inspection.inspected_on,
            "kind": inspection.kind,
            "joint_agencies": joint,
            "warnings": inspection.warnings,
        },
        subject=inspection.inspection_id,
    )
    return _inspection_dict(inspection)


def list_inspections(session, actor: dict, query: dict) -> dict:
    agency_code = access.query_agency(actor, query.get("agency_code"))
    stmt = select(m.Inspection)
    if agency_code:
        stmt = stmt.where(m.Inspection.agency_code == agency_code)
    if query.get("credit_code"):
        stmt = stmt.where(m.Inspection.credit_code == query["credit_code"].strip().upper())
    if query.get("year"):
        stmt = stmt.where(
            m.Inspection.inspected_on >= date(query["year"], 1, 1),
            m.Inspection.inspected_on <= date(query["year"], 12, 31),
        )
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    rows = session.execute(
        stmt.order_by(m.Inspection.inspected_on.desc(), m.Inspection.inspection_id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).scalars()
    return {
        "items": [_inspection_dict(i) for i in rows],
        "total": total,
        "total_exact": True,
        "page": page,
        "per_page": per_page,
        "next": None,
    }


def _draw_dict(d: m.Draw) -> dict:
    return contract.Draw().dump(_draw_row(d))


def utc(at):
    """A stored UTC instant (naive) as an aware one: answered with its offset."""
    return at.replace(tzinfo=timezone.utc) if at is not None else None


def _draw_row(d: m.Draw) -> dict:
    drawn = d.state == "drawn"
    return {
        "draw_id": d.draw_id,
        "agency_code": d.agency_code,
        "domain": d.domain,
        "category": d.category,
        "drawn_on": d.drawn_on,
        "state": d.state,
        "seed_hash": d.seed_hash,
        "seed": d.seed if drawn else None,  # secret until drawn: nobody may know the result before it exists
        "planned_at": utc(d.created_at),
        "executed_at": utc(d.executed_at),
        "target_count": d.target_count,
        "target_pool_size": len(d.target_pool),
        "inspector_pool_size": len(d.inspector_pool),
        "assignments": list(d.assignments),
        "published_on": d.published_on,
    }


def _assignments(pairs, names: dict[str, str]) -> list[dict]:
    return [
        {"credit_code": code, "enterprise_name": names.get(code, ""), "officer_ids": officers}
        for code, officers in pairs
    ]


def plan_draw(tx, actor: dict, data: dict, settings: Settings, personnel: PersonnelPort, today: date) -> dict:
    """双随机, planned: the target and inspector pools fixed and recorded, a secret seed made by the server and its
    SHA-256 published (``draw.planned``) before anything is drawn (``execute_draw``)."""
    # Over 50 lines: the pools are read, checked and recorded with the seed's commitment in one transaction.
    session = tx.session
    access.require_write(actor, data["agency_code"])
    if data["drawn_on"] > today:
        raise ValidationFailed("date out of range", {"drawn_on": ["must not be in the future"]})
    stmt = select(m.DirectoryEntry).where(m.DirectoryEntry.agency_code == data["agency_code"])
    if data.get("category"):
        stmt = stmt.where(m.DirectoryEntry.category == data["category"])
    directory = {e.credit_code: e.name for e in session.execute(stmt).scalars()}
    if not directory:
        raise ValidationFailed(
            "the directory is empty", {"agency_code": ["upload the directory of inspection targets first"]}
        )
    # the inspector pool: active officers who may enforce the domain on the day of the draw (police officers too,
    # with their police card: personnel's may_enforce answers for both)
    pool = sorted(
        o["officer_id"]
        for o in personnel.active_officers(data["agency_code"])
        if personnel.may_enforce(o["officer_id"], data["domain"], data["drawn_on"])["allowed"]
    )
    ensure_agency(session, personnel, data["agency_code"])  # after the personnel calls (it may write)
    per_target = settings.case_rules.min_officers
    if len(set(pool)) < per_target:  # refused now, so that every planned draw can be made
        raise ValidationFailed(
            "not enough certified inspectors",
            {"domain": [f"at least {per_target} certified inspectors are needed; {len(set(pool))} available"]},
        )
    seed = draws.new_seed()
    draw = m.Draw(
        draw_id=uuid.uuid4().hex,
        agency_code=data["agency_code"],
        domain=data["domain"],
        category=data.get("category"),
        drawn_on=data["drawn_on"],
        seed=seed,
        seed_hash=draws.seed_hash(seed),
        state="planned",
        target_count=data["target_count"],
        target_pool=[{"credit_code": c, "name": n} for c, n in sorted(directory.items())],
        inspector_pool=pool,
        assignments=[],
        created_by=actor["username"],
    )
    session.add(draw)
    session.flush()  # created_at: the moment of the commitment
    tx.emit(
        contract.DRAW_PLANNED,
        {
            "draw_id": draw.draw_id,
            "agency_code": draw.agency_code,
            "domain": draw.domain,
            "drawn_on": draw.drawn_on,
            "seed_hash": draw.seed_hash,
            "target_count": draw.target_count,
            "target_pool_size": len(draw.target_pool),
            "inspector_pool_size": len(pool),
        },
        subject=draw.draw_id,
    )
    return _draw_dict(draw)


def execute_draw(tx, actor: dict, draw_id: str, settings: Settings) -> dict:
    """A planned draw made: from its recorded pools with its committed seed, which is revealed (``draw.recorded``).
    Nothing about it can be chosen any more: the pools, the count and the seed were fixed when it was planned."""
    session = tx.session
    draw = get_draw(session, draw_id, lock=True)
    access.require_write(actor, draw.agency_code)
    if draw.state != "planned":
        raise Conflict("the draw is already made", {"draw_id": ["already drawn"]})
    names = {t["credit_code"]: t["name"] for t in draw.target_pool}
    pairs = draws.draw_assignments(
        sorted(names), draw.inspector_pool, draw.target_count, draw.seed, settings.case_rules.min_officers
    )
    draw.assignments, draw.state, draw.executed_at = _assignments(pairs, names), "drawn", utcnow()
    tx.emit(
        contract.DRAW_RECORDED,
        {
            "draw_id": draw.draw_id,
            "agency_code": draw.agency_code,
            "domain": draw.domain,
            "drawn_on": draw.drawn_on,
            "seed": draw.seed,
            "seed_hash": draw.seed_hash,
            "targets": len(pairs),
        },
        subject=draw.draw_id,
    )
    return _draw_dict(draw)


def list_draws(session, actor: dict, query: dict) -> dict:
    """An agency's draws (the bureau: every agency's, or one), latest first."""
    agency_code = access.query_agency(actor, query.get("agency_code"))
    stmt = select(m.Draw)
    if agency_code:
        stmt = stmt.where(m.Draw.agency_code == agency_code)
    if query.get("published") is not None:
        stmt = stmt.where(m.Draw.published_on.is_not(None) if query["published"] else m.Draw.published_on.is_(None))
    if query.get("state"):
        stmt = stmt.where(m.Draw.state == query["state"])
    rows, total = page_rows(session, stmt.order_by(m.Draw.drawn_on.desc(), m.Draw.created_at.desc()), query)
    return page(contract.Draw, [_draw_row(d) for (d,) in rows], total, query)


def get_draw(session, draw_id: str, lock: bool = False) -> m.Draw:
    """``lock``: held until the transaction ends (two calls making the same draw: the second waits, then sees it
    made)."""
    draw = session.get(m.Draw, draw_id, with_for_update=lock) if isinstance(draw_id, str) else None
    if draw is None:
        raise NotFound(f"draw {draw_id} not found")
    return draw


def read_draw(session, actor: dict, draw_id: str) -> dict:
    draw = get_draw(session, draw_id)
    access.require_read(actor, draw.agency_code)
    return _draw_dict(draw)


def replay_draw(session, actor: dict, draw_id: str) -> dict:
    """Anyone with access can check a draw: the revealed seed is the one whose hash was published, and the recorded
    pools and seed give the recorded result again. A planned draw has nothing to replay yet."""
    draw = get_draw(session, draw_id)
    access.require_read(actor, draw.agency_code)
    if draw.state != "drawn":
        raise Conflict("the draw is not made yet", {"draw_id": ["not drawn yet"]})
    names = {t["credit_code"]: t["name"] for t in draw.target_pool}
    per_target = _per_target(draw)
    pairs = draws.draw_assignments(sorted(names), draw.inspector_pool, draw.target_count, draw.seed, per_target)
    check = draws.check_assignments(
        draw.seed,
        draw.seed_hash,
        sorted(names),
        draw.inspector_pool,
        draw.target_count,
        per_target,
        [(a["credit_code"], a["officer_ids"]) for a in draw.assignments],
    )
    return contract.DrawReplay().dump(
        {
            "draw_id": draw.draw_id,
            "seed": draw.seed,
            "seed_hash": draw.seed_hash,
            "seed_matches": check.seed_matches,
            "result_matches": check.result_matches,
            "reproduced": check.reproduced,
            "assignments": _assignments(pairs, names),
        }
    )


def _per_target(draw: m.Draw) -> int:
    """Inspectors per target as the draw made it (the setting may have changed since)."""
    return len(draw.assignments[0]["officer_ids"]) if draw.assignments else 2


def publish_draw(tx, actor: dict, draw_id: str, data: dict, today: date) -> dict:
    draw = get_draw(tx.session, draw_id)
    access.require_write(actor, draw.agency_code)
    if draw.state != "drawn":
        raise Conflict("make the draw before publishing it", {"draw_id": ["not drawn yet"]})
    if draw.published_on is not None:
        raise Conflict("the draw is already published", {"draw_id": ["already published"]})
    if data["published_on"] < draw.drawn_on or data["published_on"] > today:
        raise ValidationFailed("date out of range", {"published_on": ["must lie between the draw and today"]})
    draw.published_on = data["published_on"]
    tx.emit(
        contract.DRAW_PUBLISHED,
        {
            "draw_id": draw.draw_id,
            "agency_code": draw.agency_code,
            "domain": draw.domain,
            "drawn_on": draw.drawn_on,
            "seed": draw.seed,
            "seed_hash": draw.seed_hash,
            "published_on": draw.published_on,
            "assignments": draw.assignments,
        },
        subject=draw.draw_id,
    )
    return _draw_dict(draw)
