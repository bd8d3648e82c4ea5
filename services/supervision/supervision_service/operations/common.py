"""What every subject of the supervision service shares: its settings, the personal-data cipher, the county's working
calendar, and the look-up and scope helpers of the reads.

``operations`` holds what the service does, one module per subject (items, automatic items, bulletins, complaints,
promptness, filings and surveys); the nameko entrypoints only route there. Writes take a ``Tx`` (session + outbox);
reads take a plain session. Access follows ``kernel.access``: the bureau issues, returns, verifies and closes items and
sees everything; an agency acknowledges and answers its own items and handles the complaints about its own enforcement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from enforcement_contracts import supervision as contract
from enforcement_contracts.errors import NotFound
from enforcement_kernel import access
from enforcement_kernel.config import setting
from enforcement_kernel.crypto import PersonalDataCipher
from enforcement_kernel.workdays import WorkCalendar, default_calendar

from .. import models as m
from .. import rules

SERVICE = contract.SERVICE
DONE_ITEM_STATES = (m.VERIFIED, m.CLOSED)


@dataclass(frozen=True)
class Settings:
    item_deadlines: dict = field(default_factory=lambda: dict.fromkeys(contract.ITEM_KINDS, 10))
    max_deadline_workdays: int = 60
    return_workdays: int = 5
    automatic_deadline_workdays: int = 10
    complaints: rules.ComplaintLimits = rules.ComplaintLimits()

    @classmethod
    def from_config(cls, config: dict) -> Settings:
        deadlines = dict(setting(config, "SUPERVISION.items.deadline_workdays", {}) or {})
        missing = [k for k in contract.ITEM_KINDS if k not in deadlines]
        if missing:
            raise ValueError(f"SUPERVISION.items.deadline_workdays has no deadline for {', '.join(missing)}")
        return cls(
            item_deadlines={k: int(v) for k, v in deadlines.items()},
            max_deadline_workdays=int(setting(config, "SUPERVISION.items.max_deadline_workdays", 60)),
            return_workdays=int(setting(config, "SUPERVISION.items.return_workdays", 5)),
            automatic_deadline_workdays=int(setting(config, "SUPERVISION.automatic.deadline_workdays", 10)),
            complaints=rules.ComplaintLimits(
                accept_workdays=int(setting(config, "SUPERVISION.complaints.accept_workdays", 5)),
                conclude_days=int(setting(config, "SUPERVISION.complaints.conclude_days", 30)),
                max_extension_days=int(setting(config, "SUPERVISION.complaints.max_extension_days", 30)),
            ),
        )


def cipher_from_config(config: dict) -> PersonalDataCipher:
    return PersonalDataCipher(str(config.get("ID_ENCRYPTION_KEY", "")), str(config.get("ID_HASH_KEY", "")))


def calendar() -> WorkCalendar:
    # the runner installs the county's calendar (CALENDAR.extra_*) as the default at start
    return default_calendar()


def get_row(session, model, key, what: str):
    try:
        row = session.get(model, int(key))
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise NotFound(f"{what} {key} not found")
    return row


def scope_conditions(actor: dict, query: dict, column) -> list:
    """The actor's agency scope (an agency admin: its own only) plus the agency the query names."""
    agency = access.query_agency(actor, query.get("agency_code"))
    return [column == agency] if agency else []


class Shown:
    """A row seen with a few more attributes, for a contract schema's ``dump``: ``ItemOut().dump(Shown(item,
    history=rows))``. The schema stays the one source of the answer's shape; the row supplies what it stores."""

    def __init__(self, row, **extra):
        self._row, self._extra = row, extra

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._extra[name] if name in self._extra else getattr(self._row, name)
