"""Tables of the personnel service (its own database; no other service reads them)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from enforcement_kernel.db import utcnow


class Base(DeclarativeBase):
    pass


class Agency(Base):
    __tablename__ = "agencies"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    is_supervisor: Mapped[bool] = mapped_column(Boolean, default=False)
    is_police: Mapped[bool] = mapped_column(Boolean, default=False)
    # the agency's enforcement domains (执法类别): its police officers enforce in these with their police card
    domains: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Officer(Base):
    __tablename__ = "officers"
    officer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    id_number_encrypted: Mapped[str] = mapped_column(Text)
    id_number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str] = mapped_column(String(18))
    position: Mapped[str] = mapped_column(String(100), default="")
    domains: Mapped[list] = mapped_column(JSON, default=list)
    is_police: Mapped[bool] = mapped_column(Boolean, default=False)
    # a police officer's police card (人民警察证) number: not secret, unique, required of every police officer
    police_card_number: Mapped[str | None] = mapped_column(String(16), index=True, unique=True)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | departed
    # in post from (the appointment; the day of registration when not given): yearly training is owed from then
    appointed_on: Mapped[date | None] = mapped_column(Date)
    departed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    __table_args__ = (
        # the list's order (name, officer_id) behind its common filters: every page is an index range scan
        Index("ix_officers_list", "name", "officer_id"),
        Index("ix_officers_agency_list", "agency_code", "name", "officer_id"),
        Index("ix_officers_status_list", "status", "name", "officer_id"),
        Index("ix_officers_agency_status_list", "agency_code", "status", "name", "officer_id"),
    )


class Certificate(Base):
    __tablename__ = "certificates"
    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    officer_id: Mapped[str] = mapped_column(ForeignKey("officers.officer_id"), index=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), index=True)
    domains: Mapped[list] = mapped_column(JSON)
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="valid")
    status_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    expiry_announced: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # printed on the card and in its QR link: the public check shows the holder only to who gives it (not an event's)
    # set on every issue (and for earlier ones by the migration); nullable so adding it did not rebuild the table
    check_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # At most one live (valid or suspended) certificate per officer, guarded by the database too.
    __table_args__ = (
        Index(
            "uq_certificates_live_officer",
            "officer_id",
            unique=True,
            sqlite_where=text("status IN ('valid', 'suspended')"),
            postgresql_where=text("status IN ('valid', 'suspended')"),
        ),
    )


class CertificateSequence(Base):
    """Last certificate serial per issue year (numbers are sequential, as on the printed cards)."""

    __tablename__ = "certificate_sequences"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class CertificateHistory(Base):
    __tablename__ = "certificate_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(ForeignKey("certificates.number"), index=True)
    old_status: Mapped[str | None] = mapped_column(String(12))
    new_status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    changed_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Departure(Base):
    __tablename__ = "departures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[str] = mapped_column(ForeignKey("officers.officer_id"), unique=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    departed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    certificate_number: Mapped[str | None] = mapped_column(String(32))
    certificate_cancelled_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CertificateApplication(Base):
    """An agency's application (申领) for an officer's certificate, decided by the issuing authority."""

    __tablename__ = "certificate_applications"
    application_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    officer_id: Mapped[str] = mapped_column(ForeignKey("officers.officer_id"), index=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), index=True)
    domains: Mapped[list] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)  # pending | approved | refused
    filed_on: Mapped[date] = mapped_column(Date)
    filed_by: Mapped[str] = mapped_column(String(60))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(60))
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    certificate_number: Mapped[str | None] = mapped_column(ForeignKey("certificates.number"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # At most one pending application per officer, guarded by the database too.
    __table_args__ = (
        Index(
            "uq_certificate_applications_pending_officer",
            "officer_id",
            unique=True,
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
    )


class DeadlineMiss(Base):
    """A deadline that passed with its obligation still open, announced once (personnel.deadline.missed)."""

    __tablename__ = "deadline_misses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))  # the promptness measurement's kind
    # what the obligation is about, as the measurement that follows names it (certificate number, application id)
    reference: Mapped[str] = mapped_column(String(60))
    agency_code: Mapped[str] = mapped_column(String(40))
    started_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    detected_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # two replicas may find the same miss: the second insert fails and its transaction (with its event) rolls back
    __table_args__ = (UniqueConstraint("reference", "kind", name="uq_deadline_misses_reference_kind"),)


class PromptnessMeasurement(Base):
    """One obligation with a deadline that ended (here: departure to certificate cancellation)."""

    __tablename__ = "promptness_measurements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    reference: Mapped[str] = mapped_column(String(60))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date] = mapped_column(Date, index=True)
    workdays_taken: Mapped[int] = mapped_column(Integer)
    deadline_workdays: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("kind", "reference", name="uq_promptness_kind_reference"),)


class Assessment(Base):
    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[str] = mapped_column(ForeignKey("officers.officer_id"))
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    year: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    certificate_suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("officer_id", "year", name="uq_assessment_officer_year"),)


class LegalReviewer(Base):
    __tablename__ = "legal_reviewers"
    reviewer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))
    has_legal_qualification: Mapped[bool] = mapped_column(Boolean)
    qualification_number: Mapped[str | None] = mapped_column(String(40))
    officer_id: Mapped[str | None] = mapped_column(ForeignKey("officers.officer_id"))
    # the day of a first legal review of a major decision done before registration here (art. 58: only a first
    # review needs the legal professional qualification)
    first_reviewed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# --- read model of the training service's facts (fed by its events) -------------------------
class TrainingHours(Base):
    __tablename__ = "training_hours"
    officer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(Integer)
    hours_by_category: Mapped[dict] = mapped_column(JSON)
    required_courses_done: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ExamResult(Base):
    __tablename__ = "exam_results"
    result_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    officer_id: Mapped[str] = mapped_column(String(32), index=True)
    exam_kind: Mapped[str] = mapped_column(String(20))
    passed: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float)
    sat_on: Mapped[date] = mapped_column(Date)


class SectorGuidance(Base):
    """Sector guidance (县直部门指导乡镇): a county department guides a township in one enforcement domain.
    At most one relation in force per (department, township, domain); an ended one keeps its dates."""

    __tablename__ = "sector_guidance"
    guidance_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), index=True)
    township_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), index=True)
    domain: Mapped[str] = mapped_column(String(40))
    since: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        Index(
            "uq_sector_guidance_in_force",
            "agency_code",
            "township_code",
            "domain",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
    )
