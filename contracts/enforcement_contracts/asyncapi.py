"""The published events as documents for subscribers: AsyncAPI 3.0, a Markdown catalogue, the schema lock.

Everything is generated from ``all_event_types()`` so a new event type appears without editing this module.
Payload JSON Schemas come from the marshmallow contract schemas through apispec's converter (the same one
the gateway uses for OpenAPI). Output is deterministic (fixed example ids and times) so ``docs/`` can be
compared with a fresh generation in a test.

Command (from the repository root)::

    enforcement-asyncapi                  # rewrite docs/asyncapi.yaml and docs/events.md
    enforcement-asyncapi --update-lock    # ... and contracts/event-schemas.lock.json (refuses a breaking
                                          # change unless the event type's version was bumped)
    enforcement-asyncapi --check          # write nothing; exit 1 when docs or lock are stale or a change breaks
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from functools import lru_cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

import yaml
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import ValidationError

from . import compatibility
from .events import SPEC_VERSION, EnvelopeSchema, EventType, all_event_types

ASYNCAPI_VERSION = "3.0.0"
AMQP_BINDING_VERSION = "0.3.0"
ENVELOPE = "CloudEventsEnvelope"
DEFAULT_OUT = Path("docs")
DEFAULT_LOCK = Path("contracts/event-schemas.lock.json")

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

EXAMPLE_EVENT_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
EXAMPLE_TIME = "2026-03-02T01:30:00+00:00"
EXAMPLE_CORRELATION_ID = "5d41402abc4b2a76b9719d911017c592"


class ExampleError(ValueError):
    """The synthesised example of an event does not load with its contract schema."""


# --- JSON Schema of the payloads -------------------------------------------------------------------
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


# --- examples ----------------------------------------------------------------------------------------
# Readable candidates tried in order against a string's pattern and length; a contract field can always
# declare its own with ``metadata={"example": ...}``.
_STRING_CANDIDATES = ("example", "minor", "140928-scjgj", "a1")


def _first_type(schema: dict) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind


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
    kind = _first_type(schema)
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


# --- the AsyncAPI document ---------------------------------------------------------------------------
def _contracts_version() -> str:
    try:
        return package_version("enforcement-contracts")
    except PackageNotFoundError:  # imported from a source tree that was not installed
        return "0.0.0"


def build_asyncapi(event_types: list[EventType] | None = None) -> dict:
    """The AsyncAPI 3.0 document: a channel, a send operation and a message per event type."""
    event_types = all_event_types() if event_types is None else event_types
    channels, operations, messages = {}, {}, {}
    schemas = {ENVELOPE: envelope_schema()}
    for event in event_types:
        key = event.type
        schemas[key] = payload_schema(event)
        messages[key] = {
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
        channels[key] = {
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
        operations[f"publish.{key}"] = {
            "action": "send",
            "title": f"{event.source} publishes {event.name}",
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/event"}],
            # the outbox relay publishes persistent messages, mandatory, with publisher confirms
            "bindings": {"amqp": {"deliveryMode": 2, "mandatory": True, "bindingVersion": AMQP_BINDING_VERSION}},
        }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Enforcement-quality suite events",
            "version": _contracts_version(),
            "description": (
                "Events published by the services of the county's administrative law-enforcement quality "
                "programme (提升行政执法质量). Each service publishes to its own durable topic exchange "
                "`<source>.events`; the routing key is the event's name. The body is a CloudEvents 1.0 envelope "
                "(structured mode, JSON) with the extensions `schemaversion` and `correlationid`; `data` holds "
                "the payload. Delivery is at least once: deduplicate on `id`. Ignore fields you do not know: "
                "optional fields are added without a version bump, anything breaking bumps `schemaversion`. "
                "Personal data (ID numbers, contact details) is never in an event."
            ),
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
    kind = _first_type(schema) or "any"
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
        if _first_type(sub) == "object" and "properties" in sub:
            yield from _field_rows(sub, f"{path}.")
        items = sub.get("items", {})
        if _first_type(sub) == "array" and _first_type(items) == "object" and "properties" in items:
            yield from _field_rows(items, f"{path}[].")


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


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
        "## Envelope",
        "",
        "| attribute | type | always present | meaning |",
        "|---|---|---|---|",
    ]
    envelope = components["schemas"][ENVELOPE]
    for name, sub in envelope["properties"].items():
        lines.append(
            f"| `{name}` | {_type_label(sub)} | {'yes' if name in envelope.get('required', []) else 'no'} "
            f"| {_cell(sub.get('description', ''))} |"
        )
    lines += [
        "",
        "## Versioning",
        "",
        "Each event type has a schema version, sent as `schemaversion`. Removing or retyping a field, making a "
        "field required, optional or nullable, or removing an event type is a breaking change: the version is "
        "bumped, and a test compares every schema with the committed snapshot "
        "(`contracts/event-schemas.lock.json`) so that cannot happen by accident. Adding an optional field is "
        "not breaking and keeps the version.",
        "",
        "## Events",
        "",
        "| type | exchange | routing key | version | description |",
        "|---|---|---|---|---|",
    ]
    for key, channel in document["channels"].items():
        anchor = re.sub(r"[^a-z0-9_-]", "", key.lower())
        exchange = channel["bindings"]["amqp"]["exchange"]["name"]
        version = components["messages"][key]["payload"]["allOf"][1]["properties"]["schemaversion"]["const"]
        lines.append(
            f"| [`{key}`](#{anchor}) | `{exchange}` | `{channel['address']}` | {version} "
            f"| {_cell(components['messages'][key]['summary'])} |"
        )
    for key, channel in document["channels"].items():
        message = components["messages"][key]
        version = message["payload"]["allOf"][1]["properties"]["schemaversion"]["const"]
        lines += [
            "",
            f"### {key}",
            "",
            message["summary"],
            "",
            f"- exchange: `{channel['bindings']['amqp']['exchange']['name']}` (topic, durable)",
            f"- routing key: `{channel['address']}`",
            f"- schema version: {version}",
            "",
            "| field | type | required | nullable | notes |",
            "|---|---|---|---|---|",
        ]
        for path, label, required, nullable, note in _field_rows(components["schemas"][key]):
            lines.append(
                f"| `{path}` | {label} | {'yes' if required else 'no'} | {'yes' if nullable else 'no'} "
                f"| {_cell(note)} |"
            )
        example = message["examples"][0]["payload"]
        lines += ["", "Example:", "", "```json", json.dumps(example, ensure_ascii=False, indent=2), "```"]
    return "\n".join(lines) + "\n"


# --- files and the command ---------------------------------------------------------------------------
def generated_files(event_types: list[EventType] | None = None) -> dict[str, str]:
    """File name → content of everything that goes in docs/."""
    document = build_asyncapi(event_types)
    return {"asyncapi.yaml": render_yaml(document), "events.md": render_catalogue(document)}


def render_lock(snapshot: dict) -> str:
    """The snapshot as JSON with one line per field, so a schema change reads as a one-line diff."""
    blocks = []
    for name, entry in sorted(snapshot.items()):
        fields = ",\n".join(
            f"      {json.dumps(path)}: {json.dumps(spec, sort_keys=True)}" for path, spec in entry["fields"].items()
        )
        fields = f"{{\n{fields}\n    }}" if fields else "{}"
        blocks.append(f'  {json.dumps(name)}: {{\n    "version": {entry["version"]},\n    "fields": {fields}\n  }}')
    return "{\n" + ",\n".join(blocks) + "\n}\n"


def current_snapshot(event_types: list[EventType] | None = None) -> dict:
    event_types = all_event_types() if event_types is None else event_types
    return compatibility.snapshot({e.type: (e.version, payload_schema(e)) for e in event_types})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="enforcement-asyncapi", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for asyncapi.yaml and events.md (docs)")
    parser.add_argument(
        "--lock",
        type=Path,
        default=DEFAULT_LOCK,
        help="the committed schema snapshot (contracts/event-schemas.lock.json)",
    )
    parser.add_argument(
        "--update-lock",
        action="store_true",
        help="rewrite the snapshot too; refused when a change breaks without a version bump",
    )
    parser.add_argument(
        "--accept-breaking",
        action="store_true",
        help="with --update-lock: accept breaking changes anyway (e.g. retiring an event type, "
        "agreed with every subscriber)",
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything is stale or breaks")
    args = parser.parse_args(argv)

    files = generated_files()
    snapshot = current_snapshot()
    committed = json.loads(args.lock.read_text(encoding="utf-8")) if args.lock.exists() else {}
    changes = compatibility.compare(committed, snapshot)
    breaking = compatibility.unaccepted(changes)
    for change in changes:
        print(f"{'BREAKING' if change in breaking else 'change'}: {change}")
    if args.check:
        status = 0
        for name, text in files.items():
            path = args.out / name
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"stale: {path}")
                status = 1
        if changes:
            print(f"stale: {args.lock}")
            status = 1
        return status
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8")
        print(f"wrote {args.out / name}")
    if breaking and not (args.update_lock and args.accept_breaking):
        print(
            f"{len(breaking)} breaking change(s) without a version bump: bump the event type's version "
            f"in its contract module, then run with --update-lock",
            file=sys.stderr,
        )
        return 1
    if args.update_lock:
        args.lock.parent.mkdir(parents=True, exist_ok=True)
        args.lock.write_text(render_lock(snapshot), encoding="utf-8")
        print(f"wrote {args.lock}")
    elif changes:
        print(f"{args.lock} differs from the schemas: run with --update-lock", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
