"""Tables of the training service (its own database; no other service reads them).

``officers`` and ``agencies`` are read models fed by the personnel service's events: that is how
this service knows an officer exists, which agency they belong to and whether they left.
An attendance row holds the current value; every earlier value is kept in ``attendance_versions``.
"""

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


# --- read models of the personnel service ---------------------------------------------------
class Agency(Base):
    __tablename__ = "agencies"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))


class Officer(Base):
    __tablename__ = "officers"
    officer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | departed
    # in post from (appointment, or registration when not given); None: not known, counted as in post before
    appointed_on: Mapped[date | None] = mapped_column(Date)
    departed_on: Mapped[date | None] = mapped_column(Date)
    domains: Mapped[list | None] = mapped_column(JSON)  # enforcement domains (执法类别): what guidance covers
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Guidance(Base):
    """Sector guidance (personnel's ``guidance.assigned`` / ``guidance.ended``): a county agency guides a township's
    officers of one enforcement domain, so its admin may organise their training."""

    __tablename__ = "guidance"
    guidance_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    township_code: Mapped[str] = mapped_column(String(40), index=True)
    domain: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


# --- courses and sessions -------------------------------------------------------------------
class Category(Base):
    __tablename__ = "categories"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Course(Base):
    __tablename__ = "courses"
    course_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default="training")  # training | drill | contest
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # a required course is owed in these calendar years (both included; no end when None)
    required_from: Mapped[int | None] = mapped_column(Integer)
    required_until: Mapped[int | None] = mapped_column(Integer)
    counts_hours: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Session(Base):
    __tablename__ = "sessions"
    session_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.course_id"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Float)
    delivery: Mapped[str] = mapped_column(String(10))  # online | offline
    organiser_kind: Mapped[str] = mapped_column(String(10))  # bureau | agency | joint
    organiser_agencies: Mapped[list] = mapped_column(JSON, default=list)
    location: Mapped[str] = mapped_column(String(200), default="")
    # whose officers may attend besides the organisers' (issue 13): these agencies, or every agency (county-wide;
    # always so for the bureau's sessions)
    open_to: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    open_county_wide: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SessionPartner(Base):
    """A co-organiser of a joint session (issue 13): pending until its admin confirms; refused takes it off the
    organisers. Its officers' attendance counts as the organisers' only once confirmed."""

    __tablename__ = "session_partners"
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.session_id"), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending | confirmed | refused
    decided_by: Mapped[str | None] = mapped_column(String(60))
    decided_on: Mapped[date | None] = mapped_column(Date)


# --- attendance -----------------------------------------------------------------------------
class Attendance(Base):
    """The current value of one officer's attendance at one session."""

    __tablename__ = "attendance"
    attendance_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    officer_id: Mapped[str] = mapped_column(ForeignKey("officers.officer_id"))
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.session_id"), index=True)
    attended_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(60))
    import_id: Mapped[str | None] = mapped_column(ForeignKey("attendance_imports.import_id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("officer_id", "session_id", name="uq_attendance_officer_session"),
        # the yearly aggregation reads an officer's rows by date
        Index("ix_attendance_officer_date", "officer_id", "attended_on"),
        Index("ix_attendance_date", "attended_on"),
    )


class AttendanceVersion(Base):
    """An earlier value of an attendance record, kept when it was corrected."""

    __tablename__ = "attendance_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attendance_id: Mapped[str] = mapped_column(ForeignKey("attendance.attendance_id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    hours: Mapped[float] = mapped_column(Float)
    attended_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (UniqueConstraint("attendance_id", "version", name="uq_attendance_version"),)


class AttendanceImport(Base):
    """One imported spreadsheet; the same file (by content) is imported once."""

    __tablename__ = "attendance_imports"
    import_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    rows: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class OfficerYear(Base):
    """Per officer and calendar year: the snapshot revision and what was announced once."""

    __tablename__ = "officer_years"
    officer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    compliance_reached_on: Mapped[date | None] = mapped_column(Date)
    short_announced_on: Mapped[date | None] = mapped_column(Date)


# --- exams ----------------------------------------------------------------------------------
class ExamSitting(Base):
    __tablename__ = "exam_sittings"
    sitting_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    exam_kind: Mapped[str] = mapped_column(String(20))  # qualification | renewal
    title: Mapped[str] = mapped_column(String(200))
    sat_on: Mapped[date] = mapped_column(Date, index=True)
    pass_mark: Mapped[float] = mapped_column(Float)  # the setting when the sitting was scheduled
    max_score: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ExamResult(Base):
    __tablename__ = "exam_results"
    result_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sitting_id: Mapped[str] = mapped_column(ForeignKey("exam_sittings.sitting_id"))
    officer_id: Mapped[str] = mapped_column(ForeignKey("officers.officer_id"), index=True)
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    recorded_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("sitting_id", "officer_id", name="uq_exam_result_sitting_officer"),)
