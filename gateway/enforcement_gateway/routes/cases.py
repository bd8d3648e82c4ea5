"""HTTP routes of the cases service: cases, their procedure, decisions and publication, and transfers
(案件移送). Agency scoping is enforced by the service itself (the actor travels with every call); the gateway
checks the role and validates the input. The published decisions are public."""

from __future__ import annotations

from marshmallow import fields

from enforcement_contracts.cases import legal_review, procedure, promptness, publication, statistics, transfers
from enforcement_contracts.common import StrictSchema, page_of

from ..routing import ADMINS, PUBLIC, STAFF, Route, forward

SERVICE = "cases"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportQuery(StrictSchema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "check every row, import nothing"})


ROUTES = [
    # cases
    Route(
        "GET",
        "/cases",
        forward("cases.list_cases", "actor", "query"),
        STAFF,
        "List cases",
        "cases",
        query=procedure.CaseQuery,
        response=page_of(procedure.Case),
    ),
    Route(
        "POST",
        "/cases",
        forward("cases.report_case", "actor", "body"),
        ADMINS,
        "Report a case",
        "cases",
        body=procedure.CaseReport,
        response=procedure.Case,
        status=201,
    ),
    Route(
        "POST",
        "/cases/import",
        # the .xlsx file is the body; it crosses the RPC wire base64-encoded (JSON carries no bytes)
        forward("cases.import_cases", "actor", "file", "query.dry_run"),
        ADMINS,
        "Import cases from an .xlsx sheet (every row passes, or none is imported; problems listed by row and column)",
        "cases",
        query=ImportQuery,
        raw_body_types=(XLSX,),
        response=procedure.CaseImport,
    ),
    Route(
        "GET",
        "/cases/promptness",
        forward("cases.promptness", "actor", "query"),
        STAFF,
        "Promptness of the agencies' case obligations",
        "cases",
        query=promptness.PromptnessQuery,
        response=promptness.PromptnessRow,
        many=True,
    ),
    Route(
        "GET",
        "/cases/statistics",
        forward("cases.statistics", "actor", "query"),
        STAFF,
        "Yearly counts and fines per agency and type (行政执法统计)",
        "cases",
        query=statistics.StatsQuery,
        response=statistics.StatsRow,
        many=True,
    ),
    Route(
        "GET",
        "/cases/<case_id>",
        forward("cases.get_case", "actor", "path.case_id"),
        STAFF,
        "Read a case",
        "cases",
        response=procedure.Case,
    ),
    Route(
        "PATCH",
        "/cases/<case_id>",
        forward("cases.update_case", "actor", "path.case_id", "body"),
        ADMINS,
        "Record stages, suspensions, extensions or officers",
        "cases",
        body=procedure.CaseUpdate,
        response=procedure.Case,
    ),
    Route(
        "POST",
        "/cases/<case_id>/legal-reviews",
        forward("cases.record_legal_review", "actor", "path.case_id", "body"),
        ADMINS,
        "Record a legal review (法制审核)",
        "cases",
        body=legal_review.LegalReviewCreate,
        response=legal_review.LegalReview,
        status=201,
    ),
    Route(
        "POST",
        "/cases/<case_id>/decision",
        forward("cases.decide_case", "actor", "path.case_id", "body"),
        ADMINS,
        "Record the decision",
        "cases",
        body=procedure.Decision,
        response=procedure.Case,
    ),
    Route(
        "POST",
        "/cases/<case_id>/publication",
        forward("cases.publish_decision", "actor", "path.case_id", "body"),
        ADMINS,
        "Record the decision's publication (公示)",
        "cases",
        body=publication.PublicationCreate,
        response=procedure.Case,
    ),
    Route(
        "POST",
        "/cases/<case_id>/revocation",
        forward("cases.revoke_decision", "actor", "path.case_id", "body"),
        ADMINS,
        "Record a change or revocation of the decision",
        "cases",
        body=publication.Revocation,
        response=procedure.Case,
    ),
    Route(
        "POST",
        "/cases/<case_id>/publication/withdrawal",
        forward("cases.withdraw_publication", "actor", "path.case_id", "body"),
        ADMINS,
        "Record the withdrawal of a publication",
        "cases",
        body=publication.PublicationWithdraw,
        response=procedure.Case,
    ),
    Route(
        "GET",
        "/public/decisions",
        forward("cases.public_decisions", "query"),
        PUBLIC,
        "Published decisions (public; names of natural persons masked)",
        "public",
        query=publication.PublicQuery,
        response=page_of(publication.PublishedDecision),
    ),
    Route(
        "GET",
        "/public/decisions/<case_id>",
        forward("cases.public_decision", "path.case_id"),
        PUBLIC,
        "One published decision (public; as the list shows it)",
        "public",
        response=publication.PublishedDecision,
    ),
    # transfers (案件移送)
    Route(
        "POST",
        "/cases/<case_id>/transfers",
        forward("cases.propose_transfer", "actor", "path.case_id", "body"),
        ADMINS,
        "Propose a transfer to another agency or the police",
        "cases",
        body=transfers.TransferCreate,
        response=transfers.Transfer,
        status=201,
    ),
    Route(
        "GET",
        "/transfers",
        forward("cases.list_transfers", "actor", "query"),
        STAFF,
        "Transfers sent and received",
        "cases",
        query=transfers.TransferQuery,
        response=page_of(transfers.Transfer),
    ),
    Route(
        "GET",
        "/transfers/<transfer_id>",
        forward("cases.get_transfer", "actor", "path.transfer_id"),
        STAFF,
        "Read a transfer",
        "cases",
        response=transfers.Transfer,
    ),
    Route(
        "POST",
        "/transfers/<transfer_id>/decision",
        forward("cases.decide_transfer", "actor", "path.transfer_id", "body"),
        ADMINS,
        "The head's decision on a transfer",
        "cases",
        body=transfers.TransferDecision,
        response=transfers.Transfer,
    ),
    Route(
        "POST",
        "/transfers/<transfer_id>/handover",
        forward("cases.hand_over_transfer", "actor", "path.transfer_id", "body"),
        ADMINS,
        "Record the hand-over",
        "cases",
        body=transfers.TransferHandover,
        response=transfers.Transfer,
    ),
    Route(
        "POST",
        "/transfers/<transfer_id>/acknowledgement",
        forward("cases.acknowledge_transfer", "actor", "path.transfer_id", "body"),
        ADMINS,
        "The receiver acknowledges a transfer",
        "cases",
        body=transfers.TransferAcknowledge,
        response=transfers.Transfer,
    ),
]
