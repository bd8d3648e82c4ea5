"""Yearly certification facts per agency (the supervision service's assessment and statistics report)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Integer, cast, func, or_, select

from enforcement_contracts import personnel as contract
from enforcement_kernel import access

from .. import models as m
from .. import rules


def _in_post_and_certified(session, as_of: date) -> list:
    """Per agency: officers in an enforcement post on ``as_of`` (from their appointment, or registration when it is
    not known, to the day before departure) and how many of them were authorised to enforce that day: a certificate
    valid then, or for a police officer the police card on record (they enforce with it, never with a certificate)."""
    O, C, H = m.Officer, m.Certificate, m.CertificateHistory
    status_then = (
        select(H.new_status)
        .where(H.number == C.number, H.changed_on <= as_of)
        .order_by(H.changed_on.desc(), H.id.desc())
        .limit(1)
        .correlate(C)
        .scalar_subquery()
    )
    valid_then = (
        select(C.number)
        .where(C.officer_id == O.officer_id, C.issued_on <= as_of, C.expires_on >= as_of, status_then == rules.VALID)
        .exists()
    )
    authorised = valid_then | (O.is_police & O.police_card_number.is_not(None))
    appointed = or_(
        O.appointed_on <= as_of,
        O.appointed_on.is_(None) & (O.created_at < datetime.combine(as_of + timedelta(days=1), time())),
    )
    in_post = appointed & (O.departed_on.is_(None) | (O.departed_on > as_of))
    return session.execute(
        select(O.agency_code, func.count(), func.sum(cast(authorised, Integer))).where(in_post).group_by(O.agency_code)
    ).all()


def agency_certification_facts(session, actor: dict, year: int, today: date) -> list[dict]:
    """Per agency: officers in an enforcement post at the year's end (today, for the current year), how many of them
    were authorised to enforce on that day (a valid certificate; a police officer's police card), and the
    certificates issued and cancelled during the year. A certificate's state on that day is the one its
    history had then (a suspension or cancellation after it does not count back)."""
    access.require_bureau(actor)
    start, as_of = date(year, 1, 1), min(date(year, 12, 31), today)
    C = m.Certificate
    facts = {
        code: {
            "agency_code": code,
            "officers": 0,
            "certified": 0,
            "certificates_issued": 0,
            "certificates_cancelled": 0,
        }
        for code in session.execute(select(m.Agency.code).order_by(m.Agency.code)).scalars()
    }
    for code, officers, certified in _in_post_and_certified(session, as_of):
        facts[code].update(officers=int(officers), certified=int(certified or 0))
    for code, n in session.execute(
        select(C.agency_code, func.count()).where(C.issued_on.between(start, as_of)).group_by(C.agency_code)
    ).all():
        facts[code]["certificates_issued"] = int(n)
    for code, n in session.execute(
        select(C.agency_code, func.count()).where(C.cancelled_on.between(start, as_of)).group_by(C.agency_code)
    ).all():
        facts[code]["certificates_cancelled"] = int(n)
    return contract.AgencyCertificationFacts(many=True).dump(list(facts.values()))
