"""Load with wrk (Debian's package, installed by scripts/install-system-deps): one path, N rounds, the medians.

Every benchmark that puts HTTP load on a server measures it through this module, so that numbers from different
scripts come from the same generator and can be compared:

    from loadgen import measure
    result = measure("http://127.0.0.1:8000/api/v1/personnel/echo", headers={"Authorization": "Bearer ..."})
    result.rps, result.p50_ms, result.p99_ms, result.errors

A body (a write) is sent with a generated Lua script; wrk's own latency distribution gives p50 and p99; a non-2xx
answer or a socket error counts as an error (wrk's "Non-2xx" and "Socket errors" lines).
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_CONNECTIONS = 20
DEFAULT_SECONDS = 10
DEFAULT_ROUNDS = 3

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int

    def as_dict(self) -> dict:
        return asdict(self)


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: run scripts/install-system-deps (as root)")
    return found


def _lua(method: str, body, headers: dict) -> str:
    lines = [f"wrk.method = {json.dumps(method)}"]
    if body is not None:
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        lines.append(f"wrk.body = {json.dumps(text, ensure_ascii=False)}")
    for key, value in headers.items():
        lines.append(f"wrk.headers[{json.dumps(key)}] = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unreadable wrk duration {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse(output: str) -> Result:
    """wrk's ``--latency`` report as a Result."""
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", output, re.MULTILINE))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return Result(
        rps=rps,
        p50_ms=_duration_ms(percentiles["50"]),
        p99_ms=_duration_ms(percentiles["99"]),
        requests=requests,
        errors=errors,
    )


def run_once(
    url: str,
    *,
    method="GET",
    body=None,
    headers=None,
    connections=DEFAULT_CONNECTIONS,
    seconds=DEFAULT_SECONDS,
    threads: int = 2,
    timeout_s: int = 10,
) -> Result:
    headers = dict(headers or {})
    if body is not None:
        headers.setdefault("Content-Type", "application/json")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "request.lua"
        script.write_text(_lua(method, body, headers), encoding="utf-8")
        command = [
            wrk_binary(),
            f"-t{min(threads, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            f"--timeout={timeout_s}s",
            "--latency",
            "-s",
            str(script),
            url,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse(done.stdout)


def measure(url: str, *, rounds: int = DEFAULT_ROUNDS, warmup_seconds: float = 2, **kwargs) -> Result:
    """``rounds`` runs of wrk after a short warm-up; each figure is the median of the rounds (errors: the sum)."""
    if warmup_seconds:
        run_once(url, **{**kwargs, "seconds": max(int(warmup_seconds), 1)})
    results = [run_once(url, **kwargs) for _ in range(rounds)]
    return Result(
        rps=statistics.median(r.rps for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        requests=sum(r.requests for r in results),
        errors=sum(r.errors for r in results),
    )
