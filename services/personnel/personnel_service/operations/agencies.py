"""Agencies (执法主体): the list with officer counts, registration, and the seed of Wuzhai's agencies."""

from __future__ import annotations

from sqlalchemy import func, select

from enforcement_contracts import common
from enforcement_contracts import personnel as contract
from enforcement_contracts.errors import Conflict
from enforcement_kernel import access

from .. import models as m
from .views import With


def _announce(tx, agency: m.Agency) -> None:
    tx.emit(contract.AGENCY_REGISTERED, contract.AgencyRegistered().dump(agency), subject=agency.code)


def list_agencies(session, actor: dict, query: dict) -> dict:
    """A page of agencies by code, each with its count of active officers."""
    total = session.execute(select(func.count()).select_from(m.Agency)).scalar_one()
    number, per_page = query["page"], query["per_page"]
    stmt = select(m.Agency).order_by(m.Agency.code).offset((number - 1) * per_page).limit(per_page)
    agencies = session.execute(stmt).scalars().all()
    counts = dict(
        session.execute(
            select(m.Officer.agency_code, func.count())
            .where(m.Officer.status == "active", m.Officer.agency_code.in_([a.code for a in agencies]))
            .group_by(m.Officer.agency_code)
        ).all()
    )
    rows = [With(a, officer_count=counts.get(a.code, 0)) for a in agencies]
    return common.page(contract.Agency, rows, total, query)


def create_agency(tx, actor: dict, data: dict) -> dict:
    access.require_bureau(actor)
    if tx.session.get(m.Agency, data["code"]) is not None:
        raise Conflict(f"agency {data['code']} already exists", {"code": ["already exists"]})
    if tx.session.execute(select(m.Agency).where(m.Agency.name == data["name"])).first():
        raise Conflict(f"an agency named {data['name']} already exists", {"name": ["already exists"]})
    agency = m.Agency(**data)
    tx.session.add(agency)
    _announce(tx, agency)
    return contract.Agency().dump(With(agency, officer_count=0))


def seed_agencies(tx, agencies: list[dict]) -> int:
    added = 0
    for data in agencies:
        if tx.session.get(m.Agency, data["code"]) is None:
            agency = m.Agency(**data)
            tx.session.add(agency)
            _announce(tx, agency)
            added += 1
    return added
