"""The records checks against the database: the documents a case holds and lacks, its recordings, the refusal to
close an incomplete case, and the warnings (rules/records.py has the rules themselves)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from enforcement_contracts.errors import Conflict
from enforcement_kernel.config import setting

from .. import models as m
from ..rules import records as rules
from .kinds import Catalogue, Kind, kind_catalogue


def _date(value) -> date | None:
    if value in (None, "", "null", "None"):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass(frozen=True)
class RecordsSettings:
    """``CASES.records``: from which filing day the records rules hold (the catalogue's required documents at
    closing, the whole-process recording warning; None: never), and what beyond the law needs recordings."""

    required_from: date | None = date(2027, 1, 1)
    recording: rules.RecordingSettings = field(default_factory=rules.RecordingSettings)

    @classmethod
    def from_config(cls, config: dict) -> RecordsSettings:
        wanted = setting(config, "CASES.records.recording_required_for", None) or {}
        return cls(
            required_from=_date(setting(config, "CASES.records.required_from", "2027-01-01")),
            recording=rules.RecordingSettings(
                types=frozenset(wanted.get("types") or ()), items=frozenset(wanted.get("items") or ())
            ),
        )


def present_kinds(session, case_id: str) -> set[str]:
    """The kinds of the documents the case holds."""
    return set(session.execute(select(m.CaseDocument.kind).where(m.CaseDocument.case_id == case_id)).scalars())


def recording_count(session, case_id: str) -> int:
    return session.execute(select(func.count()).where(m.Recording.case_id == case_id)).scalar_one()


def case_facts(case: m.Case) -> set[str]:
    return rules.stage_facts(
        {
            "investigation_ended_on": case.investigation_ended_on,
            "notice_on": case.notice_on,
            "hearing_held_on": case.hearing_held_on,
            "decided_on": case.decided_on,
            "served_on": case.served_on,
            "executed_on": case.executed_on,
        },
        bool(case.is_major),
        case.penalty_kinds or (),
        case.fine_amount,
    )


def missing_documents(
    session, case: m.Case, catalogue: Catalogue | None = None, present: set[str] | None = None
) -> list[Kind]:
    """The kinds the catalogue requires of the case as it stands, which it does not hold (catalogue order);
    ``present``: the kinds it holds when already read (a page of cases, ``records_data``)."""
    if catalogue is None:  # read once per session: a page of cases checks each against the same catalogue
        catalogue = session.info.get("kind_catalogue") or session.info.setdefault(
            "kind_catalogue", kind_catalogue(session)
        )
    if present is None:
        present = present_kinds(session, case.case_id)
    required = catalogue.required_kinds(case.type_code, case.procedure, case_facts(case))
    return [k for k in required if k.code not in present]


def refuse_incomplete_close(session, case: m.Case, settings: RecordsSettings) -> None:
    """409 naming each missing kind when a case held to the catalogue is closed without them."""
    if not rules.completeness_applies(case.filed_on, settings.required_from):
        return
    missing = [k.code for k in missing_documents(session, case)]
    if missing:
        raise Conflict(
            rules.close_refusal(missing), {"closed_on": [rules.missing_document_message(code) for code in missing]}
        )


def _item_keys(session, case: m.Case) -> set[str]:
    keys = {case.item_id}
    code = session.execute(select(m.Item.code).where(m.Item.item_id == case.item_id)).scalar_one_or_none()
    if code:
        keys.add(code)
    return keys


def recording_findings(session, case: m.Case, settings: RecordsSettings) -> list:
    """The whole-process recording warning, when the case needs recordings, has none and is decided or closed."""
    decided_or_closed = case.decided_on is not None or case.closed_on is not None
    # like the documents: only cases filed since the records were kept in the suite (earlier ones have none here)
    if not decided_or_closed or not rules.completeness_applies(case.filed_on, settings.required_from):
        return []
    keys = _item_keys(session, case) if settings.recording.items else set()
    reason = rules.recording_reason(case.type_code, case.procedure, keys, settings.recording)
    if reason is None:
        return []
    finding = rules.recording_finding(reason, recording_count(session, case.case_id), decided_or_closed)
    return [finding] if finding else []


@dataclass(frozen=True)
class RecordsData:
    """What ``records_checks`` reads of some cases, read with one query per kind (a page of cases costs the same
    few queries as one case): the document kinds each holds, its recordings, the codes of their items."""

    present: dict[str, set[str]] = field(default_factory=dict)
    recordings: dict[str, int] = field(default_factory=dict)
    item_codes: dict[str, str] = field(default_factory=dict)


def records_data(session, cases: list[m.Case], settings: RecordsSettings) -> RecordsData:
    """``RecordsData`` of the cases held to the records rules (the others are not looked up: no query for them)."""
    held = [c for c in cases if rules.completeness_applies(c.filed_on, settings.required_from)]
    if not held:
        return RecordsData()
    ids = [c.case_id for c in held]
    present: dict[str, set[str]] = {}
    for case_id, kind in session.execute(
        select(m.CaseDocument.case_id, m.CaseDocument.kind).where(m.CaseDocument.case_id.in_(ids))
    ):
        present.setdefault(case_id, set()).add(kind)
    recordings = dict(
        session.execute(
            select(m.Recording.case_id, func.count()).where(m.Recording.case_id.in_(ids)).group_by(m.Recording.case_id)
        ).all()
    )
    codes = {}
    if settings.recording.items:
        items = {c.item_id for c in held}
        codes = dict(session.execute(select(m.Item.item_id, m.Item.code).where(m.Item.item_id.in_(items))).all())
    return RecordsData(present, recordings, codes)


def records_checks(session, case: m.Case, settings: RecordsSettings, data: RecordsData | None = None) -> dict:
    """What the case's procedural checks show of its records now: the documents it lacks (by kind) and whether it
    needs recordings and has some. A case filed before ``required_from`` is held to neither: nothing is looked up
    (a list of historical cases costs no query more). ``data``: ``records_data`` of a page holding the case."""
    if not rules.completeness_applies(case.filed_on, settings.required_from):
        return {"missing_documents": [], "completeness_enforced": False, "recording_required": False, "recordings": 0}
    if data is None:
        data = records_data(session, [case], settings)
    missing = missing_documents(session, case, present=data.present.get(case.case_id, set()))
    keys = {case.item_id} if settings.recording.items else set()
    if settings.recording.items and data.item_codes.get(case.item_id):
        keys.add(data.item_codes[case.item_id])
    reason = rules.recording_reason(case.type_code, case.procedure, keys, settings.recording)
    return {
        "missing_documents": [{"code": k.code, "name": k.name} for k in missing],
        "completeness_enforced": True,
        "recording_required": reason is not None,
        "recordings": data.recordings.get(case.case_id, 0),
    }
