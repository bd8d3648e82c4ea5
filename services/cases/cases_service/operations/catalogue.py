"""The enforcement-item catalogue: item types, items and their versions, dormant items."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from enforcement_contracts.cases import catalogue as contract
from enforcement_contracts.common import page
from enforcement_contracts.errors import Conflict, NotFound, ValidationFailed
from enforcement_kernel import access

from .. import models as m
from ..personnel import PersonnelPort
from ..rules import cataloguing
from .common import Settings, ensure_agency, page_rows


def list_types(session, query: dict) -> dict:
    rows, total = page_rows(session, select(m.ItemType).order_by(m.ItemType.position, m.ItemType.code), query)
    return page(contract.ItemType, [t for (t,) in rows], total, query)


def get_type(session, code: str) -> m.ItemType:
    item_type = session.get(m.ItemType, code)
    if item_type is None:
        known = ", ".join(session.execute(select(m.ItemType.code).order_by(m.ItemType.position)).scalars())
        raise ValidationFailed(f"unknown enforcement type {code}", {"type_code": [f"unknown type; one of {known}"]})
    return item_type


def get_item(session, item_id: str, field: str | None = None) -> m.Item:
    item = session.get(m.Item, item_id) if isinstance(item_id, str) else None
    if item is None:
        if field:
            raise ValidationFailed(f"unknown item {item_id}", {field: [f"unknown item {item_id}"]})
        raise NotFound(f"item {item_id} not found")
    return item


def item_versions(session, item_id: str) -> list[m.ItemVersion]:
    return list(
        session.execute(
            select(m.ItemVersion).where(m.ItemVersion.item_id == item_id).order_by(m.ItemVersion.version)
        ).scalars()
    )


def item_dict(item: m.Item, versions: list[m.ItemVersion]) -> dict:
    current = next(v for v in versions if v.version == item.current_version)
    return contract.Item().dump(
        {
            "item_id": item.item_id,
            "agency_code": item.agency_code,
            "code": item.code,
            "type_code": item.type_code,
            "name": current.name,
            "domain": current.domain,
            "legal_basis": current.legal_basis,
            "version": current.version,
            "effective_from": current.effective_from,
            "cancelled_on": item.cancelled_on,
            "versions": versions,  # ItemVersion rows: the schema reads their attributes
        }
    )


def _item_event(item: m.Item, version: m.ItemVersion) -> dict:
    return {
        "item_id": item.item_id,
        "agency_code": item.agency_code,
        "code": item.code,
        "type_code": item.type_code,
        "name": version.name,
        "domain": version.domain,
        "legal_basis": version.legal_basis,
        "version": version.version,
        "effective_from": version.effective_from,
    }


def create_item(tx, actor: dict, data: dict, personnel: PersonnelPort, today: date) -> dict:
    access.require_write(actor, data["agency_code"])
    session = tx.session
    try:
        basis = cataloguing.require_legal_basis(data["legal_basis"])
    except ValueError as exc:
        raise ValidationFailed(str(exc), {"legal_basis": [str(exc)]}) from None
    get_type(session, data["type_code"])
    ensure_agency(session, personnel, data["agency_code"])
    if session.execute(
        select(m.Item.item_id).where(m.Item.agency_code == data["agency_code"], m.Item.code == data["code"])
    ).first():
        raise Conflict(f"item {data['code']} already exists in this agency's catalogue", {"code": ["already exists"]})
    item = m.Item(
        item_id=uuid.uuid4().hex,
        agency_code=data["agency_code"],
        code=data["code"],
        type_code=data["type_code"],
        current_version=1,
    )
    version = m.ItemVersion(
        item_id=item.item_id,
        version=1,
        name=data["name"].strip(),
        domain=data["domain"],
        legal_basis=basis,
        effective_from=data.get("effective_from") or today,
        created_by=actor["username"],
        reason="registered",
    )
    session.add_all([item, version])
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            f"item {data['code']} already exists in this agency's catalogue", {"code": ["already exists"]}
        ) from None
    tx.emit(contract.ITEM_REGISTERED, _item_event(item, version), subject=item.item_id)
    return item_dict(item, [version])


def change_item(tx, actor: dict, item_id: str, data: dict) -> dict:
    session = tx.session
    item = get_item(session, item_id)
    access.require_write(actor, item.agency_code)
    if item.cancelled_on is not None:
        raise Conflict("the item was cancelled", {"item_id": ["cancelled"]})
    versions = item_versions(session, item_id)
    current = versions[-1]
    changed = [k for k in ("name", "domain", "legal_basis") if k in data and data[k].strip() != getattr(current, k)]
    if not changed:
        raise ValidationFailed("nothing changes", {"_schema": ["give a new name, domain or legal_basis"]})
    if "legal_basis" in data:
        try:
            cataloguing.require_legal_basis(data["legal_basis"])
        except ValueError as exc:
            raise ValidationFailed(str(exc), {"legal_basis": [str(exc)]}) from None
    try:
        current.effective_to = cataloguing.check_new_version_date(current.effective_from, data["effective_from"])
    except ValueError as exc:
        raise ValidationFailed("a new version starts after the current one", {"effective_from": [str(exc)]}) from None
    new = m.ItemVersion(
        item_id=item.item_id,
        version=current.version + 1,
        name=data.get("name", current.name).strip(),
        domain=data.get("domain", current.domain),
        legal_basis=data.get("legal_basis", current.legal_basis).strip(),
        effective_from=data["effective_from"],
        reason=data["reason"],
        created_by=actor["username"],
    )
    item.current_version = new.version
    session.add(new)
    tx.emit(
        contract.ITEM_CHANGED,
        {**_item_event(item, new), "reason": data["reason"], "changed": changed},
        subject=item.item_id,
    )
    return item_dict(item, versions + [new])


def cancel_item(tx, actor: dict, item_id: str, data: dict) -> dict:
    session = tx.session
    item = get_item(session, item_id)
    access.require_write(actor, item.agency_code)
    if item.cancelled_on is not None:
        raise Conflict("the item is already cancelled", {"item_id": ["already cancelled"]})
    versions = item_versions(session, item_id)
    if data["cancelled_on"] <= versions[-1].effective_from:
        raise ValidationFailed(
            "cancelled before the current version started",
            {"cancelled_on": [f"must be after {versions[-1].effective_from.isoformat()}"]},
        )
    item.cancelled_on, item.cancel_reason = data["cancelled_on"], data["reason"]
    versions[-1].effective_to = data["cancelled_on"]
    tx.emit(
        contract.ITEM_CANCELLED,
        {
            "item_id": item.item_id,
            "agency_code": item.agency_code,
            "code": item.code,
            "cancelled_on": item.cancelled_on,
            "reason": data["reason"],
        },
        subject=item.item_id,
    )
    return item_dict(item, versions)


def read_item(session, item_id: str) -> dict:
    item = get_item(session, item_id)
    return item_dict(item, item_versions(session, item_id))


def list_items(session, query: dict) -> dict:
    """The catalogue is public information (it is published): any signed-in role reads every agency's."""
    stmt = select(m.Item)
    if query.get("agency_code"):
        stmt = stmt.where(m.Item.agency_code == query["agency_code"])
    if query.get("type_code"):
        stmt = stmt.where(m.Item.type_code == query["type_code"])
    if not query.get("include_cancelled"):
        stmt = stmt.where(m.Item.cancelled_on.is_(None))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    items = (
        session.execute(stmt.order_by(m.Item.agency_code, m.Item.code).offset((page - 1) * per_page).limit(per_page))
        .scalars()
        .all()
    )
    versions: dict[str, list] = {}
    if items:
        for v in session.execute(
            select(m.ItemVersion)
            .where(m.ItemVersion.item_id.in_([i.item_id for i in items]))
            .order_by(m.ItemVersion.version)
        ).scalars():
            versions.setdefault(v.item_id, []).append(v)
    return {
        "items": [item_dict(i, versions[i.item_id]) for i in items],
        "total": total,
        "total_exact": True,
        "page": page,
        "per_page": per_page,
        "next": None,
    }


def dormant_items(session, actor: dict, query: dict, settings: Settings, today: date) -> dict:
    """Items with no case filed in the last N years (a setting): proposed for cancellation or adjustment."""
    agency_code = access.query_agency(actor, query.get("agency_code"))
    as_of = query.get("as_of") or today
    cutoff = cataloguing.dormant_cutoff(as_of, settings.dormant_item_years)
    last_case = select(m.Case.item_id, func.max(m.Case.filed_on).label("last")).group_by(m.Case.item_id).subquery()
    first_version = (
        select(m.ItemVersion.item_id, func.min(m.ItemVersion.effective_from).label("since"))
        .group_by(m.ItemVersion.item_id)
        .subquery()
    )
    stmt = (
        select(m.Item, last_case.c.last, first_version.c.since)
        .join(first_version, first_version.c.item_id == m.Item.item_id)
        .outerjoin(last_case, last_case.c.item_id == m.Item.item_id)
        .where(m.Item.cancelled_on.is_(None), first_version.c.since <= cutoff)
        .where((last_case.c.last.is_(None)) | (last_case.c.last < cutoff))
    )
    if agency_code:
        stmt = stmt.where(m.Item.agency_code == agency_code)
    rows, total = page_rows(session, stmt.order_by(m.Item.agency_code, m.Item.code), query)
    out = []
    for item, last, since in rows:
        if not cataloguing.is_dormant(last, since, as_of, settings.dormant_item_years):
            continue  # the SQL and the rule agree (so the count does); the rule is the reference
        current = session.execute(
            select(m.ItemVersion).where(
                m.ItemVersion.item_id == item.item_id, m.ItemVersion.version == item.current_version
            )
        ).scalar_one()
        out.append(
            {
                "item_id": item.item_id,
                "agency_code": item.agency_code,
                "code": item.code,
                "type_code": item.type_code,
                "name": current.name,
                "last_case_filed_on": last,
                "in_catalogue_since": since,
            }
        )
    return page(contract.DormantItem, out, total, query)
