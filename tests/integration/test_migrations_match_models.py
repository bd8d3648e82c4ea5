"""Every installed service's Alembic migrations build exactly the schema its models (and the kernel's tables)
declare, on SQLite and PostgreSQL: a model changed without a migration, or a migration that drifted, fails here."""

from __future__ import annotations

from importlib import import_module

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from enforcement_kernel.db import kernel_metadata
from enforcement_kernel.migrations import upgrade
from enforcement_kernel.service import installed_plugins

PLUGINS = {name: plugin for name, plugin in sorted(installed_plugins().items()) if plugin.migrations}


def service_metadata(plugin):
    module, _, attr = plugin.metadata.partition(":")
    target = getattr(import_module(module), attr)
    return getattr(target, "metadata", target)


@pytest.mark.parametrize("name", sorted(PLUGINS))
def test_migrated_database_matches_the_models(name, database_url):
    plugin = PLUGINS[name]
    metadata = service_metadata(plugin)
    upgrade(plugin.migrations, database_url)
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, [metadata, kernel_metadata])
    finally:
        engine.dispose()
    assert differences == [], f"{name}: models and migrations differ: {differences}"


def test_every_suite_service_is_checked():
    assert {"personnel", "training", "cases", "supervision", "gateway"} <= set(PLUGINS)
