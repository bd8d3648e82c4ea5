"""Services run as operators run them (``enforcement-migrate``, ``-seed``, ``enforcement-run`` in a subprocess): for
end-to-end tests and fault tests (kill, restart, crash between commit and publish)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .common import BIN_DIR, REPO_ROOT, RUN_DATE, MetricsReader, free_port, http_get


class ServiceProcess(MetricsReader):
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

    def start(self, wait: bool = True) -> ServiceProcess:
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
            # the cases service's document files: the test's own directory, kept across its restarts
            extra_env={"CASES_STORAGE_DIR": str(tmp_path / "cases-documents"), **(extra_env or {})},
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
