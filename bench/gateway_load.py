"""Gateway load benchmark (issue #2): GET one officer vs. a trivial echo RPC through the same gateway.

Starts its own personnel service and gateway (SQLite files in a temporary folder, the local
RabbitMQ), registers one officer, then runs 20 concurrent keep-alive clients against each
endpoint for a fixed time and prints requests/s, p50 and p99 and the ratio. The bar: GET one
officer reaches at least 70% of the echo's throughput.

    .venv/bin/python bench/gateway_load.py [--seconds 15] [--clients 20]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, timeout: float = 40) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/ready")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"service on ops port {port} not ready")


def bench_vhost() -> str:
    """A vhost of its own, so a suite already running on '/' does not take the benchmark's calls."""
    vhost = f"enf-bench-{os.getpid()}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(
        ["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
        check=True,
        capture_output=True,
    )
    return vhost


def start(name: str, workdir: Path, env_extra: dict) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{workdir}/{name}.db", LOG_LEVEL="WARNING", **env_extra)
    for cmd in ("enforcement-migrate", "enforcement-seed"):
        subprocess.run([BIN / cmd, name], env=env, check=True, capture_output=True)
    log = open(workdir / f"{name}.log", "w")
    return subprocess.Popen([BIN / "enforcement-run", name], env=env, stdout=log, stderr=subprocess.STDOUT)


def request(port, method, path, body=None, token=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    resp = conn.getresponse()
    data = json.loads(resp.read() or b"null")
    if resp.status >= 300:
        raise SystemExit(f"{method} {path}: {resp.status} {data}")
    return data


def load(port: int, path: str, token: str, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, bad = [], 0
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    bad += 1
            except OSError:
                bad += 1
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main() -> None:
    # Over 50 lines: start the processes, run each path, print the table; one measurement in order.
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    web, gw_ops, p_ops = free_port(), free_port(), free_port()
    vhost = bench_vhost()
    amqp = {"AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{vhost}"}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        procs = [
            start("personnel", workdir, {"OPS_PORT": str(p_ops), **amqp}),
            start("gateway", workdir, {"OPS_PORT": str(gw_ops), "WEB_SERVER_ADDRESS": f"127.0.0.1:{web}", **amqp}),
        ]
        try:
            wait_ready(p_ops)
            wait_ready(gw_ops)
            login = request(web, "POST", "/api/v1/auth/login", {"username": "admin", "password": "change-me-now"})
            token = login["token"]
            if login.get("must_change_password"):  # the seeded admin changes its password before anything else
                new = {"current_password": "change-me-now", "new_password": "bench-bureau-password"}
                request(web, "POST", "/api/v1/auth/password", new, token)
            officer = request(
                web,
                "POST",
                "/api/v1/officers",
                {
                    "agency_code": "140928-scjgj",
                    "name": "压测",
                    "id_number": "11010519491231002X",
                    "domains": ["market_supervision"],
                },
                token,
            )
            results = {}
            for label, path in (
                ("echo", "/api/v1/personnel/echo"),
                ("officer", f"/api/v1/officers/{officer['officer_id']}"),
            ):
                load(web, path, token, args.clients, 2)  # warm-up
                results[label] = load(web, path, token, args.clients, args.seconds)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=20)
            subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True)
    print(f"{args.clients} clients, {args.seconds:g} s each, {os.cpu_count()} cores")
    for label, r in results.items():
        print(
            f"{label:8s} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  "
            f"({r['requests']} requests, {r['errors']} errors)"
        )
    ratio = results["officer"]["rps"] / results["echo"]["rps"]
    print(f"ratio officer/echo: {ratio:.2f} (bar: >= 0.70) -> {'PASS' if ratio >= 0.70 else 'FAIL'}")


if __name__ == "__main__":
    main()
