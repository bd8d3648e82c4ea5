"""Examples of the published events, synthesised from each payload's JSON Schema and checked by loading them
with the contract schema. Deterministic (fixed ids and times) so the generated docs can be compared in a test.
"""

from __future__ import annotations

import re

from marshmallow import ValidationError

from .event_json_schema import first_type, payload_schema
from .events import SPEC_VERSION, EventType

EXAMPLE_EVENT_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
EXAMPLE_TIME = "2026-03-02T01:30:00+00:00"
EXAMPLE_CORRELATION_ID = "5d41402abc4b2a76b9719d911017c592"


class ExampleError(ValueError):
    """The synthesised example of an event does not load with its contract schema."""


# Readable candidates tried in order against a string's pattern and length; a contract field can always
# declare its own with ``metadata={"example": ...}``.
_STRING_CANDIDATES = ("example", "minor", "140928-scjgj", "a1")


def _example_string(name: str, schema: dict) -> str:
    fmt = schema.get("format")
    if fmt == "date":
        return "2026-03-02"
    if fmt == "date-time":
        return EXAMPLE_TIME
    if fmt == "uuid":
        return "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    if name == "agency_code" or name.endswith("_agency_code"):
        candidates = ("140928-scjgj",)
    elif name == "id" or name.endswith("_id"):
        candidates = ("3b241101e2bb4255a8f2f1b6c4a1d5e2",)
    elif "masked" in name:
        candidates = ("张*",)
    elif name.endswith(("_on", "date")):
        candidates = ("2026-03-02",)
    else:
        candidates = ()
    low, high = schema.get("minLength", 0), schema.get("maxLength", 10_000)
    pattern = schema.get("pattern")
    for text in (*candidates, *_STRING_CANDIDATES):
        if len(text) < low:
            text = text + "x" * (low - len(text))
        if low <= len(text) <= high and (pattern is None or re.search(pattern, text)):
            return text
    return "x" * max(low, 1)


def example_value(name: str, schema: dict):
    """A plausible value for a JSON Schema property (not null, so the example shows every field's shape)."""
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return next(v for v in schema["enum"] if v is not None)
    kind = first_type(schema)
    if kind == "object":
        if "properties" in schema:
            return {key: example_value(key, sub) for key, sub in schema["properties"].items()}
        values = schema.get("additionalProperties")
        return {"example": example_value("value", values)} if isinstance(values, dict) else {}
    if kind == "array":
        items = schema.get("items", {})
        return [example_value(name, items) for _ in range(max(1, schema.get("minItems", 1)))]
    if kind == "integer":
        low = schema.get("minimum", 1)
        if name == "year" or name.endswith("_year"):
            return max(low, 2026) if schema.get("maximum", 2026) >= 2026 else low
        return max(low, 1) if schema.get("maximum", 1) >= 1 else low
    if kind == "number":
        low, high = schema.get("minimum", 0), schema.get("maximum", 12.5)
        return 12.5 if low <= 12.5 <= high else low
    if kind == "boolean":
        return True
    if kind == "string":
        return _example_string(name, schema)
    return None


def example_data(event_type: EventType) -> dict:
    """The example ``data`` of an event type, checked by loading it with the contract schema."""
    candidate = example_value("data", payload_schema(event_type))
    try:
        return event_type.dump(candidate)
    except ValidationError as exc:
        raise ExampleError(
            f"{event_type.type}: the generated example does not load ({exc.messages}); "
            "declare one on the field with metadata={'example': ...}"
        ) from None


def example_envelope(event_type: EventType) -> dict:
    return {
        "specversion": SPEC_VERSION,
        "id": EXAMPLE_EVENT_ID,
        "source": event_type.source,
        "type": event_type.type,
        "subject": "3b241101e2bb4255a8f2f1b6c4a1d5e2",
        "time": EXAMPLE_TIME,
        "datacontenttype": "application/json",
        "schemaversion": event_type.version,
        "correlationid": EXAMPLE_CORRELATION_ID,
        "data": example_data(event_type),
    }
