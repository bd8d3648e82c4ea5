"""Cases: reporting, later stages and the decision with their checks, legal review, publication, reading."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from enforcement_contracts import cases as contract
from enforcement_contracts.errors import Conflict, NotFound, ValidationFailed
from enforcement_kernel import access
from enforcement_kernel.crypto import PersonalDataCipher

from .. import models as m
from .. import rules
from ..personnel import PersonnelPort, officer_problems
from .catalogue import benchmark_in_force, get_item, get_type, item_versions, lists_in_force, major_rules
from .common import (
    KIND_DECIDED,
    KIND_PUBLISHED,
    KIND_SERVED,
    KIND_WITHDRAWN,
    Settings,
    _iso,
    _measure,
    _money,
    ensure_agency,
)

DATE_FIELDS = ("violation_on", "detected_on", "filed_on", *contract.STAGE_FIELDS, "decided_on")
# stages an officer acts in, by default (the dates they are checked on)
ACTING_STAGES = ("filed_on", "investigation_ended_on", "notice_on", "hearing_held_on", "decided_on")


def get_case(session, case_id: str) -> m.Case:
    case = session.get(m.Case, case_id) if isinstance(case_id, str) else None
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def require_case_read(actor: dict, case: m.Case) -> None:
    """Agency admins read their agency's cases; an officer reads the cases they are on."""
    on_case = actor.get("officer_id") in {o["officer_id"] for o in case.officers}
    access.require_read(actor, case.agency_code, actor.get("officer_id") if on_case else None)


def case_dates(case: m.Case) -> dict[str, date | None]:
    return {name: getattr(case, name) for name in DATE_FIELDS}


def report_dates(data: dict) -> dict[str, date | None]:
    """A report's dates as ``case_dates`` gives them for a stored case."""
    decision = data.get("decision") or {}
    return {name: decision.get("decided_on") if name == "decided_on" else data.get(name) for name in DATE_FIELDS}


def _acting_dates(officer: dict, dates: dict) -> list[date]:
    if officer.get("acted_on"):
        return [date.fromisoformat(d) if isinstance(d, str) else d for d in officer["acted_on"]]
    return [dates[s] for s in ACTING_STAGES if dates.get(s) is not None]


def _check_officers(
    personnel: PersonnelPort, officers: list[dict], agency_code: str, domain: str, dates: dict, already: dict[str, set]
) -> list[str]:
    """Ask personnel about every (officer, date) not checked before; returns the problems found."""
    problems = []
    for officer in officers:
        wanted = [
            d for d in _acting_dates(officer, dates) if d.isoformat() not in already.get(officer["officer_id"], set())
        ]
        if wanted or officer["officer_id"] not in already:
            problems += officer_problems(personnel, officer["officer_id"], agency_code, domain, wanted)
    return problems


def _officers_json(officers: list[dict], dates: dict, previous: list[dict] | None = None) -> list[dict]:
    """Officers as stored: with the dates already checked, so a later stage re-asks only about new dates."""
    before = {o["officer_id"]: set(o.get("checked_on", [])) for o in previous or []}
    out = []
    for officer in officers:
        acted = officer.get("acted_on")
        checked = before.get(officer["officer_id"], set()) | {d.isoformat() for d in _acting_dates(officer, dates)}
        out.append(
            {
                "officer_id": officer["officer_id"],
                "acted_on": [d.isoformat() if isinstance(d, date) else d for d in acted] if acted else None,
                "checked_on": sorted(checked),
            }
        )
    return out


def _spans(case_suspensions) -> list[rules.SuspensionSpan]:
    return [
        rules.SuspensionSpan(
            s["suspended_on"] if isinstance(s, dict) else s.suspended_on,
            s.get("resumed_on") if isinstance(s, dict) else s.resumed_on,
        )
        for s in case_suspensions
    ]


def _grants(case_extensions) -> list[rules.ExtensionGrant]:
    return [
        rules.ExtensionGrant(
            e["days"] if isinstance(e, dict) else e.days, e["approved_on"] if isinstance(e, dict) else e.approved_on
        )
        for e in case_extensions
    ]


def _tiers(bench: m.Benchmark | None) -> list[rules.Tier]:
    if bench is None:
        return []
    return [
        rules.Tier(
            t["tier"],
            t["label"],
            tuple(t["penalty_kinds"]),
            Decimal(str(t["fine_min"])) if t.get("fine_min") is not None else None,
            Decimal(str(t["fine_max"])) if t.get("fine_max") is not None else None,
        )
        for t in bench.tiers
    ]


def prior_cases(session, case: m.Case, months: int) -> int:
    """Earlier cases of the same agency against the same party for the same item within the window (首违)."""
    detected = case.detected_on or case.filed_on
    start = rules.first_violation_window_start(detected, months)
    stmt = (
        select(func.count())
        .select_from(m.Case)
        .where(
            m.Case.agency_code == case.agency_code,
            m.Case.party_key == case.party_key,
            m.Case.item_id == case.item_id,
            m.Case.filed_on >= start,
            m.Case.filed_on <= detected,
        )
    )
    if case.case_id:
        stmt = stmt.where(m.Case.case_id != case.case_id)
    return session.execute(stmt).scalar_one()


def case_facts(
    session, case: m.Case, item_type: m.ItemType, suspensions, extensions, review_dates: list[date], settings: Settings
) -> rules.CaseFacts:
    decided = case.decided_on
    kinds = list(case.penalty_kinds or [])
    facts = rules.CaseFacts(
        agency_code=case.agency_code,
        item_id=case.item_id,
        party_kind=case.party_kind,
        procedure=case.procedure,
        penalty_procedure=item_type.penalty_procedure,
        officer_ids=[o["officer_id"] for o in case.officers],
        dates=case_dates(case),
        harm=case.harm,
        minor_violation=case.minor_violation,
        suspensions=_spans(suspensions),
        extensions=_grants(extensions),
        penalty_kinds=kinds,
        fine=case.fine_amount,
        circumstance=case.circumstance,
        lenient=case.lenient,
        passed_review_dates=review_dates,
        major=rules.is_major(major_rules(session, case.agency_code), case.item_id, kinds, case.fine_amount),
    )
    if decided is not None and item_type.penalty_procedure:
        facts.tiers = _tiers(benchmark_in_force(session, case.item_id, decided))
        facts.item_lists = lists_in_force(session, case.item_id, decided)
        facts.prior_cases_in_window = prior_cases(session, case, settings.case_rules.first_violation_months)
    return facts


def _raise_if_refused(evaluation: rules.Evaluation, extra: dict[str, list[str]]) -> None:
    errors = {k: list(v) for k, v in evaluation.errors.items()}
    for key, messages in extra.items():
        if messages:
            errors.setdefault(key, []).extend(messages)
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(f"the case was refused: {first}: {errors[first][0]}", errors)
    if evaluation.conflicts:
        first = next(iter(evaluation.conflicts))
        raise Conflict(evaluation.conflicts[first][0], evaluation.conflicts)


def _record_findings(tx, case: m.Case, findings) -> None:
    case.warnings, added = rules.merge_findings(case.warnings or [], findings)
    case.warning_count = len(case.warnings)
    if added:
        tx.emit(
            contract.CASE_FLAGGED,
            {
                "case_id": case.case_id,
                "agency_code": case.agency_code,
                "case_number": case.case_number,
                "warnings": added,
            },
            subject=case.case_id,
        )


def _status(case: m.Case) -> str:
    if case.revoked_on is not None:
        return "revoked"
    if case.closed_on is not None:
        return "closed"
    return "decided" if case.decided_on is not None else "filed"


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


def _reviewer_problems(
    personnel: PersonnelPort, agency_code: str, officer_ids: list[str], reviewer_id: str
) -> list[str]:
    reviewer = next((r for r in personnel.legal_reviewers(agency_code) if r["reviewer_id"] == reviewer_id), None)
    return rules.reviewer_errors(reviewer, agency_code, officer_ids)


def _decision_measure(
    tx, case: m.Case, item_type: m.ItemType, suspensions, extensions, settings: Settings
) -> int | None:
    """The 90-day figure of an ordinary penalty case; returns the days taken (suspensions excluded)."""
    if not (item_type.penalty_procedure and case.procedure == "ordinary"):
        return None
    timing = rules.decision_timing(
        case.filed_on,
        case.decided_on,
        _spans(suspensions),
        _grants(extensions),
        settings.case_rules.decision_limit_days,
    )
    _measure(tx, case.agency_code, KIND_DECIDED, case.case_id, case.filed_on, case.decided_on, timing.promptness)
    return timing.days_taken


def decision_due_on(
    case: m.Case, item_type: m.ItemType, suspensions, extensions, settings: Settings, today: date
) -> date | None:
    if not (item_type.penalty_procedure and case.procedure == "ordinary"):
        return None
    until = case.decided_on or today
    return rules.decision_deadline(
        case.filed_on, _spans(suspensions), _grants(extensions), until, settings.case_rules.decision_limit_days
    ).due_on


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
    result = rules.workday_promptness(case.decided_on, case.served_on, settings.case_rules.service_workdays)
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
        "party_id_masked": rules.mask_id_number(id_number) if id_number else None,
        "party_credit_code": party.get("credit_code"),
        "is_enterprise": bool(party.get("is_enterprise")),
        "party_key": cipher.lookup_hash(f"{party['kind']}|{identity}"),
    }


def report_case(
    tx, actor: dict, data: dict, settings: Settings, personnel: PersonnelPort, cipher: PersonalDataCipher, today: date
) -> dict:
    """A case as the agency reports it (at 立案, or later with the stages so far, or whole once closed)."""
    access.require_write(actor, data["agency_code"])
    session = tx.session
    item = get_item(session, data["item_id"], field="item_id")
    if item.agency_code != data["agency_code"]:
        raise ValidationFailed(
            "the item belongs to another agency's catalogue", {"item_id": ["belongs to another agency"]}
        )
    versions = item_versions(session, item.item_id)
    span = rules.version_in_force(
        [rules.VersionSpan(v.version, v.effective_from, v.effective_to) for v in versions], data["filed_on"]
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
    extra = {"officers": _check_officers(personnel, data["officers"], data["agency_code"], version.domain, dates, {})}
    review = data.get("legal_review")
    if review:
        extra["legal_review.reviewer_id"] = _reviewer_problems(
            personnel, data["agency_code"], [o["officer_id"] for o in data["officers"]], review["reviewer_id"]
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
    if data.get("decision"):
        _apply_decision(case, data["decision"], item_type)
    case.officers = _officers_json(data["officers"], dates)
    _check_circumstance(session, case)
    review_dates = [review["reviewed_on"]] if review and review["passed"] else []
    facts = case_facts(session, case, item_type, data["suspensions"], data["extensions"], review_dates, settings)
    evaluation = rules.evaluate(facts, settings.case_rules, today)
    _raise_if_refused(evaluation, extra)

    case.is_major = facts.major
    case.status = _status(case)
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
            "party_name_masked": rules.party_display_name(case.party_kind, case.party_name),
            "is_enterprise": case.is_enterprise,
            "procedure": case.procedure,
            "filed_on": case.filed_on,
            "officer_ids": [o["officer_id"] for o in case.officers],
            "is_major": case.is_major,
        },
        subject=case.case_id,
    )
    if review:
        _emit_review(
            tx, case, session.execute(select(m.LegalReview).where(m.LegalReview.case_id == case.case_id)).scalar_one()
        )
    if case.decided_on is not None:
        days = _decision_measure(tx, case, item_type, data["suspensions"], data["extensions"], settings)
        _emit_decided(
            tx, case, days, decision_due_on(case, item_type, data["suspensions"], data["extensions"], settings, today)
        )
        if case.served_on is not None:
            _served_measure(tx, case, settings)
    _record_findings(tx, case, evaluation.findings)
    return case_dict(session, case, settings, today)


def _stored(session, case_id: str):
    suspensions = list(
        session.execute(
            select(m.Suspension).where(m.Suspension.case_id == case_id).order_by(m.Suspension.suspended_on)
        ).scalars()
    )
    extensions = list(
        session.execute(
            select(m.Extension).where(m.Extension.case_id == case_id).order_by(m.Extension.approved_on)
        ).scalars()
    )
    reviews = list(
        session.execute(
            select(m.LegalReview).where(m.LegalReview.case_id == case_id).order_by(m.LegalReview.id)
        ).scalars()
    )
    return suspensions, extensions, reviews


def update_case(
    tx, actor: dict, case_id: str, data: dict, settings: Settings, personnel: PersonnelPort, today: date
) -> dict:
    """Record later stages, suspensions, extensions or added officers; the checks run again on the whole case."""
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
    suspensions, extensions, reviews = _stored(session, case_id)
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
    extra = {"officers": _check_officers(personnel, officers, case.agency_code, case.domain, dates, already)}

    # apply, then check the whole case again (a refusal rolls everything back)
    for name, value in new_stages.items():
        setattr(case, name, value)
        changed.append(name)
    if "officers" in data:
        changed.append("officers")
    case.officers = _officers_json(officers, dates, case.officers)
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
    evaluation = rules.evaluate(facts, settings.case_rules, today)
    _raise_if_refused(evaluation, extra)
    session.add_all(new_suspensions + new_extensions)
    case.status = _status(case)
    tx.emit(
        contract.CASE_UPDATED,
        {"case_id": case.case_id, "agency_code": case.agency_code, "changed": changed, "status": case.status},
        subject=case.case_id,
    )
    if "served_on" in new_stages:
        _served_measure(tx, case, settings)
    _record_findings(tx, case, evaluation.findings)
    return case_dict(session, case, settings, today)


def decide_case(
    tx, actor: dict, case_id: str, data: dict, settings: Settings, personnel: PersonnelPort, today: date
) -> dict:
    """The decision: refused for a major case without a passed legal review, outside the on-the-spot limits, or after
    the limitation period; recorded with warnings when late or outside the benchmark."""
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    if case.decided_on is not None:
        raise Conflict(f"the case was decided on {case.decided_on.isoformat()}", {"decided_on": ["already decided"]})
    item_type = get_type(session, case.type_code)
    suspensions, extensions, reviews = _stored(session, case_id)
    dates = {**case_dates(case), "decided_on": data["decided_on"]}
    officers = [{"officer_id": o["officer_id"], "acted_on": o.get("acted_on")} for o in case.officers]
    already = {o["officer_id"]: set(o.get("checked_on", [])) for o in case.officers}
    extra = {"officers": _check_officers(personnel, officers, case.agency_code, case.domain, dates, already)}

    _apply_decision(case, data, item_type)
    _check_circumstance(session, case)
    case.officers = _officers_json(officers, dates, case.officers)
    facts = case_facts(
        session, case, item_type, suspensions, extensions, [r.reviewed_on for r in reviews if r.passed], settings
    )
    evaluation = rules.evaluate(facts, settings.case_rules, today)
    _raise_if_refused(evaluation, extra)
    case.is_major = facts.major
    case.status = _status(case)
    days = _decision_measure(tx, case, item_type, suspensions, extensions, settings)
    _emit_decided(tx, case, days, decision_due_on(case, item_type, suspensions, extensions, settings, today))
    _record_findings(tx, case, evaluation.findings)
    return case_dict(session, case, settings, today)


# --- legal review ----------------------------------------------------------------------------
def _review_dict(r: m.LegalReview) -> dict:
    return {
        "review_id": r.id,
        "case_id": r.case_id,
        "reviewer_id": r.reviewer_id,
        "reviewed_on": r.reviewed_on.isoformat(),
        "passed": r.passed,
        "opinion": r.opinion,
    }


def _emit_review(tx, case: m.Case, review: m.LegalReview) -> None:
    tx.emit(
        contract.LEGAL_REVIEW_RECORDED,
        {
            "review_id": review.id,
            "case_id": case.case_id,
            "agency_code": case.agency_code,
            "reviewer_id": review.reviewer_id,
            "reviewed_on": review.reviewed_on,
            "passed": review.passed,
        },
        subject=case.case_id,
    )


def record_legal_review(tx, actor: dict, case_id: str, data: dict, personnel: PersonnelPort, today: date) -> dict:
    """法制审核 (art. 58): by a qualified reviewer of the agency, not an officer on the case, before the decision."""
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    if case.decided_on is not None:
        raise Conflict(
            "the case is already decided; a review comes before the decision", {"case_id": ["already decided"]}
        )
    problems = {}
    if data["reviewed_on"] < case.filed_on or data["reviewed_on"] > today:
        problems["reviewed_on"] = ["must lie between 立案 and today"]
    reviewer = _reviewer_problems(
        personnel, case.agency_code, [o["officer_id"] for o in case.officers], data["reviewer_id"]
    )
    if reviewer:
        problems["reviewer_id"] = reviewer
    if problems:
        first = next(iter(problems))
        raise ValidationFailed(f"the review was refused: {first}: {problems[first][0]}", problems)
    review = m.LegalReview(case_id=case_id, created_by=actor["username"], **data)
    session.add(review)
    session.flush()
    _emit_review(tx, case, review)
    return _review_dict(review)


# --- publication (公示) -----------------------------------------------------------------------
def publish_decision(tx, actor: dict, case_id: str, data: dict, settings: Settings, today: date) -> dict:
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    item_type = get_type(session, case.type_code)
    if not item_type.publish_decisions:
        raise Conflict(f"{item_type.name} decisions are not published", {"case_id": ["type not published"]})
    if case.decided_on is None:
        raise Conflict("the case is not decided yet", {"case_id": ["not decided"]})
    if case.revoked_on is not None:
        raise Conflict("the decision was revoked", {"case_id": ["revoked"]})
    if session.get(m.Publication, case_id) is not None:
        raise Conflict("the decision is already published", {"case_id": ["already published"]})
    published_on = data["published_on"]
    if published_on < case.decided_on or published_on > today:
        raise ValidationFailed(
            "publication date out of range",
            {"published_on": [f"must lie between the decision ({case.decided_on.isoformat()}) and today"]},
        )
    session.add(m.Publication(case_id=case_id, agency_code=case.agency_code, published_on=published_on))
    result = rules.workday_promptness(case.decided_on, published_on, settings.publication_workdays)
    _measure(tx, case.agency_code, KIND_PUBLISHED, case_id, case.decided_on, published_on, result)
    tx.emit(
        contract.DECISION_PUBLISHED,
        {
            "case_id": case_id,
            "agency_code": case.agency_code,
            "case_number": case.case_number,
            "type_code": case.type_code,
            "decided_on": case.decided_on,
            "published_on": published_on,
            "on_time": result.on_time,
        },
        subject=case_id,
    )
    if not result.on_time:
        _record_findings(
            tx,
            case,
            [
                rules.Finding(
                    "publication_late",
                    "published_on",
                    f"published {result.workdays_taken} working days after the decision; "
                    f"due within {settings.publication_workdays} (国办发〔2018〕118号)",
                )
            ],
        )
    session.flush()
    return case_dict(session, case, settings, today)


def revoke_decision(tx, actor: dict, case_id: str, data: dict, settings: Settings, today: date) -> dict:
    """The decision was changed or revoked: recorded, announced; its publication must be withdrawn in 3 working days."""
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    if case.decided_on is None:
        raise Conflict("the case is not decided yet", {"case_id": ["not decided"]})
    if case.revoked_on is not None:
        raise Conflict("the decision is already revoked", {"case_id": ["revoked"]})
    if data["changed_on"] < case.decided_on or data["changed_on"] > today:
        raise ValidationFailed(
            "date out of range",
            {"changed_on": [f"must lie between the decision ({case.decided_on.isoformat()}) and today"]},
        )
    session.add(
        m.Revocation(
            case_id=case_id,
            changed_on=data["changed_on"],
            revoked=data["revoked"],
            reason=data["reason"],
            ground=data["ground"],
        )
    )
    if data["revoked"]:
        case.revoked_on = data["changed_on"]
    case.status = _status(case)
    tx.emit(
        contract.DECISION_REVOKED,
        {
            "case_id": case_id,
            "agency_code": case.agency_code,
            "changed_on": data["changed_on"],
            "revoked": data["revoked"],
            "reason": data["reason"],
        },
        subject=case_id,
    )
    session.flush()
    return case_dict(session, case, settings, today)


def withdraw_publication(tx, actor: dict, case_id: str, data: dict, settings: Settings, today: date) -> dict:
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    publication = session.get(m.Publication, case_id)
    if publication is None or publication.withdrawn_on is not None:
        raise Conflict("no publication to withdraw", {"case_id": ["not published"]})
    change = (
        session.execute(
            select(m.Revocation).where(m.Revocation.case_id == case_id).order_by(m.Revocation.changed_on.desc())
        )
        .scalars()
        .first()
    )
    if change is None:
        raise Conflict("record the change or revocation of the decision first", {"case_id": ["decision unchanged"]})
    withdrawn_on = data["withdrawn_on"]
    if withdrawn_on < max(change.changed_on, publication.published_on) or withdrawn_on > today:
        raise ValidationFailed(
            "date out of range",
            {"withdrawn_on": [f"must lie between the change ({change.changed_on.isoformat()}) and today"]},
        )
    publication.withdrawn_on = withdrawn_on
    result = rules.workday_promptness(change.changed_on, withdrawn_on, settings.withdrawal_workdays)
    _measure(tx, case.agency_code, KIND_WITHDRAWN, case_id, change.changed_on, withdrawn_on, result)
    tx.emit(
        contract.PUBLICATION_WITHDRAWN,
        {"case_id": case_id, "agency_code": case.agency_code, "withdrawn_on": withdrawn_on, "on_time": result.on_time},
        subject=case_id,
    )
    if not result.on_time:
        _record_findings(
            tx,
            case,
            [
                rules.Finding(
                    "withdrawal_late",
                    "withdrawn_on",
                    f"withdrawn {result.workdays_taken} working days after the change; "
                    f"due within {settings.withdrawal_workdays} (art. 48)",
                )
            ],
        )
    session.flush()
    return case_dict(session, case, settings, today)


def public_decisions(session, query: dict) -> dict:
    """What anyone may read: published decisions not withdrawn; no ID numbers, citizens' names masked."""
    V = m.ItemVersion
    stmt = (
        select(m.Case, m.Publication, V.name, V.legal_basis, m.Agency.name)
        .join(m.Publication, m.Publication.case_id == m.Case.case_id)
        .join(V, (V.item_id == m.Case.item_id) & (V.version == m.Case.item_version))
        .outerjoin(m.Agency, m.Agency.code == m.Case.agency_code)
        .where(m.Publication.withdrawn_on.is_(None))
    )
    if query.get("agency_code"):
        stmt = stmt.where(m.Case.agency_code == query["agency_code"])
    if query.get("type_code"):
        stmt = stmt.where(m.Case.type_code == query["type_code"])
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    rows = session.execute(
        stmt.order_by(m.Publication.published_on.desc(), m.Case.case_number)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    items = [
        {
            "case_id": c.case_id,
            "agency_code": c.agency_code,
            "agency_name": agency_name or c.agency_code,
            "case_number": c.case_number,
            "type_code": c.type_code,
            "item_name": item_name,
            "legal_basis": basis,
            "party_name": rules.party_display_name(c.party_kind, c.party_name),
            "party_kind": c.party_kind,
            "penalty_kinds": list(c.penalty_kinds or []),
            "fine_amount": _money(c.fine_amount),
            "decision_summary": c.decision_summary,
            "decided_on": c.decided_on.isoformat(),
            "published_on": p.published_on.isoformat(),
        }
        for c, p, item_name, basis, agency_name in rows
    ]
    return {"items": items, "total": total, "page": page, "per_page": per_page}


# --- reading cases ---------------------------------------------------------------------------
def case_dict(session, case: m.Case, settings: Settings, today: date) -> dict:
    suspensions, extensions, reviews = _stored(session, case.case_id)
    item_type = session.get(m.ItemType, case.type_code)
    name = session.execute(
        select(m.ItemVersion.name).where(
            m.ItemVersion.item_id == case.item_id, m.ItemVersion.version == case.item_version
        )
    ).scalar_one()
    publication = session.get(m.Publication, case.case_id)
    return {
        "case_id": case.case_id,
        "agency_code": case.agency_code,
        "case_number": case.case_number,
        "item_id": case.item_id,
        "item_version": case.item_version,
        "item_name": name,
        "type_code": case.type_code,
        "domain": case.domain,
        "status": case.status,
        "party": {
            "kind": case.party_kind,
            "name": case.party_name,
            "id_number_masked": case.party_id_masked,
            "credit_code": case.party_credit_code,
            "is_enterprise": case.is_enterprise,
        },
        "officers": [{"officer_id": o["officer_id"], "acted_on": o.get("acted_on")} for o in case.officers],
        "procedure": case.procedure,
        "harm": case.harm,
        "minor_violation": case.minor_violation,
        **{name_: _iso(getattr(case, name_)) for name_ in DATE_FIELDS},
        "revoked_on": _iso(case.revoked_on),
        "decision_due_on": _iso(decision_due_on(case, item_type, suspensions, extensions, settings, today)),
        "penalty_kinds": list(case.penalty_kinds or []),
        "fine_amount": _money(case.fine_amount),
        "circumstance": case.circumstance,
        "lenient": case.lenient,
        "decision_summary": case.decision_summary,
        "is_major": case.is_major,
        "legal_reviews": [_review_dict(r) for r in reviews],
        "suspensions": [
            {"suspended_on": s.suspended_on.isoformat(), "resumed_on": _iso(s.resumed_on), "reason": s.reason}
            for s in suspensions
        ],
        "extensions": [
            {"days": e.days, "approved_on": e.approved_on.isoformat(), "approved_by": e.approved_by, "reason": e.reason}
            for e in extensions
        ],
        "warnings": list(case.warnings or []),
        "published_on": _iso(publication.published_on) if publication else None,
        "publication_withdrawn_on": _iso(publication.withdrawn_on) if publication else None,
    }


def read_case(session, actor: dict, case_id: str, settings: Settings, today: date) -> dict:
    case = get_case(session, case_id)
    require_case_read(actor, case)
    return case_dict(session, case, settings, today)


def list_cases(session, actor: dict, query: dict, settings: Settings, today: date) -> dict:
    agency_code = access.query_agency(actor, query.get("agency_code"))
    stmt = select(m.Case)
    if agency_code:
        stmt = stmt.where(m.Case.agency_code == agency_code)
    for key, column in (("type_code", m.Case.type_code), ("status", m.Case.status)):
        if query.get(key):
            stmt = stmt.where(column == query[key])
    if query.get("flagged") is not None:
        stmt = stmt.where(m.Case.warning_count > 0 if query["flagged"] else m.Case.warning_count == 0)
    if query.get("filed_from"):
        stmt = stmt.where(m.Case.filed_on >= query["filed_from"])
    if query.get("filed_to"):
        stmt = stmt.where(m.Case.filed_on <= query["filed_to"])
    cases = (
        session.execute(stmt.order_by(m.Case.filed_on.desc(), m.Case.case_number)).scalars().all()
        if actor.get("role") == "officer"
        else None
    )
    if cases is not None:  # an officer: only the cases they are on (few; filtered here, JSON column)
        cases = [c for c in cases if actor.get("officer_id") in {o["officer_id"] for o in c.officers}]
        total = len(cases)
        page, per_page = query.get("page", 1), query.get("per_page", 50)
        cases = cases[(page - 1) * per_page : page * per_page]
    else:
        total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
        page, per_page = query.get("page", 1), query.get("per_page", 50)
        cases = (
            session.execute(
                stmt.order_by(m.Case.filed_on.desc(), m.Case.case_number).offset((page - 1) * per_page).limit(per_page)
            )
            .scalars()
            .all()
        )
    return {
        "items": [case_dict(session, c, settings, today) for c in cases],
        "total": total,
        "page": page,
        "per_page": per_page,
    }
