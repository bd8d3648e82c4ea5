"""A kernel service run as its own process (``probe_service.py``) on a RabbitMQ vhost of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from enforcement_testing import free_port, http_get
from enforcement_testing.broker import rabbitmqctl

PROBE = Path(__file__).with_name("probe_service.py")
NAME = "poisonprobe"


def fresh_vhost():
    """For a fixture (``yield from fresh_vhost()``): a fresh, empty vhost (nothing declared in it yet), deleted
    afterwards."""
    vhost = f"enf-probe-{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", vhost)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    finally:
        rabbitmqctl("delete_vhost", vhost)


class Probe:
    def __init__(self, amqp_uri: str, tmp_path: Path, **settings):
        self.port = free_port()
        self.log_path = tmp_path / "probe.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "CONFIG"},
            "AMQP_URI": amqp_uri,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.db'}",
            "OPS_PORT": str(self.port),
            "PYTHONUNBUFFERED": "1",
            **settings,
        }
        self.procs: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        with open(self.log_path, "ab") as log:
            proc = subprocess.Popen(
                [sys.executable, str(PROBE)], env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=PROBE.parent
            )
        self.procs.append(proc)
        return proc

    def ready(self) -> bool:
        try:
            return http_get(f"http://127.0.0.1:{self.port}/health/ready")[0] == 200
        except OSError:
            return False

    def metrics(self) -> str:
        return http_get(f"http://127.0.0.1:{self.port}/metrics")[1]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
