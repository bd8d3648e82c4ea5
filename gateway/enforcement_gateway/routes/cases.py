"""HTTP routes of the cases service. Agency scoping is enforced by the service itself (the actor travels
with every call); the gateway checks the role and validates the input. The catalogue, benchmarks and lenient
lists are published information: every signed-in role reads them. The published decisions are public."""
from __future__ import annotations

import base64

from marshmallow import fields

from enforcement_contracts import cases as c
from enforcement_contracts.common import AGENCY_CODE, StrictSchema
from enforcement_contracts.errors import ValidationFailed

from ..routing import ADMINS, BUREAU, PUBLIC, STAFF, Route


class AgencyFilter(StrictSchema):
    agency_code = fields.String(validate=AGENCY_CODE)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportQuery(StrictSchema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "check every row, import nothing"})


def _c(call):
    return call.rpc.cases


def import_cases(call):
    """The .xlsx file is the body; it crosses the RPC wire base64-encoded (JSON carries no bytes)."""
    try:
        return _c(call).import_cases(call.actor, base64.b64encode(call.body).decode(), call.query.get("dry_run", False))
    except ValidationFailed as exc:
        for problem in exc.fields.get("rows") or []:  # nameko sends an error's arguments as strings
            problem["row"] = int(problem["row"])
        raise


def _case(call) -> str:
    return call.params["case_id"]


ROUTES = [
    # catalogue (行政执法事项目录)
    Route("GET", "/catalogue/types", lambda call: _c(call).list_item_types(), STAFF, "List enforcement types", "cases",
          response=c.ItemType, many=True),
    Route("GET", "/catalogue/items", lambda call: _c(call).list_items(call.json_query()), STAFF, "List catalogue items",
          "cases", query=c.ItemQuery),
    Route("POST", "/catalogue/items", lambda call: _c(call).create_item(call.actor, call.body), ADMINS,
          "Register a catalogue item (with its legal basis)", "cases", body=c.ItemCreate, response=c.Item, status=201),
    Route("GET", "/catalogue/items/<item_id>", lambda call: _c(call).get_item(call.params["item_id"]), STAFF,
          "Read a catalogue item with its versions", "cases", response=c.Item),
    Route("POST", "/catalogue/items/<item_id>/versions",
          lambda call: _c(call).change_item(call.actor, call.params["item_id"], call.body), ADMINS,
          "Change an item (a new version)", "cases", body=c.ItemChange, response=c.Item, status=201),
    Route("POST", "/catalogue/items/<item_id>/cancellation",
          lambda call: _c(call).cancel_item(call.actor, call.params["item_id"], call.body), ADMINS,
          "Cancel an item", "cases", body=c.ItemCancel, response=c.Item),
    Route("GET", "/catalogue/dormant", lambda call: _c(call).dormant_items(call.actor, call.json_query()), STAFF,
          "Items with no case in 5 years (proposed for cancellation)", "cases", query=c.DormantQuery,
          response=c.DormantItem, many=True),
    Route("POST", "/catalogue/items/<item_id>/benchmarks",
          lambda call: _c(call).set_benchmark(call.actor, call.params["item_id"], call.body), ADMINS,
          "File a discretion benchmark version (备案)", "cases", body=c.BenchmarkSet, response=c.Benchmark, status=201),
    Route("GET", "/catalogue/items/<item_id>/benchmarks", lambda call: _c(call).list_benchmarks(call.params["item_id"]),
          STAFF, "An item's benchmark versions", "cases", response=c.Benchmark, many=True),
    Route("GET", "/lenient-lists", lambda call: _c(call).list_lenient(call.json_query()), STAFF,
          "The lenient lists (从轻, 减轻, 首违不罚)", "cases", query=c.LenientQuery, response=c.LenientEntry, many=True),
    Route("POST", "/lenient-lists", lambda call: _c(call).add_lenient_entry(call.actor, call.body), ADMINS,
          "Add an item to a lenient list (备案)", "cases", body=c.LenientEntryCreate, response=c.LenientEntry, status=201),
    Route("POST", "/lenient-lists/<int:entry_id>/removal",
          lambda call: _c(call).remove_lenient_entry(call.actor, call.params["entry_id"], call.body), ADMINS,
          "Remove an item from a lenient list (备案)", "cases", body=c.LenientEntryRemove, response=c.LenientEntry),
    Route("GET", "/major-decision-list", lambda call: _c(call).list_major_rules(call.actor, call.query.get("agency_code")),
          STAFF, "Major-decision lists (重大执法决定法制审核目录)", "cases", query=AgencyFilter, response=c.MajorRule, many=True),
    Route("POST", "/major-decision-list", lambda call: _c(call).add_major_rule(call.actor, call.body), ADMINS,
          "Add an entry to an agency's major-decision list", "cases", body=c.MajorRuleCreate, response=c.MajorRule,
          status=201),
    Route("DELETE", "/major-decision-list/<int:rule_id>",
          lambda call: _c(call).remove_major_rule(call.actor, call.params["rule_id"]), ADMINS,
          "Remove an entry from a major-decision list", "cases", response=c.MajorRule),
    # cases
    Route("GET", "/cases", lambda call: _c(call).list_cases(call.actor, call.json_query()), STAFF, "List cases", "cases",
          query=c.CaseQuery),
    Route("POST", "/cases", lambda call: _c(call).report_case(call.actor, call.body), ADMINS, "Report a case", "cases",
          body=c.CaseReport, response=c.Case, status=201),
    Route("POST", "/cases/import", import_cases, ADMINS, "Import cases from an .xlsx sheet (every row passes, or none "
          "is imported; problems listed by row and column)", "cases", query=ImportQuery, raw_body_types=(XLSX,)),
    Route("GET", "/cases/promptness", lambda call: _c(call).promptness(call.actor, call.json_query()), STAFF,
          "Promptness of the agencies' case obligations", "cases", query=c.PromptnessQuery, response=c.PromptnessRow,
          many=True),
    Route("GET", "/cases/statistics", lambda call: _c(call).statistics(call.actor, call.json_query()), STAFF,
          "Yearly counts and fines per agency and type (行政执法统计)", "cases", query=c.StatsQuery, response=c.StatsRow,
          many=True),
    Route("GET", "/cases/<case_id>", lambda call: _c(call).get_case(call.actor, _case(call)), STAFF, "Read a case",
          "cases", response=c.Case),
    Route("PATCH", "/cases/<case_id>", lambda call: _c(call).update_case(call.actor, _case(call), call.body), ADMINS,
          "Record stages, suspensions, extensions or officers", "cases", body=c.CaseUpdate, response=c.Case),
    Route("POST", "/cases/<case_id>/legal-reviews",
          lambda call: _c(call).record_legal_review(call.actor, _case(call), call.body), ADMINS,
          "Record a legal review (法制审核)", "cases", body=c.LegalReviewCreate, response=c.LegalReview, status=201),
    Route("POST", "/cases/<case_id>/decision", lambda call: _c(call).decide_case(call.actor, _case(call), call.body),
          ADMINS, "Record the decision", "cases", body=c.Decision, response=c.Case),
    Route("POST", "/cases/<case_id>/publication",
          lambda call: _c(call).publish_decision(call.actor, _case(call), call.body), ADMINS,
          "Record the decision's publication (公示)", "cases", body=c.PublicationCreate, response=c.Case),
    Route("POST", "/cases/<case_id>/revocation", lambda call: _c(call).revoke_decision(call.actor, _case(call), call.body),
          ADMINS, "Record a change or revocation of the decision", "cases", body=c.Revocation, response=c.Case),
    Route("POST", "/cases/<case_id>/publication/withdrawal",
          lambda call: _c(call).withdraw_publication(call.actor, _case(call), call.body), ADMINS,
          "Record the withdrawal of a publication", "cases", body=c.PublicationWithdraw, response=c.Case),
    Route("GET", "/public/decisions", lambda call: _c(call).public_decisions(call.json_query()), PUBLIC,
          "Published decisions (public; names of natural persons masked)", "public", query=c.PublicQuery),
    # transfers (案件移送)
    Route("POST", "/cases/<case_id>/transfers",
          lambda call: _c(call).propose_transfer(call.actor, _case(call), call.body), ADMINS,
          "Propose a transfer to another agency or the police", "cases", body=c.TransferCreate, response=c.Transfer,
          status=201),
    Route("GET", "/transfers", lambda call: _c(call).list_transfers(call.actor, call.json_query()), STAFF,
          "Transfers sent and received", "cases", query=c.TransferQuery),
    Route("GET", "/transfers/<transfer_id>", lambda call: _c(call).get_transfer(call.actor, call.params["transfer_id"]),
          STAFF, "Read a transfer", "cases", response=c.Transfer),
    Route("POST", "/transfers/<transfer_id>/decision",
          lambda call: _c(call).decide_transfer(call.actor, call.params["transfer_id"], call.body), ADMINS,
          "The head's decision on a transfer", "cases", body=c.TransferDecision, response=c.Transfer),
    Route("POST", "/transfers/<transfer_id>/handover",
          lambda call: _c(call).hand_over_transfer(call.actor, call.params["transfer_id"], call.body), ADMINS,
          "Record the hand-over", "cases", body=c.TransferHandover, response=c.Transfer),
    Route("POST", "/transfers/<transfer_id>/acknowledgement",
          lambda call: _c(call).acknowledge_transfer(call.actor, call.params["transfer_id"], call.body), ADMINS,
          "The receiver acknowledges a transfer", "cases", body=c.TransferAcknowledge, response=c.Transfer),
    # enterprise inspections (涉企行政检查)
    Route("POST", "/inspections/directory", lambda call: _c(call).upload_directory(call.actor, call.body), ADMINS,
          "Add to the directory of inspection targets", "cases", body=c.DirectoryUpload),
    Route("GET", "/inspections", lambda call: _c(call).list_inspections(call.actor, call.json_query()), STAFF,
          "List enterprise inspections", "cases", query=c.InspectionQuery),
    Route("POST", "/inspections", lambda call: _c(call).record_inspection(call.actor, call.body), ADMINS,
          "Record an enterprise inspection", "cases", body=c.InspectionCreate, response=c.Inspection, status=201),
    Route("POST", "/inspections/draws", lambda call: _c(call).make_draw(call.actor, call.body), ADMINS,
          "Make a double-random draw (双随机)", "cases", body=c.DrawCreate, response=c.Draw, status=201),
    Route("GET", "/inspections/draws/<draw_id>", lambda call: _c(call).get_draw(call.actor, call.params["draw_id"]),
          STAFF, "Read a draw", "cases", response=c.Draw),
    Route("GET", "/inspections/draws/<draw_id>/replay",
          lambda call: _c(call).replay_draw(call.actor, call.params["draw_id"]), STAFF,
          "Replay a draw from its recorded seed", "cases", response=c.DrawReplay),
    Route("POST", "/inspections/draws/<draw_id>/publication",
          lambda call: _c(call).publish_draw(call.actor, call.params["draw_id"], call.body), ADMINS,
          "Publish a draw (一公开)", "cases", body=c.DrawPublish, response=c.Draw),
    # case-file review (案卷评查): the bureau's
    Route("GET", "/reviews/checklists", lambda call: _c(call).list_checklists(), STAFF, "Review checklist versions",
          "cases", response=c.Checklist, many=True),
    Route("POST", "/reviews/checklists", lambda call: _c(call).create_checklist(call.actor, call.body), BUREAU,
          "File a new review checklist version", "cases", body=c.ChecklistCreate, response=c.Checklist, status=201),
    Route("POST", "/reviews/batches", lambda call: _c(call).draw_review_batch(call.actor, call.body), BUREAU,
          "Draw a batch of closed cases for review", "cases", body=c.ReviewBatchCreate, response=c.ReviewBatch, status=201),
    Route("GET", "/reviews/batches/<batch_id>", lambda call: _c(call).get_review_batch(call.actor, call.params["batch_id"]),
          BUREAU, "Read a review batch", "cases", response=c.ReviewBatch),
    Route("POST", "/reviews/batches/<batch_id>/assignments",
          lambda call: _c(call).assign_reviewers(call.actor, call.params["batch_id"], call.body), BUREAU,
          "Assign reviewers (never of the case's agency)", "cases", body=c.ReviewAssign, response=c.ReviewBatch),
    Route("POST", "/reviews/files/<file_id>/score",
          lambda call: _c(call).score_review_file(call.actor, call.params["file_id"], call.body), BUREAU,
          "Score a case file", "cases", body=c.ReviewScore, response=c.ReviewFile),
    Route("GET", "/reviews/files", lambda call: _c(call).list_review_files(call.actor, call.json_query()), STAFF,
          "Case-file grades (an agency: its own)", "cases", query=c.ReviewFileQuery),
]
