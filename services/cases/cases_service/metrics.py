"""The cases service's own gauges: corrections and accountability records by agency, kind and state, and those
whose current step is past its deadline. Set from the database (never incremented), so a restart or a second
replica shows the same figures; every known agency's series exist at 0."""

from __future__ import annotations

from prometheus_client import Gauge

from enforcement_contracts.cases.followups import KINDS, STATES
from enforcement_kernel.metrics import PREFIX

FOLLOWUPS = Gauge(
    f"{PREFIX}_review_followups",
    "Corrections (错案纠正) and accountability records (过错责任追究) of an agency, by kind and state",
    ["agency", "kind", "state"],
)
FOLLOWUPS_OVERDUE = Gauge(
    f"{PREFIX}_review_followups_overdue",
    "Corrections and accountability records of an agency whose current step is past its deadline",
    ["agency", "kind"],
)

_agencies: set[str] = set()


def publish_followups(
    counts: dict[tuple[str, str, str], int], overdue: dict[tuple[str, str], int] | None, agencies=()
) -> None:
    """Every agency seen (now or before, and ``agencies``) x kind x state: its count, 0 when it has none; the overdue
    gauge likewise, unless ``overdue`` is None (left as the last full refresh set it)."""
    _agencies.update(agencies)
    _agencies.update(a for a, _k, _s in counts)
    _agencies.update(a for a, _k in overdue or {})
    for agency in _agencies:
        for kind in KINDS:
            for state in STATES:
                FOLLOWUPS.labels(agency, kind, state).set(counts.get((agency, kind, state), 0))
            if overdue is not None:
                FOLLOWUPS_OVERDUE.labels(agency, kind).set(overdue.get((agency, kind), 0))
            else:
                FOLLOWUPS_OVERDUE.labels(agency, kind)  # the series exists, at 0 until the watch counts it
