"""HTTP routes of the cases service: corrections (错案纠正) and accountability records (过错责任追究) opened by a
failing case file, each assigned, decided and closed. The service scopes them (the bureau all; an agency its own,
another agency's are not found; accountability is the bureau's to move on); the gateway checks the role and
validates the input."""

from __future__ import annotations

from enforcement_contracts.cases import followups as c
from enforcement_contracts.common import page_of

from ..routing import ADMINS, STAFF, Route, forward

SERVICE = "cases"

ROUTES = [
    Route(
        "GET",
        "/reviews/followups",
        forward("cases.list_followups", "actor", "query"),
        STAFF,
        "Corrections and accountability records after failing case files, latest first (an agency: its own)",
        "cases",
        query=c.FollowupQuery,
        response=page_of(c.Followup),
    ),
    Route(
        "GET",
        "/reviews/followups/<int:record_id>",
        forward("cases.get_followup", "actor", "path.record_id"),
        STAFF,
        "Read a correction or accountability record",
        "cases",
        response=c.Followup,
    ),
    Route(
        "POST",
        "/reviews/followups/<int:record_id>/assignment",
        forward("cases.assign_followup", "actor", "path.record_id", "body"),
        ADMINS,
        "Assign it: a correction to whoever puts it right, an accountability record to the investigating unit",
        "cases",
        body=c.FollowupAssign,
        response=c.Followup,
    ),
    Route(
        "POST",
        "/reviews/followups/<int:record_id>/decision",
        forward("cases.decide_followup", "actor", "path.record_id", "body"),
        ADMINS,
        "Record the outcome: what was corrected, or per officer concerned an outcome or an exemption with its grounds",
        "cases",
        body=c.FollowupDecide,
        response=c.Followup,
    ),
    Route(
        "POST",
        "/reviews/followups/<int:record_id>/closure",
        forward("cases.close_followup", "actor", "path.record_id", "body"),
        ADMINS,
        "Close it",
        "cases",
        body=c.FollowupClose,
        response=c.Followup,
    ),
]
