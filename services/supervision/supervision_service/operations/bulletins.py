"""Bulletins (通报): the items that fell overdue in a period, listed and published once per period."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from enforcement_contracts import supervision as contract
from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_kernel import access

from .. import models as m
from .common import Shown, scope_conditions


def bulletin_entries(session, date_from: date, date_to: date, scope: list = ()) -> list[dict]:
    """Items that fell overdue in the period (first time), by agency, oldest deadline first."""
    conditions = [
        m.SupervisionItem.overdue.is_(True),
        m.SupervisionItem.overdue_on >= date_from,
        m.SupervisionItem.overdue_on <= date_to,
        *scope,
    ]
    rows = session.execute(
        select(m.SupervisionItem)
        .where(*conditions)
        .order_by(m.SupervisionItem.agency_code, m.SupervisionItem.due_on, m.SupervisionItem.id)
    ).scalars()
    return contract.BulletinEntry(many=True).dump(Shown(i, item_id=i.id, answered_on=i.first_answered_on) for i in rows)


def overdue_list(session, actor: dict, query: dict) -> list[dict]:
    return bulletin_entries(
        session,
        query["date_from"],
        query["date_to"],
        scope_conditions(actor, query, m.SupervisionItem.agency_code),
    )


def publish_bulletin(tx, actor: dict, data: dict, today: date) -> dict:
    """The bulletin of ``from`` .. ``to`` (the query's period; kept and announced as period_from / period_to)."""
    access.require_bureau(actor)
    period_from, period_to = data["date_from"], data["date_to"]
    if period_to > today:
        raise ValidationFailed("a bulletin covers a period that has ended", {"to": ["must not be in the future"]})
    exists = tx.session.execute(
        select(m.Bulletin.id).where(m.Bulletin.period_from == period_from, m.Bulletin.period_to == period_to)
    ).first()
    if exists:
        raise Conflict(
            f"a bulletin for this period was already published (#{exists[0]})", {"from": ["already published"]}
        )
    entries = bulletin_entries(tx.session, period_from, period_to)
    bulletin = m.Bulletin(
        period_from=period_from,
        period_to=period_to,
        title=data["title"],
        published_on=today,
        published_by=actor["username"],
        entries=entries,
        year=period_to.year,
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
    # the entries are kept as JSON: read back through their schema so the answer is dumped by the same one
    entries = contract.BulletinEntry(many=True).load(b.entries)
    return contract.BulletinOut().dump(Shown(b, bulletin_id=b.id, entries=entries))


def list_bulletins(session) -> list[dict]:
    """Published bulletins are public within the government: every staff role reads them."""
    return [bulletin_out(b) for b in session.execute(select(m.Bulletin).order_by(m.Bulletin.id.desc())).scalars()]
