"""Contract of the training service: categories, courses, sessions, attendance, compliance, exams.

RPC methods (service ``training``) take and return the payloads below as JSON-ready dicts; every
write takes the caller's ``actor`` (see ``common.Actor``) so the service scopes it.

The training service publishes a full snapshot of an officer's yearly hours after every change
(``hours.updated``) rather than single attendances, so a consumer's read model is one upsert and
an older snapshot (lower ``revision``) arriving late never overwrites a newer one.
"""

from __future__ import annotations

from marshmallow import fields, validate

from .common import AGENCY_CODE, DateRange, PageQuery, StrictSchema
from .events import EventType, register

SOURCE = "training"
SERVICE = SOURCE
EXAM_KINDS = ("qualification", "renewal")
COURSE_KINDS = ("training", "drill", "contest")  # drills (演练) and skills contests (技能竞赛) are activities
ACTIVITY_KINDS = ("drill", "contest")
DELIVERIES = ("online", "offline")
ORGANISER_KINDS = ("bureau", "agency", "joint")
# Categories are data (a table a county extends); only the shape of a code is fixed here.
CATEGORY_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$", error="must be a lower-case code like public_law")
HOURS = validate.Range(min=0, max=1000, min_inclusive=False, error="must be more than 0 and at most 1000")
YEAR = validate.Range(min=2000, max=2100)
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- RPC payloads ---------------------------------------------------------------------------
class CategoryCreate(StrictSchema):
    code = fields.String(required=True, validate=CATEGORY_CODE)
    name = fields.String(required=True, validate=validate.Length(min=2, max=60))


class Category(CategoryCreate):
    yearly_minimum_hours = fields.Float(
        allow_none=True, metadata={"description": "the yearly threshold (a setting), if any"}
    )


class CourseCreate(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    category_code = fields.String(required=True, validate=CATEGORY_CODE)
    kind = fields.String(load_default="training", validate=validate.OneOf(COURSE_KINDS))
    required = fields.Boolean(load_default=False, metadata={"description": "every officer must attend it each year"})
    counts_hours = fields.Boolean(
        load_default=True, metadata={"description": "its hours count towards the yearly thresholds"}
    )
    description = fields.String(load_default="", validate=validate.Length(max=1000))


class Course(CourseCreate):
    course_id = fields.String()


class CourseQuery(StrictSchema):
    category_code = fields.String(validate=CATEGORY_CODE)
    kind = fields.String(validate=validate.OneOf(COURSE_KINDS))
    required = fields.Boolean()


class Organiser(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(ORGANISER_KINDS))
    agency_codes = fields.List(
        fields.String(validate=AGENCY_CODE),
        load_default=list,
        validate=validate.Length(max=30),
        metadata={"description": "none for the bureau, one for an agency, two or more for a joint session"},
    )


class SessionCreate(StrictSchema):
    course_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    held_on = fields.Date(
        required=True, metadata={"description": "first day (may be in the future: sessions are planned)"}
    )
    ends_on = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "last day (an online course open for a period); defaults to held_on"},
    )
    hours = fields.Float(required=True, validate=HOURS)
    delivery = fields.String(required=True, validate=validate.OneOf(DELIVERIES))
    organiser = fields.Nested(Organiser, required=True)
    location = fields.String(load_default="", validate=validate.Length(max=200))


class Session(SessionCreate):
    session_id = fields.String()
    course_title = fields.String()
    category_code = fields.String()
    kind = fields.String()
    required = fields.Boolean()


class SessionQuery(DateRange, PageQuery):
    """Sessions of a course (or all), held within ``from``-``to`` (first day), a page at a time."""

    course_id = fields.String(validate=validate.Length(max=40))


class ActivityCreate(StrictSchema):
    """A drill (演练) or skills contest (技能竞赛): a course of that kind and its one session, in one step."""

    kind = fields.String(required=True, validate=validate.OneOf(ACTIVITY_KINDS))
    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    category_code = fields.String(required=True, validate=CATEGORY_CODE)
    counts_hours = fields.Boolean(
        required=True, metadata={"description": "whether its hours count towards the thresholds"}
    )
    held_on = fields.Date(required=True)
    ends_on = fields.Date(load_default=None, allow_none=True)
    hours = fields.Float(required=True, validate=HOURS)
    delivery = fields.String(load_default="offline", validate=validate.OneOf(DELIVERIES))
    organiser = fields.Nested(Organiser, required=True)
    location = fields.String(load_default="", validate=validate.Length(max=200))


class AttendanceCreate(StrictSchema):
    officer_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    session_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    hours = fields.Float(required=True, validate=HOURS)
    attended_on = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "defaults to the session's first day; its year is the year the hours count in"},
    )
    note = fields.String(load_default="", validate=validate.Length(max=500))


class AttendanceCorrection(StrictSchema):
    """A correction gives at least one of ``hours`` and ``attended_on`` (or both), and always its ``reason``; the
    earlier version is kept in the record's history."""

    hours = fields.Float(validate=HOURS)
    attended_on = fields.Date()
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class AttendanceVersion(StrictSchema):
    version = fields.Integer()
    hours = fields.Float()
    attended_on = fields.Date()
    note = fields.String()
    recorded_by = fields.String()
    recorded_at = fields.String()


class Attendance(StrictSchema):
    attendance_id = fields.String()
    officer_id = fields.String()
    agency_code = fields.String()
    session_id = fields.String()
    course_id = fields.String()
    course_title = fields.String()
    category_code = fields.String()
    hours = fields.Float()
    attended_on = fields.Date()
    version = fields.Integer()
    note = fields.String()
    recorded_by = fields.String()
    history = fields.List(fields.Nested(AttendanceVersion), metadata={"description": "earlier versions, oldest first"})


class YearQuery(StrictSchema):
    year = fields.Integer(validate=YEAR)


class ComplianceQuery(StrictSchema):
    year = fields.Integer(validate=YEAR)
    agency_code = fields.String(validate=AGENCY_CODE)
    compliant = fields.Boolean()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=5000))


class OfficerCompliance(StrictSchema):
    officer_id = fields.String()
    agency_code = fields.String()
    name = fields.String()
    year = fields.Integer()
    hours_by_category = fields.Dict(keys=fields.String(), values=fields.Float())
    shortfall_by_category = fields.Dict(keys=fields.String(), values=fields.Float())
    short_hours = fields.Float()
    required_courses_done = fields.Boolean()
    required_courses_missing = fields.Integer()
    rotation_done = fields.Boolean(
        allow_none=True, metadata={"description": "trained by the rotation deadline; null outside its year"}
    )
    compliant = fields.Boolean()
    reasons = fields.List(fields.String())


class AgencyRollup(StrictSchema):
    agency_code = fields.String()
    agency_name = fields.String(allow_none=True)
    officers = fields.Integer()
    compliant = fields.Integer()
    short = fields.Integer()
    compliance_ratio = fields.Float()
    short_hours = fields.Float(metadata={"description": "hours missing, summed over the officers who are short"})
    shortfall_by_category = fields.Dict(keys=fields.String(), values=fields.Float())
    required_courses_missing = fields.Integer(
        metadata={"description": "officers who have not done every required course"}
    )
    rotation_missing = fields.Integer(
        metadata={"description": "officers not trained by the rotation deadline (its year only)"}
    )


class ComplianceSummary(StrictSchema):
    year = fields.Integer()
    thresholds = fields.Dict(keys=fields.String(), values=fields.Float())
    county = fields.Nested(AgencyRollup)
    agencies = fields.List(fields.Nested(AgencyRollup))


class ImportQuery(StrictSchema):
    filename = fields.String(validate=validate.Length(max=200))
    dry_run = fields.Boolean(load_default=False)


class ImportResult(StrictSchema):
    import_id = fields.String(allow_none=True)
    rows = fields.Integer()
    imported = fields.Integer()
    officers = fields.Integer()
    dry_run = fields.Boolean()


class CloseYearResult(StrictSchema):
    year = fields.Integer()
    officers = fields.Integer()
    compliant = fields.Integer()
    short = fields.Integer()
    announced = fields.Integer(
        metadata={"description": "officers announced short by this call (each officer-year once)"}
    )


class ExamSittingCreate(StrictSchema):
    exam_kind = fields.String(required=True, validate=validate.OneOf(EXAM_KINDS))
    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    sat_on = fields.Date(required=True)


class ExamSitting(ExamSittingCreate):
    sitting_id = fields.String()
    pass_mark = fields.Float()
    max_score = fields.Float()


class ExamResultCreate(StrictSchema):
    officer_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    score = fields.Float(required=True, validate=validate.Range(min=0, max=1000))


class ExamResultOut(StrictSchema):
    result_id = fields.String()
    sitting_id = fields.String()
    officer_id = fields.String()
    agency_code = fields.String()
    exam_kind = fields.String()
    sat_on = fields.Date()
    score = fields.Float()
    pass_mark = fields.Float()
    passed = fields.Boolean()


# --- events ---------------------------------------------------------------------------------
class HoursUpdated(StrictSchema):
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    revision = fields.Integer(required=True, validate=validate.Range(min=0))
    hours_by_category = fields.Dict(
        keys=fields.String(),
        values=fields.Float(validate=validate.Range(min=0)),
        required=True,
        metadata={"description": "hours per category code, e.g. public_law, professional, political"},
    )
    required_courses_done = fields.Boolean(required=True)


class ExamResult(StrictSchema):
    result_id = fields.String(required=True)
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    exam_kind = fields.String(required=True, validate=validate.OneOf(EXAM_KINDS))
    score = fields.Float(required=True, validate=validate.Range(min=0, max=1000))
    pass_mark = fields.Float(required=True, validate=validate.Range(min=0, max=1000))
    sat_on = fields.Date(required=True)


class CategoryCreated(StrictSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class CourseCreated(StrictSchema):
    course_id = fields.String(required=True)
    title = fields.String(required=True)
    category_code = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(COURSE_KINDS))
    required = fields.Boolean(required=True)
    counts_hours = fields.Boolean(required=True)


class SessionScheduled(StrictSchema):
    session_id = fields.String(required=True)
    course_id = fields.String(required=True)
    category_code = fields.String(required=True)
    kind = fields.String(required=True)
    held_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    hours = fields.Float(required=True)
    delivery = fields.String(required=True)
    organiser_kind = fields.String(required=True)
    organiser_agencies = fields.List(fields.String(), required=True)


class AttendanceRecorded(StrictSchema):
    attendance_id = fields.String(required=True)
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    session_id = fields.String(required=True)
    course_id = fields.String(required=True)
    category_code = fields.String(required=True)
    hours = fields.Float(required=True)
    counts_hours = fields.Boolean(required=True)
    attended_on = fields.Date(required=True)


class AttendanceCorrected(StrictSchema):
    attendance_id = fields.String(required=True)
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    session_id = fields.String(required=True)
    category_code = fields.String(required=True)
    version = fields.Integer(required=True)
    old_hours = fields.Float(required=True)
    hours = fields.Float(required=True)
    old_attended_on = fields.Date(required=True)
    attended_on = fields.Date(required=True)
    reason = fields.String(required=True)


class ImportTotal(StrictSchema):
    agency_code = fields.String(required=True)
    category_code = fields.String(required=True)
    rows = fields.Integer(required=True)
    hours = fields.Float(required=True)
    counted_hours = fields.Float(required=True)


class AttendanceImported(StrictSchema):
    import_id = fields.String(required=True)
    rows = fields.Integer(required=True)
    officers = fields.Integer(required=True)
    totals = fields.List(fields.Nested(ImportTotal), required=True)


class ComplianceReached(StrictSchema):
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    year = fields.Integer(required=True)
    hours_by_category = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    reached_on = fields.Date(required=True)


class OfficerShortAtYearEnd(StrictSchema):
    officer_id = fields.String(required=True)
    agency_code = fields.String(required=True)
    year = fields.Integer(required=True)
    hours_by_category = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    shortfall_by_category = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    required_courses_done = fields.Boolean(required=True)
    rotation_done = fields.Boolean(required=True, allow_none=True)
    reasons = fields.List(fields.String(), required=True)


class ExamScheduled(StrictSchema):
    sitting_id = fields.String(required=True)
    exam_kind = fields.String(required=True, validate=validate.OneOf(EXAM_KINDS))
    title = fields.String(required=True)
    sat_on = fields.Date(required=True)
    pass_mark = fields.Float(required=True)


def _event(name: str, schema: type, description: str) -> EventType:
    """A training event type, version 1."""
    return register(EventType(SOURCE, name, schema, 1, description))


HOURS_UPDATED = _event(
    "hours.updated", HoursUpdated, "An officer's training hours for a calendar year changed (full snapshot)."
)
EXAM_PASSED = _event("exam.passed", ExamResult, "An officer passed a qualification or renewal exam.")
EXAM_FAILED = _event("exam.failed", ExamResult, "An officer failed a qualification or renewal exam.")
CATEGORY_CREATED = _event("category.created", CategoryCreated, "A training category was added.")
COURSE_CREATED = _event("course.created", CourseCreated, "A course, drill or skills contest was created.")
SESSION_SCHEDULED = _event(
    "session.scheduled", SessionScheduled, "A session of a course (or an activity's occasion) was scheduled."
)
ATTENDANCE_RECORDED = _event(
    "attendance.recorded", AttendanceRecorded, "An officer's attendance at a session was recorded."
)
ATTENDANCE_CORRECTED = _event(
    "attendance.corrected", AttendanceCorrected, "An attendance record was corrected (the earlier version is kept)."
)
ATTENDANCE_IMPORTED = _event(
    "attendance.imported",
    AttendanceImported,
    "A spreadsheet of attendance was imported (one event per file, with totals).",
)
COMPLIANCE_REACHED = _event(
    "compliance.reached",
    ComplianceReached,
    "An officer met the year's training requirements (announced once per officer-year).",
)
OFFICER_SHORT_AT_YEAR_END = _event(
    "officer.short_at_year_end",
    OfficerShortAtYearEnd,
    "At year end an officer had not met the requirements (once per officer-year).",
)
EXAM_SCHEDULED = _event("exam.scheduled", ExamScheduled, "A qualification or renewal exam sitting was scheduled.")
