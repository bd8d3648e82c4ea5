"""The training service's own Prometheus metrics (the kernel's prefix; agencies are labels, officers never).

- ``enforcement_training_recorded_seconds_total{service,agency,category}``: training time of new attendance records
  (single and imported) in seconds (Prometheus' base unit: hours x 3600; ``/ 3600`` in a query gives hours), counted
  once committed (``Tx.on_commit``). A counter never goes down, so corrections do not
  change it; the compliance table is the truth for a year's hours.
- ``enforcement_training_compliance_ratio{service,agency,year}`` and
  ``enforcement_training_officers_short{service,agency,year}``: set from the roll-ups whenever they
  are computed (a timer every 5 minutes for this year and last, the summary route, closing a year).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from enforcement_kernel.metrics import PREFIX

HOURS = Counter(
    f"{PREFIX}_training_recorded_seconds_total",
    "Training time recorded (seconds: hours x 3600), by agency and category",
    ["service", "agency", "category"],
)
COMPLIANCE_RATIO = Gauge(
    f"{PREFIX}_training_compliance_ratio",
    "Share of an agency's officers meeting the year's requirements",
    ["service", "agency", "year"],
)
OFFICERS_SHORT = Gauge(
    f"{PREFIX}_training_officers_short",
    "Officers of an agency short of the year's requirements",
    ["service", "agency", "year"],
)


SECONDS_PER_HOUR = 3600


def count_hours(service: str, agency: str, category: str, hours: float) -> None:
    HOURS.labels(service, agency, category).inc(hours * SECONDS_PER_HOUR)


_published: dict[tuple[str, int], set[str]] = {}


def set_rollups(service: str, year: int, rollups: dict) -> None:
    """Gauges for one year from the per-agency roll-ups; agencies no longer present are dropped."""
    for agency, r in rollups.items():
        COMPLIANCE_RATIO.labels(service, agency, str(year)).set(r.compliance_ratio)
        OFFICERS_SHORT.labels(service, agency, str(year)).set(r.short)
    gone = _published.get((service, year), set()) - set(rollups)
    for agency in gone:
        for gauge in (COMPLIANCE_RATIO, OFFICERS_SHORT):
            try:
                gauge.remove(service, agency, str(year))
            except KeyError:
                pass
    _published[(service, year)] = set(rollups)
