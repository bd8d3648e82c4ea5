"""Poison RPC requests: a request whose worker never completes is not delivered for ever.

nameko acknowledges an RPC request after its reply, so a request that kills its service (memory, a hung worker
killed after ``SHUTDOWN_GRACE_SECONDS``, SIGKILL) goes back to ``rpc-<service>`` and kills the next instance too.
RabbitMQ's classic queues only say ``redelivered``, not how often, and quorum queues' ``x-delivery-limit`` would
change the declaration of an existing queue (``PRECONDITION_FAILED``). So the count travels in the message:

- a redelivered request (its earlier delivery did not complete) is re-published to the RPC exchange with the same
  routing key, body, ``reply_to``, ``correlation_id`` and headers plus ``x-enforcement-deliveries`` (deliveries that
  did not complete so far), with confirms, and only then the original is acknowledged (a crash in between gives one
  more attempt, never a lost request);
- when that count reaches ``RPC_MAX_DELIVERIES`` (3), the caller is answered ``RequestAbandoned`` (the gateway's 422),
  the request is parked in ``rpc-<service>.dlq`` (bound to ``enforcement.dead-letter``) for an operator
  (``enforcement-dead-letters show --queue rpc-<service>``), ``enforcement_rpc_abandoned_total{service,method}``
  counts it, and one log line names the method and correlation id, never the arguments (they may hold ID numbers).

Every request in flight when a service dies counts one failed delivery, so an innocent request needs
``RPC_MAX_DELIVERIES`` crashes while it runs before it is abandoned.
"""

from __future__ import annotations

import logging

from eventlet.event import Event
from kombu import Connection, Exchange, Queue
from nameko.amqp.publish import Publisher
from nameko.rpc import Rpc, RpcConsumer, get_rpc_exchange

from enforcement_contracts.errors import RequestAbandoned

from . import metrics
from .handlers import DEAD_LETTER_EXCHANGE

log = logging.getLogger(__name__)

DELIVERIES_HEADER = "x-enforcement-deliveries"  # deliveries of this request that did not complete
DEFAULT_MAX_DELIVERIES = 3
RETRY_POLICY = {"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 2}


def failed_deliveries(headers, redelivered: bool) -> int:
    """Deliveries that did not complete before this one: the header's count, plus this delivery's predecessor when
    the broker says it is a redelivery."""
    try:
        count = max(int((headers or {}).get(DELIVERIES_HEADER, 0)), 0)
    except (TypeError, ValueError):
        count = 0
    return count + 1 if redelivered else count


def abandoned_message(attempts: int) -> str:
    return f"the request was abandoned after {attempts} attempts that did not complete"


def rpc_dead_letter_queue(service: str) -> str:
    return f"rpc-{service}.dlq"


class GuardedRpcConsumer(RpcConsumer):
    """nameko's RPC consumer, counting the deliveries of each request (see the module's notes)."""

    def setup(self):
        super().setup()
        config = self.container.config
        self.max_deliveries = max(int(config.get("RPC_MAX_DELIVERIES", DEFAULT_MAX_DELIVERIES)), 1)
        self.service = config.get("SERVICE_NAME", self.container.service_name)
        self.dead_letter_queue = rpc_dead_letter_queue(self.container.service_name)
        self.publisher = Publisher(config["AMQP_URI"], use_confirms=True, mandatory=True)
        # correlation id -> set once the original of a re-published copy is acknowledged: the copy can arrive (and
        # kill the process) before that ack, which would bring the original back too and double the request
        self._republishing: dict = {}
        dlx = Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True)
        with Connection(config["AMQP_URI"]) as conn:
            channel = conn.default_channel
            dlx(channel).declare()
            Queue(self.dead_letter_queue, exchange=dlx, routing_key=self.queue.name, durable=True)(channel).declare()

    def start(self):
        super().start()
        # every method's series exists at 0, so the first abandoned request shows in increase()
        for provider in self._providers:
            metrics.RPC_ABANDONED.labels(self.service, provider.method_name)

    def handle_message(self, body, message):
        correlation_id = message.properties.get("correlation_id")
        original = self._republishing.get(correlation_id)
        if original is not None:
            original.wait()
        failed = failed_deliveries(message.headers, bool(message.delivery_info.get("redelivered")))
        if failed == 0:
            return super().handle_message(body, message)
        method = str(message.delivery_info.get("routing_key", "")).rpartition(".")[2]
        try:
            if failed >= self.max_deliveries:
                self._abandon(message, method, correlation_id, failed)
                return None
            if message.delivery_info.get("redelivered"):
                self._republish_then_ack(message, failed)
                log.warning(
                    "RPC %s.%s was delivered %d times without completing; trying again (at most %d)",
                    self.service,
                    method,
                    failed,
                    self.max_deliveries,
                    extra={"rpc_method": method, "correlation_id": correlation_id, "attempt": failed},
                )
                return None
        except Exception:
            # cannot count it now (the broker is away): leave it to the broker, which delivers it again
            log.exception("could not count the deliveries of RPC %s.%s", self.service, method)
            self.queue_consumer.requeue_message(message)
            return None
        return super().handle_message(body, message)  # a counted copy: run it

    def _republish_then_ack(self, message, failed: int) -> None:
        correlation_id = message.properties.get("correlation_id")
        acknowledged = self._republishing[correlation_id] = Event()
        try:
            self._republish(message, {DELIVERIES_HEADER: failed}, get_rpc_exchange(self.container.config))
            self.queue_consumer.ack_message(message)
        finally:
            self._republishing.pop(correlation_id, None)
            acknowledged.send(True)

    def _abandon(self, message, method: str, correlation_id, failed: int) -> None:
        error = RequestAbandoned(abandoned_message(failed), {"attempts": [str(failed)]})
        self._republish(
            message,
            {DELIVERIES_HEADER: failed, "x-enforcement-queue": self.queue.name, "x-enforcement-error": str(error)},
            Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True),
            routing_key=self.queue.name,
        )
        metrics.RPC_ABANDONED.labels(self.service, method).inc()
        log.error(
            "RPC %s.%s abandoned after %d deliveries that did not complete; the request is in %s",
            self.service,
            method,
            failed,
            self.dead_letter_queue,
            extra={"rpc_method": method, "correlation_id": correlation_id, "attempt": failed},
        )
        if message.properties.get("reply_to"):
            self.handle_result(message, None, (RequestAbandoned, error, None))  # answers, then acknowledges
        else:
            self.queue_consumer.ack_message(message)

    def _republish(self, message, extra_headers: dict, exchange, routing_key: str | None = None) -> None:
        properties = message.properties
        headers = {**(message.headers or {}), **extra_headers}
        self.publisher.publish(
            message.body,
            exchange=exchange,
            routing_key=routing_key or message.delivery_info["routing_key"],
            headers=headers,
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            reply_to=properties.get("reply_to"),
            correlation_id=properties.get("correlation_id"),
            message_id=properties.get("correlation_id"),  # what enforcement-dead-letters shows as the id
            expiration=_seconds(properties.get("expiration")),
            retry=True,
            retry_policy=RETRY_POLICY,
        )


def _seconds(expiration) -> float | None:
    """AMQP's expiration (milliseconds, as text) in the seconds kombu takes; None when the request had none."""
    try:
        return int(expiration) / 1000 if expiration is not None else None
    except (TypeError, ValueError):
        return None


class GuardedRpc(Rpc):
    """nameko's RPC entrypoint on the counting consumer (one per container, shared by every method)."""

    rpc_consumer = GuardedRpcConsumer()
