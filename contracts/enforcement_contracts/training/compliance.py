"""Yearly hours and compliance: an officer's standing, the agencies' roll-up, closing a year.

The service publishes a full snapshot of an officer's yearly hours after every change (``hours.updated``)
rather than single attendances, so a consumer's read model is one upsert and an older snapshot (lower
``revision``) arriving late never overwrites a newer one.
"""

from __future__ import annotations

from marshmallow import fields, validate

from ..common import AGENCY_CODE, PageQuery, StrictSchema, page_of
from .common import YEAR, event


class YearQuery(StrictSchema):
    year = fields.Integer(validate=YEAR)


class ComplianceQuery(PageQuery):
    year = fields.Integer(validate=YEAR)
    agency_code = fields.String(validate=AGENCY_CODE)
    compliant = fields.Boolean()


class OfficerCompliance(StrictSchema):
    officer_id = fields.String()
    agency_code = fields.String()
    name = fields.String()
    year = fields.Integer()
    hours_by_category = fields.Dict(keys=fields.String(), values=fields.Float())
    shortfall_by_category = fields.Dict(keys=fields.String(), values=fields.Float())
    owed_hours_by_category = fields.Dict(
        keys=fields.String(),
        values=fields.Float(),
        metadata={"description": "the minimum owed: the yearly threshold, pro-rated for part of the year in post"},
    )
    days_in_post = fields.Integer(metadata={"description": "days of the year in post (appointment to departure)"})
    in_post = fields.Boolean(metadata={"description": "in post on some day of the year"})
    short_hours = fields.Float()
    required_courses_done = fields.Boolean()
    required_courses_missing = fields.Integer()
    rotation_done = fields.Boolean(
        allow_none=True, metadata={"description": "trained by the rotation deadline; null outside its year"}
    )
    compliant = fields.Boolean()
    reasons = fields.List(fields.String())


class ComplianceTable(page_of(OfficerCompliance)):
    """One page of the officers' standing in a year (the year the table is for, then the page), with the rules it was
    judged by: the yearly minimum hours per category and the rotation deadline (全员轮训, judged in its year only)."""

    year = fields.Integer(required=True)
    thresholds = fields.Dict(keys=fields.String(), values=fields.Float())
    rotation_deadline = fields.Date(allow_none=True)
    rotation_window_start = fields.Date(
        allow_none=True, metadata={"description": "training from this day to the deadline counts for the rotation"}
    )


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


class CloseYearResult(StrictSchema):
    year = fields.Integer()
    officers = fields.Integer()
    compliant = fields.Integer()
    short = fields.Integer()
    announced = fields.Integer(
        metadata={"description": "officers announced short by this call (each officer-year once)"}
    )


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
    owed_hours_by_category = fields.Dict(
        keys=fields.String(),
        values=fields.Float(),
        load_default=None,
        allow_none=True,
        metadata={"description": "the minimum owed per category, pro-rated for an officer appointed during the year"},
    )


HOURS_UPDATED = event(
    "hours.updated", HoursUpdated, "An officer's training hours for a calendar year changed (full snapshot)."
)
COMPLIANCE_REACHED = event(
    "compliance.reached",
    ComplianceReached,
    "An officer met the year's training requirements (announced once per officer-year).",
)
OFFICER_SHORT_AT_YEAR_END = event(
    "officer.short_at_year_end",
    OfficerShortAtYearEnd,
    "At year end an officer had not met the requirements (once per officer-year).",
)
