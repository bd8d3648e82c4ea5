"""HTTP routes of the supervision service: items, bulletins, complaints and the promptness table.

The bureau issues, returns, verifies and closes items; an agency admin acknowledges and answers its own (the
service enforces the scope on every call). Registering a complaint is public and rate-limited per client address.
"""

from __future__ import annotations

from enforcement_contracts import supervision as c
from enforcement_contracts.common import PageQuery, page_of

from ..routing import ADMINS, BUREAU, PUBLIC, Route, forward

SERVICE = c.SERVICE


class OverdueQuery(c.BulletinQuery, PageQuery):
    """The items that fell overdue between ``from`` and ``to`` (one agency's, optionally), a page at a time."""


ROUTES = [
    # items
    Route(
        "POST",
        "/supervision/items",
        forward("supervision.issue_item", "actor", "body"),
        BUREAU,
        "Issue a supervision item to an agency",
        "supervision",
        body=c.ItemIssue,
        response=c.ItemOut,
        status=201,
    ),
    Route(
        "GET",
        "/supervision/items",
        forward("supervision.list_items", "actor", "query"),
        ADMINS,
        "List supervision items (an agency sees its own)",
        "supervision",
        query=c.ItemQuery,
        response=page_of(c.ItemOut),
    ),
    Route(
        "GET",
        "/supervision/items/<int:item_id>",
        forward("supervision.get_item", "actor", "path.item_id"),
        ADMINS,
        "Read a supervision item with its history",
        "supervision",
        response=c.ItemOut,
    ),
    Route(
        "POST",
        "/supervision/items/<int:item_id>/acknowledge",
        forward("supervision.acknowledge_item", "actor", "path.item_id", "body?"),
        ADMINS,
        "Acknowledge an item (the agency)",
        "supervision",
        body=c.ItemNote,
        response=c.ItemOut,
    ),
    Route(
        "POST",
        "/supervision/items/<int:item_id>/answer",
        forward("supervision.answer_item", "actor", "path.item_id", "body?"),
        ADMINS,
        "Answer an item (the agency)",
        "supervision",
        body=c.ItemAnswer,
        response=c.ItemOut,
    ),
    Route(
        "POST",
        "/supervision/items/<int:item_id>/return",
        forward("supervision.return_item", "actor", "path.item_id", "body?"),
        BUREAU,
        "Return an answer to the agency with a new deadline",
        "supervision",
        body=c.ItemReturn,
        response=c.ItemOut,
    ),
    Route(
        "POST",
        "/supervision/items/<int:item_id>/verify",
        forward("supervision.verify_item", "actor", "path.item_id", "body?"),
        BUREAU,
        "Verify an answered item",
        "supervision",
        body=c.ItemNote,
        response=c.ItemOut,
    ),
    Route(
        "POST",
        "/supervision/items/<int:item_id>/close",
        forward("supervision.close_item", "actor", "path.item_id", "body?"),
        BUREAU,
        "Close a verified item",
        "supervision",
        body=c.ItemNote,
        response=c.ItemOut,
    ),
    # bulletins (通报)
    Route(
        "GET",
        "/supervision/overdue",
        forward("supervision.overdue_list", "actor", "query"),
        ADMINS,
        "Items that fell overdue in a period",
        "supervision",
        query=OverdueQuery,
        response=page_of(c.BulletinEntry),
    ),
    Route(
        "POST",
        "/supervision/bulletins",
        forward("supervision.publish_bulletin", "actor", "body"),
        BUREAU,
        "Publish the bulletin of a period's overdue items",
        "supervision",
        body=c.BulletinPublish,
        response=c.BulletinOut,
        status=201,
    ),
    Route(
        "GET",
        "/supervision/bulletins",
        forward("supervision.list_bulletins", "actor", "query"),
        ADMINS,
        "Published bulletins",
        "supervision",
        query=PageQuery,
        response=page_of(c.BulletinOut),
    ),
    # complaints (投诉举报)
    Route(
        "POST",
        "/public/complaints",
        forward("supervision.register_complaint", "body"),
        PUBLIC,
        "Register a complaint (public, rate-limited)",
        "supervision",
        body=c.ComplaintRegister,
        response=c.ComplaintReceipt,
        status=201,
        rate_limited=True,
    ),
    Route(
        "GET",
        "/supervision/complaints",
        forward("supervision.list_complaints", "actor", "query"),
        ADMINS,
        "List complaints (an agency sees those about itself)",
        "supervision",
        query=c.ComplaintQuery,
        response=page_of(c.ComplaintOut),
    ),
    Route(
        "GET",
        "/supervision/complaints/<int:complaint_id>",
        forward("supervision.get_complaint", "actor", "path.complaint_id"),
        ADMINS,
        "Read a complaint (complainant masked)",
        "supervision",
        response=c.ComplaintOut,
    ),
    Route(
        "POST",
        "/supervision/complaints/<int:complaint_id>/decision",
        forward("supervision.decide_complaint", "actor", "path.complaint_id", "body"),
        ADMINS,
        "Accept or refuse a complaint with written reasons",
        "supervision",
        body=c.ComplaintDecision,
        response=c.ComplaintOut,
    ),
    Route(
        "POST",
        "/supervision/complaints/<int:complaint_id>/extension",
        forward("supervision.extend_complaint", "actor", "path.complaint_id", "body"),
        BUREAU,
        "Approve the one extension of a complaint's deadline",
        "supervision",
        body=c.ComplaintExtension,
        response=c.ComplaintOut,
    ),
    Route(
        "POST",
        "/supervision/complaints/<int:complaint_id>/conclusion",
        forward("supervision.conclude_complaint", "actor", "path.complaint_id", "body"),
        ADMINS,
        "Conclude a complaint: upheld or not upheld",
        "supervision",
        body=c.ComplaintConclusion,
        response=c.ComplaintOut,
    ),
    # promptness
    Route(
        "GET",
        "/supervision/promptness",
        forward("supervision.promptness_table", "actor", "query"),
        ADMINS,
        "Promptness per agency and kind over a period",
        "supervision",
        query=c.PromptnessTableQuery,
        response=c.PromptnessTableRow,
        many=True,
    ),
]
