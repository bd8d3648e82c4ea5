"""The event envelope (CloudEvents 1.0 attributes) and the registry of every event type.

Routing on the broker follows nameko's convention so nameko services subscribe natively:
exchange ``<source>.events`` (topic, durable), routing key = the event's ``name``
(e.g. ``certificate.issued``). The envelope's ``type`` is ``<source>.<name>``.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

SPEC_VERSION = "1.0"


class EnvelopeSchema(Schema):
    """CloudEvents 1.0 attributes plus two extensions: ``schemaversion`` and ``correlationid``."""

    class Meta:
        unknown = RAISE

    specversion = fields.String(required=True, validate=validate.Equal(SPEC_VERSION))
    id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    source = fields.String(required=True)
    type = fields.String(required=True)
    subject = fields.String(allow_none=True, load_default=None)
    time = fields.String(required=True)
    datacontenttype = fields.String(load_default="application/json")
    schemaversion = fields.Integer(required=True, validate=validate.Range(min=1))
    correlationid = fields.String(allow_none=True, load_default=None)
    data = fields.Dict(required=True)


@dataclass(frozen=True)
class EventType:
    """One published event type: who publishes it, its name, schema and version."""

    source: str
    name: str
    schema: type[Schema]
    version: int = 1
    description: str = ""

    @property
    def type(self) -> str:
        return f"{self.source}.{self.name}"

    @property
    def exchange(self) -> str:
        return f"{self.source}.events"

    @property
    def routing_key(self) -> str:
        return self.name

    def dump(self, data: dict) -> dict:
        """Validate a payload against the schema and return its JSON form; raises marshmallow.ValidationError."""
        schema = _strict_schema(self.schema)
        loaded = schema.load(_jsonable(data))
        # what only a producer is held to (a consumer reading a newer producer's value must not dead-letter it)
        for check in getattr(self.schema, "PRODUCER_CHECKS", ()):
            check(loaded)
        return schema.dump(loaded)

    def load(self, data: dict) -> dict:
        """Read a received payload. Tolerant: fields this version does not know are dropped, because adding
        an optional field is not a breaking change (see docs/events.md) and must not dead-letter old consumers."""
        return _tolerant_schema(self.schema).load(data)


@dataclass
class Envelope:
    """An event as it travels: attributes plus the payload already serialised to JSON types."""

    type: str
    source: str
    data: dict
    schemaversion: int
    subject: str | None = None
    correlationid: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    time: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat())
    specversion: str = SPEC_VERSION
    datacontenttype: str = "application/json"

    def to_dict(self) -> dict:
        return {
            "specversion": self.specversion,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time,
            "datacontenttype": self.datacontenttype,
            "schemaversion": self.schemaversion,
            "correlationid": self.correlationid,
            "data": self.data,
        }

    @classmethod
    def from_dict(cls, body: dict) -> Envelope:
        attrs = EnvelopeSchema().load(body)
        return cls(**attrs)


@functools.cache
def _strict_schema(schema_class: type[Schema]) -> Schema:
    """One reusable instance per schema class (marshmallow schemas keep no state between calls)."""
    return schema_class()


@functools.cache
def _tolerant_schema(schema_class: type[Schema]) -> Schema:
    """One instance per schema class that excludes unknown fields at every nesting level."""
    schema = schema_class(unknown=EXCLUDE)
    _exclude_unknown(schema)
    return schema


def _exclude_unknown(schema: Schema) -> None:
    for schema_field in schema.fields.values():
        _exclude_unknown_field(schema_field)


def _exclude_unknown_field(schema_field) -> None:
    if isinstance(schema_field, fields.Nested):
        schema_field.unknown = EXCLUDE
        _exclude_unknown(schema_field.schema)
    for inner in (getattr(schema_field, "inner", None), getattr(schema_field, "value_field", None)):
        if inner is not None:
            _exclude_unknown_field(inner)
    for inner in getattr(schema_field, "tuple_fields", ()) or ():
        _exclude_unknown_field(inner)


def _jsonable(value):
    """Dates as ISO strings, so a payload built from Python objects loads like one read off the wire."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


REGISTRY: dict[str, EventType] = {}


def register(event_type: EventType) -> EventType:
    if event_type.type in REGISTRY:
        raise ValueError(f"event type {event_type.type} registered twice")
    REGISTRY[event_type.type] = event_type
    return event_type


def all_event_types() -> list[EventType]:
    """Every event type of every installed contract module."""
    from enforcement_contracts import personnel, supervision  # noqa: F401  (registers on import)
    from enforcement_contracts.cases import (  # noqa: F401  (each subject module registers its events on import)
        benchmarks,
        catalogue,
        followups,
        inspections,
        legal_review,
        procedure,
        promptness,
        publication,
        records,
        reviews,
        transfers,
    )
    from enforcement_contracts.training import (  # noqa: F401  (each subject module registers its events on import)
        attendance,
        compliance,
        courses,
        exams,
        sessions,
    )

    return sorted(REGISTRY.values(), key=lambda e: e.type)
