"""The officer directory: a read model of the personnel service's events and lists."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import models as m


def apply_agency_registered(tx, data: dict) -> None:
    agency = tx.session.get(m.Agency, data["code"])
    if agency is None:
        tx.session.add(m.Agency(code=data["code"], name=data["name"], kind=data["kind"]))
    else:
        agency.name, agency.kind = data["name"], data["kind"]


def apply_officer_registered(tx, data: dict) -> None:
    officer = tx.session.get(m.Officer, data["officer_id"])
    if officer is None:
        tx.session.add(
            m.Officer(
                officer_id=data["officer_id"], agency_code=data["agency_code"], name=data["name"], status="active"
            )
        )
    else:  # the departure may have arrived first: keep its status
        officer.agency_code, officer.name = data["agency_code"], data["name"]


def apply_officer_updated(tx, data: dict) -> None:
    officer = tx.session.get(m.Officer, data["officer_id"])
    if officer is not None:
        officer.agency_code = data["agency_code"]
        if data.get("name"):  # older events carry no values: the directory sync fills the name in
            officer.name = data["name"]


def apply_officer_departed(tx, data: dict) -> None:
    officer = tx.session.get(m.Officer, data["officer_id"])
    if officer is None:
        officer = m.Officer(officer_id=data["officer_id"], agency_code=data["agency_code"], name="")
        tx.session.add(officer)
    officer.status, officer.departed_on = "departed", data["departed_on"]


def sync_directory(tx, agencies: list[dict], officers: list[dict]) -> int:
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
            officer = m.Officer(
                officer_id=data["officer_id"], agency_code=data["agency_code"], name=data["name"], status="active"
            )
            tx.session.add(officer)
            changed += 1
        elif (officer.agency_code, officer.name) != (data["agency_code"], data["name"]):
            officer.agency_code, officer.name = data["agency_code"], data["name"]
            changed += 1
        if data.get("status") == "departed" and officer.status != "departed":
            officer.status = "departed"
            officer.departed_on = date.fromisoformat(data["departed_on"]) if data.get("departed_on") else None
            changed += 1
    return changed
