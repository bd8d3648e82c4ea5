"""Accounts and passwords (no broker): the password rules, login throttling (per account name, known or not, and per
client address) with one answer for every refused login, hashing in the thread pool, the change of one's own
password (other tokens revoked), the bureau's reset, role change, disable and enable (tokens revoked), and the
gateway refusing every other staff route with 403 password_change_required while an account must change its
password."""

from __future__ import annotations

import threading
from datetime import timedelta
from types import SimpleNamespace

import eventlet
import pytest
from gateway_support import NOW, SETTINGS, Db, Gateway
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from enforcement_contracts.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from enforcement_gateway import auth
from enforcement_gateway.errors import PasswordChangeRequired
from enforcement_gateway.models import LoginThrottle, Token, User
from enforcement_gateway.ratelimit import RateLimited
from enforcement_gateway.routes.auth import ROUTES
from enforcement_gateway.routing import BUREAU, PUBLIC, STAFF, Route

FIRST = "first-password-1"
BETTER = "a-better-password"
CLIENT = "192.0.2.1"


@pytest.fixture
def db():
    db = Db()
    with db.transaction() as tx:
        auth.create_user(tx.session, {"username": "admin", "password": FIRST, "role": "bureau"}, SETTINGS)
        auth.create_user(
            tx.session,
            {"username": "scj-admin", "password": FIRST, "role": "agency_admin", "agency_code": "140928-scjgj"},
            SETTINGS,
        )
    return db


def log_in(db, username="scj-admin", password=FIRST, now=NOW, client=CLIENT) -> str:
    return auth.login(db, username, password, client, SETTINGS, now=now)[1]


def refusal(db, username, password, now=NOW, client=CLIENT) -> Unauthorized:
    with pytest.raises(Unauthorized) as refused:
        auth.login(db, username, password, client, SETTINGS, now=now)
    return refused.value


def user(db, username="scj-admin") -> User:
    with db.read() as session:
        found = session.execute(select(User).where(User.username == username)).scalars().one()
        session.expunge(found)
        return found


def live_tokens(db, username="scj-admin") -> int:
    with db.read() as session:
        account = session.execute(select(User).where(User.username == username)).scalars().one()
        rows = session.execute(select(Token).where(Token.user_id == account.id, Token.revoked.is_(False)))
        return len(rows.scalars().all())


def change(db, current, new, token, username="scj-admin", now=NOW):
    return auth.change_password(db, username, current, new, f"Bearer {token}", SETTINGS, now=now)


# --- the rules ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("aaaaaaaaaa", "must be at least 12 characters"),
        ("aaaaaaaaaaaaaaa", "must use at least 4 different characters"),
        (" " * 12, "must not be only spaces"),
        ("a-long-one\x00-with-nul", "must not contain control characters"),
        ("a-long-one\u200b-invisible", "must not contain control characters"),
        ("a-long-one\t-with-a-tab", "must not contain control characters"),
        ("my-SCJ-Admin-password", "must not contain the username"),
        ("residentevil", "is a commonly used password"),  # zxcvbn's list (lower-case), in any case
        ("ResidentEvil", "is a commonly used password"),
    ],
)
def test_each_rule_of_a_password_names_what_is_wrong(password, problem):
    assert problem in auth.password_problems(password, "scj-admin", SETTINGS)


def test_a_good_password_has_no_problem():
    assert auth.password_problems("a-long-enough-one", "scj-admin", SETTINGS) == []
    assert auth.password_problems("五寨县执法质量二〇二六年", "scj-admin", SETTINGS) == []  # any script will do
    assert len(auth.common_passwords()) == 30000


def test_a_new_account_must_change_its_password_unless_told_otherwise(db):
    assert user(db).must_change_password is True
    assert auth.user_dict(user(db))["must_change_password"] is True
    with db.transaction() as tx:
        chosen = auth.create_user(
            tx.session, {"username": "own", "password": FIRST, "role": "bureau"}, SETTINGS, must_change_password=False
        )
        assert chosen.must_change_password is False
    with db.transaction() as tx, pytest.raises(ValidationFailed) as refused:
        auth.create_user(tx.session, {"username": "samename1", "password": "samename1", "role": "bureau"}, SETTINGS)
    assert refused.value.fields["password"] == ["must be at least 12 characters", "must not contain the username"]


def test_the_seed_makes_the_first_admin_change_its_password(tmp_path):
    from enforcement_gateway.plugin import PLUGIN, seed
    from enforcement_kernel.migrations import upgrade

    url = f"sqlite:///{tmp_path}/gateway.db"
    upgrade(PLUGIN.migrations, url)  # the new column comes from the migration
    config = {"DATABASE_URL": url, "GATEWAY": {"admin_username": "admin", "admin_password": "change-me-now"}}
    assert "must change its password" in seed(config)
    engine = create_engine(url)
    with Session(engine) as session:
        admin = session.execute(select(User)).scalars().one()
        assert admin.must_change_password is True and admin.role == "bureau"
    engine.dispose()


# --- changing one's own password ----------------------------------------------------------------------------------
def test_a_change_clears_the_flag_and_revokes_every_other_token_but_this_one(db):
    this, other = log_in(db), log_in(db)
    assert live_tokens(db) == 2
    assert change(db, FIRST, BETTER, this) is None
    assert user(db).must_change_password is False
    with db.read() as session:
        assert auth.authenticate(session, f"Bearer {this}").username == "scj-admin"
        with pytest.raises(Unauthorized):
            auth.authenticate(session, f"Bearer {other}")
    assert log_in(db, password=BETTER)
    assert str(refusal(db, "scj-admin", FIRST)) == "invalid credentials"


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short", "must be at least 12 characters"),
        ("SCJ-admin password", "must not contain the username"),
        ("password\x00password", "must not contain control characters"),
        (FIRST, "must differ from the current password"),
    ],
)
def test_a_bad_new_password_names_new_password_and_changes_nothing(db, new, message):
    token = log_in(db)
    refused = change(db, FIRST, new, token)
    assert isinstance(refused, ValidationFailed) and message in refused.fields["new_password"]
    assert user(db).must_change_password is True and user(db).failed_logins == 0
    assert log_in(db)  # the old password still opens it


def test_the_username_is_refused_as_a_new_password(db):
    with db.transaction() as tx:
        auth.create_user(tx.session, {"username": "officer-301", "password": FIRST, "role": "bureau"}, SETTINGS)
    refused = change(db, FIRST, "My-Officer-301-pass", log_in(db, "officer-301"), username="officer-301")
    assert refused.fields == {"new_password": ["must not contain the username"]}


def test_a_wrong_current_password_counts_toward_the_throttling_like_a_failed_login(db):
    token = log_in(db)
    for attempt in range(1, 5):
        refused = change(db, "not-the-password", BETTER, token)
        assert refused.fields == {"current_password": ["wrong password"]}
        assert user(db).failed_logins == attempt
    refusal(db, "scj-admin", "wrong-again-and-again")  # the fifth in a row, at login this time, starts it
    assert user(db).locked_until == NOW + timedelta(seconds=2)
    assert live_tokens(db) == 0  # tokens issued before the throttling do not survive it
    later = NOW + timedelta(seconds=1)
    locked = change(db, FIRST, BETTER, token, now=later)  # even the right password waits
    assert "try again in 1 s" in locked.fields["current_password"][0]
    assert user(db).must_change_password is True


# --- logins: throttling, one answer, the hash ------------------------------------------------------------------
def test_every_refused_login_is_the_same_401_whatever_the_reason(db):
    with db.transaction() as tx:
        auth.set_active(tx.session, "admin", False, "scj-admin")
    wrong = refusal(db, "scj-admin", "not-the-password")
    unknown = refusal(db, "nobody-here", "not-the-password")
    disabled = refusal(db, "admin", FIRST)  # even with its right password
    assert {(type(e), e.status, e.code, str(e), repr(e.fields)) for e in (wrong, unknown, disabled)} == {
        (Unauthorized, 401, "unauthorized", "invalid credentials", repr(wrong.fields))
    }


def test_failures_make_each_further_attempt_wait_longer_and_a_throttled_account_answers_the_same(db):
    for _ in range(5):
        refusal(db, "scj-admin", "not-the-password")
    row = throttle(db, "account:scj-admin")
    assert (row.failures, row.blocked_until) == (5, NOW + timedelta(seconds=2))
    # while it waits even the right password is refused with the one answer, and the wait does not grow
    assert str(refusal(db, "scj-admin", FIRST, now=NOW + timedelta(seconds=1))) == "invalid credentials"
    assert throttle(db, "account:scj-admin").failures == 5
    # after the wait, another failure doubles it: 4 s, then 8 s ...
    refusal(db, "scj-admin", "not-the-password", now=NOW + timedelta(seconds=3))
    assert throttle(db, "account:scj-admin").blocked_until == NOW + timedelta(seconds=3 + 4)
    # ... and the right password after the wait lets in and clears the count
    assert log_in(db, now=NOW + timedelta(seconds=8))
    assert throttle(db, "account:scj-admin") is None and user(db).failed_logins == 0


def test_the_delay_is_capped():
    rule = SETTINGS.account_throttle
    assert [rule.delay(n) for n in (4, 5, 6, 7)] == [0, 2, 4, 8]
    assert rule.delay(40) == 900


def test_an_unknown_account_name_is_throttled_like_a_known_one(db):
    for _ in range(5):
        refusal(db, "nobody-here", "guess")
    assert throttle(db, "account:nobody-here").blocked_until == NOW + timedelta(seconds=2)


def test_an_address_with_many_failures_waits_with_429_and_retry_after_whatever_the_account(db):
    for n in range(20):  # spread over account names, as a password sprayer would
        refusal(db, f"guess-{n}", "guess", client="198.51.100.7")
    with pytest.raises(RateLimited) as limited:
        auth.login(db, "scj-admin", FIRST, "198.51.100.7", SETTINGS, now=NOW)
    assert (limited.value.status, limited.value.retry_after) == (429, 2)
    assert log_in(db, client="198.51.100.8")  # another address is not affected


def test_throttling_is_in_the_database_not_the_process(db):
    for _ in range(5):
        refusal(db, "scj-admin", "x")
    with db.read() as session:
        keys = {row.key for row in session.execute(select(LoginThrottle)).scalars()}
    assert keys == {"account:scj-admin", f"address:{CLIENT}"}  # several gateway replicas see the same counts


def test_hashing_runs_in_a_thread_of_the_pool_and_at_most_n_at_once(monkeypatch):
    threads, running, most = set(), [0], [0]
    original = auth.check_password_hash

    def watched(stored, password):
        threads.add(threading.get_ident())
        running[0] += 1
        most[0] = max(most[0], running[0])
        try:
            return original(stored, password)
        finally:
            running[0] -= 1

    monkeypatch.setattr(auth, "check_password_hash", watched)
    hasher, stored = auth.Hasher(concurrency=2), auth.generate_password_hash("a-long-enough-one")
    pool = eventlet.GreenPool()
    results = list(pool.imap(lambda _: hasher.check(stored, "a-long-enough-one"), range(6)))
    assert results == [True] * 6
    assert threading.get_ident() not in threads  # never on the thread that runs the event loop
    assert most[0] == 2


def test_a_failure_racing_another_for_a_new_throttle_row_is_counted_on_the_second_try(db):
    with db.transaction() as tx:  # the other gateway worker inserted the row first
        tx.session.add(LoginThrottle(key="address:203.0.113.9", failures=1, last_failure_at=NOW))
    tries = []

    def write(session):
        tries.append(1)
        if len(tries) == 1:  # this worker had not seen it: its insert of the same key fails at commit
            session.add(LoginThrottle(key="address:203.0.113.9", failures=1, last_failure_at=NOW))
        else:
            auth._count_failure(session, "address:203.0.113.9", SETTINGS.address_throttle, NOW)

    auth._with_retry(db, write)
    assert len(tries) == 2 and throttle(db, "address:203.0.113.9").failures == 2


def throttle(db, key) -> LoginThrottle | None:
    with db.read() as session:
        row = session.get(LoginThrottle, key)
        if row is not None:
            session.expunge(row)
        return row


# --- the bureau's reset, disable and enable -----------------------------------------------------------------------
def test_a_reset_sets_the_password_forces_a_change_lifts_the_lock_and_revokes_every_token(db):
    this = log_in(db)
    change(db, FIRST, "a-better-password", this)
    with db.transaction() as tx:
        account = tx.session.execute(select(User).where(User.username == "scj-admin")).scalars().one()
        account.locked_until, account.failed_logins = NOW + timedelta(minutes=5), 3
    with db.transaction() as tx:
        reset = auth.reset_password(tx.session, "scj-admin", "reset-by-the-bureau", SETTINGS)
        assert auth.user_dict(reset)["must_change_password"] is True
    assert live_tokens(db) == 0
    assert (user(db).locked_until, user(db).failed_logins) == (None, 0)
    assert log_in(db, password="reset-by-the-bureau")


def test_a_reset_checks_the_password_and_the_account(db):
    with db.transaction() as tx, pytest.raises(ValidationFailed) as refused:
        auth.reset_password(tx.session, "scj-admin", "short", SETTINGS)
    assert "new_password" in refused.value.fields
    with db.transaction() as tx, pytest.raises(NotFound):
        auth.reset_password(tx.session, "nobody", "a-long-enough-password", SETTINGS)


def test_disabling_revokes_the_tokens_and_blocks_login_enabling_lets_in_again(db):
    token = log_in(db)
    with db.transaction() as tx:
        assert auth.user_dict(auth.set_active(tx.session, "scj-admin", False, "admin"))["active"] is False
    assert live_tokens(db) == 0
    with db.read() as session, pytest.raises(Unauthorized):
        auth.authenticate(session, f"Bearer {token}")
    with pytest.raises(Unauthorized):
        log_in(db)
    with db.transaction() as tx:
        assert auth.set_active(tx.session, "scj-admin", True, "admin").active is True
    assert log_in(db)


def test_a_change_of_role_or_agency_revokes_every_token_and_nothing_else_does_not(db):
    token = log_in(db)
    with db.transaction() as tx:  # the same scope again: nothing changes, nothing revoked
        auth.change_scope(tx.session, "scj-admin", {"agency_code": "140928-scjgj"}, "admin")
    assert live_tokens(db) == 1
    with db.transaction() as tx:
        changed = auth.change_scope(tx.session, "scj-admin", {"agency_code": "140928-gajt"}, "admin")
        assert (changed.role, changed.agency_code) == ("agency_admin", "140928-gajt")
    assert live_tokens(db) == 0
    with db.read() as session, pytest.raises(Unauthorized):
        auth.authenticate(session, f"Bearer {token}")
    log_in(db)
    with db.transaction() as tx:  # to bureau: the agency goes with it
        assert auth.change_scope(tx.session, "scj-admin", {"role": "bureau"}, "admin").agency_code is None
    assert live_tokens(db) == 0


def test_a_role_change_is_checked_and_nobody_changes_their_own(db):
    with db.transaction() as tx, pytest.raises(ValidationFailed) as refused:
        auth.change_scope(tx.session, "scj-admin", {"role": "officer"}, "admin")
    assert refused.value.fields == {"officer_id": ["required for the officer role"]}
    with db.transaction() as tx, pytest.raises(Conflict):
        auth.change_scope(tx.session, "admin", {"role": "officer"}, "admin")
    assert user(db).role == "agency_admin"


def test_nobody_disables_their_own_account(db):
    with db.transaction() as tx, pytest.raises(Conflict) as refused:
        auth.set_active(tx.session, "admin", False, "admin")
    assert "username" in refused.value.fields
    assert user(db, "admin").active is True
    with db.transaction() as tx, pytest.raises(NotFound):
        auth.set_active(tx.session, "nobody", False, "admin")


# --- the gateway's gate -------------------------------------------------------------------------------------------
def test_only_me_the_password_change_and_logout_are_open_before_the_change():
    open_before = {(r.method, r.path) for r in ROUTES if r.before_password_change}
    assert open_before == {("GET", "/auth/me"), ("POST", "/auth/password"), ("POST", "/auth/logout")}


def ok(call):
    return {"ok": True}


STAFF_READ = Route("GET", "/x", ok, STAFF, "Read x", "test")
OPEN_BEFORE = Route("GET", "/y", ok, STAFF, "Read y", "test", before_password_change=True)
PUBLIC_READ = Route("GET", "/public/z", ok, PUBLIC, "Read z", "test")
BUREAU_ONLY = Route("GET", "/w", ok, BUREAU, "Read w", "test")


def test_every_other_staff_route_answers_403_password_change_required_until_the_change(db):
    gateway, token = Gateway(db), log_in(db)
    with pytest.raises(PasswordChangeRequired) as refused:
        gateway.answer(STAFF_READ, token)
    assert (refused.value.status, refused.value.code) == (403, "password_change_required")
    with pytest.raises(PasswordChangeRequired):  # before the role is even looked at
        gateway.answer(BUREAU_ONLY, token)
    assert gateway.answer(OPEN_BEFORE, token).status_code == 200
    assert gateway.answer(PUBLIC_READ, token).status_code == 200  # public routes need no account at all
    assert change(db, FIRST, "a-better-password", token) is None
    assert gateway.answer(STAFF_READ, token).status_code == 200


def test_me_says_whether_the_password_must_change(db):
    gateway, token = Gateway(db), log_in(db)
    me = next(r for r in ROUTES if r.path == "/auth/me")
    answer = gateway.answer(me, token).get_json()
    assert answer == {
        "username": "scj-admin",
        "role": "agency_admin",
        "agency_code": "140928-scjgj",
        "officer_id": None,
        "must_change_password": True,
    }


def test_the_answer_says_who_may_cache_it(db):
    gateway, token = Gateway(db), log_in(db)
    change(db, FIRST, "a-better-password", token)
    assert gateway.setup.cache_control(PUBLIC_READ, gateway.answer(PUBLIC_READ)) == "public, max-age=60"
    assert gateway.setup.cache_control(STAFF_READ, gateway.answer(STAFF_READ, token)) == "no-store"
    assert gateway.setup.cache_control(PUBLIC_READ, SimpleNamespace(status_code=404)) == "no-store"  # errors
    longer = Gateway(db, public_cache_seconds=300).setup
    assert longer.cache_control(PUBLIC_READ, SimpleNamespace(status_code=200)) == "public, max-age=300"
