"""The pure rules of a case's records (issue 15): the document-kind catalogue, what a case must hold, whole-process
recordings, and the hash chain recomputed without a database."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from cases_service.records import chain, kinds
from cases_service.records.completeness import RecordsSettings
from cases_service.rules import records as rules
from enforcement_contracts.cases import records as contract

CATALOGUE = kinds.default_catalogue()
DECIDED = {"decided_on": date(2025, 3, 1)}


def codes(found) -> list[str]:
    return [k.code for k in found]


# --- the catalogue ------------------------------------------------------------------------------------
def test_the_first_catalogue_names_every_kind_of_the_issue_with_limits_and_media_types():
    for code in (
        "filing_approval",
        "inquiry_record",
        "evidence_photo",
        "evidence_scan",
        "evidence_audio",
        "evidence_video",
        "notice_of_rights",
        "hearing_record",
        "legal_review_opinion",
        "decision",
        "service_receipt",
        "recording",
    ):
        kind = CATALOGUE.kind(code)
        assert kind is not None, code
        assert kind.max_bytes > 0 and kind.media_types and set(kind.stages) <= set(kinds.STAGES)
    assert CATALOGUE.kind("service_receipt").name == "送达回证"
    assert CATALOGUE.kind("no_such_kind") is None
    assert kinds.STAGES == contract.RECORD_STAGES
    # every condition a requirement names is one the rules decide
    for kind in CATALOGUE.kinds:
        for requirement in kind.required:
            assert set(requirement.when) <= set(kinds.CONDITIONS), kind.code


def test_the_catalogue_answers_its_own_contract_and_round_trips_through_its_data():
    data = CATALOGUE.as_dict()
    assert contract.KindCatalogue().validate(data) == {}
    again = kinds.Catalogue.from_data(2, date(2026, 1, 1), data["kinds"])
    assert [k.as_dict() for k in again.kinds] == data["kinds"]


def test_a_service_receipt_is_required_of_a_decided_ordinary_penalty_case_only():
    facts = rules.stage_facts(DECIDED, False, ["warning"], None)
    assert "service_receipt" in codes(CATALOGUE.required_kinds("penalty", "ordinary", facts))
    assert "service_receipt" not in codes(CATALOGUE.required_kinds("penalty", "simplified", facts))
    assert "service_receipt" not in codes(CATALOGUE.required_kinds("licensing", "ordinary", facts))
    undecided = rules.stage_facts({}, False, [], None)
    assert "service_receipt" not in codes(CATALOGUE.required_kinds("penalty", "ordinary", undecided))


def test_a_hearing_record_only_after_a_hearing_and_a_legal_review_opinion_only_for_major_decisions():
    plain = rules.stage_facts(DECIDED, False, [], None)
    required = codes(CATALOGUE.required_kinds("penalty", "ordinary", plain))
    assert "hearing_record" not in required and "legal_review_opinion" not in required
    heard_major = rules.stage_facts({**DECIDED, "hearing_held_on": date(2025, 2, 1)}, True, [], None)
    required = codes(CATALOGUE.required_kinds("penalty", "ordinary", heard_major))
    assert "hearing_record" in required and "legal_review_opinion" in required
    # a major licensing decision is reviewed too (every enforcement type)
    assert "legal_review_opinion" in codes(CATALOGUE.required_kinds("licensing", "ordinary", heard_major))


def test_stage_facts_follow_the_dates_and_the_fine():
    assert rules.stage_facts({}, False, [], None) == {"filed"}
    facts = rules.stage_facts({"executed_on": date(2025, 1, 1)}, False, [], Decimal("0"))
    assert facts == {"filed", "executed"}
    assert "has_fine" in rules.stage_facts({}, False, ["fine"], None)
    assert "has_fine" in rules.stage_facts({}, False, [], Decimal("50"))


# --- completeness -------------------------------------------------------------------------------------
def test_completeness_applies_from_the_setting_day_on_and_never_without_one():
    day = date(2025, 1, 1)
    assert rules.completeness_applies(day, day)
    assert not rules.completeness_applies(date(2024, 12, 31), day)
    assert not rules.completeness_applies(day, None)


def test_the_close_refusal_names_each_missing_kind():
    assert rules.missing_document_message("service_receipt") == "missing document service_receipt"
    message = rules.close_refusal(["decision", "service_receipt"])
    assert message.endswith("missing: decision, service_receipt")


def test_records_settings_from_config():
    settings = RecordsSettings.from_config(
        {"CASES": {"records": {"required_from": "2025-07-01", "recording_required_for": {"types": ["licensing"]}}}}
    )
    assert settings.required_from == date(2025, 7, 1)
    assert settings.recording.types == frozenset({"licensing"}) and settings.recording.items == frozenset()
    assert RecordsSettings.from_config({"CASES": {"records": {"required_from": ""}}}).required_from is None
    # YAML gives a date
    assert RecordsSettings.from_config({"CASES": {"records": {"required_from": date(2026, 1, 1)}}}).required_from == (
        date(2026, 1, 1)
    )
    assert RecordsSettings.from_config({}).required_from == date(2027, 1, 1)


# --- whole-process recordings -------------------------------------------------------------------------
NONE = rules.RecordingSettings()


@pytest.mark.parametrize(
    ("type_code", "procedure", "reason"),
    [
        ("inspection", "ordinary", "inspection"),
        ("coercion", "ordinary", "coercion"),
        ("penalty", "simplified", "on_the_spot"),
        ("penalty", "ordinary", None),
        ("licensing", "ordinary", None),
    ],
)
def test_the_law_requires_recordings_of_on_site_enforcement(type_code, procedure, reason):
    assert rules.recording_reason(type_code, procedure, {"item-1"}, NONE) == reason


def test_the_county_adds_types_and_items_by_setting():
    by_type = rules.RecordingSettings(types=frozenset({"licensing"}))
    assert rules.recording_reason("licensing", "ordinary", set(), by_type) == "type"
    by_item = rules.RecordingSettings(items=frozenset({"SCJ-CF-001"}))
    assert rules.recording_reason("penalty", "ordinary", {"abc", "SCJ-CF-001"}, by_item) == "item"
    assert rules.recording_reason("penalty", "ordinary", {"abc", "SCJ-CF-002"}, by_item) is None


def test_a_case_needing_recordings_is_flagged_once_decided_or_closed_and_only_without_any():
    finding = rules.recording_finding("on_the_spot", 0, True)
    assert finding.code == rules.RECORDING_MISSING and finding.field == "recordings"
    assert "执法全过程记录" in finding.message and "on-the-spot" in finding.message
    assert rules.recording_finding("on_the_spot", 1, True) is None
    assert rules.recording_finding("on_the_spot", 0, False) is None
    assert rules.recording_finding(None, 0, True) is None


def test_a_recording_names_either_its_file_or_the_recorders_reference_and_ends_after_it_starts():
    base = {
        "device_id": "DSJ-0042",
        "officer_id": "o1",
        "started_at": "2025-03-01T09:00:00+08:00",
        "ended_at": "2025-03-01T09:30:00+08:00",
        "place": "城关镇某超市",
    }
    schema = contract.RecordingCreate()
    assert schema.load({**base, "recorder_reference": "REC-1"})["recorder_reference"] == "REC-1"
    assert schema.load({**base, "document_id": "d" * 32})["document_id"] == "d" * 32
    for bad, field in (
        (base, "document_id"),
        ({**base, "recorder_reference": "REC-1", "document_id": "d" * 32}, "document_id"),
        ({**base, "recorder_reference": "REC-1", "ended_at": base["started_at"]}, "ended_at"),
        ({**base, "recorder_reference": "REC-1", "ended_at": "2025-03-01T08:00:00+08:00"}, "ended_at"),
        ({**base, "recorder_reference": "REC-1", "place": " "}, "place"),
    ):
        with pytest.raises(ValidationError) as refused:
            schema.load(bad)
        assert field in refused.value.messages


# --- the chain, recomputed ----------------------------------------------------------------------------
def make_chain(case_id: str, n: int) -> list[chain.ChainEntry]:
    entries, prev = [], chain.GENESIS
    for seq in range(1, n + 1):
        at = datetime(2025, 3, 1, 9, 0, seq, 123456)
        sha = f"{seq:064x}"
        digest = chain.entry_hash(prev, chain.canonical(case_id, seq, "document", f"doc{seq}", sha, at, "admin"))
        entries.append(chain.ChainEntry(case_id, seq, "document", f"doc{seq}", sha, at, "admin", prev, digest))
        prev = digest
    return entries


def test_an_untouched_chain_verifies():
    report = chain.verify_entries("c1", make_chain("c1", 5))
    assert report.ok and report.entries == 5 and report.altered == [] and report.gaps == []
    assert chain.verify_entries("c1", []).ok


def test_each_entry_hashes_the_one_before_it():
    entries = make_chain("c1", 3)
    assert entries[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.entry_hash for a, b in zip(entries, entries[1:], strict=False))


@pytest.mark.parametrize(
    "change",
    [
        {"reference": "doc-other"},
        {"content_sha256": "f" * 64},
        {"actor": "someone"},
        {"recorded_at": datetime(2025, 3, 1, 9, 0, 2, 123457)},
        {"entry_type": "recording"},
    ],
)
def test_an_altered_field_fails_that_entry_and_every_one_after_it(change):
    entries = make_chain("c1", 5)
    entries[1] = dataclasses.replace(entries[1], **change)
    assert chain.verify_entries("c1", entries).altered == [2, 3, 4, 5]


def test_a_rehashed_entry_still_breaks_the_next_link():
    """Someone who alters an entry and recomputes its own hash still leaves the next entry's prev_hash wrong."""
    entries = make_chain("c1", 4)
    e = entries[1]
    forged = chain.entry_hash(
        e.prev_hash, chain.canonical("c1", 2, "document", "forged", e.content_sha256, e.recorded_at, e.actor)
    )
    entries[1] = dataclasses.replace(e, reference="forged", entry_hash=forged)
    assert chain.verify_entries("c1", entries).altered == [3, 4]


def test_a_removed_entry_is_a_gap_and_breaks_the_chain_after_it():
    entries = make_chain("c1", 4)
    del entries[1]
    report = chain.verify_entries("c1", entries)
    assert report.gaps == [2] and report.altered == [3, 4] and not report.ok


def test_the_console_names_each_missing_document_in_chinese():
    """The API names a missing document by its code; the console reads 缺少<name> for every kind of the catalogue."""
    from enforcement_console import messages

    for kind in CATALOGUE.kinds:
        assert messages.translate(rules.missing_document_message(kind.code)) == f"缺少{kind.name}", kind.code
    assert messages.translate(rules.close_refusal(["service_receipt"])) == "案件缺少必备文书，不能结案"
    for reason in ("on_the_spot", "inspection", "coercion", "type", "item"):
        chinese = messages.translate(rules.recording_finding(reason, 0, True).message)
        assert chinese and "执法全过程记录" in chinese, reason
