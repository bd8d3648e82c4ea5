"""The public portal (执法公示): no login, read-only but for the complaint form; one module per area."""

from __future__ import annotations

from . import cases, home, personnel, supervision

PUBLIC_BLUEPRINTS = [home.blueprint, cases.blueprint, personnel.blueprint, supervision.blueprint]
