"""``may_enforce``: may this officer enforce in this domain on this date? Asked by other services (the cases service
before it records an officer on a case, an inspection or a draw).

A police officer answers with their police card in the police bureau's domains (no certificate ever asked for); any
other officer with the certificate in force on that date, its status read from its history as it was that day.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from enforcement_contracts import personnel as contract

from .. import authority
from .. import models as m
from .lookups import get_officer


def _certificate_on(session, officer_id: str, on_date: date) -> m.Certificate | None:
    """The certificate in force on that date: issued on or before it, the latest such."""
    return (
        session.execute(
            select(m.Certificate)
            .where(m.Certificate.officer_id == officer_id, m.Certificate.issued_on <= on_date)
            .order_by(m.Certificate.issued_on.desc(), m.Certificate.created_at.desc())
        )
        .scalars()
        .first()
    )


def _history(session, cert: m.Certificate) -> list[authority.StatusChange]:
    """The certificate's status history in the order it was recorded (its issue first)."""
    rows = session.execute(
        select(m.CertificateHistory.changed_on, m.CertificateHistory.new_status)
        .where(m.CertificateHistory.number == cert.number)
        .order_by(m.CertificateHistory.id)
    ).all()
    if not rows:  # a certificate with no history on record: its current status since its issue
        return [authority.StatusChange(cert.issued_on, cert.status)]
    return [authority.StatusChange(changed_on, status) for changed_on, status in rows]


def may_enforce(session, query: dict) -> dict:
    officer = get_officer(session, query["officer_id"])
    on_date, domain = query["on_date"], query["domain"]
    cert = None
    if officer.is_police:
        agency = session.get(m.Agency, officer.agency_code)
        allowed, reason = authority.police_may_enforce(
            officer.police_card_number,
            officer.appointed_on,
            officer.departed_on,
            agency.domains or [],
            domain,
            on_date,
        )
    else:
        cert = _certificate_on(session, officer.officer_id, on_date)
        if cert is None:
            allowed, reason = False, "no certificate issued on or before that date"
        else:
            allowed, reason = authority.certificate_may_enforce(
                _history(session, cert), cert.domains, cert.expires_on, officer.departed_on, domain, on_date
            )
    return contract.MayEnforce().dump(
        {
            "officer_id": officer.officer_id,
            "domain": domain,
            "on_date": on_date,
            "allowed": allowed,
            "reason": reason,
            "certificate_number": cert.number if cert else None,
            "police_card_number": officer.police_card_number if officer.is_police else None,
        }
    )
