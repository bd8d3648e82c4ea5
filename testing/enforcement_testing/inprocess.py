"""A service in the test process, with nameko's own testing tools: fast interface tests of its entrypoints.

``run_service("personnel")`` migrates and seeds a fresh database (SQLite by default: a copy of one migrated per test
session; PostgreSQL when given a ``database_url``), starts the real service class in a nameko container on this
run's vhost and returns an ``InProcessService``: ``svc.call("register_officer", BUREAU, payload)`` runs the entrypoint
through ``entrypoint_hook`` (a real worker with the real dependencies: database, outbox relay, metrics);
``svc.waiter("on_hours_updated")`` waits for an event handler with ``entrypoint_waiter``. Events go through the real
broker. Subprocess services (``start_service``) remain for end-to-end and fault tests.

Metrics are process-wide here: assert on the change a test makes, not on absolute values.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest

from .common import RUN_DATE, MetricsReader, free_port


class InProcessService(MetricsReader):
    """One service's container running in this process."""

    def __init__(self, name: str, container, database_url: str):
        self.name = name
        self.container = container
        self.database_url = database_url

    @property
    def config(self) -> dict:
        return self.container.config

    @property
    def ops_url(self) -> str:
        return f"http://127.0.0.1:{self.config['OPS_PORT']}"

    def call(self, method: str, *args, **kwargs):
        """Run entrypoint ``method`` as a worker would (errors raised as the service raises them)."""
        from nameko.testing.services import entrypoint_hook

        with entrypoint_hook(self.container, method) as hook:
            return hook(*args, **kwargs)

    def waiter(self, method: str, timeout: float = 15):
        """``with svc.waiter("on_x"): publish(...)``: until a worker of ``method`` has finished (nameko's waiter)."""
        from nameko.testing.services import entrypoint_waiter

        return entrypoint_waiter(self.container, method, timeout=timeout)

    def stop(self) -> None:
        if self.container.started:  # graceful: running workers finish, the relay stops
            self.container.stop()


def service_config(name: str, database_url: str, amqp_uri: str, settings: dict | None = None, today=None) -> dict:
    """The service's packaged config with this test's broker, database, a free ops port and the pinned date."""
    from enforcement_kernel.config import _deep_merge, load_config
    from enforcement_kernel.service import installed_plugins

    config = load_config(name, None, installed_plugins()[name].config_path)
    config = _deep_merge(config, copy.deepcopy(settings or {}))
    config.update({"AMQP_URI": amqp_uri, "DATABASE_URL": database_url, "OPS_PORT": free_port()})
    config["CLOCK"] = {**(config.get("CLOCK") or {}), "today": str(today or RUN_DATE)}
    return config


def prepare_database(name: str, config: dict) -> None:
    """What ``enforcement-migrate`` and ``enforcement-seed`` do, in process."""
    from enforcement_kernel.migrations import upgrade
    from enforcement_kernel.service import installed_plugins

    plugin = installed_plugins()[name]
    upgrade(plugin.migrations, config["DATABASE_URL"])
    if plugin.seed is not None:
        plugin.seed(config)


class _Templates:
    """One migrated and seeded SQLite file per service per test session; each test gets a copy."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: dict[str, Path] = {}

    def copy_to(self, name: str, config: dict, target: Path) -> None:
        if name not in self.files:
            path = self.folder / f"{name}.db"
            prepare_database(name, {**config, "DATABASE_URL": f"sqlite:///{path}"})
            self.files[name] = path
        shutil.copyfile(self.files[name], target)


@pytest.fixture(scope="session")
def _sqlite_templates(tmp_path_factory):
    return _Templates(tmp_path_factory.mktemp("migrated"))


@pytest.fixture
def run_service(amqp_uri, tmp_path, _sqlite_templates):
    """``run_service(name, database_url=None, settings=None, today=None, start=True)`` -> ``InProcessService``.

    ``settings`` is merged over the packaged config (e.g. ``{"PERSONNEL": {"cancel_certificate": False}}``);
    ``today`` pins the county's date (default: the run's date). Every container is stopped at the end.
    """
    from nameko.containers import ServiceContainer

    from enforcement_kernel import clock
    from enforcement_kernel.cli import install_county_time
    from enforcement_kernel.service import installed_plugins

    started: list[InProcessService] = []

    def run(name: str, database_url: str | None = None, settings: dict | None = None, today=None, start=True):
        url = database_url or f"sqlite:///{tmp_path / f'{name}-{len(started) + 1}.db'}"
        config = service_config(name, url, amqp_uri, settings, today)
        if database_url is None:
            _sqlite_templates.copy_to(name, config, Path(url.removeprefix("sqlite:///")))
        else:
            prepare_database(name, config)
        install_county_time(config)  # process-wide, as in a service process; undone below
        container = ServiceContainer(installed_plugins()[name].load_class(), config)
        service = InProcessService(name, container, url)
        started.append(service)
        if start:
            container.start()
        return service

    _poll_consumers_often()
    try:
        yield run
    finally:
        _stop_all(started)
        clock.configure(None, None)


def _stop_all(services: list[InProcessService]) -> None:
    """Stop every container at once (each stop waits on the broker: consumers cancelled, threads ended)."""
    import eventlet

    def stop(service: InProcessService) -> None:
        try:
            service.stop()
        except Exception:  # a test that killed its container already
            service.container.kill()

    for thread in [eventlet.spawn(stop, service) for service in services]:
        thread.wait()


def _poll_consumers_often() -> None:
    """A stopping consumer notices it should stop at its next poll, once a second by default (kombu's
    ``safety_interval``): a whole second per container and per reply listener for every test. Poll every 0.1 s in
    the test process instead; what the consumers do is unchanged."""
    from kombu.mixins import ConsumerMixin

    if getattr(ConsumerMixin.consume, "polls_often", False):
        return
    original = ConsumerMixin.consume

    def consume(self, limit=None, timeout=None, safety_interval=0.1, **kwargs):
        return original(self, limit=limit, timeout=timeout, safety_interval=safety_interval, **kwargs)

    consume.polls_often = True
    ConsumerMixin.consume = consume
