"""Contract of the supervision service's yearly assessment (评议考核), statistics report (行政执法统计年报) and
satisfaction surveys (满意度测评): RPC payloads and answers. A filed report is announced
(``supervision.annual_report.filed``, in ``enforcement_contracts.supervision``); an assessment run is read, not
announced."""

from __future__ import annotations

from marshmallow import fields, validate

from .common import AGENCY_CODE, PageQuery, StrictSchema, UtcDateTime

YEAR = validate.Range(min=2000, max=2100)
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class YearQuery(StrictSchema):
    year = fields.Integer(required=True, validate=YEAR)


class SatisfactionQuery(YearQuery, PageQuery):
    """The satisfaction results of a year, a page at a time."""


class ReportQuery(StrictSchema):
    year = fields.Integer(required=True, validate=YEAR)
    agency_code = fields.String(
        validate=AGENCY_CODE,
        metadata={"description": "one agency's report; an agency admin always gets their own agency's"},
    )


class AssessmentRunCreate(StrictSchema):
    year = fields.Integer(required=True, validate=YEAR)


class IndicatorScore(StrictSchema):
    code = fields.String()
    title = fields.String()
    weight = fields.Float(metadata={"description": "the configured points of the indicator (of 100)"})
    has_data = fields.Boolean(
        metadata={
            "description": "false: nothing to measure (no officers, no cases, no items...): the indicator weighs "
            "nothing and the total is re-weighted over the others; true with no fault found is a clean record"
        }
    )
    points = fields.Float(
        allow_none=True,
        metadata={"description": "points earned after re-weighting; null without data or when the agency has none"},
    )
    points_possible = fields.Float(
        allow_none=True,
        metadata={
            "description": "the weight re-scaled over the indicators with data (they add up to 100); null "
            "without data or when the agency has no score"
        },
    )
    ratio = fields.Float(
        allow_none=True, metadata={"description": "share of the weight earned; null: nothing to measure"}
    )
    detail = fields.String()


class AgencyScore(StrictSchema):
    agency_code = fields.String()
    agency_name = fields.String()
    total = fields.Float(
        allow_none=True,
        metadata={
            "description": "points out of 100, re-weighted over the indicators with data; null: no data (无数据)"
        },
    )
    rank = fields.Integer(
        allow_none=True, metadata={"description": "equal totals share a rank; null: not ranked (no data)"}
    )
    no_data = fields.Boolean(
        metadata={
            "description": "true (无数据): data for none of the indicators, or for less of their weight than the "
            "county's minimum (ASSESSMENT.min_weight_with_data): no score, no rank, listed after the ranked"
        }
    )
    weight_with_data = fields.Float(metadata={"description": "the configured points whose indicators had data"})
    indicators = fields.List(fields.Nested(IndicatorScore))


class NotAssessed(StrictSchema):
    agency_code = fields.String()
    agency_name = fields.String()
    reason = fields.String(metadata={"description": "no_enforcement_duties (ASSESSMENT.without_enforcement_duties)"})


class AssessmentRun(StrictSchema):
    run_id = fields.Integer()
    year = fields.Integer()
    weights = fields.Dict(keys=fields.String(), values=fields.Float())
    min_weight_with_data = fields.Float(
        allow_none=True,
        metadata={
            "description": "the share of the weight with data an agency needed for a score; null: a run from "
            "before missing data was re-weighted"
        },
    )
    run_by = fields.String()
    run_at = UtcDateTime(metadata={"description": "when the assessment was run (UTC)"})
    ranking = fields.List(
        fields.Nested(AgencyScore),
        metadata={"description": "ranked agencies, highest total first, then the agencies with no data (no rank)"},
    )
    not_assessed = fields.List(
        fields.Nested(NotAssessed), metadata={"description": "agencies left out: no enforcement duties"}
    )


class ReportColumn(StrictSchema):
    key = fields.String()
    title = fields.String()


class ReportSection(StrictSchema):
    code = fields.String()
    title = fields.String()
    columns = fields.List(fields.Nested(ReportColumn))
    rows = fields.List(fields.Dict())
    total = fields.Dict()


class AnnualReport(StrictSchema):
    year = fields.Integer()
    scope = fields.String(metadata={"description": "county, or the agency's code"})
    due_on = fields.Date(metadata={"description": "to be published and reported by (31 January of the next year)"})
    generated_on = fields.Date()
    complete = fields.Boolean(metadata={"description": "false while the year is still running"})
    due_passed = fields.Boolean()
    agencies = fields.Integer()
    sections = fields.List(fields.Nested(ReportSection))


class SatisfactionRecord(StrictSchema):
    agency_code = fields.String(required=True, validate=AGENCY_CODE)
    year = fields.Integer(required=True, validate=YEAR)
    score = fields.Float(required=True, validate=validate.Range(min=0, max=100))
    respondents = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000_000))
    surveyor = fields.String(
        required=True,
        validate=validate.Length(min=2, max=200),
        metadata={"description": "the third party that ran the survey"},
    )
    surveyed_on = fields.Date(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class Satisfaction(SatisfactionRecord):
    recorded_by = fields.String()


class ReportFilingCreate(StrictSchema):
    year = fields.Integer(required=True, validate=YEAR, metadata={"description": "a year that is over"})
    agency_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=AGENCY_CODE,
        metadata={
            "description": "an agency admin files their own agency's report (may be left out); the bureau files the "
            "county's (left out) or an agency's"
        },
    )


class ReportFiling(StrictSchema):
    filing_id = fields.Integer()
    year = fields.Integer()
    scope = fields.String(metadata={"description": "county, or the agency's code"})
    filed_on = fields.Date()
    due_on = fields.Date()
    on_time = fields.Boolean()
    filed_by = fields.String()
    report = fields.Nested(AnnualReport, metadata={"description": "the report as filed (frozen)"})


class FilingStatus(StrictSchema):
    scope = fields.String(metadata={"description": "county, or the agency's code"})
    agency_name = fields.String()
    filed = fields.Boolean()
    filing_id = fields.Integer(allow_none=True)
    filed_on = fields.Date(allow_none=True)
    on_time = fields.Boolean(allow_none=True, metadata={"description": "null while not filed"})
    overdue = fields.Boolean(metadata={"description": "not filed and the due date has passed"})


class FilingList(StrictSchema):
    year = fields.Integer()
    due_on = fields.Date()
    filings = fields.List(fields.Nested(FilingStatus))


# --- public (执法公示): the reports as filed --------------------------------------------------------
class PublicReportQuery(YearQuery, PageQuery):
    """The reports filed for a year, a page at a time (the county's first, then the agencies' by code)."""


class PublicFiling(StrictSchema):
    """A filed report as the public list shows it."""

    year = fields.Integer()
    scope = fields.String(metadata={"description": "county, or the agency's code"})
    agency_name = fields.String(allow_none=True, metadata={"description": "null for the county's report"})
    filed_on = fields.Date()
