"""行政执法统计: cases per agency and type in a year, and the yearly facts the supervision service reads."""

from __future__ import annotations

from marshmallow import fields, validate

from ..common import AGENCY_CODE, StrictSchema


class StatsQuery(StrictSchema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    agency_code = fields.String(validate=AGENCY_CODE)


class StatsRow(StrictSchema):
    """行政执法统计: per agency and type, cases filed and decided in the year and fines decided."""

    agency_code = fields.String()
    type_code = fields.String()
    cases = fields.Integer()
    decided = fields.Integer()
    fined = fields.Integer()
    fine_total = fields.Float()


class FactsQuery(StrictSchema):
    """A calendar year of yearly facts per agency (the supervision service's assessment and statistics report)."""

    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class AgencyCaseFacts(StrictSchema):
    """One agency's cases in a calendar year, for the yearly assessment and 行政执法统计年报."""

    agency_code = fields.String()
    by_type = fields.List(fields.Nested(StatsRow))
    decisions = fields.Integer(metadata={"description": "cases decided in the year"})
    publications = fields.Integer(metadata={"description": "decisions published in the year"})
    publications_on_time = fields.Integer()
    review_grades = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "case files scored in the year, by grade"},
    )
    changed_by_ground = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "decisions changed or revoked in the year, by ground"},
    )
    decisions_reversed = fields.Integer(metadata={"description": "changed or revoked on reconsideration or litigation"})
    followups = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Integer()),
        metadata={
            "description": "corrections (错案纠正) and accountability records (过错责任追究) by kind: opened and "
            "closed in the year, overdue (a step's deadline missed in the year, or still late today for the running "
            "year) and "
            "officers exempted (尽职免责 / 容错纠错) in the year's decisions"
        },
    )
