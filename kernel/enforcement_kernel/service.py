"""The base every service class extends, and the plugin descriptor a service package registers.

A service package declares one entry point in the group ``enforcement.services``::

    [project.entry-points."enforcement.services"]
    personnel = "personnel_service.plugin:PLUGIN"

and the runner, the migrator and the seeder find it there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from importlib.metadata import entry_points
from typing import Callable

from .db import Database
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

    @rpc
    def echo(self, payload=None):
        """A trivial call: the benchmark's baseline and a liveness check over the broker."""
        return payload


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
