"""End to end over HTTP (the gateway and personnel as real processes): accounts whose password someone else chose
change it before anything else; a change revokes the account's other tokens but not this one; the bureau's reset
revokes every token and forces a change; disabling revokes and blocks the login; bad input is a 400 naming the field
and writes nothing. And the public routes behind a trusted proxy: a read limit per visitor, cacheable answers."""

from __future__ import annotations

import json

import pytest
from cases_support import certified_officer
from enforcement_testing import db_count, db_rows

SCJ = "140928-scjgj"  # 县市场监管局
PASSWORD = "a-long-enough-password"
ADMIN_PASSWORD = "change-me-now"  # the seeded admin's, which it must change


def raw_login(suite, username: str, password: str):
    """(the login answer, a client with its token), logged in as is: ``Suite.login`` would change a first password
    by itself."""
    api = suite.anonymous()
    answer = api.post("/auth/login", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    api.session.headers["Authorization"] = f"Bearer {answer.json()['token']}"
    return answer.json(), api


def refused(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code, body
    if field:
        assert field in body["fields"], body
    return body


def account(suite, username: str) -> dict:
    """The account's row and its live tokens, as the gateway's database has them."""
    row = db_rows(
        suite.gateway_db,
        "SELECT id, password_hash, must_change_password, failed_logins, locked_until, active FROM users"
        " WHERE username = :u",
        u=username,
    )[0]
    live = db_count(suite.gateway_db, "tokens", "user_id = :id AND NOT revoked", id=row["id"])
    return {**row, "must_change_password": bool(row["must_change_password"]), "live_tokens": live}


def create_agency_admin(admin, username: str) -> dict:
    created = admin.post(
        "/users", json={"username": username, "password": PASSWORD, "role": "agency_admin", "agency_code": SCJ}
    )
    assert created.status_code == 201, created.text
    return created.json()


# Every step needs the one before (first login, refusals, bad input, the change): longer than 50 lines on purpose.
@pytest.mark.timeout(120)
def test_the_first_login_must_change_the_password_before_anything_else(suite):
    first, this = raw_login(suite, "admin", ADMIN_PASSWORD)
    assert first["must_change_password"] is True and first["role"] == "bureau"
    _, other = raw_login(suite, "admin", ADMIN_PASSWORD)  # a second session, e.g. another browser
    me = this.get("/auth/me")
    assert me.status_code == 200 and me.json() == {
        "username": "admin",
        "role": "bureau",
        "agency_code": None,
        "officer_id": None,
        "must_change_password": True,
    }
    # everything else is refused until the change, reads and writes alike, and nothing is written
    for response in (
        this.get("/agencies"),
        this.get("/users"),
        this.get("/audit"),
        this.post("/users", json={"username": "early", "password": PASSWORD, "role": "bureau"}),
        this.post("/users/admin/disable"),
    ):
        body = refused(response, 403, "password_change_required")
        assert "/auth/password" in body["message"]
    assert db_count(suite.gateway_db, "users") == 1

    # bad input: a 400 naming the field, nothing written
    before = account(suite, "admin")
    for body, field in (
        ({"current_password": ADMIN_PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": ADMIN_PASSWORD, "new_password": ADMIN_PASSWORD}, "new_password"),
        ({"current_password": ADMIN_PASSWORD}, "new_password"),
        ({"current_password": ADMIN_PASSWORD, "new_password": "x" * 201}, "new_password"),
        ({"current_password": ADMIN_PASSWORD, "new_password": PASSWORD, "colour": "red"}, "colour"),
        ({"new_password": PASSWORD}, "current_password"),
    ):
        refused(this.post("/auth/password", json=body), 400, "validation_failed", field)
    assert account(suite, "admin") == before
    # a wrong current password is refused too, and counts toward the lockout like a failed login
    wrong = this.post("/auth/password", json={"current_password": "not-the-password", "new_password": PASSWORD})
    refused(wrong, 400, "validation_failed", "current_password")
    assert account(suite, "admin") == {**before, "failed_logins": 1}

    changed = this.post("/auth/password", json={"current_password": ADMIN_PASSWORD, "new_password": PASSWORD})
    assert changed.status_code == 200 and changed.json() == {"changed": True}
    assert this.get("/auth/me").json()["must_change_password"] is False
    assert this.get("/agencies").status_code == 200  # this token stays valid and may do everything now
    refused(other.get("/auth/me"), 401, "unauthorized")  # the other session was logged out
    old = suite.anonymous().post("/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    refused(old, 401, "unauthorized")
    again, _ = raw_login(suite, "admin", PASSWORD)
    assert again["must_change_password"] is False
    assert account(suite, "admin")["failed_logins"] == 0

    # audited like every write, without the passwords
    trail = this.get("/audit", params={"username": "admin"}).json()["items"]
    changes = [(a["status"], a["outcome"]) for a in trail if a["action"] == "POST /api/v1/auth/password"]
    assert (200, "ok") in changes and (400, "validation_failed") in changes
    everything = json.dumps(db_rows(suite.gateway_db, "SELECT * FROM audit_records"), default=str)
    for secret in (ADMIN_PASSWORD, PASSWORD, "not-the-password"):
        assert secret not in everything and secret not in suite.gateway.log_text()


@pytest.mark.timeout(120)
def test_wrong_current_passwords_lock_the_account_like_failed_logins(suite):
    _, this = raw_login(suite, "admin", ADMIN_PASSWORD)
    for _ in range(5):
        wrong = this.post("/auth/password", json={"current_password": "guessing-again", "new_password": PASSWORD})
        refused(wrong, 400, "validation_failed", "current_password")
    locked = this.post("/auth/password", json={"current_password": ADMIN_PASSWORD, "new_password": PASSWORD})
    assert "locked" in refused(locked, 400, "validation_failed", "current_password")["fields"]["current_password"][0]
    login = suite.anonymous().post("/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert "locked" in refused(login, 401, "unauthorized")["message"]
    assert account(suite, "admin")["must_change_password"] is True


# A reset told in order (its refusals, then the reset and what it does): longer than 50 lines on purpose.
@pytest.mark.timeout(120)
def test_a_reset_revokes_every_token_lifts_the_lock_and_forces_a_change(suite):
    admin = suite.admin()  # changes the seeded password (the harness does it for every test)
    created = create_agency_admin(admin, "scj-admin")
    assert created["must_change_password"] is True and created["active"] is True
    scj = suite.login("scj-admin", PASSWORD)  # changes it to PASSWORD-new
    scj_again = suite.login("scj-admin", PASSWORD)  # the changed password, a second session
    assert account(suite, "scj-admin")["live_tokens"] == 2

    refused(scj.post("/users/admin/password", json={"new_password": "taken-over-by-scj"}), 403, "forbidden")
    before = account(suite, "scj-admin")
    for body, field in (
        ({"new_password": "short"}, "new_password"),
        ({}, "new_password"),
        ({"new_password": PASSWORD, "must_change": False}, "must_change"),
    ):
        refused(admin.post("/users/scj-admin/password", json=body), 400, "validation_failed", field)
    assert account(suite, "scj-admin") == before
    assert scj.get("/auth/me").status_code == 200
    refused(admin.post("/users/nobody/password", json={"new_password": "reset-by-the-bureau"}), 404, "not_found")

    for _ in range(5):  # the account is locked out meanwhile
        suite.anonymous().post("/auth/login", json={"username": "scj-admin", "password": "wrong-password!"})
    assert account(suite, "scj-admin")["locked_until"] is not None

    reset = admin.post("/users/scj-admin/password", json={"new_password": "reset-by-the-bureau"})
    assert reset.status_code == 200, reset.text
    assert reset.json()["must_change_password"] is True and reset.json()["locked_until"] is None
    assert account(suite, "scj-admin")["live_tokens"] == 0
    refused(scj.get("/auth/me"), 401, "unauthorized")
    refused(scj_again.get("/agencies"), 401, "unauthorized")
    old = suite.anonymous().post("/auth/login", json={"username": "scj-admin", "password": PASSWORD + "-new"})
    refused(old, 401, "unauthorized")
    first, scj = raw_login(suite, "scj-admin", "reset-by-the-bureau")
    assert first["must_change_password"] is True
    refused(scj.get("/agencies"), 403, "password_change_required")
    ok = scj.post("/auth/password", json={"current_password": "reset-by-the-bureau", "new_password": "my-own-again"})
    assert ok.status_code == 200
    assert scj.get("/agencies").status_code == 200

    audit = admin.get("/audit", params={"username": "admin"}).json()["items"]
    resets = {(a["status"], a["target"]) for a in audit if a["action"] == "POST /api/v1/users/<username>/password"}
    assert {(200, '{"username": "scj-admin"}'), (404, '{"username": "nobody"}')} <= resets


@pytest.mark.timeout(120)
def test_disabling_revokes_the_tokens_and_blocks_the_login_and_nobody_disables_themself(suite):
    admin = suite.admin()
    create_agency_admin(admin, "scj-admin")
    scj = suite.login("scj-admin", PASSWORD)

    refused(admin.post("/users/admin/disable"), 409, "conflict", "username")
    assert admin.get("/auth/me").status_code == 200 and account(suite, "admin")["active"]
    refused(scj.post("/users/admin/disable"), 403, "forbidden")
    refused(admin.post("/users/nobody/disable"), 404, "not_found")
    assert account(suite, "scj-admin")["active"] and scj.get("/auth/me").status_code == 200

    disabled = admin.post("/users/scj-admin/disable")
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert account(suite, "scj-admin")["live_tokens"] == 0
    gone = scj.get("/auth/me")
    refused(gone, 401, "unauthorized")
    assert gone.json()["message"] == "account disabled"  # its holder is told why, not "expired"
    login = suite.anonymous().post("/auth/login", json={"username": "scj-admin", "password": PASSWORD + "-new"})
    refused(login, 401, "unauthorized")
    listed = {u["username"]: u for u in admin.get("/users").json()["items"]}
    assert listed["scj-admin"]["active"] is False

    enabled = admin.post("/users/scj-admin/enable")
    assert enabled.status_code == 200 and enabled.json()["active"] is True
    assert suite.login("scj-admin", PASSWORD).get("/auth/me").json()["username"] == "scj-admin"
    actions = {(a["action"], a["status"]) for a in admin.get("/audit", params={"username": "admin"}).json()["items"]}
    assert {("POST /api/v1/users/<username>/disable", 200), ("POST /api/v1/users/<username>/enable", 200)} <= actions
    assert ("POST /api/v1/users/<username>/disable", 409) in actions


@pytest.mark.timeout(180)
def test_public_reads_are_limited_per_visitor_behind_the_trusted_proxy_and_cacheable(proxied_suite):
    suite = proxied_suite
    admin = suite.admin()
    officer = certified_officer(suite, admin, 501)
    number = admin.get(f"/officers/{officer['officer_id']}").json()["certificate_number"]
    assert admin.get("/agencies").headers["Cache-Control"] == "no-store"  # staff answers are never kept

    public = suite.anonymous()
    visitor = {"X-Forwarded-For": "198.51.100.1"}
    check = public.get(f"/public/certificates/{number}", headers=visitor)
    assert check.status_code == 200 and check.json()["valid"] is True
    assert check.headers["Cache-Control"] == "public, max-age=60"
    unknown = public.get("/public/certificates/0000", headers=visitor)
    assert unknown.status_code == 404 and unknown.headers["Cache-Control"] == "no-store"  # errors are not kept
    for _ in range(3):  # five in the minute (GATEWAY_CERTIFICATE_CHECK_RATE_LIMIT=5 in this suite)
        assert public.get(f"/public/certificates/{number}", headers=visitor).status_code == 200
    limited = public.get(f"/public/certificates/{number}", headers=visitor)
    body = refused(limited, 429, "rate_limited", "_client")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60 and body["fields"]["_client"][0].startswith("retry in")
    assert limited.headers["Cache-Control"] == "no-store"
    # another visitor through the same proxy has a window of their own; the visitor's forged entry changes nothing
    other = public.get(f"/public/certificates/{number}", headers={"X-Forwarded-For": "198.51.100.2"})
    assert other.status_code == 200
    forged = {"X-Forwarded-For": "203.0.113.50, 198.51.100.1"}  # the proxy appended the real address last
    refused(public.get(f"/public/certificates/{number}", headers=forged), 429, "rate_limited")

    # the audit records the visitor's address, not the proxy's
    attempt = suite.anonymous().post(
        "/auth/login", json={"username": "nobody", "password": "x"}, headers={"X-Forwarded-For": "198.51.100.9"}
    )
    assert attempt.status_code == 401
    rows = db_rows(suite.gateway_db, "SELECT client_ip FROM audit_records WHERE username = 'nobody'")
    assert [r["client_ip"] for r in rows] == ["198.51.100.9"]
