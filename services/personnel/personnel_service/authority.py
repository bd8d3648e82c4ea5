"""Pure rules of ``may_enforce``: who may enforce in a domain on a date.

Two kinds of authority (DOMAIN.md): an enforcement certificate (执法证), whose status on a date is read from its
status history, and a police officer's police card (人民警察证, People's Police Law), which lets a police officer in
post enforce in the police bureau's domains with no certificate. No database and no nameko here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from . import rules

# --------------------------------------------------------------------------------------------------------------
# A certificate's status on a date, from its history
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusChange:
    """One entry of a certificate's status history: from ``changed_on`` (included) the status is ``new_status``."""

    changed_on: date
    new_status: str


def status_on(history: Sequence[StatusChange], on_date: date) -> str | None:
    """The certificate's status on ``on_date``, or None when it was not issued yet.

    ``history`` is in the order it was recorded. A change takes effect on its own date and stays until the next
    one: a suspension recorded today does not reach back before today, the days of a suspension later lifted
    still read suspended, and a cancellation or revocation holds from its date on. Several changes on one day:
    the last recorded wins for that day.
    """
    status = None
    for change in sorted(enumerate(history), key=lambda pair: (pair[1].changed_on, pair[0])):
        if change[1].changed_on > on_date:
            break
        status = change[1].new_status
    return status


def in_post_on(departed_on: date | None, on_date: date) -> bool:
    """An officer is in post up to the day before their departure date (the departure day itself is not)."""
    return departed_on is None or on_date < departed_on


# --------------------------------------------------------------------------------------------------------------
# Police cards (人民警察证)
# --------------------------------------------------------------------------------------------------------------

# The card's number (警号): 6 to 10 digits, in some provinces after one or two capital letters. Not secret: it is
# printed on the card every police officer shows.
_POLICE_CARD = re.compile(r"[A-Z]{0,2}[0-9]{6,10}")
POLICE_CARD_FORMAT = "a police card number is 6 to 10 digits, optionally after one or two capital letters"


def validate_police_card_number(value: str) -> str:
    """The police card number normalised (trimmed, capital letters), or ValueError saying what is wrong."""
    if not isinstance(value, str):
        raise ValueError(POLICE_CARD_FORMAT)
    number = value.strip().upper()
    if not number.isascii() or not _POLICE_CARD.fullmatch(number):
        raise ValueError(POLICE_CARD_FORMAT)
    return number


def police_may_enforce(
    police_card_number: str | None,
    appointed_on: date | None,
    departed_on: date | None,
    bureau_domains: Iterable[str],
    domain: str,
    on_date: date,
) -> tuple[bool, str]:
    """May a police officer enforce in ``domain`` on ``on_date`` with their police card? Returns (allowed, reason).

    A police officer in post (from the appointment day, None: not recorded, to the day before the departure)
    enforces in the domains of their police bureau (the agency's domains), with no enforcement certificate; they
    are never refused for lacking one.
    """
    if appointed_on is not None and on_date < appointed_on:
        return False, f"the police officer took up the post on {appointed_on.isoformat()}, after that date"
    if not in_post_on(departed_on, on_date):
        return False, f"the police officer left the post on {departed_on.isoformat()}"
    if not police_card_number:
        return False, "the police officer has no police card number on record"
    wanted = domain.strip()
    if wanted not in {d.strip() for d in bureau_domains}:
        return False, f"the enforcement domain {wanted!r} is not one of the police bureau's domains"
    return True, f"police card {police_card_number} (人民警察证): in post, {wanted!r} is a domain of the police bureau"


def certificate_may_enforce(
    history: Sequence[StatusChange],
    domains: Iterable[str],
    expiry: date | None,
    departed_on: date | None,
    domain: str,
    on_date: date,
) -> tuple[bool, str]:
    """May a certificate holder enforce in ``domain`` on ``on_date``? The status is the one its history had then,
    and an officer who had left the post may not act, whatever their certificate still says."""
    if not in_post_on(departed_on, on_date):
        return False, f"the officer left the post on {departed_on.isoformat()}"
    status = status_on(history, on_date)
    if status is None:
        return False, "no certificate issued on or before that date"
    return rules.may_enforce(status, domains, expiry, domain, on_date)
