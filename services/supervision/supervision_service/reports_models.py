"""Tables of the yearly assessment and statistics report (same ``Base`` and Alembic history as ``models``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from enforcement_kernel.db import utcnow

from .models import Base


class SatisfactionSurvey(Base):
    """A third-party satisfaction survey result (满意度测评) of one agency for one year; recorded again: replaced."""

    __tablename__ = "satisfaction_surveys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)  # 0..100
    respondents: Mapped[int] = mapped_column(Integer)
    surveyor: Mapped[str] = mapped_column(String(200))
    surveyed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    __table_args__ = (UniqueConstraint("agency_code", "year", name="uq_satisfaction_agency_year"),)


class AssessmentRun(Base):
    """One run of the yearly assessment, frozen: the weights it used and every agency's score and rank."""

    __tablename__ = "assessment_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    weights: Mapped[dict] = mapped_column(JSON)
    results: Mapped[list] = mapped_column(JSON)
    # the share of the weight with data an agency needed for a score; None: a run from before missing data was
    # re-weighted (it earned full points then)
    min_weight_with_data: Mapped[float | None] = mapped_column(Float, nullable=True)
    # agencies left out as without enforcement duties: [{agency_code, agency_name, reason}]; None before they were
    not_assessed: Mapped[list | None] = mapped_column(JSON, nullable=True)
    run_by: Mapped[str] = mapped_column(String(60))
    run_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AnnualReportFiling(Base):
    """A yearly statistics report as filed (报送) by an agency, or by the bureau for the county: frozen, once."""

    __tablename__ = "annual_report_filings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(40))  # "county" or the agency's code
    filed_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    on_time: Mapped[bool] = mapped_column(Boolean)
    filed_by: Mapped[str] = mapped_column(String(60))
    report: Mapped[dict] = mapped_column(JSON)
    filed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("year", "scope", name="uq_annual_report_filings_year_scope"),)
