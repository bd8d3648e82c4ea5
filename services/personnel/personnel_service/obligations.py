"""Pure rules of the personnel service's obligations with a deadline, and of what the public check says.

Two obligations, both counted in working days (enforcement_kernel.workdays, the Chinese calendar):

- ``certificate_cancelled``: the agency takes back and cancels a departed officer's certificate within
  ``cancellation_deadline_workdays`` (5) of the departure;
- ``certificate_application_decided``: the issuing authority approves or refuses an agency's application within
  ``application_decision_workdays`` (20) of its filing.

No database and no nameko here; the deadline watch and the measurements call these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from enforcement_kernel.workdays import WorkCalendar, default_calendar

from . import rules

KIND_CERTIFICATE_CANCELLED = "certificate_cancelled"
KIND_APPLICATION_DECIDED = "certificate_application_decided"
#: the obligations personnel measures and watches, named as their promptness measurements
WATCHED_KINDS = (KIND_CERTIFICATE_CANCELLED, KIND_APPLICATION_DECIDED)

UNIT_WORKDAYS = "workdays"


def workday_promptness(
    started_on: date, ended_on: date, deadline_workdays: int, calendar: WorkCalendar | None = None
) -> rules.Promptness:
    """Working days from ``started_on`` (not counted) to ``ended_on`` against the deadline: on time up to and
    including the deadline's last working day (and a weekend or holiday right after it)."""
    return rules.cancellation_promptness(started_on, ended_on, deadline_workdays, calendar)


def workdays_missed(started_on: date, today: date, workdays: int, calendar: WorkCalendar | None = None) -> date | None:
    """The last day in time of an obligation of ``workdays`` working days from ``started_on`` that is still unmet on
    ``today``, if meeting it today would already be late (counted as ``workday_promptness`` counts); else None."""
    if workdays < 0:
        raise ValueError("workdays cannot be negative")
    cal = calendar or default_calendar()
    if cal.workdays_between(started_on, today) <= workdays:
        return None
    return cal.add_workdays(started_on, workdays)


# --- the public check -----------------------------------------------------------------------------------------
REASON_HOLDER_DEPARTED = "holder_departed"
REASON_EXPIRED = "expired"
REASON_NOT_VALID = "not_valid"


@dataclass(frozen=True)
class PublicValidity:
    """What the public check answers: ``status`` as recorded (or ``expired``), and whether the card may be relied
    on; when it may not, a stable ``reason_code`` and an English ``reason``."""

    valid: bool
    status: str
    reason_code: str | None
    reason: str | None


def public_validity(status: str, expires_on: date, today: date, holder_departed_on: date | None) -> PublicValidity:
    """A card whose holder has left the enforcement post is never valid, even before it is taken back and cancelled;
    an expired one reads ``expired``; a suspended, cancelled or revoked one reads its status."""
    shown = "expired" if rules.is_expired(today, expires_on) else status
    if holder_departed_on is not None and holder_departed_on <= today:
        return PublicValidity(
            False,
            shown,
            REASON_HOLDER_DEPARTED,
            f"holder left the enforcement post on {holder_departed_on.isoformat()}",
        )
    if shown == "expired":
        return PublicValidity(False, shown, REASON_EXPIRED, f"expired after {expires_on.isoformat()}")
    if shown != rules.VALID:
        return PublicValidity(False, shown, REASON_NOT_VALID, f"the certificate is {shown}")
    return PublicValidity(True, shown, None, None)
