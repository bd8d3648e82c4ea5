"""Bureau-only routes to onboard outside subscribers to the suite's events.

These call the RabbitMQ management API from the gateway itself instead of a service over RPC:
broker administration belongs to no domain service, and an RPC hop would only move the admin
credentials into another process. The logic is the kernel's (``enforcement_kernel.subscribers``),
shared with the ``enforcement-subscribers`` command. The generated password is in the 201 answer
only; the gateway's audit trail records the action and the name, never the body or the answer.
"""
from __future__ import annotations

from marshmallow import fields, validate

from enforcement_contracts.common import StrictSchema
from enforcement_kernel import subscribers

from ..routing import BUREAU, Route

# served by the gateway itself (no service behind it): mounted whatever GATEWAY_SERVICES lists
SERVICE = "gateway"


class SubscriberCreate(StrictSchema):
    name = fields.String(required=True, validate=validate.Regexp(subscribers.NAME_PATTERN, error=subscribers.NAME_RULE),
                         metadata={"description": subscribers.NAME_RULE})
    events = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=200),
                         metadata={"description": "event types, e.g. personnel.certificate.issued"})


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


def _api(call) -> subscribers.ManagementApi:
    return subscribers.ManagementApi(subscribers.ManagementSettings.from_config(call.settings.container.config))


ROUTES = [
    Route("GET", "/subscribers", lambda call: subscribers.list_subscribers(_api(call)), BUREAU,
          "List event subscribers", "subscribers", response=Subscriber, many=True),
    Route("POST", "/subscribers", lambda call: subscribers.add_subscriber(_api(call), call.body["name"], call.body["events"]),
          BUREAU, "Onboard an event subscriber (user, queue, bindings, dead-letter queue)", "subscribers",
          body=SubscriberCreate, response=SubscriberCreated, status=201),
    Route("DELETE", "/subscribers/<name>", lambda call: subscribers.remove_subscriber(_api(call), call.params["name"]),
          BUREAU, "Remove an event subscriber and its queues", "subscribers"),
]
