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
        Path(database_url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(script_location, database_url), revision)


def revision(script_location: str, database_url: str, message: str) -> None:
    """Autogenerate a new revision from the difference between the models and the database."""
    command.revision(alembic_config(script_location, database_url), message=message, autogenerate=True)


def create_kernel_tables_v1() -> None:
    """The kernel's tables (outbox, processed events), schema version 1: called from a service's initial revision.

    Frozen once released, like any migration: a later change to the kernel's tables comes as a new function
    (``..._v2``) that each service calls from a new revision of its own.
    """
    import sqlalchemy as sa
    from alembic import op

    op.create_table(
        "outbox_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=120), nullable=False),
        sa.Column("exchange", sa.String(length=120), nullable=False),
        sa.Column("routing_key", sa.String(length=120), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_outbox_type_created", "outbox_events", ["event_type", "created_at"], unique=False)
    op.create_index("ix_outbox_unsent", "outbox_events", ["status", "next_attempt_at"], unique=False)
    op.create_table(
        "processed_events",
        sa.Column("handler", sa.String(length=160), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("handler", "event_id"),
    )


def drop_kernel_tables_v1() -> None:
    from alembic import op

    op.drop_table("processed_events")
    op.drop_index("ix_outbox_unsent", table_name="outbox_events")
    op.drop_index("ix_outbox_type_created", table_name="outbox_events")
    op.drop_table("outbox_events")


def run_migrations(service_metadata) -> None:
    """Body of every service's env.py: migrate the service's tables and the kernel's (outbox, processed events)."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    target = [service_metadata, kernel_metadata]
    engine = make_engine(url, pool_size=1)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
