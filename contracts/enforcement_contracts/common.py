"""Schema building blocks shared by every contract module."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

AGENCY_CODE = validate.Regexp(r"^[0-9A-Za-z-]{2,40}$", error="must be 2-40 letters, digits or '-'")


class StrictSchema(Schema):
    """Unknown fields are an error, never silently dropped."""

    class Meta:
        unknown = RAISE


class PageQuery(StrictSchema):
    """Every list is read a page at a time: ``page`` (from 1) of ``per_page`` items (at most 500)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


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


def page_of(item: type[Schema]) -> type[Schema]:
    """The response schema of a list of ``item``: ``{items, total, page, per_page}`` (one class per item schema,
    named ``<Item>Page`` so the OpenAPI document shows one component for it)."""
    if item not in _PAGES:
        _PAGES[item] = type(
            f"{item.__name__}Page",
            (Schema,),
            {
                "items": fields.List(fields.Nested(item), required=True),
                "total": fields.Integer(required=True, metadata={"description": "items matching, on every page"}),
                "page": fields.Integer(required=True),
                "per_page": fields.Integer(required=True),
                "__doc__": f"One page of {item.__name__} items.",
            },
        )
    return _PAGES[item]


def page(item: type[Schema], rows, total: int, query: dict) -> dict:
    """A page of ``rows`` (objects or dicts) dumped by ``item``'s schema: what every list RPC returns."""
    return page_of(item)().dump(
        {"items": rows, "total": total, "page": query.get("page", 1), "per_page": query.get("per_page", 50)}
    )


class Actor(StrictSchema):
    """Who is asking, as the gateway authenticated them; services scope reads and writes by it."""

    username = fields.String(required=True)
    role = fields.String(
        required=True, validate=validate.OneOf(["bureau", "agency_admin", "officer", "public", "system"])
    )
    agency_code = fields.String(allow_none=True, load_default=None)
    officer_id = fields.String(allow_none=True, load_default=None)


class PromptnessMeasured(StrictSchema):
    """One obligation with a deadline that has ended: the unit of 'how promptly each agency responds'."""

    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    kind = fields.String(required=True, validate=validate.Length(min=1, max=60))
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
