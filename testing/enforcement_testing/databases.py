"""Databases for tests: SQLite files and fresh PostgreSQL databases, and plain reads of a service's tables."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest

from .broker import require_port
from .common import START_HINT

POSTGRES_ADMIN_URLS = ("postgresql://postgres@127.0.0.1:5432/postgres", "postgresql://root@127.0.0.1:5432/postgres")


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
    require_port("127.0.0.1", 5432, "PostgreSQL")
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
                # FORCE ends the database's connections and drops it in one statement: a service process still
                # running (its pool reconnecting) cannot slip in between, as it could after pg_terminate_backend
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
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
