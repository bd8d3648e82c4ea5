"""Sector guidance in training: a county agency's admin organises the training of the townships it guides.

Personnel records which county agency guides which township in which enforcement domain (``guidance.assigned`` /
``guidance.ended``, kept in ``directory``). Here that lets the guiding agency's admin name a guided township among
a session's organisers, and record, correct and read the attendance of that township's officers whose domains
include a guided one. Everything else stays the agency's own (``enforcement_kernel.access``).
"""

from __future__ import annotations

from enforcement_contracts.errors import Forbidden
from enforcement_kernel import access

from .. import models as m
from .directory import guided_domains, guided_townships


def guides_officer(session, actor: dict, officer: m.Officer) -> bool:
    """The caller's agency guides this officer's township in one of the officer's domains."""
    if actor.get("role") != "agency_admin":
        return False
    domains = guided_domains(session, actor.get("agency_code"), officer.agency_code)
    return bool(domains & set(officer.domains or []))


def require_write_officer(session, actor: dict, officer: m.Officer) -> None:
    """The officer's own agency (or the bureau) writes; so does an agency guiding the officer in their domain."""
    try:
        access.require_write(actor, officer.agency_code)
    except Forbidden:
        if not guides_officer(session, actor, officer):
            raise


def require_read_officer(session, actor: dict, officer: m.Officer) -> None:
    """Who may read an officer's training: as ``access.require_read``, and an agency guiding the officer."""
    try:
        access.require_read(actor, officer.agency_code, officer.officer_id)
    except Forbidden:
        if not guides_officer(session, actor, officer):
            raise


def require_organise(session, actor: dict, codes: list[str]) -> None:
    """An agency admin organises (or co-organises) sessions its agency is part of, and sessions of townships it
    guides (one, or several jointly)."""
    if access.sees_all(actor) or actor.get("agency_code") in codes:
        return
    guided = guided_townships(session, actor.get("agency_code")) if actor.get("role") == "agency_admin" else {}
    if codes and all(access.guides(actor, code, guided) for code in codes):
        return
    access.require_write(actor, codes[0])  # refused: another agency's session


def officer_guidance(session, actor: dict) -> dict[str, set[str]]:
    """For a bulk check (the import): every township the caller's agency guides, with the domains."""
    return guided_townships(session, actor.get("agency_code")) if actor.get("role") == "agency_admin" else {}
