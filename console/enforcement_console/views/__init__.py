"""The pages, one blueprint per area: staff pages need a login, the portal (``portal``) does not."""

from __future__ import annotations

from . import (
    account,
    cases,
    cases_draws,
    cases_followups,
    cases_records,
    certificate_applications,
    guidance,
    officer_edit,
    overview,
    personnel,
    supervision,
    system,
    training,
)
from .portal import PUBLIC_BLUEPRINTS

STAFF_BLUEPRINTS = [
    account.blueprint,
    overview.blueprint,
    personnel.blueprint,
    training.blueprint,
    cases.blueprint,
    supervision.blueprint,
    system.blueprint,
]

# these add their pages to the personnel and cases blueprints (imported for that)
__all__ = [
    "PUBLIC_BLUEPRINTS",
    "STAFF_BLUEPRINTS",
    "cases_draws",
    "cases_followups",
    "cases_records",
    "certificate_applications",
    "guidance",
    "officer_edit",
]
