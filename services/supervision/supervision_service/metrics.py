"""The supervision service's gauges (agreed names; see README). Set from the database, never incremented, so a
restart or a second replica shows the same figures."""

from __future__ import annotations

from prometheus_client import Gauge

from enforcement_kernel.metrics import PREFIX

ON_TIME_RATIO = Gauge(
    f"{PREFIX}_agency_on_time_ratio",
    "Share of an agency's obligations met on time this calendar year (kind 'all': every kind)",
    ["agency", "kind"],
)
ITEMS_OPEN = Gauge(
    f"{PREFIX}_supervision_items_open", "Supervision items of an agency not yet verified or closed", ["agency"]
)
ITEMS_OVERDUE = Gauge(
    f"{PREFIX}_supervision_items_overdue",
    "Supervision items of an agency past their deadline and still waiting for its answer",
    ["agency"],
)

_shown: dict[Gauge, set[tuple]] = {ON_TIME_RATIO: set(), ITEMS_OPEN: set(), ITEMS_OVERDUE: set()}


def _publish(gauge: Gauge, values: dict[tuple, float]) -> None:
    """Set every label set in ``values`` and drop the ones shown before but gone now."""
    for labels, value in values.items():
        gauge.labels(*labels).set(value)
    for labels in _shown[gauge] - set(values):
        try:
            gauge.remove(*labels)
        except KeyError:
            pass
    _shown[gauge] = set(values)


def publish(ratios: dict[tuple[str, str], float], open_items: dict[str, int], overdue_items: dict[str, int]) -> None:
    _publish(ON_TIME_RATIO, ratios)
    # an agency with open items but none overdue shows 0 overdue, so the alert sees it fall back
    _publish(ITEMS_OPEN, {(a,): n for a, n in open_items.items()})
    _publish(ITEMS_OVERDUE, {(a,): overdue_items.get(a, 0) for a in set(open_items) | set(overdue_items)})
