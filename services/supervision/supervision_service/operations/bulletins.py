"""Bulletins (通报): the items that fell overdue in a period, listed and published once per period."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from enforcement_contracts import supervision as contract
from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_kernel import access

from .. import models as m
from .common import iso, scope_conditions


def bulletin_entries(session, period_from: date, period_to: date, scope: list = ()) -> list[dict]:
    """Items that fell overdue in the period (first time), by agency, oldest deadline first."""
    conditions = [
        m.SupervisionItem.overdue.is_(True),
        m.SupervisionItem.overdue_on >= period_from,
        m.SupervisionItem.overdue_on <= period_to,
        *scope,
    ]
    rows = session.execute(
        select(m.SupervisionItem)
        .where(*conditions)
        .order_by(m.SupervisionItem.agency_code, m.SupervisionItem.due_on, m.SupervisionItem.id)
    )
    return [
        {
            "item_id": i.id,
            "agency_code": i.agency_code,
            "kind": i.kind,
            "title": i.title,
            "issued_on": i.issued_on.isoformat(),
            "due_on": i.due_on.isoformat(),
            "overdue_on": i.overdue_on.isoformat(),
            "state": i.state,
            "answered_on": iso(i.first_answered_on),
        }
        for i in rows.scalars()
    ]


def overdue_list(session, actor: dict, query: dict) -> list[dict]:
    return bulletin_entries(
        session,
        query["period_from"],
        query["period_to"],
        scope_conditions(actor, query, m.SupervisionItem.agency_code),
    )


def publish_bulletin(tx, actor: dict, data: dict, today: date) -> dict:
    access.require_bureau(actor)
    if data["period_to"] > today:
        raise ValidationFailed(
            "a bulletin covers a period that has ended", {"period_to": ["must not be in the future"]}
        )
    exists = tx.session.execute(
        select(m.Bulletin.id).where(
            m.Bulletin.period_from == data["period_from"], m.Bulletin.period_to == data["period_to"]
        )
    ).first()
    if exists:
        raise Conflict(
            f"a bulletin for this period was already published (#{exists[0]})", {"period_from": ["already published"]}
        )
    entries = bulletin_entries(tx.session, data["period_from"], data["period_to"])
    bulletin = m.Bulletin(
        period_from=data["period_from"],
        period_to=data["period_to"],
        title=data["title"],
        published_on=today,
        published_by=actor["username"],
        entries=entries,
        year=data["period_to"].year,
    )
    tx.session.add(bulletin)
    tx.session.flush()
    tx.emit(
        contract.BULLETIN_PUBLISHED,
        {
            "bulletin_id": bulletin.id,
            "title": bulletin.title,
            "period_from": bulletin.period_from,
            "period_to": bulletin.period_to,
            "published_on": today,
            "entries": entries,
        },
        subject=str(bulletin.id),
    )
    return bulletin_out(bulletin)


def bulletin_out(b: m.Bulletin) -> dict:
    return {
        "bulletin_id": b.id,
        "title": b.title,
        "period_from": b.period_from.isoformat(),
        "period_to": b.period_to.isoformat(),
        "published_on": b.published_on.isoformat(),
        "published_by": b.published_by,
        "entries": b.entries,
    }


def list_bulletins(session) -> list[dict]:
    """Published bulletins are public within the government: every staff role reads them."""
    return [bulletin_out(b) for b in session.execute(select(m.Bulletin).order_by(m.Bulletin.id.desc())).scalars()]
