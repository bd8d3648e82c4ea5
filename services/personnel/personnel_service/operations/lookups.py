"""Finding the records a request names (shared by every subject)."""

from __future__ import annotations

from sqlalchemy import select

from enforcement_contracts.errors import NotFound, ValidationFailed

from .. import models as m
from .. import rules


def get_agency(session, code: str) -> m.Agency:
    """The agency a request refers to; an unknown code is a bad field of that request."""
    agency = session.get(m.Agency, code)
    if agency is None:
        raise ValidationFailed(f"unknown agency {code}", {"agency_code": [f"unknown agency {code}"]})
    return agency


def get_officer(session, officer_id: str) -> m.Officer:
    officer = session.get(m.Officer, officer_id) if isinstance(officer_id, str) else None
    if officer is None:
        raise NotFound(f"officer {officer_id} not found")
    return officer


def latest_certificate(session, officer_id: str) -> m.Certificate | None:
    return (
        session.execute(
            select(m.Certificate)
            .where(m.Certificate.officer_id == officer_id)
            .order_by(m.Certificate.issued_on.desc(), m.Certificate.created_at.desc())
        )
        .scalars()
        .first()
    )


def live_certificate(session, officer_id: str) -> m.Certificate | None:
    return (
        session.execute(
            select(m.Certificate).where(
                m.Certificate.officer_id == officer_id, m.Certificate.status.in_([rules.VALID, rules.SUSPENDED])
            )
        )
        .scalars()
        .first()
    )


def get_certificate(session, number: str) -> m.Certificate:
    cert = session.get(m.Certificate, number) if isinstance(number, str) else None
    if cert is None:
        raise NotFound(f"certificate {number} not found")
    return cert
