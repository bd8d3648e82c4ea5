"""Constants and small helpers every kind of test uses: paths, callers, ID numbers, ports, HTTP, metrics, waiting."""

from __future__ import annotations

import random
import socket
import sys
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent  # .venv/bin: the console scripts live next to the interpreter

BROKER_HOST, BROKER_PORT = "127.0.0.1", 5672
START_HINT = "start it with `scripts/brokers --postgres` (or run `scripts/test`)"

#: The justice bureau: sees and changes every agency's records.
BUREAU = {"username": "tester", "role": "bureau"}

WUZHAI_DIVISION = "140928"

# Every service a test starts counts its days from the date the run began, the date the tests' own TODAY is: a run
# that crosses midnight must not see the services move to the next day under it, nor the county's clock (UTC+8)
# differ from this machine's. A test may pass its own CLOCK_TODAY in extra_env (or ``today=`` in process).
RUN_DATE = date.today()


def valid_id_number(seq: int, birth: date = date(1985, 6, 15), prefix: str = WUZHAI_DIVISION) -> str:
    """A GB 11643 resident ID number that passes the check-character test, unique per ``seq`` (0-999)."""
    from personnel_service.rules import id_check_char

    first17 = f"{prefix}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_check_char(first17)


def wrong_check_char(id_number: str) -> str:
    """The same ID number with a wrong (but well-formed) check character."""
    from personnel_service.rules import id_check_char

    right = id_check_char(id_number[:17])
    return id_number[:17] + next(c for c in "0123456789X" if c != right)


# Ports for the servers a test starts, below Linux's ephemeral range (32768-60999): a port the kernel handed out
# with bind(0) could be taken as the source port of an outgoing connection (an AMQP client, another shard's HTTP
# client) before the server started later binds it ("Address already in use").
_SERVER_PORTS = range(20000, 32000)
_given: set[int] = set()


def free_port() -> int:
    """A port no one listens on now, never handed out twice by this process."""
    for _ in range(200):
        port = random.choice(_SERVER_PORTS)
        if port in _given:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _given.add(port)
        return port
    raise RuntimeError("no free port between 20000 and 32000")


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url: str, timeout: float = 5.0) -> tuple[int, str]:
    """(status, body) of a GET; never raises for an HTTP error status."""
    try:
        with _NO_PROXY.open(url, timeout=timeout) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def metric_value(metrics_text: str, name: str, **labels) -> float:
    """Sum of the samples called ``name`` (e.g. ``..._total``) whose labels include ``labels``; 0 if none."""
    from prometheus_client.parser import text_string_to_metric_families

    total = 0.0
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == str(v) for k, v in labels.items()):
                total += sample.value
    return total


def wait_until(predicate, timeout: float = 15.0, interval: float = 0.1, message: str = "condition"):
    """Poll ``predicate`` until it returns something truthy (returned); fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{message} not reached within {timeout:g}s (last value: {last!r})")


class MetricsReader:
    """``metric(name, **labels)`` and ``wait_metric(...)`` over ``metrics_text()``, which reads ``{ops_url}/metrics``
    (a subclass may read elsewhere, e.g. the test process's own registry)."""

    ops_url: str

    def metrics_text(self) -> str:
        status, body = http_get(f"{self.ops_url}/metrics")
        assert status == 200, f"/metrics answered {status}: {body[:500]}"
        return body

    def metric(self, name: str, **labels) -> float:
        return metric_value(self.metrics_text(), name, **labels)

    def wait_metric(self, name: str, expected: float, timeout: float = 15.0, **labels) -> float:
        """Poll until the sample reaches ``expected`` (bounded); returns the value seen."""
        deadline = time.monotonic() + timeout
        value = self.metric(name, **labels)
        while value < expected and time.monotonic() < deadline:
            time.sleep(0.1)
            value = self.metric(name, **labels)
        return value
