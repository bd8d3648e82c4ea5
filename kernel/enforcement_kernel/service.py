"""The base every service class extends, and the plugin descriptor a service package registers.

A service package declares one entry point in the group ``enforcement.services``::

    [project.entry-points."enforcement.services"]
    personnel = "personnel_service.plugin:PLUGIN"

and the runner, the migrator and the seeder find it there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from importlib.metadata import entry_points

from nameko.extensions import DependencyProvider

from . import clock
from .config import setting
from .db import Database
from .handlers import DeadLetterMonitor
from .instrumentation import Instrumentation
from .ops import OpsServer
from .outbox import OutboxRelay
from .rpc import rpc

ENTRY_POINT_GROUP = "enforcement.services"


class ServiceBase:
    """Plumbing every service has: its database, the outbox relay, metrics, health and logs."""

    db = Database()
    outbox = OutboxRelay()
    instrumentation = Instrumentation()
    ops = OpsServer()
    dead_letters = DeadLetterMonitor()

    @staticmethod
    def today() -> date:
        """The county's date (one clock for every deadline; the host may run in UTC)."""
        return clock.today()

    def _write(self, fn, *args):
        """Run ``fn(tx, *args)`` in one transaction: its changes and the events it emits commit together."""
        with self.db.transaction() as tx:
            return fn(tx, *args)

    def _read(self, fn, *args):
        """Run ``fn(session, *args)`` on a read-only session."""
        with self.db.read() as session:
            return fn(session, *args)

    @rpc
    def echo(self, payload=None):
        """A trivial call: the benchmark's baseline and a liveness check over the broker."""
        return payload

    @rpc
    def replay_events(self, queue, event_types, since, until=None):
        """Re-deliver this service's sent events of ``event_types`` created in [since, until) to ``queue`` only,
        with their original ids; returns how many were sent (``enforcement-replay`` calls this)."""
        from . import replay

        relay = self.outbox
        request = replay.parse_request(relay.service, queue, event_types, since, until)
        batch = int(setting(relay.container.config, "OUTBOX.replay_batch", 500))
        return replay.replay(relay.database.sessionmaker, relay.container.config["AMQP_URI"], request, batch)


@dataclass(frozen=True)
class ServicePlugin:
    """What a service package tells the kernel about itself."""

    name: str
    service_class: str  # "module:Class"
    config_path: str  # the packaged default config.yml
    migrations: str | None = None  # folder of the Alembic scripts
    metadata: str | None = None  # "module:metadata" of the service's tables
    seed: Callable | None = None  # seed(config) -> summary string
    extra: dict = field(default_factory=dict)

    def load_class(self):
        module, _, attr = self.service_class.partition(":")
        return getattr(import_module(module), attr)


def installed_plugins() -> dict[str, ServicePlugin]:
    """Every service package installed in this environment, by name."""
    return {ep.name: ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP)}


class Configured(DependencyProvider):
    """A value built once per container from its config, e.g. ``settings = Configured(Settings.from_config)``.

    ``factory(config)`` runs at container setup, so a bad setting stops the service before it takes work;
    every worker then gets the same object.
    """

    def __init__(self, factory: Callable[[dict], object]):
        self.factory = factory

    def setup(self):
        self.value = self.factory(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.value
