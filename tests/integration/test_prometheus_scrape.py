"""The RabbitMQ scrape of deploy/prometheus/prometheus.yml, run in a real Prometheus (Debian's ``prometheus``).

Its ``rabbitmq-queues`` job, pointed at a page in RabbitMQ's /metrics/detailed format served here, must keep the
deployment's vhost only, drop nameko's ``rpc.reply-*`` and server-named queues, and label what it keeps
``deployment="enforcement"`` (which the queue alerts require; alerts_test.yml tests them on that label).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from enforcement_testing import free_port, http_get, wait_until

pytestmark = pytest.mark.timeout(120)

PROMETHEUS_YML = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "prometheus.yml"

QUEUES = [
    ("/", "evt-personnel-officer.departed--supervision.on_departed"),
    ("/", "evt-personnel-officer.departed--supervision.on_departed.dlq"),
    ("/", "rpc-personnel"),
    ("/", "rpc-personnel.dlq"),
    ("/", "sub.credit-system"),
    ("/", "credit-bureau-feed"),  # a subscriber's own queue
    ("/", "rpc.reply-gateway-6f1c2a9e-8a55-4a53-9d1e-1d0f5b7c2f10"),
    ("/", "amq.gen-JzTY20BRgKO-HjmUJj0wLg"),
    ("enf-test-0a1b2c3d4e", "evt-personnel-officer.departed--supervision.on_departed"),
    ("enf-test-0a1b2c3d4e", "sub.test-subscriber"),
]
KEPT = {(v, q) for v, q in QUEUES if v == "/" and not q.startswith(("rpc.reply-", "amq.gen-"))}


def rabbitmq_page() -> str:
    lines = []
    for family in ("rabbitmq_detailed_queue_consumers", "rabbitmq_detailed_queue_messages_ready"):
        lines += [f"# TYPE {family} gauge"]
        lines += [f'{family}{{vhost="{vhost}",queue="{queue}"}} 0' for vhost, queue in QUEUES]
    return "\n".join(lines) + "\n"


class _Page(BaseHTTPRequestHandler):
    def do_GET(self):
        body = rabbitmq_page().encode() if self.path.startswith("/metrics/detailed") else b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


def test_the_rabbitmq_scrape_keeps_only_the_deployments_queues(tmp_path):
    binary = shutil.which("prometheus")
    if not binary:
        pytest.fail("`prometheus` is not on PATH (Debian package `prometheus`); run scripts/install-system-deps")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = yaml.safe_load(PROMETHEUS_YML.read_text(encoding="utf-8"))
    [job] = [j for j in config["scrape_configs"] if j["job_name"] == "rabbitmq-queues"]
    job["static_configs"] = [{"targets": [f"127.0.0.1:{server.server_address[1]}"]}]
    job["scrape_interval"], job["scrape_timeout"] = "1s", "1s"
    (tmp_path / "prometheus.yml").write_text(
        yaml.safe_dump({"global": {"scrape_interval": "1s"}, "scrape_configs": [job]}), encoding="utf-8"
    )
    port = free_port()
    log = open(tmp_path / "prometheus.log", "wb")
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:

        def series() -> list[dict]:
            query = urllib.parse.quote('{__name__=~"rabbitmq_detailed_.+"}')
            try:
                status, body = http_get(f"http://127.0.0.1:{port}/api/v1/query?query={query}")
            except OSError:
                return []
            return json.loads(body)["data"]["result"] if status == 200 else []

        wait_until(lambda: len(series()) > 0, timeout=60, message="Prometheus scraped the page")
        found = series()
        assert {(s["metric"]["vhost"], s["metric"]["queue"]) for s in found} == KEPT
        assert {s["metric"]["deployment"] for s in found} == {"enforcement"}
        assert {s["metric"]["__name__"] for s in found} == {
            "rabbitmq_detailed_queue_consumers",
            "rabbitmq_detailed_queue_messages_ready",
        }
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
        server.shutdown()
