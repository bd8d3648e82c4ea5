"""Logins, tokens, login throttling and passwords.

Passwords are hashed with werkzeug's scrypt (``hashlib.scrypt``, which releases the GIL) in eventlet's thread pool,
at most ``GATEWAY.password_hash_concurrency`` at a time, so that hashing never blocks the hub that serves every
other request. Tokens are random and stored only as SHA-256.

Failed logins are throttled per account name (known or not) and per client address: from the ``after``-th failure
in a row under a key, each further attempt waits a delay that doubles with every failure (``delay_seconds``,
capped at ``max_delay_seconds``). An account throttled, unknown, disabled or given a wrong password gets the one
same answer (401 ``invalid credentials``) after the same work (one password hash, one write): the answer never says
whether an account exists. An address throttled gets 429 with Retry-After, which depends only on the address. When
an account's throttling starts, every token it had is revoked.

An account whose password someone else chose (the seeded admin, one created or reset by the bureau) must change it
before anything else (``must_change_password``).

A token found valid is remembered in process for ``GATEWAY.token_cache_seconds`` (``TokenCache``), so that a request
does not read the token and its account from the database every time. Everything that revokes tokens here (logout, a
password change or reset, disabling, a role or scope change, throttling) forgets the account's entries at once, and
again once its transaction commits. Another gateway replica learns of a revocation only when its entry runs out: a
revoked token may still be taken there for at most ``token_cache_seconds`` (0 turns the cache off)."""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
import unicodedata
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from eventlet import tpool
from eventlet.event import Event
from eventlet.semaphore import Semaphore
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from enforcement_contracts.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from enforcement_kernel.config import setting
from enforcement_kernel.db import utcnow

from .models import LoginThrottle, Token, User
from .ratelimit import RateLimited

ROLES = ("bureau", "agency_admin", "officer")
# the one answer of every refused login (unknown account, wrong password, disabled, throttled)
INVALID_CREDENTIALS = "invalid credentials"
# Compared against when the account is unknown or throttled, so that every refused login costs one hash.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class Hasher:
    """Password hashing off the eventlet hub: in eventlet's OS-thread pool, at most ``concurrency`` at once (excess
    callers wait their turn, cooperatively)."""

    def __init__(self, concurrency: int = 1):
        if concurrency < 1:
            raise ValueError("GATEWAY.password_hash_concurrency must be at least 1")
        self._slots = Semaphore(concurrency)

    def check(self, password_hash: str, password: str) -> bool:
        with self._slots:
            return tpool.execute(check_password_hash, password_hash, password)

    def make(self, password: str) -> str:
        with self._slots:
            return tpool.execute(generate_password_hash, password)


@dataclass(frozen=True)
class Throttle:
    """Growing delays after ``after`` failures in a row under one key; failures are forgotten after ``forget``
    without one."""

    after: int
    delay_seconds: float
    max_delay_seconds: float
    forget: timedelta

    def delay(self, failures: int) -> float:
        if failures < self.after:
            return 0
        return min(self.max_delay_seconds, self.delay_seconds * 2 ** (failures - self.after))


@dataclass(frozen=True)
class AuthSettings:
    token_ttl: timedelta
    account_throttle: Throttle
    address_throttle: Throttle
    min_password_length: int = 12
    hasher: Hasher = field(default_factory=Hasher, compare=False)

    @classmethod
    def from_config(cls, config: dict) -> AuthSettings:
        def throttle(name: str, after: int) -> Throttle:
            return Throttle(
                after=int(setting(config, f"GATEWAY.login_throttle.{name}_after_failures", after)),
                delay_seconds=float(setting(config, "GATEWAY.login_throttle.delay_seconds", 2)),
                max_delay_seconds=float(setting(config, "GATEWAY.login_throttle.max_delay_seconds", 900)),
                forget=timedelta(hours=float(setting(config, "GATEWAY.login_throttle.forget_after_hours", 24))),
            )

        return cls(
            token_ttl=timedelta(minutes=int(setting(config, "GATEWAY.token_ttl_minutes", 480))),
            account_throttle=throttle("account", 5),
            address_throttle=throttle("address", 20),
            min_password_length=int(setting(config, "GATEWAY.min_password_length", 12)),
            hasher=Hasher(int(setting(config, "GATEWAY.password_hash_concurrency", 1))),
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_of(user: User | None) -> dict:
    if user is None:
        return {"username": "anonymous", "role": "public", "agency_code": None, "officer_id": None}
    return {
        "username": user.username,
        "role": user.role,
        "agency_code": user.agency_code,
        "officer_id": user.officer_id,
    }


def user_dict(user: User) -> dict:
    return {
        "username": user.username,
        "role": user.role,
        "agency_code": user.agency_code,
        "officer_id": user.officer_id,
        "active": user.active,
        "locked_until": user.locked_until.isoformat() + "Z" if user.locked_until else None,
        "must_change_password": bool(user.must_change_password),
    }


@functools.cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most used passwords of zxcvbn's frequency lists (lower-case), loaded once."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problems(password: str, username: str, settings: AuthSettings) -> list[str]:
    """What is wrong with a password someone chose for ``username`` (empty when it will do)."""
    problems = []
    if len(password) < settings.min_password_length:
        problems.append(f"must be at least {settings.min_password_length} characters")
    if any(unicodedata.category(c).startswith("C") for c in password):  # control, format, surrogate, unassigned
        problems.append("must not contain control characters")
    if password and not password.strip():
        problems.append("must not be only spaces")
    elif len(set(password)) < 4:
        problems.append("must use at least 4 different characters")
    name = username.strip().casefold()
    if name and name in password.casefold():
        problems.append("must not contain the username")
    if password.strip().casefold() in common_passwords():
        problems.append("is a commonly used password")
    return problems


# --- throttling -------------------------------------------------------------------------------------------------
def account_key(username: str) -> str:
    return "account:" + username.strip().casefold()[:100]


def address_key(address: str) -> str:
    return "address:" + address[:100]


def _wait(session, key: str, throttle: Throttle, now: datetime) -> int:
    """Seconds an attempt under ``key`` must still wait (0: it may go ahead)."""
    row = session.get(LoginThrottle, key)
    if row is None or row.blocked_until is None or row.blocked_until <= now:
        return 0
    if now - row.last_failure_at >= throttle.forget:
        return 0
    return max(1, int((row.blocked_until - now).total_seconds() + 0.999))


def _count_failure(session, key: str, throttle: Throttle, now: datetime) -> bool:
    """One more failure under ``key``; True when this one starts the throttling (the ``after``-th in a row)."""
    row = session.get(LoginThrottle, key, with_for_update=True)
    if row is None:
        row = LoginThrottle(key=key, failures=0, last_failure_at=now)
        session.add(row)
    elif now - row.last_failure_at >= throttle.forget:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    delay = throttle.delay(row.failures)
    row.blocked_until = now + timedelta(seconds=delay) if delay else None
    return row.failures == throttle.after


def _clear(session, key: str) -> None:
    row = session.get(LoginThrottle, key)
    if row is not None:
        session.delete(row)


def _account_failed(session, username: str, settings: AuthSettings, now: datetime) -> None:
    """A wrong password for ``username`` (at login or as the current one when changing it). When it starts the
    account's throttling, every token of the account is revoked: tokens issued before it do not survive."""
    key = account_key(username)
    if _count_failure(session, key, settings.account_throttle, now):
        user = session.execute(select(User).where(User.username == username)).scalars().first()
        if user is not None:
            revoke_tokens(session, user)
    user = session.execute(select(User).where(User.username == username)).scalars().first()
    if user is not None:  # shown to the bureau on the account list; the throttle row is what counts
        row = session.get(LoginThrottle, key)
        user.failed_logins, user.locked_until = row.failures, row.blocked_until


def _unthrottle(session, user: User) -> None:
    _clear(session, account_key(user.username))
    user.failed_logins, user.locked_until = 0, None


def login(db, username: str, password: str, client: str, settings: AuthSettings, now: datetime | None = None):
    """Check the password; returns (user as a dict, token, expiry), raises Unauthorized(INVALID_CREDENTIALS) for
    every refused login, RateLimited (429) when the client address is throttled.

    The hash runs outside any transaction (it takes a while, and in the thread pool); every refusal costs one hash
    and one write, whatever the reason, so its time says nothing either."""
    now = now or utcnow()
    with db.read() as session:
        address_wait = _wait(session, address_key(client), settings.address_throttle, now)
        if address_wait:
            raise RateLimited(
                f"too many failed logins from this address; try again in {address_wait} s",
                {"_client": [f"retry in {address_wait} s"]},
                retry_after=address_wait,
            )
        account_wait = _wait(session, account_key(username), settings.account_throttle, now)
        user = session.execute(select(User).where(User.username == username)).scalars().first()
        user_id = user.id if user is not None else None
        active = bool(user is not None and user.active)
        stored = user.password_hash if user is not None and not account_wait else _DUMMY_HASH
    matches = settings.hasher.check(stored, password)
    with db.transaction() as tx:
        session = tx.session
        if matches and user_id is not None and active and not account_wait:
            user = session.get(User, user_id)
            _unthrottle(session, user)
            token = secrets.token_urlsafe(32)
            expires = now + settings.token_ttl
            session.add(Token(token_hash=token_hash(token), user_id=user.id, expires_at=expires))
            return user_dict(user) | {"must_change_password": bool(user.must_change_password)}, token, expires
    _with_retry(db, lambda session: _login_failed(session, username, client, account_wait, settings, now))
    raise Unauthorized(INVALID_CREDENTIALS)


def _login_failed(session, username: str, client: str, account_wait: int, settings: AuthSettings, now: datetime):
    _count_failure(session, address_key(client), settings.address_throttle, now)
    if not account_wait:  # an attempt refused unchecked does not lengthen the wait
        _account_failed(session, username, settings, now)


def _with_retry(db, write) -> None:
    """``write(session)`` in a transaction, once more if a concurrent failure inserted the same throttle row first
    (the second time the row exists and is locked for update)."""
    try:
        with db.transaction() as tx:
            write(tx.session)
    except IntegrityError:
        with db.transaction() as tx:
            write(tx.session)


def authenticate(session, authorization: str | None, now: datetime | None = None) -> User | None:
    """The user behind an ``Authorization: Bearer`` header; None without one; Unauthorized when bad."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("use 'Authorization: Bearer <token>'")
    row = session.get(Token, token_hash(token.strip()))
    user = session.get(User, row.user_id) if row is not None else None
    # a disabled account says so to whoever holds one of its tokens (disabling revoked them all)
    if row is not None and (user is None or not user.active):
        raise Unauthorized("account disabled")
    if row is None or row.revoked or row.expires_at <= (now or utcnow()):
        raise Unauthorized("token unknown, revoked or expired; log in again")
    return user


@dataclass(frozen=True)
class Identity:
    """What a request needs of the account behind a valid token (``actor_of`` reads it like a ``User``)."""

    user_id: int
    username: str
    role: str
    agency_code: str | None
    officer_id: str | None
    must_change_password: bool
    expires_at: datetime  # the token's

    @classmethod
    def of(cls, user: User, expires_at: datetime) -> Identity:
        return cls(
            user.id,
            user.username,
            user.role,
            user.agency_code,
            user.officer_id,
            bool(user.must_change_password),
            expires_at,
        )


# every TokenCache of the process: a revocation reaches each (a test process may run several gateways)
_CACHES: weakref.WeakSet = weakref.WeakSet()


class TokenCache:
    """Valid tokens remembered for ``seconds`` by their hash (see the module's notes; 0: always read the database).

    ``forget(user_id)`` marks the account with a new epoch; an entry is taken only when the epoch read before its
    database read is not older than the account's mark, so a revocation during the read leaves nothing usable."""

    def __init__(self, seconds: float = 5, max_entries: int = 10000):
        self.seconds = float(seconds)
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, int, Identity]] = {}
        self._epoch = 0
        self._forgotten: dict[int, int] = {}  # user id -> epoch of its last revocation
        self._reading: dict[str, Event] = {}  # token hash -> the read of it under way
        _CACHES.add(self)

    def authenticate(self, db, authorization: str | None, now: datetime | None = None) -> Identity | None:
        """``authenticate`` through the cache: the database is read only when the token is not remembered, and once
        for all the requests that bring the same token meanwhile (when an entry runs out under load, twenty requests
        at once would each take a database connection)."""
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if self.seconds <= 0 or scheme.lower() != "bearer" or not token:
            return self._read(db, authorization, now)
        key = token_hash(token.strip())
        identity = self._remembered(key, now)
        reading = self._reading.get(key)
        if identity is None and reading is not None:
            reading.wait()  # another request reads this token: take what it found (a refusal is read again here)
            identity = self._remembered(key, now)
        if identity is not None:
            return identity
        epoch = self._epoch  # before the read: a revocation during it outdates what the read finds
        done = self._reading[key] = Event()
        try:
            identity = self._read(db, authorization, now)
            if identity is not None:  # only a valid token is remembered; a refusal raised before this
                if len(self._entries) >= self.max_entries:
                    self._entries.clear()
                self._entries[key] = (time.monotonic(), epoch, identity)
            return identity
        finally:
            if self._reading.get(key) is done:
                del self._reading[key]
            done.send(None)

    def _remembered(self, key: str, now: datetime | None) -> Identity | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, epoch, identity = entry
        fresh = time.monotonic() - stored_at < self.seconds and identity.expires_at > (now or utcnow())
        if fresh and epoch >= self._forgotten.get(identity.user_id, 0):
            return identity
        self._entries.pop(key, None)
        return None

    @staticmethod
    def _read(db, authorization: str, now: datetime | None) -> Identity | None:
        with db.read() as session:
            user = authenticate(session, authorization, now)
            if user is None:
                return None
            return Identity.of(user, session.get(Token, token_hash(bearer_token(authorization))).expires_at)

    def forget(self, user_id: int) -> None:
        self._epoch += 1
        self._forgotten[user_id] = self._epoch
        for key in [k for k, (_, _, identity) in self._entries.items() if identity.user_id == user_id]:
            self._entries.pop(key, None)


def forget_account(session, user_id: int) -> None:
    """Every cached token of the account is forgotten now, in every cache of the process, and again when
    ``session``'s transaction commits (a request that read the token meanwhile cached what it saw before)."""

    def forget(*_):
        for cache in list(_CACHES):
            cache.forget(user_id)

    forget()
    event.listen(session, "after_commit", forget, once=True)


def logout(session, authorization: str) -> None:
    _, _, token = authorization.partition(" ")
    row = session.get(Token, token_hash(token.strip()))
    if row is not None:
        row.revoked = True
        forget_account(session, row.user_id)


def revoke_tokens(session, user: User, keep: str | None = None) -> int:
    """Revoke every live token of ``user`` except ``keep`` (a token as sent); how many were revoked. The account's
    cached tokens are forgotten (``keep``'s too: what it may do may have changed)."""
    stmt = update(Token).where(Token.user_id == user.id, Token.revoked.is_(False))
    if keep is not None:
        stmt = stmt.where(Token.token_hash != token_hash(keep))
    forget_account(session, user.id)
    return session.execute(stmt.values(revoked=True)).rowcount


def bearer_token(authorization: str) -> str:
    return authorization.partition(" ")[2].strip()


def change_password(
    db,
    username: str,
    current_password: str,
    new_password: str,
    authorization: str,
    settings: AuthSettings,
    now: datetime | None = None,
) -> ValidationFailed | None:
    """The account's own change: None when changed, else the error to answer (a wrong current password's count
    toward the account's throttling is committed first). The token of this request stays valid, every other token
    of the account is revoked."""
    now = now or utcnow()
    with db.read() as session:
        wait = _wait(session, account_key(username), settings.account_throttle, now)
        stored = session.execute(select(User.password_hash).where(User.username == username)).scalar_one()
    if wait:
        return ValidationFailed(
            "account locked", {"current_password": [f"too many wrong passwords; try again in {wait} s"]}
        )
    if not settings.hasher.check(stored, current_password):
        _with_retry(db, lambda session: _account_failed(session, username, settings, now))
        return ValidationFailed("wrong current password", {"current_password": ["wrong password"]})
    problems = password_problems(new_password, username, settings)
    if new_password == current_password:
        problems.append("must differ from the current password")
    if problems:
        return ValidationFailed("invalid new password", {"new_password": problems})
    new_hash = settings.hasher.make(new_password)
    with db.transaction() as tx:
        user = tx.session.execute(select(User).where(User.username == username)).scalars().one()
        user.password_hash = new_hash
        user.must_change_password = False
        _unthrottle(tx.session, user)
        revoke_tokens(tx.session, user, keep=bearer_token(authorization))
    return None


def _user_named(session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalars().first()
    if user is None:
        raise NotFound(f"no user {username}")
    return user


def reset_password(session, username: str, new_password: str, settings: AuthSettings) -> User:
    """The bureau sets an account's password: it must be changed at the next login; the throttling is lifted and
    every token of the account revoked."""
    user = _user_named(session, username)
    problems = password_problems(new_password, user.username, settings)
    if problems:
        raise ValidationFailed("invalid new password", {"new_password": problems})
    user.password_hash = settings.hasher.make(new_password)
    user.must_change_password = True
    _unthrottle(session, user)
    revoke_tokens(session, user)
    return user


def set_active(session, username: str, active: bool, by: str) -> User:
    """Enable or disable an account; disabling revokes its tokens, and nobody disables their own account."""
    user = _user_named(session, username)
    if not active and user.username == by:
        raise Conflict("you cannot disable your own account", {"username": ["is your own account"]})
    user.active = active
    if not active:
        revoke_tokens(session, user)
    return user


def _scope_problems(role: str, agency_code: str | None, officer_id: str | None) -> dict:
    errors = {}
    if role in ("agency_admin", "officer") and not agency_code:
        errors["agency_code"] = ["required for this role"]
    if role == "officer" and not officer_id:
        errors["officer_id"] = ["required for the officer role"]
    if role == "bureau" and agency_code:
        errors["agency_code"] = ["a bureau account sees every agency; leave it empty"]
    return errors


def change_scope(session, username: str, data: dict, by: str) -> User:
    """The bureau changes an account's role, agency or officer: every token of it is revoked (what it may see
    changed), so it logs in again. Nobody changes their own."""
    user = _user_named(session, username)
    if user.username == by:
        raise Conflict("you cannot change your own role", {"username": ["is your own account"]})
    role = data.get("role", user.role)
    # a bureau account has no agency nor officer unless the request names one (which is then refused)
    agency_code = data.get("agency_code", None if role == "bureau" else user.agency_code)
    officer_id = data.get("officer_id", None if role == "bureau" else user.officer_id)
    errors = _scope_problems(role, agency_code, officer_id)
    if errors:
        raise ValidationFailed("invalid user", errors)
    if (role, agency_code, officer_id) != (user.role, user.agency_code, user.officer_id):
        user.role, user.agency_code, user.officer_id = role, agency_code, officer_id
        revoke_tokens(session, user)
    return user


def create_user(session, data: dict, settings: AuthSettings, must_change_password: bool = True) -> User:
    """A new account; its password was chosen by someone else, so by default it must be changed at the first
    login."""
    errors = {}
    problems = password_problems(data["password"], data["username"], settings)
    if problems:
        errors["password"] = problems
    errors.update(_scope_problems(data["role"], data.get("agency_code"), data.get("officer_id")))
    if errors:
        raise ValidationFailed("invalid user", errors)
    if session.execute(select(User.id).where(User.username == data["username"])).first():
        raise Conflict("username taken", {"username": ["already exists"]})
    user = User(
        username=data["username"],
        password_hash=settings.hasher.make(data["password"]),
        role=data["role"],
        agency_code=data.get("agency_code"),
        officer_id=data.get("officer_id"),
        must_change_password=must_change_password,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user
