"""Alembic glue: a service's ``migrations/env.py`` is two lines calling ``run_migrations``."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from .db import kernel_metadata, make_engine


def alembic_config(script_location: str, database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", script_location)
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(script_location: str, database_url: str, revision: str = "head") -> None:
    if database_url.startswith("sqlite:///"):
        Path(database_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(script_location, database_url), revision)


def revision(script_location: str, database_url: str, message: str) -> None:
    """Autogenerate a new revision from the difference between the models and the database."""
    command.revision(alembic_config(script_location, database_url), message=message, autogenerate=True)


def run_migrations(service_metadata) -> None:
    """Body of every service's env.py: migrate the service's tables and the kernel's (outbox, processed events)."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    target = [service_metadata, kernel_metadata]
    engine = make_engine(url, pool_size=1)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target,
                          render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
