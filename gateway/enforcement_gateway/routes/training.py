"""HTTP routes of the training service. Agency scoping is enforced by the service itself (the
actor travels with every call); the gateway checks the role and validates the input.

The attendance import takes the .xlsx file itself as the body (Content-Type of a spreadsheet);
the export answers with the file. Both cross the RPC wire base64-encoded (JSON carries no bytes).
"""

from __future__ import annotations

import base64
from urllib.parse import quote

from marshmallow import fields
from werkzeug.wrappers import Response

from enforcement_contracts import training as c
from enforcement_contracts.common import StrictSchema
from enforcement_contracts.errors import ValidationFailed

from ..routing import ADMINS, BUREAU, STAFF, Route

XLSX = c.XLSX_MEDIA_TYPE


class ExportQuery(StrictSchema):
    year = fields.Integer(validate=c.YEAR)
    agency_code = fields.String(validate=c.AGENCY_CODE)


def _t(call):
    return call.rpc.training


def file_response(result: dict) -> Response:
    data = base64.b64decode(result["content_base64"])
    response = Response(data, status=200, mimetype=result["media_type"])
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(result['filename'])}"
    return response


def import_attendance(call):
    encoded = base64.b64encode(call.body).decode()
    try:
        return _t(call).import_attendance(
            call.actor, encoded, call.query.get("filename"), call.query.get("dry_run", False)
        )
    except ValidationFailed as exc:
        # nameko sends an error's arguments as strings: give the report its row numbers back
        for problem in exc.fields.get("rows") or []:
            problem["row"] = int(problem["row"])
        raise


ROUTES = [
    Route(
        "GET",
        "/training/categories",
        lambda call: _t(call).list_categories(),
        STAFF,
        "List training categories",
        "training",
        response=c.Category,
        many=True,
    ),
    Route(
        "POST",
        "/training/categories",
        lambda call: _t(call).create_category(call.actor, call.body),
        BUREAU,
        "Add a training category",
        "training",
        body=c.CategoryCreate,
        response=c.Category,
        status=201,
    ),
    Route(
        "GET",
        "/training/courses",
        lambda call: _t(call).list_courses(call.json_query()),
        STAFF,
        "List courses",
        "training",
        query=c.CourseQuery,
        response=c.Course,
        many=True,
    ),
    Route(
        "POST",
        "/training/courses",
        lambda call: _t(call).create_course(call.actor, call.body),
        ADMINS,
        "Create a course (required ones: the bureau)",
        "training",
        body=c.CourseCreate,
        response=c.Course,
        status=201,
    ),
    Route(
        "GET",
        "/training/courses/<course_id>",
        lambda call: _t(call).get_course(call.params["course_id"]),
        STAFF,
        "Read a course",
        "training",
        response=c.Course,
    ),
    Route(
        "GET",
        "/training/sessions",
        lambda call: _t(call).list_sessions(call.json_query()),
        STAFF,
        "List sessions",
        "training",
        query=c.SessionQuery,
    ),
    Route(
        "POST",
        "/training/sessions",
        lambda call: _t(call).create_session(call.actor, call.body),
        ADMINS,
        "Schedule a session of a course",
        "training",
        body=c.SessionCreate,
        response=c.Session,
        status=201,
    ),
    Route(
        "GET",
        "/training/sessions/<session_id>",
        lambda call: _t(call).get_session(call.params["session_id"]),
        STAFF,
        "Read a session",
        "training",
        response=c.Session,
    ),
    Route(
        "POST",
        "/training/activities",
        lambda call: _t(call).record_activity(call.actor, call.body),
        ADMINS,
        "Record a drill or skills contest",
        "training",
        body=c.ActivityCreate,
        response=c.Session,
        status=201,
    ),
    Route(
        "POST",
        "/training/attendance",
        lambda call: _t(call).record_attendance(call.actor, call.body),
        ADMINS,
        "Record an officer's attendance",
        "training",
        body=c.AttendanceCreate,
        response=c.Attendance,
        status=201,
    ),
    Route(
        "GET",
        "/training/attendance/<attendance_id>",
        lambda call: _t(call).get_attendance(call.actor, call.params["attendance_id"]),
        STAFF,
        "Read an attendance record with its history",
        "training",
        response=c.Attendance,
    ),
    Route(
        "POST",
        "/training/attendance/<attendance_id>/correction",
        lambda call: _t(call).correct_attendance(call.actor, call.params["attendance_id"], call.body),
        ADMINS,
        "Correct an attendance record (the earlier version is kept)",
        "training",
        body=c.AttendanceCorrection,
        response=c.Attendance,
    ),
    Route(
        "POST",
        "/training/attendance/import",
        import_attendance,
        ADMINS,
        "Import attendance from an .xlsx file (all rows or none)",
        "training",
        query=c.ImportQuery,
        response=c.ImportResult,
        status=201,
        raw_body_types=(XLSX,),
    ),
    Route(
        "GET",
        "/training/attendance/import-template",
        lambda call: file_response(_t(call).import_template()),
        ADMINS,
        "Download the attendance spreadsheet template",
        "training",
        produces=XLSX,
    ),
    Route(
        "GET",
        "/training/officers/<officer_id>/attendance",
        lambda call: _t(call).officer_attendance(call.actor, call.params["officer_id"], call.query.get("year")),
        STAFF,
        "An officer's attendance in a year",
        "training",
        query=c.YearQuery,
        response=c.Attendance,
        many=True,
    ),
    Route(
        "GET",
        "/training/officers/<officer_id>/compliance",
        lambda call: _t(call).officer_compliance(call.actor, call.params["officer_id"], call.query.get("year")),
        STAFF,
        "An officer's yearly compliance",
        "training",
        query=c.YearQuery,
        response=c.OfficerCompliance,
    ),
    Route(
        "GET",
        "/training/officers/<officer_id>/exams",
        lambda call: _t(call).officer_exam_results(call.actor, call.params["officer_id"]),
        STAFF,
        "An officer's exam results",
        "training",
        response=c.ExamResultOut,
        many=True,
    ),
    Route(
        "GET",
        "/training/compliance",
        lambda call: _t(call).compliance_table(call.actor, call.json_query()),
        ADMINS,
        "Yearly compliance per officer",
        "training",
        query=c.ComplianceQuery,
    ),
    Route(
        "GET",
        "/training/compliance/summary",
        lambda call: _t(call).compliance_summary(call.actor, call.query.get("year")),
        ADMINS,
        "Compliance roll-ups per agency and for the county",
        "training",
        query=c.YearQuery,
        response=c.ComplianceSummary,
    ),
    Route(
        "GET",
        "/training/compliance/export",
        lambda call: file_response(_t(call).export_compliance(call.actor, call.json_query())),
        ADMINS,
        "An agency's compliance table as .xlsx",
        "training",
        query=ExportQuery,
        produces=XLSX,
    ),
    Route(
        "POST",
        "/training/years/<int:year>/close",
        lambda call: _t(call).close_year(call.actor, call.params["year"]),
        BUREAU,
        "Close a year: announce every officer short of its requirements (once)",
        "training",
        response=c.CloseYearResult,
    ),
    Route(
        "GET",
        "/training/exams",
        lambda call: _t(call).list_exams(),
        STAFF,
        "List exam sittings",
        "training",
        response=c.ExamSitting,
        many=True,
    ),
    Route(
        "POST",
        "/training/exams",
        lambda call: _t(call).schedule_exam(call.actor, call.body),
        BUREAU,
        "Schedule a qualification or renewal exam",
        "training",
        body=c.ExamSittingCreate,
        response=c.ExamSitting,
        status=201,
    ),
    Route(
        "POST",
        "/training/exams/<sitting_id>/results",
        lambda call: _t(call).record_exam_result(call.actor, call.params["sitting_id"], call.body),
        BUREAU,
        "Record an exam result (a pass is announced to the personnel service)",
        "training",
        body=c.ExamResultCreate,
        response=c.ExamResultOut,
        status=201,
    ),
]
