"""Seed data written at install: the enforcement types and the review checklists."""

from __future__ import annotations

from datetime import date

from .. import models as m


def seed_types(tx, types: list[dict]) -> int:
    added = 0
    for position, data in enumerate(types):
        if tx.session.get(m.ItemType, data["code"]) is None:
            tx.session.add(m.ItemType(position=position, **data))
            added += 1
    return added


def seed_checklist(tx, checklist: dict, version: int = 1) -> int:
    """The checklist as ``version`` unless a version of that number is there (the county's own, or seeded before):
    1 if added, 0 if present."""
    if tx.session.get(m.Checklist, version) is not None:
        return 0
    if version > 1 and tx.session.get(m.Checklist, version - 1) is None:
        return 0  # versions follow one another
    tx.session.add(
        m.Checklist(
            version=version,
            effective_from=date.fromisoformat(checklist["effective_from"]),
            items=checklist["items"],
            created_by="seed",
        )
    )
    return 1
