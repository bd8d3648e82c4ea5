"""The one input policy every payload schema applies (docs/api-conventions.md, "Input policy").

A careless client or an attacker sent text, dates and numbers that the services' databases, spreadsheets and
date arithmetic could not take, and got 500s and 502s (issue 13). ``StrictSchema`` binds these rules to each of its
fields, so every RPC payload, request body and query in the contracts refuses them, naming the field:

- **text** (``fields.String`` and its kinds, in lists too): leading and trailing whitespace is trimmed (a pasted
  name's stray space is not worth a refusal; passwords, marked ``metadata={"verbatim": True}``, are taken as
  typed). What remains may hold no character of Unicode's C* categories (control, format/invisible, unpaired
  surrogate, private use, unassigned) except the tab and line breaks of a multi-line text, and no bidirectional
  override (U+202A-U+202E, U+2066-U+2069, which make a text read differently from what it holds).
- **dates** (``fields.Date``, the day of a ``fields.DateTime``; a ``year``): within ``DATE_RANGE``, by default
  1949-10-01 to 2100-12-31; a service or the gateway may set its own with ``set_date_range`` (its
  ``INPUT.earliest_date`` / ``INPUT.latest_date``).
- **integers**: within a signed 64-bit integer, the databases' ``BIGINT``; an id (``id``, ``*_id``) from 1.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from marshmallow import ValidationError, fields, validate

#: the largest id (and integer) the databases store: a signed 64-bit integer
MAX_ID = 2**63 - 1
MIN_INTEGER = -(2**63)

#: the tab and line breaks of a multi-line text (a complaint, a finding) are its only control characters
ALLOWED_CONTROLS = frozenset("\t\n\r")
BIDI_OVERRIDES = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))

CONTROL_MESSAGE = "must not contain control or invisible characters"
BIDI_MESSAGE = "must not contain bidirectional override characters"


class _DateRange:
    def __init__(self, earliest: date, latest: date):
        self.earliest, self.latest = earliest, latest


#: the dates any input may name; module-wide because the contracts have no configuration of their own
DATE_RANGE = _DateRange(date(1949, 10, 1), date(2100, 12, 31))


def set_date_range(earliest: date | str | None = None, latest: date | str | None = None) -> None:
    """A deployment's own range (a service's or the gateway's settings), for every schema loaded from now on."""
    if earliest:
        DATE_RANGE.earliest = earliest if isinstance(earliest, date) else date.fromisoformat(str(earliest))
    if latest:
        DATE_RANGE.latest = latest if isinstance(latest, date) else date.fromisoformat(str(latest))
    if DATE_RANGE.latest < DATE_RANGE.earliest:
        raise ValueError(f"the latest date {DATE_RANGE.latest} is before the earliest {DATE_RANGE.earliest}")


def text_problem(value: str) -> str | None:
    """Why ``value`` is not acceptable text, or None."""
    for char in value:
        if char in BIDI_OVERRIDES:
            return BIDI_MESSAGE
        if char not in ALLOWED_CONTROLS and unicodedata.category(char)[0] == "C":
            return CONTROL_MESSAGE
    return None


def check_text(value) -> None:
    """The validator bound to every text field."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise ValidationError(problem)


def date_message() -> str:
    return f"must be between {DATE_RANGE.earliest.isoformat()} and {DATE_RANGE.latest.isoformat()}"


def check_date(value) -> None:
    """The validator bound to every date field: read at load time, so ``set_date_range`` applies at once."""
    if isinstance(value, date) and not DATE_RANGE.earliest <= value <= DATE_RANGE.latest:
        raise ValidationError(date_message())


def check_instant(value) -> None:
    """The validator bound to every date-time field: its day within the same range."""
    if isinstance(value, datetime) and not DATE_RANGE.earliest <= value.date() <= DATE_RANGE.latest:
        raise ValidationError(date_message())


def check_year(value) -> None:
    if isinstance(value, int) and not DATE_RANGE.earliest.year <= value <= DATE_RANGE.latest.year:
        raise ValidationError(f"must be between {DATE_RANGE.earliest.year} and {DATE_RANGE.latest.year}")


def is_id(name: str) -> bool:
    return name == "id" or name.endswith("_id")


ID_RANGE = validate.Range(min=1, max=MAX_ID)
INTEGER_RANGE = validate.Range(min=MIN_INTEGER, max=MAX_ID)


def _bounded(check: validate.Range):
    """``check`` as a plain function: the schema documents (OpenAPI, AsyncAPI, the event lock) show a field's own
    ranges, not this bound every integer shares."""

    def bound(value):
        return check(value)

    return bound


check_id = _bounded(ID_RANGE)
check_integer = _bounded(INTEGER_RANGE)


def id_problem(value) -> str | None:
    """Why a path or query id is out of its type's range (``ID_RANGE``'s message), or None."""
    try:
        ID_RANGE(value)
    except ValidationError as exc:
        return exc.messages[0]
    return None


def _trimming(field: fields.String) -> None:
    original = field._deserialize

    def deserialize(value, attr, data, **kwargs):
        loaded = original(value, attr, data, **kwargs)
        return loaded.strip() if isinstance(loaded, str) else loaded

    field._deserialize = deserialize


def apply(name: str, field: fields.Field) -> None:
    """Bind the policy to one field of a schema instance. marshmallow's copy of a field per instance is shallow
    (its validators list and a list's inner field are shared): validators are added to a new list, and a field
    already under the policy is left alone."""
    if getattr(field, "_input_policy", False):
        return
    field._input_policy = True
    if isinstance(field, fields.List | fields.Tuple):
        for inner in getattr(field, "tuple_fields", None) or [field.inner]:
            apply(name, inner)
        return
    if isinstance(field, fields.String):
        field.validators = [*field.validators, check_text]
        if not field.metadata.get("verbatim"):
            _trimming(field)
    elif isinstance(field, fields.Date):
        field.validators = [*field.validators, check_date]
    elif isinstance(field, fields.DateTime):
        field.validators = [*field.validators, check_instant]
    elif isinstance(field, fields.Integer):
        year = [check_year] if name == "year" or name.endswith("_year") else []
        field.validators = [*field.validators, check_id if is_id(name) else check_integer, *year]
