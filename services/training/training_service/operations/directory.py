"""The officer directory: a read model of the personnel service's events and lists (officers with their agency,
in-post dates and enforcement domains; agencies; sector guidance)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from enforcement_kernel import read_models

from .. import models as m


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def apply_agency_registered(tx, data: dict) -> None:
    agency = tx.session.get(m.Agency, data["code"])
    if agency is None:
        tx.session.add(m.Agency(code=data["code"], name=data["name"], kind=data["kind"]))
    else:
        agency.name, agency.kind = data["name"], data["kind"]


def apply_officer_registered(tx, data: dict) -> None:
    officer = tx.session.get(m.Officer, data["officer_id"])
    if officer is None:
        officer = m.Officer(officer_id=data["officer_id"], status="active")
        tx.session.add(officer)
    # (the departure may have arrived first: its status is kept)
    officer.agency_code, officer.name = data["agency_code"], data["name"]
    if data.get("appointed_on"):  # older events carry no date: the directory sync fills it in
        officer.appointed_on = _date(data["appointed_on"])
    if data.get("domains") is not None:
        officer.domains = sorted(data["domains"])


def apply_officer_updated(tx, data: dict) -> None:
    officer = tx.session.get(m.Officer, data["officer_id"])
    if officer is not None:
        officer.agency_code = data["agency_code"]
        if data.get("name"):  # older events carry no values: the directory sync fills the name in
            officer.name = data["name"]
        if data.get("domains") is not None:
            officer.domains = sorted(data["domains"])
        if data.get("appointed_on"):
            officer.appointed_on = _date(data["appointed_on"])


def apply_officer_departed(tx, data: dict) -> None:
    officer = tx.session.get(m.Officer, data["officer_id"])
    if officer is None:
        officer = m.Officer(officer_id=data["officer_id"], agency_code=data["agency_code"], name="")
        tx.session.add(officer)
    officer.status, officer.departed_on = "departed", _date(data["departed_on"])


GUIDANCE_FIELDS = ("agency_code", "township_code", "domain")


def apply_guidance_assigned(tx, data: dict) -> None:
    read_models.apply_relation(tx.session, m.Guidance, "guidance_id", data, GUIDANCE_FIELDS, active=True)


def apply_guidance_ended(tx, data: dict) -> None:
    read_models.apply_relation(tx.session, m.Guidance, "guidance_id", data, GUIDANCE_FIELDS, active=False)


def sync_directory(tx, agencies: list[dict], officers: list[dict], guidance: list[dict] | None = None) -> int:
    """Backstop for events this service never got (published before its queues existed, or to another
    subscriber only): personnel's current lists. A departure is final, so nothing here makes a departed
    officer active again. Returns how many officers were added or changed."""
    tx.serialise("training.sync_directory")  # replicas take turns: the second sees the first's officers
    for agency in agencies:
        apply_agency_registered(tx, agency)
    known = {o.officer_id: o for o in tx.session.execute(select(m.Officer)).scalars()}
    changed = 0
    for data in officers:
        officer = known.get(data["officer_id"])
        if officer is None:
            officer = m.Officer(officer_id=data["officer_id"], status="active")
            tx.session.add(officer)
        before = _state(officer)
        officer.agency_code, officer.name = data["agency_code"], data["name"]
        if data.get("appointed_on"):
            officer.appointed_on = _date(data["appointed_on"])
        if data.get("domains") is not None:
            officer.domains = sorted(data["domains"])
        if data.get("status") == "departed" and officer.status != "departed":
            officer.status = "departed"
            officer.departed_on = _date(data.get("departed_on"))
        changed += _state(officer) != before
    for data in guidance or []:
        (apply_guidance_assigned if data.get("active", True) else apply_guidance_ended)(tx, data)
    return changed


def _state(officer: m.Officer) -> tuple:
    domains = tuple(officer.domains) if officer.domains is not None else None
    return officer.agency_code, officer.name, officer.appointed_on, domains, officer.status, officer.departed_on


def guided_domains(session, agency_code: str | None, township_code: str) -> set[str]:
    """The domains in which ``agency_code`` guides ``township_code`` (empty when it does not)."""
    if not agency_code:
        return set()
    G = m.Guidance
    return set(
        session.execute(
            select(G.domain).where(G.agency_code == agency_code, G.township_code == township_code, G.active.is_(True))
        ).scalars()
    )


def guided_townships(session, agency_code: str | None) -> dict[str, set[str]]:
    """Every township ``agency_code`` guides, with the domains."""
    if not agency_code:
        return {}
    G = m.Guidance
    out: dict[str, set[str]] = {}
    rows = session.execute(select(G.township_code, G.domain).where(G.agency_code == agency_code, G.active.is_(True)))
    for township, domain in rows:
        out.setdefault(township, set()).add(domain)
    return out
