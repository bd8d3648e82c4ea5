"""``Tx.serialise``: a job two replicas run (a timer) runs one at a time on PostgreSQL, on the real database.

A second transaction asking for the same name cannot have it while the first is open, has it once the first ends
(commit or rollback), and another name is never in the way. (On SQLite it does nothing: one process per file.)
"""

from __future__ import annotations

from enforcement_testing import fresh_postgres_database
from sqlalchemy import text
from sqlalchemy.orm import Session

from enforcement_kernel.db import Tx, advisory_key, make_engine


def _other_may_take(engine, name: str) -> bool:
    """Whether another connection could take ``name`` now (without waiting)."""
    with engine.connect() as conn:
        with conn.begin():
            return conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": advisory_key(name)}).scalar()


def test_a_serialised_job_holds_its_name_until_its_transaction_ends():
    with fresh_postgres_database() as url:
        engine = make_engine(url, pool_size=3)
        try:
            _check_serialised(engine)
        finally:
            engine.dispose()


def _check_serialised(engine) -> None:
    with Session(engine) as session:
        Tx(session, "training").serialise("training.sync_directory")
        session.execute(text("SELECT 1"))  # the transaction is open and goes on
        assert _other_may_take(engine, "training.sync_directory") is False
        assert _other_may_take(engine, "personnel.announce_expired") is True
        session.commit()
    assert _other_may_take(engine, "training.sync_directory") is True

    with Session(engine) as session:
        Tx(session, "training").serialise("training.sync_directory")
        assert _other_may_take(engine, "training.sync_directory") is False
        session.rollback()  # a failed job lets the next one in too
    assert _other_may_take(engine, "training.sync_directory") is True


def test_the_lock_key_is_stable_and_distinct():
    assert advisory_key("training.sync_directory") == advisory_key("training.sync_directory")
    assert advisory_key("training.sync_directory") != advisory_key("training.sync_directorY")
    assert -(2**31) <= advisory_key("x") < 2**31
