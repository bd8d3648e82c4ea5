"""Read models: a service's own copy of records another service owns, kept from that service's events.

Events can arrive twice or out of order (a replay, a redelivery, a backstop sync racing an event), so every apply
is an upsert by the record's key that ends in the same row whatever the order."""

from __future__ import annotations


def apply_relation(session, model, key: str, data: dict, fields: tuple[str, ...], *, active: bool):
    """Record a relation that starts and ends by events (``...assigned`` / ``...ended``).

    The start of a relation never seen makes it active; an end makes it inactive, and an end arriving before its
    start still records the relation, ended: the late start updates its fields and does not reopen it (a new
    relation gets a new key)."""
    row = session.get(model, data[key])
    if row is None:
        row = model(**{key: data[key]}, active=active)
        session.add(row)
    for name in fields:
        setattr(row, name, data[name])
    if not active:
        row.active = False
    return row
