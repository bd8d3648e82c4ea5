"""What the catalogue's items carry: discretion benchmarks, the lenient lists and the major-decision list."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from enforcement_contracts.cases import benchmarks as contract
from enforcement_contracts.common import page
from enforcement_contracts.errors import Conflict, NotFound, ValidationFailed
from enforcement_kernel import access

from .. import models as m
from ..personnel import PersonnelPort
from ..rules import major_decisions
from .catalogue import get_item, get_type
from .common import _money, ensure_agency, page_rows


def _tiers_json(tiers: list[dict]) -> list[dict]:
    return [
        {
            "tier": t["tier"],
            "label": t["label"],
            "penalty_kinds": sorted(set(t["penalty_kinds"])),
            "fine_min": _money(t.get("fine_min")),
            "fine_max": _money(t.get("fine_max")),
            "note": t.get("note", ""),
        }
        for t in tiers
    ]


def _benchmark_row(item: m.Item, b: m.Benchmark) -> dict:
    return {
        "item_id": item.item_id,
        "agency_code": item.agency_code,
        "version": b.version,
        "tiers": b.tiers,
        "effective_from": b.effective_from,
        "note": b.note,
    }


def benchmark_dict(item: m.Item, b: m.Benchmark) -> dict:
    return contract.Benchmark().dump(_benchmark_row(item, b))


def set_benchmark(tx, actor: dict, item_id: str, data: dict) -> dict:
    """A new benchmark version; every one is filed with the bureau (备案) as an event."""
    session = tx.session
    item = get_item(session, item_id)
    access.require_write(actor, item.agency_code)
    if not get_type(session, item.type_code).penalty_procedure:
        raise ValidationFailed("discretion benchmarks grade penalties", {"item_id": ["not a penalty item"]})
    if item.cancelled_on is not None:
        raise Conflict("the item was cancelled", {"item_id": ["cancelled"]})
    latest = (
        session.execute(select(m.Benchmark).where(m.Benchmark.item_id == item_id).order_by(m.Benchmark.version.desc()))
        .scalars()
        .first()
    )
    if latest is not None and data["effective_from"] <= latest.effective_from:
        raise ValidationFailed(
            "a new benchmark version starts after the current one",
            {"effective_from": [f"must be after {latest.effective_from.isoformat()}"]},
        )
    bench = m.Benchmark(
        item_id=item_id,
        version=(latest.version + 1) if latest else 1,
        tiers=_tiers_json(data["tiers"]),
        effective_from=data["effective_from"],
        note=data.get("note", ""),
        created_by=actor["username"],
    )
    session.add(bench)
    tx.emit(
        contract.BENCHMARK_FILED,
        {
            "item_id": item_id,
            "agency_code": item.agency_code,
            "item_code": item.code,
            "version": bench.version,
            "effective_from": bench.effective_from,
            "tiers": bench.tiers,
            "filed_by": actor["username"],
        },
        subject=item_id,
    )
    return benchmark_dict(item, bench)


def benchmark_in_force(session, item_id: str, on: date) -> m.Benchmark | None:
    return (
        session.execute(
            select(m.Benchmark)
            .where(m.Benchmark.item_id == item_id, m.Benchmark.effective_from <= on)
            .order_by(m.Benchmark.version.desc())
        )
        .scalars()
        .first()
    )


def read_benchmarks(session, item_id: str, query: dict) -> dict:
    item = get_item(session, item_id)
    stmt = select(m.Benchmark).where(m.Benchmark.item_id == item_id).order_by(m.Benchmark.version)
    rows, total = page_rows(session, stmt, query)
    return page(contract.Benchmark, [_benchmark_row(item, b) for (b,) in rows], total, query)


def _entry_row(e: m.LenientEntry, item_name: str) -> dict:
    return {
        "entry_id": e.id,
        "agency_code": e.agency_code,
        "list_kind": e.list_kind,
        "item_id": e.item_id,
        "item_name": item_name,
        "conditions": e.conditions,
        "effective_from": e.effective_from,
        "removed_on": e.removed_on,
    }


def _entry_dict(e: m.LenientEntry, item_name: str) -> dict:
    return contract.LenientEntry().dump(_entry_row(e, item_name))


def _current_name(session, item: m.Item) -> str:
    return session.execute(
        select(m.ItemVersion.name).where(
            m.ItemVersion.item_id == item.item_id, m.ItemVersion.version == item.current_version
        )
    ).scalar_one()


def add_lenient_entry(tx, actor: dict, data: dict) -> dict:
    session = tx.session
    item = get_item(session, data["item_id"], field="item_id")
    access.require_write(actor, item.agency_code)
    if not get_type(session, item.type_code).penalty_procedure:
        raise ValidationFailed("lenient lists hold penalty items", {"item_id": ["not a penalty item"]})
    if session.execute(
        select(m.LenientEntry.id).where(
            m.LenientEntry.item_id == item.item_id,
            m.LenientEntry.list_kind == data["list_kind"],
            m.LenientEntry.removed_on.is_(None),
        )
    ).first():
        raise Conflict(f"the item is already on the {data['list_kind']} list", {"item_id": ["already listed"]})
    entry = m.LenientEntry(
        agency_code=item.agency_code,
        list_kind=data["list_kind"],
        item_id=item.item_id,
        conditions=data["conditions"].strip(),
        effective_from=data["effective_from"],
    )
    session.add(entry)
    session.flush()
    tx.emit(
        contract.LENIENT_LIST_FILED,
        {
            "agency_code": entry.agency_code,
            "list_kind": entry.list_kind,
            "action": "added",
            "entry_id": entry.id,
            "item_id": item.item_id,
            "item_code": item.code,
            "conditions": entry.conditions,
            "effective_on": entry.effective_from,
            "filed_by": actor["username"],
        },
        subject=item.item_id,
    )
    return _entry_dict(entry, _current_name(session, item))


def remove_lenient_entry(tx, actor: dict, entry_id: int, data: dict) -> dict:
    session = tx.session
    entry = session.get(m.LenientEntry, entry_id) if isinstance(entry_id, int) else None
    if entry is None:
        raise NotFound(f"lenient-list entry {entry_id} not found")
    access.require_write(actor, entry.agency_code)
    if entry.removed_on is not None:
        raise Conflict("the entry was already removed", {"entry_id": ["already removed"]})
    if data["removed_on"] <= entry.effective_from:
        raise ValidationFailed(
            "removed before it took effect", {"removed_on": [f"must be after {entry.effective_from.isoformat()}"]}
        )
    entry.removed_on, entry.remove_reason = data["removed_on"], data["reason"]
    item = session.get(m.Item, entry.item_id)
    tx.emit(
        contract.LENIENT_LIST_FILED,
        {
            "agency_code": entry.agency_code,
            "list_kind": entry.list_kind,
            "action": "removed",
            "entry_id": entry.id,
            "item_id": item.item_id,
            "item_code": item.code,
            "conditions": entry.conditions,
            "effective_on": entry.removed_on,
            "filed_by": actor["username"],
        },
        subject=item.item_id,
    )
    return _entry_dict(entry, _current_name(session, item))


def list_lenient(session, query: dict) -> dict:
    """The lenient lists are published (对外公布): any signed-in role reads them."""
    stmt = (
        select(m.LenientEntry, m.ItemVersion.name)
        .join(m.Item, m.Item.item_id == m.LenientEntry.item_id)
        .join(
            m.ItemVersion, (m.ItemVersion.item_id == m.Item.item_id) & (m.ItemVersion.version == m.Item.current_version)
        )
    )
    if query.get("agency_code"):
        stmt = stmt.where(m.LenientEntry.agency_code == query["agency_code"])
    if query.get("list_kind"):
        stmt = stmt.where(m.LenientEntry.list_kind == query["list_kind"])
    if not query.get("include_removed"):
        stmt = stmt.where(m.LenientEntry.removed_on.is_(None))
    stmt = stmt.order_by(m.LenientEntry.agency_code, m.LenientEntry.list_kind, m.LenientEntry.id)
    rows, total = page_rows(session, stmt, query)
    return page(contract.LenientEntry, [_entry_row(e, name) for e, name in rows], total, query)


def lists_in_force(session, item_id: str, on: date) -> set[str]:
    rows = session.execute(
        select(m.LenientEntry.list_kind).where(
            m.LenientEntry.item_id == item_id,
            m.LenientEntry.effective_from <= on,
            (m.LenientEntry.removed_on.is_(None)) | (m.LenientEntry.removed_on > on),
        )
    ).scalars()
    return set(rows)


def _rule_row(r: m.MajorRule) -> dict:
    return {
        "rule_id": r.id,
        "agency_code": r.agency_code,
        "item_id": r.item_id,
        "penalty_kind": r.penalty_kind,
        "fine_from": r.fine_from,
        "type_code": r.type_code,
        "circumstance": r.circumstance,
        "note": r.note,
    }


def _rule_dict(r: m.MajorRule) -> dict:
    return contract.MajorRule().dump(_rule_row(r))


def _rule_event(r: m.MajorRule, action: str) -> dict:
    return {
        "agency_code": r.agency_code,
        "action": action,
        "rule_id": r.id,
        "item_id": r.item_id,
        "penalty_kind": r.penalty_kind,
        "fine_from": _money(r.fine_from),
        "type_code": r.type_code,
        "circumstance": r.circumstance,
    }


def add_major_rule(tx, actor: dict, data: dict, personnel: PersonnelPort) -> dict:
    session = tx.session
    access.require_write(actor, data["agency_code"])
    ensure_agency(session, personnel, data["agency_code"])
    if data.get("item_id"):
        item = get_item(session, data["item_id"], field="item_id")
        if item.agency_code != data["agency_code"]:
            raise ValidationFailed("the item belongs to another agency", {"item_id": ["belongs to another agency"]})
    if data.get("type_code"):
        get_type(session, data["type_code"])  # an unknown type: 400 naming type_code
    rule = m.MajorRule(
        agency_code=data["agency_code"],
        item_id=data.get("item_id"),
        penalty_kind=data.get("penalty_kind"),
        fine_from=data.get("fine_from"),
        type_code=data.get("type_code"),
        circumstance=data.get("circumstance"),
        note=data.get("note", ""),
    )
    session.add(rule)
    session.flush()
    tx.emit(contract.MAJOR_LIST_CHANGED, _rule_event(rule, "added"), subject=rule.agency_code)
    return _rule_dict(rule)


def remove_major_rule(tx, actor: dict, rule_id: int, today: date) -> dict:
    session = tx.session
    rule = session.get(m.MajorRule, rule_id) if isinstance(rule_id, int) else None
    if rule is None or rule.removed_on is not None:
        raise NotFound(f"major-decision rule {rule_id} not found")
    access.require_write(actor, rule.agency_code)
    rule.removed_on = today
    tx.emit(contract.MAJOR_LIST_CHANGED, _rule_event(rule, "removed"), subject=rule.agency_code)
    return _rule_dict(rule)


def list_major_rules(session, actor: dict, agency_code: str | None, query: dict) -> dict:
    """Every agency's list, for every signed-in role: the major-decision lists are published on purpose (the public
    reads them too, ``public.public_major_rules``), so unlike the agencies' other records they are not scoped."""
    stmt = select(m.MajorRule).where(m.MajorRule.removed_on.is_(None))
    if agency_code:
        stmt = stmt.where(m.MajorRule.agency_code == agency_code)
    rows, total = page_rows(session, stmt.order_by(m.MajorRule.agency_code, m.MajorRule.id), query)
    return page(contract.MajorRule, [_rule_row(r) for (r,) in rows], total, query)


def major_rules(session, agency_code: str) -> list[major_decisions.MajorRule]:
    rows = session.execute(
        select(m.MajorRule).where(m.MajorRule.agency_code == agency_code, m.MajorRule.removed_on.is_(None))
    ).scalars()
    return [
        major_decisions.MajorRule(r.item_id, r.penalty_kind, r.fine_from, r.type_code, r.circumstance) for r in rows
    ]
