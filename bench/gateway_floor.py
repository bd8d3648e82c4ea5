"""The gateway against the floor of bare nameko (issue 14; it replaces issue 2's gateway_load.py).

What: requests per second, p50 and p99 of four paths measured in ONE invocation, so that the machine's load is the
same for all of them:

- ``floor``: a bare nameko 2.14.1 ``@http`` handler calling an echo service over RabbitMQ (``bench/floor_service.py``,
  no suite code, two ``nameko run`` processes with a config and a vhost of their own, each with the ``max_workers`` of
  its counterpart: the gateway's 20, personnel's 10);
- ``echo``: the suite's gateway -> personnel ``GET /api/v1/personnel/echo`` (token, routing, validation, audit rules,
  metrics, logs: everything but domain work);
- ``get``: the gateway -> ``GET /api/v1/officers/<id>`` (one officer read from the personnel database);
- ``patch``: the gateway -> ``PATCH /api/v1/officers/<id>`` (a transaction, an outbox row, an event, an audit row).
  Every request carries a new ``position`` (wrk's ``request()`` numbers them per thread, with a nonce per run), so
  every PATCH is a real write; the outbox rows written during the run are counted and printed beside the requests.

How: the personnel service and the gateway run as processes (``enforcement-run``; SQLite files by default,
``--postgres`` gives each a fresh PostgreSQL database), on a RabbitMQ vhost of their own; everything is dropped at the
end. Load: wrk through ``bench/loadgen.py`` (20 connections, 10 s, the medians of 3 rounds after a 2 s warm-up). The
rounds interleave (floor, echo, GET, PATCH, then again), so that the machine's load, which other work changes,
weighs on every path alike; after a PATCH round the relay publishes its events before the next path starts.

The bars (same run): echo >= 1.0x the floor's req/s, GET >= 0.9x, PATCH >= 0.7x, and each path's p99 <= 1.5x the
floor's p99; PASS or FAIL per goal, exit 1 when one fails. ``--json FILE`` writes the numbers.

``--profile before|after`` also records py-spy flame graphs of the gateway while each gateway path is loaded
(right after the path's measured rounds, so sampling does not slow them) into
``bench/results/gateway-<path>-<before|after>.svg``, and the personnel service's beside them
(``gateway-<path>-<before|after>.personnel.svg``).

    .venv/bin/python bench/gateway_floor.py [--postgres] [--seconds 10] [--rounds 3] [--connections 20]
        [--json bench/results/gateway_floor-after.json] [--profile after]
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
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from loadgen import DEFAULT_CONNECTIONS, DEFAULT_ROUNDS, DEFAULT_SECONDS, Result, parse, run_once, wrk_binary

BIN = Path(sys.executable).parent
HERE = Path(__file__).parent
RESULTS = HERE / "results"
PASSWORD = "bench-bureau-password"
# path -> (minimum ratio of the floor's req/s); every path: p99 at most P99_BAR x the floor's
GOALS = {"echo": 1.0, "get": 0.9, "patch": 0.7}
P99_BAR = 1.5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, timeout: float = 40, path: str = "/health/ready") -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"nothing ready on port {port} ({path})")


def bench_vhost() -> str:
    """A vhost of its own, so a suite already running on '/' does not take the benchmark's calls."""
    vhost = f"enf-bench-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(
        ["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
        check=True,
        capture_output=True,
    )
    return vhost


def drop_vhost(vhost: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True)


@contextmanager
def own_vhost():
    vhost = bench_vhost()
    try:
        yield vhost
    finally:
        drop_vhost(vhost)


def start(name: str, workdir: Path, env_extra: dict) -> subprocess.Popen:
    """Migrate, seed and run one of the suite's services (``enforcement-run``); SQLite in ``workdir`` unless
    ``env_extra`` names a DATABASE_URL."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir}/{name}.db", "LOG_LEVEL": "WARNING", **env_extra}
    for cmd in ("enforcement-migrate", "enforcement-seed"):
        done = subprocess.run([BIN / cmd, name], env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{cmd} {name} failed:\n{done.stderr[-2000:]}")
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


@contextmanager
def databases(postgres: bool, workdir: Path, names: tuple[str, ...]):
    """name -> DATABASE_URL: SQLite files in ``workdir``, or fresh PostgreSQL databases dropped at the end."""
    if not postgres:
        yield {name: f"sqlite:///{workdir}/{name}.db" for name in names}
        return
    import psycopg2

    tag = uuid.uuid4().hex[:8]
    created = {name: f"enf_bench_{tag}_{name}" for name in names}
    conn = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3)
    conn.autocommit = True
    try:
        for db in created.values():
            conn.cursor().execute(f'CREATE DATABASE "{db}"')
        yield {name: f"postgresql+psycopg2://postgres@127.0.0.1:5432/{db}" for name, db in created.items()}
    finally:
        for db in created.values():
            conn.cursor().execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.close()


def max_workers(config: Path) -> int:
    import yaml

    return int(yaml.safe_load(config.read_text())["max_workers"])


def start_floor(workdir: Path, vhost: str) -> tuple[list[subprocess.Popen], int]:
    """The two bare nameko services, each in its own process and with the worker count of its counterpart (the
    gateway's, personnel's), as the suite's services run."""
    port = free_port()
    workers = {
        "FloorFront": max_workers(HERE.parent / "gateway/enforcement_gateway/config.yml"),
        "FloorEcho": max_workers(HERE.parent / "services/personnel/personnel_service/config.yml"),
    }
    procs = []
    for service, count in workers.items():
        config = workdir / f"floor-{service}.yml"
        config.write_text(
            f"AMQP_URI: amqp://guest:guest@127.0.0.1:5672/{vhost}\n"
            f"WEB_SERVER_ADDRESS: 127.0.0.1:{port}\nmax_workers: {count}\n"
        )
        log = open(workdir / f"floor-{service}.log", "w")
        command = [BIN / "nameko", "run", "--config", str(config), f"floor_service:{service}"]
        procs.append(subprocess.Popen(command, cwd=HERE, stdout=log, stderr=subprocess.STDOUT))
    return procs, port


def patch_script(token: str) -> str:
    """wrk's Lua for PATCH: a new position on every request (per-thread numbers, a nonce per run)."""
    nonce = uuid.uuid4().hex[:6]
    return f"""
wrk.method = "PATCH"
wrk.headers["Authorization"] = "Bearer {token}"
wrk.headers["Content-Type"] = "application/json"
local threads, counter = 0, 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{{"position":"bench {nonce} ' .. tid .. '-' .. counter .. '"}}')
end
"""


def run_script(url: str, script: str, *, connections: int, seconds: int) -> Result:
    """One wrk run with a script of ours (loadgen's generator and parser; its scripts are static)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "request.lua"
        path.write_text(script, encoding="utf-8")
        command = [wrk_binary(), "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout=10s", "--latency"]
        done = subprocess.run([*command, "-s", str(path), url], capture_output=True, text=True, check=True)
    return parse(done.stdout)


def medians(results: list[Result]) -> Result:
    """Each figure the median of the rounds, as ``loadgen.measure`` gives them (errors and requests: the sums)."""
    return Result(
        rps=statistics.median(r.rps for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        requests=sum(r.requests for r in results),
        errors=sum(r.errors for r in results),
    )


class Outbox:
    """Personnel's outbox, read by the bench over one connection kept for the whole run (a busy PostgreSQL may have
    none to spare later)."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine

        self.engine = create_engine(url, pool_size=1, max_overflow=0)
        self.connection = self.engine.connect()

    def count(self, where: str) -> int:
        from sqlalchemy import text

        value = self.connection.execute(text(f"SELECT count(*) FROM outbox_events WHERE {where}")).scalar()
        self.connection.rollback()  # no snapshot kept between reads
        return value

    def rows(self) -> int:
        return self.count("event_type LIKE '%officer.updated'")

    def settle(self, timeout: float = 60) -> None:
        """Wait until the relay has published every event the PATCHes wrote."""
        deadline = time.time() + timeout
        while time.time() < deadline and self.count("status = 'pending'"):
            time.sleep(0.2)

    def close(self) -> None:
        self.connection.close()
        self.engine.dispose()


def profile(pids: dict[str, int], svg: Path, load, seconds: int) -> None:
    """py-spy on each process of ``pids`` (name -> pid) while ``load()`` runs (wrk for ``seconds``): the gateway's
    graph at ``svg``, another process's beside it (``gateway-get-after.personnel.svg``)."""
    svg.parent.mkdir(parents=True, exist_ok=True)
    spies = []
    for name, pid in pids.items():
        out = svg if name == "gateway" else svg.with_suffix(f".{name}.svg")
        command = [BIN / "py-spy", "record", "--nonblocking", "--format", "flamegraph", "--pid", str(pid)]
        command += ["-o", str(out), "-d", str(seconds + 1)]
        spies.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    time.sleep(1)
    load()
    for spy in spies:
        if spy.wait(timeout=60) != 0:
            print(f"py-spy failed: {spy.stderr.read().decode()[-500:]}", file=sys.stderr)


def verdicts(results: dict[str, Result]) -> list[tuple[str, bool, str]]:
    floor = results["floor"]
    checks = []
    for path, bar in GOALS.items():
        ratio = results[path].rps / floor.rps
        checks.append((f"{path} req/s >= {bar:.1f}x floor", ratio >= bar, f"{ratio:.2f}x"))
        p99 = results[path].p99_ms / floor.p99_ms
        checks.append((f"{path} p99 <= {P99_BAR}x floor p99", p99 <= P99_BAR, f"{p99:.2f}x"))
    return checks


LABELS = {
    "floor": "floor: bare nameko @http -> echo RPC",
    "echo": "gateway -> personnel echo",
    "get": "gateway -> GET one officer",
    "patch": "gateway -> PATCH one officer",
}


def bind_subscriber(amqp: str) -> None:
    """A queue bound to personnel's events, as the services that consume them have: the PATCHes' events are routed
    (an event nobody is bound to would come back to the relay and be tried again in the background). It keeps the
    latest 100, dropping older ones."""
    from kombu import Connection, Exchange, Queue

    with Connection(amqp) as conn:
        exchange = Exchange("personnel.events", type="topic", durable=True)
        arguments = {"x-max-length": 100}
        Queue("bench-personnel-events", exchange, routing_key="#", queue_arguments=arguments)(
            conn.default_channel
        ).declare()


def prepare(web: int) -> tuple[str, str]:
    """The seeded admin's token (its password changed first, as it must be) and a new officer's id."""
    login = request(web, "POST", "/api/v1/auth/login", {"username": "admin", "password": "change-me-now"})
    token = login["token"]
    if login.get("must_change_password"):
        change = {"current_password": "change-me-now", "new_password": PASSWORD}
        request(web, "POST", "/api/v1/auth/password", change, token)
    officer = {
        "agency_code": "140928-scjgj",
        "name": "压测",
        "id_number": "11010519491231002X",
        "domains": ["market_supervision"],
    }
    return token, request(web, "POST", "/api/v1/officers", officer, token)["officer_id"]


def main() -> None:
    # Over 50 lines: start every process, prepare, measure the paths round after round, profile; one run in order.
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="the suite on fresh PostgreSQL databases")
    parser.add_argument("--seconds", type=int, default=DEFAULT_SECONDS)
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--connections", type=int, default=DEFAULT_CONNECTIONS)
    parser.add_argument("--json", type=Path, help="write the numbers here")
    parser.add_argument("--profile", choices=("before", "after"), help="flame graphs gateway-<path>-<this>.svg")
    args = parser.parse_args()
    web, gw_ops, p_ops = free_port(), free_port(), free_port()
    run = {"load_before": os.getloadavg(), "database": "postgresql" if args.postgres else "sqlite"}
    results: dict[str, Result] = {}
    procs: list[subprocess.Popen] = []
    n = args.connections
    with (
        own_vhost() as vhost,
        tempfile.TemporaryDirectory() as tmp,
        databases(args.postgres, Path(tmp), ("personnel", "gateway")) as urls,
    ):
        workdir, amqp = Path(tmp), f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
        try:
            floor_procs, floor_port = start_floor(workdir, vhost)
            procs += floor_procs
            personnel_env = {"OPS_PORT": str(p_ops), "DATABASE_URL": urls["personnel"], "AMQP_URI": amqp}
            personnel = start("personnel", workdir, personnel_env)
            procs.append(personnel)
            gateway_env = {"OPS_PORT": str(gw_ops), "WEB_SERVER_ADDRESS": f"127.0.0.1:{web}", "AMQP_URI": amqp}
            gateway = start("gateway", workdir, {**gateway_env, "DATABASE_URL": urls["gateway"]})
            procs.append(gateway)
            for port, path in ((p_ops, "/health/ready"), (gw_ops, "/health/ready"), (floor_port, "/echo")):
                wait_ready(port, path=path)
            bind_subscriber(amqp)
            token, officer_id = prepare(web)
            auth = {"Authorization": f"Bearer {token}"}
            echo, officer = (
                f"http://127.0.0.1:{web}/api/v1/personnel/echo",
                f"http://127.0.0.1:{web}/api/v1/officers/{officer_id}",
            )
            print(
                f"measuring: {args.connections} connections, {args.seconds} s x {args.rounds} rounds per path",
                flush=True,
            )
            loads = {  # one wrk run of each path for ``seconds``
                "floor": lambda seconds: run_once(
                    f"http://127.0.0.1:{floor_port}/echo", connections=n, seconds=seconds
                ),
                "echo": lambda seconds: run_once(echo, headers=auth, connections=n, seconds=seconds),
                "get": lambda seconds: run_once(officer, headers=auth, connections=n, seconds=seconds),
                "patch": lambda seconds: run_script(officer, patch_script(token), connections=n, seconds=seconds),
            }
            rounds = {path: [] for path in loads}
            patch_rows = 0
            outbox = Outbox(urls["personnel"])
            for load in loads.values():  # warm-up
                load(2)
                outbox.settle()
            # round after round, each path in turn: a change in the machine's load touches every path alike
            for _ in range(args.rounds):
                for path, load in loads.items():
                    before = outbox.rows()
                    rounds[path].append(load(args.seconds))
                    if path == "patch":
                        patch_rows += outbox.rows() - before
                        outbox.settle()  # the events relayed before the next round
            results.update({path: medians(measured) for path, measured in rounds.items()})
            # each round's req/s as a ratio to the floor's of the same round: how much the machine moved them
            run["round_ratios"] = {
                path: [round(r.rps / f.rps, 2) for r, f in zip(measured, rounds["floor"], strict=True)]
                for path, measured in rounds.items()
                if path != "floor"
            }
            run["patch_outbox_rows"] = patch_rows
            run["load_after"] = os.getloadavg()
            if args.profile:  # apart from the measured rounds, so sampling does not slow them
                pids = {"gateway": gateway.pid, "personnel": personnel.pid}
                for path in ("echo", "get", "patch"):
                    svg = RESULTS / f"gateway-{path}-{args.profile}.svg"
                    profile(pids, svg, lambda path=path: loads[path](args.seconds), args.seconds)
                    outbox.settle()
            outbox.close()
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
    sys.exit(0 if report(args, results, run) else 1)


def report(args, results: dict[str, Result], run: dict) -> bool:
    floor = results["floor"]
    print(
        f"{os.cpu_count()} cores, {run['database']}; load average {run['load_before'][0]:.1f} before, "
        f"{run['load_after'][0]:.1f} after (1 min)"
    )
    print(f"{'path':<40}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>7}{'errors':>8}")
    for path, r in results.items():
        print(f"{LABELS[path]:<40}{r.rps:>9.1f}{r.p50_ms:>9.1f}{r.p99_ms:>9.1f}{r.rps / floor.rps:>7.2f}{r.errors:>8}")
    ratios = "; ".join(
        f"{path} {', '.join(f'{x:.2f}' for x in values)}" for path, values in run["round_ratios"].items()
    )
    print(f"each round's ratio to the floor's same round: {ratios}")
    patch, rows = results["patch"].requests, run["patch_outbox_rows"]
    print(f"PATCH: {patch} answered in the rounds; {rows} officer.updated outbox rows written by them")
    ok = True
    for goal, passed, value in verdicts(results):
        ok = ok and passed
        print(f"{'PASS' if passed else 'FAIL'}  {goal}: {value}")
    errors = sum(r.errors for r in results.values())
    if errors:
        ok = False
        print(f"FAIL  {errors} requests answered an error or failed")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "cores": os.cpu_count(),
            **run,
            "connections": args.connections,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "paths": {path: {**r.as_dict(), "ratio": round(r.rps / floor.rps, 3)} for path, r in results.items()},
            "goals": [{"goal": g, "pass": p, "value": v} for g, p, v in verdicts(results)],
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n")
    return ok


if __name__ == "__main__":
    main()
