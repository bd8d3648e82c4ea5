"""The suite's Prometheus metrics: one prefix, ``service`` as a label, base units.

Labels are bounded: service, entrypoint kind and name (``entrypoint``: a method or route template),
outcome, event type, agency code, kind.
Never a person's, certificate's or case's identifier.
"""

from __future__ import annotations

import logging
import time

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

log = logging.getLogger(__name__)

# No "<name>_created" series beside every counter and histogram: no rule or panel reads them, and with the series
# created at 0 for every agency x kind (below) they would double what each scrape stores.
disable_created_metrics()

PREFIX = "enforcement"

CALLS = Counter(
    f"{PREFIX}_calls_total",
    "Entrypoint calls (rpc, event, timer, http) by outcome",
    ["service", "kind", "entrypoint", "outcome"],
)
CALL_DURATION = Histogram(
    f"{PREFIX}_call_duration_seconds",
    "Entrypoint duration",
    ["service", "kind", "entrypoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_PUBLISHED = Counter(
    f"{PREFIX}_events_published_total", "Events confirmed by the broker", ["service", "event_type"]
)
EVENTS_UNROUTABLE = Counter(
    f"{PREFIX}_events_unroutable_total", "Publishes returned because no queue was bound", ["service", "event_type"]
)
EVENTS_HANDLED = Counter(
    f"{PREFIX}_events_handled_total",
    "Events consumed, by outcome (ok, duplicate, error)",
    ["service", "event_type", "outcome"],
)
RPC_ABANDONED = Counter(
    f"{PREFIX}_rpc_abandoned_total",
    "RPC requests given up on after RPC_MAX_DELIVERIES deliveries that did not complete (parked in rpc-<service>.dlq)",
    ["service", "method"],
)
OUTBOX_BACKLOG = Gauge(
    f"{PREFIX}_outbox_backlog",
    "Outbox rows not yet confirmed: pending, or unroutable (no queue bound yet)",
    ["service", "status"],
)
OUTBOX_OLDEST_AGE = Gauge(
    f"{PREFIX}_outbox_oldest_pending_age_seconds", "Age of the oldest pending outbox row", ["service"]
)

# Promptness: every obligation with a deadline that ends is one observation.
PROMPTNESS_WORKDAYS = Histogram(
    f"{PREFIX}_promptness_workdays",
    "Working days taken to meet an obligation",
    ["service", "agency", "kind"],
    buckets=(0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 60, 90),
)
PROMPTNESS_MEASUREMENTS = Counter(
    f"{PREFIX}_promptness_measurements_total",
    "Obligations ended, by on-time or late",
    ["service", "agency", "kind", "on_time"],
)
# Only obligations whose start and end instants are known (a 24-hour hand-over); the others are dated by days.
PROMPTNESS_SECONDS = Histogram(
    f"{PREFIX}_promptness_seconds",
    "Time taken to meet an obligation timed to the second",
    ["service", "agency", "kind"],
    buckets=(3600, 4 * 3600, 8 * 3600, 86400, 2 * 86400, 3 * 86400, 7 * 86400, 14 * 86400, 30 * 86400, 90 * 86400),
)


def observe_promptness(
    service: str,
    agency: str,
    kind: str,
    workdays: int,
    on_time: bool,
    seconds: int | None = None,
    counted: bool = False,
) -> None:
    """An obligation ended: its time taken, and one count by on-time or late unless ``counted`` (it was counted
    late already when its deadline was found missed: see ``observe_missed``)."""
    PROMPTNESS_WORKDAYS.labels(service, agency, kind).observe(workdays)
    if not counted:
        PROMPTNESS_MEASUREMENTS.labels(service, agency, kind, "true" if on_time else "false").inc()
    if seconds is not None:
        PROMPTNESS_SECONDS.labels(service, agency, kind).observe(seconds)


# Obligations found still open after their deadline (each once; the supervision service counts the county's).
DEADLINES_MISSED = Counter(
    f"{PREFIX}_deadline_missed_total",
    "Obligations found still open after their deadline (each counted once, late, at once)",
    ["service", "agency", "kind"],
)


def observe_missed(service: str, agency: str, kind: str) -> None:
    """An obligation still open after its deadline counts late at once (``on_time="false"``), once: the measurement
    that follows when it ends observes its time taken with ``counted=True``, not a second count."""
    PROMPTNESS_MEASUREMENTS.labels(service, agency, kind, "false").inc()
    DEADLINES_MISSED.labels(service, agency, kind).inc()


# Messages waiting in a service's own dead-letter queues (handlers gave up, or the event was invalid).
DEAD_LETTER_MESSAGES = Gauge(
    f"{PREFIX}_dead_letter_messages", "Messages waiting in the service's dead-letter queues", ["service", "queue"]
)


# --- series created at 0 --------------------------------------------------------------------------------------------
# prometheus_client creates a labelled series on its first inc(), and increase() does not count a series' first
# sample: the first late obligation of an agency, or a handler's first error, would be invisible to panels and
# alerts. Label sets known in advance are created at 0 when a service starts (and when an agency appears).

HANDLER_OUTCOMES = ("ok", "duplicate", "error", "invalid")
CALL_OUTCOMES = ("ok", "client_error", "unavailable", "error")


def promptness_kinds(service: str) -> list[str]:
    """The obligation kinds ``service`` counts: its own, or every kind for the supervision service (it lands the
    county's measurements and misses)."""
    from enforcement_contracts.obligations import OBLIGATIONS

    return sorted(k for k, o in OBLIGATIONS.items() if service == "supervision" or o.service == service)


def zero_promptness(service: str, agencies, kinds=None) -> None:
    """Create the promptness series of every agency x kind at 0: the counters (x on time or late), the missed
    deadlines, the working-days histogram, and the seconds histogram for obligations timed in hours; idempotent."""
    from enforcement_contracts.obligations import OBLIGATIONS

    for agency in agencies:
        for kind in promptness_kinds(service) if kinds is None else kinds:
            for on_time in ("true", "false"):
                PROMPTNESS_MEASUREMENTS.labels(service, agency, kind, on_time)
            DEADLINES_MISSED.labels(service, agency, kind)
            PROMPTNESS_WORKDAYS.labels(service, agency, kind)
            if kind in OBLIGATIONS and OBLIGATIONS[kind].unit == "hours":
                PROMPTNESS_SECONDS.labels(service, agency, kind)


def zero_handler(service: str, event_type: str) -> None:
    for outcome in HANDLER_OUTCOMES:
        EVENTS_HANDLED.labels(service, event_type, outcome)


def zero_calls(service: str, kind: str, entrypoint: str) -> None:
    for outcome in CALL_OUTCOMES:
        CALLS.labels(service, kind, entrypoint, outcome)


_agencies_read_at: dict[str, float] = {}
_agencies_failed_at: dict[str, float] = {}
RETRY_AGENCIES_SECONDS = 10  # after a failure (personnel not up yet): soon, but not on every refresh


def zero_promptness_from(service: str, agency_codes, every_seconds: float = 300) -> bool:
    """``zero_promptness`` for the agencies ``agency_codes()`` returns (e.g. over RPC from personnel), at most once
    per ``every_seconds``: for a service that keeps no agency list of its own. A failure (personnel not up yet) is
    logged and tried again at the next call; returns whether the series were created."""
    now = time.monotonic()
    if now - _agencies_read_at.get(service, float("-inf")) < every_seconds:
        return False
    if now - _agencies_failed_at.get(service, float("-inf")) < min(every_seconds, RETRY_AGENCIES_SECONDS):
        return False
    try:
        codes = list(agency_codes())
    except Exception as exc:
        _agencies_failed_at[service] = now
        log.warning("cannot list the agencies for the promptness series yet: %s", type(exc).__name__)
        return False
    zero_promptness(service, codes)
    _agencies_read_at[service] = time.monotonic()
    return True
