"""Who may read or write which agency's records: the same rule in every service.

The gateway authenticates and passes the caller as an ``actor`` dict; services decide with
these functions, next to the data, so no route can forget the check.
"""

from __future__ import annotations

from enforcement_contracts.errors import Forbidden

ALL_AGENCIES = ("bureau", "system")


def sees_all(actor: dict) -> bool:
    return actor.get("role") in ALL_AGENCIES


def scope_agency(actor: dict) -> str | None:
    """The one agency an actor is limited to, or None when it sees all."""
    if sees_all(actor):
        return None
    if actor.get("role") in ("agency_admin", "officer") and actor.get("agency_code"):
        return actor["agency_code"]
    raise Forbidden("this role cannot read agency records")


def query_agency(actor: dict, requested: str | None) -> str | None:
    """The agency a read across records is limited to: the caller's own when it is limited to one (naming another
    is refused), else the one the query names (None: every agency)."""
    scope = scope_agency(actor)
    if scope is not None and requested not in (None, scope):
        raise Forbidden("not allowed to read another agency's records")
    return scope or requested


def may_read(actor: dict, agency_code: str, officer_id: str | None = None) -> bool:
    """Whether ``require_read`` would let the actor read this record (for answers that must not tell why not)."""
    if sees_all(actor):
        return True
    role = actor.get("role")
    if role == "agency_admin" and actor.get("agency_code") == agency_code:
        return True
    return role == "officer" and officer_id is not None and actor.get("officer_id") == officer_id


def require_read(actor: dict, agency_code: str, officer_id: str | None = None) -> None:
    if may_read(actor, agency_code, officer_id):
        return
    if actor.get("role") == "officer" and actor.get("agency_code") == agency_code:
        # a colleague's record, or the agency's own: same agency, but an officer reads only their own
        raise Forbidden("an officer may read only their own records")
    raise Forbidden("not allowed to read another agency's records")


def require_write(actor: dict, agency_code: str) -> None:
    if sees_all(actor):
        return
    if actor.get("role") == "agency_admin" and actor.get("agency_code") == agency_code:
        return
    raise Forbidden(
        "not allowed to change another agency's records"
        if actor.get("role") == "agency_admin"
        else "this role cannot change records"
    )


def require_bureau(actor: dict) -> None:
    if not sees_all(actor):
        raise Forbidden("only the justice bureau may do this")


def guides(actor: dict, agency_code: str, guided) -> bool:
    """Sector guidance (县直部门指导乡镇): is the caller an agency admin whose agency guides ``agency_code``?
    ``guided`` holds the agencies (townships) the caller's agency guides, as the calling service knows them from
    personnel's guidance events; a service grants what guidance allows (organising training, reading items)."""
    return actor.get("role") == "agency_admin" and bool(actor.get("agency_code")) and agency_code in guided
