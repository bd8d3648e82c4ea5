"""Publication (公示) of decisions, their change or revocation, the withdrawal, and what the public reads."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from enforcement_contracts.cases import publication as contract
from enforcement_contracts.common import page
from enforcement_contracts.errors import Conflict, NotFound, ValidationFailed
from enforcement_kernel import access

from .. import models as m
from ..rules import discretion, periods, privacy
from .cases import case_dict, case_status, get_case, record_findings
from .catalogue import get_type
from .common import (
    KIND_PUBLISHED,
    KIND_WITHDRAWN,
    Settings,
    _measure,
)


def publish_decision(tx, actor: dict, case_id: str, data: dict, settings: Settings, today: date) -> dict:
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    item_type = get_type(session, case.type_code)
    if not item_type.publish_decisions:
        raise Conflict(f"{item_type.name} decisions are not published", {"case_id": ["type not published"]})
    if case.decided_on is None:
        raise Conflict("the case is not decided yet", {"case_id": ["not decided"]})
    if case.revoked_on is not None:
        raise Conflict("the decision was revoked", {"case_id": ["revoked"]})
    if session.get(m.Publication, case_id) is not None:
        raise Conflict("the decision is already published", {"case_id": ["already published"]})
    published_on = data["published_on"]
    if published_on < case.decided_on or published_on > today:
        raise ValidationFailed(
            "publication date out of range",
            {"published_on": [f"must lie between the decision ({case.decided_on.isoformat()}) and today"]},
        )
    session.add(m.Publication(case_id=case_id, agency_code=case.agency_code, published_on=published_on))
    result = periods.workday_promptness(case.decided_on, published_on, settings.publication_workdays)
    _measure(tx, case.agency_code, KIND_PUBLISHED, case_id, case.decided_on, published_on, result)
    tx.emit(
        contract.DECISION_PUBLISHED,
        {
            "case_id": case_id,
            "agency_code": case.agency_code,
            "case_number": case.case_number,
            "type_code": case.type_code,
            "decided_on": case.decided_on,
            "published_on": published_on,
            "on_time": result.on_time,
        },
        subject=case_id,
    )
    if not result.on_time:
        record_findings(
            tx,
            case,
            [
                discretion.Finding(
                    "publication_late",
                    "published_on",
                    f"published {result.workdays_taken} working days after the decision; "
                    f"due within {settings.publication_workdays} (国办发〔2018〕118号)",
                )
            ],
        )
    session.flush()
    return case_dict(session, case, settings, today)


def revoke_decision(tx, actor: dict, case_id: str, data: dict, settings: Settings, today: date) -> dict:
    """The decision was changed or revoked: recorded, announced; its publication must be withdrawn in 3 working days."""
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    if case.decided_on is None:
        raise Conflict("the case is not decided yet", {"case_id": ["not decided"]})
    if case.revoked_on is not None:
        raise Conflict("the decision is already revoked", {"case_id": ["revoked"]})
    if data["changed_on"] < case.decided_on or data["changed_on"] > today:
        raise ValidationFailed(
            "date out of range",
            {"changed_on": [f"must lie between the decision ({case.decided_on.isoformat()}) and today"]},
        )
    session.add(
        m.Revocation(
            case_id=case_id,
            changed_on=data["changed_on"],
            revoked=data["revoked"],
            reason=data["reason"],
            ground=data["ground"],
        )
    )
    if data["revoked"]:
        case.revoked_on = data["changed_on"]
    case.status = case_status(case)
    tx.emit(
        contract.DECISION_REVOKED,
        {
            "case_id": case_id,
            "agency_code": case.agency_code,
            "changed_on": data["changed_on"],
            "revoked": data["revoked"],
            "reason": data["reason"],
        },
        subject=case_id,
    )
    session.flush()
    return case_dict(session, case, settings, today)


def withdraw_publication(tx, actor: dict, case_id: str, data: dict, settings: Settings, today: date) -> dict:
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    publication = session.get(m.Publication, case_id)
    if publication is None or publication.withdrawn_on is not None:
        raise Conflict("no publication to withdraw", {"case_id": ["not published"]})
    change = (
        session.execute(
            select(m.Revocation).where(m.Revocation.case_id == case_id).order_by(m.Revocation.changed_on.desc())
        )
        .scalars()
        .first()
    )
    if change is None:
        raise Conflict("record the change or revocation of the decision first", {"case_id": ["decision unchanged"]})
    withdrawn_on = data["withdrawn_on"]
    if withdrawn_on < max(change.changed_on, publication.published_on) or withdrawn_on > today:
        raise ValidationFailed(
            "date out of range",
            {"withdrawn_on": [f"must lie between the change ({change.changed_on.isoformat()}) and today"]},
        )
    publication.withdrawn_on = withdrawn_on
    result = periods.workday_promptness(change.changed_on, withdrawn_on, settings.withdrawal_workdays)
    _measure(tx, case.agency_code, KIND_WITHDRAWN, case_id, change.changed_on, withdrawn_on, result)
    tx.emit(
        contract.PUBLICATION_WITHDRAWN,
        {"case_id": case_id, "agency_code": case.agency_code, "withdrawn_on": withdrawn_on, "on_time": result.on_time},
        subject=case_id,
    )
    if not result.on_time:
        record_findings(
            tx,
            case,
            [
                discretion.Finding(
                    "withdrawal_late",
                    "withdrawn_on",
                    f"withdrawn {result.workdays_taken} working days after the change; "
                    f"due within {settings.withdrawal_workdays} (art. 48)",
                )
            ],
        )
    session.flush()
    return case_dict(session, case, settings, today)


def _public_statement():
    """Published decisions neither withdrawn nor revoked, with their item's name and legal basis and the agency's
    name. A revoked decision leaves the public list the moment its revocation is recorded, whether or not the agency
    has recorded the withdrawal yet (which is still due, and watched)."""
    V = m.ItemVersion
    return (
        select(m.Case, m.Publication, V.name, V.legal_basis, m.Agency.name)
        .join(m.Publication, m.Publication.case_id == m.Case.case_id)
        .join(V, (V.item_id == m.Case.item_id) & (V.version == m.Case.item_version))
        .outerjoin(m.Agency, m.Agency.code == m.Case.agency_code)
        .where(m.Publication.withdrawn_on.is_(None), m.Case.revoked_on.is_(None))
    )


def _public_row(c: m.Case, p: m.Publication, item_name: str, basis: str, agency_name: str | None) -> dict:
    return {
        "case_id": c.case_id,
        "agency_code": c.agency_code,
        "agency_name": agency_name or c.agency_code,
        "case_number": c.case_number,
        "type_code": c.type_code,
        "item_name": item_name,
        "legal_basis": basis,
        "party_name": privacy.party_display_name(c.party_kind, c.party_name),
        "party_kind": c.party_kind,
        "penalty_kinds": list(c.penalty_kinds or []),
        "fine_amount": c.fine_amount,
        "decision_summary": c.decision_summary,
        "decided_on": c.decided_on,
        "published_on": p.published_on,
    }


def public_decisions(session, query: dict) -> dict:
    """What anyone may read: published decisions not withdrawn; no ID numbers, citizens' names masked. ``from`` /
    ``to``: the publication date lies in that period."""
    stmt = _public_statement()
    if query.get("agency_code"):
        stmt = stmt.where(m.Case.agency_code == query["agency_code"])
    if query.get("type_code"):
        stmt = stmt.where(m.Case.type_code == query["type_code"])
    if query.get("date_from"):
        stmt = stmt.where(m.Publication.published_on >= query["date_from"])
    if query.get("date_to"):
        stmt = stmt.where(m.Publication.published_on <= query["date_to"])
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    number, per_page = query.get("page", 1), query.get("per_page", 50)
    found = session.execute(
        stmt.order_by(m.Publication.published_on.desc(), m.Case.case_number)
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    return page(contract.PublishedDecision, [_public_row(*row) for row in found], total, query)


def public_decision(session, case_id: str) -> dict:
    """One published decision as the public list shows it; a decision not published (or withdrawn) is not found, and
    a published decision since revoked is not found either, saying so (``fields.case_id: ["revoked"]``): a link
    kept from before its revocation tells the reader it no longer stands."""
    row = (
        session.execute(_public_statement().where(m.Case.case_id == case_id)).first()
        if isinstance(case_id, str)
        else None
    )
    if row is None and isinstance(case_id, str):
        case, published = session.get(m.Case, case_id), session.get(m.Publication, case_id)
        if case is not None and published is not None and case.revoked_on is not None:
            raise NotFound(f"published decision {case_id} was revoked", {"case_id": ["revoked"]})
    if row is None:
        raise NotFound(f"published decision {case_id} not found")
    return contract.PublishedDecision().dump(_public_row(*row))
