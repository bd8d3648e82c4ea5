"""Bureau-only routes to onboard outside subscribers to the suite's events.

These call the RabbitMQ management API from the gateway itself instead of a service over RPC:
broker administration belongs to no domain service, and an RPC hop would only move the admin
credentials into another process. The logic is the kernel's (``enforcement_kernel.subscribers``),
shared with the ``enforcement-subscribers`` command. The generated password is in the 201 answer
only; the gateway's audit trail records the action and the name, never the body or the answer.
Replay asks the producing services (over RPC, as ``enforcement-replay`` does) to re-deliver their
past events to the subscriber's queue, only of the types it is bound to.
"""

from __future__ import annotations

from marshmallow import fields, validate

from enforcement_contracts.common import PageQuery, StrictSchema, page, page_of
from enforcement_contracts.errors import NotFound, Unavailable, ValidationFailed
from enforcement_kernel import replay, subscribers
from enforcement_kernel.config import setting

from ..routing import BUREAU, Route

# served by the gateway itself (no service behind it): mounted whatever GATEWAY_SERVICES lists
SERVICE = "gateway"


class SubscriberCreate(StrictSchema):
    name = fields.String(
        required=True,
        validate=validate.Regexp(subscribers.NAME_PATTERN, error=subscribers.NAME_RULE),
        metadata={"description": subscribers.NAME_RULE},
    )
    events = fields.List(
        fields.String(),
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "event types, e.g. personnel.certificate.issued"},
    )


class SubscriberCreated(StrictSchema):
    name = fields.String()
    user = fields.String()
    password = fields.String(metadata={"description": "shown once; stored nowhere"})
    vhost = fields.String()
    queue = fields.String()
    dead_letter_queue = fields.String()
    events = fields.List(fields.String())


class Subscriber(StrictSchema):
    name = fields.String()
    user = fields.String()
    vhost = fields.String()
    queue = fields.String()
    dead_letter_queue = fields.String()
    events = fields.List(fields.String())
    messages = fields.Integer(metadata={"description": "events waiting in the queue"})
    consumers = fields.Integer()
    dead_letters = fields.Integer()
    user_exists = fields.Boolean()


class SubscriberReplay(StrictSchema):
    events = fields.List(
        fields.String(),
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "event types to re-deliver, among those the subscriber is bound to (default: all of them)"
        },
    )
    since = fields.String(
        required=True,
        data_key="from",
        metadata={"description": "events created from this point (ISO 8601 date or date-time; no offset means UTC)"},
    )
    until = fields.String(
        load_default=None,
        allow_none=True,
        data_key="to",
        metadata={"description": "up to this point, excluded (ISO 8601 date or date-time; default: now)"},
    )


class SubscriberRemoved(StrictSchema):
    name = fields.String()
    removed = fields.Boolean()


class ReplayResult(StrictSchema):
    name = fields.String()
    queue = fields.String()
    delivered = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "events re-delivered, per producing service"},
    )
    total = fields.Integer()


def _replay(call) -> dict:
    """Re-deliver past events to a subscriber's queue with their original ids (it ignores what it already has)."""
    name, body = call.params["name"], call.body
    found = next((s for s in subscribers.list_subscribers(_api(call)) if s["name"] == name), None)
    if found is None:
        raise NotFound(f"no subscriber {name}")
    wanted = list(dict.fromkeys(body.get("events") or found["events"]))
    not_bound = [t for t in wanted if t not in found["events"]]
    if not_bound:
        raise ValidationFailed(
            "the subscriber is not bound to every type asked for",
            {"events": [f"not subscribed: {', '.join(not_bound)}"]},
        )
    for key in ("from", "to"):  # the body as sent (validated by SubscriberReplay)
        if body.get(key) is not None:
            try:
                replay.parse_time(body[key])
            except ValueError:
                raise ValidationFailed(
                    f"{key} is not a date-time", {key: ["must be an ISO 8601 date or date-time"]}
                ) from None
    try:
        by_source = replay.plan(wanted)
    except ValueError as exc:  # bound to a type this release no longer has
        raise ValidationFailed(str(exc), {"events": [str(exc)]}) from None
    # a producer re-sends its history in batches with publisher confirms: allow it longer than an ordinary call
    timeout = float(setting(call.settings.config, "GATEWAY.replay_timeout_seconds", 300))
    patient, delivered, missing = call.services.with_timeout(timeout), {}, {}
    for source, names in by_source.items():
        try:
            call.services(
                source
            ).echo()  # a stopped producer answers nothing: find out within RPC_TIMEOUT, not the above
            delivered[source] = patient(source).replay_events(found["queue"], names, body["from"], body.get("to"))
        except Unavailable as exc:
            missing[source] = [exc.message]
    if missing:  # safe to ask again: re-delivered events keep their ids
        raise Unavailable(
            f"not every producer answered ({', '.join(missing)}); "
            f"{sum(delivered.values())} events were re-delivered; ask again",
            missing,
        )
    return {"name": name, "queue": found["queue"], "delivered": delivered, "total": sum(delivered.values())}


def _api(call) -> subscribers.ManagementApi:
    return subscribers.management_api(call.settings.config)


def _list(call) -> dict:
    """A page of the subscribers: the management API answers every one (a short list, not in a database), the
    gateway slices it."""
    every = subscribers.list_subscribers(_api(call))
    start = (call.query["page"] - 1) * call.query["per_page"]
    return page(Subscriber, every[start : start + call.query["per_page"]], len(every), call.query)


def _add(call) -> dict:
    return subscribers.add_subscriber(_api(call), call.body["name"], call.body["events"])


def _remove(call):
    return subscribers.remove_subscriber(_api(call), call.params["name"])


ROUTES = [
    Route(
        "GET",
        "/subscribers",
        _list,
        BUREAU,
        "List event subscribers",
        "subscribers",
        query=PageQuery,
        response=page_of(Subscriber),
    ),
    Route(
        "POST",
        "/subscribers",
        _add,
        BUREAU,
        "Onboard an event subscriber (user, queue, bindings, dead-letter queue)",
        "subscribers",
        body=SubscriberCreate,
        response=SubscriberCreated,
        status=201,
    ),
    Route(
        "POST",
        "/subscribers/<name>/replay",
        _replay,
        BUREAU,
        "Re-deliver a subscriber's past events (of the types it is bound to) since a point in time, with their "
        "original ids, from the producers' history",
        "subscribers",
        body=SubscriberReplay,
        response=ReplayResult,
    ),
    Route(
        "DELETE",
        "/subscribers/<name>",
        _remove,
        BUREAU,
        "Remove an event subscriber and its queues",
        "subscribers",
        response=SubscriberRemoved,
    ),
]
