"""Schema building blocks shared by every contract module."""

from __future__ import annotations

from datetime import datetime, timezone

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from . import input_policy

#: the clocks an obligation's deadline counts in (行政处罚法 art. 85: "days" of 2/3/5/7 are working days)
DEADLINE_UNITS = ("workdays", "days", "hours")

AGENCY_CODE = validate.Regexp(r"^[0-9A-Za-z-]{2,40}$", error="must be 2-40 letters, digits or '-'")


class StrictSchema(Schema):
    """Unknown fields are an error, never silently dropped; every field follows the input policy
    (``input_policy``: printable trimmed text, dates in range, ids within their type)."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name, field_obj):
        input_policy.apply(field_name, field_obj)


class UtcDateTime(fields.DateTime):
    """An instant recorded in UTC, written with its offset (``+00:00``) as OpenAPI's ``date-time`` requires: the
    databases hand back the naive value they stored."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


class PageQuery(StrictSchema):
    """Every list is read a page at a time: ``page`` (from 1) of ``per_page`` items (at most 500)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class CursorPageQuery(PageQuery):
    """A list read a page at a time that also continues from a cursor: ``after``, the ``next`` of a previous answer,
    gives the items right after that answer's last item, however far into the list (``page`` stays 1 with it)."""

    after = fields.String(
        validate=validate.Length(min=1, max=1000),
        metadata={
            "description": "the next of a previous answer: continue right after its last item (with page 1 only)"
        },
    )

    @validates_schema
    def _after_on_first_page(self, data, **_):
        if data.get("after") is not None and data.get("page", 1) != 1:
            raise ValidationError("cannot be combined with a page other than 1", "after")


class DateRange(StrictSchema):
    """A period given as ``from`` and ``to`` (both dates included, either may be left open unless a subclass
    requires it); ``to`` before ``from`` is refused naming ``to``. Loaded as ``date_from`` / ``date_to``."""

    date_from = fields.Date(data_key="from", metadata={"description": "first day included (YYYY-MM-DD)"})
    date_to = fields.Date(data_key="to", metadata={"description": "last day included (YYYY-MM-DD)"})

    @validates_schema
    def _from_before_to(self, data, **_):
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ValidationError("must not be before from", "to")


_PAGES: dict[type, type] = {}

#: a list counts the items matching up to this many; beyond it ``total`` is this and ``total_exact`` false
COUNT_LIMIT = 10_000


def page_of(item: type[Schema]) -> type[Schema]:
    """The response schema of a list of ``item``: ``{items, total, total_exact, page, per_page, next}`` (one class
    per item schema, named ``<Item>Page`` so the OpenAPI document shows one component for it)."""
    if item not in _PAGES:
        _PAGES[item] = type(
            f"{item.__name__}Page",
            (Schema,),
            {
                "items": fields.List(fields.Nested(item), required=True),
                "total": fields.Integer(
                    required=True,
                    metadata={
                        "description": f"items matching, on every page; counted up to {COUNT_LIMIT}: when more match"
                        f" it is {COUNT_LIMIT} and total_exact is false"
                    },
                ),
                "total_exact": fields.Boolean(
                    required=True,
                    dump_default=True,
                    metadata={"description": f"false when more than {COUNT_LIMIT} items match (total is a floor)"},
                ),
                "page": fields.Integer(required=True),
                "per_page": fields.Integer(required=True),
                "next": fields.String(
                    required=True,
                    allow_none=True,
                    dump_default=None,
                    metadata={
                        "description": "a cursor: give it as after to read the items following this page's last"
                        " one; null when nothing follows or the list is read by page number only"
                    },
                ),
                "__doc__": f"One page of {item.__name__} items.",
            },
        )
    return _PAGES[item]


def page(item: type[Schema], rows, total: int, query: dict, total_exact: bool = True, next: str | None = None) -> dict:
    """A page of ``rows`` (objects or dicts) dumped by ``item``'s schema: what every list RPC returns. A list read
    by ``enforcement_kernel.paging.keyset_page`` passes its bounded count's ``total_exact`` and its ``next``."""
    return page_of(item)().dump(
        {
            "items": rows,
            "total": total,
            "total_exact": total_exact,
            "page": query.get("page", 1),
            "per_page": query.get("per_page", 50),
            "next": next,
        }
    )


class Actor(StrictSchema):
    """Who is asking, as the gateway authenticated them; services scope reads and writes by it."""

    username = fields.String(required=True)
    role = fields.String(
        required=True, validate=validate.OneOf(["bureau", "agency_admin", "officer", "public", "system"])
    )
    agency_code = fields.String(allow_none=True, load_default=None)
    officer_id = fields.String(allow_none=True, load_default=None)


def registered_obligation(data: dict) -> None:
    """A producer measures or announces only the obligations registered in ``enforcement_contracts.obligations``
    (docs/obligations.md is held to that registry)."""
    from .obligations import OBLIGATIONS  # it imports this module

    if data["kind"] not in OBLIGATIONS:
        raise ValidationError({"kind": ["is not a registered obligation (enforcement_contracts.obligations)"]})


class PromptnessMeasured(StrictSchema):
    """One obligation with a deadline that has ended: the unit of 'how promptly each agency responds'."""

    PRODUCER_CHECKS = (registered_obligation,)

    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    kind = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={
            "description": "a registered obligation (docs/obligations.md)",
            "example": "certificate_cancelled",
        },
    )
    reference = fields.String(
        required=True,
        metadata={
            "description": "what the obligation was about (certificate number, case number); never personal data"
        },
    )
    started_on = fields.Date(required=True)
    ended_on = fields.Date(required=True)
    workdays_taken = fields.Integer(required=True, validate=validate.Range(min=0))
    deadline_workdays = fields.Integer(required=True, validate=validate.Range(min=0))
    on_time = fields.Boolean(required=True)
    seconds_taken = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0),
        metadata={
            "description": "time taken in seconds where both instants are known (a transfer's hand-over, counted in "
            "hours); null where the obligation is dated by days only"
        },
    )
    deadline_unit = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(DEADLINE_UNITS),
        metadata={
            "description": "the unit the obligation's own clock counts in: workdays, days (calendar) or hours; null "
            "(older producers) means workdays"
        },
    )
    taken = fields.Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0),
        metadata={"description": "time taken in deadline_unit (30.5 for a hand-over 30.5 hours after approval)"},
    )
    deadline = fields.Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0),
        metadata={"description": "the deadline in deadline_unit (24 for the 24-hour hand-over)"},
    )


class DeadlineMissed(StrictSchema):
    """An obligation still open after its deadline, announced once per obligation (its kind and reference) by the
    service that owns it. Supervision counts it late in the agency's promptness at once and opens the follow-up
    item; the measurement that follows when the obligation is finally met replaces the late count, it does not add
    a second one. No personal data."""

    PRODUCER_CHECKS = (registered_obligation,)

    agency_code = fields.String(
        required=True, validate=AGENCY_CODE, metadata={"description": "the agency that owes it"}
    )
    kind = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={
            "description": "named as the promptness measurement that follows once it is met (docs/obligations.md)",
            "example": "certificate_cancelled",
        },
    )
    reference = fields.String(
        required=True,
        metadata={
            "description": "what the obligation is about, as the later measurement names it; never personal data"
        },
    )
    started_on = fields.Date(required=True, metadata={"description": "the day the clock started"})
    due_on = fields.Date(required=True, metadata={"description": "the last day in time"})
    detected_on = fields.Date(required=True, metadata={"description": "the day the watch found it still open"})
    deadline = fields.Float(
        required=True, validate=validate.Range(min=0), metadata={"description": "the deadline in deadline_unit"}
    )
    deadline_unit = fields.String(required=True, validate=validate.OneOf(DEADLINE_UNITS))
