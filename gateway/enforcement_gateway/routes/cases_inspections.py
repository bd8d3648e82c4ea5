"""HTTP routes of the cases service: enterprise inspections (涉企行政检查) and double-random draws (双随机).
Agency scoping is enforced by the service itself (the actor travels with every call); the gateway checks the role
and validates the input."""

from __future__ import annotations

from enforcement_contracts.cases import inspections as c
from enforcement_contracts.cases import public
from enforcement_contracts.common import page_of

from ..routing import ADMINS, PUBLIC, STAFF, Route, forward

SERVICE = "cases"

ROUTES = [
    # enterprise inspections (涉企行政检查)
    Route(
        "POST",
        "/inspections/directory",
        forward("cases.upload_directory", "actor", "body"),
        ADMINS,
        "Add to the directory of inspection targets",
        "cases",
        body=c.DirectoryUpload,
        response=c.DirectoryUpdated,
    ),
    Route(
        "GET",
        "/inspections",
        forward("cases.list_inspections", "actor", "query"),
        STAFF,
        "List enterprise inspections",
        "cases",
        query=c.InspectionQuery,
        response=page_of(c.Inspection),
    ),
    Route(
        "POST",
        "/inspections",
        forward("cases.record_inspection", "actor", "body"),
        ADMINS,
        "Record an enterprise inspection",
        "cases",
        body=c.InspectionCreate,
        response=c.Inspection,
        status=201,
    ),
    Route(
        "POST",
        "/inspections/draws",
        forward("cases.plan_draw", "actor", "body"),
        ADMINS,
        "Plan a double-random draw (双随机): pools fixed, the server's seed's SHA-256 published, nothing drawn yet",
        "cases",
        body=c.DrawCreate,
        response=c.Draw,
        status=201,
    ),
    Route(
        "POST",
        "/inspections/draws/<draw_id>/execution",
        forward("cases.execute_draw", "actor", "path.draw_id"),
        ADMINS,
        "Make a planned draw: targets and inspectors drawn, the seed revealed",
        "cases",
        response=c.Draw,
    ),
    Route(
        "GET",
        "/inspections/draws",
        forward("cases.list_draws", "actor", "query"),
        STAFF,
        "List draws (an agency: its own), latest first",
        "cases",
        query=c.DrawQuery,
        response=page_of(c.Draw),
    ),
    Route(
        "GET",
        "/inspections/draws/<draw_id>",
        forward("cases.get_draw", "actor", "path.draw_id"),
        STAFF,
        "Read a draw",
        "cases",
        response=c.Draw,
    ),
    Route(
        "GET",
        "/inspections/draws/<draw_id>/replay",
        forward("cases.replay_draw", "actor", "path.draw_id"),
        STAFF,
        "Replay a draw: the seed against its published hash, the result from the recorded pools",
        "cases",
        response=c.DrawReplay,
    ),
    Route(
        "POST",
        "/inspections/draws/<draw_id>/publication",
        forward("cases.publish_draw", "actor", "path.draw_id", "body"),
        ADMINS,
        "Publish a draw (一公开)",
        "cases",
        body=c.DrawPublish,
        response=c.Draw,
    ),
    Route(
        "GET",
        "/public/draws",
        forward("cases.public_draws", "query"),
        PUBLIC,
        "Double-random draws (public): published ones with the enterprises drawn (inspectors counted, never named); "
        "planned ones with their seed's hash, drawn ones with their seed",
        "public",
        query=public.DrawQuery,
        response=page_of(public.PublicDraw),
    ),
]
