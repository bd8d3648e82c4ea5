"""Seed data written at install: the enforcement types and the first review checklist."""

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


def seed_checklist(tx, checklist: dict) -> int:
    if tx.session.get(m.Checklist, 1) is not None:
        return 0
    tx.session.add(
        m.Checklist(
            version=1,
            effective_from=date.fromisoformat(checklist["effective_from"]),
            items=checklist["items"],
            created_by="seed",
        )
    )
    return 1
