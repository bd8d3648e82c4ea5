"""What a service sets up when it starts, before its first request or event: its event exchange, and an ops port on
the loopback unless told otherwise.

A real kernel service process (``probe_service.py``) on a fresh vhost, and the real supervision service process (the
one whose exchange was missing until its first event).
"""

from __future__ import annotations

import pytest
from amqp.exceptions import NotFound
from enforcement_testing import wait_until
from kombu import Connection
from probe_support import NAME, Probe, fresh_vhost

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def vhost_uri():
    yield from fresh_vhost()


def exchange_exists(amqp_uri: str, name: str) -> bool:
    with Connection(amqp_uri, connect_timeout=5) as conn:
        try:
            conn.channel().exchange_declare(name, "topic", durable=True, passive=True)
            return True
        except NotFound:
            return False


def test_a_service_declares_its_event_exchange_when_it_starts(vhost_uri, tmp_path):
    assert not exchange_exists(vhost_uri, f"{NAME}.events")  # a fresh vhost: nothing yet
    probe = Probe(vhost_uri, tmp_path)
    try:
        probe.start()
        wait_until(probe.ready, timeout=30, message="probe ready")
        assert exchange_exists(vhost_uri, f"{NAME}.events"), "declared at start, before any event"
    finally:
        probe.stop_all()


def test_supervision_declares_its_exchange_before_its_first_event(vhost_uri, start_service, sqlite_url):
    service = start_service("supervision", sqlite_url, vhost_uri)
    assert service.metric("enforcement_events_published_total") == 0  # it has sent nothing
    assert exchange_exists(vhost_uri, "supervision.events")
    with Connection(vhost_uri, connect_timeout=5) as conn:  # and it is a durable topic exchange
        conn.channel().exchange_declare("supervision.events", "topic", durable=True, auto_delete=False)


def test_the_ops_port_binds_the_loopback_by_default(vhost_uri, tmp_path):
    probe = Probe(vhost_uri, tmp_path)
    probe.env.pop("OPS_HOST", None)
    try:
        proc = probe.start()
        wait_until(probe.ready, timeout=30, message="probe ready")
        assert listening_addresses(proc.pid, probe.port) == {"127.0.0.1"}
    finally:
        probe.stop_all()


def test_the_ops_port_binds_the_address_set_in_ops_host(vhost_uri, tmp_path):
    probe = Probe(vhost_uri, tmp_path, OPS_HOST="0.0.0.0")
    try:
        proc = probe.start()
        wait_until(probe.ready, timeout=30, message="probe ready")
        assert listening_addresses(proc.pid, probe.port) == {"0.0.0.0"}
    finally:
        probe.stop_all()


def listening_addresses(pid: int, port: int) -> set[str]:
    """The local addresses on which process ``pid`` listens on TCP ``port`` (from /proc: its sockets' inodes)."""
    import os
    import socket
    import struct

    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    with open(f"/proc/{pid}/net/tcp", encoding="ascii") as table:
        next(table)
        for line in table:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            address, _, port_hex = local.partition(":")
            if state == "0A" and int(port_hex, 16) == port and inode in inodes:  # 0A: LISTEN
                found.add(socket.inet_ntoa(struct.pack("<I", int(address, 16))))
    return found
