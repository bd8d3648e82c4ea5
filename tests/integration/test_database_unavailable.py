"""A database that cannot serve now (out of connections, locked, the pool spent) is a 503 the caller may retry, not
a 500/502 with a traceback: the kernel's RPC entrypoints say ``unavailable``, and so does the gateway for its own
database (tokens, audit). A wrong statement stays a bug. Real PostgreSQL and SQLite, a real gateway process."""

from __future__ import annotations

import sqlite3
import uuid

import pytest
import requests
from enforcement_testing.common import free_port
from enforcement_testing.databases import _postgres_admin, fresh_postgres_database
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from enforcement_contracts.errors import Unavailable
from enforcement_kernel.db import database_unavailable
from enforcement_kernel.rpc import _with_database_refusals


@pytest.fixture
def limited_role():
    """A fresh database owned by a role of its own (so its connections can be cut off; as the owner it may create
    tables in its public schema): (URL, admin execute, role)."""
    role = f"enf_role_{uuid.uuid4().hex[:10]}"

    def admin(sql: str) -> None:
        conn, _ = _postgres_admin()
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    admin(f'CREATE ROLE "{role}" LOGIN')
    try:
        with fresh_postgres_database() as url:
            name = url.rsplit("/", 1)[1]
            admin(f'ALTER DATABASE "{name}" OWNER TO "{role}"')
            host = url.split("@", 1)[1]
            yield f"postgresql+psycopg2://{role}@{host}", admin, role
    finally:
        admin(f'DROP ROLE IF EXISTS "{role}"')


def _cut_off(admin, role: str) -> None:
    admin(f'ALTER ROLE "{role}" CONNECTION LIMIT 0')
    admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'")


def test_postgresql_out_of_connections_is_unavailable_and_a_wrong_statement_is_not(limited_role):
    url, admin, role = limited_role
    engine = create_engine(url)

    @_with_database_refusals
    def read(statement: str):
        with engine.connect() as conn:
            return conn.execute(text(statement)).scalar()

    assert read("SELECT 1") == 1
    with pytest.raises(ProgrammingError) as wrong:  # a bug: no such table, never hidden as a 503
        read("SELECT * FROM no_such_table")
    assert not database_unavailable(wrong.value)
    engine.dispose()
    _cut_off(admin, role)
    with pytest.raises(OperationalError) as refused:
        engine.connect()
    assert "too many connections" in str(refused.value.orig)
    assert database_unavailable(refused.value)
    with pytest.raises(Unavailable) as answered:
        read("SELECT 1")
    assert answered.value.status == 503 and answered.value.code == "unavailable"
    engine.dispose()


def test_sqlite_locked_and_a_spent_pool_are_unavailable(tmp_path):
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")  # holds the write lock
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    with pytest.raises(OperationalError) as locked, engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
    assert database_unavailable(locked.value)
    holder.execute("ROLLBACK")
    holder.close()

    small = create_engine(f"sqlite:///{path}", pool_size=1, max_overflow=0, pool_timeout=0.1)
    with small.connect(), pytest.raises(PoolTimeout) as spent:
        small.connect()
    assert database_unavailable(spent.value)
    assert not database_unavailable(ValueError("not a database error"))


def test_gateway_answers_503_when_its_own_database_is_gone(limited_role, start_service, amqp_uri):
    url, admin, role = limited_role
    web = free_port()
    gateway = start_service("gateway", url, amqp_uri, extra_env={"WEB_SERVER_ADDRESS": f"127.0.0.1:{web}"})
    me = f"http://127.0.0.1:{web}/api/v1/auth/me"
    headers = {"Authorization": "Bearer not-a-token-anyone-has"}
    assert requests.get(me, headers=headers, timeout=10).status_code == 401  # the token read works
    _cut_off(admin, role)
    answer = requests.get(me, headers=headers, timeout=30)
    assert answer.status_code == 503, answer.text
    body = answer.json()
    assert body["error"] == "unavailable"
    assert "Traceback" not in answer.text and answer.headers["Retry-After"] == "5"
    admin(f'ALTER ROLE "{role}" CONNECTION LIMIT -1')
    assert requests.get(me, headers=headers, timeout=10).status_code == 401  # back once it can connect again
    assert "Traceback" not in gateway.log_text()
