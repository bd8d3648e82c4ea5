"""Agencies (执法主体): the list with officer counts, registration, and the seed of Wuzhai's agencies."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from enforcement_contracts import common
from enforcement_contracts import personnel as contract
from enforcement_contracts.errors import Conflict, NotFound
from enforcement_kernel import access, metrics

from .. import models as m
from .. import rules
from .views import With


def _announce(tx, agency: m.Agency) -> None:
    tx.emit(contract.AGENCY_REGISTERED, contract.AgencyRegistered().dump(agency), subject=agency.code)
    tx.on_commit.append(lambda code=agency.code: metrics.zero_promptness(contract.SERVICE, [code]))


def zero_promptness_series(session) -> None:
    """The promptness counters of every agency at 0 (``enforcement_kernel.metrics.zero_promptness``)."""
    metrics.zero_promptness(contract.SERVICE, session.execute(select(m.Agency.code)).scalars().all())


def _counted(session, agencies: list[m.Agency], today: date) -> list[With]:
    """The agencies with their counts of officers in post and of those holding a valid, unexpired certificate."""
    codes = [a.code for a in agencies]
    officers = dict(
        session.execute(
            select(m.Officer.agency_code, func.count())
            .where(m.Officer.status == "active", m.Officer.agency_code.in_(codes))
            .group_by(m.Officer.agency_code)
        ).all()
    )
    certified = dict(
        session.execute(
            select(m.Officer.agency_code, func.count(func.distinct(m.Officer.officer_id)))
            .join(m.Certificate, m.Certificate.officer_id == m.Officer.officer_id)
            .where(
                m.Officer.status == "active",
                m.Officer.agency_code.in_(codes),
                m.Certificate.status == rules.VALID,
                m.Certificate.expires_on >= today,
            )
            .group_by(m.Officer.agency_code)
        ).all()
    )
    return [With(a, officer_count=officers.get(a.code, 0), certified_count=certified.get(a.code, 0)) for a in agencies]


def list_agencies(session, actor: dict, query: dict, today: date) -> dict:
    """A page of agencies by code, each with its counts of officers in post and of certified ones."""
    total = session.execute(select(func.count()).select_from(m.Agency)).scalar_one()
    number, per_page = query["page"], query["per_page"]
    stmt = select(m.Agency).order_by(m.Agency.code).offset((number - 1) * per_page).limit(per_page)
    agencies = session.execute(stmt).scalars().all()
    return common.page(contract.Agency, _counted(session, agencies, today), total, query)


def read_agency(session, actor: dict, code: str, today: date) -> dict:
    """One agency with its counts (any staff member may read any agency: the list is no secret either)."""
    agency = session.get(m.Agency, code) if isinstance(code, str) else None
    if agency is None:
        raise NotFound(f"agency {code} not found")
    return contract.Agency().dump(_counted(session, [agency], today)[0])


def create_agency(tx, actor: dict, data: dict) -> dict:
    access.require_bureau(actor)
    if tx.session.get(m.Agency, data["code"]) is not None:
        raise Conflict(f"agency {data['code']} already exists", {"code": ["already exists"]})
    if tx.session.execute(select(m.Agency).where(m.Agency.name == data["name"])).first():
        raise Conflict(f"an agency named {data['name']} already exists", {"name": ["already exists"]})
    agency = m.Agency(**data)
    tx.session.add(agency)
    _announce(tx, agency)
    return contract.Agency().dump(With(agency, officer_count=0, certified_count=0))


def seed_agencies(tx, agencies: list[dict]) -> int:
    added = 0
    for data in agencies:
        if tx.session.get(m.Agency, data["code"]) is None:
            agency = m.Agency(**data)
            tx.session.add(agency)
            _announce(tx, agency)
            added += 1
    return added
