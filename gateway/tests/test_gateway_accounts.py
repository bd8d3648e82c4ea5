"""Accounts and passwords (no broker): the password rules, the change of one's own password (lockout, other tokens
revoked), the bureau's reset, disable and enable, and the gateway refusing every other staff route with 403
password_change_required while an account must change its password."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from gateway_support import NOW, SETTINGS, Db, Gateway
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from enforcement_contracts.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from enforcement_gateway import auth
from enforcement_gateway.errors import PasswordChangeRequired
from enforcement_gateway.models import Token, User
from enforcement_gateway.routes.auth import ROUTES
from enforcement_gateway.routing import BUREAU, PUBLIC, STAFF, Route

FIRST = "first-password-1"


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


def log_in(db, username="scj-admin", password=FIRST) -> str:
    with db.transaction() as tx:
        return auth.login(tx.session, username, password, SETTINGS, now=NOW)[1]


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


def change(db, current, new, token, username="scj-admin"):
    with db.transaction() as tx:
        _, refusal = auth.change_password(tx.session, username, current, new, f"Bearer {token}", SETTINGS, now=NOW)
    return refusal


# --- the rules --------------------------------------------------------------------------------------------------
def test_a_password_is_long_enough_and_not_the_username():
    assert auth.password_problems("a-long-enough-one", "scj-admin", SETTINGS) == []
    assert auth.password_problems("short", "scj-admin", SETTINGS) == ["must be at least 10 characters"]
    assert auth.password_problems("Officer-301", "officer-301", SETTINGS) == ["must not be the username"]


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
    assert refused.value.fields["password"] == ["must be at least 10 characters", "must not be the username"]


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
    assert change(db, FIRST, "a-better-password", this) is None
    assert user(db).must_change_password is False
    with db.read() as session:
        assert auth.authenticate(session, f"Bearer {this}").username == "scj-admin"
        with pytest.raises(Unauthorized):
            auth.authenticate(session, f"Bearer {other}")
    assert log_in(db, password="a-better-password")
    with pytest.raises(Unauthorized):
        log_in(db, password=FIRST)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short", "must be at least 10 characters"),
        ("SCJ-admin ", "must not be the username"),
        (FIRST, "must differ from the current password"),
    ],
)
def test_a_bad_new_password_names_new_password_and_changes_nothing(db, new, message):
    token = log_in(db)
    refusal = change(db, FIRST, new, token)
    assert isinstance(refusal, ValidationFailed) and message in refusal.fields["new_password"]
    assert user(db).must_change_password is True and user(db).failed_logins == 0
    assert log_in(db)  # the old password still opens it


def test_the_username_is_refused_as_a_new_password(db):
    with db.transaction() as tx:
        auth.create_user(tx.session, {"username": "officer-301", "password": FIRST, "role": "bureau"}, SETTINGS)
    refusal = change(db, FIRST, "Officer-301", log_in(db, "officer-301"), username="officer-301")
    assert refusal.fields == {"new_password": ["must not be the username"]}


def test_a_wrong_current_password_counts_toward_the_lockout_like_a_failed_login(db):
    token = log_in(db)
    for attempt in range(1, 5):
        refusal = change(db, "not-the-password", "a-better-password", token)
        assert refusal.fields == {"current_password": ["wrong password"]}
        assert user(db).failed_logins == attempt
    with db.transaction() as tx, pytest.raises(Unauthorized):  # the fifth in a row, at login this time, locks it
        auth.login(tx.session, "scj-admin", "wrong-again-and-again", SETTINGS, now=NOW)  # (the count is committed)
    assert user(db).locked_until == NOW + timedelta(minutes=15)
    locked = change(db, FIRST, "a-better-password", token)  # even the right password waits for the lock
    assert "locked" in locked.fields["current_password"][0]
    assert user(db).must_change_password is True


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
