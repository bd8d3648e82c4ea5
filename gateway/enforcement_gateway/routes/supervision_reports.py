"""HTTP routes of the supervision service's yearly assessment (评议考核), statistics report (行政执法统计年报) and
satisfaction surveys (满意度测评). The bureau runs assessments and reads the county report; an agency admin reads
their own agency's report (the service scopes it by the actor). The .xlsx report crosses the RPC wire base64-encoded.
"""

from __future__ import annotations

from enforcement_contracts import supervision_reports as c
from enforcement_contracts.common import page_of

from ..routing import ADMINS, BUREAU, PUBLIC, Route, forward

SERVICE = "supervision"


ROUTES = [
    Route(
        "POST",
        "/supervision/assessments",
        forward("supervision.run_assessment", "actor", "body"),
        BUREAU,
        "Run the yearly assessment of agencies: points per indicator, total out of 100 re-weighted over the "
        "indicators with data, ranking; agencies with too little data are 无数据 (no score, no rank)",
        "supervision-reports",
        body=c.AssessmentRunCreate,
        response=c.AssessmentRun,
        status=201,
    ),
    Route(
        "GET",
        "/supervision/assessments/<int:year>",
        forward("supervision.latest_assessment", "actor", "path.year"),
        BUREAU,
        "The latest assessment run of a year",
        "supervision-reports",
        response=c.AssessmentRun,
    ),
    Route(
        "GET",
        "/supervision/annual-reports",
        forward("supervision.annual_report", "actor", "query"),
        ADMINS,
        "The yearly statistics report (county, or one agency's) as JSON",
        "supervision-reports",
        query=c.ReportQuery,
        response=c.AnnualReport,
    ),
    Route(
        "GET",
        "/supervision/annual-reports/export",
        forward("supervision.export_annual_report", "actor", "query"),
        ADMINS,
        "The yearly statistics report as .xlsx, one sheet per section",
        "supervision-reports",
        query=c.ReportQuery,
        produces=c.XLSX_MEDIA_TYPE,
    ),
    Route(
        "POST",
        "/supervision/annual-reports/filings",
        forward("supervision.file_annual_report", "actor", "body"),
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
        forward("supervision.annual_report_filings", "actor", "query.year"),
        ADMINS,
        "Who has filed the year's report, when, on time or not, and who is overdue",
        "supervision-reports",
        query=c.YearQuery,
        response=c.FilingList,
    ),
    Route(
        "GET",
        "/supervision/annual-reports/filings/<int:filing_id>",
        forward("supervision.get_annual_report_filing", "actor", "path.filing_id"),
        ADMINS,
        "One filing, with the report as filed",
        "supervision-reports",
        response=c.ReportFiling,
    ),
    Route(
        "GET",
        "/public/annual-reports",
        forward("supervision.public_annual_reports", "query"),
        PUBLIC,
        "The yearly statistics reports filed for a year (public: the county's and each agency's once filed)",
        "public",
        query=c.PublicReportQuery,
        response=page_of(c.PublicFiling),
    ),
    Route(
        "GET",
        "/public/annual-reports/<int:year>/<scope>",
        forward("supervision.public_annual_report", "path.year", "path.scope"),
        PUBLIC,
        "One yearly statistics report as filed (public; 404 until filed); scope is county or an agency's code",
        "public",
        response=c.AnnualReport,
    ),
    Route(
        "POST",
        "/supervision/satisfaction-surveys",
        forward("supervision.record_satisfaction", "actor", "body"),
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
        forward("supervision.list_satisfaction", "actor", "query.year", "page"),
        ADMINS,
        "Satisfaction survey results of a year",
        "supervision-reports",
        query=c.SatisfactionQuery,
        response=page_of(c.Satisfaction),
    ),
]
