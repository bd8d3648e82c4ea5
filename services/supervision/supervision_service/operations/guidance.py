"""Sector guidance in supervision: a county department reads the supervision items of the townships it guides.

Personnel announces which county department guides which township in which domain (``guidance.assigned`` /
``guidance.ended``); this read model keeps the relations in force. Items carry no domain, so guidance in any
domain opens a township's items to the guiding department's admin — to read only: acknowledging and answering stay
the township's own, issuing and verifying the bureau's.
"""

from __future__ import annotations

from sqlalchemy import select

from enforcement_kernel import access, read_models

from .. import models as m
from .common import scope_conditions

GUIDANCE_FIELDS = ("agency_code", "township_code", "domain")


def apply_guidance_assigned(tx, data: dict) -> None:
    read_models.apply_relation(tx.session, m.Guidance, "guidance_id", data, GUIDANCE_FIELDS, active=True)


def apply_guidance_ended(tx, data: dict) -> None:
    read_models.apply_relation(tx.session, m.Guidance, "guidance_id", data, GUIDANCE_FIELDS, active=False)


def guided(session, actor: dict) -> set[str]:
    """The townships the caller's agency guides (an agency admin's only; nobody else reads through guidance)."""
    if actor.get("role") != "agency_admin" or not actor.get("agency_code"):
        return set()
    G = m.Guidance
    stmt = select(G.township_code).where(G.agency_code == actor["agency_code"], G.active.is_(True))
    return set(session.execute(stmt).scalars())


def require_read_item(session, actor: dict, agency_code: str) -> None:
    """As ``access.require_read``, and a department reads the items of a township it guides."""
    if not access.guides(actor, agency_code, guided(session, actor)):
        access.require_read(actor, agency_code)


def item_scope_conditions(session, actor: dict, query: dict, column) -> list:
    """As ``common.scope_conditions``, and an agency admin's list also holds the items of the townships its agency
    guides (or one of them, when the query names it)."""
    townships = guided(session, actor)
    requested = query.get("agency_code")
    if townships and requested is None:
        return [column.in_(sorted({actor["agency_code"], *townships}))]
    if townships and access.guides(actor, requested, townships):
        return [column == requested]
    return scope_conditions(actor, query, column)
