"""The cases service's use cases: database work around the pure rules in ``rules.py``.

Each function takes a kernel ``Tx`` (or a read session), the settings and the caller's actor, and returns
contract-shaped dicts. Entry points in ``service.py`` only route to these. Questions for the personnel service
(certificates, legal reviewers, agencies) are asked before anything is written, so a refusal or an unreachable
personnel service leaves nothing behind.
"""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import Integer, cast, func, select
from sqlalchemy import case as sa_case
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from enforcement_contracts import cases as contract
from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement_kernel import access, metrics
from enforcement_kernel.config import setting
from enforcement_kernel.crypto import PersonalDataCipher

from . import models as m
from . import rules
from .personnel import PersonnelPort, officer_problems

SERVICE = contract.SERVICE

# promptness kinds (labels on the metrics; bounded)
KIND_DECIDED = "case_decided"
KIND_SERVED = "decision_served"
KIND_PUBLISHED = "decision_published"
KIND_WITHDRAWN = "publication_withdrawn"
KIND_TRANSFER_DECIDED = "transfer_decided"
KIND_TRANSFER_HANDED_OVER = "transfer_handed_over"
KIND_TRANSFER_ACKNOWLEDGED = "transfer_acknowledged"
#: the county's local time: a date-time sent with a zone is read in it, one without is taken as local already
LOCAL_TIME = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Settings:
    case_rules: rules.CaseRules
    publication_workdays: int
    withdrawal_workdays: int
    dormant_item_years: int
    transfer_decision_workdays: int = 3
    transfer_handover_hours: int = 24
    transfer_ack_workdays: int = 3
    inspection_limits: rules.InspectionLimits = rules.InspectionLimits()
    review_form_points: int = 20
    review_content_points: int = 80
    grade_excellent: int = 90
    grade_pass: int = 70

    @classmethod
    def from_config(cls, config: dict) -> "Settings":
        c = lambda key, default: setting(config, f"CASES.{key}", default)  # noqa: E731
        return cls(
            case_rules=rules.CaseRules(
                min_officers=int(c("min_officers", 2)),
                decision_limit_days=int(c("decision_limit_days", 90)),
                on_the_spot_citizen=Decimal(str(c("on_the_spot_limit_citizen", 200))),
                on_the_spot_organisation=Decimal(str(c("on_the_spot_limit_organisation", 3000))),
                hearing_request_workdays=int(c("hearing_request_workdays", 5)),
                hearing_notice_workdays=int(c("hearing_notice_workdays", 7)),
                service_workdays=int(c("service_workdays", 7)),
                limitation_years=int(c("limitation_years", 2)),
                limitation_years_extended=int(c("limitation_years_extended", 5)),
                first_violation_months=int(c("first_violation_months", 12)),
            ),
            publication_workdays=int(c("publication_workdays", 7)),
            withdrawal_workdays=int(c("withdrawal_workdays", 3)),
            dormant_item_years=int(c("dormant_item_years", 5)),
            transfer_decision_workdays=int(c("transfer_decision_workdays", 3)),
            transfer_handover_hours=int(c("transfer_handover_hours", 24)),
            transfer_ack_workdays=int(c("transfer_ack_workdays", 3)),
            inspection_limits=rules.InspectionLimits(
                yearly_cap=int(c("inspection_yearly_cap", 2)),
                cap_exempt_kinds=tuple(c("inspection_cap_exempt_kinds", ["complaint", "referral"])),
                repeat_window_days=int(c("inspection_repeat_window_days", 30)),
                high_frequency=int(c("inspection_high_frequency", 4)),
            ),
            review_form_points=int(c("review_form_points", 20)),
            review_content_points=int(c("review_content_points", 80)),
            grade_excellent=int(c("review_grade_excellent", 90)),
            grade_pass=int(c("review_grade_pass", 70)),
        )


def cipher_from_config(config: dict) -> PersonalDataCipher:
    return PersonalDataCipher(str(config.get("ID_ENCRYPTION_KEY", "")), str(config.get("ID_HASH_KEY", "")))


def _money(value) -> float | None:
    return float(value) if value is not None else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- agencies (read through from personnel) ----------------------------------------------------
def ensure_agency(session, personnel: PersonnelPort, code: str, field: str = "agency_code") -> m.Agency:
    """The local copy of an agency; an unknown code is refreshed from personnel once, then a field error.

    It may write (the refreshed copy): call it after the operation's other personnel calls. On SQLite a write lock
    held across an RPC stalls the whole process (the relay's busy wait blocks the event loop)."""
    agency = session.get(m.Agency, code)
    if agency is None:
        refresh_agencies(session, personnel)
        agency = session.get(m.Agency, code)
    if agency is None:
        raise ValidationFailed(f"unknown agency {code}", {field: [f"unknown agency {code}"]})
    return agency


def refresh_agencies(session, personnel: PersonnelPort) -> int:
    added = 0
    for row in personnel.agencies():
        agency = session.get(m.Agency, row["code"])
        if agency is None:
            session.add(m.Agency(code=row["code"], name=row["name"], is_police=row["is_police"],
                                 is_supervisor=row["is_supervisor"]))
            added += 1
        else:
            agency.name, agency.is_police, agency.is_supervisor = row["name"], row["is_police"], row["is_supervisor"]
    session.flush()
    return added


# --- catalogue -------------------------------------------------------------------------------
def list_types(session) -> list[dict]:
    rows = session.execute(select(m.ItemType).order_by(m.ItemType.position, m.ItemType.code)).scalars()
    return [{"code": t.code, "name": t.name, "publish_decisions": t.publish_decisions,
             "penalty_procedure": t.penalty_procedure} for t in rows]


def get_type(session, code: str) -> m.ItemType:
    item_type = session.get(m.ItemType, code)
    if item_type is None:
        known = ", ".join(session.execute(select(m.ItemType.code).order_by(m.ItemType.position)).scalars())
        raise ValidationFailed(f"unknown enforcement type {code}", {"type_code": [f"unknown type; one of {known}"]})
    return item_type


def get_item(session, item_id: str, field: str | None = None) -> m.Item:
    item = session.get(m.Item, item_id) if isinstance(item_id, str) else None
    if item is None:
        if field:
            raise ValidationFailed(f"unknown item {item_id}", {field: [f"unknown item {item_id}"]})
        raise NotFound(f"item {item_id} not found")
    return item


def item_versions(session, item_id: str) -> list[m.ItemVersion]:
    return list(session.execute(select(m.ItemVersion).where(m.ItemVersion.item_id == item_id)
                                .order_by(m.ItemVersion.version)).scalars())


def _version_dict(v: m.ItemVersion) -> dict:
    return {"version": v.version, "name": v.name, "domain": v.domain, "legal_basis": v.legal_basis,
            "effective_from": v.effective_from.isoformat(), "effective_to": _iso(v.effective_to)}


def item_dict(item: m.Item, versions: list[m.ItemVersion]) -> dict:
    current = next(v for v in versions if v.version == item.current_version)
    return {"item_id": item.item_id, "agency_code": item.agency_code, "code": item.code, "type_code": item.type_code,
            "name": current.name, "domain": current.domain, "legal_basis": current.legal_basis,
            "version": current.version, "effective_from": current.effective_from.isoformat(),
            "cancelled_on": _iso(item.cancelled_on), "versions": [_version_dict(v) for v in versions]}


def _item_event(item: m.Item, version: m.ItemVersion) -> dict:
    return {"item_id": item.item_id, "agency_code": item.agency_code, "code": item.code, "type_code": item.type_code,
            "name": version.name, "domain": version.domain, "legal_basis": version.legal_basis,
            "version": version.version, "effective_from": version.effective_from}


def create_item(tx, actor: dict, data: dict, personnel: PersonnelPort, today: date) -> dict:
    access.require_write(actor, data["agency_code"])
    session = tx.session
    try:
        basis = rules.require_legal_basis(data["legal_basis"])
    except ValueError as exc:
        raise ValidationFailed(str(exc), {"legal_basis": [str(exc)]}) from None
    get_type(session, data["type_code"])
    ensure_agency(session, personnel, data["agency_code"])
    if session.execute(select(m.Item.item_id).where(m.Item.agency_code == data["agency_code"],
                                                    m.Item.code == data["code"])).first():
        raise Conflict(f"item {data['code']} already exists in this agency's catalogue", {"code": ["already exists"]})
    item = m.Item(item_id=uuid.uuid4().hex, agency_code=data["agency_code"], code=data["code"],
                  type_code=data["type_code"], current_version=1)
    version = m.ItemVersion(item_id=item.item_id, version=1, name=data["name"].strip(), domain=data["domain"],
                            legal_basis=basis, effective_from=data.get("effective_from") or today,
                            created_by=actor["username"], reason="registered")
    session.add_all([item, version])
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"item {data['code']} already exists in this agency's catalogue", {"code": ["already exists"]}) from None
    tx.emit(contract.ITEM_REGISTERED, _item_event(item, version), subject=item.item_id)
    return item_dict(item, [version])


def change_item(tx, actor: dict, item_id: str, data: dict) -> dict:
    session = tx.session
    item = get_item(session, item_id)
    access.require_write(actor, item.agency_code)
    if item.cancelled_on is not None:
        raise Conflict("the item was cancelled", {"item_id": ["cancelled"]})
    versions = item_versions(session, item_id)
    current = versions[-1]
    changed = [k for k in ("name", "domain", "legal_basis") if k in data and data[k].strip() != getattr(current, k)]
    if not changed:
        raise ValidationFailed("nothing changes", {"_schema": ["give a new name, domain or legal_basis"]})
    if "legal_basis" in data:
        try:
            rules.require_legal_basis(data["legal_basis"])
        except ValueError as exc:
            raise ValidationFailed(str(exc), {"legal_basis": [str(exc)]}) from None
    try:
        current.effective_to = rules.check_new_version_date(current.effective_from, data["effective_from"])
    except ValueError as exc:
        raise ValidationFailed("a new version starts after the current one", {"effective_from": [str(exc)]}) from None
    new = m.ItemVersion(item_id=item.item_id, version=current.version + 1,
                        name=data.get("name", current.name).strip(), domain=data.get("domain", current.domain),
                        legal_basis=data.get("legal_basis", current.legal_basis).strip(),
                        effective_from=data["effective_from"], reason=data["reason"], created_by=actor["username"])
    item.current_version = new.version
    session.add(new)
    tx.emit(contract.ITEM_CHANGED, {**_item_event(item, new), "reason": data["reason"], "changed": changed},
            subject=item.item_id)
    return item_dict(item, versions + [new])


def cancel_item(tx, actor: dict, item_id: str, data: dict) -> dict:
    session = tx.session
    item = get_item(session, item_id)
    access.require_write(actor, item.agency_code)
    if item.cancelled_on is not None:
        raise Conflict("the item is already cancelled", {"item_id": ["already cancelled"]})
    versions = item_versions(session, item_id)
    if data["cancelled_on"] <= versions[-1].effective_from:
        raise ValidationFailed("cancelled before the current version started",
                               {"cancelled_on": [f"must be after {versions[-1].effective_from.isoformat()}"]})
    item.cancelled_on, item.cancel_reason = data["cancelled_on"], data["reason"]
    versions[-1].effective_to = data["cancelled_on"]
    tx.emit(contract.ITEM_CANCELLED, {"item_id": item.item_id, "agency_code": item.agency_code, "code": item.code,
                                      "cancelled_on": item.cancelled_on, "reason": data["reason"]}, subject=item.item_id)
    return item_dict(item, versions)


def read_item(session, item_id: str) -> dict:
    item = get_item(session, item_id)
    return item_dict(item, item_versions(session, item_id))


def list_items(session, query: dict) -> dict:
    """The catalogue is public information (it is published): any signed-in role reads every agency's."""
    stmt = select(m.Item)
    if query.get("agency_code"):
        stmt = stmt.where(m.Item.agency_code == query["agency_code"])
    if query.get("type_code"):
        stmt = stmt.where(m.Item.type_code == query["type_code"])
    if not query.get("include_cancelled"):
        stmt = stmt.where(m.Item.cancelled_on.is_(None))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    items = session.execute(stmt.order_by(m.Item.agency_code, m.Item.code)
                            .offset((page - 1) * per_page).limit(per_page)).scalars().all()
    versions: dict[str, list] = {}
    if items:
        for v in session.execute(select(m.ItemVersion).where(m.ItemVersion.item_id.in_([i.item_id for i in items]))
                                 .order_by(m.ItemVersion.version)).scalars():
            versions.setdefault(v.item_id, []).append(v)
    return {"items": [item_dict(i, versions[i.item_id]) for i in items], "total": total, "page": page,
            "per_page": per_page}


def dormant_items(session, actor: dict, query: dict, settings: Settings, today: date) -> list[dict]:
    """Items with no case filed in the last N years (a setting): proposed for cancellation or adjustment."""
    scope = access.scope_agency(actor)
    agency_code = query.get("agency_code")
    if scope is not None and agency_code not in (None, scope):
        access.require_read(actor, agency_code)
    agency_code = scope or agency_code
    as_of = query.get("as_of") or today
    cutoff = rules.dormant_cutoff(as_of, settings.dormant_item_years)
    last_case = (select(m.Case.item_id, func.max(m.Case.filed_on).label("last"))
                 .group_by(m.Case.item_id).subquery())
    first_version = (select(m.ItemVersion.item_id, func.min(m.ItemVersion.effective_from).label("since"))
                     .group_by(m.ItemVersion.item_id).subquery())
    stmt = (select(m.Item, last_case.c.last, first_version.c.since)
            .join(first_version, first_version.c.item_id == m.Item.item_id)
            .outerjoin(last_case, last_case.c.item_id == m.Item.item_id)
            .where(m.Item.cancelled_on.is_(None), first_version.c.since <= cutoff)
            .where((last_case.c.last.is_(None)) | (last_case.c.last < cutoff)))
    if agency_code:
        stmt = stmt.where(m.Item.agency_code == agency_code)
    out = []
    for item, last, since in session.execute(stmt.order_by(m.Item.agency_code, m.Item.code)).all():
        if not rules.is_dormant(last, since, as_of, settings.dormant_item_years):
            continue  # the SQL and the rule agree; the rule is the reference
        current = session.execute(select(m.ItemVersion).where(m.ItemVersion.item_id == item.item_id,
                                                              m.ItemVersion.version == item.current_version)).scalar_one()
        out.append({"item_id": item.item_id, "agency_code": item.agency_code, "code": item.code,
                    "type_code": item.type_code, "name": current.name, "last_case_filed_on": _iso(last),
                    "in_catalogue_since": since.isoformat()})
    return out


# --- benchmarks, lenient lists, major-decision list ------------------------------------------
def _tiers_json(tiers: list[dict]) -> list[dict]:
    return [{"tier": t["tier"], "label": t["label"], "penalty_kinds": sorted(set(t["penalty_kinds"])),
             "fine_min": _money(t.get("fine_min")), "fine_max": _money(t.get("fine_max")), "note": t.get("note", "")}
            for t in tiers]


def benchmark_dict(item: m.Item, b: m.Benchmark) -> dict:
    return {"item_id": item.item_id, "agency_code": item.agency_code, "version": b.version, "tiers": b.tiers,
            "effective_from": b.effective_from.isoformat(), "note": b.note}


def set_benchmark(tx, actor: dict, item_id: str, data: dict) -> dict:
    """A new benchmark version; every one is filed with the bureau (备案) as an event."""
    session = tx.session
    item = get_item(session, item_id)
    access.require_write(actor, item.agency_code)
    if not get_type(session, item.type_code).penalty_procedure:
        raise ValidationFailed("discretion benchmarks grade penalties", {"item_id": ["not a penalty item"]})
    if item.cancelled_on is not None:
        raise Conflict("the item was cancelled", {"item_id": ["cancelled"]})
    latest = session.execute(select(m.Benchmark).where(m.Benchmark.item_id == item_id)
                             .order_by(m.Benchmark.version.desc())).scalars().first()
    if latest is not None and data["effective_from"] <= latest.effective_from:
        raise ValidationFailed("a new benchmark version starts after the current one",
                               {"effective_from": [f"must be after {latest.effective_from.isoformat()}"]})
    bench = m.Benchmark(item_id=item_id, version=(latest.version + 1) if latest else 1, tiers=_tiers_json(data["tiers"]),
                        effective_from=data["effective_from"], note=data.get("note", ""), created_by=actor["username"])
    session.add(bench)
    tx.emit(contract.BENCHMARK_FILED, {"item_id": item_id, "agency_code": item.agency_code, "item_code": item.code,
                                       "version": bench.version, "effective_from": bench.effective_from,
                                       "tiers": bench.tiers, "filed_by": actor["username"]}, subject=item_id)
    return benchmark_dict(item, bench)


def benchmark_in_force(session, item_id: str, on: date) -> m.Benchmark | None:
    return session.execute(select(m.Benchmark).where(m.Benchmark.item_id == item_id, m.Benchmark.effective_from <= on)
                           .order_by(m.Benchmark.version.desc())).scalars().first()


def read_benchmarks(session, item_id: str) -> list[dict]:
    item = get_item(session, item_id)
    rows = session.execute(select(m.Benchmark).where(m.Benchmark.item_id == item_id)
                           .order_by(m.Benchmark.version)).scalars()
    return [benchmark_dict(item, b) for b in rows]


def _entry_dict(e: m.LenientEntry, item_name: str) -> dict:
    return {"entry_id": e.id, "agency_code": e.agency_code, "list_kind": e.list_kind, "item_id": e.item_id,
            "item_name": item_name, "conditions": e.conditions, "effective_from": e.effective_from.isoformat(),
            "removed_on": _iso(e.removed_on)}


def _current_name(session, item: m.Item) -> str:
    return session.execute(select(m.ItemVersion.name).where(m.ItemVersion.item_id == item.item_id,
                                                            m.ItemVersion.version == item.current_version)).scalar_one()


def add_lenient_entry(tx, actor: dict, data: dict) -> dict:
    session = tx.session
    item = get_item(session, data["item_id"], field="item_id")
    access.require_write(actor, item.agency_code)
    if not get_type(session, item.type_code).penalty_procedure:
        raise ValidationFailed("lenient lists hold penalty items", {"item_id": ["not a penalty item"]})
    if session.execute(select(m.LenientEntry.id).where(m.LenientEntry.item_id == item.item_id,
                                                       m.LenientEntry.list_kind == data["list_kind"],
                                                       m.LenientEntry.removed_on.is_(None))).first():
        raise Conflict(f"the item is already on the {data['list_kind']} list", {"item_id": ["already listed"]})
    entry = m.LenientEntry(agency_code=item.agency_code, list_kind=data["list_kind"], item_id=item.item_id,
                           conditions=data["conditions"].strip(), effective_from=data["effective_from"])
    session.add(entry)
    session.flush()
    tx.emit(contract.LENIENT_LIST_FILED, {"agency_code": entry.agency_code, "list_kind": entry.list_kind,
                                          "action": "added", "entry_id": entry.id, "item_id": item.item_id,
                                          "item_code": item.code, "conditions": entry.conditions,
                                          "effective_on": entry.effective_from, "filed_by": actor["username"]},
            subject=item.item_id)
    return _entry_dict(entry, _current_name(session, item))


def remove_lenient_entry(tx, actor: dict, entry_id: int, data: dict) -> dict:
    session = tx.session
    entry = session.get(m.LenientEntry, entry_id) if isinstance(entry_id, int) else None
    if entry is None:
        raise NotFound(f"lenient-list entry {entry_id} not found")
    access.require_write(actor, entry.agency_code)
    if entry.removed_on is not None:
        raise Conflict("the entry was already removed", {"entry_id": ["already removed"]})
    if data["removed_on"] <= entry.effective_from:
        raise ValidationFailed("removed before it took effect", {"removed_on": [f"must be after {entry.effective_from.isoformat()}"]})
    entry.removed_on, entry.remove_reason = data["removed_on"], data["reason"]
    item = session.get(m.Item, entry.item_id)
    tx.emit(contract.LENIENT_LIST_FILED, {"agency_code": entry.agency_code, "list_kind": entry.list_kind,
                                          "action": "removed", "entry_id": entry.id, "item_id": item.item_id,
                                          "item_code": item.code, "conditions": entry.conditions,
                                          "effective_on": entry.removed_on, "filed_by": actor["username"]},
            subject=item.item_id)
    return _entry_dict(entry, _current_name(session, item))


def list_lenient(session, query: dict) -> list[dict]:
    """The lenient lists are published (对外公布): any signed-in role reads them."""
    stmt = select(m.LenientEntry, m.ItemVersion.name).join(m.Item, m.Item.item_id == m.LenientEntry.item_id).join(
        m.ItemVersion, (m.ItemVersion.item_id == m.Item.item_id) & (m.ItemVersion.version == m.Item.current_version))
    if query.get("agency_code"):
        stmt = stmt.where(m.LenientEntry.agency_code == query["agency_code"])
    if query.get("list_kind"):
        stmt = stmt.where(m.LenientEntry.list_kind == query["list_kind"])
    if not query.get("include_removed"):
        stmt = stmt.where(m.LenientEntry.removed_on.is_(None))
    rows = session.execute(stmt.order_by(m.LenientEntry.agency_code, m.LenientEntry.list_kind, m.LenientEntry.id)).all()
    return [_entry_dict(e, name) for e, name in rows]


def lists_in_force(session, item_id: str, on: date) -> set[str]:
    rows = session.execute(select(m.LenientEntry.list_kind).where(
        m.LenientEntry.item_id == item_id, m.LenientEntry.effective_from <= on,
        (m.LenientEntry.removed_on.is_(None)) | (m.LenientEntry.removed_on > on))).scalars()
    return set(rows)


def _rule_dict(r: m.MajorRule) -> dict:
    return {"rule_id": r.id, "agency_code": r.agency_code, "item_id": r.item_id, "penalty_kind": r.penalty_kind,
            "fine_from": _money(r.fine_from), "note": r.note}


def _rule_event(r: m.MajorRule, action: str) -> dict:
    return {"agency_code": r.agency_code, "action": action, "rule_id": r.id, "item_id": r.item_id,
            "penalty_kind": r.penalty_kind, "fine_from": _money(r.fine_from)}


def add_major_rule(tx, actor: dict, data: dict, personnel: PersonnelPort) -> dict:
    session = tx.session
    access.require_write(actor, data["agency_code"])
    ensure_agency(session, personnel, data["agency_code"])
    if data.get("item_id"):
        item = get_item(session, data["item_id"], field="item_id")
        if item.agency_code != data["agency_code"]:
            raise ValidationFailed("the item belongs to another agency", {"item_id": ["belongs to another agency"]})
    rule = m.MajorRule(agency_code=data["agency_code"], item_id=data.get("item_id"), penalty_kind=data.get("penalty_kind"),
                       fine_from=data.get("fine_from"), note=data.get("note", ""))
    session.add(rule)
    session.flush()
    tx.emit(contract.MAJOR_LIST_CHANGED, _rule_event(rule, "added"), subject=rule.agency_code)
    return _rule_dict(rule)


def remove_major_rule(tx, actor: dict, rule_id: int, today: date) -> dict:
    session = tx.session
    rule = session.get(m.MajorRule, rule_id) if isinstance(rule_id, int) else None
    if rule is None or rule.removed_on is not None:
        raise NotFound(f"major-decision rule {rule_id} not found")
    access.require_write(actor, rule.agency_code)
    rule.removed_on = today
    tx.emit(contract.MAJOR_LIST_CHANGED, _rule_event(rule, "removed"), subject=rule.agency_code)
    return _rule_dict(rule)


def list_major_rules(session, actor: dict, agency_code: str | None) -> list[dict]:
    stmt = select(m.MajorRule).where(m.MajorRule.removed_on.is_(None))
    if agency_code:
        stmt = stmt.where(m.MajorRule.agency_code == agency_code)
    return [_rule_dict(r) for r in session.execute(stmt.order_by(m.MajorRule.agency_code, m.MajorRule.id)).scalars()]


def major_rules(session, agency_code: str) -> list[rules.MajorRule]:
    rows = session.execute(select(m.MajorRule).where(m.MajorRule.agency_code == agency_code,
                                                     m.MajorRule.removed_on.is_(None))).scalars()
    return [rules.MajorRule(r.item_id, r.penalty_kind, r.fine_from) for r in rows]


# --- cases -----------------------------------------------------------------------------------
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


def _check_officers(personnel: PersonnelPort, officers: list[dict], agency_code: str, domain: str, dates: dict,
                    already: dict[str, set]) -> list[str]:
    """Ask personnel about every (officer, date) not checked before; returns the problems found."""
    problems = []
    for officer in officers:
        wanted = [d for d in _acting_dates(officer, dates) if d.isoformat() not in already.get(officer["officer_id"], set())]
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
        out.append({"officer_id": officer["officer_id"],
                    "acted_on": [d.isoformat() if isinstance(d, date) else d for d in acted] if acted else None,
                    "checked_on": sorted(checked)})
    return out


def _spans(case_suspensions) -> list[rules.SuspensionSpan]:
    return [rules.SuspensionSpan(s["suspended_on"] if isinstance(s, dict) else s.suspended_on,
                                 s.get("resumed_on") if isinstance(s, dict) else s.resumed_on) for s in case_suspensions]


def _grants(case_extensions) -> list[rules.ExtensionGrant]:
    return [rules.ExtensionGrant(e["days"] if isinstance(e, dict) else e.days,
                                 e["approved_on"] if isinstance(e, dict) else e.approved_on) for e in case_extensions]


def _tiers(bench: m.Benchmark | None) -> list[rules.Tier]:
    if bench is None:
        return []
    return [rules.Tier(t["tier"], t["label"], tuple(t["penalty_kinds"]),
                       Decimal(str(t["fine_min"])) if t.get("fine_min") is not None else None,
                       Decimal(str(t["fine_max"])) if t.get("fine_max") is not None else None) for t in bench.tiers]


def prior_cases(session, case: m.Case, months: int) -> int:
    """Earlier cases of the same agency against the same party for the same item within the window (首违)."""
    detected = case.detected_on or case.filed_on
    start = rules.first_violation_window_start(detected, months)
    stmt = select(func.count()).select_from(m.Case).where(
        m.Case.agency_code == case.agency_code, m.Case.party_key == case.party_key, m.Case.item_id == case.item_id,
        m.Case.filed_on >= start, m.Case.filed_on <= detected)
    if case.case_id:
        stmt = stmt.where(m.Case.case_id != case.case_id)
    return session.execute(stmt).scalar_one()


def case_facts(session, case: m.Case, item_type: m.ItemType, suspensions, extensions, review_dates: list[date],
               settings: Settings) -> rules.CaseFacts:
    decided = case.decided_on
    kinds = list(case.penalty_kinds or [])
    facts = rules.CaseFacts(
        agency_code=case.agency_code, item_id=case.item_id, party_kind=case.party_kind, procedure=case.procedure,
        penalty_procedure=item_type.penalty_procedure, officer_ids=[o["officer_id"] for o in case.officers],
        dates=case_dates(case), harm=case.harm, minor_violation=case.minor_violation,
        suspensions=_spans(suspensions), extensions=_grants(extensions), penalty_kinds=kinds, fine=case.fine_amount,
        circumstance=case.circumstance, lenient=case.lenient, passed_review_dates=review_dates,
        major=rules.is_major(major_rules(session, case.agency_code), case.item_id, kinds, case.fine_amount))
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


def _measure(tx, agency_code: str, kind: str, reference: str, start: date, end: date, result: rules.Promptness) -> None:
    """One promptness measurement: stored, announced, and observed on /metrics once committed."""
    exists = tx.session.execute(select(m.PromptnessMeasurement.id).where(
        m.PromptnessMeasurement.kind == kind, m.PromptnessMeasurement.reference == reference)).first()
    if exists:
        return
    row = m.PromptnessMeasurement(agency_code=agency_code, kind=kind, reference=reference, started_on=start,
                                  ended_on=end, workdays_taken=result.workdays_taken,
                                  deadline_workdays=result.deadline_workdays, on_time=result.on_time)
    tx.session.add(row)
    tx.emit(contract.PROMPTNESS_MEASURED, {
        "agency_code": agency_code, "kind": kind, "reference": reference, "started_on": start, "ended_on": end,
        "workdays_taken": result.workdays_taken, "deadline_workdays": result.deadline_workdays,
        "on_time": result.on_time}, subject=reference)
    # observed only once committed: a rolled-back change must not count
    tx.on_commit.append(lambda: metrics.observe_promptness(SERVICE, agency_code, kind, result.workdays_taken, result.on_time))


def _record_findings(tx, case: m.Case, findings) -> None:
    case.warnings, added = rules.merge_findings(case.warnings or [], findings)
    case.warning_count = len(case.warnings)
    if added:
        tx.emit(contract.CASE_FLAGGED, {"case_id": case.case_id, "agency_code": case.agency_code,
                                        "case_number": case.case_number, "warnings": added}, subject=case.case_id)


def _status(case: m.Case) -> str:
    if case.revoked_on is not None:
        return "revoked"
    if case.closed_on is not None:
        return "closed"
    return "decided" if case.decided_on is not None else "filed"


def _apply_decision(case: m.Case, decision: dict, item_type: m.ItemType) -> None:
    penalty = decision.get("penalty")
    if item_type.penalty_procedure and penalty is None:
        raise ValidationFailed("a penalty case's decision names its penalty",
                               {"decision.penalty": ["required for a penalty case (empty kinds: no penalty)"]})
    if not item_type.penalty_procedure and (penalty or decision.get("circumstance") or decision.get("lenient")):
        raise ValidationFailed("only penalty cases carry a penalty",
                               {"decision.penalty": [f"not for a {item_type.name} case"]})
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
        raise ValidationFailed("unknown circumstance tier", {"decision.circumstance": [
            f"not a tier of the benchmark in force ({', '.join(codes) or 'none on file'})"]})


def _reviewer_problems(personnel: PersonnelPort, agency_code: str, officer_ids: list[str], reviewer_id: str) -> list[str]:
    reviewer = next((r for r in personnel.legal_reviewers(agency_code) if r["reviewer_id"] == reviewer_id), None)
    return rules.reviewer_errors(reviewer, agency_code, officer_ids)


def _decision_measure(tx, case: m.Case, item_type: m.ItemType, suspensions, extensions, settings: Settings) -> int | None:
    """The 90-day figure of an ordinary penalty case; returns the days taken (suspensions excluded)."""
    if not (item_type.penalty_procedure and case.procedure == "ordinary"):
        return None
    timing = rules.decision_timing(case.filed_on, case.decided_on, _spans(suspensions), _grants(extensions),
                                   settings.case_rules.decision_limit_days)
    _measure(tx, case.agency_code, KIND_DECIDED, case.case_id, case.filed_on, case.decided_on, timing.promptness)
    return timing.days_taken


def decision_due_on(case: m.Case, item_type: m.ItemType, suspensions, extensions, settings: Settings,
                    today: date) -> date | None:
    if not (item_type.penalty_procedure and case.procedure == "ordinary"):
        return None
    until = case.decided_on or today
    return rules.decision_deadline(case.filed_on, _spans(suspensions), _grants(extensions), until,
                                   settings.case_rules.decision_limit_days).due_on


def _emit_decided(tx, case: m.Case, days_taken: int | None, due: date | None) -> None:
    tx.emit(contract.CASE_DECIDED, {
        "case_id": case.case_id, "agency_code": case.agency_code, "case_number": case.case_number,
        "type_code": case.type_code, "decided_on": case.decided_on, "penalty_kinds": case.penalty_kinds,
        "fine_amount": _money(case.fine_amount), "is_major": case.is_major,
        "days_taken": days_taken if days_taken is not None else (case.decided_on - case.filed_on).days,
        "decision_due_on": due}, subject=case.case_id)


def _served_measure(tx, case: m.Case, settings: Settings) -> None:
    result = rules.workday_promptness(case.decided_on, case.served_on, settings.case_rules.service_workdays)
    _measure(tx, case.agency_code, KIND_SERVED, case.case_id, case.decided_on, case.served_on, result)


def _party(data: dict, cipher: PersonalDataCipher) -> dict:
    """The party's columns: a citizen's ID number only encrypted, hashed and masked."""
    party = data["party"]
    id_number = (party.get("id_number") or "").strip().upper() or None
    if id_number and party["kind"] != "citizen":
        raise ValidationFailed("an organisation is identified by its credit code",
                               {"party.id_number": ["only for a citizen; give credit_code for an organisation"]})
    identity = id_number or (party.get("credit_code") or "").strip().upper() or " ".join(party["name"].split())
    return {"party_kind": party["kind"], "party_name": party["name"].strip(),
            "party_id_encrypted": cipher.encrypt(id_number) if id_number else None,
            "party_id_masked": rules.mask_id_number(id_number) if id_number else None,
            "party_credit_code": party.get("credit_code"), "is_enterprise": bool(party.get("is_enterprise")),
            "party_key": cipher.lookup_hash(f"{party['kind']}|{identity}")}


def report_case(tx, actor: dict, data: dict, settings: Settings, personnel: PersonnelPort, cipher: PersonalDataCipher,
                today: date) -> dict:
    """A case as the agency reports it (at 立案, or later with the stages so far, or whole once closed)."""
    access.require_write(actor, data["agency_code"])
    session = tx.session
    item = get_item(session, data["item_id"], field="item_id")
    if item.agency_code != data["agency_code"]:
        raise ValidationFailed("the item belongs to another agency's catalogue", {"item_id": ["belongs to another agency"]})
    versions = item_versions(session, item.item_id)
    span = rules.version_in_force([rules.VersionSpan(v.version, v.effective_from, v.effective_to) for v in versions],
                                  data["filed_on"])
    if span is None:
        raise ValidationFailed("the item was not in force on the filing date",
                               {"item_id": [f"not in the catalogue on {data['filed_on'].isoformat()}"]})
    version = next(v for v in versions if v.version == span.version)
    item_type = get_type(session, item.type_code)
    if session.execute(select(m.Case.case_id).where(m.Case.agency_code == data["agency_code"],
                                                    m.Case.case_number == data["case_number"])).first():
        raise Conflict(f"case {data['case_number']} is already reported", {"case_number": ["already reported"]})

    # the personnel service's answers first: nothing is written before them (see ensure_agency)
    dates = report_dates(data)
    extra = {"officers": _check_officers(personnel, data["officers"], data["agency_code"], version.domain, dates, {})}
    review = data.get("legal_review")
    if review:
        extra["legal_review.reviewer_id"] = _reviewer_problems(personnel, data["agency_code"],
                                                               [o["officer_id"] for o in data["officers"]],
                                                               review["reviewer_id"])
        if review["reviewed_on"] < data["filed_on"] or review["reviewed_on"] > today:
            extra["legal_review.reviewed_on"] = ["must lie between 立案 and today"]
    ensure_agency(session, personnel, data["agency_code"])

    case = m.Case(case_id=uuid.uuid4().hex, agency_code=data["agency_code"], case_number=data["case_number"].strip(),
                  item_id=item.item_id, item_version=version.version, type_code=item.type_code, domain=version.domain,
                  procedure=data["procedure"], harm=data["harm"], minor_violation=data["minor_violation"],
                  violation_on=data.get("violation_on"), detected_on=data.get("detected_on"), filed_on=data["filed_on"],
                  warnings=[], warning_count=0, penalty_kinds=[], decision_summary="", **_party(data, cipher))
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
        raise Conflict(f"case {data['case_number']} is already reported", {"case_number": ["already reported"]}) from None
    tx.emit(contract.CASE_REPORTED, {
        "case_id": case.case_id, "agency_code": case.agency_code, "case_number": case.case_number,
        "item_id": case.item_id, "item_version": case.item_version, "type_code": case.type_code,
        "party_kind": case.party_kind, "party_name_masked": rules.party_display_name(case.party_kind, case.party_name),
        "is_enterprise": case.is_enterprise, "procedure": case.procedure, "filed_on": case.filed_on,
        "officer_ids": [o["officer_id"] for o in case.officers], "is_major": case.is_major}, subject=case.case_id)
    if review:
        _emit_review(tx, case, session.execute(select(m.LegalReview).where(m.LegalReview.case_id == case.case_id)).scalar_one())
    if case.decided_on is not None:
        days = _decision_measure(tx, case, item_type, data["suspensions"], data["extensions"], settings)
        _emit_decided(tx, case, days, decision_due_on(case, item_type, data["suspensions"], data["extensions"], settings, today))
        if case.served_on is not None:
            _served_measure(tx, case, settings)
    _record_findings(tx, case, evaluation.findings)
    return case_dict(session, case, settings, today)


def _stored(session, case_id: str):
    suspensions = list(session.execute(select(m.Suspension).where(m.Suspension.case_id == case_id)
                                       .order_by(m.Suspension.suspended_on)).scalars())
    extensions = list(session.execute(select(m.Extension).where(m.Extension.case_id == case_id)
                                      .order_by(m.Extension.approved_on)).scalars())
    reviews = list(session.execute(select(m.LegalReview).where(m.LegalReview.case_id == case_id)
                                   .order_by(m.LegalReview.id)).scalars())
    return suspensions, extensions, reviews


def update_case(tx, actor: dict, case_id: str, data: dict, settings: Settings, personnel: PersonnelPort,
                today: date) -> dict:
    """Record later stages, suspensions, extensions or added officers; the checks run again on the whole case."""
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    if case.revoked_on is not None:
        raise Conflict("the decision was revoked; the case is closed to changes", {"case_id": ["revoked"]})
    if not data:
        raise ValidationFailed("nothing to record", {"_schema": ["give at least one stage, suspension, extension or officer"]})
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
            raise ValidationFailed("the officer is already on the case", {"officers": [f"{officer['officer_id']} already on the case"]})
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
            raise Conflict("this suspension is already recorded", {"suspensions": [f"{s['suspended_on'].isoformat()} already recorded"]})
        else:
            new_suspensions.append(m.Suspension(case_id=case_id, **s))
    if data.get("suspensions"):
        changed.append("suspensions")
    new_extensions = [m.Extension(case_id=case_id, **e) for e in data.get("extensions", [])]
    if new_extensions:
        changed.append("extensions")
    all_suspensions, all_extensions = suspensions + new_suspensions, extensions + new_extensions
    facts = case_facts(session, case, item_type, all_suspensions, all_extensions,
                       [r.reviewed_on for r in reviews if r.passed], settings)
    evaluation = rules.evaluate(facts, settings.case_rules, today)
    _raise_if_refused(evaluation, extra)
    session.add_all(new_suspensions + new_extensions)
    case.status = _status(case)
    tx.emit(contract.CASE_UPDATED, {"case_id": case.case_id, "agency_code": case.agency_code, "changed": changed,
                                    "status": case.status}, subject=case.case_id)
    if "served_on" in new_stages:
        _served_measure(tx, case, settings)
    _record_findings(tx, case, evaluation.findings)
    return case_dict(session, case, settings, today)


def decide_case(tx, actor: dict, case_id: str, data: dict, settings: Settings, personnel: PersonnelPort,
                today: date) -> dict:
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
    facts = case_facts(session, case, item_type, suspensions, extensions, [r.reviewed_on for r in reviews if r.passed],
                       settings)
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
    return {"review_id": r.id, "case_id": r.case_id, "reviewer_id": r.reviewer_id, "reviewed_on": r.reviewed_on.isoformat(),
            "passed": r.passed, "opinion": r.opinion}


def _emit_review(tx, case: m.Case, review: m.LegalReview) -> None:
    tx.emit(contract.LEGAL_REVIEW_RECORDED, {"review_id": review.id, "case_id": case.case_id,
                                             "agency_code": case.agency_code, "reviewer_id": review.reviewer_id,
                                             "reviewed_on": review.reviewed_on, "passed": review.passed},
            subject=case.case_id)


def record_legal_review(tx, actor: dict, case_id: str, data: dict, personnel: PersonnelPort, today: date) -> dict:
    """法制审核 (art. 58): by a qualified reviewer of the agency who is not an officer on the case, before the decision."""
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    if case.decided_on is not None:
        raise Conflict("the case is already decided; a review comes before the decision", {"case_id": ["already decided"]})
    problems = {}
    if data["reviewed_on"] < case.filed_on or data["reviewed_on"] > today:
        problems["reviewed_on"] = ["must lie between 立案 and today"]
    reviewer = _reviewer_problems(personnel, case.agency_code, [o["officer_id"] for o in case.officers],
                                  data["reviewer_id"])
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
        raise ValidationFailed("publication date out of range", {"published_on": [
            f"must lie between the decision ({case.decided_on.isoformat()}) and today"]})
    session.add(m.Publication(case_id=case_id, agency_code=case.agency_code, published_on=published_on))
    result = rules.workday_promptness(case.decided_on, published_on, settings.publication_workdays)
    _measure(tx, case.agency_code, KIND_PUBLISHED, case_id, case.decided_on, published_on, result)
    tx.emit(contract.DECISION_PUBLISHED, {"case_id": case_id, "agency_code": case.agency_code,
                                          "case_number": case.case_number, "type_code": case.type_code,
                                          "decided_on": case.decided_on, "published_on": published_on,
                                          "on_time": result.on_time}, subject=case_id)
    if not result.on_time:
        _record_findings(tx, case, [rules.Finding(
            "publication_late", "published_on", f"published {result.workdays_taken} working days after the decision; "
            f"due within {settings.publication_workdays} (国办发〔2018〕118号)")])
    session.flush()
    return case_dict(session, case, settings, today)


def revoke_decision(tx, actor: dict, case_id: str, data: dict, settings: Settings, today: date) -> dict:
    """The decision was changed or revoked: recorded, announced; a publication must then be withdrawn in 3 working days."""
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    if case.decided_on is None:
        raise Conflict("the case is not decided yet", {"case_id": ["not decided"]})
    if case.revoked_on is not None:
        raise Conflict("the decision is already revoked", {"case_id": ["revoked"]})
    if data["changed_on"] < case.decided_on or data["changed_on"] > today:
        raise ValidationFailed("date out of range", {"changed_on": [
            f"must lie between the decision ({case.decided_on.isoformat()}) and today"]})
    session.add(m.Revocation(case_id=case_id, changed_on=data["changed_on"], revoked=data["revoked"], reason=data["reason"],
                             ground=data["ground"]))
    if data["revoked"]:
        case.revoked_on = data["changed_on"]
    case.status = _status(case)
    tx.emit(contract.DECISION_REVOKED, {"case_id": case_id, "agency_code": case.agency_code,
                                        "changed_on": data["changed_on"], "revoked": data["revoked"],
                                        "reason": data["reason"]}, subject=case_id)
    session.flush()
    return case_dict(session, case, settings, today)


def withdraw_publication(tx, actor: dict, case_id: str, data: dict, settings: Settings, today: date) -> dict:
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    publication = session.get(m.Publication, case_id)
    if publication is None or publication.withdrawn_on is not None:
        raise Conflict("no publication to withdraw", {"case_id": ["not published"]})
    change = session.execute(select(m.Revocation).where(m.Revocation.case_id == case_id)
                             .order_by(m.Revocation.changed_on.desc())).scalars().first()
    if change is None:
        raise Conflict("record the change or revocation of the decision first", {"case_id": ["decision unchanged"]})
    withdrawn_on = data["withdrawn_on"]
    if withdrawn_on < max(change.changed_on, publication.published_on) or withdrawn_on > today:
        raise ValidationFailed("date out of range", {"withdrawn_on": [
            f"must lie between the change ({change.changed_on.isoformat()}) and today"]})
    publication.withdrawn_on = withdrawn_on
    result = rules.workday_promptness(change.changed_on, withdrawn_on, settings.withdrawal_workdays)
    _measure(tx, case.agency_code, KIND_WITHDRAWN, case_id, change.changed_on, withdrawn_on, result)
    tx.emit(contract.PUBLICATION_WITHDRAWN, {"case_id": case_id, "agency_code": case.agency_code,
                                             "withdrawn_on": withdrawn_on, "on_time": result.on_time}, subject=case_id)
    if not result.on_time:
        _record_findings(tx, case, [rules.Finding(
            "withdrawal_late", "withdrawn_on", f"withdrawn {result.workdays_taken} working days after the change; "
            f"due within {settings.withdrawal_workdays} (art. 48)")])
    session.flush()
    return case_dict(session, case, settings, today)


# --- the deadline watch: obligations still open after their deadline ------------------------------
#: the obligations watched, named as their promptness measurements
CASE_WATCHED_KINDS = (KIND_DECIDED, KIND_PUBLISHED)
TRANSFER_WATCHED_KINDS = (KIND_TRANSFER_DECIDED, KIND_TRANSFER_HANDED_OVER, KIND_TRANSFER_ACKNOWLEDGED)
WATCHED_KINDS = CASE_WATCHED_KINDS + TRANSFER_WATCHED_KINDS


def local_now() -> datetime:
    """Now on the county's clock, as transfer times are stored (naive, UTC+8)."""
    return datetime.now(LOCAL_TIME).replace(tzinfo=None)


def _open_after_deadline(kind: str, settings: Settings, today: date, now: datetime):
    """(the model watched, a statement of its rows whose ``kind`` obligation is open and not yet announced), cut down
    by a cheap date bound (the rules decide the rest). n working days are at least n calendar days."""
    if kind in TRANSFER_WATCHED_KINDS:
        T = m.Transfer
        announced = select(m.DeadlineMiss.id).where(m.DeadlineMiss.reference == T.transfer_id,
                                                    m.DeadlineMiss.kind == kind)
        stmt = select(T).where(~announced.exists())
        if kind == KIND_TRANSFER_DECIDED:
            return T, stmt.where(T.approved.is_(None),
                                 T.proposed_on < today - timedelta(days=settings.transfer_decision_workdays))
        if kind == KIND_TRANSFER_HANDED_OVER:  # only an approved transfer is handed over
            return T, stmt.where(T.approved.is_(True), T.handed_over_at.is_(None),
                                 T.decided_at < now - timedelta(hours=settings.transfer_handover_hours))
        received_before = datetime.combine(today - timedelta(days=settings.transfer_ack_workdays), datetime.min.time())
        return T, stmt.where(T.handed_over_at.is_not(None), T.acknowledged_on.is_(None),
                             T.handed_over_at < received_before)
    announced = select(m.DeadlineMiss.id).where(m.DeadlineMiss.reference == m.Case.case_id, m.DeadlineMiss.kind == kind)
    stmt = select(m.Case).where(~announced.exists())
    if kind == KIND_DECIDED:
        # only the decisions that are measured: ordinary penalty procedure (art. 60)
        types = select(m.ItemType.code).where(m.ItemType.penalty_procedure.is_(True))
        return m.Case, stmt.where(m.Case.decided_on.is_(None), m.Case.closed_on.is_(None),
                                  m.Case.procedure == "ordinary", m.Case.type_code.in_(types),
                                  m.Case.filed_on < today - timedelta(days=settings.case_rules.decision_limit_days))
    if kind == KIND_PUBLISHED:
        types = select(m.ItemType.code).where(m.ItemType.publish_decisions.is_(True))
        published = select(m.Publication.case_id).where(m.Publication.case_id == m.Case.case_id)
        return m.Case, stmt.where(m.Case.decided_on.is_not(None), m.Case.revoked_on.is_(None),
                                  m.Case.type_code.in_(types), ~published.exists(),
                                  m.Case.decided_on < today - timedelta(days=settings.publication_workdays))
    raise ValueError(f"{kind} is not a watched deadline")


@dataclass(frozen=True)
class _Missed:
    """One obligation found late: whom it binds, since when, and the last day that was still in time."""

    case_id: str
    transfer_id: str | None
    agency_code: str
    started_on: date
    due_on: date


def _missed(session, kind: str, row, settings: Settings, today: date, now: datetime) -> _Missed | None:
    """Whether the open obligation ``kind`` of ``row`` (a case or a transfer) is already late, as its measurement
    would count it."""
    if kind == KIND_DECIDED:
        suspensions, extensions, _ = _stored(session, row.case_id)
        due = rules.decision_missed(row.filed_on, _spans(suspensions), _grants(extensions), today,
                                    settings.case_rules.decision_limit_days)
        return _Missed(row.case_id, None, row.agency_code, row.filed_on, due) if due else None
    if kind == KIND_PUBLISHED:
        due = rules.workdays_missed(row.decided_on, today, settings.publication_workdays)
        return _Missed(row.case_id, None, row.agency_code, row.decided_on, due) if due else None
    if kind == KIND_TRANSFER_DECIDED:  # the sending agency's head
        due = rules.workdays_missed(row.proposed_on, today, settings.transfer_decision_workdays)
        return _Missed(row.case_id, row.transfer_id, row.from_agency_code, row.proposed_on, due) if due else None
    if kind == KIND_TRANSFER_HANDED_OVER:  # the sending agency
        due = rules.handover_missed(row.decided_at, now, settings.transfer_handover_hours)
        return _Missed(row.case_id, row.transfer_id, row.from_agency_code, row.decided_at.date(), due) if due else None
    received = row.handed_over_at.date()  # the receiving agency acknowledges
    due = rules.workdays_missed(received, today, settings.transfer_ack_workdays)
    return _Missed(row.case_id, row.transfer_id, row.to_agency_code, received, due) if due else None


def watch_deadlines(tx, kind: str, settings: Settings, today: date, after: str = "", limit: int = 200,
                    now: datetime | None = None) -> tuple[int, str | None]:
    """One batch of the deadline watch (cases, or transfers for the transfer legs, with an id after ``after``): each
    ``kind`` obligation whose deadline has passed unmet is recorded and announced once (cases.deadline.missed).
    ``now`` (the county's clock) times the 24-hour hand-over. Returns (announced, the id to continue after, or None
    when done)."""
    session = tx.session
    now = now or local_now()
    model, stmt = _open_after_deadline(kind, settings, today, now)
    key = model.transfer_id if model is m.Transfer else model.case_id
    rows = session.execute(stmt.where(key > after).order_by(key).limit(limit)
                           # two replicas run this timer: each claims different rows (PostgreSQL)
                           .with_for_update(skip_locked=True, of=model)).scalars().all()
    announced = 0
    for row in rows:
        missed = _missed(session, kind, row, settings, today, now)
        if missed is None:
            continue
        reference = missed.transfer_id or missed.case_id
        session.add(m.DeadlineMiss(case_id=missed.case_id, reference=reference, transfer_id=missed.transfer_id,
                                   kind=kind, agency_code=missed.agency_code, started_on=missed.started_on,
                                   due_on=missed.due_on, detected_on=today))
        tx.emit(contract.DEADLINE_MISSED, {"case_id": missed.case_id, "transfer_id": missed.transfer_id,
                                           "agency_code": missed.agency_code, "kind": kind,
                                           "started_on": missed.started_on, "due_on": missed.due_on,
                                           "detected_on": today}, subject=reference)
        announced += 1
    session.flush()
    return announced, (getattr(rows[-1], key.key) if len(rows) == limit else None)


def public_decisions(session, query: dict) -> dict:
    """What anyone may read: published decisions not withdrawn; no ID numbers, citizens' names masked."""
    V = m.ItemVersion
    stmt = (select(m.Case, m.Publication, V.name, V.legal_basis, m.Agency.name)
            .join(m.Publication, m.Publication.case_id == m.Case.case_id)
            .join(V, (V.item_id == m.Case.item_id) & (V.version == m.Case.item_version))
            .outerjoin(m.Agency, m.Agency.code == m.Case.agency_code)
            .where(m.Publication.withdrawn_on.is_(None)))
    if query.get("agency_code"):
        stmt = stmt.where(m.Case.agency_code == query["agency_code"])
    if query.get("type_code"):
        stmt = stmt.where(m.Case.type_code == query["type_code"])
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    rows = session.execute(stmt.order_by(m.Publication.published_on.desc(), m.Case.case_number)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    items = [{"case_id": c.case_id, "agency_code": c.agency_code, "agency_name": agency_name or c.agency_code,
              "case_number": c.case_number, "type_code": c.type_code, "item_name": item_name, "legal_basis": basis,
              "party_name": rules.party_display_name(c.party_kind, c.party_name), "party_kind": c.party_kind,
              "penalty_kinds": list(c.penalty_kinds or []), "fine_amount": _money(c.fine_amount),
              "decision_summary": c.decision_summary, "decided_on": c.decided_on.isoformat(),
              "published_on": p.published_on.isoformat()}
             for c, p, item_name, basis, agency_name in rows]
    return {"items": items, "total": total, "page": page, "per_page": per_page}


# --- transfers (案件移送) ------------------------------------------------------------------------
def _local(value: datetime) -> datetime:
    return value.astimezone(LOCAL_TIME).replace(tzinfo=None) if value.tzinfo else value


def _transfer_status(t: m.Transfer) -> str:
    if t.acknowledged_on is not None:
        return "acknowledged"
    if t.handed_over_at is not None:
        return "handed_over"
    if t.approved is None:
        return "proposed"
    return "approved" if t.approved else "refused"


def transfer_dict(t: m.Transfer) -> dict:
    return {"transfer_id": t.transfer_id, "case_id": t.case_id, "from_agency_code": t.from_agency_code,
            "to_agency_code": t.to_agency_code, "to_police": t.to_police, "reason": t.reason,
            "proposed_on": t.proposed_on.isoformat(), "decided_at": t.decided_at.isoformat() if t.decided_at else None,
            "approved": t.approved, "handed_over_at": t.handed_over_at.isoformat() if t.handed_over_at else None,
            "acknowledged_on": _iso(t.acknowledged_on), "status": _transfer_status(t)}


def _transfer_event(tx, event_type, t: m.Transfer, on: date) -> None:
    tx.emit(event_type, {"transfer_id": t.transfer_id, "case_id": t.case_id, "from_agency_code": t.from_agency_code,
                         "to_agency_code": t.to_agency_code, "to_police": t.to_police, "status": _transfer_status(t),
                         "on": on}, subject=t.transfer_id)


def get_transfer(session, transfer_id: str) -> m.Transfer:
    transfer = session.get(m.Transfer, transfer_id) if isinstance(transfer_id, str) else None
    if transfer is None:
        raise NotFound(f"transfer {transfer_id} not found")
    return transfer


def propose_transfer(tx, actor: dict, case_id: str, data: dict, personnel: PersonnelPort, today: date) -> dict:
    session = tx.session
    case = get_case(session, case_id)
    access.require_write(actor, case.agency_code)
    receiver = ensure_agency(session, personnel, data["to_agency_code"], field="to_agency_code")
    if receiver.code == case.agency_code:
        raise ValidationFailed("a case is transferred to another agency", {"to_agency_code": ["the case's own agency"]})
    if data["proposed_on"] < case.filed_on or data["proposed_on"] > today:
        raise ValidationFailed("date out of range", {"proposed_on": ["must lie between 立案 and today"]})
    pending = session.execute(select(m.Transfer.transfer_id).where(
        m.Transfer.case_id == case_id, m.Transfer.acknowledged_on.is_(None),
        (m.Transfer.approved.is_(None)) | (m.Transfer.approved.is_(True)))).first()
    if pending:
        raise Conflict("the case already has a transfer under way", {"case_id": ["transfer under way"]})
    transfer = m.Transfer(transfer_id=uuid.uuid4().hex, case_id=case_id, from_agency_code=case.agency_code,
                          to_agency_code=receiver.code, to_police=receiver.is_police, reason=data["reason"],
                          proposed_on=data["proposed_on"])
    session.add(transfer)
    _transfer_event(tx, contract.TRANSFER_PROPOSED, transfer, transfer.proposed_on)
    return transfer_dict(transfer)


def decide_transfer(tx, actor: dict, transfer_id: str, data: dict, settings: Settings, today: date) -> dict:
    """The head decides within 3 days of the proposal (a promptness figure of the sending agency)."""
    transfer = get_transfer(tx.session, transfer_id)
    access.require_write(actor, transfer.from_agency_code)
    if transfer.approved is not None:
        raise Conflict("the transfer is already decided", {"transfer_id": ["already decided"]})
    decided_at = _local(data["decided_at"])
    if decided_at.date() < transfer.proposed_on or decided_at.date() > today:
        raise ValidationFailed("date out of range", {"decided_at": ["must lie between the proposal and today"]})
    transfer.decided_at, transfer.approved, transfer.decision_note = decided_at, data["approved"], data.get("note", "")
    result = rules.workday_promptness(transfer.proposed_on, decided_at.date(), settings.transfer_decision_workdays)
    _measure(tx, transfer.from_agency_code, KIND_TRANSFER_DECIDED, transfer.transfer_id, transfer.proposed_on,
             decided_at.date(), result)
    _transfer_event(tx, contract.TRANSFER_DECIDED, transfer, decided_at.date())
    return transfer_dict(transfer)


def hand_over_transfer(tx, actor: dict, transfer_id: str, data: dict, settings: Settings, today: date) -> dict:
    """The file is handed over within 24 hours of the approval (a promptness figure of the sending agency)."""
    transfer = get_transfer(tx.session, transfer_id)
    access.require_write(actor, transfer.from_agency_code)
    if not transfer.approved:
        raise Conflict("only an approved transfer is handed over", {"transfer_id": ["not approved"]})
    if transfer.handed_over_at is not None:
        raise Conflict("the case is already handed over", {"transfer_id": ["already handed over"]})
    handed = _local(data["handed_over_at"])
    if handed < transfer.decided_at or handed.date() > today:
        raise ValidationFailed("time out of range", {"handed_over_at": ["must lie between the decision and now"]})
    transfer.handed_over_at = handed
    result = rules.handover_promptness(transfer.decided_at, handed, settings.transfer_handover_hours)
    _measure(tx, transfer.from_agency_code, KIND_TRANSFER_HANDED_OVER, transfer.transfer_id, transfer.decided_at.date(),
             handed.date(), result)
    _transfer_event(tx, contract.TRANSFER_HANDED_OVER, transfer, handed.date())
    return transfer_dict(transfer)


def acknowledge_transfer(tx, actor: dict, transfer_id: str, data: dict, settings: Settings, today: date) -> dict:
    """The receiver acknowledges within 3 days (a promptness figure of the receiving agency)."""
    transfer = get_transfer(tx.session, transfer_id)
    access.require_write(actor, transfer.to_agency_code)
    if transfer.handed_over_at is None:
        raise Conflict("nothing was handed over yet", {"transfer_id": ["not handed over"]})
    if transfer.acknowledged_on is not None:
        raise Conflict("already acknowledged", {"transfer_id": ["already acknowledged"]})
    received = transfer.handed_over_at.date()
    if data["acknowledged_on"] < received or data["acknowledged_on"] > today:
        raise ValidationFailed("date out of range", {"acknowledged_on": ["must lie between the hand-over and today"]})
    transfer.acknowledged_on = data["acknowledged_on"]
    result = rules.workday_promptness(received, transfer.acknowledged_on, settings.transfer_ack_workdays)
    _measure(tx, transfer.to_agency_code, KIND_TRANSFER_ACKNOWLEDGED, transfer.transfer_id, received,
             transfer.acknowledged_on, result)
    _transfer_event(tx, contract.TRANSFER_ACKNOWLEDGED, transfer, transfer.acknowledged_on)
    return transfer_dict(transfer)


def read_transfer(session, actor: dict, transfer_id: str) -> dict:
    transfer = get_transfer(session, transfer_id)
    try:
        access.require_read(actor, transfer.from_agency_code)
    except Forbidden:
        access.require_read(actor, transfer.to_agency_code)
    return transfer_dict(transfer)


def list_transfers(session, actor: dict, query: dict) -> dict:
    """An agency sees the transfers it sent and received."""
    scope = access.scope_agency(actor)
    agency_code = query.get("agency_code")
    if scope is not None and agency_code not in (None, scope):
        access.require_read(actor, agency_code)
    agency_code = scope or agency_code
    stmt = select(m.Transfer)
    if agency_code:
        stmt = stmt.where((m.Transfer.from_agency_code == agency_code) | (m.Transfer.to_agency_code == agency_code))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    rows = session.execute(stmt.order_by(m.Transfer.proposed_on.desc(), m.Transfer.transfer_id)
                           .offset((page - 1) * per_page).limit(per_page)).scalars()
    return {"items": [transfer_dict(t) for t in rows], "total": total, "page": page, "per_page": per_page}


# --- enterprise inspections (涉企行政检查) -----------------------------------------------------------
def upload_directory(tx, actor: dict, data: dict, personnel: PersonnelPort) -> dict:
    """Adds or renames entries of an agency's directory (检查对象名录库); returns the counts."""
    session = tx.session
    access.require_write(actor, data["agency_code"])
    ensure_agency(session, personnel, data["agency_code"])
    seen, added, updated = set(), 0, 0
    for entry in data["entries"]:
        code = entry["credit_code"].strip().upper()
        if code in seen:
            raise ValidationFailed("a credit code is listed twice", {"entries": [f"{code} listed twice"]})
        seen.add(code)
        row = session.execute(select(m.DirectoryEntry).where(m.DirectoryEntry.agency_code == data["agency_code"],
                                                             m.DirectoryEntry.credit_code == code)).scalars().first()
        if row is None:
            session.add(m.DirectoryEntry(agency_code=data["agency_code"], credit_code=code, name=entry["name"].strip(),
                                         category=entry.get("category", "")))
            added += 1
        else:
            row.name, row.category = entry["name"].strip(), entry.get("category", "")
            updated += 1
    total = session.execute(select(func.count()).select_from(m.DirectoryEntry)
                            .where(m.DirectoryEntry.agency_code == data["agency_code"])).scalar_one()
    result = {"agency_code": data["agency_code"], "added": added, "updated": updated, "total": total}
    tx.emit(contract.DIRECTORY_UPDATED, result, subject=data["agency_code"])
    return result


def _inspection_dict(i: m.Inspection) -> dict:
    return {"inspection_id": i.inspection_id, "agency_code": i.agency_code, "credit_code": i.credit_code,
            "enterprise_name": i.enterprise_name, "inspected_on": i.inspected_on.isoformat(), "kind": i.kind,
            "domain": i.domain, "officers": list(i.officers), "joint_agencies": list(i.joint_agencies or []),
            "draw_id": i.draw_id, "result": i.result, "warnings": list(i.warnings or [])}


def inspection_history(session, agency_code: str, credit_code: str, on: date) -> rules.InspectionHistory:
    year_start, year_end = date(on.year, 1, 1), date(on.year, 12, 31)
    I = m.Inspection
    in_year = (I.credit_code == credit_code, I.inspected_on >= year_start, I.inspected_on <= year_end)
    by_agency = session.execute(select(func.count()).select_from(I).where(*in_year, I.agency_code == agency_code)).scalar_one()
    everyone = session.execute(select(func.count()).select_from(I).where(*in_year)).scalar_one()
    last = session.execute(select(func.max(I.inspected_on)).where(I.credit_code == credit_code, I.agency_code == agency_code,
                                                                  I.inspected_on <= on)).scalar_one()
    return rules.InspectionHistory(by_agency, last, everyone)


def record_inspection(tx, actor: dict, data: dict, settings: Settings, personnel: PersonnelPort, today: date) -> dict:
    """Each inspection of an enterprise is recorded: certified officers, the yearly cap, repeat and frequency warnings."""
    session = tx.session
    access.require_write(actor, data["agency_code"])
    joint = sorted(set(data.get("joint_agencies", [])) - {data["agency_code"]})
    errors: dict[str, list[str]] = {}
    if data["inspected_on"] > today:
        errors["inspected_on"] = ["must not be in the future"]
    count_error = rules.officer_count_error(data["officers"], settings.case_rules.min_officers)
    problems = [count_error] if count_error else []
    for officer_id in dict.fromkeys(data["officers"]):
        problems += officer_problems(personnel, officer_id, {data["agency_code"], *joint}, data["domain"],
                                     [data["inspected_on"]] if not errors else [])
    if problems:
        errors["officers"] = problems
    ensure_agency(session, personnel, data["agency_code"])  # after the personnel calls (it may write)
    for code in joint:
        ensure_agency(session, personnel, code, field="joint_agencies")
    credit_code = data["credit_code"].strip().upper()
    if data.get("draw_id"):
        draw = session.get(m.Draw, data["draw_id"])
        if draw is None or draw.agency_code != data["agency_code"]:
            errors["draw_id"] = ["not a draw of this agency"]
        elif credit_code not in {a["credit_code"] for a in draw.assignments}:
            errors["credit_code"] = ["not a target of that draw"]
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(f"the inspection was refused: {first}: {errors[first][0]}", errors)
    history = inspection_history(session, data["agency_code"], credit_code, data["inspected_on"])
    refusal, findings = rules.inspection_check(data["kind"], data["inspected_on"], history, settings.inspection_limits)
    if refusal:
        raise Conflict(refusal, {"credit_code": [refusal]})
    inspection = m.Inspection(inspection_id=uuid.uuid4().hex, agency_code=data["agency_code"], credit_code=credit_code,
                              enterprise_name=data["enterprise_name"].strip(), inspected_on=data["inspected_on"],
                              kind=data["kind"], domain=data["domain"], officers=list(dict.fromkeys(data["officers"])),
                              joint_agencies=joint, draw_id=data.get("draw_id"), result=data.get("result", ""),
                              warnings=[f.as_dict() for f in findings])
    session.add(inspection)
    tx.emit(contract.INSPECTION_RECORDED, {"inspection_id": inspection.inspection_id, "agency_code": inspection.agency_code,
                                           "credit_code": credit_code, "inspected_on": inspection.inspected_on,
                                           "kind": inspection.kind, "joint_agencies": joint,
                                           "warnings": inspection.warnings}, subject=inspection.inspection_id)
    return _inspection_dict(inspection)


def list_inspections(session, actor: dict, query: dict) -> dict:
    scope = access.scope_agency(actor)
    agency_code = query.get("agency_code")
    if scope is not None and agency_code not in (None, scope):
        access.require_read(actor, agency_code)
    agency_code = scope or agency_code
    stmt = select(m.Inspection)
    if agency_code:
        stmt = stmt.where(m.Inspection.agency_code == agency_code)
    if query.get("credit_code"):
        stmt = stmt.where(m.Inspection.credit_code == query["credit_code"].strip().upper())
    if query.get("year"):
        stmt = stmt.where(m.Inspection.inspected_on >= date(query["year"], 1, 1),
                          m.Inspection.inspected_on <= date(query["year"], 12, 31))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    rows = session.execute(stmt.order_by(m.Inspection.inspected_on.desc(), m.Inspection.inspection_id)
                           .offset((page - 1) * per_page).limit(per_page)).scalars()
    return {"items": [_inspection_dict(i) for i in rows], "total": total, "page": page, "per_page": per_page}


def _draw_dict(d: m.Draw) -> dict:
    return {"draw_id": d.draw_id, "agency_code": d.agency_code, "domain": d.domain, "category": d.category,
            "drawn_on": d.drawn_on.isoformat(), "seed": d.seed, "target_pool_size": len(d.target_pool),
            "inspector_pool_size": len(d.inspector_pool), "assignments": list(d.assignments),
            "published_on": _iso(d.published_on)}


def _assignments(pairs, names: dict[str, str]) -> list[dict]:
    return [{"credit_code": code, "enterprise_name": names.get(code, ""), "officer_ids": officers}
            for code, officers in pairs]


def make_draw(tx, actor: dict, data: dict, settings: Settings, personnel: PersonnelPort, today: date) -> dict:
    """双随机: targets from the directory and certified inspectors, drawn with a recorded seed from recorded pools."""
    session = tx.session
    access.require_write(actor, data["agency_code"])
    if data["drawn_on"] > today:
        raise ValidationFailed("date out of range", {"drawn_on": ["must not be in the future"]})
    stmt = select(m.DirectoryEntry).where(m.DirectoryEntry.agency_code == data["agency_code"])
    if data.get("category"):
        stmt = stmt.where(m.DirectoryEntry.category == data["category"])
    directory = {e.credit_code: e.name for e in session.execute(stmt).scalars()}
    if not directory:
        raise ValidationFailed("the directory is empty", {"agency_code": ["upload the directory of inspection targets first"]})
    # the inspector pool: active officers certified for the domain on the day of the draw
    pool = sorted(o["officer_id"] for o in personnel.active_officers(data["agency_code"])
                  if not o["is_police"] and personnel.may_enforce(o["officer_id"], data["domain"], data["drawn_on"])["allowed"])
    ensure_agency(session, personnel, data["agency_code"])  # after the personnel calls (it may write)
    seed = data.get("seed") or secrets.token_hex(8)
    try:
        pairs = rules.draw_assignments(sorted(directory), pool, data["target_count"], seed,
                                       settings.case_rules.min_officers)
    except ValueError as exc:
        raise ValidationFailed("not enough certified inspectors", {"domain": [str(exc)]}) from None
    draw = m.Draw(draw_id=uuid.uuid4().hex, agency_code=data["agency_code"], domain=data["domain"],
                  category=data.get("category"), drawn_on=data["drawn_on"], seed=seed, target_count=data["target_count"],
                  target_pool=[{"credit_code": c, "name": n} for c, n in sorted(directory.items())],
                  inspector_pool=pool, assignments=_assignments(pairs, directory), created_by=actor["username"])
    session.add(draw)
    tx.emit(contract.DRAW_RECORDED, {"draw_id": draw.draw_id, "agency_code": draw.agency_code, "domain": draw.domain,
                                     "drawn_on": draw.drawn_on, "seed": seed, "targets": len(pairs)}, subject=draw.draw_id)
    return _draw_dict(draw)


def get_draw(session, draw_id: str) -> m.Draw:
    draw = session.get(m.Draw, draw_id) if isinstance(draw_id, str) else None
    if draw is None:
        raise NotFound(f"draw {draw_id} not found")
    return draw


def read_draw(session, actor: dict, draw_id: str) -> dict:
    draw = get_draw(session, draw_id)
    access.require_read(actor, draw.agency_code)
    return _draw_dict(draw)


def replay_draw(session, actor: dict, draw_id: str) -> dict:
    """Anyone with access can check a draw: the recorded pools and seed must give the recorded result again."""
    draw = get_draw(session, draw_id)
    access.require_read(actor, draw.agency_code)
    names = {t["credit_code"]: t["name"] for t in draw.target_pool}
    pairs = rules.draw_assignments(sorted(names), draw.inspector_pool, draw.target_count, draw.seed, _per_target(draw))
    again = _assignments(pairs, names)
    return {"draw_id": draw.draw_id, "seed": draw.seed, "reproduced": again == list(draw.assignments), "assignments": again}


def _per_target(draw: m.Draw) -> int:
    """Inspectors per target as the draw made it (the setting may have changed since)."""
    return len(draw.assignments[0]["officer_ids"]) if draw.assignments else 2


def publish_draw(tx, actor: dict, draw_id: str, data: dict, today: date) -> dict:
    draw = get_draw(tx.session, draw_id)
    access.require_write(actor, draw.agency_code)
    if draw.published_on is not None:
        raise Conflict("the draw is already published", {"draw_id": ["already published"]})
    if data["published_on"] < draw.drawn_on or data["published_on"] > today:
        raise ValidationFailed("date out of range", {"published_on": ["must lie between the draw and today"]})
    draw.published_on = data["published_on"]
    tx.emit(contract.DRAW_PUBLISHED, {"draw_id": draw.draw_id, "agency_code": draw.agency_code, "domain": draw.domain,
                                      "drawn_on": draw.drawn_on, "seed": draw.seed, "published_on": draw.published_on,
                                      "assignments": draw.assignments}, subject=draw.draw_id)
    return _draw_dict(draw)


# --- case-file review (案卷评查) ---------------------------------------------------------------------
def _check_items(items: list[dict]) -> list[rules.CheckItem]:
    return [rules.CheckItem(i["code"], i["label"], i["section"], int(i.get("points", 0))) for i in items]


def _checklist_dict(c: m.Checklist) -> dict:
    return {"version": c.version, "effective_from": c.effective_from.isoformat(), "items": list(c.items)}


def create_checklist(tx, actor: dict, data: dict, settings: Settings) -> dict:
    """A new checklist version (the bureau's): later batches use it, earlier ones keep theirs."""
    access.require_bureau(actor)
    problems = rules.checklist_errors(_check_items(data["items"]), settings.review_form_points,
                                      settings.review_content_points)
    if problems:
        raise ValidationFailed("invalid checklist", {"items": problems})
    latest = tx.session.execute(select(m.Checklist).order_by(m.Checklist.version.desc())).scalars().first()
    if latest is not None and data["effective_from"] <= latest.effective_from:
        raise ValidationFailed("a new version starts after the current one",
                               {"effective_from": [f"must be after {latest.effective_from.isoformat()}"]})
    checklist = m.Checklist(version=(latest.version + 1) if latest else 1, effective_from=data["effective_from"],
                            items=[{"code": i["code"], "label": i["label"], "section": i["section"],
                                    "points": int(i.get("points", 0))} for i in data["items"]],
                            created_by=actor["username"])
    tx.session.add(checklist)
    tx.emit(contract.CHECKLIST_FILED, {"version": checklist.version, "effective_from": checklist.effective_from,
                                       "items": len(checklist.items), "filed_by": actor["username"]},
            subject=str(checklist.version))
    return _checklist_dict(checklist)


def list_checklists(session) -> list[dict]:
    return [_checklist_dict(c) for c in session.execute(select(m.Checklist).order_by(m.Checklist.version)).scalars()]


def _file_dict(f: m.ReviewFile, case_number: str) -> dict:
    return {"file_id": f.file_id, "batch_id": f.batch_id, "case_id": f.case_id, "case_number": case_number,
            "agency_code": f.agency_code, "reviewer_id": f.reviewer_id, "scored_on": _iso(f.scored_on),
            "basic_failures": list(f.basic_failures or []), "form_score": f.form_score,
            "content_score": f.content_score, "total": f.total, "grade": f.grade}


def _batch_dict(session, b: m.ReviewBatch) -> dict:
    rows = session.execute(select(m.ReviewFile, m.Case.case_number).join(m.Case, m.Case.case_id == m.ReviewFile.case_id)
                           .where(m.ReviewFile.batch_id == b.batch_id).order_by(m.Case.case_number)).all()
    return {"batch_id": b.batch_id, "drawn_on": b.drawn_on.isoformat(), "seed": b.seed, "agency_code": b.agency_code,
            "type_code": b.type_code, "closed_from": b.closed_from.isoformat(), "closed_to": b.closed_to.isoformat(),
            "population_size": len(b.population), "checklist_version": b.checklist_version,
            "files": [_file_dict(f, number) for f, number in rows]}


def draw_review_batch(tx, actor: dict, data: dict, today: date) -> dict:
    """The bureau draws closed cases (by agency, type, closing period) at random with a recorded seed."""
    access.require_bureau(actor)
    session = tx.session
    checklist = session.execute(select(m.Checklist).where(m.Checklist.effective_from <= today)
                                .order_by(m.Checklist.version.desc())).scalars().first()
    if checklist is None:
        raise Conflict("no review checklist in force", {"checklist": ["file a checklist first"]})
    stmt = select(m.Case.case_id).where(m.Case.closed_on >= data["closed_from"], m.Case.closed_on <= data["closed_to"],
                                        m.Case.revoked_on.is_(None))
    if data.get("agency_code"):
        stmt = stmt.where(m.Case.agency_code == data["agency_code"])
    if data.get("type_code"):
        stmt = stmt.where(m.Case.type_code == data["type_code"])
    population = sorted(session.execute(stmt).scalars())
    if not population:
        raise ValidationFailed("no closed case matches", {"closed_from": ["no case closed in the period matches"]})
    seed = data.get("seed") or secrets.token_hex(8)
    chosen = rules.seeded_sample(population, data["size"], seed)
    batch = m.ReviewBatch(batch_id=uuid.uuid4().hex, drawn_on=today, seed=seed, agency_code=data.get("agency_code"),
                          type_code=data.get("type_code"), closed_from=data["closed_from"], closed_to=data["closed_to"],
                          size=data["size"], population=population, checklist_version=checklist.version,
                          created_by=actor["username"])
    session.add(batch)
    agencies = dict(session.execute(select(m.Case.case_id, m.Case.agency_code).where(m.Case.case_id.in_(chosen))).all())
    for case_id in chosen:
        session.add(m.ReviewFile(file_id=uuid.uuid4().hex, batch_id=batch.batch_id, case_id=case_id,
                                 agency_code=agencies[case_id], basic_failures=[], deductions=[]))
    session.flush()
    tx.emit(contract.REVIEW_BATCH_DRAWN, {"batch_id": batch.batch_id, "drawn_on": today, "seed": seed,
                                          "agency_code": batch.agency_code, "type_code": batch.type_code,
                                          "population_size": len(population), "case_ids": chosen}, subject=batch.batch_id)
    return _batch_dict(session, batch)


def get_batch(session, batch_id: str) -> m.ReviewBatch:
    batch = session.get(m.ReviewBatch, batch_id) if isinstance(batch_id, str) else None
    if batch is None:
        raise NotFound(f"review batch {batch_id} not found")
    return batch


def read_batch(session, actor: dict, batch_id: str) -> dict:
    access.require_bureau(actor)
    return _batch_dict(session, get_batch(session, batch_id))


def assign_reviewers(tx, actor: dict, batch_id: str, data: dict, personnel: PersonnelPort) -> dict:
    """Reviewers are registered officers of another agency than the case's (never their own agency's files)."""
    access.require_bureau(actor)
    session = tx.session
    batch = get_batch(session, batch_id)
    files = {f.file_id: f for f in session.execute(select(m.ReviewFile).where(m.ReviewFile.batch_id == batch_id)).scalars()}
    problems = []
    plan = []
    for a in data["assignments"]:
        f = files.get(a["file_id"])
        if f is None:
            problems.append(f"file {a['file_id']} is not in this batch")
            continue
        if f.scored_on is not None:
            problems.append(f"file {a['file_id']} is already scored")
            continue
        reviewer = personnel.officer(a["reviewer_id"])
        if reviewer is None or reviewer.get("status") != "active":
            problems.append(f"reviewer {a['reviewer_id']} is not an active registered officer")
            continue
        conflict = rules.reviewer_agency_error(reviewer["agency_code"], f.agency_code)
        if conflict:
            problems.append(f"file {a['file_id']}: {conflict} ({f.agency_code})")
            continue
        plan.append((f, a["reviewer_id"], reviewer["agency_code"]))
    if problems:
        raise ValidationFailed(f"assignment refused: {problems[0]}", {"assignments": problems})
    for f, reviewer_id, agency in plan:
        f.reviewer_id, f.reviewer_agency = reviewer_id, agency
    tx.emit(contract.REVIEWERS_ASSIGNED, {"batch_id": batch_id, "assignments": [
        {"file_id": f.file_id, "reviewer_id": reviewer_id} for f, reviewer_id, _ in plan]}, subject=batch_id)
    return _batch_dict(session, batch)


def score_review_file(tx, actor: dict, file_id: str, data: dict, settings: Settings, today: date) -> dict:
    """Scores a file against its batch's checklist; a failing file opens a correction and an accountability record."""
    access.require_bureau(actor)
    session = tx.session
    f = session.get(m.ReviewFile, file_id) if isinstance(file_id, str) else None
    if f is None:
        raise NotFound(f"review file {file_id} not found")
    if f.reviewer_id is None:
        raise Conflict("assign a reviewer first", {"file_id": ["no reviewer"]})
    if f.scored_on is not None:
        raise Conflict("the file is already scored", {"file_id": ["already scored"]})
    batch = session.get(m.ReviewBatch, f.batch_id)
    if data["scored_on"] < batch.drawn_on or data["scored_on"] > today:
        raise ValidationFailed("date out of range", {"scored_on": ["must lie between the draw and today"]})
    checklist = session.get(m.Checklist, batch.checklist_version)
    try:
        score = rules.score_file(_check_items(checklist.items), data["basic_failures"],
                                 [(d["code"], d["points"]) for d in data["deductions"]], settings.review_form_points,
                                 settings.review_content_points, settings.grade_excellent, settings.grade_pass)
    except ValueError as exc:
        field = "basic_failures" if "basic" in str(exc) else "deductions"
        raise ValidationFailed(str(exc), {field: [str(exc)]}) from None
    f.scored_on, f.basic_failures, f.note = data["scored_on"], list(score.basic_failures), data.get("note", "")
    f.deductions = [{"code": d["code"], "points": d["points"], "note": d.get("note", "")} for d in data["deductions"]]
    f.form_score, f.content_score, f.total, f.grade = score.form, score.content, score.total, score.grade
    tx.emit(contract.REVIEW_FILE_SCORED, {"file_id": f.file_id, "batch_id": f.batch_id, "case_id": f.case_id,
                                          "agency_code": f.agency_code, "checklist_version": checklist.version,
                                          "total": score.total, "grade": score.grade,
                                          "basic_failures": list(score.basic_failures)}, subject=f.case_id)
    if score.grade == rules.GRADE_FAIL:
        case = session.get(m.Case, f.case_id)
        reason = (f"案卷评查 不合格: {score.total} points"
                  + (f"; basic items failed: {', '.join(score.basic_failures)}" if score.basic_failures else ""))
        officer_ids = [o["officer_id"] for o in case.officers]
        for kind, event_type in (("correction", contract.CORRECTION_OPENED), ("accountability", contract.ACCOUNTABILITY_OPENED)):
            record = m.Correction(kind=kind, case_id=f.case_id, file_id=f.file_id, agency_code=f.agency_code,
                                  officer_ids=officer_ids if kind == "accountability" else [],
                                  opened_on=data["scored_on"], reason=reason)
            session.add(record)
            session.flush()
            tx.emit(event_type, {"record_id": record.id, "case_id": f.case_id, "agency_code": f.agency_code,
                                 "file_id": f.file_id, "officer_ids": record.officer_ids, "opened_on": record.opened_on,
                                 "reason": reason}, subject=f.case_id)
    return _file_dict(f, session.get(m.Case, f.case_id).case_number)


def list_review_files(session, actor: dict, query: dict) -> dict:
    """An agency sees the grades of its own files; the bureau all."""
    scope = access.scope_agency(actor)
    agency_code = query.get("agency_code")
    if scope is not None and agency_code not in (None, scope):
        access.require_read(actor, agency_code)
    agency_code = scope or agency_code
    stmt = select(m.ReviewFile, m.Case.case_number).join(m.Case, m.Case.case_id == m.ReviewFile.case_id)
    if agency_code:
        stmt = stmt.where(m.ReviewFile.agency_code == agency_code)
    if query.get("grade"):
        stmt = stmt.where(m.ReviewFile.grade == query["grade"])
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    rows = session.execute(stmt.order_by(m.ReviewFile.batch_id, m.Case.case_number)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return {"items": [_file_dict(f, number) for f, number in rows], "total": total, "page": page, "per_page": per_page}


def seed_checklist(tx, checklist: dict) -> int:
    if tx.session.get(m.Checklist, 1) is not None:
        return 0
    tx.session.add(m.Checklist(version=1, effective_from=date.fromisoformat(checklist["effective_from"]),
                               items=checklist["items"], created_by="seed"))
    return 1


# --- spreadsheet import ------------------------------------------------------------------------
class DryRun(Exception):
    """Raised to roll back a dry run's transaction once every row passed."""

    def __init__(self, result: dict):
        super().__init__("dry run")
        self.result = result


def _flatten(messages, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested messages as (dotted field, message) pairs; list indexes are dropped."""
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            name = prefix if isinstance(key, int) or (isinstance(key, str) and key.isdigit()) else \
                (f"{prefix}.{key}" if prefix else str(key))
            out += _flatten(value, name)
        return out
    if isinstance(messages, (list, tuple)):
        return [pair for m_ in messages for pair in _flatten(m_, prefix)]
    return [(prefix or "_schema", str(messages))]


def _prefetch(session, personnel: PersonnelPort, rows, scope: str | None) -> None:
    """Ask personnel everything the rows will need while nothing is written yet; the rows then read the answers
    from the port's cache (no RPC while the import's transaction holds the database)."""
    agencies = {row.agency_code or scope for row in rows} - {None}
    if any(session.get(m.Agency, code) is None for code in agencies):
        personnel.agencies()
    for row in rows:
        agency_code = row.agency_code or scope
        if row.problems or agency_code is None:
            continue
        item = session.execute(select(m.Item).where(m.Item.agency_code == agency_code,
                                                    m.Item.code == row.item_code)).scalars().first()
        filed = row.payload.get("filed_on")
        if item is None or filed is None:
            continue
        try:
            data = contract.CaseReport().load({**row.payload, "agency_code": agency_code, "item_id": item.item_id})
        except ValidationError:
            continue  # reported with the row later
        span = rules.version_in_force([rules.VersionSpan(v.version, v.effective_from, v.effective_to)
                                       for v in item_versions(session, item.item_id)], data["filed_on"])
        if span is not None:
            domain = next(v.domain for v in item_versions(session, item.item_id) if v.version == span.version)
            _check_officers(personnel, data["officers"], agency_code, domain, report_dates(data), {})


def import_cases(tx, actor: dict, content: bytes, settings: Settings, personnel: PersonnelPort,
                 cipher: PersonalDataCipher, today: date, max_rows: int = 5000, dry_run: bool = False) -> dict:
    """Every row is checked like a report; if any row is refused nothing is imported and every problem is listed by
    row and column. Rows later in the sheet see the earlier ones (a repeat offence within the sheet counts)."""
    from . import spreadsheets

    try:
        rows = spreadsheets.read_cases(content, max_rows)
    except spreadsheets.SpreadsheetError as exc:
        raise ValidationFailed(str(exc), {"file": [str(exc)]}) from None
    if not rows:
        raise ValidationFailed("the sheet has no case rows", {"file": ["no rows below the header"]})
    scope = access.scope_agency(actor) if not access.sees_all(actor) else None
    problems: list[dict] = []
    imported: list[str] = []

    def refuse(row, column, reason):
        problems.append({"row": row.number, "column": column, "reason": reason})

    _prefetch(tx.session, personnel, rows, scope)
    numbers: dict[tuple, int] = {}
    for row in rows:
        for column, reason in row.problems:
            refuse(row, column, reason)
        agency_code = row.agency_code or scope
        if agency_code is None:
            refuse(row, "agency_code", "missing (the bureau names each row's agency)")
            continue
        key = (agency_code, row.payload.get("case_number"))
        if key in numbers:
            refuse(row, "case_number", f"the same case number as row {numbers[key]}")
            continue
        numbers[key] = row.number
        if row.problems:
            continue
        item = tx.session.execute(select(m.Item).where(m.Item.agency_code == agency_code,
                                                       m.Item.code == row.item_code)).scalars().first()
        if item is None:
            refuse(row, "item_code", f"no item {row.item_code} in {agency_code}'s catalogue")
            continue
        payload = {**row.payload, "agency_code": agency_code, "item_id": item.item_id}
        decision = payload.get("decision")
        if decision and not get_type(tx.session, item.type_code).penalty_procedure \
                and not decision["penalty"]["kinds"] and decision["penalty"]["fine_amount"] is None:
            payload["decision"] = {"decided_on": decision["decided_on"]}  # not a penalty case: no penalty columns
        try:
            data = contract.CaseReport().load(payload)
            result = report_case(tx, actor, data, settings, personnel, cipher, today)
            imported.append(result["case_id"])
        except ValidationError as exc:
            for name, message in _flatten(exc.messages):
                refuse(row, spreadsheets.column_of(name), message)
        except (ValidationFailed, Conflict, NotFound, Forbidden) as exc:
            pairs = _flatten(exc.fields) if exc.fields else [("_row", exc.message)]
            for name, message in pairs:
                refuse(row, spreadsheets.column_of(name), message)
    if problems:
        rows_refused = len({p["row"] for p in problems})
        raise ValidationFailed(f"{rows_refused} of {len(rows)} rows were refused; nothing was imported",
                               {"rows": problems})
    result = {"rows": len(rows), "imported": len(imported), "case_ids": imported, "dry_run": dry_run}
    if dry_run:
        raise DryRun(result)
    return result


# --- reading cases ---------------------------------------------------------------------------
def case_dict(session, case: m.Case, settings: Settings, today: date) -> dict:
    suspensions, extensions, reviews = _stored(session, case.case_id)
    item_type = session.get(m.ItemType, case.type_code)
    name = session.execute(select(m.ItemVersion.name).where(m.ItemVersion.item_id == case.item_id,
                                                            m.ItemVersion.version == case.item_version)).scalar_one()
    publication = session.get(m.Publication, case.case_id)
    return {
        "case_id": case.case_id, "agency_code": case.agency_code, "case_number": case.case_number,
        "item_id": case.item_id, "item_version": case.item_version, "item_name": name, "type_code": case.type_code,
        "domain": case.domain, "status": case.status,
        "party": {"kind": case.party_kind, "name": case.party_name, "id_number_masked": case.party_id_masked,
                  "credit_code": case.party_credit_code, "is_enterprise": case.is_enterprise},
        "officers": [{"officer_id": o["officer_id"], "acted_on": o.get("acted_on")} for o in case.officers],
        "procedure": case.procedure, "harm": case.harm, "minor_violation": case.minor_violation,
        **{name_: _iso(getattr(case, name_)) for name_ in DATE_FIELDS}, "revoked_on": _iso(case.revoked_on),
        "decision_due_on": _iso(decision_due_on(case, item_type, suspensions, extensions, settings, today)),
        "penalty_kinds": list(case.penalty_kinds or []), "fine_amount": _money(case.fine_amount),
        "circumstance": case.circumstance, "lenient": case.lenient, "decision_summary": case.decision_summary,
        "is_major": case.is_major, "legal_reviews": [_review_dict(r) for r in reviews],
        "suspensions": [{"suspended_on": s.suspended_on.isoformat(), "resumed_on": _iso(s.resumed_on), "reason": s.reason}
                        for s in suspensions],
        "extensions": [{"days": e.days, "approved_on": e.approved_on.isoformat(), "approved_by": e.approved_by,
                        "reason": e.reason} for e in extensions],
        "warnings": list(case.warnings or []),
        "published_on": _iso(publication.published_on) if publication else None,
        "publication_withdrawn_on": _iso(publication.withdrawn_on) if publication else None,
    }


def read_case(session, actor: dict, case_id: str, settings: Settings, today: date) -> dict:
    case = get_case(session, case_id)
    require_case_read(actor, case)
    return case_dict(session, case, settings, today)


def list_cases(session, actor: dict, query: dict, settings: Settings, today: date) -> dict:
    scope = access.scope_agency(actor)
    agency_code = query.get("agency_code")
    if scope is not None:
        if agency_code not in (None, scope):
            access.require_read(actor, agency_code)
        agency_code = scope
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
    cases = session.execute(stmt.order_by(m.Case.filed_on.desc(), m.Case.case_number)).scalars().all() \
        if actor.get("role") == "officer" else None
    if cases is not None:  # an officer: only the cases they are on (few; filtered here, JSON column)
        cases = [c for c in cases if actor.get("officer_id") in {o["officer_id"] for o in c.officers}]
        total = len(cases)
        page, per_page = query.get("page", 1), query.get("per_page", 50)
        cases = cases[(page - 1) * per_page: page * per_page]
    else:
        total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
        page, per_page = query.get("page", 1), query.get("per_page", 50)
        cases = session.execute(stmt.order_by(m.Case.filed_on.desc(), m.Case.case_number)
                                .offset((page - 1) * per_page).limit(per_page)).scalars().all()
    return {"items": [case_dict(session, c, settings, today) for c in cases], "total": total, "page": page,
            "per_page": per_page}


# --- promptness ------------------------------------------------------------------------------
def promptness_table(session, actor: dict, query: dict) -> list[dict]:
    """Per agency and kind: measurements, on time, ratio, mean working days (computed in SQL)."""
    scope = access.scope_agency(actor)
    agency_code = query.get("agency_code")
    if scope is not None and agency_code not in (None, scope):
        access.require_read(actor, agency_code)
    agency_code = scope or agency_code
    P = m.PromptnessMeasurement
    stmt = select(P.agency_code, P.kind, func.count(), func.sum(cast(P.on_time, Integer)), func.avg(P.workdays_taken))
    if agency_code:
        stmt = stmt.where(P.agency_code == agency_code)
    if query.get("since"):
        stmt = stmt.where(P.ended_on >= query["since"])
    if query.get("until"):
        stmt = stmt.where(P.ended_on <= query["until"])
    rows = session.execute(stmt.group_by(P.agency_code, P.kind).order_by(P.agency_code, P.kind)).all()
    return [{"agency_code": a, "kind": k, "measurements": n, "on_time": int(ok or 0),
             "on_time_ratio": round(int(ok or 0) / n, 4) if n else 0.0, "mean_workdays": round(float(avg or 0), 2)}
            for a, k, n, ok, avg in rows]


def yearly_statistics(session, actor: dict, query: dict) -> list[dict]:
    """行政执法统计: per agency and type for a calendar year — cases filed, decided, fined and the fines' total —
    computed in SQL in one pass over the year's cases (two range scans of the filing and decision indexes)."""
    scope = access.scope_agency(actor)
    agency_code = query.get("agency_code")
    if scope is not None and agency_code not in (None, scope):
        access.require_read(actor, agency_code)
    agency_code = scope or agency_code
    start, end = date(query["year"], 1, 1), date(query["year"], 12, 31)
    C = m.Case
    filed = C.filed_on.between(start, end)
    decided = C.decided_on.between(start, end)
    fined = decided & (C.fine_amount > 0)
    stmt = (select(C.agency_code, C.type_code,
                   func.sum(case_when(filed, 1)), func.sum(case_when(decided, 1)), func.sum(case_when(fined, 1)),
                   func.sum(case_when(fined, C.fine_amount)))
            .where(filed | decided).group_by(C.agency_code, C.type_code).order_by(C.agency_code, C.type_code))
    if agency_code:
        stmt = stmt.where(C.agency_code == agency_code)
    return [{"agency_code": a, "type_code": t, "cases": int(n or 0), "decided": int(d or 0), "fined": int(f or 0),
             "fine_total": float(total or 0)} for a, t, n, d, f, total in session.execute(stmt).all()]


REVERSING_GROUNDS = ("reconsideration", "litigation")


def agency_case_facts(session, actor: dict, query: dict) -> list[dict]:
    """Per agency, a calendar year for the supervision service's assessment and 统计年报: the yearly statistics by
    type, decisions, publications (on time by their promptness measurement), review grades and decisions changed on
    reconsideration or litigation. The county-wide view, so the bureau (or a service acting for it) only."""
    access.require_bureau(actor)
    year = query["year"]
    start, end = date(year, 1, 1), date(year, 12, 31)
    facts: dict[str, dict] = {}

    def agency(code: str) -> dict:
        return facts.setdefault(code, {"agency_code": code, "by_type": [], "decisions": 0, "publications": 0,
                                       "publications_on_time": 0, "review_grades": {}, "changed_by_ground": {},
                                       "decisions_reversed": 0})

    for row in yearly_statistics(session, actor, {"year": year}):
        agency(row["agency_code"])["by_type"].append(row)
        agency(row["agency_code"])["decisions"] += row["decided"]
    P = m.PromptnessMeasurement
    for code, n, ok in session.execute(
            select(P.agency_code, func.count(), func.sum(cast(P.on_time, Integer)))
            .where(P.kind == KIND_PUBLISHED, P.ended_on.between(start, end)).group_by(P.agency_code)).all():
        agency(code).update(publications=int(n), publications_on_time=int(ok or 0))
    F = m.ReviewFile
    for code, grade, n in session.execute(
            select(F.agency_code, F.grade, func.count()).where(F.grade.is_not(None), F.scored_on.between(start, end))
            .group_by(F.agency_code, F.grade)).all():
        agency(code)["review_grades"][grade] = int(n)
    R, C = m.Revocation, m.Case
    for code, ground, n in session.execute(
            select(C.agency_code, R.ground, func.count()).join(C, C.case_id == R.case_id)
            .where(R.changed_on.between(start, end)).group_by(C.agency_code, R.ground)).all():
        row = agency(code)
        row["changed_by_ground"][ground] = int(n)
        if ground in REVERSING_GROUNDS:
            row["decisions_reversed"] += int(n)
    return [facts[code] for code in sorted(facts)]


def case_when(condition, value):
    return sa_case((condition, value), else_=0)


# --- seed ------------------------------------------------------------------------------------
def seed_types(tx, types: list[dict]) -> int:
    added = 0
    for position, data in enumerate(types):
        if tx.session.get(m.ItemType, data["code"]) is None:
            tx.session.add(m.ItemType(position=position, **data))
            added += 1
    return added
