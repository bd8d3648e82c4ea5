"""HTTP routes of the supervision service: items, bulletins, complaints and the promptness table.

The bureau issues, returns, verifies and closes items; an agency admin acknowledges and answers its own (the
service enforces the scope on every call). Registering a complaint is public and rate-limited per client address.
"""

from __future__ import annotations

from marshmallow import fields

from enforcement_contracts import supervision as c
from enforcement_contracts.common import StrictSchema

from ..routing import ADMINS, BUREAU, PUBLIC, Route

SERVICE = c.SERVICE


class ItemPage(StrictSchema):
    items = fields.List(fields.Nested(c.ItemOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class ComplaintPage(StrictSchema):
    items = fields.List(fields.Nested(c.ComplaintOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class BulletinOut(StrictSchema):
    bulletin_id = fields.Integer()
    title = fields.String()
    period_from = fields.Date()
    period_to = fields.Date()
    published_on = fields.Date()
    published_by = fields.String()
    entries = fields.List(fields.Nested(c.BulletinEntry))


def _s(call):
    return call.rpc.supervision


def _args(call) -> dict:
    """The query string as sent (already validated against the route's schema): the service loads it again."""
    return call.request.args.to_dict()


def _item(method):
    return lambda call: getattr(_s(call), method)(call.actor, call.params["item_id"], call.body or {})


ROUTES = [
    # items
    Route(
        "POST",
        "/supervision/items",
        lambda call: _s(call).issue_item(call.actor, call.body),
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
        lambda call: _s(call).list_items(call.actor, _args(call)),
        ADMINS,
        "List supervision items (an agency sees its own)",
        "supervision",
        query=c.ItemQuery,
        response=ItemPage,
    ),
    Route(
        "GET",
        "/supervision/items/<int:item_id>",
        lambda call: _s(call).get_item(call.actor, call.params["item_id"]),
        ADMINS,
        "Read a supervision item with its history",
        "supervision",
        response=c.ItemOut,
    ),
    Route(
        "POST",
        "/supervision/items/<int:item_id>/acknowledge",
        _item("acknowledge_item"),
        ADMINS,
        "Acknowledge an item (the agency)",
        "supervision",
        body=c.ItemNote,
        response=c.ItemOut,
    ),
    Route(
        "POST",
        "/supervision/items/<int:item_id>/answer",
        _item("answer_item"),
        ADMINS,
        "Answer an item (the agency)",
        "supervision",
        body=c.ItemAnswer,
        response=c.ItemOut,
    ),
    Route(
        "POST",
        "/supervision/items/<int:item_id>/return",
        _item("return_item"),
        BUREAU,
        "Return an answer to the agency with a new deadline",
        "supervision",
        body=c.ItemReturn,
        response=c.ItemOut,
    ),
    Route(
        "POST",
        "/supervision/items/<int:item_id>/verify",
        _item("verify_item"),
        BUREAU,
        "Verify an answered item",
        "supervision",
        body=c.ItemNote,
        response=c.ItemOut,
    ),
    Route(
        "POST",
        "/supervision/items/<int:item_id>/close",
        _item("close_item"),
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
        lambda call: _s(call).overdue_list(call.actor, _args(call)),
        ADMINS,
        "Items that fell overdue in a period",
        "supervision",
        query=c.BulletinQuery,
        response=c.BulletinEntry,
        many=True,
    ),
    Route(
        "POST",
        "/supervision/bulletins",
        lambda call: _s(call).publish_bulletin(call.actor, call.body),
        BUREAU,
        "Publish the bulletin of a period's overdue items",
        "supervision",
        body=c.BulletinPublish,
        response=BulletinOut,
        status=201,
    ),
    Route(
        "GET",
        "/supervision/bulletins",
        lambda call: _s(call).list_bulletins(call.actor),
        ADMINS,
        "Published bulletins",
        "supervision",
        response=BulletinOut,
        many=True,
    ),
    # complaints (投诉举报)
    Route(
        "POST",
        "/public/complaints",
        lambda call: _s(call).register_complaint(call.body),
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
        lambda call: _s(call).list_complaints(call.actor, _args(call)),
        ADMINS,
        "List complaints (an agency sees those about itself)",
        "supervision",
        query=c.ComplaintQuery,
        response=ComplaintPage,
    ),
    Route(
        "GET",
        "/supervision/complaints/<int:complaint_id>",
        lambda call: _s(call).get_complaint(call.actor, call.params["complaint_id"]),
        ADMINS,
        "Read a complaint (complainant masked)",
        "supervision",
        response=c.ComplaintOut,
    ),
    Route(
        "POST",
        "/supervision/complaints/<int:complaint_id>/decision",
        lambda call: _s(call).decide_complaint(call.actor, call.params["complaint_id"], call.body),
        ADMINS,
        "Accept or refuse a complaint with written reasons",
        "supervision",
        body=c.ComplaintDecision,
        response=c.ComplaintOut,
    ),
    Route(
        "POST",
        "/supervision/complaints/<int:complaint_id>/extension",
        lambda call: _s(call).extend_complaint(call.actor, call.params["complaint_id"], call.body),
        BUREAU,
        "Approve the one extension of a complaint's deadline",
        "supervision",
        body=c.ComplaintExtension,
        response=c.ComplaintOut,
    ),
    Route(
        "POST",
        "/supervision/complaints/<int:complaint_id>/conclusion",
        lambda call: _s(call).conclude_complaint(call.actor, call.params["complaint_id"], call.body),
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
        lambda call: _s(call).promptness_table(call.actor, _args(call)),
        ADMINS,
        "Promptness per agency and kind over a period",
        "supervision",
        query=c.PromptnessTableQuery,
        response=c.PromptnessTableRow,
        many=True,
    ),
]
