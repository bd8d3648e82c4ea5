"""Tables of the cases service (its own database; no other service reads them)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import Numeric

from enforcement_kernel.db import utcnow

MONEY = Numeric(14, 2)


class Base(DeclarativeBase):
    pass


class ItemType(Base):
    """行政处罚, 行政许可, ...: codes are data (seeded), with what follows from each type."""

    __tablename__ = "item_types"
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    publish_decisions: Mapped[bool] = mapped_column(Boolean, default=False)
    penalty_procedure: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Agency(Base):
    """A copy of the personnel service's agencies (read through on first use): names for the public list."""

    __tablename__ = "agencies"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    is_police: Mapped[bool] = mapped_column(Boolean, default=False)
    is_supervisor: Mapped[bool] = mapped_column(Boolean, default=False)
    refreshed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Item(Base):
    """An enforcement item of an agency's catalogue; what it says lives in its versions."""

    __tablename__ = "items"
    item_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    code: Mapped[str] = mapped_column(String(40))
    type_code: Mapped[str] = mapped_column(ForeignKey("item_types.code"))
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("agency_code", "code", name="uq_items_agency_code"),)


class ItemVersion(Base):
    __tablename__ = "item_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str] = mapped_column(String(40))
    legal_basis: Mapped[str] = mapped_column(Text)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("item_id", "version", name="uq_item_versions_item_version"),)


class Benchmark(Base):
    """A discretion benchmark version of an item (裁量基准); each version was filed with the bureau."""

    __tablename__ = "benchmarks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"))
    version: Mapped[int] = mapped_column(Integer)
    tiers: Mapped[list] = mapped_column(JSON)
    effective_from: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("item_id", "version", name="uq_benchmarks_item_version"),)


class LenientEntry(Base):
    """An item on one of an agency's lenient lists (从轻, 减轻, 首违不罚), in force from a day until removed."""

    __tablename__ = "lenient_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    list_kind: Mapped[str] = mapped_column(String(30))
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), index=True)
    conditions: Mapped[str] = mapped_column(Text)
    effective_from: Mapped[date] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    remove_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MajorRule(Base):
    """An entry of an agency's major-decision list (重大执法决定法制审核目录)."""

    __tablename__ = "major_rules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    item_id: Mapped[str | None] = mapped_column(ForeignKey("items.item_id"))
    penalty_kind: Mapped[str | None] = mapped_column(String(30))
    fine_from: Mapped[Decimal | None] = mapped_column(MONEY)
    type_code: Mapped[str | None] = mapped_column(String(30))  # every decision of this enforcement type
    circumstance: Mapped[str | None] = mapped_column(String(30))  # every decision applying this benchmark tier
    note: Mapped[str] = mapped_column(Text, default="")
    removed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Case(Base):
    __tablename__ = "cases"
    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40))
    case_number: Mapped[str] = mapped_column(String(60))
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), index=True)
    item_version: Mapped[int] = mapped_column(Integer)
    type_code: Mapped[str] = mapped_column(String(30))
    domain: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="filed")
    # the party: a citizen's ID number only encrypted, as a keyed hash and masked
    party_kind: Mapped[str] = mapped_column(String(12))
    party_name: Mapped[str] = mapped_column(String(200))
    party_id_encrypted: Mapped[str | None] = mapped_column(Text)
    party_id_masked: Mapped[str | None] = mapped_column(String(30))
    party_credit_code: Mapped[str | None] = mapped_column(String(30))
    party_key: Mapped[str] = mapped_column(String(64), doc="keyed hash of the party's identity: repeat offences")
    is_enterprise: Mapped[bool] = mapped_column(Boolean, default=False)
    officers: Mapped[list] = mapped_column(JSON)
    procedure: Mapped[str] = mapped_column(String(12), default="ordinary")
    harm: Mapped[str] = mapped_column(String(12), default="none")
    minor_violation: Mapped[bool] = mapped_column(Boolean, default=False)
    violation_on: Mapped[date | None] = mapped_column(Date)
    detected_on: Mapped[date | None] = mapped_column(Date)
    filed_on: Mapped[date] = mapped_column(Date)
    investigation_ended_on: Mapped[date | None] = mapped_column(Date)
    notice_on: Mapped[date | None] = mapped_column(Date)
    hearing_requested_on: Mapped[date | None] = mapped_column(Date)
    hearing_notice_on: Mapped[date | None] = mapped_column(Date)
    hearing_held_on: Mapped[date | None] = mapped_column(Date)
    # the party's withdrawal of its hearing request (art. 64): the day, party or agent, and the user who recorded it
    hearing_withdrawn_on: Mapped[date | None] = mapped_column(Date)
    hearing_withdrawn_by: Mapped[str | None] = mapped_column(String(12))
    hearing_withdrawal_recorded_by: Mapped[str | None] = mapped_column(String(60))
    decided_on: Mapped[date | None] = mapped_column(Date)
    served_on: Mapped[date | None] = mapped_column(Date)
    executed_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    penalty_kinds: Mapped[list] = mapped_column(JSON, default=list)
    fine_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    circumstance: Mapped[str | None] = mapped_column(String(30))
    lenient: Mapped[str | None] = mapped_column(String(30))
    decision_summary: Mapped[str] = mapped_column(Text, default="")
    is_major: Mapped[bool] = mapped_column(Boolean, default=False)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    warning_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    __table_args__ = (
        UniqueConstraint("agency_code", "case_number", name="uq_cases_agency_number"),
        Index("ix_cases_agency_decided", "agency_code", "decided_on"),
        Index("ix_cases_party", "agency_code", "party_key", "filed_on"),
        # the list's order (filed_on DESC, case_number, case_id) behind its common filters: a page, first or after a
        # cursor, is an index range scan (the agency's also serves the reports' filed_on ranges)
        Index("ix_cases_list", filed_on.desc(), "case_number", "case_id"),
        Index("ix_cases_agency_list", "agency_code", filed_on.desc(), "case_number", "case_id"),
        Index("ix_cases_status_list", "status", filed_on.desc(), "case_number", "case_id"),
        Index("ix_cases_agency_status_list", "agency_code", "status", filed_on.desc(), "case_number", "case_id"),
    )


class Suspension(Base):
    __tablename__ = "case_suspensions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    suspended_on: Mapped[date] = mapped_column(Date)
    resumed_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)


class Extension(Base):
    __tablename__ = "case_extensions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    days: Mapped[int] = mapped_column(Integer)
    approved_on: Mapped[date] = mapped_column(Date)
    approved_by: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)


class LegalReview(Base):
    __tablename__ = "legal_reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    reviewer_id: Mapped[str] = mapped_column(String(64))
    reviewed_on: Mapped[date] = mapped_column(Date)
    passed: Mapped[bool] = mapped_column(Boolean)
    opinion: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Publication(Base):
    """A decision published (公示) and, once changed or revoked, withdrawn."""

    __tablename__ = "publications"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    published_on: Mapped[date] = mapped_column(Date, index=True)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Revocation(Base):
    __tablename__ = "decision_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    changed_on: Mapped[date] = mapped_column(Date)
    revoked: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    # agency | reconsideration (行政复议) | litigation (行政诉讼): the last two count as reversed in the assessment
    ground: Mapped[str] = mapped_column(String(20), default="agency", server_default="agency")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PromptnessMeasurement(Base):
    """One obligation with a deadline that ended (case decided, decision served, published, withdrawn, ...)."""

    __tablename__ = "promptness_measurements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(60))
    reference: Mapped[str] = mapped_column(String(80))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date] = mapped_column(Date)
    workdays_taken: Mapped[int] = mapped_column(Integer)
    deadline_workdays: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("kind", "reference", name="uq_cases_promptness_kind_reference"),
        Index("ix_cases_promptness_agency_ended", "agency_code", "ended_on"),
    )


class Transfer(Base):
    """案件移送: to another agency or to the police; each leg is a promptness figure."""

    __tablename__ = "transfers"
    transfer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    from_agency_code: Mapped[str] = mapped_column(String(40), index=True)
    to_agency_code: Mapped[str] = mapped_column(String(40), index=True)
    to_police: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text)
    proposed_on: Mapped[date] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    approved: Mapped[bool | None] = mapped_column(Boolean)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    handed_over_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DirectoryEntry(Base):
    """An agency's inspection targets (检查对象名录库): the pool of the double-random draw."""

    __tablename__ = "inspection_directory"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40))
    credit_code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("agency_code", "credit_code", name="uq_directory_agency_credit"),)


class Inspection(Base):
    __tablename__ = "inspections"
    inspection_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40))
    credit_code: Mapped[str] = mapped_column(String(30))
    enterprise_name: Mapped[str] = mapped_column(String(200))
    inspected_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    domain: Mapped[str] = mapped_column(String(40))
    officers: Mapped[list] = mapped_column(JSON)
    joint_agencies: Mapped[list] = mapped_column(JSON, default=list)
    draw_id: Mapped[str | None] = mapped_column(String(32))
    result: Mapped[str] = mapped_column(Text, default="")
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        Index("ix_inspections_enterprise", "credit_code", "inspected_on"),
        Index("ix_inspections_agency_enterprise", "agency_code", "credit_code", "inspected_on"),
    )


class Draw(Base):
    """A double-random draw with everything needed to replay it: the pools as they were, and the seed. Planned
    first (pools fixed, the seed's hash published, the seed kept secret), then drawn (the seed revealed)."""

    __tablename__ = "draws"
    draw_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    domain: Mapped[str] = mapped_column(String(40))
    category: Mapped[str | None] = mapped_column(String(60))
    drawn_on: Mapped[date] = mapped_column(Date)
    seed: Mapped[str] = mapped_column(String(64), doc="made by the server; answered only once the draw is made")
    seed_hash: Mapped[str] = mapped_column(String(64), doc="SHA-256 of the seed, public from the plan on")
    state: Mapped[str] = mapped_column(String(10), default="planned", server_default="planned")  # planned | drawn
    executed_at: Mapped[datetime | None] = mapped_column(DateTime, doc="when the draw was made (UTC)")
    target_count: Mapped[int] = mapped_column(Integer)
    target_pool: Mapped[list] = mapped_column(JSON)
    inspector_pool: Mapped[list] = mapped_column(JSON)
    assignments: Mapped[list] = mapped_column(JSON)
    published_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Checklist(Base):
    """A version of the case-file review checklist (评查标准)."""

    __tablename__ = "review_checklists"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    effective_from: Mapped[date] = mapped_column(Date)
    items: Mapped[list] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ReviewBatch(Base):
    __tablename__ = "review_batches"
    batch_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    drawn_on: Mapped[date] = mapped_column(Date, doc="the day planned, then the day drawn")
    seed: Mapped[str] = mapped_column(String(64), doc="made by the server; answered only once the batch is drawn")
    seed_hash: Mapped[str] = mapped_column(String(64), doc="SHA-256 of the seed, published when planned")
    state: Mapped[str] = mapped_column(String(10), default="planned", server_default="planned")  # planned | drawn
    executed_at: Mapped[datetime | None] = mapped_column(DateTime, doc="when the batch was drawn (UTC)")
    agency_code: Mapped[str | None] = mapped_column(String(40))
    type_code: Mapped[str | None] = mapped_column(String(30))
    closed_from: Mapped[date] = mapped_column(Date)
    closed_to: Mapped[date] = mapped_column(Date)
    size: Mapped[int] = mapped_column(Integer)
    population: Mapped[list] = mapped_column(JSON, doc="the case ids the draw chose from, so it can be replayed")
    checklist_version: Mapped[int] = mapped_column(ForeignKey("review_checklists.version"))
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ReviewFile(Base):
    __tablename__ = "review_files"
    file_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("review_batches.batch_id"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    reviewer_id: Mapped[str | None] = mapped_column(String(64))
    reviewer_agency: Mapped[str | None] = mapped_column(String(40))
    scored_on: Mapped[date | None] = mapped_column(Date)
    basic_failures: Mapped[list] = mapped_column(JSON, default=list)
    deductions: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    form_score: Mapped[int | None] = mapped_column(Integer)
    content_score: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str | None] = mapped_column(String(12))
    __table_args__ = (UniqueConstraint("batch_id", "case_id", name="uq_review_files_batch_case"),)


class Correction(Base):
    """错案纠正 (kind correction) or 过错责任追究 (kind accountability), opened by a failing case file."""

    __tablename__ = "review_followups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    file_id: Mapped[str] = mapped_column(ForeignKey("review_files.file_id"))
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    officer_ids: Mapped[list] = mapped_column(JSON, default=list)
    opened_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    # opened -> assigned -> decided -> closed (operations.followups; the rules in rules/followups.py)
    status: Mapped[str] = mapped_column(String(12), default="opened", server_default="opened")
    assigned_on: Mapped[date | None] = mapped_column(Date)
    assignee: Mapped[str | None] = mapped_column(String(200), doc="the responsible person or unit; the investigator")
    assignee_agency_code: Mapped[str | None] = mapped_column(String(40))
    assigned_by: Mapped[str | None] = mapped_column(String(60))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(60))
    measure: Mapped[str | None] = mapped_column(String(30), doc="a correction's outcome (contract vocabulary)")
    # an accountability's outcome per officer: [{officer_id, outcome, exemption: {kind, ground, text}, note}]
    outcomes: Mapped[list | None] = mapped_column(JSON, default=list)
    exemptions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(60))
    notes: Mapped[dict | None] = mapped_column(JSON, default=dict, doc="each step's note: assigned, decided, closed")
    __table_args__ = (
        UniqueConstraint("kind", "file_id", name="uq_review_followups_kind_file"),
        Index("ix_review_followups_status", "status", "agency_code"),
    )


class DeadlineMiss(Base):
    """A deadline that passed with its obligation still open, announced once (cases.deadline.missed)."""

    __tablename__ = "deadline_misses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"))
    # what the obligation is about, as the measurement that follows names it: the case, or the transfer for its legs
    reference: Mapped[str] = mapped_column(String(32))
    transfer_id: Mapped[str | None] = mapped_column(ForeignKey("transfers.transfer_id"))
    kind: Mapped[str] = mapped_column(String(60))  # the promptness measurement's kind
    agency_code: Mapped[str] = mapped_column(String(40))
    started_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    detected_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # two replicas may find the same miss: the second insert fails and its transaction (with its event) rolls back
    __table_args__ = (
        UniqueConstraint("reference", "kind", name="uq_deadline_misses_reference_kind"),
        Index("ix_deadline_misses_case", "case_id"),  # the cases list's overdue filter looks up each case's misses
    )


# --- Case records (issue 15): the document-kind catalogue, the hash chain, whole-process recordings -------------


class KindCatalogue(Base):
    """A version of the document-kind catalogue (文书种类): kinds, stages, when required, size and media limits."""

    __tablename__ = "record_kind_catalogues"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    effective_from: Mapped[date] = mapped_column(Date)
    kinds: Mapped[list] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RecordChainEntry(Base):
    """One entry of a case's hash chain (records/chain.py): appended, never updated."""

    __tablename__ = "record_chain"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"))
    seq: Mapped[int] = mapped_column(Integer)
    entry_type: Mapped[str] = mapped_column(String(20))  # document | recording
    reference: Mapped[str] = mapped_column(String(64))  # the document's or recording's id
    content_sha256: Mapped[str | None] = mapped_column(String(64))  # null: a recording known by reference only
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(60))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_record_chain_case_seq"),)


class Recording(Base):
    """A whole-process recording (执法全过程记录): the recorder, the officer, when and where, and either an uploaded
    file (a document of kind ``recording``) or the recorder system's own reference."""

    __tablename__ = "case_recordings"
    recording_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    agency_code: Mapped[str] = mapped_column(String(40))
    device_id: Mapped[str] = mapped_column(String(64))
    officer_id: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime] = mapped_column(DateTime)
    place: Mapped[str] = mapped_column(String(200))
    document_id: Mapped[str | None] = mapped_column(String(32))
    recorder_reference: Mapped[str | None] = mapped_column(String(128))
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    registered_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # one recorder starts one recording at a time: a request delivered twice registers it once
    __table_args__ = (
        UniqueConstraint("case_id", "device_id", "started_at", name="uq_case_recordings_case_device_start"),
    )


# --- Case documents (issue 15): the files of a case (records/documents.py) and uploads under way ----------------


class CaseDocument(Base):
    """A file attached to a case at a stage; its bytes are in the content store under ``sha256``."""

    __tablename__ = "case_documents"
    document_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"))
    kind: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    catalogue_version: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(60))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_case_documents_case_uploaded", "case_id", "uploaded_at"),)


class DocumentUpload(Base):
    """An upload under way: its chunks gather in the store's partial file until it is finished (the row then names
    the document, so a finish sent again answers the same) or abandoned (removed by the cleanup timer)."""

    __tablename__ = "document_uploads"
    upload_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"))
    kind: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    declared_size: Mapped[int | None] = mapped_column(BigInteger)
    max_bytes: Mapped[int] = mapped_column(BigInteger)
    catalogue_version: Mapped[int] = mapped_column(Integer)
    next_seq: Mapped[int] = mapped_column(Integer, default=0)  # chunks 0..next_seq-1 are written
    received_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    started_by: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    sha256: Mapped[str | None] = mapped_column(String(64))  # set once its bytes passed the checks
    document_id: Mapped[str | None] = mapped_column(String(32))  # set once finished
