"""The published events as documents for subscribers: AsyncAPI 3.0, a Markdown catalogue, the schema lock.

Output is deterministic (fixed example ids and times) so ``docs/`` can be compared with a fresh generation
in a test.

Command (from the repository root)::

    enforcement-asyncapi                  # rewrite docs/asyncapi.yaml and docs/events.md
    enforcement-asyncapi --update-lock    # ... and contracts/event-schemas.lock.json (refuses a breaking
                                          # change unless the event type's version was bumped)
    enforcement-asyncapi --check          # write nothing; exit 1 when docs or lock are stale or a change breaks
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import compatibility
from .asyncapi import build_asyncapi, render_catalogue, render_yaml
from .event_json_schema import payload_schema
from .events import EventType, all_event_types

DEFAULT_OUT = Path("docs")
DEFAULT_LOCK = Path("contracts/event-schemas.lock.json")


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


def _parser() -> argparse.ArgumentParser:
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
    return parser


def _check(out: Path, lock: Path, files: dict[str, str], changes: list) -> int:
    status = 0
    for name, text in files.items():
        path = out / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            print(f"stale: {path}")
            status = 1
    if changes:
        print(f"stale: {lock}")
        status = 1
    return status


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    files = generated_files()
    snapshot = current_snapshot()
    committed = json.loads(args.lock.read_text(encoding="utf-8")) if args.lock.exists() else {}
    changes = compatibility.compare(committed, snapshot)
    breaking = compatibility.unaccepted(changes)
    for change in changes:
        print(f"{'BREAKING' if change in breaking else 'change'}: {change}")
    if args.check:
        return _check(args.out, args.lock, files, changes)
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
