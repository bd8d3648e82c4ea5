"""Departures: the officer leaves the post, the certificate is cancelled and the cancellation's promptness measured."""

from __future__ import annotations

from datetime import date

from enforcement_contracts import personnel as contract
from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_kernel import access

from .. import models as m
from .. import rules
from ..settings import Settings
from .certificates import set_status
from .lookups import get_officer, live_certificate
from .promptness import measure_cancellation
from .views import With


def record_departure(tx, actor: dict, officer_id: str, data: dict, settings: Settings, today: date) -> dict:
    officer = get_officer(tx.session, officer_id)
    access.require_write(actor, officer.agency_code)
    if officer.status == "departed":
        raise Conflict("the officer's departure is already recorded")
    if data["departed_on"] > today:
        raise ValidationFailed("departure date is in the future", {"departed_on": ["must not be in the future"]})
    cert = live_certificate(tx.session, officer_id)
    officer.status, officer.departed_on = "departed", data["departed_on"]
    departure = m.Departure(
        officer_id=officer_id,
        agency_code=officer.agency_code,
        reason=data["reason"],
        departed_on=data["departed_on"],
        note=data.get("note", ""),
        certificate_number=cert.number if cert else None,
    )
    tx.session.add(departure)
    cancelled = False
    if cert is not None and data.get("cancel_certificate", True):
        set_status(tx, cert, rules.CANCELLED, f"departure: {data['reason']}", actor, today)
        departure.certificate_cancelled_on = today
        measure_cancellation(tx, departure, today, settings)
        cancelled = True
    tx.emit(
        contract.OFFICER_DEPARTED,
        {
            "officer_id": officer_id,
            "agency_code": officer.agency_code,
            "reason": data["reason"],
            "departed_on": data["departed_on"],
            "certificate_number": departure.certificate_number,
            "certificate_cancelled": cancelled,
        },
        subject=officer_id,
    )
    return contract.Departure().dump(With(departure, certificate_cancelled=cancelled))
