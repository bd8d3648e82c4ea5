"""JSON Schemas of the published events: each payload and the CloudEvents envelope.

They come from the marshmallow contract schemas through apispec's converter (the same one the gateway uses
for OpenAPI), made tolerant (no ``additionalProperties: false``) because subscribers must accept fields added
without a version bump.
"""

from __future__ import annotations

from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .events import SPEC_VERSION, EnvelopeSchema, EventType

ENVELOPE_DOC = {
    "specversion": f"CloudEvents version, always {SPEC_VERSION}",
    "id": "unique event id; also the AMQP message_id. Redelivery and replay keep it: deduplicate on it",
    "source": "the publishing service (personnel, training, cases, ...)",
    "type": "`<source>.<name>`, e.g. personnel.certificate.issued",
    "subject": "the entity the event is about (an id or number), when there is one",
    "time": "when the event happened (ISO 8601, UTC)",
    "datacontenttype": "always application/json",
    "schemaversion": "version of the `data` schema (the event type's version); bumped on a breaking change",
    "correlationid": "follows one request from the gateway through RPC calls and events; for tracing only",
    "data": "the payload; its schema is the event type's",
}


@lru_cache(maxsize=1)
def _converter():
    # OpenAPI 3.1 output is plain JSON Schema (nullable as type [..., "null"]), which AsyncAPI schemas accept;
    # a resolver returning None inlines nested schemas so each payload schema stands on its own.
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)
    APISpec(title="events", version="1", openapi_version="3.1.0", plugins=[plugin])
    return plugin.converter


def _tolerant(node):
    """Drop ``additionalProperties: false``: subscribers must accept fields added without a version bump."""
    if isinstance(node, dict):
        return {k: _tolerant(v) for k, v in node.items() if not (k == "additionalProperties" and v is False)}
    if isinstance(node, list):
        return [_tolerant(v) for v in node]
    return node


def payload_schema(event_type: EventType) -> dict:
    """JSON Schema (draft 07 compatible) of an event type's ``data``."""
    return _tolerant(_converter().schema2jsonschema(event_type.schema()))


def envelope_schema() -> dict:
    schema = _tolerant(_converter().schema2jsonschema(EnvelopeSchema()))
    for name, text in ENVELOPE_DOC.items():
        schema["properties"][name]["description"] = text
    return schema


def first_type(schema: dict) -> str | None:
    """The JSON type of a property, ignoring ``null`` in a nullable one."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind
