"""Consuming events: validated, idempotent, retried with a delay, dead-lettered instead of dropped.

``@consumes(EVENT_TYPE)`` subscribes a service method to an event type from the contracts.
The method is called as ``method(self, tx, envelope, data)`` inside a transaction of the
service's ``db``; the event id is recorded in that same transaction, so a redelivered event
(the broker delivers at least once) is acknowledged without a second effect.

Each handler queue ``<queue>`` has two companions (the usual RabbitMQ "wait queue" pattern):

- ``<queue>.retry``: a wait queue nobody consumes. A failed message is re-published there with a
  per-message TTL (``expiration``) and the header ``x-enforcement-attempts`` (failures so far);
  when the TTL runs out RabbitMQ dead-letters it back to ``<queue>`` (the wait queue's
  ``x-dead-letter-exchange`` is the default exchange, routing key ``<queue>``). The copy is
  published with confirms before the original is acknowledged, so a crash in between gives one
  extra attempt, never a lost message. No hot loop: attempt ``n`` waits ``retry_delay(n)``.
  RabbitMQ expires messages only at the head of a queue, so a message may wait up to the longest
  delay of a message ahead of it: later, never earlier.
- ``<queue>.dlq``: bound to the ``enforcement.dead-letter`` exchange with routing key ``<queue>``.
  A message lands here after ``HANDLERS.max_attempts`` failed attempts (re-published with the
  attempts, the queue and the last error in headers), or at once when it fails validation (an
  invalid envelope or payload: retrying cannot fix it; rejected, so RabbitMQ adds ``x-death``
  with reason ``rejected``). ``enforcement-dead-letters`` lists, shows, re-queues and purges them.

The counter is our own header rather than ``x-death``'s count: RabbitMQ 3.13+ no longer trusts
``x-death`` set by a publisher, and a re-queue from the dead-letter queue must start afresh.
The main queue's arguments are the same as before retries existed (dead-letter exchange and
routing key), so an existing deployment redeclares it without ``PRECONDITION_FAILED``; the two
companion queues are simply declared at start.

Settings (``HANDLERS`` in a service's config): ``max_attempts`` (5), ``retry_delay_seconds`` (2,
the first delay, doubled per attempt), ``retry_delay_max_seconds`` (300), and
``dead_letter_poll_seconds`` (30) for the ``enforcement_dead_letter_messages`` gauge.
"""

from __future__ import annotations

import functools
import logging

import eventlet
from eventlet.queue import Empty, LightQueue
from kombu import Connection, Exchange, Queue
from nameko.amqp.publish import Publisher
from nameko.events import SERVICE_POOL, EventHandler
from nameko.extensions import DependencyProvider
from sqlalchemy.exc import IntegrityError

from enforcement_contracts.events import Envelope, EventType

from . import logs, metrics
from .config import setting

log = logging.getLogger(__name__)

DEAD_LETTER_EXCHANGE = "enforcement.dead-letter"
ATTEMPTS_HEADER = "x-enforcement-attempts"  # failed attempts so far
QUEUE_HEADER = "x-enforcement-queue"  # the queue whose handler gave up (set on dead letters)
ERROR_HEADER = "x-enforcement-error"  # the last failure, "ExceptionType: message" (truncated)

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_DELAY = 2.0
DEFAULT_RETRY_DELAY_MAX = 300.0


class InvalidEvent(Exception):
    """The message is not a valid envelope or payload of its event type: dead-letter it at once."""


def dead_letter_queue_name(queue: str) -> str:
    return f"{queue}.dlq"


def retry_queue_name(queue: str) -> str:
    return f"{queue}.retry"


def failed_attempts(headers) -> int:
    """How many times handlers already failed on this message (0 for a fresh or re-queued one)."""
    try:
        return max(int((headers or {}).get(ATTEMPTS_HEADER, 0)), 0)
    except (TypeError, ValueError):
        return 0


def retry_delay(attempt: int, first: float = DEFAULT_RETRY_DELAY, maximum: float = DEFAULT_RETRY_DELAY_MAX) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based): first, 2*first, 4*first ... capped."""
    return min(first * 2 ** max(attempt - 1, 0), maximum)


def next_step(attempt: int, max_attempts: int) -> str:
    """After failed attempt ``attempt``: ``retry`` while attempts remain, else ``dead-letter``."""
    return "retry" if attempt < max_attempts else "dead-letter"


def describe_error(exc_info) -> str:
    if not exc_info:
        return ""
    exc = exc_info[1]
    return f"{type(exc).__name__}: {exc}"[:300]


class ReliableEventHandler(EventHandler):
    """nameko's handler with a wait queue for retries and a dead-letter queue."""

    def setup(self):
        super().setup()
        config = self.container.config
        self.max_attempts = max(int(setting(config, "HANDLERS.max_attempts", DEFAULT_MAX_ATTEMPTS)), 1)
        self.first_delay = float(setting(config, "HANDLERS.retry_delay_seconds", DEFAULT_RETRY_DELAY))
        self.max_delay = float(setting(config, "HANDLERS.retry_delay_max_seconds", DEFAULT_RETRY_DELAY_MAX))
        self.publisher = Publisher(config["AMQP_URI"], use_confirms=True, mandatory=True)
        dlx = Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True)
        name = self.queue.name
        self.queue = Queue(
            name,
            exchange=self.queue.exchange,
            routing_key=self.event_type,
            durable=True,
            queue_arguments={"x-dead-letter-exchange": DEAD_LETTER_EXCHANGE, "x-dead-letter-routing-key": name},
        )
        self.dead_letter_queue = dead_letter_queue_name(name)
        self.retry_queue = retry_queue_name(name)
        event_type_name = getattr(getattr(self.container.service_cls, self.method_name, None), "event_type", None)
        if event_type_name:  # its outcomes at 0: the first error must show in increase() (EventHandlerErrors)
            metrics.zero_handler(self.container.service_name, event_type_name)  # the label handle() uses
        with Connection(config["AMQP_URI"]) as conn:
            channel = conn.default_channel
            dlx(channel).declare()
            Queue(self.dead_letter_queue, exchange=dlx, routing_key=name, durable=True)(channel).declare()
            Queue(
                self.retry_queue,
                durable=True,
                queue_arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": name},
            )(channel).declare()

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            return
        if not message.channel.connection:
            return  # the broker already took the message back and redelivers it
        name = self.queue.name
        if issubclass(exc_info[0], InvalidEvent):
            message.reject(requeue=False)
            DeadLetterMonitor.poke(self.container)
            return
        attempt = failed_attempts(message.headers) + 1
        headers = dict(message.headers or {})
        headers[ATTEMPTS_HEADER] = attempt
        event_id = message.properties.get("message_id")
        try:
            if next_step(attempt, self.max_attempts) == "retry":
                delay = retry_delay(attempt, self.first_delay, self.max_delay)
                self._republish(message, headers, exchange="", routing_key=self.retry_queue, expiration=delay)
                log.warning(
                    "%s failed on event %s (attempt %d of %d); next attempt in %gs",
                    name,
                    event_id,
                    attempt,
                    self.max_attempts,
                    delay,
                    extra={"event_id": event_id, "attempt": attempt},
                )
            else:
                headers.update({QUEUE_HEADER: name, ERROR_HEADER: describe_error(exc_info)})
                self._republish(message, headers, exchange=DEAD_LETTER_EXCHANGE, routing_key=name)
                log.error(
                    "%s gave up on event %s after %d attempts; it is in %s",
                    name,
                    event_id,
                    attempt,
                    self.dead_letter_queue,
                    extra={"event_id": event_id, "attempt": attempt},
                )
                DeadLetterMonitor.poke(self.container)
        except Exception:
            # cannot park it for a retry: the broker's own dead-lettering keeps it (never lost)
            log.exception(
                "could not schedule a retry of event %s on %s; rejected to %s", event_id, name, self.dead_letter_queue
            )
            message.reject(requeue=False)
            return
        self.queue_consumer.ack_message(message)

    def _republish(self, message, headers: dict, exchange: str, routing_key: str, expiration: float | None = None):
        properties = message.properties
        self.publisher.publish(
            message.body,
            exchange=exchange,
            routing_key=routing_key,
            headers=headers,
            expiration=expiration,
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            message_id=properties.get("message_id"),
            correlation_id=properties.get("correlation_id"),
            retry=True,
            retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 2},
        )


class DeadLetterMonitor(DependencyProvider):
    """Keeps ``enforcement_dead_letter_messages{service,queue}`` current for this service's dead-letter queues.

    A passive ``queue_declare`` per queue every ``HANDLERS.dead_letter_poll_seconds``: cheap, and no
    management API needed. Services without event handlers export nothing.
    """

    def setup(self):
        config = self.container.config
        self.service = config.get("SERVICE_NAME", self.container.service_name)
        self.amqp_uri = config["AMQP_URI"]
        self.poll_seconds = float(setting(config, "HANDLERS.dead_letter_poll_seconds", 30))
        self.queues = []
        self._wake = LightQueue(maxsize=1)
        self._running = False

    def start(self):
        # the handlers name their queues in their own setup(), which may run after ours
        self.queues = sorted(
            {ep.dead_letter_queue for ep in self.container.entrypoints if isinstance(ep, ReliableEventHandler)}
        )
        if self.queues:
            self._running = True
            self.container.spawn_managed_thread(self._loop)

    def stop(self):
        self._running = False
        self.wake()

    kill = stop

    def wake(self):
        try:
            self._wake.put_nowait(True)
        except Exception:  # already awake
            pass

    @classmethod
    def poke(cls, container):
        """Refresh now (a message was just dead-lettered) rather than at the next poll."""
        for dependency in container.dependencies:
            if isinstance(dependency, cls):
                dependency.wake()

    def refresh(self, channel) -> dict:
        depths = {}
        for queue in self.queues:
            _, depth, _ = channel.queue_declare(queue=queue, passive=True)
            depths[queue] = depth
            metrics.DEAD_LETTER_MESSAGES.labels(self.service, queue).set(depth)
        return depths

    def _loop(self):
        conn = None
        while self._running:
            try:
                if conn is None:
                    conn = Connection(self.amqp_uri, connect_timeout=5)
                self.refresh(conn.default_channel)
            except Exception as exc:  # broker away, or a queue deleted by hand: try again at the next poll
                log.warning("could not read the dead-letter queue depths: %s", exc)
                if conn is not None:
                    conn.release()
                    conn = None
            try:
                self._wake.get(timeout=self.poll_seconds)
                eventlet.sleep(0.2)  # let the dead letter that woke us be routed first
            except Empty:
                pass
        if conn is not None:
            conn.release()

    def get_dependency(self, worker_ctx):
        return self


def _load_event(event_type: EventType, service: str, body):
    """The envelope and payload of a delivery; ``InvalidEvent`` (dead-lettered at once) when either does not load."""
    try:
        envelope = Envelope.from_dict(body)
        return envelope, event_type.load(envelope.data)
    except Exception as exc:
        metrics.EVENTS_HANDLED.labels(service, event_type.type, "invalid").inc()
        log.error(
            "invalid %s event rejected to the dead-letter queue",
            event_type.type,
            extra={"event_type": event_type.type},
        )
        raise InvalidEvent(f"{type(exc).__name__}: {exc}") from exc


def consumes(event_type: EventType, **handler_options):
    """Subscribe the decorated ``method(self, tx, envelope, data)`` to ``event_type``."""

    def decorator(method):
        @functools.wraps(method)
        def handle(self, body):
            service = self.name
            handler_key = f"{service}.{method.__name__}"
            envelope, data = _load_event(event_type, service, body)
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
                log.exception(
                    "handler %s failed for event %s",
                    handler_key,
                    envelope.id,
                    extra={"event_type": event_type.type, "event_id": envelope.id},
                )
                raise
            metrics.EVENTS_HANDLED.labels(service, event_type.type, "ok").inc()

        handle.event_type = event_type.type  # the metric label, for ReliableEventHandler.setup's zero series
        return ReliableEventHandler.decorator(
            event_type.source, event_type.routing_key, handler_type=SERVICE_POOL, **handler_options
        )(handle)

    return decorator
