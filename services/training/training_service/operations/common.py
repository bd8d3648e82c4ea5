"""Helpers every use case module shares: ids, chunked IN lists, lookups that name what is unknown."""

from __future__ import annotations

import uuid

from sqlalchemy import inspect
from sqlalchemy.dialects import postgresql, sqlite

from enforcement_contracts.errors import NotFound, ValidationFailed
from enforcement_contracts.training import common as common_contract

from .. import models as m

SERVICE = common_contract.SERVICE
CHUNK = 500  # ids per IN (...) list


def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def new_id() -> str:
    return uuid.uuid4().hex


def known_officer(session, officer_id, field: str = "officer_id") -> m.Officer:
    """An officer named in a request body; an unknown one is a bad field of that request."""
    officer = session.get(m.Officer, officer_id) if isinstance(officer_id, str) else None
    if officer is None:
        raise ValidationFailed(f"unknown officer {officer_id}", {field: [f"unknown officer {officer_id}"]})
    return officer


def get_officer(session, officer_id) -> m.Officer:
    """An officer named in the path: unknown is 404."""
    officer = session.get(m.Officer, officer_id) if isinstance(officer_id, str) else None
    if officer is None:
        raise NotFound(f"officer {officer_id} not known to the training service")
    return officer


def known(session, model, key, field: str, what: str):
    """A row named in a request body; an unknown one is a bad ``field``."""
    row = session.get(model, key) if isinstance(key, str) else None
    if row is None:
        raise ValidationFailed(f"unknown {what} {key}", {field: [f"unknown {what} {key}"]})
    return row


def get_or_404(session, model, key, what: str):
    """A row named in the path: unknown is 404."""
    row = session.get(model, key) if isinstance(key, str) else None
    if row is None:
        raise NotFound(f"{what} {key} not found")
    return row


def dialect_insert(session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def columns(*rows, **extra) -> dict:
    """The mapped columns of ORM ``rows`` (a later row's column wins) and ``extra`` values: what a contract schema
    dumps when its fields come from several tables."""
    out: dict = {}
    for row in rows:
        out.update({attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs})
    return out | extra


class Seen:
    """``obj`` with some attributes added or replaced, for a contract schema to dump (e.g. a roll-up and its agency's
    name)."""

    def __init__(self, obj, **extra):
        self._obj, self._extra = obj, extra

    def __getattr__(self, name: str):
        if name in self._extra:
            return self._extra[name]
        return getattr(self._obj, name)
