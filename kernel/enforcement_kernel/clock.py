"""The county's clock: deadlines are counted in the county's days, whatever time zone the host runs in.

Containers run in UTC; without this, between midnight and 08:00 Beijing time every service would date what it records
(an item issued, a deadline missed) a day early. The runner configures it once at start from ``CLOCK``:

- ``timezone`` (``CLOCK_TIMEZONE``, default ``Asia/Shanghai``): an IANA zone name.
- ``today`` (``CLOCK_TODAY``, default unset): pins the date (``2025-03-31``) for a training or test environment
  that must not see the day change under it; the time of day still runs. Never set it in production.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"

_zone = ZoneInfo(DEFAULT_TIMEZONE)
_pinned: date | None = None


def configure(timezone: str | None = DEFAULT_TIMEZONE, today: str | date | None = None) -> None:
    """Set the county's zone and (tests, training) a pinned date; a bad value stops the service at start."""
    global _zone, _pinned
    try:
        zone = ZoneInfo(timezone or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"CLOCK.timezone: unknown time zone {timezone!r}") from exc
    try:
        pinned = date.fromisoformat(str(today)) if today not in (None, "") else None
    except ValueError as exc:
        raise ValueError(f"CLOCK.today: {today!r} is not a date (YYYY-MM-DD)") from exc
    _zone, _pinned = zone, pinned


def zone() -> ZoneInfo:
    return _zone


def today() -> date:
    """The county's date now (or the pinned one)."""
    return _pinned or datetime.now(_zone).date()


def now() -> datetime:
    """The county's wall-clock time now, naive (as local times are stored); on the pinned date if there is one."""
    current = datetime.now(_zone).replace(tzinfo=None)
    return datetime.combine(_pinned, current.time()) if _pinned else current


def to_local(value: datetime) -> datetime:
    """An aware time as the county's naive wall-clock time; a naive one is taken as already local."""
    return value.astimezone(_zone).replace(tzinfo=None) if value.tzinfo else value
