"""Sector guidance (县直部门指导乡镇, plan §二(一)3): which county department guides which township in which
enforcement domain. The bureau records and ends relations; every staff member may list them; each change is
announced (``guidance.assigned`` / ``guidance.ended``) so training (the guiding agency organises the township's
training) and supervision (it reads the township's items) keep a read model of their own.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from enforcement_contracts import common
from enforcement_contracts import personnel as contract
from enforcement_contracts.errors import Conflict, NotFound, ValidationFailed
from enforcement_kernel import access

from .. import models as m
from .views import With

GUIDING_KINDS = ("department",)  # a county department guides
GUIDED_KINDS = ("township",)  # a township (镇/乡) is guided


def _agency(session, code: str, field: str, kinds: tuple[str, ...], what: str) -> m.Agency:
    agency = session.get(m.Agency, code)
    if agency is None:
        raise ValidationFailed(f"unknown agency {code}", {field: [f"unknown agency {code}"]})
    if agency.kind not in kinds:
        raise ValidationFailed(f"{code} is not {what}", {field: [f"must be {what} (kind {', '.join(kinds)})"]})
    return agency


def _view(row: m.SectorGuidance, names: dict[str, str]) -> With:
    return With(
        row,
        agency_name=names.get(row.agency_code),
        township_name=names.get(row.township_code),
        active=row.ended_on is None,
    )


def _names(session, codes) -> dict[str, str]:
    codes = sorted(set(codes))
    if not codes:
        return {}
    return dict(session.execute(select(m.Agency.code, m.Agency.name).where(m.Agency.code.in_(codes))).all())


def _event(row: m.SectorGuidance) -> dict:
    return {
        "guidance_id": row.guidance_id,
        "agency_code": row.agency_code,
        "township_code": row.township_code,
        "domain": row.domain,
    }


def assign_guidance(tx, actor: dict, data: dict, today: date) -> dict:
    """Record that a county department guides a township in a domain (bureau only; one relation in force each)."""
    access.require_bureau(actor)
    agency = _agency(tx.session, data["agency_code"], "agency_code", GUIDING_KINDS, "a county department")
    township = _agency(tx.session, data["township_code"], "township_code", GUIDED_KINDS, "a township")
    since = data.get("since") or today
    if since > today:
        raise ValidationFailed("guidance cannot start in the future", {"since": ["must not be in the future"]})
    G = m.SectorGuidance
    in_force = select(G.guidance_id).where(
        G.agency_code == agency.code, G.township_code == township.code, G.domain == data["domain"], G.ended_on.is_(None)
    )
    if tx.session.execute(in_force).first():
        raise _already()
    row = G(
        guidance_id=uuid.uuid4().hex,
        agency_code=agency.code,
        township_code=township.code,
        domain=data["domain"],
        since=since,
        created_by=actor["username"],
    )
    tx.session.add(row)
    try:
        tx.session.flush()
    except IntegrityError:  # a concurrent request recorded the same relation first
        raise _already() from None
    tx.emit(contract.GUIDANCE_ASSIGNED, _event(row) | {"since": since}, subject=row.guidance_id)
    return contract.Guidance().dump(_view(row, {agency.code: agency.name, township.code: township.name}))


def _already() -> Conflict:
    return Conflict(
        "this department already guides this township in this domain", {"domain": ["already guided in this domain"]}
    )


def end_guidance(tx, actor: dict, guidance_id: str, data: dict, today: date) -> dict:
    access.require_bureau(actor)
    row = tx.session.get(m.SectorGuidance, guidance_id) if isinstance(guidance_id, str) else None
    if row is None:
        raise NotFound(f"guidance {guidance_id} not found")
    if row.ended_on is not None:
        raise Conflict(f"this guidance ended on {row.ended_on.isoformat()}", {"guidance_id": ["already ended"]})
    ended_on = data.get("ended_on") or today
    if ended_on > today or ended_on < row.since:
        raise ValidationFailed("invalid end date", {"ended_on": [f"must be between {row.since.isoformat()} and today"]})
    row.ended_on = ended_on
    tx.emit(contract.GUIDANCE_ENDED, _event(row) | {"ended_on": ended_on}, subject=row.guidance_id)
    return contract.Guidance().dump(_view(row, _names(tx.session, [row.agency_code, row.township_code])))


def list_guidance(session, actor: dict, query: dict) -> dict:
    """A page of guidance relations (any staff member may read them, like the agencies), by department, township."""
    access.scope_agency(actor)  # staff only (the public has no role here)
    G = m.SectorGuidance
    stmt = select(G)
    for key in ("agency_code", "township_code", "domain"):
        if query.get(key):
            stmt = stmt.where(getattr(G, key) == query[key])
    if query.get("active") is not None:
        stmt = stmt.where(G.ended_on.is_(None) if query["active"] else G.ended_on.is_not(None))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    number, per_page = query["page"], query["per_page"]
    rows = (
        session.execute(
            stmt.order_by(G.agency_code, G.township_code, G.domain, G.since.desc(), G.guidance_id)
            .offset((number - 1) * per_page)
            .limit(per_page)
        )
        .scalars()
        .all()
    )
    names = _names(session, [c for r in rows for c in (r.agency_code, r.township_code)])
    return common.page(contract.Guidance, [_view(r, names) for r in rows], total, query)
