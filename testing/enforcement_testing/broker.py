"""RabbitMQ for tests: one fresh vhost per test run (per pytest-xdist worker), deleted with everything in it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import uuid
from pathlib import Path

import pytest

from .common import BROKER_HOST, BROKER_PORT, START_HINT


def rabbitmqctl(*args: str) -> str:
    exe = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    if not Path(exe).exists():
        pytest.fail(
            f"rabbitmqctl not found: RabbitMQ must be installed and running on {BROKER_HOST}:{BROKER_PORT}; "
            f"{START_HINT}",
            pytrace=False,
        )
    try:
        done = subprocess.run([exe, "-q", *args], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"rabbitmqctl {' '.join(args)} did not finish in 60 s: is RabbitMQ running? {START_HINT}", pytrace=False
        )
    if done.returncode != 0:
        pytest.fail(
            f"rabbitmqctl {' '.join(args)} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
            f"\nRabbitMQ must run on {BROKER_HOST}:{BROKER_PORT} and rabbitmqctl needs root; {START_HINT}",
            pytrace=False,
        )
    return done.stdout


def require_port(host: str, port: int, what: str) -> None:
    try:
        with socket.create_connection((host, port), timeout=3):
            pass
    except OSError as exc:
        pytest.fail(f"{what} is not reachable on {host}:{port} ({exc}); {START_HINT}", pytrace=False)


@pytest.fixture(scope="session")
def amqp_uri():
    """``amqp://guest:guest@127.0.0.1:5672/<fresh vhost>``, deleted with everything in it at the end.

    Overrides nameko's pytest-plugin fixture of the same name (that one needs the management API on
    port 15672, which this suite does not use).
    """
    require_port(BROKER_HOST, BROKER_PORT, "RabbitMQ")
    vhost = f"enf-test-{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", vhost)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield f"amqp://guest:guest@{BROKER_HOST}:{BROKER_PORT}/{vhost}"
    finally:
        rabbitmqctl("delete_vhost", vhost)
