"""What the training contract's modules share: the service name, code shapes, the kinds, and how an event type
is declared."""

from __future__ import annotations

from marshmallow import validate

from ..events import EventType, register

SOURCE = "training"
SERVICE = SOURCE
EXAM_KINDS = ("qualification", "renewal")
COURSE_KINDS = ("training", "drill", "contest")  # drills (演练) and skills contests (技能竞赛) are activities
ACTIVITY_KINDS = ("drill", "contest")
DELIVERIES = ("online", "offline")
ORGANISER_KINDS = ("bureau", "agency", "joint")
# Categories are data (a table a county extends); only the shape of a code is fixed here.
CATEGORY_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$", error="must be a lower-case code like public_law")
HOURS = validate.Range(min=0, max=1000, min_inclusive=False, error="must be more than 0 and at most 1000")
YEAR = validate.Range(min=2000, max=2100)
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def event(name: str, schema: type, description: str) -> EventType:
    """A training event type, version 1 (registered on import of its subject module)."""
    return register(EventType(SOURCE, name, schema, 1, description))
