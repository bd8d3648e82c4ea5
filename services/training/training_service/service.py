"""The training service's entry points: thin routing from RPC, events and timers to ``operations``.

Every method with an ``actor`` parameter receives it already validated by the kernel's ``@rpc``.
"""

from __future__ import annotations

import base64
import binascii
import logging

import eventlet
from nameko.extensions import DependencyProvider
from nameko.timer import Timer, timer

from enforcement_contracts import personnel
from enforcement_contracts.common import PageQuery
from enforcement_contracts.errors import Unavailable, ValidationFailed
from enforcement_contracts.training import attendance as attendance_contract
from enforcement_contracts.training import common as common_contract
from enforcement_contracts.training import compliance as compliance_contract
from enforcement_contracts.training import courses as courses_contract
from enforcement_contracts.training import exams as exams_contract
from enforcement_contracts.training import sessions as sessions_contract
from enforcement_kernel import access
from enforcement_kernel.handlers import consumes
from enforcement_kernel.rpc import Rpc, every_item, load, rpc
from enforcement_kernel.service import Configured, ServiceBase

from . import metrics
from .operations import attendance, compliance, courses, directory, exams, imports, sessions
from .settings import Settings

log = logging.getLogger(__name__)
SYSTEM = {"username": "training", "role": "system"}
SYNC_ATTEMPTS, SYNC_RETRY_SECONDS = 3, 2


class TimerStop(DependencyProvider):
    """``self.stopping.wait(seconds)``: sleeps, but returns True at once when the container stops its timers.

    A timer's worker that retries (the directory sync) waits on this instead of ``eventlet.sleep``, so stopping the
    service does not wait out its back-off (nameko's timer waits for its running worker before it stops)."""

    def get_dependency(self, worker_ctx):
        events = [ep.should_stop for ep in self.container.entrypoints if isinstance(ep, Timer)]
        return _Stopping(events)


class _Stopping:
    def __init__(self, events):
        self._events = events

    def __bool__(self) -> bool:
        return any(event.ready() for event in self._events)

    def wait(self, seconds: float) -> bool:
        with eventlet.Timeout(seconds, False):
            while not self:
                eventlet.sleep(0.1)
        return bool(self)

    def run(self, fn, *args):
        """``fn(*args)``, given up (``Stopped``) when the container stops its timers meanwhile: a call to a service
        that does not answer would otherwise hold the stop for the whole RPC timeout."""
        thread = eventlet.spawn(fn, *args)
        while not thread.dead:
            if self:
                thread.kill()
                raise Stopped()
            eventlet.sleep(0.1)
        return thread.wait()


class Stopped(Exception):
    """The container stopped its timers while a timer's worker waited."""


class TrainingService(ServiceBase):
    name = common_contract.SERVICE

    settings = Configured(Settings.from_config)
    services = Rpc()
    stopping = TimerStop()

    def _year(self, year) -> int:
        return load(compliance_contract.YearQuery, {"year": year})["year"] if year is not None else self.today().year

    # categories, courses, sessions, activities
    @rpc
    def list_categories(self, query=None):
        return self._read(courses.list_categories, self.settings, load(PageQuery, query or {}))

    @rpc
    def create_category(self, actor, payload):
        return self._write(
            courses.create_category, actor, load(courses_contract.CategoryCreate, payload), self.settings
        )

    @rpc
    def list_courses(self, query=None):
        return self._read(courses.list_courses, load(courses_contract.CourseQuery, query or {}))

    @rpc
    def get_course(self, course_id):
        return self._read(courses.read_course, course_id)

    @rpc
    def create_course(self, actor, payload):
        data = load(courses_contract.CourseCreate, payload)
        return self._write(lambda tx: courses.create_course(tx, actor, data, today=self.today()))

    @rpc
    def change_required_years(self, actor, course_id, payload):
        data = load(courses_contract.CourseRequiredYears, payload)
        return self._write(courses.change_required_years, actor, course_id, data, self.today())

    @rpc
    def create_session(self, actor, payload):
        return self._write(
            sessions.create_session, actor, load(sessions_contract.SessionCreate, payload), self.settings
        )

    @rpc
    def get_session(self, session_id):
        return self._read(sessions.read_session, session_id)

    @rpc
    def decide_session_partnership(self, actor, session_id, payload):
        """A joint session's co-organiser confirms (or refuses) its part: its admin, for its own agency."""
        data = load(sessions_contract.PartnerDecision, payload)
        return self._write(sessions.decide_partnership, actor, session_id, data, self.today())

    @rpc
    def list_sessions(self, query=None):
        return self._read(sessions.list_sessions, load(sessions_contract.SessionQuery, query or {}))

    @rpc
    def record_activity(self, actor, payload):
        return self._write(
            sessions.record_activity, actor, load(sessions_contract.ActivityCreate, payload), self.settings
        )

    # attendance
    @rpc
    def record_attendance(self, actor, payload):
        data = load(attendance_contract.AttendanceCreate, payload)
        return self._write(attendance.record_attendance, actor, data, self.settings, self.today())

    @rpc
    def correct_attendance(self, actor, attendance_id, payload):
        data = load(attendance_contract.AttendanceCorrection, payload)
        return self._write(attendance.correct_attendance, actor, attendance_id, data, self.settings, self.today())

    @rpc
    def get_attendance(self, actor, attendance_id):
        return self._read(attendance.read_attendance, actor, attendance_id)

    @rpc
    def officer_attendance(self, actor, officer_id, year=None, query=None):
        page = load(PageQuery, query or {})
        return self._read(attendance.officer_attendance, actor, officer_id, self._year(year), page)

    @rpc
    def session_attendance(self, actor, session_id, query=None):
        return self._read(attendance.session_attendance, actor, session_id, load(PageQuery, query or {}))

    @rpc
    def import_attendance(self, actor, content_base64, filename=None, dry_run=False):
        """An .xlsx file, base64-encoded (nameko's JSON wire carries no bytes)."""
        try:
            content = base64.b64decode(content_base64 or "", validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise ValidationFailed("the file is not valid base64", {"file": ["not valid base64"]}) from None
        return self._write(
            lambda tx: imports.import_attendance(
                tx, actor, content, self.settings, self.today(), filename=filename or "", dry_run=bool(dry_run)
            )
        )

    @rpc
    def import_template(self):
        return imports.import_template()

    # compliance
    @rpc
    def officer_compliance(self, actor, officer_id, year=None):
        return self._read(compliance.officer_compliance, actor, officer_id, self._year(year), self.settings)

    @rpc
    def compliance_table(self, actor, query=None):
        query = load(compliance_contract.ComplianceQuery, query or {})
        return self._read(compliance.compliance_table, actor, query, self.settings, self.today())

    @rpc
    def compliance_summary(self, actor, year=None):
        summary, agencies = self._read(compliance.compliance_summary, actor, self._year(year), self.settings)
        if access.sees_all(actor):  # only a county-wide view may reset every agency's gauges
            metrics.set_rollups(self.name, summary["year"], agencies)
        return summary

    @rpc
    def export_compliance(self, actor, query=None):
        query = load(compliance_contract.ComplianceQuery, query or {})
        return self._read(compliance.export_compliance, actor, query, self.settings, self.today())

    @rpc
    def close_year(self, actor, year):
        year = load(compliance_contract.YearQuery, {"year": year}).get("year")
        if year is None:
            raise ValidationFailed("name the year to close", {"year": ["required"]})
        result = self._write(compliance.close_year, actor, year, self.settings, self.today())
        self._refresh_gauges(year)
        return result

    # exams
    @rpc
    def schedule_exam(self, actor, payload):
        return self._write(exams.schedule_exam, actor, load(exams_contract.ExamSittingCreate, payload), self.settings)

    @rpc
    def list_exams(self, query=None):
        return self._read(exams.list_exams, load(PageQuery, query or {}))

    @rpc
    def get_exam(self, sitting_id):
        return self._read(exams.read_exam, sitting_id)

    @rpc
    def sitting_results(self, actor, sitting_id, query=None):
        return self._read(exams.sitting_results, actor, sitting_id, load(PageQuery, query or {}))

    @rpc
    def record_exam_result(self, actor, sitting_id, payload):
        data = load(exams_contract.ExamResultCreate, payload)
        return self._write(exams.record_exam_result, actor, sitting_id, data, self.today())

    @rpc
    def officer_exam_results(self, actor, officer_id, query=None):
        return self._read(exams.officer_exam_results, actor, officer_id, load(PageQuery, query or {}))

    # gauges
    def _refresh_gauges(self, year: int) -> None:
        _, agencies = self._read(compliance.compliance_summary, SYSTEM, year, self.settings)
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
        lists = self._personnel_lists_when_available()
        if lists is None:
            return
        changed = self._write(directory.sync_directory, *lists)
        if changed:
            log.info("officer directory: %d officers filled in from the personnel service", changed)

    def _personnel_lists_when_available(self) -> tuple[list, list, list] | None:
        for attempt in range(SYNC_ATTEMPTS):
            if self.stopping:  # the service is stopping: the next start (or the events) will do
                return None
            try:
                return self.stopping.run(self._personnel_lists)
            except Stopped:
                return None
            except Unavailable as exc:
                # at start nameko may not consume RPC replies yet (extensions start in parallel): try again shortly;
                # if personnel is not running, the events remain the way in
                log.info("officer directory not synchronised (attempt %d): %s", attempt + 1, exc)
                self.stopping.wait(SYNC_RETRY_SECONDS)
        return None

    def _personnel_lists(self) -> tuple[list, list, list]:
        personnel_service = self.services.personnel
        agencies = every_item(lambda page: personnel_service.list_agencies(SYSTEM, page))
        officers = every_item(lambda page: personnel_service.list_officers(SYSTEM, page))
        guidance = every_item(lambda page: personnel_service.list_guidance(SYSTEM, page))
        return agencies, officers, guidance

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

    @consumes(personnel.GUIDANCE_ASSIGNED)
    def on_guidance_assigned(self, tx, envelope, data):
        directory.apply_guidance_assigned(tx, data)

    @consumes(personnel.GUIDANCE_ENDED)
    def on_guidance_ended(self, tx, envelope, data):
        directory.apply_guidance_ended(tx, data)
