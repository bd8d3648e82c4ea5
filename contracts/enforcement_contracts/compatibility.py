"""Schema versioning of events: a snapshot of every payload's fields and the rules for what breaks a subscriber.

The snapshot (committed as ``contracts/event-schemas.lock.json``) maps an event type to its version and its
fields, nested ones by path (``party.kind``, ``officers[].name``), each with its type, whether it is always
present (required) and whether it may be null. Compared with the schemas of today, a change is breaking when
a subscriber written against the snapshot could fail on it:

- an event type removed, or its version lowered;
- a field removed or retyped;
- a field newly required (a new required field, or an optional one made required; producers of the old
  version do not send it);
- a field no longer required (subscribers rely on it being there) or newly nullable.

A breaking change is accepted only when the event type's version went up. Adding an optional field, a new
event type, or making a field non-nullable is not breaking. Pure functions: no broker, no apispec.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    event_type: str
    kind: str
    field: str | None = None
    detail: str = ""
    breaking: bool = False
    bumped: bool = False  # the event type's version went up, so a breaking change is allowed

    def __str__(self) -> str:
        where = f"{self.event_type}" + (f" field {self.field}" if self.field else "")
        return f"{where}: {self.kind}" + (f" ({self.detail})" if self.detail else "")


def _types(schema: dict) -> tuple[str | None, bool]:
    kind = schema.get("type")
    if isinstance(kind, list):
        nullable = "null" in kind
        rest = [k for k in kind if k != "null"]
        return (rest[0] if len(rest) == 1 else "|".join(sorted(rest)) or None), nullable
    return kind, False


def type_label(schema: dict) -> str:
    """A comparable name of a property's type: ``string``, ``string:date``, ``array<integer>``, ``object<number>``."""
    kind, _ = _types(schema)
    if kind is None:
        return "any"
    if kind == "array":
        return f"array<{type_label(schema.get('items', {}))}>"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict) and "properties" not in schema:
        return f"object<{type_label(schema['additionalProperties'])}>"
    return f"{kind}:{schema['format']}" if schema.get("format") else kind


def fields_of(schema: dict, prefix: str = "") -> dict[str, dict]:
    """Every field of an object schema by path, with ``type``, ``required`` and ``nullable``."""
    out: dict[str, dict] = {}
    required = set(schema.get("required", []))
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        kind, nullable = _types(sub)
        out[path] = {"type": type_label(sub), "required": name in required, "nullable": nullable}
        if kind == "object" and "properties" in sub:
            out.update(fields_of(sub, f"{path}."))
        items = sub.get("items", {})
        if kind == "array" and _types(items)[0] == "object" and "properties" in items:
            out.update(fields_of(items, f"{path}[]."))
    return out


def snapshot(schemas: dict[str, tuple[int, dict]]) -> dict:
    """event type → {"version": n, "fields": {path: {type, required, nullable}}} from (version, JSON Schema)."""
    return {
        name: {"version": version, "fields": fields_of(schema)} for name, (version, schema) in sorted(schemas.items())
    }


def _parent(path: str) -> str | None:
    """``party.kind`` → ``party``; ``officers[].name`` → ``officers``; top-level → None."""
    cut = path.rfind(".")
    return path[:cut].removesuffix("[]") if cut >= 0 else None


def _field_changes(name: str, old: dict, new: dict, bumped: bool) -> list[Change]:
    changes = []

    def add(kind: str, field: str, detail: str = "", breaking: bool = True):
        changes.append(Change(name, kind, field, detail, breaking, bumped))

    for path, was in old.items():
        now = new.get(path)
        if now is None:
            add("field removed", path)
            continue
        if now["type"] != was["type"]:
            add("field retyped", path, f"{was['type']} → {now['type']}")
        if now["required"] and not was["required"]:
            add("field newly required", path)
        if was["required"] and not now["required"]:
            add("field no longer required", path)
        if now["nullable"] and not was["nullable"]:
            add("field newly nullable", path)
        if was["nullable"] and not now["nullable"]:
            add("field no longer nullable", path, breaking=False)
    for path, now in new.items():
        if path in old:
            continue
        parent = _parent(path)
        # a required field inside a new optional object only breaks through its parent, reported on its own
        inside_new_parent = parent is not None and parent not in old
        if now["required"] and not inside_new_parent:
            add("field newly required", path, "new required field")
        else:
            add("field added", path, breaking=False)
    return changes


def compare(committed: dict, current: dict) -> list[Change]:
    """Every difference between the committed snapshot and the current one (breaking or not)."""
    changes: list[Change] = []
    for name, was in sorted(committed.items()):
        now = current.get(name)
        if now is None:
            changes.append(Change(name, "event type removed", breaking=True))
            continue
        if now["version"] < was["version"]:
            changes.append(
                Change(name, "version lowered", detail=f"{was['version']} → {now['version']}", breaking=True)
            )
            continue
        bumped = now["version"] > was["version"]
        if bumped:
            changes.append(Change(name, "version bumped", detail=f"{was['version']} → {now['version']}", bumped=True))
        changes.extend(_field_changes(name, was["fields"], now["fields"], bumped))
    for name in sorted(set(current) - set(committed)):
        changes.append(Change(name, "event type added"))
    return changes


def unaccepted(changes: list[Change]) -> list[Change]:
    """The breaking changes whose event type's version was not bumped."""
    return [c for c in changes if c.breaking and not c.bumped]
