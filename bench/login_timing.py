"""Login timing benchmark (issue 13): a refused login takes the same time whatever the reason, and failed logins
do not slow the rest of the gateway.

Starts its own gateway (SQLite in a temporary folder, the local RabbitMQ, the address throttle set out of the way),
makes the accounts it needs, then measures

1. the median time of a refused login for each reason: a wrong password, an unknown account, a disabled account
   (with its right password) and a throttled account. Bar: the slowest median is at most
   1.5x the fastest (the answers themselves are byte-identical: tests/e2e/test_accounts_http.py);
2. ``GET /auth/me`` alone, then while 8 clients send failed logins without pause. Bar: the median under load is at
   most 2x the median alone (hashing runs in threads, at most GATEWAY.password_hash_concurrency at once).

    .venv/bin/python bench/login_timing.py [--samples 40] [--seconds 10]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from gateway_floor import bench_vhost, free_port, request, start, wait_ready

PASSWORD = "bench-login-password"


def attempt(port: int, username: str, password: str) -> tuple[int, float]:
    """One login: (status, seconds)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"username": username, "password": password})
    started = time.perf_counter()
    conn.request("POST", "/api/v1/auth/login", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    return response.status, time.perf_counter() - started


def me_median(port: int, token: str, seconds: float) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times, stop_at = [], time.perf_counter() + seconds
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        conn.request("GET", "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def make_accounts(port: int, token: str, count: int) -> None:
    for name in ["bench-gone", "bench-locked", *(f"bench-wrong-{i}" for i in range(count))]:
        request(port, "POST", "/api/v1/users", {"username": name, "password": PASSWORD, "role": "bureau"}, token)
    request(port, "POST", "/api/v1/users/bench-gone/disable", None, token)
    for _ in range(5):
        attempt(port, "bench-locked", "not-the-password")


def refused_medians(port: int, samples: int) -> dict[str, float]:
    """Each reason in turn, interleaved so that drift in the machine's load falls on all of them alike. A wrong
    password goes to a fresh account every 4 attempts (the 5th would start the throttling)."""
    times: dict[str, list[float]] = {"wrong password": [], "unknown": [], "disabled": [], "throttled": []}
    for n in range(samples):
        cases = {
            "wrong password": (f"bench-wrong-{n // 4}", "not-the-password"),
            "unknown": (f"bench-nobody-{n}", "not-the-password"),
            "disabled": ("bench-gone", PASSWORD),
            # its wait doubles with each failure counted after it: refused unchecked nearly every time
            "throttled": ("bench-locked", "not-the-password"),
        }
        for reason, (username, password) in cases.items():
            status, seconds = attempt(port, username, password)
            assert status == 401, (reason, status)
            times[reason].append(seconds)
    return {reason: statistics.median(values) for reason, values in times.items()}


def me_under_failed_logins(port: int, token: str, seconds: float, clients: int = 8) -> float:
    stop = threading.Event()

    def hammer(k: int) -> None:
        n = 0
        while not stop.is_set():
            attempt(port, f"bench-sprayed-{k}-{n}", "not-the-password")
            n += 1

    threads = [threading.Thread(target=hammer, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(1)  # every client has a login in flight
    try:
        return me_median(port, token, seconds)
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    web, ops = free_port(), free_port()
    vhost = bench_vhost()
    env = {
        "AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
        "OPS_PORT": str(ops),
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{web}",
        "GATEWAY_SERVICES": "gateway",  # its own routes only: no service needed
        "GATEWAY_LOGIN_THROTTLE_ADDRESS": "1000000",  # every attempt comes from 127.0.0.1
    }
    with tempfile.TemporaryDirectory() as tmp:
        gateway = start("gateway", Path(tmp), env)
        try:
            wait_ready(ops)
            login = request(web, "POST", "/api/v1/auth/login", {"username": "admin", "password": "change-me-now"})
            token = login["token"]
            change = {"current_password": "change-me-now", "new_password": "bench-bureau-password"}
            request(web, "POST", "/api/v1/auth/password", change, token)
            make_accounts(web, token, args.samples // 4 + 1)
            medians = refused_medians(web, args.samples)
            alone = me_median(web, token, args.seconds)
            loaded = me_under_failed_logins(web, token, args.seconds)
        finally:
            gateway.terminate()
            gateway.wait(timeout=20)
            subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True)
    print(f"{args.samples} refused logins per reason, {os.cpu_count()} cores")
    for reason, median in medians.items():
        print(f"  {reason:15s} median {median * 1000:7.1f} ms")
    spread = max(medians.values()) / min(medians.values())
    print(f"slowest/fastest: {spread:.2f} (bar: <= 1.5) -> {'PASS' if spread <= 1.5 else 'FAIL'}")
    ratio = loaded / alone
    print(f"GET /auth/me median alone {alone * 1000:.1f} ms, under 8 clients' failed logins {loaded * 1000:.1f} ms")
    print(f"ratio: {ratio:.2f} (bar: <= 2.0) -> {'PASS' if ratio <= 2.0 else 'FAIL'}")


if __name__ == "__main__":
    main()
