"""A case's records (issue 15): when a case needs whole-process recordings (执法全过程记录), and which documents of the
kind catalogue it must hold before it closes.

Whole-process recording: the plan's 三项制度 require on-site enforcement to be recorded from start to end. The suite
requires it of on-site inspection (行政检查), administrative coercion (行政强制) and on-the-spot penalties (简易程序,
art. 51-52), and of the types and items a county adds by setting. The check runs once the case is decided or closed
(before that the recording may still be registered) and is a warning, as the other procedural findings; like the
completeness check it holds for cases filed on or after ``required_from`` (earlier cases have no records here).

Completeness: the kinds the catalogue requires for the case's type, procedure and stage facts, less those it holds.
It refuses closing only for cases filed on or after the county's ``required_from`` day, so cases filed before the
catalogue was in use (historical imports) still close."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .discretion import Finding

# types whose every case is on-site enforcement: inspection (现场检查) and coercion (行政强制措施/执行)
LAW_RECORDING_TYPES = ("inspection", "coercion")

RECORDING_MISSING = "recording_missing"

_REASONS = {
    "on_the_spot": "an on-the-spot penalty (简易程序, art. 51)",
    "inspection": "an on-site inspection (行政检查)",
    "coercion": "administrative coercion (行政强制)",
    "type": "a case of an enforcement type the county requires recordings for",
    "item": "a case of an item the county requires recordings for",
}


@dataclass(frozen=True)
class RecordingSettings:
    """``CASES.records.recording_required_for``: more enforcement types, and items (by id or code), whose cases
    need recordings, beyond the law's (on-site inspection, coercion, on-the-spot penalties)."""

    types: frozenset[str] = frozenset()
    items: frozenset[str] = frozenset()


def recording_reason(
    type_code: str, procedure: str, item_keys: Iterable[str], settings: RecordingSettings
) -> str | None:
    """Why a case needs a whole-process recording (a key of the reasons), or None when it does not."""
    if procedure == "simplified":
        return "on_the_spot"
    if type_code in LAW_RECORDING_TYPES:
        return type_code
    if type_code in settings.types:
        return "type"
    if settings.items.intersection(item_keys):
        return "item"
    return None


def recording_finding(reason: str | None, recordings: int, decided_or_closed: bool) -> Finding | None:
    """The warning for a case that needs recordings and has none, once it is decided or closed."""
    if reason is None or recordings > 0 or not decided_or_closed:
        return None
    return Finding(
        RECORDING_MISSING,
        "recordings",
        f"no whole-process recording (执法全过程记录) is registered for {_REASONS[reason]}",
    )


def stage_facts(
    dates: dict[str, date | None],
    major: bool,
    penalty_kinds: Iterable[str],
    fine: Decimal | None,
) -> set[str]:
    """The facts the kind catalogue's requirements name (kinds.CONDITIONS), from the case's stage dates."""
    facts = {"filed"}
    for fact, name in (
        ("investigated", "investigation_ended_on"),
        ("noticed", "notice_on"),
        ("hearing_held", "hearing_held_on"),
        ("decided", "decided_on"),
        ("served", "served_on"),
        ("executed", "executed_on"),
    ):
        if dates.get(name) is not None:
            facts.add(fact)
    if major:
        facts.add("major")
    if "fine" in set(penalty_kinds) or (fine is not None and fine > 0):
        facts.add("has_fine")
    return facts


def completeness_applies(filed_on: date, required_from: date | None) -> bool:
    """Cases filed on or after the county's day are held to the catalogue (None: never)."""
    return required_from is not None and filed_on >= required_from


def missing_document_message(code: str) -> str:
    """The rule's words for one missing kind (the console shows 缺少<kind name>)."""
    return f"missing document {code}"


def close_refusal(missing_codes: list[str]) -> str:
    return "the case cannot close while required documents are missing: " + ", ".join(missing_codes)
