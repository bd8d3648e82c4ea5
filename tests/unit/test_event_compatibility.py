"""The event-schema compatibility rules, on crafted contract schemas put through the real JSON Schema converter."""

from __future__ import annotations

from marshmallow import Schema, fields

from enforcement_contracts.compatibility import compare, snapshot, unaccepted
from enforcement_contracts.event_json_schema import payload_schema
from enforcement_contracts.events import EventType


class Party(Schema):
    kind = fields.String(required=True)
    name_masked = fields.String(required=True)


class CaseV1(Schema):
    case_id = fields.String(required=True)
    filed_on = fields.Date(required=True)
    fine = fields.Float(allow_none=True)
    note = fields.String()
    parties = fields.List(fields.Nested(Party), required=True)


def lock(*schemas: type[Schema], version: int = 1, name: str = "cases.case.reported") -> dict:
    """The snapshot of one event type, built the way the committed lock is."""
    events = [EventType("cases", name.split(".", 1)[1], schema, version) for schema in schemas]
    return snapshot({e.type: (e.version, payload_schema(e)) for e in events})


def breaking(old: dict, new: dict) -> list[str]:
    return [f"{c.kind}:{c.field}" for c in unaccepted(compare(old, new))]


def test_identical_schemas_have_no_changes():
    assert compare(lock(CaseV1), lock(CaseV1)) == []


def test_removing_a_field_without_a_version_bump_is_breaking():
    class NoNote(CaseV1):
        class Meta:
            exclude = ("note",)

    assert breaking(lock(CaseV1), lock(NoNote)) == ["field removed:note"]


def test_removing_a_field_with_a_version_bump_passes():
    class NoNote(CaseV1):
        class Meta:
            exclude = ("note",)

    changes = compare(lock(CaseV1), lock(NoNote, version=2))
    assert unaccepted(changes) == []
    assert [c.kind for c in changes] == ["version bumped", "field removed"]  # still reported, and accepted


def test_adding_an_optional_field_passes_without_a_bump():
    class WithOptional(CaseV1):
        closed_on = fields.Date(allow_none=True)

    changes = compare(lock(CaseV1), lock(WithOptional))
    assert unaccepted(changes) == []
    assert [(c.kind, c.field) for c in changes] == [("field added", "closed_on")]


def test_adding_a_required_field_is_breaking():
    class WithRequired(CaseV1):
        decided_on = fields.Date(required=True)

    assert breaking(lock(CaseV1), lock(WithRequired)) == ["field newly required:decided_on"]


def test_retyping_a_field_is_breaking_including_its_format():
    class FineAsString(CaseV1):
        fine = fields.String(allow_none=True)

    class FiledAtDateTime(CaseV1):
        filed_on = fields.DateTime(required=True)

    assert breaking(lock(CaseV1), lock(FineAsString)) == ["field retyped:fine"]
    assert breaking(lock(CaseV1), lock(FiledAtDateTime)) == ["field retyped:filed_on"]


def test_required_optional_and_nullable_changes():
    class NoteRequired(CaseV1):
        note = fields.String(required=True)

    class CaseIdOptional(CaseV1):
        case_id = fields.String()

    class NoteNullable(CaseV1):
        note = fields.String(allow_none=True)

    class FineNotNullable(CaseV1):
        fine = fields.Float()

    assert breaking(lock(CaseV1), lock(NoteRequired)) == ["field newly required:note"]
    assert breaking(lock(CaseV1), lock(CaseIdOptional)) == ["field no longer required:case_id"]
    assert breaking(lock(CaseV1), lock(NoteNullable)) == ["field newly nullable:note"]
    assert breaking(lock(CaseV1), lock(FineNotNullable)) == []  # subscribers only see fewer nulls


def test_nested_fields_are_compared_by_path():
    class PartyWithoutName(Schema):
        kind = fields.String(required=True)

    class PartyWithOptionalAddress(Party):
        address_masked = fields.String()

    class Dropped(CaseV1):
        parties = fields.List(fields.Nested(PartyWithoutName), required=True)

    class Added(CaseV1):
        parties = fields.List(fields.Nested(PartyWithOptionalAddress), required=True)

    assert breaking(lock(CaseV1), lock(Dropped)) == ["field removed:parties[].name_masked"]
    assert breaking(lock(CaseV1), lock(Added)) == []


def test_a_new_optional_object_with_required_members_is_not_breaking():
    class Decision(Schema):
        decided_on = fields.Date(required=True)

    class WithDecision(CaseV1):
        decision = fields.Nested(Decision, allow_none=True)

    assert breaking(lock(CaseV1), lock(WithDecision)) == []


def test_event_types_removed_added_and_versions_lowered():
    two = {**lock(CaseV1), **lock(CaseV1, name="cases.case.decided")}
    assert breaking(two, lock(CaseV1)) == ["event type removed:None"]
    assert unaccepted(compare(lock(CaseV1), two)) == []
    assert [c.kind for c in compare(lock(CaseV1), two)] == ["event type added"]
    assert breaking(lock(CaseV1, version=2), lock(CaseV1, version=1)) == ["version lowered:None"]
