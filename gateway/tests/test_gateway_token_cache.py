"""The gateway's per-request work kept small without weakening it (no broker): a valid token is remembered in process
for ``GATEWAY.token_cache_seconds`` and forgotten at once by every revocation in the process (logout, password change
and reset, disabling, role change, throttling), including one that commits while a request reads the token; audit
rows are group-committed, each request waiting for its own row to be stored, one refused row taking no other down."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import eventlet
import pytest
from gateway_support import NOW, SETTINGS, Db, Gateway
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import StaticPool

from enforcement_contracts.errors import Unauthorized
from enforcement_gateway import auth
from enforcement_gateway.models import AuditRecord, Base
from enforcement_gateway.routes.auth import ROUTES
from enforcement_gateway.service import AuditWriter

FIRST = "first-password-1"
CLIENT = "192.0.2.1"
ME = next(r for r in ROUTES if (r.method, r.path) == ("GET", "/auth/me"))
LOGOUT = next(r for r in ROUTES if (r.method, r.path) == ("POST", "/auth/logout"))


class CountingDb(Db):
    """The gateway's database, counting the reads and transactions opened on it (in a file when ``path`` is given:
    in-memory SQLite gives every green thread a database of its own)."""

    def __init__(self, path=None):
        super().__init__()
        if path is not None:
            self.engine = create_engine(f"sqlite:///{path}")
            Base.metadata.create_all(self.engine)
        self.reads = self.transactions = 0

    @contextmanager
    def read(self):
        self.reads += 1
        with super().read() as session:
            yield session

    @contextmanager
    def transaction(self):
        self.transactions += 1
        with super().transaction() as tx:
            yield tx


@pytest.fixture
def db():
    db = CountingDb()
    with db.transaction() as tx:
        auth.create_user(tx.session, {"username": "admin", "password": FIRST, "role": "bureau"}, SETTINGS)
        user = {"username": "scj-admin", "password": FIRST, "role": "agency_admin", "agency_code": "140928-scjgj"}
        auth.create_user(tx.session, user, SETTINGS, must_change_password=False)
    return db


def log_in(db, username="scj-admin") -> str:
    return auth.login(db, username, FIRST, CLIENT, SETTINGS, now=NOW)[1]


def test_a_valid_token_is_read_once_within_the_cache_time_and_every_time_with_0(db):
    token = log_in(db)
    cache = auth.TokenCache(seconds=60)
    reads = db.reads
    first = cache.authenticate(db, f"Bearer {token}", now=NOW)
    again = cache.authenticate(db, f"Bearer {token}", now=NOW)
    assert (first.username, first.role, first.agency_code) == ("scj-admin", "agency_admin", "140928-scjgj")
    assert again == first and db.reads == reads + 1
    assert auth.actor_of(again) == {
        "username": "scj-admin",
        "role": "agency_admin",
        "agency_code": "140928-scjgj",
        "officer_id": None,
    }
    off = auth.TokenCache(seconds=0)
    off.authenticate(db, f"Bearer {token}", now=NOW)
    off.authenticate(db, f"Bearer {token}", now=NOW)
    assert db.reads == reads + 3


def test_an_entry_never_outlives_its_token_nor_the_cache_time(db, monkeypatch):
    token = log_in(db)
    cache = auth.TokenCache(seconds=60)
    cache.authenticate(db, f"Bearer {token}", now=NOW)
    with pytest.raises(Unauthorized):
        cache.authenticate(db, f"Bearer {token}", now=NOW + SETTINGS.token_ttl)
    cache.authenticate(db, f"Bearer {token}", now=NOW)
    reads = db.reads
    later = auth.time.monotonic() + 61
    monkeypatch.setattr(auth.time, "monotonic", lambda: later)
    cache.authenticate(db, f"Bearer {token}", now=NOW)
    assert db.reads == reads + 1


class SlowDb(CountingDb):
    """Reads that take a while (another green thread runs meanwhile), as a database's do under load."""

    @contextmanager
    def read(self):
        eventlet.sleep(0.05)
        with super().read() as session:
            yield session


def test_requests_that_bring_one_token_at_once_read_it_once(tmp_path):
    db = SlowDb(tmp_path / "gateway.db")
    with db.transaction() as tx:
        auth.create_user(tx.session, {"username": "admin", "password": FIRST, "role": "bureau"}, SETTINGS)
    token = log_in(db, "admin")
    cache, reads = auth.TokenCache(seconds=60), db.reads
    pool = [eventlet.spawn(cache.authenticate, db, f"Bearer {token}", NOW) for _ in range(20)]
    assert {thread.wait().username for thread in pool} == {"admin"}
    assert db.reads == reads + 1
    refused = [eventlet.spawn(cache.authenticate, db, "Bearer not-a-token", NOW) for _ in range(3)]
    for thread in refused:  # a refusal is not shared as a success: each waiter reads and is refused
        with pytest.raises(Unauthorized):
            thread.wait()


def test_bad_tokens_are_refused_and_not_remembered(db):
    cache = auth.TokenCache(seconds=60)
    for _ in range(2):
        with pytest.raises(Unauthorized):
            cache.authenticate(db, "Bearer not-a-token", now=NOW)
    with pytest.raises(Unauthorized):
        cache.authenticate(db, "Basic abc", now=NOW)
    assert cache.authenticate(db, None, now=NOW) is None


def _logout(db, token):
    with db.transaction() as tx:
        auth.logout(tx.session, f"Bearer {token}")


def _change_password(db, token):  # the other token of the account is the one checked
    other = log_in(db)
    assert auth.change_password(db, "scj-admin", FIRST, "a-better-password", f"Bearer {other}", SETTINGS) is None


def _reset(db, token):
    with db.transaction() as tx:
        auth.reset_password(tx.session, "scj-admin", "a-new-long-password", SETTINGS)


def _disable(db, token):
    with db.transaction() as tx:
        auth.set_active(tx.session, "scj-admin", False, "admin")


def _change_role(db, token):
    with db.transaction() as tx:
        auth.change_scope(tx.session, "scj-admin", {"agency_code": "140928-gajt"}, "admin")


def _throttle(db, token):
    for _ in range(SETTINGS.account_throttle.after):
        with pytest.raises(Unauthorized):
            auth.login(db, "scj-admin", "wrong-password-1", CLIENT, SETTINGS, now=NOW)


@pytest.mark.parametrize("revoke", [_logout, _change_password, _reset, _disable, _change_role, _throttle])
def test_a_revocation_in_this_process_refuses_the_cached_token_at_once(db, revoke):
    token = log_in(db)
    cache = auth.TokenCache(seconds=3600)
    assert cache.authenticate(db, f"Bearer {token}", now=NOW).username == "scj-admin"
    revoke(db, token)
    with pytest.raises(Unauthorized):
        cache.authenticate(db, f"Bearer {token}", now=NOW)


def test_the_token_kept_by_a_password_change_is_read_again(db):
    token = log_in(db)
    with db.transaction() as tx:
        auth.reset_password(tx.session, "scj-admin", "a-new-long-password", SETTINGS)
    token = auth.login(db, "scj-admin", "a-new-long-password", CLIENT, SETTINGS, now=NOW)[1]
    cache = auth.TokenCache(seconds=3600)
    assert cache.authenticate(db, f"Bearer {token}", now=NOW).must_change_password is True
    change = auth.change_password(
        db, "scj-admin", "a-new-long-password", "a-better-password", f"Bearer {token}", SETTINGS
    )
    assert change is None
    assert cache.authenticate(db, f"Bearer {token}", now=NOW).must_change_password is False


class RacingDb(CountingDb):
    """A revocation commits while the cache reads the token (after the read, before the entry is stored)."""

    def __init__(self, revoke):
        super().__init__()
        self.revoke = revoke

    @contextmanager
    def read(self):
        with super().read() as session:
            yield session
        revoke, self.revoke = self.revoke, None
        if revoke is not None:
            revoke(self)


def test_a_revocation_committed_during_the_read_leaves_nothing_usable_cached():
    db = RacingDb(None)
    with db.transaction() as tx:
        auth.create_user(tx.session, {"username": "admin", "password": FIRST, "role": "bureau"}, SETTINGS)
    token = log_in(db, "admin")
    db.revoke = lambda racing: _logout(racing, token)
    cache = auth.TokenCache(seconds=3600)
    assert cache.authenticate(db, f"Bearer {token}", now=NOW).username == "admin"  # read before the logout
    with pytest.raises(Unauthorized):
        cache.authenticate(db, f"Bearer {token}", now=NOW)


def test_the_gateway_refuses_a_token_at_once_after_its_logout(db):
    gateway = Gateway(db)
    assert gateway.setup.tokens.seconds == 5  # GATEWAY.token_cache_seconds' default
    token = log_in(db)
    assert gateway.answer(ME, token).status_code == 200
    reads = db.reads
    assert gateway.answer(ME, token).status_code == 200
    assert db.reads == reads + 1  # the route's own read of the account, not the token's
    assert gateway.answer(LOGOUT, token).status_code == 200
    with pytest.raises(Unauthorized):
        gateway.answer(ME, token)
    assert Gateway(db, token_cache_seconds=0).setup.tokens.seconds == 0


# --- the audit's group commit -------------------------------------------------------------------------------------
def record(n: int, **changes) -> dict:
    row = {"at": NOW + timedelta(seconds=n), "username": f"user-{n}", "role": "bureau", "action": "PATCH /x"}
    return {
        **row,
        "target": None,
        "status": 200,
        "outcome": "ok",
        "client_ip": CLIENT,
        "correlation_id": str(n),
        **changes,
    }


def stored(db) -> list[str]:
    with db.read() as session:
        return list(session.execute(select(AuditRecord.correlation_id).order_by(AuditRecord.id)).scalars())


def test_concurrent_audit_rows_share_transactions_and_each_writer_waits_for_its_own(tmp_path):
    db = CountingDb(tmp_path / "gateway.db")
    writer = AuditWriter()
    seen_after_write = []

    def write(n):
        assert writer.write(db, record(n)) is None
        seen_after_write.append(str(n) in stored(db))  # stored before the request goes on

    pool = [eventlet.spawn(write, n) for n in range(20)]
    for thread in pool:
        thread.wait()
    assert sorted(stored(db), key=int) == [str(n) for n in range(20)]
    assert all(seen_after_write) and len(seen_after_write) == 20
    assert writer._sqlite is not None and db.transactions == 0  # a SQLite file: written from the thread pool
    with db.read() as session:  # as the ORM reads them (the date in SQLAlchemy's SQLite form)
        rows = {r.correlation_id: (r.at, r.username, r.status) for r in session.execute(select(AuditRecord)).scalars()}
    assert rows["7"] == (NOW + timedelta(seconds=7), "user-7", 200)
    assert rows["0"][0] < rows["19"][0]


def test_audit_rows_elsewhere_go_through_the_session_grouped():
    db = CountingDb()  # in-memory SQLite, one connection for every green thread: no file for the thread pool
    db.engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    Base.metadata.create_all(db.engine)
    writer, before = AuditWriter(), db.transactions
    pool = [eventlet.spawn(writer.write, db, record(n)) for n in range(10)]
    assert [thread.wait() for thread in pool] == [None] * 10
    assert writer._sqlite is None and 1 <= db.transactions - before < 10
    assert sorted(stored(db), key=int) == [str(n) for n in range(10)]


def test_an_audit_row_the_database_refuses_takes_no_other_row_down(tmp_path):
    db, writer = CountingDb(tmp_path / "gateway.db"), AuditWriter()
    results = {}

    def write(n, **changes):
        results[n] = writer.write(db, record(n, **changes))

    pool = [eventlet.spawn(write, n, **({"status": None} if n == 3 else {})) for n in range(6)]
    for thread in pool:
        thread.wait()
    assert results[3] is not None  # NOT NULL: the failure goes back to the request that wrote it (logged there)
    assert all(results[n] is None for n in (0, 1, 2, 4, 5))
    with db.read() as session:
        assert session.execute(select(func.count()).select_from(AuditRecord)).scalar() == 5
