"""The published events as an AsyncAPI 3.0 document, and that document rendered as YAML and as a Markdown
catalogue (docs/asyncapi.yaml, docs/events.md; the gateway serves both).

Everything is generated from ``all_event_types()`` so a new event type appears without editing this module.
Payload schemas are ``event_json_schema``'s, examples ``event_examples``'; the command that writes the files and
the schema lock is ``event_docs`` (``enforcement-asyncapi``).
"""

from __future__ import annotations

import json
import re
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

import yaml

from .event_examples import example_envelope
from .event_json_schema import envelope_schema, first_type, payload_schema
from .events import EventType, all_event_types

ASYNCAPI_VERSION = "3.0.0"
AMQP_BINDING_VERSION = "0.3.0"
ENVELOPE = "CloudEventsEnvelope"
DESCRIPTION = (
    "Events published by the services of the county's administrative law-enforcement quality "
    "programme (提升行政执法质量). Each service publishes to its own durable topic exchange "
    "`<source>.events`; the routing key is the event's name. The body is a CloudEvents 1.0 envelope "
    "(structured mode, JSON) with the extensions `schemaversion` and `correlationid`; `data` holds "
    "the payload. Delivery is at least once: deduplicate on `id`. Ignore fields you do not know: "
    "optional fields are added without a version bump, anything breaking bumps `schemaversion`. "
    "Personal data (ID numbers, contact details) is never in an event."
)


# --- the AsyncAPI document ---------------------------------------------------------------------------
def _contracts_version() -> str:
    try:
        return package_version("enforcement-contracts")
    except PackageNotFoundError:  # imported from a source tree that was not installed
        return "0.0.0"


def _message(event: EventType) -> dict:
    key = event.type
    return {
        "name": key,
        "title": event.type,
        "summary": event.description or event.type,
        "contentType": "application/json",
        "correlationId": {"location": "$message.payload#/correlationid"},
        "payload": {
            "allOf": [
                {"$ref": f"#/components/schemas/{ENVELOPE}"},
                {
                    "type": "object",
                    "properties": {
                        "source": {"const": event.source},
                        "type": {"const": event.type},
                        "schemaversion": {"const": event.version},
                        "data": {"$ref": f"#/components/schemas/{key}"},
                    },
                },
            ]
        },
        "bindings": {
            "amqp": {"contentEncoding": "utf-8", "messageType": event.type, "bindingVersion": AMQP_BINDING_VERSION}
        },
        "examples": [{"name": f"{event.name} v{event.version}", "payload": example_envelope(event)}],
    }


def _channel(event: EventType) -> dict:
    key = event.type
    return {
        "address": event.routing_key,
        "title": event.type,
        "description": f"{event.description} Exchange `{event.exchange}` (topic), routing key "
        f"`{event.routing_key}`; schema version {event.version}.".strip(),
        "messages": {"event": {"$ref": f"#/components/messages/{key}"}},
        "bindings": {
            "amqp": {
                "is": "routingKey",
                "exchange": {
                    "name": event.exchange,
                    "type": "topic",
                    "durable": True,
                    "autoDelete": False,
                    "vhost": "/",
                },
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
    }


def _operation(event: EventType) -> dict:
    key = event.type
    return {
        "action": "send",
        "title": f"{event.source} publishes {event.name}",
        "channel": {"$ref": f"#/channels/{key}"},
        "messages": [{"$ref": f"#/channels/{key}/messages/event"}],
        # the outbox relay publishes persistent messages, mandatory, with publisher confirms
        "bindings": {"amqp": {"deliveryMode": 2, "mandatory": True, "bindingVersion": AMQP_BINDING_VERSION}},
    }


def build_asyncapi(event_types: list[EventType] | None = None) -> dict:
    """The AsyncAPI 3.0 document: a channel, a send operation and a message per event type."""
    event_types = all_event_types() if event_types is None else event_types
    channels, operations, messages = {}, {}, {}
    schemas = {ENVELOPE: envelope_schema()}
    for event in event_types:
        schemas[event.type] = payload_schema(event)
        messages[event.type] = _message(event)
        channels[event.type] = _channel(event)
        operations[f"publish.{event.type}"] = _operation(event)
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Enforcement-quality suite events",
            "version": _contracts_version(),
            "description": DESCRIPTION,
        },
        "defaultContentType": "application/json",
        "servers": {
            "county": {
                "host": "rabbitmq:5672",
                "protocol": "amqp",
                "protocolVersion": "0-9-1",
                "description": "The county's RabbitMQ; county IT gives each subscriber a user of its own.",
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


def render_yaml(document: dict) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)


# --- the Markdown catalogue --------------------------------------------------------------------------
def _type_label(schema: dict) -> str:
    kind = first_type(schema) or "any"
    if kind == "array":
        return f"array of {_type_label(schema.get('items', {}))}"
    if kind == "object" and schema.get("additionalProperties"):  # a map: {} means values of any type
        return f"object of {_type_label(schema['additionalProperties'])}"
    return f"{kind} ({schema['format']})" if schema.get("format") else kind


def _constraints(schema: dict) -> str:
    parts = []
    if schema.get("enum"):
        parts.append("one of " + ", ".join(f"`{v}`" for v in schema["enum"] if v is not None))
    for key, text in (("minimum", "≥"), ("maximum", "≤"), ("minLength", "length ≥"), ("maxLength", "length ≤")):
        if key in schema:
            parts.append(f"{text} {schema[key]}")
    if "pattern" in schema:
        parts.append(f"pattern `{schema['pattern']}`")
    return "; ".join(parts)


def _field_rows(schema: dict, prefix: str = ""):
    required = set(schema.get("required", []))
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        nullable = isinstance(sub.get("type"), list) and "null" in sub["type"]
        note = "; ".join(p for p in (sub.get("description", ""), _constraints(sub)) if p)
        yield path, _type_label(sub), name in required, nullable, note
        if first_type(sub) == "object" and "properties" in sub:
            yield from _field_rows(sub, f"{path}.")
        items = sub.get("items", {})
        if first_type(sub) == "array" and first_type(items) == "object" and "properties" in items:
            yield from _field_rows(items, f"{path}[].")


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _envelope_lines(envelope: dict) -> list[str]:
    lines = ["## Envelope", "", "| attribute | type | always present | meaning |", "|---|---|---|---|"]
    for name, sub in envelope["properties"].items():
        lines.append(
            f"| `{name}` | {_type_label(sub)} | {'yes' if name in envelope.get('required', []) else 'no'} "
            f"| {_cell(sub.get('description', ''))} |"
        )
    return lines


VERSIONING = [
    "## Versioning",
    "",
    "Each event type has a schema version, sent as `schemaversion`. Removing or retyping a field, making a "
    "field required, optional or nullable, or removing an event type is a breaking change: the version is "
    "bumped, and a test compares every schema with the committed snapshot "
    "(`contracts/event-schemas.lock.json`) so that cannot happen by accident. Adding an optional field is "
    "not breaking and keeps the version.",
]


def _version(message: dict) -> int:
    return message["payload"]["allOf"][1]["properties"]["schemaversion"]["const"]


def _events_table(document: dict) -> list[str]:
    messages = document["components"]["messages"]
    lines = [
        "## Events",
        "",
        "| type | exchange | routing key | version | description |",
        "|---|---|---|---|---|",
    ]
    for key, channel in document["channels"].items():
        anchor = re.sub(r"[^a-z0-9_-]", "", key.lower())
        exchange = channel["bindings"]["amqp"]["exchange"]["name"]
        lines.append(
            f"| [`{key}`](#{anchor}) | `{exchange}` | `{channel['address']}` | {_version(messages[key])} "
            f"| {_cell(messages[key]['summary'])} |"
        )
    return lines


def _event_section(key: str, channel: dict, message: dict, schema: dict) -> list[str]:
    lines = [
        "",
        f"### {key}",
        "",
        message["summary"],
        "",
        f"- exchange: `{channel['bindings']['amqp']['exchange']['name']}` (topic, durable)",
        f"- routing key: `{channel['address']}`",
        f"- schema version: {_version(message)}",
        "",
        "| field | type | required | nullable | notes |",
        "|---|---|---|---|---|",
    ]
    for path, label, required, nullable, note in _field_rows(schema):
        lines.append(
            f"| `{path}` | {label} | {'yes' if required else 'no'} | {'yes' if nullable else 'no'} | {_cell(note)} |"
        )
    example = message["examples"][0]["payload"]
    return lines + ["", "Example:", "", "```json", json.dumps(example, ensure_ascii=False, indent=2), "```"]


def render_catalogue(document: dict) -> str:
    """A human-readable catalogue of the document's events (docs/events.md)."""
    components = document["components"]
    lines = [
        "# Event catalogue",
        "",
        "<!-- Generated by `enforcement-asyncapi` from the contracts package; do not edit by hand. -->",
        "",
        document["info"]["description"],
        "",
        "The same content as a machine-readable AsyncAPI 3.0 document: [asyncapi.yaml](asyncapi.yaml) "
        "(the gateway serves both: `/events/asyncapi.yaml` and `/events/catalogue.md`).",
        "",
        *_envelope_lines(components["schemas"][ENVELOPE]),
        "",
        *VERSIONING,
        "",
        *_events_table(document),
    ]
    for key, channel in document["channels"].items():
        lines += _event_section(key, channel, components["messages"][key], components["schemas"][key])
    return "\n".join(lines) + "\n"
