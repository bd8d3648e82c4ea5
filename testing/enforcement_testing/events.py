"""RPC and events seen from outside, as the gateway and any subscriber would: a standalone proxy, a plain kombu
queue bound to an exchange, publishing an event as its source would."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from .broker import rabbitmqctl


@pytest.fixture
def rpc_factory(amqp_uri):
    """``with rpc_factory(timeout=2) as cluster: cluster.personnel.echo()`` (nameko standalone proxy)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    def make(timeout: float = 10):
        return ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=timeout)

    return make


@pytest.fixture
def rpc(rpc_factory):
    """A started standalone ``ClusterRpcProxy`` (timeout 10 s): ``rpc.personnel.register_officer(...)``."""
    proxy = rpc_factory(timeout=10)
    cluster = proxy.start()
    try:
        yield cluster
    finally:
        proxy.stop()


class EventCollector:
    """A private queue bound to ``<source>.events`` for some routing keys; bind it BEFORE the actions."""

    def __init__(self, amqp_uri: str, source: str, routing_keys):
        from kombu import Connection, Exchange, Queue

        if not routing_keys:
            raise ValueError("name at least one routing key (e.g. 'officer.registered' or '#')")
        self.source = source
        self.exchange_name = f"{source}.events"
        self.connection = Connection(amqp_uri, connect_timeout=5)
        self.channel = self.connection.channel()
        exchange = Exchange(self.exchange_name, type="topic", durable=True)
        exchange(self.channel).declare()
        self.queue_name = f"test-collector-{source}-{uuid.uuid4().hex[:10]}"
        self.queue = Queue(
            self.queue_name,
            exchange=exchange,
            routing_key=routing_keys[0],
            durable=False,
            auto_delete=True,
            exclusive=True,
        )(self.channel)
        self.queue.declare()
        for key in routing_keys[1:]:
            self.queue.bind_to(exchange=self.exchange_name, routing_key=key)
        self.received: list[dict] = []
        self.messages = []  # the kombu messages (headers, properties such as message_id)

    def _poll(self) -> bool:
        message = self.queue.get(no_ack=True, accept=["json"])
        if message is None:
            return False
        body = message.body
        self.received.append(json.loads(body.decode() if isinstance(body, bytes) else body))
        self.messages.append(message)
        return True

    def wait_for(self, n: int, timeout: float = 15.0) -> list[dict]:
        """Every envelope received so far once there are at least ``n``; fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.received) < n:
            if not self._poll():
                if time.monotonic() > deadline:
                    types = [e.get("type") for e in self.received]
                    raise AssertionError(
                        f"expected {n} events on {self.exchange_name}, got {len(self.received)} "
                        f"within {timeout:g}s: {types}"
                    )
                time.sleep(0.05)
        return list(self.received)

    def collect_for(self, seconds: float) -> list[dict]:
        """Everything received after waiting ``seconds`` more (to show that nothing else arrives)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self._poll():
                time.sleep(0.05)
        while self._poll():
            pass
        return list(self.received)

    def of_type(self, event_type: str) -> list[dict]:
        return [e for e in self.received if e.get("type") == event_type]

    def close(self) -> None:
        try:
            self.connection.release()
        except Exception:  # the broker or vhost may be gone already
            pass


@pytest.fixture
def collect_events(amqp_uri):
    """``collect_events("personnel", "officer.registered", ...)`` -> an ``EventCollector`` bound now."""
    collectors: list[EventCollector] = []

    def collect(source: str, *routing_keys: str) -> EventCollector:
        collector = EventCollector(amqp_uri, source, routing_keys)
        collectors.append(collector)
        return collector

    yield collect
    for collector in collectors:
        collector.close()


def publish_raw(amqp_uri: str, exchange_name: str, routing_key: str, body, message_id: str | None = None) -> None:
    """Publish a JSON body with publisher confirms; fails if no queue is bound for the routing key."""
    from amqp.exceptions import ChannelError
    from kombu import Connection, Exchange, Producer

    exchange = Exchange(exchange_name, type="topic", durable=True)
    with Connection(amqp_uri, connect_timeout=5, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        exchange(channel).declare()
        try:
            Producer(channel).publish(
                body,
                exchange=exchange,
                routing_key=routing_key,
                serializer="json",
                delivery_mode=2,
                mandatory=True,
                message_id=message_id,
            )
        except ChannelError as exc:
            raise AssertionError(
                f"{exchange_name}/{routing_key} was not routed to any queue ({exc}): is the consuming service running?"
            ) from None


def publish_event(amqp_uri: str, event_type, data: dict, event_id: str | None = None):
    """Publish ``data`` as an ``event_type`` event (e.g. ``training.HOURS_UPDATED``), as its source would.

    Returns the ``Envelope``; publish it again with the same ``event_id`` to redeliver it.
    """
    from enforcement_contracts.events import Envelope

    envelope = Envelope(
        type=event_type.type,
        source=event_type.source,
        data=event_type.dump(data),
        schemaversion=event_type.version,
        subject=data.get("officer_id"),
    )
    if event_id is not None:
        envelope.id = event_id
    publish_raw(amqp_uri, event_type.exchange, event_type.routing_key, envelope.to_dict(), message_id=envelope.id)
    return envelope


def drop_event_queues(amqp_uri: str, service: str) -> list[str]:
    """Delete the event queues ``service``'s consumers left in this run's vhost, and what piled up in them.

    Durable consumer queues outlive a test; while that service is not running they collect the events
    other tests publish (e.g. every officer the personnel tests register). Call this before starting the
    service when a test must see only its own events. Returns the queues deleted.
    """
    from kombu import Connection

    vhost = amqp_uri.rsplit("/", 1)[-1]
    names = [n.strip() for n in rabbitmqctl("list_queues", "-p", vhost, "--no-table-headers", "name").splitlines()]
    mine = [n for n in names if n.startswith("evt-") and f"--{service}." in n and not n.endswith(".dlq")]
    with Connection(amqp_uri, connect_timeout=5) as conn:
        for name in mine:
            conn.default_channel.queue_delete(name)
    return mine
