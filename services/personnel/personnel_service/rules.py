"""Pure domain rules of the personnel service: officers, certificates, departures, assessments.

No database and no nameko here, so every rule can be unit-tested and reused by other services. Numbers that vary by
province or county (hours, validity, windows, deadlines) are parameters with the plan's defaults; the service passes
in its configured values.
"""

from __future__ import annotations

import calendar as _gregorian
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from enforcement_contracts.personnel import ASSESSMENT_GRADES, CERTIFICATE_STATUSES, DEPARTURE_REASONS
from enforcement_kernel.workdays import WorkCalendar, default_calendar

# --------------------------------------------------------------------------------------------------------------
# Resident identity card number (GB 11643-1999)
# --------------------------------------------------------------------------------------------------------------

_ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")
# ISO 7064 MOD 11-2: weight of position i is 2**(17 - i) mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_EARLIEST_BIRTH = date(1900, 1, 1)


def id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of an ID number (exposed so tests and tools can build one)."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("the first part of an ID number must be exactly 17 digits")
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=False))
    return _ID_CHECK_CHARS[total % 11]


def validate_id_number(s: str, today: date | None = None) -> str:
    """Return the normalised (upper-case X) 18-character ID number, or raise ValueError saying what is wrong.

    ``today`` is the reference for "birth date not in the future"; it defaults to the current date.
    """
    if not isinstance(s, str):
        raise ValueError("ID number must be a string")
    value = s.strip().upper()
    if len(value) != 18:
        raise ValueError(f"ID number must have 18 characters, got {len(value)}")
    if not _ID_PATTERN.fullmatch(value):
        raise ValueError("ID number must be 17 digits followed by a digit or X")
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValueError(f"ID number has an impossible birth date {value[6:14]}") from None
    if birth < _ID_EARLIEST_BIRTH:
        raise ValueError(f"ID number birth date {birth.isoformat()} is before 1900")
    if birth > (today or date.today()):
        raise ValueError(f"ID number birth date {birth.isoformat()} is in the future")
    # the message never names the right check character: a refusal must not help anyone make up a valid number
    if value[17] != id_check_char(value[:17]):
        raise ValueError("ID number check character does not match the first 17 digits")
    return value


def mask_id_number(s: str) -> str:
    """Show only the first 6 (region) and last 4 characters, for lists and logs (personal information)."""
    value = s.strip().upper()
    if len(value) <= 10:
        # Too short to keep anything visible without revealing most of it.
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


# --------------------------------------------------------------------------------------------------------------
# Certificate status
# --------------------------------------------------------------------------------------------------------------

# The statuses are the contract's (one definition); named here for the rules below.
VALID, SUSPENDED, CANCELLED, REVOKED = CERTIFICATE_STATUSES
CERTIFICATE_STATUS_LABELS: dict[str, str] = {
    VALID: "有效",
    SUSPENDED: "暂扣",
    CANCELLED: "注销",
    REVOKED: "吊销",
}

# Cancelled and revoked are final: a new certificate is a new record, never a revived one.
_TRANSITIONS: dict[str, frozenset[str]] = {
    VALID: frozenset({SUSPENDED, CANCELLED, REVOKED}),
    SUSPENDED: frozenset({VALID, CANCELLED, REVOKED}),
    CANCELLED: frozenset(),
    REVOKED: frozenset(),
}


def allowed_transitions(current: str) -> frozenset[str]:
    """Statuses a certificate in ``current`` may move to."""
    if current not in _TRANSITIONS:
        raise ValueError(f"unknown certificate status {current!r}")
    return _TRANSITIONS[current]


def check_transition(current: str, target: str) -> None:
    """Raise ValueError unless a certificate may move from ``current`` to ``target``."""
    if target not in _TRANSITIONS:
        raise ValueError(f"unknown certificate status {target!r}")
    if target not in allowed_transitions(current):
        if not _TRANSITIONS[current]:
            raise ValueError(f"certificate is {current} ({CERTIFICATE_STATUS_LABELS[current]}), which is final")
        raise ValueError(f"certificate cannot move from {current} to {target}")


# --------------------------------------------------------------------------------------------------------------
# Eligibility for a certificate
# --------------------------------------------------------------------------------------------------------------


class OfficerLike(Protocol):
    """What eligibility needs to know about an officer (an ORM row or a DTO will do)."""

    is_police: bool
    active: bool


@dataclass(frozen=True)
class TrainingFacts:
    """One officer's training record for a calendar year, as reported by the training service."""

    officer_key: str
    year: int
    public_law_hours: float
    professional_hours: float
    required_courses_done: bool
    exam_passed: bool
    exam_date: date | None = None


@dataclass(frozen=True)
class EligibilityThresholds:
    """Yearly minimum hours (settings; the plan's defaults are 30 and 30)."""

    public_law_hours: float = 30
    professional_hours: float = 30

    def __post_init__(self) -> None:
        if self.public_law_hours < 0 or self.professional_hours < 0:
            raise ValueError("training hour thresholds cannot be negative")


# Machine-readable reason codes, so callers can translate or count reasons without parsing text.
REASON_POLICE = "police_officer"
REASON_INACTIVE = "officer_not_active"
REASON_WRONG_YEAR = "training_year_mismatch"
REASON_PUBLIC_LAW_HOURS = "public_law_hours_short"
REASON_PROFESSIONAL_HOURS = "professional_hours_short"
REASON_REQUIRED_COURSE = "required_course_not_done"
REASON_EXAM = "exam_not_passed"


@dataclass(frozen=True)
class Eligibility:
    """Outcome of an eligibility check: every failing reason, not just the first, so it can all be fixed at once."""

    eligible: bool
    reasons: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


def certificate_eligibility(
    officer: OfficerLike,
    facts: TrainingFacts,
    year: int,
    thresholds: EligibilityThresholds | None = None,
) -> Eligibility:
    """May ``officer`` be issued (or renew) an enforcement certificate on the strength of ``year``'s training?"""
    limits = thresholds or EligibilityThresholds()
    failures: list[tuple[str, str]] = []

    if officer.is_police:
        failures.append(
            (REASON_POLICE, "police officers carry a police card, not an enforcement certificate (People's Police Law)")
        )
    if not officer.active:
        failures.append((REASON_INACTIVE, "officer is not active (has left the enforcement post)"))
    if facts.year != year:
        failures.append((REASON_WRONG_YEAR, f"training record is for {facts.year}, not {year}"))
    if facts.public_law_hours < limits.public_law_hours:
        failures.append(
            (
                REASON_PUBLIC_LAW_HOURS,
                f"public legal knowledge training {facts.public_law_hours:g} h "
                f"is below the required {limits.public_law_hours:g} h",
            )
        )
    if facts.professional_hours < limits.professional_hours:
        failures.append(
            (
                REASON_PROFESSIONAL_HOURS,
                f"professional knowledge and skills training {facts.professional_hours:g} h "
                f"is below the required {limits.professional_hours:g} h",
            )
        )
    if not facts.required_courses_done:
        failures.append((REASON_REQUIRED_COURSE, "a required course (e.g. 国办发〔2023〕27号) has not been completed"))
    if not facts.exam_passed:
        failures.append((REASON_EXAM, "the qualification exam (行政执法资格考试) has not been passed"))

    return Eligibility(
        eligible=not failures,
        reasons=[text for _, text in failures],
        codes=[code for code, _ in failures],
    )


# --------------------------------------------------------------------------------------------------------------
# Validity, expiry and renewal
# --------------------------------------------------------------------------------------------------------------


def _add_months(d: date, months: int) -> date:
    """Same day ``months`` later (or earlier); if that month is shorter, its last day (民法典 art. 202)."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = _gregorian.monthrange(year, month)[1]
    return date(year, month, min(d.day, last))


def certificate_expiry(issue_date: date, validity_years: int = 5) -> date:
    """Last valid day: the corresponding day ``validity_years`` later; Feb 29 maps to Feb 28 (民法典 art. 201-202)."""
    if validity_years <= 0:
        raise ValueError("validity_years must be positive")
    return _add_months(issue_date, 12 * validity_years)


def renewal_window_opens(expiry: date, months_before: int = 6) -> date:
    """First day the renewal exam may be taken: ``months_before`` months before expiry."""
    if months_before < 0:
        raise ValueError("months_before cannot be negative")
    return _add_months(expiry, -months_before)


def in_renewal_window(today: date, expiry: date, months_before: int = 6) -> bool:
    """True from the window's opening day through the expiry day itself (the last valid day)."""
    return renewal_window_opens(expiry, months_before) <= today <= expiry


# A certificate's check code (查验码): printed on the card and in its QR link; the public check names the holder only
# to who gives it, so sequential numbers cannot be walked for names. No 0/O, 1/I/L: read off a card without doubt.
CHECK_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECK_CODE_LENGTH = 8  # 31^8, about 8.5e11 codes: guessing one under the check's rate limit is hopeless


def new_check_code() -> str:
    return "".join(secrets.choice(CHECK_CODE_ALPHABET) for _ in range(CHECK_CODE_LENGTH))


def normalise_check_code(text: str | None) -> str:
    """What a person typed: case, spaces and dashes do not matter."""
    return re.sub(r"[\s-]+", "", text or "").upper()


def check_code_matches(given: str | None, stored: str | None) -> bool:
    """Compared in constant time (the answer's timing tells nothing about a near miss)."""
    if not given or not stored:
        return False
    return hmac.compare_digest(normalise_check_code(given).encode(), stored.encode())


def is_expired(today: date, expiry: date) -> bool:
    """A certificate is still valid on its expiry day and expired from the next day."""
    return today > expiry


def may_enforce(
    certificate_status: str | None,
    domains: Iterable[str],
    expiry: date | None,
    domain: str,
    on_date: date,
) -> tuple[bool, str]:
    """May the holder enforce in ``domain`` on ``on_date``? Returns (allowed, reason).

    Asked by the cases service before assigning an officer to a case or inspection. ``certificate_status`` None
    means the officer holds no certificate. The status is the certificate's current one.
    """
    if certificate_status is None:
        return False, "officer holds no enforcement certificate"
    if certificate_status not in CERTIFICATE_STATUS_LABELS:
        return False, f"unknown certificate status {certificate_status!r}"
    if certificate_status != VALID:
        label = CERTIFICATE_STATUS_LABELS[certificate_status]
        return False, f"certificate is {certificate_status} ({label})"
    if expiry is None:
        return False, "certificate has no expiry date on record"
    if is_expired(on_date, expiry):
        return False, f"certificate expired on {expiry.isoformat()}"
    wanted = domain.strip()
    if wanted not in {d.strip() for d in domains}:
        return False, f"certificate does not cover the enforcement domain {wanted!r}"
    return True, f"certificate valid for {wanted!r} until {expiry.isoformat()}"


# --------------------------------------------------------------------------------------------------------------
# Departure and prompt cancellation
# --------------------------------------------------------------------------------------------------------------

DEPARTURE_TRANSFER, DEPARTURE_RESIGNATION, DEPARTURE_DISMISSAL, DEPARTURE_RETIREMENT, DEPARTURE_OTHER = (
    DEPARTURE_REASONS
)
DEPARTURE_REASON_LABELS: dict[str, str] = {
    DEPARTURE_TRANSFER: "调动",
    DEPARTURE_RESIGNATION: "辞职",
    DEPARTURE_DISMISSAL: "辞退",
    DEPARTURE_RETIREMENT: "退休",
    DEPARTURE_OTHER: "其他",
}


@dataclass(frozen=True)
class Promptness:
    """How promptly a certificate was cancelled after its holder left (an agency's promptness figure)."""

    workdays_taken: int
    deadline_workdays: int
    on_time: bool
    due_on: date


def cancellation_promptness(
    departure_date: date | datetime,
    cancelled_on: date | datetime,
    deadline_workdays: int = 5,
    calendar: WorkCalendar | None = None,
) -> Promptness:
    """Working days from departure to cancellation (departure day not counted) against the deadline (a setting)."""
    if deadline_workdays < 0:
        raise ValueError("deadline_workdays cannot be negative")
    cal = calendar or default_calendar()
    taken = cal.workdays_between(departure_date, cancelled_on)
    return Promptness(
        workdays_taken=taken,
        deadline_workdays=deadline_workdays,
        on_time=taken <= deadline_workdays,
        due_on=cal.add_workdays(departure_date, deadline_workdays),
    )


# --------------------------------------------------------------------------------------------------------------
# Yearly assessment
# --------------------------------------------------------------------------------------------------------------

GRADE_EXCELLENT, GRADE_COMPETENT, GRADE_BASICALLY_COMPETENT, GRADE_INCOMPETENT = ASSESSMENT_GRADES
ASSESSMENT_GRADE_LABELS: dict[str, str] = {
    GRADE_EXCELLENT: "优秀",
    GRADE_COMPETENT: "合格",
    GRADE_BASICALLY_COMPETENT: "基本合格",
    GRADE_INCOMPETENT: "不合格",
}


def assessment_suspends(grade: str, suspend_on_fail: bool = True) -> bool:
    """Whether a yearly assessment grade suspends the certificate (不合格 does, unless the setting turns it off)."""
    if grade not in ASSESSMENT_GRADE_LABELS:
        raise ValueError(f"unknown assessment grade {grade!r}")
    return suspend_on_fail and grade == GRADE_INCOMPETENT


# --------------------------------------------------------------------------------------------------------------
# Legal review of major decisions
# --------------------------------------------------------------------------------------------------------------


def may_review_major_decision(has_legal_qualification: bool, first_time: bool) -> bool:
    """行政处罚法 art. 58: a first-time reviewer of major decisions must hold the legal professional qualification.

    Reviewers who already did this work before may continue without it.
    """
    return has_legal_qualification or not first_time
