"""Consuming events: validated, idempotent, and dead-lettered instead of dropped on failure.

``@consumes(EVENT_TYPE)`` subscribes a service method to an event type from the contracts.
The method is called as ``method(self, tx, envelope, data)`` inside a transaction of the
service's ``db``; the event id is recorded in that same transaction, so a redelivered event
(the broker delivers at least once) is acknowledged without a second effect.
A handler that raises has its message rejected into ``<queue>.dlq`` (nameko would ack and
lose it), where operators can inspect and re-queue it.
"""
from __future__ import annotations

import functools
import logging

from kombu import Connection, Exchange, Queue
from nameko.events import SERVICE_POOL, EventHandler
from sqlalchemy.exc import IntegrityError

from enforcement_contracts.events import Envelope, EventType

from . import logs, metrics

log = logging.getLogger(__name__)

DEAD_LETTER_EXCHANGE = "enforcement.dead-letter"


class ReliableEventHandler(EventHandler):
    """nameko's handler with a dead-letter queue; rejects (no requeue) on error."""

    def setup(self):
        super().setup()
        dlx = Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True)
        name = self.queue.name
        self.queue = Queue(name, exchange=self.queue.exchange, routing_key=self.event_type, durable=True,
                           queue_arguments={"x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
                                            "x-dead-letter-routing-key": name})
        with Connection(self.container.config["AMQP_URI"]) as conn:
            channel = conn.default_channel
            dlx(channel).declare()
            Queue(f"{name}.dlq", exchange=dlx, routing_key=name, durable=True)(channel).declare()

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None:
            self.queue_consumer.ack_message(message)
        elif message.channel.connection:
            message.reject(requeue=False)


def consumes(event_type: EventType, **handler_options):
    """Subscribe the decorated ``method(self, tx, envelope, data)`` to ``event_type``."""

    def decorator(method):
        @functools.wraps(method)
        def handle(self, body):
            service = self.name
            handler_key = f"{service}.{method.__name__}"
            try:
                envelope = Envelope.from_dict(body)
                data = event_type.load(envelope.data)
            except Exception:
                metrics.EVENTS_HANDLED.labels(service, event_type.type, "invalid").inc()
                log.error("invalid %s event rejected to the dead-letter queue", event_type.type,
                          extra={"event_type": event_type.type})
                raise
            logs.set_correlation_id(envelope.correlationid)
            try:
                with self.db.transaction() as tx:
                    if not tx.claim(handler_key, envelope.id):
                        metrics.EVENTS_HANDLED.labels(service, event_type.type, "duplicate").inc()
                        return
                    method(self, tx, envelope, data)
            except IntegrityError:
                # a concurrent delivery of the same event committed first
                with self.db.read() as session:
                    from .db import ProcessedEvent

                    if session.get(ProcessedEvent, (handler_key, envelope.id)) is not None:
                        metrics.EVENTS_HANDLED.labels(service, event_type.type, "duplicate").inc()
                        return
                metrics.EVENTS_HANDLED.labels(service, event_type.type, "error").inc()
                raise
            except Exception:
                metrics.EVENTS_HANDLED.labels(service, event_type.type, "error").inc()
                log.exception("handler %s failed for event %s", handler_key, envelope.id,
                              extra={"event_type": event_type.type, "event_id": envelope.id})
                raise
            metrics.EVENTS_HANDLED.labels(service, event_type.type, "ok").inc()

        return ReliableEventHandler.decorator(event_type.source, event_type.routing_key,
                                              handler_type=SERVICE_POOL, **handler_options)(handle)

    return decorator
