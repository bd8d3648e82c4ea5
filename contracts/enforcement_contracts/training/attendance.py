"""Attendance records: recorded one at a time or imported from a spreadsheet, corrected with their history kept."""

from __future__ import annotations

from marshmallow import fields, validate

from ..common import PageQuery, StrictSchema
from .common import HOURS, YEAR, event


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
    officer_name = fields.String(metadata={"description": "as the personnel service announced it"})
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


class OfficerAttendanceQuery(PageQuery):
    """An officer's attendance in a calendar year (this year if not given), a page at a time."""

    year = fields.Integer(validate=YEAR)


class ImportQuery(StrictSchema):
    filename = fields.String(validate=validate.Length(max=200))
    dry_run = fields.Boolean(load_default=False)


class ImportResult(StrictSchema):
    import_id = fields.String(allow_none=True)
    rows = fields.Integer()
    imported = fields.Integer()
    officers = fields.Integer()
    dry_run = fields.Boolean()


# --- events ---------------------------------------------------------------------------------
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


ATTENDANCE_RECORDED = event(
    "attendance.recorded", AttendanceRecorded, "An officer's attendance at a session was recorded."
)
ATTENDANCE_CORRECTED = event(
    "attendance.corrected", AttendanceCorrected, "An attendance record was corrected (the earlier version is kept)."
)
ATTENDANCE_IMPORTED = event(
    "attendance.imported",
    AttendanceImported,
    "A spreadsheet of attendance was imported (one event per file, with totals).",
)
