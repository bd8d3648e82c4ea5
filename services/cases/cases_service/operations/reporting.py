"""Reporting a case, recording its later stages and its decision, each with the checks of the whole case."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from enforcement_contracts.cases import procedure as contract
from enforcement_contracts.errors import Conflict, ValidationFailed
from enforcement_kernel import access
from enforcement_kernel.crypto import PersonalDataCipher

from .. import models as m
from ..personnel import PersonnelPort
from ..records.completeness import recording_findings, refuse_incomplete_close
from ..rules import cataloguing, periods, privacy, procedure, whole_case
from .benchmarks import benchmark_in_force
from .cases import (
    case_dates,
    case_dict,
    case_facts,
    case_status,
    check_officers,
    decision_due_on,
    extension_grants,
    get_case,
    officers_json,
    raise_if_refused,
    record_findings,
    report_dates,
    stored_children,
    suspension_spans,
)
from .catalogue import get_item, get_type, item_versions
from .common import (
    KIND_DECIDED,
    KIND_SERVED,
    Settings,
    _measure,
    _money,
    ensure_agency,
)
from .legal_reviews import emit_review, reviewer_problems


def _apply_decision(case: m.Case, decision: dict, item_type: m.ItemType) -> None:
    penalty = decision.get("penalty")
    if item_type.penalty_procedure and penalty is None:
        raise ValidationFailed(
            "a penalty case's decision names its penalty",
            {"decision.penalty": ["required for a penalty case (empty kinds: no penalty)"]},
        )
    if not item_type.penalty_procedure and (penalty or decision.get("circumstance") or decision.get("lenient")):
        raise ValidationFailed(
            "only penalty cases carry a penalty", {"decision.penalty": [f"not for a {item_type.name} case"]}
        )
    case.decided_on = decision["decided_on"]
    case.penalty_kinds = sorted(set(penalty["kinds"])) if penalty else []
    case.fine_amount = penalty.get("fine_amount") if penalty else None
    case.circumstance = decision.get("circumstance")
    case.lenient = decision.get("lenient")
    case.decision_summary = decision.get("summary", "")


def _record_withdrawal(case: m.Case, data: dict, actor: dict) -> None:
    """The party's withdrawal of its hearing request (art. 64): who withdrew it and who recorded it, with its day."""
    if data.get("hearing_withdrawn_on") is not None:
        case.hearing_withdrawn_by = data["hearing_withdrawn_by"]
        case.hearing_withdrawal_recorded_by = actor["username"]


def _check_circumstance(session, case: m.Case) -> None:
    """A tier named in a decision must be one of the benchmark's (a typo is bad input, not a warning)."""
    if case.circumstance is None or case.decided_on is None:
        return
    bench = benchmark_in_force(session, case.item_id, case.decided_on)
    codes = [t["tier"] for t in bench.tiers] if bench else []
    if case.circumstance not in codes:
        raise ValidationFailed(
            "unknown circumstance tier",
            {"decision.circumstance": [f"not a tier of the benchmark in force ({', '.join(codes) or 'none on file'})"]},
        )


def _decision_measure(
    tx, case: m.Case, item_type: m.ItemType, suspensions, extensions, settings: Settings
) -> int | None:
    """The 90-day figure of an ordinary penalty case; returns the days taken (suspensions excluded)."""
    if not (item_type.penalty_procedure and case.procedure == "ordinary"):
        return None
    timing = procedure.decision_timing(
        case.filed_on,
        case.decided_on,
        suspension_spans(suspensions),
        extension_grants(extensions),
        settings.case_rules.decision_limit_days,
    )
    _measure(
        tx,
        case.agency_code,
        KIND_DECIDED,
        case.case_id,
        case.filed_on,
        case.decided_on,
        timing.promptness,
        unit="days",  # art. 60 counts calendar days (suspensions excluded, approved extensions added)
        taken=timing.days_taken,
        deadline=settings.case_rules.decision_limit_days + timing.deadline.extension_days,
    )
    return timing.days_taken


def _emit_decided(tx, case: m.Case, days_taken: int | None, due: date | None) -> None:
    tx.emit(
        contract.CASE_DECIDED,
        {
            "case_id": case.case_id,
            "agency_code": case.agency_code,
            "case_number": case.case_number,
            "type_code": case.type_code,
            "decided_on": case.decided_on,
            "penalty_kinds": case.penalty_kinds,
            "fine_amount": _money(case.fine_amount),
            "is_major": case.is_major,
            "days_taken": days_taken if days_taken is not None else (case.decided_on - case.filed_on).days,
            "decision_due_on": due,
        },
        subject=case.case_id,
    )


def _served_measure(tx, case: m.Case, settings: Settings) -> None:
    result = periods.workday_promptness(case.decided_on, case.served_on, settings.case_rules.service_workdays)
    _measure(tx, case.agency_code, KIND_SERVED, case.case_id, case.decided_on, case.served_on, result)


def _party(data: dict, cipher: PersonalDataCipher) -> dict:
    """The party's columns: a citizen's ID number only encrypted, hashed and masked."""
    party = data["party"]
    id_number = (party.get("id_number") or "").strip().upper() or None
    if id_number and party["kind"] != "citizen":
        raise ValidationFailed(
            "an organisation is identified by its credit code",
            {"party.id_number": ["only for a citizen; give credit_code for an organisation"]},
        )
    identity = id_number or (party.get("credit_code") or "").strip().upper() or " ".join(party["name"].split())
    return {
        "party_kind": party["kind"],
        "party_name": party["name"].strip(),
        "party_id_encrypted": cipher.encrypt(id_number) if id_number else None,
        "party_id_masked": privacy.mask_id_number(id_number) if id_number else None,
        "party_credit_code": party.get("credit_code"),
        "is_enterprise": bool(party.get("is_enterprise")),
        "party_key": cipher.lookup_hash(f"{party['kind']}|{identity}"),
    }


def report_case(
    tx, actor: dict, data: dict, settings: Settings, personnel: PersonnelPort, cipher: PersonalDataCipher, today: date
) -> dict:
    """A case as the agency reports it (at 立案, or later with the stages so far, or whole once closed)."""
    # Over 50 lines: the law's checks run in its order and all before anything is written (a refusal
    # writes nothing); split up, that order and that guarantee would be spread over several functions.
    access.require_write(actor, data["agency_code"])
    session = tx.session
    item = get_item(session, data["item_id"], field="item_id")
    if item.agency_code != data["agency_code"]:
        raise ValidationFailed(
            "the item belongs to another agency's catalogue", {"item_id": ["belongs to another agency"]}
        )
    versions = item_versions(session, item.item_id)
    span = cataloguing.version_in_force(
        [cataloguing.VersionSpan(v.version, v.effective_from, v.effective_to) for v in versions], data["filed_on"]
    )
    if span is None:
        raise ValidationFailed(
            "the item was not in force on the filing date",
            {"item_id": [f"not in the catalogue on {data['filed_on'].isoformat()}"]},
        )
    version = next(v for v in versions if v.version == span.version)
    item_type = get_type(session, item.type_code)
    if session.execute(
        select(m.Case.case_id).where(
            m.Case.agency_code == data["agency_code"], m.Case.case_number == data["case_number"]
        )
    ).first():
        raise Conflict(f"case {data['case_number']} is already reported", {"case_number": ["already reported"]})

    # the personnel service's answers first: nothing is written before them (see ensure_agency)
    dates = report_dates(data)
    extra = {"officers": check_officers(personnel, data["officers"], data["agency_code"], version.domain, dates, {})}
    review = data.get("legal_review")
    if review:
        extra["legal_review.reviewer_id"] = reviewer_problems(
            session, personnel, data["agency_code"], [o["officer_id"] for o in data["officers"]], review, settings
        )
        if review["reviewed_on"] < data["filed_on"] or review["reviewed_on"] > today:
            extra["legal_review.reviewed_on"] = ["must lie between 立案 and today"]
    ensure_agency(session, personnel, data["agency_code"])

    case = m.Case(
        case_id=uuid.uuid4().hex,
        agency_code=data["agency_code"],
        case_number=data["case_number"].strip(),
        item_id=item.item_id,
        item_version=version.version,
        type_code=item.type_code,
        domain=version.domain,
        procedure=data["procedure"],
        harm=data["harm"],
        minor_violation=data["minor_violation"],
        violation_on=data.get("violation_on"),
        detected_on=data.get("detected_on"),
        filed_on=data["filed_on"],
        warnings=[],
        warning_count=0,
        penalty_kinds=[],
        decision_summary="",
        **_party(data, cipher),
    )
    for name in contract.STAGE_FIELDS:
        setattr(case, name, data.get(name))
    _record_withdrawal(case, data, actor)
    if data.get("decision"):
        _apply_decision(case, data["decision"], item_type)
    case.officers = officers_json(data["officers"], dates)
    _check_circumstance(session, case)
    review_dates = [review["reviewed_on"]] if review and review["passed"] else []
    facts = case_facts(session, case, item_type, data["suspensions"], data["extensions"], review_dates, settings)
    evaluation = whole_case.evaluate(facts, settings.case_rules, today)
    raise_if_refused(evaluation, extra)

    case.is_major = facts.major
    if case.closed_on is not None:  # reported whole: held to the kind catalogue like a case closed later
        refuse_incomplete_close(session, case, settings.records)
    evaluation.findings.extend(recording_findings(session, case, settings.records))
    case.status = case_status(case)
    session.add(case)
    for s in data["suspensions"]:
        session.add(m.Suspension(case_id=case.case_id, **s))
    for e in data["extensions"]:
        session.add(m.Extension(case_id=case.case_id, **e))
    if review:
        session.add(m.LegalReview(case_id=case.case_id, created_by=actor["username"], **review))
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            f"case {data['case_number']} is already reported", {"case_number": ["already reported"]}
        ) from None
    tx.emit(
        contract.CASE_REPORTED,
        {
            "case_id": case.case_id,
            "agency_code": case.agency_code,
            "case_number": case.case_number,
            "item_id": case.item_id,
            "item_version": case.item_version,
            "type_code": case.type_code,
            "party_kind": case.party_kind,
            "party_name_masked": privacy.party_display_name(case.party_kind, case.party_name),
            "is_enterprise": case.is_enterprise,
            "procedure": case.procedure,
            "filed_on": case.filed_on,
            "officer_ids": [o["officer_id"] for o in case.officers],
            "is_major": case.is_major,
        },
        subject=case.case_id,
    )
    if review:
        emit_review(
            tx, case, session.execute(select(m.LegalReview).where(m.LegalReview.case_id == case.case_id)).scalar_one()
        )
    if case.decided_on is not None:
        days = _decision_measure(tx, case, item_type, data["suspensions"], data["extensions"], settings)
        _emit_decided(
            tx, case, days, decision_due_on(case, item_type, data["suspensions"], data["extensions"], settings, today)
        )
        if case.served_on is not None:
            _served_measure(tx, case, settings)
    record_findings(tx, case, evaluation.findings)
    return case_dict(session, case, settings, today)


def update_case(
    tx, actor: dict, case_id: str, data: dict, settings: Settings, personnel: PersonnelPort, today: date
) -> dict:
    """Record later stages, suspensions, extensions or added officers; the checks run again on the whole case."""
    # Over 50 lines: new stages, officers, suspensions and extensions are applied, then the whole case is
    # checked again in one transaction (a refusal rolls everything back); the steps share the case's state.
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    if case.revoked_on is not None:
        raise Conflict("the decision was revoked; the case is closed to changes", {"case_id": ["revoked"]})
    if not data:
        raise ValidationFailed(
            "nothing to record", {"_schema": ["give at least one stage, suspension, extension or officer"]}
        )
    item_type = get_type(session, case.type_code)
    suspensions, extensions, reviews = stored_children(session, case_id)
    changed, new_stages = [], {}
    for name in contract.STAGE_FIELDS:
        if name in data:
            current = getattr(case, name)
            if current is not None and current != data[name]:
                raise Conflict(f"{name} is already recorded ({current.isoformat()})", {name: ["already recorded"]})
            if current is None:
                new_stages[name] = data[name]
    dates = {**case_dates(case), **new_stages}
    officers = [{"officer_id": o["officer_id"], "acted_on": o.get("acted_on")} for o in case.officers]
    known = {o["officer_id"] for o in officers}
    for officer in data.get("officers", []):
        if officer["officer_id"] in known:
            raise ValidationFailed(
                "the officer is already on the case", {"officers": [f"{officer['officer_id']} already on the case"]}
            )
        officers.append(officer)
    already = {o["officer_id"]: set(o.get("checked_on", [])) for o in case.officers}
    extra = {"officers": check_officers(personnel, officers, case.agency_code, case.domain, dates, already)}

    # apply, then check the whole case again (a refusal rolls everything back)
    for name, value in new_stages.items():
        setattr(case, name, value)
        changed.append(name)
    if "hearing_withdrawn_on" in data and "hearing_withdrawn_on" not in new_stages:
        if data["hearing_withdrawn_by"] != case.hearing_withdrawn_by:
            raise Conflict(
                f"the withdrawal is already recorded as by the {case.hearing_withdrawn_by}",
                {"hearing_withdrawn_by": ["already recorded"]},
            )
    _record_withdrawal(case, new_stages | {"hearing_withdrawn_by": data.get("hearing_withdrawn_by")}, actor)
    if "officers" in data:
        changed.append("officers")
    case.officers = officers_json(officers, dates, case.officers)
    new_suspensions = []
    for s in data.get("suspensions", []):
        open_one = next((x for x in suspensions if x.suspended_on == s["suspended_on"] and x.resumed_on is None), None)
        if open_one is not None and s.get("resumed_on"):
            open_one.resumed_on = s["resumed_on"]
        elif any(x.suspended_on == s["suspended_on"] for x in suspensions):
            raise Conflict(
                "this suspension is already recorded",
                {"suspensions": [f"{s['suspended_on'].isoformat()} already recorded"]},
            )
        else:
            new_suspensions.append(m.Suspension(case_id=case_id, **s))
    if data.get("suspensions"):
        changed.append("suspensions")
    new_extensions = [m.Extension(case_id=case_id, **e) for e in data.get("extensions", [])]
    if new_extensions:
        changed.append("extensions")
    all_suspensions, all_extensions = suspensions + new_suspensions, extensions + new_extensions
    facts = case_facts(
        session,
        case,
        item_type,
        all_suspensions,
        all_extensions,
        [r.reviewed_on for r in reviews if r.passed],
        settings,
    )
    if case.decided_on is not None:  # major as it was at the decision: a list entry added since does not reach back
        facts.major = bool(case.is_major)
    evaluation = whole_case.evaluate(facts, settings.case_rules, today)
    raise_if_refused(evaluation, extra)
    if "closed_on" in new_stages:
        refuse_incomplete_close(session, case, settings.records)
    evaluation.findings.extend(recording_findings(session, case, settings.records))
    session.add_all(new_suspensions + new_extensions)
    case.status = case_status(case)
    tx.emit(
        contract.CASE_UPDATED,
        {"case_id": case.case_id, "agency_code": case.agency_code, "changed": changed, "status": case.status},
        subject=case.case_id,
    )
    if "served_on" in new_stages:
        _served_measure(tx, case, settings)
    record_findings(tx, case, evaluation.findings)
    return case_dict(session, case, settings, today)


def decide_case(
    tx, actor: dict, case_id: str, data: dict, settings: Settings, personnel: PersonnelPort, today: date
) -> dict:
    """The decision: refused for a case on the major-decision list (any enforcement type) without a passed legal
    review, while a hearing requested in time was neither held nor withdrawn, outside the on-the-spot limits, or after
    the limitation period; recorded with warnings when late or outside the benchmark."""
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    if case.decided_on is not None:
        raise Conflict(f"the case was decided on {case.decided_on.isoformat()}", {"decided_on": ["already decided"]})
    item_type = get_type(session, case.type_code)
    suspensions, extensions, reviews = stored_children(session, case_id)
    dates = {**case_dates(case), "decided_on": data["decided_on"]}
    officers = [{"officer_id": o["officer_id"], "acted_on": o.get("acted_on")} for o in case.officers]
    already = {o["officer_id"]: set(o.get("checked_on", [])) for o in case.officers}
    extra = {"officers": check_officers(personnel, officers, case.agency_code, case.domain, dates, already)}

    _apply_decision(case, data, item_type)
    _check_circumstance(session, case)
    case.officers = officers_json(officers, dates, case.officers)
    facts = case_facts(
        session, case, item_type, suspensions, extensions, [r.reviewed_on for r in reviews if r.passed], settings
    )
    evaluation = whole_case.evaluate(facts, settings.case_rules, today)
    raise_if_refused(evaluation, extra)
    case.is_major = facts.major
    evaluation.findings.extend(recording_findings(session, case, settings.records))
    case.status = case_status(case)
    days = _decision_measure(tx, case, item_type, suspensions, extensions, settings)
    _emit_decided(tx, case, days, decision_due_on(case, item_type, suspensions, extensions, settings, today))
    record_findings(tx, case, evaluation.findings)
    return case_dict(session, case, settings, today)
