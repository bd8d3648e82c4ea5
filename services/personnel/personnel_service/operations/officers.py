"""Officers: registration (the ID card number checked, encrypted, hashed and masked), reads, the list, changes."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from enforcement_contracts import common
from enforcement_contracts import personnel as contract
from enforcement_contracts.errors import Conflict, NotFound, ValidationFailed
from enforcement_kernel import access, paging
from enforcement_kernel.crypto import PersonalDataCipher

from .. import authority, rules
from .. import models as m
from .lookups import get_agency, get_officer, latest_certificate
from .views import With


def _with_certificate(officer: m.Officer, cert: m.Certificate | None) -> With:
    """The officer as the ``Officer`` contract shows it: with the latest certificate's number and status."""
    return With(
        officer,
        domains=list(officer.domains or []),
        certificate_number=cert.number if cert else None,
        certificate_status=cert.status if cert else None,
    )


def officer_out(officer: m.Officer, cert: m.Certificate | None) -> dict:
    return contract.Officer().dump(_with_certificate(officer, cert))


def _checked_id_number(id_number) -> str:
    try:
        return rules.validate_id_number(id_number)
    except ValueError as exc:
        raise ValidationFailed("invalid ID card number", {"id_number": [str(exc)]}) from None


def _checked_police_card(session, is_police: bool, number, officer_id: str | None = None) -> str | None:
    """A police officer's police card number, normalised and not anyone else's; None for anyone else."""
    if not is_police:
        if number is not None:
            raise ValidationFailed(
                "only a police officer carries a police card",
                {"police_card_number": ["only a police officer carries a police card"]},
            )
        return None
    if number is None:
        raise ValidationFailed(
            "a police officer needs a police card number",
            {"police_card_number": ["a police officer needs a police card number"]},
        )
    try:
        number = authority.validate_police_card_number(number)
    except ValueError as exc:
        raise ValidationFailed("invalid police card number", {"police_card_number": [str(exc)]}) from None
    holder = session.execute(
        select(m.Officer.officer_id).where(m.Officer.police_card_number == number)
    ).scalar_one_or_none()
    if holder is not None and holder != officer_id:
        raise Conflict(
            "an officer with this police card number is already registered",
            {"police_card_number": ["already registered"]},
        )
    return number


def _checked_appointment(appointed_on: date | None, today: date) -> date:
    """In post from: the day given (not in the future), or today, the day of registration."""
    if appointed_on is not None and appointed_on > today:
        raise ValidationFailed("the appointment date is in the future", {"appointed_on": ["must not be in the future"]})
    return appointed_on or today


def register_officer(tx, actor: dict, data: dict, cipher: PersonalDataCipher, today: date | None = None) -> dict:
    access.require_write(actor, data["agency_code"])
    appointed_on = _checked_appointment(data.get("appointed_on"), today or date.today())
    agency = get_agency(tx.session, data["agency_code"])
    id_number = _checked_id_number(data.pop("id_number"))
    # officers of a police agency carry a police card, never an enforcement certificate
    is_police = bool(data.get("is_police")) or agency.is_police
    police_card = _checked_police_card(tx.session, is_police, data.get("police_card_number"))
    digest = cipher.lookup_hash(id_number)
    if tx.session.execute(select(m.Officer.officer_id).where(m.Officer.id_number_hash == digest)).first():
        raise Conflict(
            "an officer with this ID card number is already registered", {"id_number": ["already registered"]}
        )
    officer = m.Officer(
        officer_id=uuid.uuid4().hex,
        agency_code=agency.code,
        name=data["name"],
        id_number_encrypted=cipher.encrypt(id_number),
        id_number_hash=digest,
        id_number_masked=rules.mask_id_number(id_number),
        position=data.get("position", ""),
        domains=sorted(set(data.get("domains", []))),
        is_police=is_police,
        police_card_number=police_card,
        status="active",
        appointed_on=appointed_on,
    )
    tx.session.add(officer)
    tx.emit(contract.OFFICER_REGISTERED, contract.OfficerRegistered().dump(officer), subject=officer.officer_id)
    return officer_out(officer, None)


def read_officer(session, actor: dict, officer_id: str) -> dict:
    officer = get_officer(session, officer_id)
    access.require_read(actor, officer.agency_code, officer.officer_id)
    return officer_out(officer, latest_certificate(session, officer_id))


def find_officer_by_id_number(session, actor: dict, id_number: str, cipher: PersonalDataCipher) -> dict:
    id_number = _checked_id_number(id_number)
    officer = (
        session.execute(select(m.Officer).where(m.Officer.id_number_hash == cipher.lookup_hash(id_number)))
        .scalars()
        .first()
    )
    # another agency's officer answers exactly as an unknown number: the answer must not tell that this person is
    # registered somewhere else in the county
    if officer is None or not access.may_read(actor, officer.agency_code, officer.officer_id):
        raise NotFound("no officer with this ID card number")
    return officer_out(officer, latest_certificate(session, officer.officer_id))


def _latest_certificates(session, officers: list[m.Officer]) -> dict[str, m.Certificate]:
    if not officers:
        return {}
    rows = session.execute(
        select(m.Certificate)
        .where(m.Certificate.officer_id.in_([o.officer_id for o in officers]))
        .order_by(m.Certificate.issued_on, m.Certificate.created_at)
    ).scalars()
    return {c.officer_id: c for c in rows}  # the latest wins


def list_officers(session, actor: dict, query: dict) -> dict:
    agency_code = access.query_agency(actor, query.get("agency_code"))
    stmt = select(m.Officer)
    if agency_code:
        stmt = stmt.where(m.Officer.agency_code == agency_code)
    if actor.get("role") == "officer":
        stmt = stmt.where(m.Officer.officer_id == actor.get("officer_id"))
    if query.get("status"):
        stmt = stmt.where(m.Officer.status == query["status"])
    if query.get("name"):
        stmt = stmt.where(m.Officer.name.contains(query["name"].strip(), autoescape=True))
    if query.get("certificate_status"):
        latest = (
            select(m.Certificate.status)
            .where(m.Certificate.officer_id == m.Officer.officer_id)
            .order_by(m.Certificate.issued_on.desc(), m.Certificate.created_at.desc())
            .limit(1)
            .correlate(m.Officer)
            .scalar_subquery()
        )
        wanted = query["certificate_status"]
        stmt = stmt.where(latest.is_(None) if wanted == "none" else latest == wanted)
    order = [(m.Officer.name, False), (m.Officer.officer_id, False)]
    found = paging.keyset_page(session, stmt, order, query, "officers")
    certs = _latest_certificates(session, found.rows)
    rows = [_with_certificate(o, certs.get(o.officer_id)) for o in found.rows]
    return common.page(contract.Officer, rows, found.total, query, found.total_exact, found.next)


def update_officer(tx, actor: dict, officer_id: str, data: dict, today: date | None = None) -> dict:
    officer = get_officer(tx.session, officer_id)
    access.require_write(actor, officer.agency_code)
    if "appointed_on" in data:
        _checked_appointment(data["appointed_on"], today or date.today())
    if officer.status != "active":
        raise Conflict("a departed officer's record cannot be changed")
    if "police_card_number" in data:
        data["police_card_number"] = _checked_police_card(
            tx.session, officer.is_police, data["police_card_number"], officer.officer_id
        )
    changed = []
    for key, value in data.items():
        value = sorted(set(value)) if key == "domains" else value
        if getattr(officer, key) != value:
            setattr(officer, key, value)
            changed.append(key)
    if changed:
        tx.emit(
            contract.OFFICER_UPDATED,
            {
                "officer_id": officer.officer_id,
                "agency_code": officer.agency_code,
                "changed": changed,
                "name": officer.name,
                "position": officer.position,
                "domains": list(officer.domains or []),
                "appointed_on": officer.appointed_on,
            },
            subject=officer.officer_id,
        )
    return officer_out(officer, latest_certificate(tx.session, officer_id))
