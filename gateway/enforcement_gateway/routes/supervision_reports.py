"""HTTP routes of the supervision service's yearly assessment (评议考核), statistics report (行政执法统计年报) and
satisfaction surveys (满意度测评). The bureau runs assessments and reads the county report; an agency admin reads
their own agency's report (the service scopes it by the actor). The .xlsx report crosses the RPC wire base64-encoded.
"""

from __future__ import annotations

from enforcement_contracts import supervision_reports as c

from ..routing import ADMINS, BUREAU, Route
from .training import file_response

SERVICE = "supervision"


def _s(call):
    return call.rpc.supervision


def _report_query(call) -> dict:
    return {k: v for k, v in call.query.items() if v is not None}


ROUTES = [
    Route(
        "POST",
        "/supervision/assessments",
        lambda call: _s(call).run_assessment(call.actor, call.body),
        BUREAU,
        "Run the yearly assessment of agencies: points per indicator, total out of 100, ranking",
        "supervision-reports",
        body=c.AssessmentRunCreate,
        response=c.AssessmentRun,
        status=201,
    ),
    Route(
        "GET",
        "/supervision/assessments/<int:year>",
        lambda call: _s(call).latest_assessment(call.actor, call.params["year"]),
        BUREAU,
        "The latest assessment run of a year",
        "supervision-reports",
        response=c.AssessmentRun,
    ),
    Route(
        "GET",
        "/supervision/annual-reports",
        lambda call: _s(call).annual_report(call.actor, _report_query(call)),
        ADMINS,
        "The yearly statistics report (county, or one agency's) as JSON",
        "supervision-reports",
        query=c.ReportQuery,
        response=c.AnnualReport,
    ),
    Route(
        "GET",
        "/supervision/annual-reports/export",
        lambda call: file_response(_s(call).export_annual_report(call.actor, _report_query(call))),
        ADMINS,
        "The yearly statistics report as .xlsx, one sheet per section",
        "supervision-reports",
        query=c.ReportQuery,
        produces=c.XLSX_MEDIA_TYPE,
    ),
    Route(
        "POST",
        "/supervision/annual-reports/filings",
        lambda call: _s(call).file_annual_report(call.actor, call.body),
        ADMINS,
        "File (报送) the year's statistics report: an agency admin their agency's, the bureau the county's (or an "
        "agency's); kept as filed, once, and measured against its due date (31 January)",
        "supervision-reports",
        body=c.ReportFilingCreate,
        response=c.ReportFiling,
        status=201,
    ),
    Route(
        "GET",
        "/supervision/annual-reports/filings",
        lambda call: _s(call).annual_report_filings(call.actor, call.query["year"]),
        ADMINS,
        "Who has filed the year's report, when, on time or not, and who is overdue",
        "supervision-reports",
        query=c.YearQuery,
        response=c.FilingList,
    ),
    Route(
        "GET",
        "/supervision/annual-reports/filings/<int:filing_id>",
        lambda call: _s(call).get_annual_report_filing(call.actor, call.params["filing_id"]),
        ADMINS,
        "One filing, with the report as filed",
        "supervision-reports",
        response=c.ReportFiling,
    ),
    Route(
        "POST",
        "/supervision/satisfaction-surveys",
        lambda call: _s(call).record_satisfaction(call.actor, call.body),
        BUREAU,
        "Record a third-party satisfaction survey result of an agency for a year (replaces an earlier one)",
        "supervision-reports",
        body=c.SatisfactionRecord,
        response=c.Satisfaction,
        status=201,
    ),
    Route(
        "GET",
        "/supervision/satisfaction-surveys",
        lambda call: _s(call).list_satisfaction(call.actor, call.query["year"]),
        ADMINS,
        "Satisfaction survey results of a year",
        "supervision-reports",
        query=c.YearQuery,
        response=c.Satisfaction,
        many=True,
    ),
]
