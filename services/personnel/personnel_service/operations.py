"""The personnel service's use cases: database work around the pure rules in ``rules.py``.

Each function takes a kernel ``Tx`` (or a read session), the service settings and the caller's
actor, and returns contract-shaped dicts. Entry points in ``service.py`` only route to these.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Integer, cast, func, select, update
from sqlalchemy.exc import IntegrityError

from enforcement_contracts import personnel as contract
from enforcement_contracts.errors import Conflict, NotFound, ValidationFailed
from enforcement_kernel import access, metrics
from enforcement_kernel.config import setting
from enforcement_kernel.crypto import PersonalDataCipher

from . import models as m
from . import rules

SERVICE = contract.SERVICE
PROMPTNESS_CANCELLATION = "certificate_cancelled"


@dataclass(frozen=True)
class Settings:
    division_code: str
    validity_years: int
    renewal_window_months: int
    cancellation_deadline_workdays: int
    suspend_on_failed_assessment: bool
    thresholds: rules.EligibilityThresholds
    public_law_category: str
    professional_category: str
    accept_previous_year_training: bool

    @classmethod
    def from_config(cls, config: dict) -> Settings:
        p = lambda key, default: setting(config, f"PERSONNEL.{key}", default)  # noqa: E731
        return cls(
            division_code=str(p("division_code", "140928")),
            validity_years=int(p("certificate_validity_years", 5)),
            renewal_window_months=int(p("renewal_window_months", 6)),
            cancellation_deadline_workdays=int(p("cancellation_deadline_workdays", 5)),
            suspend_on_failed_assessment=bool(p("suspend_on_failed_assessment", True)),
            thresholds=rules.EligibilityThresholds(
                float(p("public_law_hours", 30)), float(p("professional_hours", 30))
            ),
            public_law_category=str(p("public_law_category", "public_law")),
            professional_category=str(p("professional_category", "professional")),
            accept_previous_year_training=bool(p("accept_previous_year_training", True)),
        )


def cipher_from_config(config: dict) -> PersonalDataCipher:
    return PersonalDataCipher(str(config.get("ID_ENCRYPTION_KEY", "")), str(config.get("ID_HASH_KEY", "")))


# --- serialisation ---------------------------------------------------------------------------
def agency_dict(agency: m.Agency, officer_count: int | None = None) -> dict:
    out = {
        "code": agency.code,
        "name": agency.name,
        "kind": agency.kind,
        "is_supervisor": agency.is_supervisor,
        "is_police": agency.is_police,
    }
    if officer_count is not None:
        out["officer_count"] = officer_count
    return out


def officer_dict(officer: m.Officer, cert: m.Certificate | None) -> dict:
    return {
        "officer_id": officer.officer_id,
        "agency_code": officer.agency_code,
        "name": officer.name,
        "id_number_masked": officer.id_number_masked,
        "position": officer.position,
        "domains": list(officer.domains or []),
        "is_police": officer.is_police,
        "status": officer.status,
        "departed_on": officer.departed_on.isoformat() if officer.departed_on else None,
        "certificate_number": cert.number if cert else None,
        "certificate_status": cert.status if cert else None,
    }


def certificate_dict(cert: m.Certificate, settings: Settings) -> dict:
    return contract.Certificate().dump(
        {
            "number": cert.number,
            "officer_id": cert.officer_id,
            "agency_code": cert.agency_code,
            "domains": list(cert.domains),
            "issued_on": cert.issued_on,
            "expires_on": cert.expires_on,
            "status": cert.status,
            "status_reason": cert.status_reason,
            "cancelled_on": cert.cancelled_on,
            "renewal_window_opens": rules.renewal_window_opens(cert.expires_on, settings.renewal_window_months),
        }
    )


# --- lookups ---------------------------------------------------------------------------------
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


# --- agencies --------------------------------------------------------------------------------
def list_agencies(session, actor: dict) -> list[dict]:
    counts = dict(
        session.execute(
            select(m.Officer.agency_code, func.count())
            .where(m.Officer.status == "active")
            .group_by(m.Officer.agency_code)
        ).all()
    )
    query = select(m.Agency).order_by(m.Agency.code)
    return [agency_dict(a, counts.get(a.code, 0)) for a in session.execute(query).scalars()]


def create_agency(tx, actor: dict, data: dict) -> dict:
    access.require_bureau(actor)
    if tx.session.get(m.Agency, data["code"]) is not None:
        raise Conflict(f"agency {data['code']} already exists", {"code": ["already exists"]})
    if tx.session.execute(select(m.Agency).where(m.Agency.name == data["name"])).first():
        raise Conflict(f"an agency named {data['name']} already exists", {"name": ["already exists"]})
    agency = m.Agency(**data)
    tx.session.add(agency)
    tx.emit(contract.AGENCY_REGISTERED, agency_dict(agency), subject=agency.code)
    return agency_dict(agency, 0)


# --- officers --------------------------------------------------------------------------------
def register_officer(tx, actor: dict, data: dict, cipher: PersonalDataCipher) -> dict:
    access.require_write(actor, data["agency_code"])
    agency = get_agency(tx.session, data["agency_code"])
    try:
        id_number = rules.validate_id_number(data.pop("id_number"))
    except ValueError as exc:
        raise ValidationFailed("invalid ID card number", {"id_number": [str(exc)]}) from None
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
        # officers of a police agency carry a police card, never an enforcement certificate
        is_police=bool(data.get("is_police")) or agency.is_police,
        status="active",
    )
    tx.session.add(officer)
    tx.emit(
        contract.OFFICER_REGISTERED,
        {
            "officer_id": officer.officer_id,
            "agency_code": officer.agency_code,
            "name": officer.name,
            "position": officer.position,
            "domains": officer.domains,
            "is_police": officer.is_police,
        },
        subject=officer.officer_id,
    )
    return officer_dict(officer, None)


def read_officer(session, actor: dict, officer_id: str) -> dict:
    officer = get_officer(session, officer_id)
    access.require_read(actor, officer.agency_code, officer.officer_id)
    return officer_dict(officer, latest_certificate(session, officer_id))


def find_officer_by_id_number(session, actor: dict, id_number: str, cipher: PersonalDataCipher) -> dict:
    try:
        id_number = rules.validate_id_number(id_number)
    except ValueError as exc:
        raise ValidationFailed("invalid ID card number", {"id_number": [str(exc)]}) from None
    officer = (
        session.execute(select(m.Officer).where(m.Officer.id_number_hash == cipher.lookup_hash(id_number)))
        .scalars()
        .first()
    )
    if officer is None:
        raise NotFound("no officer with this ID card number")
    access.require_read(actor, officer.agency_code, officer.officer_id)
    return officer_dict(officer, latest_certificate(session, officer.officer_id))


def list_officers(session, actor: dict, query: dict) -> dict:
    agency_code = access.query_agency(actor, query.get("agency_code"))
    stmt = select(m.Officer)
    if agency_code:
        stmt = stmt.where(m.Officer.agency_code == agency_code)
    if actor.get("role") == "officer":
        stmt = stmt.where(m.Officer.officer_id == actor.get("officer_id"))
    if query.get("status"):
        stmt = stmt.where(m.Officer.status == query["status"])
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    officers = (
        session.execute(
            stmt.order_by(m.Officer.name, m.Officer.officer_id).offset((page - 1) * per_page).limit(per_page)
        )
        .scalars()
        .all()
    )
    certs = {}
    if officers:
        rows = session.execute(
            select(m.Certificate)
            .where(m.Certificate.officer_id.in_([o.officer_id for o in officers]))
            .order_by(m.Certificate.issued_on, m.Certificate.created_at)
        ).scalars()
        certs = {c.officer_id: c for c in rows}  # the latest wins
    return {
        "items": [officer_dict(o, certs.get(o.officer_id)) for o in officers],
        "total": total,
        "page": page,
        "per_page": per_page,
    }


def update_officer(tx, actor: dict, officer_id: str, data: dict) -> dict:
    officer = get_officer(tx.session, officer_id)
    access.require_write(actor, officer.agency_code)
    if officer.status != "active":
        raise Conflict("a departed officer's record cannot be changed")
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
            },
            subject=officer.officer_id,
        )
    return officer_dict(officer, latest_certificate(tx.session, officer_id))


# --- training facts and eligibility ----------------------------------------------------------
def training_facts(session, officer_id: str, year: int, settings: Settings) -> rules.TrainingFacts:
    row = session.get(m.TrainingHours, (officer_id, year))
    if row is None and settings.accept_previous_year_training:
        row = session.get(m.TrainingHours, (officer_id, year - 1))
    exam = (
        session.execute(
            select(m.ExamResult)
            .where(m.ExamResult.officer_id == officer_id, m.ExamResult.passed.is_(True))
            .order_by(m.ExamResult.sat_on.desc())
        )
        .scalars()
        .first()
    )
    hours = row.hours_by_category if row else {}
    return rules.TrainingFacts(
        officer_key=officer_id,
        year=row.year if row else year,
        public_law_hours=float(hours.get(settings.public_law_category, 0)),
        professional_hours=float(hours.get(settings.professional_category, 0)),
        required_courses_done=bool(row and row.required_courses_done),
        exam_passed=exam is not None,
        exam_date=exam.sat_on if exam else None,
    )


def eligibility(session, officer: m.Officer, year: int, settings: Settings) -> rules.Eligibility:
    facts = training_facts(session, officer.officer_id, year, settings)
    year_checked = facts.year  # the previous year's hours count when the setting allows
    return rules.certificate_eligibility(_OfficerView(officer), facts, year_checked, settings.thresholds)


@dataclass
class _OfficerView:
    is_police: bool
    active: bool

    def __init__(self, officer: m.Officer):
        self.is_police = officer.is_police
        self.active = officer.status == "active"


def read_eligibility(session, actor: dict, officer_id: str, year: int, settings: Settings) -> dict:
    officer = get_officer(session, officer_id)
    access.require_read(actor, officer.agency_code, officer_id)
    result = eligibility(session, officer, year, settings)
    return {"officer_id": officer_id, "year": year, "eligible": result.eligible, "reasons": result.reasons}


def apply_hours(tx, data: dict) -> None:
    """Read-model upsert; an older snapshot (lower revision) never overwrites a newer one."""
    row = tx.session.get(m.TrainingHours, (data["officer_id"], data["year"]))
    if row is None:
        tx.session.add(
            m.TrainingHours(
                officer_id=data["officer_id"],
                year=data["year"],
                revision=data["revision"],
                hours_by_category=data["hours_by_category"],
                required_courses_done=data["required_courses_done"],
            )
        )
    elif data["revision"] > row.revision:
        row.revision = data["revision"]
        row.hours_by_category = data["hours_by_category"]
        row.required_courses_done = data["required_courses_done"]


def apply_exam(tx, data: dict, passed: bool) -> None:
    if tx.session.get(m.ExamResult, data["result_id"]) is None:
        tx.session.add(
            m.ExamResult(
                result_id=data["result_id"],
                officer_id=data["officer_id"],
                exam_kind=data["exam_kind"],
                passed=passed,
                score=data["score"],
                sat_on=data["sat_on"],
            )
        )


# --- certificates ----------------------------------------------------------------------------
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


def issue_certificate(tx, actor: dict, data: dict, settings: Settings, today: date) -> dict:
    officer = get_officer(tx.session, data["officer_id"])
    access.require_write(actor, officer.agency_code)
    issued_on = data.get("issued_on") or today
    if issued_on > today:
        raise ValidationFailed("issue date is in the future", {"issued_on": ["must not be in the future"]})
    if live_certificate(tx.session, officer.officer_id) is not None:
        raise Conflict(
            "the officer already holds a valid or suspended certificate", {"officer_id": ["already certified"]}
        )
    unknown = sorted(set(data["domains"]) - set(officer.domains or []))
    if unknown:
        raise ValidationFailed(
            "domains outside the officer's enforcement domains",
            {"domains": [f"officer is not assigned to {', '.join(unknown)}"]},
        )
    result = eligibility(tx.session, officer, issued_on.year, settings)
    if not result.eligible:
        raise Conflict(
            "the officer is not eligible for a certificate: " + "; ".join(result.reasons),
            {"officer_id": result.reasons},
        )
    cert = m.Certificate(
        number=_next_number(tx.session, settings, issued_on.year),
        officer_id=officer.officer_id,
        agency_code=officer.agency_code,
        domains=sorted(set(data["domains"])),
        issued_on=issued_on,
        expires_on=rules.certificate_expiry(issued_on, settings.validity_years),
        status=rules.VALID,
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
        raise Conflict(
            "the officer already holds a valid or suspended certificate", {"officer_id": ["already certified"]}
        ) from None
    return certificate_dict(cert, settings)


def _set_status(tx, cert: m.Certificate, target: str, reason: str, actor: dict, on: date) -> None:
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
    _set_status(tx, cert, data["status"], data["reason"], actor, today)
    if data["status"] == rules.CANCELLED:
        departure = (
            tx.session.execute(select(m.Departure).where(m.Departure.certificate_number == cert.number))
            .scalars()
            .first()
        )
        if departure is not None and departure.certificate_cancelled_on is None:
            departure.certificate_cancelled_on = today
            _measure_cancellation(tx, departure, today, settings)
    return certificate_dict(cert, settings)


def renew_certificate(tx, actor: dict, number: str, settings: Settings, today: date) -> dict:
    """Within the renewal window, after a renewal exam passed in it: the expiry moves on by the validity period."""
    cert = get_certificate(tx.session, number)
    access.require_write(actor, cert.agency_code)
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
    passed = tx.session.execute(
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
    return certificate_dict(cert, settings)


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


def check_certificate(session, number: str, today: date) -> dict:
    """The public check (the card's QR code): valid or not, with no personal data but the name."""
    cert = get_certificate(session, number)
    officer = session.get(m.Officer, cert.officer_id)
    agency = session.get(m.Agency, cert.agency_code)
    valid = cert.status == rules.VALID and not rules.is_expired(today, cert.expires_on)
    return {
        "number": cert.number,
        "valid": valid,
        "status": cert.status if not rules.is_expired(today, cert.expires_on) else "expired",
        "holder_name": officer.name,
        "agency_name": agency.name,
        "domains": list(cert.domains),
        "expires_on": cert.expires_on.isoformat(),
    }


def read_certificate(session, actor: dict, number: str, settings: Settings) -> dict:
    cert = get_certificate(session, number)
    access.require_read(actor, cert.agency_code, cert.officer_id)
    return certificate_dict(cert, settings)


def may_enforce(session, query: dict) -> dict:
    officer = get_officer(session, query["officer_id"])
    on_date = query["on_date"]
    # the certificate in force on that date: issued on or before it, the latest such
    cert = (
        session.execute(
            select(m.Certificate)
            .where(m.Certificate.officer_id == officer.officer_id, m.Certificate.issued_on <= on_date)
            .order_by(m.Certificate.issued_on.desc(), m.Certificate.created_at.desc())
        )
        .scalars()
        .first()
    )
    if officer.is_police:
        allowed, reason = False, "police officers carry a police card, not an enforcement certificate"
    elif cert is None:
        allowed, reason = False, "no certificate issued on or before that date"
    else:
        status = cert.status
        if status == rules.CANCELLED and cert.cancelled_on and on_date < cert.cancelled_on:
            status = rules.VALID  # it was still valid on that earlier date
        allowed, reason = rules.may_enforce(status, cert.domains, cert.expires_on, query["domain"], on_date)
    return {
        "officer_id": officer.officer_id,
        "domain": query["domain"],
        "on_date": on_date.isoformat(),
        "allowed": allowed,
        "reason": reason,
        "certificate_number": cert.number if cert else None,
    }


# --- departures and promptness ---------------------------------------------------------------
def _measure_cancellation(tx, departure: m.Departure, cancelled_on: date, settings: Settings) -> None:
    result = rules.cancellation_promptness(departure.departed_on, cancelled_on, settings.cancellation_deadline_workdays)
    row = m.PromptnessMeasurement(
        agency_code=departure.agency_code,
        kind=PROMPTNESS_CANCELLATION,
        reference=departure.certificate_number,
        started_on=departure.departed_on,
        ended_on=cancelled_on,
        workdays_taken=result.workdays_taken,
        deadline_workdays=result.deadline_workdays,
        on_time=result.on_time,
    )
    tx.session.add(row)
    tx.emit(
        contract.PROMPTNESS_MEASURED,
        {
            "agency_code": row.agency_code,
            "kind": row.kind,
            "reference": row.reference,
            "started_on": row.started_on,
            "ended_on": row.ended_on,
            "workdays_taken": row.workdays_taken,
            "deadline_workdays": row.deadline_workdays,
            "on_time": row.on_time,
        },
        subject=row.reference,
    )
    # observed only once committed: a rolled-back change must not count
    tx.on_commit.append(
        lambda: metrics.observe_promptness(SERVICE, row.agency_code, row.kind, row.workdays_taken, row.on_time)
    )


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
        _set_status(tx, cert, rules.CANCELLED, f"departure: {data['reason']}", actor, today)
        departure.certificate_cancelled_on = today
        _measure_cancellation(tx, departure, today, settings)
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
    return {
        "officer_id": officer_id,
        "reason": data["reason"],
        "departed_on": data["departed_on"].isoformat(),
        "certificate_number": departure.certificate_number,
        "certificate_cancelled": cancelled,
    }


def promptness_table(session, actor: dict, since: date | None, until: date | None) -> list[dict]:
    scope = access.scope_agency(actor)
    P = m.PromptnessMeasurement
    stmt = select(P.agency_code, P.kind, func.count(), func.sum(cast(P.on_time, Integer)), func.avg(P.workdays_taken))
    if scope:
        stmt = stmt.where(P.agency_code == scope)
    if since:
        stmt = stmt.where(P.ended_on >= since)
    if until:
        stmt = stmt.where(P.ended_on <= until)
    rows = session.execute(stmt.group_by(P.agency_code, P.kind).order_by(P.agency_code, P.kind)).all()
    return [
        {
            "agency_code": a,
            "kind": k,
            "measurements": n,
            "on_time": int(ok or 0),
            "on_time_ratio": round(int(ok or 0) / n, 4) if n else 0.0,
            "mean_workdays": round(float(avg or 0), 2),
        }
        for a, k, n, ok, avg in rows
    ]


# --- assessments and legal reviewers ---------------------------------------------------------
def record_assessment(tx, actor: dict, officer_id: str, data: dict, settings: Settings, today: date) -> dict:
    officer = get_officer(tx.session, officer_id)
    access.require_write(actor, officer.agency_code)
    if data["year"] > today.year:
        raise ValidationFailed("assessment year is in the future", {"year": ["must not be in the future"]})
    if tx.session.execute(
        select(m.Assessment.id).where(m.Assessment.officer_id == officer_id, m.Assessment.year == data["year"])
    ).first():
        raise Conflict(f"the {data['year']} assessment is already recorded", {"year": ["already recorded"]})
    suspend = rules.assessment_suspends(data["grade"], settings.suspend_on_failed_assessment)
    cert = live_certificate(tx.session, officer_id)
    suspended = False
    if suspend and cert is not None and cert.status == rules.VALID:
        _set_status(tx, cert, rules.SUSPENDED, f"yearly assessment {data['year']}: {data['grade']}", actor, today)
        suspended = True
    row = m.Assessment(
        officer_id=officer_id,
        agency_code=officer.agency_code,
        year=data["year"],
        grade=data["grade"],
        note=data.get("note", ""),
        certificate_suspended=suspended,
    )
    tx.session.add(row)
    tx.emit(
        contract.ASSESSMENT_RECORDED,
        {
            "officer_id": officer_id,
            "agency_code": officer.agency_code,
            "year": row.year,
            "grade": row.grade,
            "certificate_suspended": suspended,
        },
        subject=officer_id,
    )
    return {
        "officer_id": officer_id,
        "agency_code": officer.agency_code,
        "year": row.year,
        "grade": row.grade,
        "note": row.note,
        "certificate_suspended": suspended,
    }


def register_legal_reviewer(tx, actor: dict, data: dict) -> dict:
    access.require_write(actor, data["agency_code"])
    get_agency(tx.session, data["agency_code"])
    if data.get("officer_id"):
        officer = get_officer(tx.session, data["officer_id"])
        if officer.agency_code != data["agency_code"]:
            raise ValidationFailed(
                "the officer belongs to another agency", {"officer_id": ["belongs to another agency"]}
            )
    if data["has_legal_qualification"] and not data.get("qualification_number"):
        raise ValidationFailed(
            "qualification number missing", {"qualification_number": ["required with a legal qualification"]}
        )
    reviewer = m.LegalReviewer(reviewer_id=uuid.uuid4().hex, **data)
    tx.session.add(reviewer)
    tx.emit(
        contract.LEGAL_REVIEWER_REGISTERED,
        {
            "reviewer_id": reviewer.reviewer_id,
            "agency_code": reviewer.agency_code,
            "kind": reviewer.kind,
            "has_legal_qualification": reviewer.has_legal_qualification,
            "officer_id": reviewer.officer_id,
        },
        subject=reviewer.reviewer_id,
    )
    return reviewer_dict(reviewer)


def reviewer_dict(r: m.LegalReviewer) -> dict:
    return {
        "reviewer_id": r.reviewer_id,
        "agency_code": r.agency_code,
        "name": r.name,
        "kind": r.kind,
        "has_legal_qualification": r.has_legal_qualification,
        "qualification_number": r.qualification_number,
        "officer_id": r.officer_id,
        # a first-time reviewer of major decisions needs the national qualification (art. 58)
        "may_review_major_decisions": rules.may_review_major_decision(r.has_legal_qualification, first_time=True),
    }


def list_legal_reviewers(session, actor: dict, agency_code: str | None) -> list[dict]:
    agency_code = access.query_agency(actor, agency_code)
    stmt = select(m.LegalReviewer).order_by(m.LegalReviewer.name)
    if agency_code:
        stmt = stmt.where(m.LegalReviewer.agency_code == agency_code)
    return [reviewer_dict(r) for r in session.execute(stmt).scalars()]


# --- seed ------------------------------------------------------------------------------------
def seed_agencies(tx, agencies: list[dict]) -> int:
    added = 0
    for data in agencies:
        if tx.session.get(m.Agency, data["code"]) is None:
            agency = m.Agency(**data)
            tx.session.add(agency)
            tx.emit(contract.AGENCY_REGISTERED, agency_dict(agency), subject=agency.code)
            added += 1
    return added


# --- yearly facts (the supervision service's assessment and statistics report) -----------------
def agency_certification_facts(session, actor: dict, year: int, today: date) -> list[dict]:
    """Per agency: officers in an enforcement post at the year's end (today, for the current year), how many of them
    hold a certificate valid on that day, and the certificates issued and cancelled during the year. Police officers
    are left out: they carry a police card, not a certificate. A certificate's state on that day is the one its
    history had then (a suspension or cancellation after it does not count back)."""
    access.require_bureau(actor)
    start, as_of = date(year, 1, 1), min(date(year, 12, 31), today)
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
    in_post = (
        ~O.is_police
        & (O.created_at < datetime.combine(as_of + timedelta(days=1), time()))
        & (O.departed_on.is_(None) | (O.departed_on > as_of))
    )
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
    rows = session.execute(
        select(O.agency_code, func.count(), func.sum(cast(valid_then, Integer))).where(in_post).group_by(O.agency_code)
    ).all()
    for code, officers, certified in rows:
        facts[code].update(officers=int(officers), certified=int(certified or 0))
    for code, n in session.execute(
        select(C.agency_code, func.count()).where(C.issued_on.between(start, as_of)).group_by(C.agency_code)
    ).all():
        facts[code]["certificates_issued"] = int(n)
    for code, n in session.execute(
        select(C.agency_code, func.count()).where(C.cancelled_on.between(start, as_of)).group_by(C.agency_code)
    ).all():
        facts[code]["certificates_cancelled"] = int(n)
    return list(facts.values())
