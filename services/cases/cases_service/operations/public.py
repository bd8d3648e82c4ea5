"""What anyone may read without login (执法公示) besides the published decisions: the catalogue in force with its
legal bases, the benchmarks in force, the lenient lists in force, the major-decision lists and the published
double-random draws. Pages are
counted and cut in SQL; nothing read here names a person."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from enforcement_contracts.cases import public as contract
from enforcement_contracts.common import page
from enforcement_contracts.errors import NotFound

from .. import models as m
from .benchmarks import benchmark_in_force
from .catalogue import item_versions
from .common import page_rows
from .inspections import utc

V = m.ItemVersion


def _current_version():
    """The join of an item to the version it is at now."""
    return (V.item_id == m.Item.item_id) & (V.version == m.Item.current_version)


def _in_force_benchmarks(today: date):
    """(item_id, the benchmark version in force today) for every item with one."""
    return (
        select(m.Benchmark.item_id, func.max(m.Benchmark.version).label("version"))
        .where(m.Benchmark.effective_from <= today)
        .group_by(m.Benchmark.item_id)
        .subquery()
    )


def public_agencies(session) -> list[dict]:
    """The agencies with at least one item in force in the catalogue, by code (for the portal's filters)."""
    codes = select(m.Item.agency_code).where(m.Item.cancelled_on.is_(None)).distinct()
    rows = session.execute(
        select(m.Item.agency_code, m.Agency.name)
        .outerjoin(m.Agency, m.Agency.code == m.Item.agency_code)
        .where(m.Item.agency_code.in_(codes))
        .distinct()
        .order_by(m.Item.agency_code)
    ).all()
    return contract.PublicAgency(many=True).dump([{"code": code, "name": name or code} for code, name in rows])


def _item_row(item: m.Item, version: m.ItemVersion, agency_name: str | None, has_benchmark: bool) -> dict:
    return {
        "item_id": item.item_id,
        "agency_code": item.agency_code,
        "agency_name": agency_name or item.agency_code,
        "code": item.code,
        "type_code": item.type_code,
        "name": version.name,
        "domain": version.domain,
        "legal_basis": version.legal_basis,
        "version": version.version,
        "effective_from": version.effective_from,
        "has_benchmark": has_benchmark,
    }


def public_catalogue(session, query: dict, today: date) -> dict:
    """The items in force (not cancelled), by agency and item code, each with its legal basis."""
    bench = _in_force_benchmarks(today)
    stmt = (
        select(m.Item, V, m.Agency.name, bench.c.version)
        .join(V, _current_version())
        .outerjoin(m.Agency, m.Agency.code == m.Item.agency_code)
        .outerjoin(bench, bench.c.item_id == m.Item.item_id)
        .where(m.Item.cancelled_on.is_(None))
    )
    if query.get("agency_code"):
        stmt = stmt.where(m.Item.agency_code == query["agency_code"])
    if query.get("type_code"):
        stmt = stmt.where(m.Item.type_code == query["type_code"])
    rows, total = page_rows(session, stmt.order_by(m.Item.agency_code, m.Item.code), query)
    items = [_item_row(item, version, name, bench_version is not None) for item, version, name, bench_version in rows]
    return page(contract.PublicItem, items, total, query)


def public_item(session, item_id: str, today: date) -> dict:
    """One item of the catalogue with its versions and the benchmark in force (a cancelled item is still found: a
    published decision may name it)."""
    item = session.get(m.Item, item_id) if isinstance(item_id, str) else None
    if item is None:
        raise NotFound(f"item {item_id} not found")
    versions = item_versions(session, item_id)
    current = next(v for v in versions if v.version == item.current_version)
    agency = session.get(m.Agency, item.agency_code)
    bench = benchmark_in_force(session, item_id, today)
    row = _item_row(item, current, agency.name if agency else None, bench is not None)
    row.update(
        cancelled_on=item.cancelled_on,
        versions=versions,
        benchmark_tiers=list(bench.tiers) if bench else [],
        benchmark_effective_from=bench.effective_from if bench else None,
    )
    return contract.PublicItemDetail().dump(row)


def public_benchmarks(session, query: dict, today: date) -> dict:
    """For every item in force with a benchmark in force today: that version's tiers."""
    bench = _in_force_benchmarks(today)
    stmt = (
        select(m.Item, V, m.Benchmark, m.Agency.name)
        .join(V, _current_version())
        .join(bench, bench.c.item_id == m.Item.item_id)
        .join(m.Benchmark, (m.Benchmark.item_id == m.Item.item_id) & (m.Benchmark.version == bench.c.version))
        .outerjoin(m.Agency, m.Agency.code == m.Item.agency_code)
        .where(m.Item.cancelled_on.is_(None))
    )
    if query.get("agency_code"):
        stmt = stmt.where(m.Item.agency_code == query["agency_code"])
    rows, total = page_rows(session, stmt.order_by(m.Item.agency_code, m.Item.code), query)
    items = [
        {
            "item_id": item.item_id,
            "agency_code": item.agency_code,
            "agency_name": name or item.agency_code,
            "item_code": item.code,
            "item_name": version.name,
            "legal_basis": version.legal_basis,
            "version": b.version,
            "effective_from": b.effective_from,
            "tiers": b.tiers,
            "note": b.note,
        }
        for item, version, b, name in rows
    ]
    return page(contract.PublicBenchmark, items, total, query)


def public_lenient(session, query: dict, today: date) -> dict:
    """The entries in force today of the three lenient lists (removed and not yet effective ones are left out)."""
    E = m.LenientEntry
    stmt = (
        select(E, m.Item.code, V.name, m.Agency.name)
        .join(m.Item, m.Item.item_id == E.item_id)
        .join(V, _current_version())
        .outerjoin(m.Agency, m.Agency.code == E.agency_code)
        .where(E.effective_from <= today, E.removed_on.is_(None) | (E.removed_on > today))
    )
    if query.get("agency_code"):
        stmt = stmt.where(E.agency_code == query["agency_code"])
    if query.get("list_kind"):
        stmt = stmt.where(E.list_kind == query["list_kind"])
    rows, total = page_rows(session, stmt.order_by(E.list_kind, E.agency_code, m.Item.code, E.id), query)
    items = [
        {
            "entry_id": e.id,
            "agency_code": e.agency_code,
            "agency_name": agency_name or e.agency_code,
            "list_kind": e.list_kind,
            "item_id": e.item_id,
            "item_code": item_code,
            "item_name": item_name,
            "conditions": e.conditions,
            "effective_from": e.effective_from,
        }
        for e, item_code, item_name, agency_name in rows
    ]
    return page(contract.PublicLenientEntry, items, total, query)


def public_major_rules(session, query: dict) -> dict:
    """Every agency's major-decision list as it stands (removed entries are left out), by agency: a published list
    (重大执法决定法制审核目录清单), read without login. An entry names an item, a kind, an amount, a type or a tier,
    never a person or a case."""
    R = m.MajorRule
    stmt = (
        select(R, m.Item.code, V.name, m.Agency.name)
        .outerjoin(m.Item, m.Item.item_id == R.item_id)
        .outerjoin(V, _current_version())
        .outerjoin(m.Agency, m.Agency.code == R.agency_code)
        .where(R.removed_on.is_(None))
    )
    if query.get("agency_code"):
        stmt = stmt.where(R.agency_code == query["agency_code"])
    rows, total = page_rows(session, stmt.order_by(R.agency_code, R.id), query)
    items = [
        {
            "rule_id": r.id,
            "agency_code": r.agency_code,
            "agency_name": agency_name or r.agency_code,
            "item_id": r.item_id,
            "item_code": item_code,
            "item_name": item_name,
            "penalty_kind": r.penalty_kind,
            "fine_from": r.fine_from,
            "type_code": r.type_code,
            "circumstance": r.circumstance,
            "note": r.note,
        }
        for r, item_code, item_name, agency_name in rows
    ]
    return page(contract.PublicMajorRule, items, total, query)


def _public_draw_row(d: m.Draw, agency_name: str | None) -> dict:
    """A draw as the public sees it: the seed's hash from the plan on, the seed once drawn, the target pool and the
    targets once published (an inspection is not announced before it happens); inspectors are only counted."""
    drawn, published = d.state == "drawn", d.published_on is not None
    return {
        "draw_id": d.draw_id,
        "agency_code": d.agency_code,
        "agency_name": agency_name or d.agency_code,
        "domain": d.domain,
        "category": d.category,
        "drawn_on": d.drawn_on,
        "published_on": d.published_on,
        "state": "published" if published else d.state,
        "seed_hash": d.seed_hash,
        "seed": d.seed if drawn else None,
        "planned_at": utc(d.created_at),
        "executed_at": utc(d.executed_at),
        "target_count": d.target_count,
        "target_pool_size": len(d.target_pool),
        "inspector_pool_size": len(d.inspector_pool),
        "target_pool": [t["credit_code"] for t in d.target_pool] if published else [],
        "targets": [
            {
                "credit_code": a["credit_code"],
                "enterprise_name": a["enterprise_name"],
                "inspectors": len(a["officer_ids"]),
            }
            for a in (d.assignments if published else [])
        ],
    }


def public_draws(session, query: dict) -> dict:
    """Double-random draws, latest first: ``state`` published (the default) with the enterprises drawn and how many
    inspectors each (never who); planned (the seed's hash, before the draw) or drawn (the seed, not yet published),
    so that a draw made again and again until it suits is seen."""
    D = m.Draw
    stmt = select(D, m.Agency.name).outerjoin(m.Agency, m.Agency.code == D.agency_code)
    state = query.get("state", "published")
    if state == "published":
        stmt = stmt.where(D.published_on.is_not(None))
    else:
        stmt = stmt.where(D.state == state, D.published_on.is_(None))
    if query.get("agency_code"):
        stmt = stmt.where(D.agency_code == query["agency_code"])
    if query.get("domain"):
        stmt = stmt.where(D.domain == query["domain"])
    if query.get("year"):
        stmt = stmt.where(D.drawn_on >= date(query["year"], 1, 1), D.drawn_on <= date(query["year"], 12, 31))
    rows, total = page_rows(session, stmt.order_by(D.drawn_on.desc(), D.created_at.desc(), D.draw_id), query)
    return page(contract.PublicDraw, [_public_draw_row(d, name) for d, name in rows], total, query)
