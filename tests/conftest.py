"""The test harness shared by every test: real broker, real databases, real service processes.

Unit tests use none of the fixtures below that touch RabbitMQ or PostgreSQL; those fixtures are
created lazily, the first time a test asks for them, so ``pytest tests/unit`` runs with neither.
Integration and end-to-end tests never mock the broker or a database and never skip when one is
missing: they fail with a message saying what to start (``scripts/brokers --postgres``).
"""

# nameko's pytest plugin no longer monkey-patches (since 2.14): do it before anything imports
# kombu, nameko, psycopg2 or the socket module's users. eventlet warns about its own deprecation at
# import; nobody here can act on that (the same filter as enforcement_kernel.cli.quiet_library_warnings).
import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
warnings.filterwarnings("ignore", message=r"pkg_resources is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
import uuid  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

# Registers the typed wire errors (ValidationFailed, NotFound, Conflict, Forbidden ...) with nameko,
# so a standalone proxy in the test process rebuilds them instead of raising RemoteError.
import enforcement_kernel.rpc  # noqa: E402,F401

# Test modules import the helpers below as ``enforcement_testing`` (``import conftest`` is ambiguous
# once tests/e2e has a conftest.py of its own).
sys.modules.setdefault("enforcement_testing", sys.modules[__name__])

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN_DIR = Path(sys.executable).parent  # .venv/bin: the console scripts live next to the interpreter

BROKER_HOST, BROKER_PORT = "127.0.0.1", 5672
POSTGRES_ADMIN_URLS = ("postgresql://postgres@127.0.0.1:5432/postgres", "postgresql://root@127.0.0.1:5432/postgres")
START_HINT = "start it with `scripts/brokers --postgres` (or run `scripts/test`)"

#: The justice bureau: sees and changes every agency's records.
BUREAU = {"username": "tester", "role": "bureau"}

WUZHAI_DIVISION = "140928"


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


# --------------------------------------------------------------------------------------------
# RabbitMQ: one fresh vhost per test run
# --------------------------------------------------------------------------------------------
def _rabbitmqctl(*args: str) -> str:
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


def _require_port(host: str, port: int, what: str) -> None:
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
    _require_port(BROKER_HOST, BROKER_PORT, "RabbitMQ")
    vhost = f"enf-test-{uuid.uuid4().hex[:10]}"
    _rabbitmqctl("add_vhost", vhost)
    try:
        _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield f"amqp://guest:guest@{BROKER_HOST}:{BROKER_PORT}/{vhost}"
    finally:
        _rabbitmqctl("delete_vhost", vhost)


# --------------------------------------------------------------------------------------------
# Databases: SQLite files and fresh PostgreSQL databases
# --------------------------------------------------------------------------------------------
def _postgres_admin():
    """An autocommit psycopg2 connection to the ``postgres`` database (user postgres, else root)."""
    import psycopg2

    errors = []
    for url in POSTGRES_ADMIN_URLS:
        try:
            conn = psycopg2.connect(url, connect_timeout=5)
        except psycopg2.OperationalError as exc:
            errors.append(f"{url}: {str(exc).strip()}")
            continue
        conn.autocommit = True
        return conn, url
    pytest.fail(
        "cannot connect to PostgreSQL on 127.0.0.1:5432 as postgres or root:\n  "
        + "\n  ".join(errors)
        + f"\n{START_HINT}",
        pytrace=False,
    )


@contextmanager
def fresh_postgres_database():
    """Create ``enf_test_<hex>``; yield its SQLAlchemy URL; drop it (after ending its connections)."""
    _require_port("127.0.0.1", 5432, "PostgreSQL")
    name = f"enf_test_{uuid.uuid4().hex[:12]}"
    conn, admin_url = _postgres_admin()
    try:
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    try:
        # SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3; the suite runs psycopg2 (eventlet greens it)
        yield admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg2://", 1) + f"/{name}"
    finally:
        conn, _ = _postgres_admin()
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                )
                cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        finally:
            conn.close()


@pytest.fixture(params=["sqlite", "postgresql"], ids=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database for one test, on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'service.db'}"
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'service.db'}"


@contextmanager
def db_connection(url: str):
    """A plain SQLAlchemy connection to a service's database (the test reads tables directly)."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def db_rows(url: str, sql: str, **params) -> list[dict]:
    from sqlalchemy import text

    with db_connection(url) as conn:
        return [dict(row._mapping) for row in conn.execute(text(sql), params)]


def db_count(url: str, table: str, where: str = "", **params) -> int:
    from sqlalchemy import text

    with db_connection(url) as conn:
        return conn.execute(
            text(f"SELECT COUNT(*) FROM {table}" + (f" WHERE {where}" if where else "")), params
        ).scalar_one()


def db_counts(url: str, *tables: str) -> dict:
    return {table: db_count(url, table) for table in tables}


# --------------------------------------------------------------------------------------------
# Service processes: migrate, seed, run; health, metrics, stop, kill, restart
# --------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


# Every service a test starts counts its days from the date the run began, the date the tests' own TODAY is: a run
# that crosses midnight (the suite takes half an hour) must not see the services move to the next day under it, nor
# the county's clock (UTC+8) differ from this machine's. A test may pass its own CLOCK_TODAY in extra_env.
RUN_DATE = date.today()


class ServiceProcess:
    """One service run as operators run it: ``enforcement-migrate``, ``-seed``, then ``enforcement-run``.

    ``env`` is the child's environment; change it between ``stop()``/``kill()`` and ``start()`` to
    restart with other settings (e.g. drop ``CONFIG``). The ops port stays the same across restarts.
    """

    READY_TIMEOUT = 30.0

    def __init__(
        self,
        name: str,
        database_url: str,
        amqp_uri: str,
        log_path: Path,
        extra_env: dict | None = None,
        log_level: str = "INFO",
    ):
        self.name = name
        self.database_url = database_url
        self.amqp_uri = amqp_uri
        self.log_path = log_path
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "CONFIG"}
        env.update(
            {
                "AMQP_URI": amqp_uri,
                "DATABASE_URL": database_url,
                "OPS_PORT": str(self.port),
                "LOG_LEVEL": log_level,
                "PYTHONUNBUFFERED": "1",
                "CLOCK_TODAY": RUN_DATE.isoformat(),
            }
        )
        env.update(extra_env or {})
        self.env = env
        self.proc: subprocess.Popen | None = None
        self._log_file = None

    # --- life cycle ---------------------------------------------------------------------------
    @property
    def ops_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _tool(self, tool: str) -> str:
        path = BIN_DIR / tool
        if not path.exists():
            pytest.fail(f"{path} not found: install the packages into the virtualenv (scripts/setup)", pytrace=False)
        return str(path)

    def prepare(self) -> None:
        """Apply the migrations and load the seed data (both one-shot commands, safe to repeat)."""
        for tool in ("enforcement-migrate", "enforcement-seed"):
            done = subprocess.run(
                [self._tool(tool), self.name], env=self.env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
            )
            with open(self.log_path, "a", encoding="utf-8") as log:
                log.write(f"--- {tool} {self.name} (exit {done.returncode})\n{done.stdout}{done.stderr}")
            if done.returncode != 0:
                pytest.fail(
                    f"{tool} {self.name} failed with exit code {done.returncode}:\n"
                    f"{done.stdout}\n{done.stderr[-4000:]}",
                    pytrace=False,
                )

    def start(self, wait: bool = True) -> "ServiceProcess":
        if self.running:
            raise RuntimeError(f"{self.name} is already running (pid {self.proc.pid})")
        self._log_file = open(self.log_path, "ab")
        self._log_file.write(f"--- enforcement-run {self.name}\n".encode())
        self._log_file.flush()
        self.proc = subprocess.Popen(
            [self._tool("enforcement-run"), self.name],
            env=self.env,
            cwd=REPO_ROOT,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        if wait:
            self.wait_ready()
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM (nameko stops gracefully: running workers finish), then wait; SIGKILL if it hangs."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                self._close_log()
                pytest.fail(
                    f"{self.name} did not stop within {timeout:g}s of SIGTERM; log tail:\n{self.log_tail()}",
                    pytrace=False,
                )
        self._close_log()
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL: a crash, nothing runs on the way down."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._close_log()

    # --- probes -------------------------------------------------------------------------------
    def health(self, probe: str = "ready") -> tuple[int, dict]:
        status, body = http_get(f"{self.ops_url}/health/{probe}")
        try:
            return status, json.loads(body)
        except ValueError:
            return status, {"raw": body}

    def wait_ready(self, timeout: float | None = None) -> None:
        """Until /health/ready answers 200 and the service answers ``echo`` over RPC (its consumers are up)."""
        deadline = time.monotonic() + (timeout or self.READY_TIMEOUT)
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"{self.name} exited with code {self.proc.returncode} while starting; log tail:\n{self.log_tail()}",
                    pytrace=False,
                )
            try:
                status, body = self.health("ready")
                last = f"{status} {body}"
                if status == 200:
                    break
            except OSError as exc:
                last = f"{type(exc).__name__}: {exc}"
            time.sleep(0.2)
        else:
            pytest.fail(
                f"{self.name} not ready within {timeout or self.READY_TIMEOUT:g}s (last /health/ready: {last}); "
                f"log tail:\n{self.log_tail()}",
                pytrace=False,
            )
        self._wait_rpc(deadline)

    def _wait_rpc(self, deadline: float) -> None:
        from nameko.exceptions import RpcTimeout, UnknownService
        from nameko.standalone.rpc import ClusterRpcProxy

        last = None
        with ClusterRpcProxy({"AMQP_URI": self.amqp_uri}, timeout=2) as cluster:
            while time.monotonic() < deadline:
                try:
                    if getattr(cluster, self.name).echo("ping") == "ping":
                        return
                except (UnknownService, RpcTimeout) as exc:
                    last = exc
                time.sleep(0.2)
        pytest.fail(
            f"{self.name} answered /health/ready but not RPC echo ({last!r}); log tail:\n{self.log_tail()}",
            pytrace=False,
        )

    def metrics_text(self) -> str:
        status, body = http_get(f"{self.ops_url}/metrics")
        assert status == 200, f"/metrics answered {status}: {body[:500]}"
        return body

    def metric(self, name: str, **labels) -> float:
        return metric_value(self.metrics_text(), name, **labels)

    def wait_metric(self, name: str, expected: float, timeout: float = 15.0, **labels) -> float:
        """Poll /metrics until the sample reaches ``expected`` (bounded); returns the value seen."""
        deadline = time.monotonic() + timeout
        value = self.metric(name, **labels)
        while value < expected and time.monotonic() < deadline:
            time.sleep(0.1)
            value = self.metric(name, **labels)
        return value

    def log_text(self) -> str:
        if self._log_file is not None:
            self._log_file.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


@pytest.fixture
def start_service(tmp_path):
    """``start_service(name, database_url, amqp_uri, extra_env=None)`` -> a ready ``ServiceProcess``.

    Whatever is still running at the end of the test is stopped (SIGTERM, then SIGKILL after 20 s).
    """
    started: list[ServiceProcess] = []

    def start(
        name: str,
        database_url: str,
        amqp_uri: str,
        extra_env: dict | None = None,
        log_level: str = "INFO",
        wait: bool = True,
    ) -> ServiceProcess:
        service = ServiceProcess(
            name,
            database_url,
            amqp_uri,
            tmp_path / f"{name}-{len(started) + 1}.log",
            extra_env=extra_env,
            log_level=log_level,
        )
        started.append(service)
        service.prepare()
        return service.start(wait=wait)

    yield start
    # A graceful stop lets nameko acknowledge what it answered; a SIGKILL here could leave an
    # answered RPC request unacknowledged, and the broker would hand it to the next test's service.
    for service in started:
        if service.running:
            service.proc.send_signal(signal.SIGTERM)
    for service in started:
        if service.running:
            try:
                service.proc.wait(20)
            except subprocess.TimeoutExpired:
                pass
        service.kill()


# --------------------------------------------------------------------------------------------
# RPC from outside (as the gateway calls)
# --------------------------------------------------------------------------------------------
@pytest.fixture
def rpc_factory(amqp_uri):
    """``with rpc_factory(timeout=2) as cluster: cluster.personnel.echo()`` (nameko standalone proxy)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    def make(timeout: float = 10):
        return ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=timeout)

    return make


@pytest.fixture
def rpc(rpc_factory):
    """A started standalone ``ClusterRpcProxy`` (timeout 10 s): ``rpc.personnel.register_officer(...)``."""
    proxy = rpc_factory(timeout=10)
    cluster = proxy.start()
    try:
        yield cluster
    finally:
        proxy.stop()


# --------------------------------------------------------------------------------------------
# Events seen from outside (plain kombu, as any subscriber would)
# --------------------------------------------------------------------------------------------
class EventCollector:
    """A private queue bound to ``<source>.events`` for some routing keys; bind it BEFORE the actions."""

    def __init__(self, amqp_uri: str, source: str, routing_keys):
        from kombu import Connection, Exchange, Queue

        if not routing_keys:
            raise ValueError("name at least one routing key (e.g. 'officer.registered' or '#')")
        self.source = source
        self.exchange_name = f"{source}.events"
        self.connection = Connection(amqp_uri, connect_timeout=5)
        self.channel = self.connection.channel()
        exchange = Exchange(self.exchange_name, type="topic", durable=True)
        exchange(self.channel).declare()
        self.queue_name = f"test-collector-{source}-{uuid.uuid4().hex[:10]}"
        self.queue = Queue(
            self.queue_name,
            exchange=exchange,
            routing_key=routing_keys[0],
            durable=False,
            auto_delete=True,
            exclusive=True,
        )(self.channel)
        self.queue.declare()
        for key in routing_keys[1:]:
            self.queue.bind_to(exchange=self.exchange_name, routing_key=key)
        self.received: list[dict] = []
        self.messages = []  # the kombu messages (headers, properties such as message_id)

    def _poll(self) -> bool:
        message = self.queue.get(no_ack=True, accept=["json"])
        if message is None:
            return False
        body = message.body
        self.received.append(json.loads(body.decode() if isinstance(body, bytes) else body))
        self.messages.append(message)
        return True

    def wait_for(self, n: int, timeout: float = 15.0) -> list[dict]:
        """Every envelope received so far once there are at least ``n``; fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.received) < n:
            if not self._poll():
                if time.monotonic() > deadline:
                    types = [e.get("type") for e in self.received]
                    raise AssertionError(
                        f"expected {n} events on {self.exchange_name}, got {len(self.received)} "
                        f"within {timeout:g}s: {types}"
                    )
                time.sleep(0.05)
        return list(self.received)

    def collect_for(self, seconds: float) -> list[dict]:
        """Everything received after waiting ``seconds`` more (to show that nothing else arrives)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self._poll():
                time.sleep(0.05)
        while self._poll():
            pass
        return list(self.received)

    def of_type(self, event_type: str) -> list[dict]:
        return [e for e in self.received if e.get("type") == event_type]

    def close(self) -> None:
        try:
            self.connection.release()
        except Exception:  # the broker or vhost may be gone already
            pass


@pytest.fixture
def collect_events(amqp_uri):
    """``collect_events("personnel", "officer.registered", ...)`` -> an ``EventCollector`` bound now."""
    collectors: list[EventCollector] = []

    def collect(source: str, *routing_keys: str) -> EventCollector:
        collector = EventCollector(amqp_uri, source, routing_keys)
        collectors.append(collector)
        return collector

    yield collect
    for collector in collectors:
        collector.close()


def publish_raw(amqp_uri: str, exchange_name: str, routing_key: str, body, message_id: str | None = None) -> None:
    """Publish a JSON body with publisher confirms; fails if no queue is bound for the routing key."""
    from amqp.exceptions import ChannelError
    from kombu import Connection, Exchange, Producer

    exchange = Exchange(exchange_name, type="topic", durable=True)
    with Connection(amqp_uri, connect_timeout=5, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        exchange(channel).declare()
        try:
            Producer(channel).publish(
                body,
                exchange=exchange,
                routing_key=routing_key,
                serializer="json",
                delivery_mode=2,
                mandatory=True,
                message_id=message_id,
            )
        except ChannelError as exc:
            raise AssertionError(
                f"{exchange_name}/{routing_key} was not routed to any queue ({exc}): is the consuming service running?"
            ) from None


def publish_event(amqp_uri: str, event_type, data: dict, event_id: str | None = None):
    """Publish ``data`` as an ``event_type`` event (e.g. ``training.HOURS_UPDATED``), as its source would.

    Returns the ``Envelope``; publish it again with the same ``event_id`` to redeliver it.
    """
    from enforcement_contracts.events import Envelope

    envelope = Envelope(
        type=event_type.type,
        source=event_type.source,
        data=event_type.dump(data),
        schemaversion=event_type.version,
        subject=data.get("officer_id"),
    )
    if event_id is not None:
        envelope.id = event_id
    publish_raw(amqp_uri, event_type.exchange, event_type.routing_key, envelope.to_dict(), message_id=envelope.id)
    return envelope


def drop_event_queues(amqp_uri: str, service: str) -> list[str]:
    """Delete the event queues ``service``'s consumers left in this run's vhost, and what piled up in them.

    Durable consumer queues outlive a test; while that service is not running they collect the events
    other tests publish (e.g. every officer the personnel tests register). Call this before starting the
    service when a test must see only its own events. Returns the queues deleted.
    """
    from kombu import Connection

    vhost = amqp_uri.rsplit("/", 1)[-1]
    names = [n.strip() for n in _rabbitmqctl("list_queues", "-p", vhost, "--no-table-headers", "name").splitlines()]
    mine = [n for n in names if n.startswith("evt-") and f"--{service}." in n and not n.endswith(".dlq")]
    with Connection(amqp_uri, connect_timeout=5) as conn:
        for name in mine:
            conn.default_channel.queue_delete(name)
    return mine


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
