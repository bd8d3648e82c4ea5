"""docs/obligations.md is held to the registry of obligations the code measures and watches
(``enforcement_contracts.obligations``): one row per registered kind, no row for a kind nobody measures, and each
row's clock in the registry's unit. The services cannot measure or announce a kind that is not registered
(``test_an_unregistered_kind_cannot_be_announced_or_measured``), so a kind the code measures has a row."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from marshmallow import ValidationError

from enforcement_contracts.obligations import OBLIGATIONS, obligation

DOC = Path(__file__).resolve().parents[2] / "docs" / "obligations.md"
UNIT_WORDS = {"workdays": "workdays", "days": "days, calendar", "hours": "hours"}


def _rows() -> dict[str, list[str]]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`([a-z_]+)`", cells[0]) if len(cells) == 7 else None
        if match:
            assert match.group(1) not in rows, f"two rows for {match.group(1)}"
            rows[match.group(1)] = cells
    return rows


def test_every_registered_obligation_has_exactly_one_row_and_every_row_is_registered():
    rows = _rows()
    assert set(rows) == set(OBLIGATIONS), (
        f"missing rows: {sorted(set(OBLIGATIONS) - set(rows))}; "
        f"rows nobody measures: {sorted(set(rows) - set(OBLIGATIONS))}"
    )


@pytest.mark.parametrize("kind", sorted(OBLIGATIONS))
def test_each_row_states_its_clock_in_the_registered_unit_and_setting_and_who_watches_it(kind):
    ob = obligation(kind)
    _, owes, clock, starts, ends, watched, metric = _rows()[kind]
    assert owes and starts and ends, kind
    assert UNIT_WORDS[ob.unit] in clock, f"{kind}: the clock should be in {ob.unit}: {clock}"
    assert ob.setting.split(" ")[0] in clock, f"{kind}: the clock should name its setting {ob.setting}"
    assert f"{ob.service}." in watched and "deadline" in watched or "overdue" in watched, watched
    assert f'service="{ob.service}"' in metric and f'kind="{kind}"' in metric, metric


def test_an_unregistered_kind_cannot_be_announced_or_measured():
    """Every deadline announcement and every measurement a service emits passes the registry: an unknown kind is
    refused at the producer (a consumer reading a newer producer's kind is not held to it)."""
    from enforcement_contracts.cases import promptness as cases_promptness
    from enforcement_contracts.common import DeadlineMissed, PromptnessMeasured
    from enforcement_contracts.events import EventType

    day = date(2026, 3, 2)
    missed = {
        "agency_code": "SFJ",
        "kind": "made_up_kind",
        "reference": "x",
        "started_on": day,
        "due_on": day,
        "detected_on": day,
        "deadline": 5,
        "deadline_unit": "workdays",
    }
    measured = {
        "agency_code": "SFJ",
        "kind": "made_up_kind",
        "reference": "x",
        "started_on": day,
        "ended_on": day,
        "workdays_taken": 1,
        "deadline_workdays": 5,
        "on_time": True,
    }
    case_missed = {**missed, "case_id": "C1"}
    del case_missed["reference"]
    for event_type, payload in (
        (EventType("test", "deadline.missed", DeadlineMissed), missed),
        (EventType("test", "promptness.measured", PromptnessMeasured), measured),
        (cases_promptness.DEADLINE_MISSED, case_missed),
        (cases_promptness.PROMPTNESS_MEASURED, measured),
    ):
        with pytest.raises(ValidationError) as refused:
            event_type.dump(payload)
        assert "kind" in refused.value.messages, event_type.type
        assert event_type.dump({**payload, "kind": "certificate_cancelled"})["kind"] == "certificate_cancelled"
        # a subscriber still reads a kind it does not know (a newer producer's)
        assert event_type.load(event_type.dump({**payload, "kind": "case_decided"}) | {"kind": "new_kind"})
    with pytest.raises(ValueError):
        obligation("made_up_kind")
