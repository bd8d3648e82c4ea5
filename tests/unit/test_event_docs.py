"""The published event documents: AsyncAPI validity, examples, docs/ and the schema lock kept current."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from enforcement_contracts import asyncapi, event_docs
from enforcement_contracts.compatibility import compare, unaccepted
from enforcement_contracts.events import all_event_types

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI_SCHEMA = ROOT / "tests" / "schemas" / "asyncapi-3.0.0.json"
REGENERATE = "run `.venv/bin/enforcement-asyncapi --update-lock` from the repository root"


@pytest.fixture(scope="module")
def document() -> dict:
    return asyncapi.build_asyncapi()


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(ASYNCAPI_SCHEMA.read_text(encoding="utf-8")))


def test_document_validates_against_the_official_asyncapi_schema(document, validator):
    errors = [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(document)]
    assert errors == []


def test_the_validator_rejects_a_broken_document(document, validator):
    """Guards the test above: the vendored schema does check bindings and required members."""
    broken = copy.deepcopy(document)
    channel = next(iter(broken["channels"].values()))
    channel["bindings"]["amqp"]["is"] = "fanout"  # the AMQP binding allows routingKey or queue only
    assert not validator.is_valid(broken)
    del broken["info"]
    assert not validator.is_valid(broken)


def test_every_event_type_has_its_channel_exchange_routing_key_and_version(document):
    event_types = all_event_types()
    assert set(document["channels"]) == {e.type for e in event_types}
    for event in event_types:
        channel = document["channels"][event.type]
        assert channel["address"] == event.routing_key
        assert channel["bindings"]["amqp"]["exchange"] == {
            "name": event.exchange,
            "type": "topic",
            "durable": True,
            "autoDelete": False,
            "vhost": "/",
        }
        envelope = document["components"]["messages"][event.type]["payload"]["allOf"][1]["properties"]
        assert envelope["schemaversion"] == {"const": event.version}
        assert document["operations"][f"publish.{event.type}"]["channel"] == {"$ref": f"#/channels/{event.type}"}


def test_every_example_matches_its_payload_schema_and_loads_with_the_contract(document):
    """Examples are checked twice: as JSON (what a subscriber validates) and by the marshmallow contract."""
    for event in all_event_types():
        message = document["components"]["messages"][event.type]
        example = message["examples"][0]["payload"]
        # draft 07 ignores siblings of $ref, so the document itself resolves the pointer
        schema = {**document, "$ref": f"#/components/messages/{event.type}/payload"}
        errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(example)]
        assert errors == [], event.type
        event.load(example["data"])
        json.dumps(example)  # plain JSON types only (no Decimal or date objects)


def test_a_payload_missing_a_required_field_fails_its_schema(document):
    event = next(e for e in all_event_types() if e.type == "personnel.officer.registered")
    example = copy.deepcopy(document["components"]["messages"][event.type]["examples"][0]["payload"])
    del example["data"]["officer_id"]
    schema = {**document, "$ref": f"#/components/messages/{event.type}/payload"}
    assert not jsonschema.Draft7Validator(schema).is_valid(example)


def test_committed_docs_are_current():
    for name, text in event_docs.generated_files().items():
        path = ROOT / "docs" / name
        assert path.exists(), f"docs/{name} is missing: {REGENERATE}"
        assert path.read_text(encoding="utf-8") == text, f"docs/{name} is stale: {REGENERATE}"


def test_no_breaking_schema_change_without_a_version_bump():
    committed = json.loads((ROOT / "contracts" / "event-schemas.lock.json").read_text(encoding="utf-8"))
    problems = [str(c) for c in unaccepted(compare(committed, event_docs.current_snapshot()))]
    assert problems == [], (
        f"breaking event-schema changes: bump the event type's version in its contract module, then {REGENERATE}"
    )


def test_schema_lock_is_current():
    committed = json.loads((ROOT / "contracts" / "event-schemas.lock.json").read_text(encoding="utf-8"))
    changes = [str(c) for c in compare(committed, event_docs.current_snapshot())]
    assert changes == [], f"contracts/event-schemas.lock.json differs from the schemas: {REGENERATE}"


def test_command_writes_checks_and_refuses_a_breaking_lock_update(tmp_path, capsys):
    """Write, check, then a tampered lock (a field the schemas no longer have): refused unless accepted."""
    out, lock = tmp_path / "docs", tmp_path / "lock.json"
    paths = ["--out", str(out), "--lock", str(lock)]
    # once through the installed console script, the rest in-process (each run regenerates everything)
    script = Path(sys.executable).with_name("enforcement-asyncapi")
    first = subprocess.run([str(script), *paths, "--update-lock"], capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in out.iterdir()) == ["asyncapi.yaml", "events.md"]
    assert event_docs.main([*paths, "--check"]) == 0

    snapshot = json.loads(lock.read_text(encoding="utf-8"))
    snapshot["personnel.officer.registered"]["fields"]["badge_number"] = {
        "type": "string",
        "required": True,
        "nullable": False,
    }
    lock.write_text(json.dumps(snapshot), encoding="utf-8")
    capsys.readouterr()
    assert event_docs.main([*paths, "--check"]) == 1
    assert "BREAKING: personnel.officer.registered field badge_number: field removed" in capsys.readouterr().out
    assert event_docs.main([*paths, "--update-lock"]) == 1
    assert "bump the event type's version" in capsys.readouterr().err
    assert json.loads(lock.read_text(encoding="utf-8")) == snapshot  # left as it was
    assert event_docs.main([*paths, "--update-lock", "--accept-breaking"]) == 0
    assert event_docs.main([*paths, "--check"]) == 0
