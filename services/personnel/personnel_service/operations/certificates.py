"""Certificates (执法证): issue, status changes, renewal, expiry, reads, the public check and ``may_enforce``."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from enforcement_contracts import common
from enforcement_contracts import personnel as contract
from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_kernel import access

from .. import models as m
from .. import obligations, rules
from ..settings import Settings
from .lookups import get_certificate, get_officer, live_certificate
from .promptness import measure_cancellation
from .training_facts import eligibility
from .views import With


def certificate_out(cert: m.Certificate, settings: Settings) -> dict:
    opens = rules.renewal_window_opens(cert.expires_on, settings.renewal_window_months)
    return contract.Certificate().dump(With(cert, renewal_window_opens=opens))


def _next_number(session, settings: Settings, year: int) -> str:
    seq = session.get(m.CertificateSequence, year)
    if seq is None:
        seq = m.CertificateSequence(year=year, last=0)
        session.add(seq)
        session.flush()
    session.execute(
        update(m.CertificateSequence)
        .where(m.CertificateSequence.year == year)
        .values(last=m.CertificateSequence.last + 1)
    )
    session.refresh(seq)
    return f"{settings.division_code}{year}{seq.last:05d}"


def _already_certified() -> Conflict:
    return Conflict("the officer already holds a valid or suspended certificate", {"officer_id": ["already certified"]})


def check_issuable(session, officer: m.Officer, data: dict, issued_on: date, today: date, settings: Settings):
    if issued_on > today:
        raise ValidationFailed("issue date is in the future", {"issued_on": ["must not be in the future"]})
    if live_certificate(session, officer.officer_id) is not None:
        raise _already_certified()
    unknown = sorted(set(data["domains"]) - set(officer.domains or []))
    if unknown:
        raise ValidationFailed(
            "domains outside the officer's enforcement domains",
            {"domains": [f"officer is not assigned to {', '.join(unknown)}"]},
        )
    result = eligibility(session, officer, issued_on.year, settings)
    if not result.eligible:
        raise Conflict(
            "the officer is not eligible for a certificate: " + "; ".join(result.reasons),
            {"officer_id": result.reasons},
        )


def issue_certificate(tx, actor: dict, data: dict, settings: Settings, today: date) -> dict:
    """The issuing authority issues directly (the bureau only: an agency applies, see ``applications``)."""
    access.require_bureau(actor)
    officer = get_officer(tx.session, data["officer_id"])
    issued_on = data.get("issued_on") or today
    check_issuable(tx.session, officer, data, issued_on, today, settings)
    return certificate_out(issue(tx, actor, officer, data["domains"], issued_on, settings), settings)


def issue(tx, actor: dict, officer: m.Officer, domains: list[str], issued_on: date, settings: Settings):
    """A new certificate numbered in sequence, its history's first entry and ``certificate.issued`` (the caller has
    checked that it may be issued)."""
    cert = m.Certificate(
        number=_next_number(tx.session, settings, issued_on.year),
        officer_id=officer.officer_id,
        agency_code=officer.agency_code,
        domains=sorted(set(domains)),
        issued_on=issued_on,
        expires_on=rules.certificate_expiry(issued_on, settings.validity_years),
        status=rules.VALID,
        check_code=rules.new_check_code(),
    )
    tx.session.add(cert)
    tx.session.add(
        m.CertificateHistory(
            number=cert.number,
            old_status=None,
            new_status=rules.VALID,
            reason="issued",
            changed_on=issued_on,
            actor=actor["username"],
        )
    )
    tx.emit(
        contract.CERTIFICATE_ISSUED,
        {
            "certificate_number": cert.number,
            "officer_id": cert.officer_id,
            "agency_code": cert.agency_code,
            "domains": cert.domains,
            "issued_on": cert.issued_on,
            "expires_on": cert.expires_on,
        },
        subject=cert.number,
    )
    try:
        tx.session.flush()
    except IntegrityError:
        raise _already_certified() from None
    return cert


def set_status(tx, cert: m.Certificate, target: str, reason: str, actor: dict, on: date) -> None:
    try:
        rules.check_transition(cert.status, target)
    except ValueError as exc:
        raise Conflict(str(exc), {"status": [str(exc)]}) from None
    old = cert.status
    cert.status, cert.status_reason = target, reason
    if target == rules.CANCELLED:
        cert.cancelled_on = on
    tx.session.add(
        m.CertificateHistory(
            number=cert.number, old_status=old, new_status=target, reason=reason, changed_on=on, actor=actor["username"]
        )
    )
    tx.emit(
        contract.CERTIFICATE_STATUS_CHANGED,
        {
            "certificate_number": cert.number,
            "officer_id": cert.officer_id,
            "agency_code": cert.agency_code,
            "old_status": old,
            "new_status": target,
            "reason": reason,
            "changed_on": on,
        },
        subject=cert.number,
    )


def change_certificate_status(tx, actor: dict, number: str, data: dict, settings: Settings, today: date) -> dict:
    cert = get_certificate(tx.session, number)
    access.require_write(actor, cert.agency_code)
    if data["status"] == rules.REVOKED:
        access.require_bureau(actor)  # revocation (吊销) is a sanction decided by the bureau
    set_status(tx, cert, data["status"], data["reason"], actor, today)
    if data["status"] in (rules.CANCELLED, rules.REVOKED):  # either way the departed holder's card is taken back
        departure = (
            tx.session.execute(select(m.Departure).where(m.Departure.certificate_number == cert.number))
            .scalars()
            .first()
        )
        if departure is not None and departure.certificate_cancelled_on is None:
            departure.certificate_cancelled_on = today
            measure_cancellation(tx, departure, today, settings)
    return certificate_out(cert, settings)


def _check_renewable(session, cert: m.Certificate, settings: Settings, today: date) -> None:
    if cert.status != rules.VALID:
        raise Conflict(
            f"only a valid certificate can be renewed (this one is {cert.status})", {"number": ["not valid"]}
        )
    opens = rules.renewal_window_opens(cert.expires_on, settings.renewal_window_months)
    if not rules.in_renewal_window(today, cert.expires_on, settings.renewal_window_months):
        raise Conflict(
            f"outside the renewal window ({opens.isoformat()} to {cert.expires_on.isoformat()})",
            {"number": ["outside the renewal window"]},
        )
    passed = session.execute(
        select(m.ExamResult.result_id).where(
            m.ExamResult.officer_id == cert.officer_id,
            m.ExamResult.exam_kind == "renewal",
            m.ExamResult.passed.is_(True),
            m.ExamResult.sat_on >= opens,
            m.ExamResult.sat_on <= today,
        )
    ).first()
    if passed is None:
        raise Conflict("no renewal exam passed in the renewal window", {"number": ["renewal exam not passed"]})


def renew_certificate(tx, actor: dict, number: str, settings: Settings, today: date) -> dict:
    """Within the renewal window, after a renewal exam passed in it: the expiry moves on by the validity period."""
    cert = get_certificate(tx.session, number)
    access.require_write(actor, cert.agency_code)
    _check_renewable(tx.session, cert, settings, today)
    old_expiry = cert.expires_on
    cert.expires_on = rules.certificate_expiry(old_expiry, settings.validity_years)
    tx.session.add(
        m.CertificateHistory(
            number=cert.number,
            old_status=cert.status,
            new_status=cert.status,
            reason=f"renewed until {cert.expires_on.isoformat()}",
            changed_on=today,
            actor=actor["username"],
        )
    )
    tx.emit(
        contract.CERTIFICATE_RENEWED,
        {
            "certificate_number": cert.number,
            "officer_id": cert.officer_id,
            "agency_code": cert.agency_code,
            "old_expires_on": old_expiry,
            "expires_on": cert.expires_on,
            "renewed_on": today,
        },
        subject=cert.number,
    )
    return certificate_out(cert, settings)


def announce_expired(tx, today: date, limit: int = 500) -> int:
    """Announce, once each, the valid certificates whose expiry date has passed (a timer calls this)."""
    certs = (
        tx.session.execute(
            select(m.Certificate)
            .where(
                m.Certificate.status == rules.VALID,
                m.Certificate.expires_on < today,
                m.Certificate.expiry_announced.is_(False),
            )
            .order_by(m.Certificate.expires_on)
            .limit(limit)
            # two replicas run this timer: each claims different rows (PostgreSQL; SQLite serialises writers)
            .with_for_update(skip_locked=True)
        )
        .scalars()
        .all()
    )
    for cert in certs:
        cert.expiry_announced = True
        tx.emit(
            contract.CERTIFICATE_EXPIRED,
            {
                "certificate_number": cert.number,
                "officer_id": cert.officer_id,
                "agency_code": cert.agency_code,
                "expired_on": cert.expires_on + timedelta(days=1),
            },
            subject=cert.number,
        )
    return len(certs)


def check_certificate(session, number: str, code: str | None, settings: Settings, today: date) -> dict:
    """The public check (the card's QR code): valid or not. Only with the card's check code does it name the holder,
    the agency, the domains and the dates (never other personal data): numbers are sequential, so without the code
    walking them must give no names. A card whose holder has left the enforcement post is not valid, even while it is
    not yet taken back. ``details`` says which answer it is (false after a wrong code, which the gateway counts)."""
    cert = get_certificate(session, number)
    officer = session.get(m.Officer, cert.officer_id)
    departed_on = officer.departed_on if officer.status == "departed" else None
    answer = obligations.public_validity(cert.status, cert.expires_on, today, departed_on)
    if not rules.check_code_matches(code, cert.check_code):
        return contract.CertificateCheck().dump({"number": cert.number, "valid": answer.valid, "details": False})
    agency = session.get(m.Agency, cert.agency_code)
    return contract.CertificateCheck().dump(
        With(
            cert,
            valid=answer.valid,
            details=True,
            status=answer.status,
            reason_code=answer.reason_code,
            reason=answer.reason,
            holder_departed_on=departed_on,
            holder_name=officer.name,
            agency_name=agency.name,
            issuing_authority=settings.issuing_authority_name,
        )
    )


def _histories(session, numbers: list[str]) -> dict[str, list[m.CertificateHistory]]:
    out: dict[str, list[m.CertificateHistory]] = {number: [] for number in numbers}
    if numbers:
        rows = session.execute(
            select(m.CertificateHistory)
            .where(m.CertificateHistory.number.in_(numbers))
            .order_by(m.CertificateHistory.changed_on, m.CertificateHistory.id)
        ).scalars()
        for row in rows:
            out[row.number].append(row)
    return out


def _record(cert: m.Certificate, history: list[m.CertificateHistory], settings: Settings) -> With:
    opens = rules.renewal_window_opens(cert.expires_on, settings.renewal_window_months)
    return With(cert, renewal_window_opens=opens, history=history)


def read_certificate(session, actor: dict, number: str, settings: Settings) -> dict:
    """A certificate with its status history, oldest first."""
    cert = get_certificate(session, number)
    access.require_read(actor, cert.agency_code, cert.officer_id)
    history = _histories(session, [cert.number])[cert.number]
    return contract.CertificateRecord().dump(_record(cert, history, settings))


def list_officer_certificates(session, actor: dict, officer_id: str, query: dict, settings: Settings) -> dict:
    """A page of one officer's certificates, the latest first, each with its status history."""
    officer = get_officer(session, officer_id)
    access.require_read(actor, officer.agency_code, officer.officer_id)
    condition = m.Certificate.officer_id == officer.officer_id
    total = session.execute(select(func.count()).select_from(m.Certificate).where(condition)).scalar_one()
    number, per_page = query["page"], query["per_page"]
    certs = (
        session.execute(
            select(m.Certificate)
            .where(condition)
            .order_by(m.Certificate.issued_on.desc(), m.Certificate.created_at.desc())
            .offset((number - 1) * per_page)
            .limit(per_page)
        )
        .scalars()
        .all()
    )
    histories = _histories(session, [c.number for c in certs])
    rows = [_record(c, histories[c.number], settings) for c in certs]
    return common.page(contract.CertificateRecord, rows, total, query)
