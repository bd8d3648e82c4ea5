"""The training service's entry points: thin routing from RPC, events and timers to ``operations``."""

from __future__ import annotations

import base64
import binascii
import logging

import eventlet
from nameko.extensions import DependencyProvider
from nameko.timer import timer

from enforcement_contracts import personnel
from enforcement_contracts import training as contract
from enforcement_contracts.common import Actor
from enforcement_contracts.errors import Unavailable, ValidationFailed
from enforcement_kernel import access
from enforcement_kernel.handlers import consumes
from enforcement_kernel.rpc import Rpc, load, rpc
from enforcement_kernel.service import ServiceBase

from . import metrics
from .operations import attendance, compliance, courses, directory, exams, imports, sessions
from .settings import Settings

log = logging.getLogger(__name__)
SYSTEM = {"username": "training", "role": "system"}


class TrainingContext(DependencyProvider):
    """Settings, built once from the container's config."""

    def setup(self):
        self.settings = Settings.from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self


class TrainingService(ServiceBase):
    name = contract.SERVICE

    context = TrainingContext()
    services = Rpc()  # not ``rpc``: that name is the entry-point decorator used in this class body

    def _year(self, year) -> int:
        return load(contract.YearQuery, {"year": year})["year"] if year is not None else self.today().year

    # categories, courses, sessions, activities
    @rpc
    def list_categories(self):
        with self.db.read() as session:
            return courses.list_categories(session, self.context.settings)

    @rpc
    def create_category(self, actor, payload):
        return self._write(
            courses.create_category, load(Actor, actor), load(contract.CategoryCreate, payload), self.context.settings
        )

    @rpc
    def list_courses(self, query=None):
        with self.db.read() as session:
            return courses.list_courses(session, load(contract.CourseQuery, query or {}))

    @rpc
    def get_course(self, course_id):
        with self.db.read() as session:
            return courses.read_course(session, course_id)

    @rpc
    def create_course(self, actor, payload):
        return self._write(courses.create_course, load(Actor, actor), load(contract.CourseCreate, payload))

    @rpc
    def create_session(self, actor, payload):
        return self._write(
            sessions.create_session, load(Actor, actor), load(contract.SessionCreate, payload), self.context.settings
        )

    @rpc
    def get_session(self, session_id):
        with self.db.read() as session:
            return sessions.read_session(session, session_id)

    @rpc
    def list_sessions(self, query=None):
        with self.db.read() as session:
            return sessions.list_sessions(session, load(contract.SessionQuery, query or {}))

    @rpc
    def record_activity(self, actor, payload):
        return self._write(
            sessions.record_activity, load(Actor, actor), load(contract.ActivityCreate, payload), self.context.settings
        )

    # attendance
    @rpc
    def record_attendance(self, actor, payload):
        return self._write(
            attendance.record_attendance,
            load(Actor, actor),
            load(contract.AttendanceCreate, payload),
            self.context.settings,
            self.today(),
        )

    @rpc
    def correct_attendance(self, actor, attendance_id, payload):
        return self._write(
            attendance.correct_attendance,
            load(Actor, actor),
            attendance_id,
            load(contract.AttendanceCorrection, payload),
            self.context.settings,
            self.today(),
        )

    @rpc
    def get_attendance(self, actor, attendance_id):
        with self.db.read() as session:
            return attendance.read_attendance(session, load(Actor, actor), attendance_id)

    @rpc
    def officer_attendance(self, actor, officer_id, year=None):
        with self.db.read() as session:
            return attendance.officer_attendance(session, load(Actor, actor), officer_id, self._year(year))

    @rpc
    def import_attendance(self, actor, content_base64, filename=None, dry_run=False):
        """An .xlsx file, base64-encoded (nameko's JSON wire carries no bytes)."""
        actor = load(Actor, actor)
        try:
            content = base64.b64decode(content_base64 or "", validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise ValidationFailed("the file is not valid base64", {"file": ["not valid base64"]}) from None
        return self._write(
            lambda tx: imports.import_attendance(
                tx, actor, content, self.context.settings, self.today(), filename=filename or "", dry_run=bool(dry_run)
            )
        )

    @rpc
    def import_template(self):
        return imports.import_template()

    # compliance
    @rpc
    def officer_compliance(self, actor, officer_id, year=None):
        with self.db.read() as session:
            return compliance.officer_compliance(
                session, load(Actor, actor), officer_id, self._year(year), self.context.settings
            )

    @rpc
    def compliance_table(self, actor, query=None):
        with self.db.read() as session:
            return compliance.compliance_table(
                session,
                load(Actor, actor),
                load(contract.ComplianceQuery, query or {}),
                self.context.settings,
                self.today(),
            )

    @rpc
    def compliance_summary(self, actor, year=None):
        actor, year = load(Actor, actor), self._year(year)
        with self.db.read() as session:
            summary, agencies = compliance.compliance_summary(session, actor, year, self.context.settings)
        if access.sees_all(actor):  # only a county-wide view may reset every agency's gauges
            metrics.set_rollups(self.name, year, agencies)
        return summary

    @rpc
    def export_compliance(self, actor, query=None):
        with self.db.read() as session:
            return compliance.export_compliance(
                session,
                load(Actor, actor),
                load(contract.ComplianceQuery, query or {}),
                self.context.settings,
                self.today(),
            )

    @rpc
    def close_year(self, actor, year):
        year = load(contract.YearQuery, {"year": year}).get("year")
        if year is None:
            raise ValidationFailed("name the year to close", {"year": ["required"]})
        result = self._write(compliance.close_year, load(Actor, actor), year, self.context.settings, self.today())
        self._refresh_gauges(year)
        return result

    # exams
    @rpc
    def schedule_exam(self, actor, payload):
        return self._write(
            exams.schedule_exam, load(Actor, actor), load(contract.ExamSittingCreate, payload), self.context.settings
        )

    @rpc
    def list_exams(self):
        with self.db.read() as session:
            return exams.list_exams(session)

    @rpc
    def record_exam_result(self, actor, sitting_id, payload):
        return self._write(
            exams.record_exam_result,
            load(Actor, actor),
            sitting_id,
            load(contract.ExamResultCreate, payload),
            self.today(),
        )

    @rpc
    def officer_exam_results(self, actor, officer_id):
        with self.db.read() as session:
            return exams.officer_exam_results(session, load(Actor, actor), officer_id)

    # gauges
    def _refresh_gauges(self, year: int) -> None:
        with self.db.read() as session:
            _, agencies = compliance.compliance_summary(session, SYSTEM, year, self.context.settings)
        metrics.set_rollups(self.name, year, agencies)

    @timer(interval=300, eager=True)
    def refresh_compliance_gauges(self):
        """Every 5 minutes (and at start): compliance gauges per agency for this year and last."""
        this_year = self.today().year
        for year in (this_year - 1, this_year):
            self._refresh_gauges(year)

    # the officer directory, from the personnel service's events (and its lists, as a backstop)
    @timer(interval=3600, eager=True)
    def sync_directory(self):
        """Hourly (and at start): fill in officers and agencies whose events this service never received."""
        for attempt in range(3):
            try:
                agencies, officers = self._personnel_lists()
                break
            except Unavailable as exc:
                # at start nameko may not consume RPC replies yet (extensions start in parallel): try again shortly;
                # if personnel is not running, the events remain the way in
                log.info("officer directory not synchronised (attempt %d): %s", attempt + 1, exc)
                eventlet.sleep(2)
        else:
            return
        with self.db.transaction() as tx:
            tx.serialise("training.sync_directory")  # replicas take turns: the second sees the first's officers
            changed = directory.sync_directory(tx, agencies, officers)
        if changed:
            log.info("officer directory: %d officers filled in from the personnel service", changed)

    def _personnel_lists(self) -> tuple[list, list]:
        agencies = self.services.personnel.list_agencies(SYSTEM)
        officers, page = [], 1
        while True:
            batch = self.services.personnel.list_officers(SYSTEM, {"page": page, "per_page": 500})
            officers += batch["items"]
            if page * 500 >= batch["total"]:
                return agencies, officers
            page += 1

    @consumes(personnel.AGENCY_REGISTERED)
    def on_agency_registered(self, tx, envelope, data):
        directory.apply_agency_registered(tx, data)

    @consumes(personnel.OFFICER_REGISTERED)
    def on_officer_registered(self, tx, envelope, data):
        directory.apply_officer_registered(tx, data)

    @consumes(personnel.OFFICER_UPDATED)
    def on_officer_updated(self, tx, envelope, data):
        directory.apply_officer_updated(tx, data)

    @consumes(personnel.OFFICER_DEPARTED)
    def on_officer_departed(self, tx, envelope, data):
        directory.apply_officer_departed(tx, data)
