"""Complaints (投诉举报): registered by anyone, accepted or refused and concluded by the agency, extended once with the
bureau's approval; the complainant's name and contact are encrypted at rest and shown masked."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select

from enforcement_contracts import supervision as contract
from enforcement_contracts.common import page
from enforcement_contracts.errors import NotFound
from enforcement_kernel import access, paging
from enforcement_kernel.crypto import PersonalDataCipher

from .. import models as m
from .. import rules
from .automatic import follow_up_late
from .common import Settings, Shown, calendar, get_row, scope_conditions
from .promptness import measure_own
from .watches import complaint_reference


def _complaint(session, complaint_id) -> m.Complaint:
    return get_row(session, m.Complaint, complaint_id, "complaint")


def complaint_out(c: m.Complaint, cipher: PersonalDataCipher) -> dict:
    return contract.ComplaintOut().dump(_shown(c, cipher))


def _shown(c: m.Complaint, cipher: PersonalDataCipher) -> Shown:
    """The complaint with the complainant masked (decrypted only to mask)."""
    return Shown(
        c,
        complaint_id=c.id,
        complainant_name_masked=rules.mask_name(cipher.decrypt(c.complainant_name_enc)),
        contact_masked=rules.mask_contact(cipher.decrypt(c.contact_enc)),
    )


def _complaint_event(tx, event_type, c: m.Complaint, on: date) -> None:
    tx.emit(
        event_type,
        {
            "complaint_id": c.id,
            "agency_code": c.agency_code,
            "complainant_kind": c.complainant_kind,
            "state": c.state,
            "on": on,
            "outcome": c.outcome,
        },
        subject=str(c.id),
    )


def register_complaint(
    tx, data: dict, settings: Settings, cipher: PersonalDataCipher, known_agency, today: date
) -> dict:
    known_agency(data["agency_code"])
    contact = data["contact"].strip()
    c = m.Complaint(
        agency_code=data["agency_code"],
        complainant_kind=data["complainant_kind"],
        complainant_name_enc=cipher.encrypt(data["complainant_name"].strip()),
        contact_enc=cipher.encrypt(contact),
        contact_hash=cipher.lookup_hash(contact.lower()),
        summary=data["summary"],
        receipt_code=rules.new_receipt_code(),
        received_on=today,
        state=m.REGISTERED,
        accept_due_on=rules.complaint_accept_due(calendar(), today, settings.complaints),
        year=today.year,
    )
    tx.session.add(c)
    tx.session.flush()
    _complaint_event(tx, contract.COMPLAINT_REGISTERED, c, today)
    return contract.ComplaintReceipt().dump(Shown(c, complaint_id=c.id))


def decide_complaint(tx, actor: dict, complaint_id, data: dict, settings: Settings, cipher, today: date) -> dict:
    c = _complaint(tx.session, complaint_id)
    access.require_write(actor, c.agency_code)
    rules.decide_complaint(c.state)
    c.state = m.ACCEPTED if data["accept"] else m.REFUSED
    c.decided_on, c.decision_reasons = today, data["reasons"]
    if data["accept"]:
        c.conclude_due_on = rules.complaint_conclude_due(today, settings.complaints)
    result = rules.due_date_promptness(calendar(), c.received_on, today, c.accept_due_on)
    measured = measure_own(
        tx,
        f"supervision-complaint-{c.id}-accepted",
        c.agency_code,
        contract.KIND_COMPLAINT_ACCEPTED,
        complaint_reference(c.id),
        c.received_on,
        today,
        result,
        c.created_at,
    )
    follow_up_late(tx, contract.SERVICE, contract.COMPLAINT_DECIDED.type, measured, settings, today, c.id)
    _complaint_event(tx, contract.COMPLAINT_DECIDED, c, today)
    return complaint_out(c, cipher)


def extend_complaint(tx, actor: dict, complaint_id, data: dict, settings: Settings, cipher, today: date) -> dict:
    access.require_bureau(actor)  # the extension needs the bureau's approval
    c = _complaint(tx.session, complaint_id)
    c.conclude_due_on = rules.extend_complaint(
        c.state, c.extension_days is not None, c.conclude_due_on, data["days"], today, settings.complaints
    )
    c.extension_days, c.extension_reason, c.extension_approved_by = data["days"], data["reason"], actor["username"]
    _complaint_event(tx, contract.COMPLAINT_EXTENDED, c, today)
    return complaint_out(c, cipher)


def conclude_complaint(tx, actor: dict, complaint_id, data: dict, settings: Settings, cipher, today: date) -> dict:
    c = _complaint(tx.session, complaint_id)
    access.require_write(actor, c.agency_code)
    rules.conclude_complaint(c.state)
    c.state, c.concluded_on, c.outcome, c.conclusion = m.CONCLUDED, today, data["outcome"], data["conclusion"]
    result = rules.due_date_promptness(calendar(), c.decided_on, today, c.conclude_due_on)
    measured = measure_own(  # a calendar-day clock (the extension included)
        tx,
        f"supervision-complaint-{c.id}-concluded",
        c.agency_code,
        contract.KIND_COMPLAINT_CONCLUDED,
        complaint_reference(c.id),
        c.decided_on,
        today,
        result,
        None,
        unit="days",
        taken=(today - c.decided_on).days,
        deadline=(c.conclude_due_on - c.decided_on).days,
    )
    follow_up_late(tx, contract.SERVICE, contract.COMPLAINT_CONCLUDED.type, measured, settings, today, c.id)
    _complaint_event(tx, contract.COMPLAINT_CONCLUDED, c, today)
    return complaint_out(c, cipher)


def read_complaint(session, actor: dict, complaint_id, cipher) -> dict:
    c = _complaint(session, complaint_id)
    access.require_read(actor, c.agency_code)
    return complaint_out(c, cipher)


def next_deadline_by(day):
    """Open complaints whose next deadline falls on or before ``day``: accepting a registered one, concluding an
    accepted one (the open states are few at any time, so their (state, id) index keeps this small)."""
    return or_(
        and_(m.Complaint.state == m.REGISTERED, m.Complaint.accept_due_on <= day),
        and_(m.Complaint.state == m.ACCEPTED, m.Complaint.conclude_due_on <= day),
    )


def list_complaints(session, actor: dict, query: dict, cipher) -> dict:
    conditions = scope_conditions(actor, query, m.Complaint.agency_code)
    for name in ("state", "year"):
        if query.get(name) is not None:
            conditions.append(getattr(m.Complaint, name) == query[name])
    if query.get("due_by") is not None:
        conditions.append(next_deadline_by(query["due_by"]))
    stmt = select(m.Complaint).where(*conditions)
    found = paging.keyset_page(session, stmt, [(m.Complaint.id, True)], query, "complaints")
    rows = [_shown(c, cipher) for c in found.rows]
    return page(contract.ComplaintOut, rows, found.total, query, found.total_exact, found.next)


def track_complaint(session, receipt_code: str) -> dict:
    """Public: a complaint's progress by its receipt number (查询码), without the complainant or the complaint's text.
    An unknown number and a malformed one answer the same 404, so an answer tells nothing about other numbers."""
    code = rules.normalise_receipt_code(receipt_code)
    c = None
    if code is not None:
        c = session.execute(select(m.Complaint).where(m.Complaint.receipt_code == code)).scalar_one_or_none()
    if c is None:
        raise NotFound("no complaint has this receipt number")
    return contract.ComplaintProgress().dump(c)
