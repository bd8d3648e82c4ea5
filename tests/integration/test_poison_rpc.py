"""Poison RPC requests: a request that kills or hangs its worker is delivered at most ``RPC_MAX_DELIVERIES`` times,
then answered ``RequestAbandoned`` and parked in ``rpc-<service>.dlq``; the service stays up.

A real service process (``probe_service.py``: the kernel's ``ServiceBase`` on SQLite) on a vhost of its own,
the real broker, and a standalone nameko caller that keeps waiting across the crashes.
"""

from __future__ import annotations

import json
import signal

import pytest
from enforcement_testing import metric_value, valid_id_number, wait_until
from enforcement_testing.broker import rabbitmqctl
from kombu import Connection
from nameko.standalone.rpc import ClusterRpcProxy
from probe_support import NAME, Probe, fresh_vhost

from enforcement_contracts.errors import RequestAbandoned
from enforcement_kernel import dead_letters
from enforcement_kernel.poison import DELIVERIES_HEADER

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def vhost_uri():
    yield from fresh_vhost()


def unacknowledged(amqp_uri: str) -> int:
    """Requests of ``rpc-poisonprobe`` delivered and not yet acknowledged (a worker holds them)."""
    vhost = amqp_uri.rsplit("/", 1)[1]
    for line in rabbitmqctl(
        "list_queues", "-p", vhost, "--no-table-headers", "name", "messages_unacknowledged"
    ).splitlines():
        name, _, count = line.strip().partition("\t")
        if name == f"rpc-{NAME}":
            return int(count)
    return 0


def parked(amqp_uri: str) -> list:
    """The messages in ``rpc-poisonprobe.dlq`` (taken, then returned on disconnect)."""
    with Connection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.channel()
        messages = []
        while (message := channel.basic_get(f"rpc-{NAME}.dlq", no_ack=False)) is not None:
            messages.append(message)
        return messages


def test_a_request_that_kills_its_service_is_abandoned_after_three_deliveries(vhost_uri, tmp_path):
    probe = Probe(vhost_uri, tmp_path, RPC_MAX_DELIVERIES="3")
    id_number = valid_id_number(4242)
    try:
        first = probe.start()
        wait_until(probe.ready, timeout=30, message="probe ready")
        with ClusterRpcProxy({"AMQP_URI": vhost_uri}, timeout=120) as cluster:
            reply = getattr(cluster, NAME).crash.call_async({"id_number": id_number})
            first.wait(30)
            assert first.returncode == -signal.SIGKILL
            # two more deliveries kill the next two instances; the fourth instance gives up on the request
            for _ in range(2):
                proc = probe.start()
                assert proc.wait(60) == -signal.SIGKILL
            survivor = probe.start()
            with pytest.raises(RequestAbandoned) as abandoned:
                reply.result()
            assert abandoned.value.status == 422
            assert str(abandoned.value) == "the request was abandoned after 3 attempts that did not complete"
            assert survivor.poll() is None, "the instance that abandoned the request must stay up"
            assert getattr(cluster, NAME).echo("still here") == "still here"

        wait_until(probe.ready, timeout=30, message="survivor ready")
        text = probe.metrics()
        assert metric_value(text, "enforcement_rpc_abandoned_total", service=NAME, method="crash") == 1
        assert (
            metric_value(text, "enforcement_rpc_abandoned_total", service=NAME, method="hang") == 0
        )  # at 0 from start

        messages = parked(vhost_uri)
        assert len(messages) == 1
        assert messages[0].headers[DELIVERIES_HEADER] == 3
        assert json.loads(messages[0].body)["args"] == [{"id_number": id_number}]  # the request, for an operator
        # what an operator sees with enforcement-dead-letters show, and that it is not re-queued
        [shown] = dead_letters.show(vhost_uri, f"rpc-{NAME}")
        assert shown["queue"] == f"rpc-{NAME}" and shown["reason"] == "failed"
        assert shown["error"] == "the request was abandoned after 3 attempts that did not complete"
        assert shown["event_id"] == messages[0].properties["correlation_id"]
        with pytest.raises(SystemExit, match="not re-queued"):
            dead_letters.requeue(vhost_uri, f"rpc-{NAME}", None)
        assert len(parked(vhost_uri)) == 1

        log = probe.log()
        assert "abandoned after 3 deliveries" in log
        assert id_number not in log, "the request's arguments never reach the log"
    finally:
        probe.stop_all()


def test_a_request_that_hangs_past_the_grace_period_is_abandoned(vhost_uri, tmp_path):
    """SIGTERM with a hung worker: the runner's stop turns into a kill after SHUTDOWN_GRACE_SECONDS, the request goes
    back to its queue, and with ``RPC_MAX_DELIVERIES=2`` the second hung delivery is the last."""
    probe = Probe(vhost_uri, tmp_path, RPC_MAX_DELIVERIES="2", SHUTDOWN_GRACE_SECONDS="1")
    try:
        with ClusterRpcProxy({"AMQP_URI": vhost_uri}, timeout=120) as cluster:
            reply = None
            for _ in range(2):
                proc = probe.start()
                wait_until(probe.ready, timeout=30, message="probe ready")
                if reply is None:
                    reply = getattr(cluster, NAME).hang.call_async("x")
                wait_until(lambda: unacknowledged(vhost_uri) == 1, timeout=15, message="the hang request is running")
                proc.send_signal(signal.SIGTERM)
                proc.wait(30)
            survivor = probe.start()
            with pytest.raises(RequestAbandoned):
                reply.result()
            assert survivor.poll() is None
        wait_until(probe.ready, timeout=30, message="survivor ready")
        assert metric_value(probe.metrics(), "enforcement_rpc_abandoned_total", service=NAME, method="hang") == 1
        assert len(parked(vhost_uri)) == 1
    finally:
        probe.stop_all()
