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
    # a wrong current password is refused too, and counts toward the login throttling like a failed login
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
    trail = this.get("/audit", params={"actor": "admin"}).json()["items"]
    changes = [(a["status"], a["outcome"]) for a in trail if a["action"] == "POST /api/v1/auth/password"]
    assert (200, "ok") in changes and (400, "validation_failed") in changes
    everything = json.dumps(db_rows(suite.gateway_db, "SELECT * FROM audit_records"), default=str)
    for secret in (ADMIN_PASSWORD, PASSWORD, "not-the-password"):
        assert secret not in everything and secret not in suite.gateway.log_text()


@pytest.mark.timeout(120)
def test_wrong_current_passwords_throttle_the_account_like_failed_logins_and_end_its_sessions(suite):
    _, this = raw_login(suite, "admin", ADMIN_PASSWORD)
    for _ in range(4):
        wrong = this.post("/auth/password", json={"current_password": "guessing-again", "new_password": PASSWORD})
        refused(wrong, 400, "validation_failed", "current_password")
    fifth = this.post("/auth/password", json={"current_password": "guessing-again", "new_password": PASSWORD})
    refused(fifth, 400, "validation_failed", "current_password")
    # the throttling started: tokens issued before it do not survive, and the right password waits too
    refused(this.get("/auth/me"), 401, "unauthorized")
    login = suite.anonymous().post("/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert refused(login, 401, "unauthorized")["message"] == "invalid credentials"
    assert account(suite, "admin")["must_change_password"] is True and account(suite, "admin")["live_tokens"] == 0


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

    for _ in range(5):  # the account is throttled meanwhile
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

    audit = admin.get("/audit", params={"actor": "admin"}).json()["items"]
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
    actions = {(a["action"], a["status"]) for a in admin.get("/audit", params={"actor": "admin"}).json()["items"]}
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


# --- logins that reveal nothing, throttling per address, tokens that end with the account ---------------------
def _answer_without_ids(response) -> tuple:
    """What a client can see of a refused login but its correlation id and the date: status, headers, body bytes."""
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() not in ("x-correlation-id", "date")}
    return response.status_code, tuple(sorted(headers.items())), response.content


@pytest.mark.timeout(180)
def test_every_refused_login_is_the_same_answer_byte_for_byte(suite):
    admin = suite.admin()
    create_agency_admin(admin, "scj-admin")
    create_agency_admin(admin, "gone-admin")
    assert admin.post("/users/gone-admin/disable").status_code == 200
    for _ in range(5):  # scj-admin is throttled from here on
        suite.anonymous().post("/auth/login", json={"username": "scj-admin", "password": "not-the-password"})

    def attempt(username, password):
        return suite.anonymous().post("/auth/login", json={"username": username, "password": password})

    # the throttled account first: its first wait is 2 s, and each other attempt costs a hash (slow under load)
    answers = {"throttled account, right password": attempt("scj-admin", PASSWORD)}
    answers["wrong password"] = attempt("admin", "not-the-password")
    answers["unknown account"] = attempt("nobody-at-all", "not-the-password")
    answers["disabled account, right password"] = attempt("gone-admin", PASSWORD)
    seen = {reason: _answer_without_ids(answer) for reason, answer in answers.items()}
    assert len(set(seen.values())) == 1, seen
    status, headers, body = seen["wrong password"]
    assert status == 401 and json.loads(body) == {"error": "unauthorized", "message": "invalid credentials"}
    assert dict(headers)["cache-control"] == "no-store"
    # an unknown name is throttled like a known one, so its answers stay the same after five failures too
    for _ in range(5):
        attempt("nobody-at-all", "guess")
    assert _answer_without_ids(attempt("nobody-at-all", "guess")) == seen["wrong password"]


@pytest.mark.timeout(180)
def test_an_address_with_failed_logins_waits_with_429_others_do_not(hardened_suite):
    suite = hardened_suite
    suite.admin()  # the harness changes the first password
    visitor = {"X-Forwarded-For": "198.51.100.20"}
    for n in range(3):  # a password sprayer: a different account name each time
        sprayed = suite.anonymous().post(
            "/auth/login", json={"username": f"guess-{n}", "password": "x"}, headers=visitor
        )
        refused(sprayed, 401, "unauthorized")
    limited = suite.anonymous().post("/auth/login", json={"username": "admin", "password": "x"}, headers=visitor)
    body = refused(limited, 429, "rate_limited", "_client")
    assert int(limited.headers["Retry-After"]) == 2 and limited.headers["Cache-Control"] == "no-store"
    assert "login" in body["message"]
    # the address decides, not the account: another visitor logs in as admin meanwhile
    other = suite.anonymous().post(
        "/auth/login",
        json={"username": "admin", "password": ADMIN_PASSWORD + "-new"},
        headers={"X-Forwarded-For": "198.51.100.21"},
    )
    assert other.status_code == 200, other.text
    rows = db_rows(suite.gateway_db, "SELECT status FROM audit_records WHERE client_ip = '198.51.100.20'")
    assert sorted(r["status"] for r in rows) == [401, 401, 401, 429]


@pytest.mark.timeout(180)
def test_a_role_or_agency_change_revokes_the_tokens_and_is_checked(suite):
    admin = suite.admin()
    create_agency_admin(admin, "scj-admin")
    scj = suite.login("scj-admin", PASSWORD)
    before = account(suite, "scj-admin")
    refused(scj.patch("/users/scj-admin", json={"role": "bureau"}), 403, "forbidden")
    refused(admin.patch("/users/admin", json={"role": "officer"}), 409, "conflict", "username")
    for body, field in (
        ({}, "_schema"),
        ({"role": "boss"}, "role"),
        ({"agency_code": "no-such-agency"}, "agency_code"),
        ({"role": "officer"}, "officer_id"),
        ({"role": "bureau", "agency_code": SCJ}, "agency_code"),
    ):
        refused(admin.patch("/users/scj-admin", json=body), 400, "validation_failed", field)
    refused(admin.patch("/users/nobody", json={"role": "bureau"}), 404, "not_found")
    assert account(suite, "scj-admin") == before and scj.get("/auth/me").status_code == 200

    changed = admin.patch("/users/scj-admin", json={"role": "bureau"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["role"], changed.json()["agency_code"]) == ("bureau", None)
    assert account(suite, "scj-admin")["live_tokens"] == 0
    refused(scj.get("/auth/me"), 401, "unauthorized")
    assert suite.login("scj-admin", PASSWORD).get("/auth/me").json()["role"] == "bureau"
    trail = admin.get("/audit", params={"action": "PATCH /api/v1/users/<username>"}).json()["items"]
    assert {(a["status"], a["target"]) for a in trail} >= {(200, '{"username": "scj-admin"}')}


@pytest.mark.timeout(180)
def test_the_audit_records_refusals_personal_data_reads_and_created_ids(suite):
    from enforcement_testing import valid_id_number

    admin = suite.admin()
    created = admin.post("/officers", json={"agency_code": SCJ, "name": "审计员", "id_number": valid_id_number(71)})
    assert created.status_code == 201, created.text
    officer_id = created.json()["officer_id"]
    create_agency_admin(admin, "scj-admin")
    scj = suite.login("scj-admin", PASSWORD)
    found = scj.post("/officers/lookup", json={"id_number": valid_id_number(71)})
    assert found.status_code == 200 and found.json()["officer_id"] == officer_id
    refused(scj.get("/users"), 403, "forbidden")  # a refused read
    refused(suite.anonymous().get("/agencies"), 401, "unauthorized")

    def trail(**query):
        return admin.get("/audit", params=query).json()["items"]

    creates = trail(action="POST /api/v1/officers")
    assert [(a["status"], json.loads(a["target"])) for a in creates] == [(201, {"officer_id": officer_id})]
    lookups = trail(action="POST /api/v1/officers/lookup")
    assert [(a["username"], a["status"], a["target"]) for a in lookups] == [
        ("scj-admin", 200, json.dumps({"officer_id": officer_id}))
    ]
    assert [(a["username"], a["status"]) for a in trail(action="GET /api/v1/users", actor="scj-admin")] == [
        ("scj-admin", 403)
    ]
    assert [a["status"] for a in trail(action="GET /api/v1/agencies", actor="anonymous")] == [401]
    assert {a["action"] for a in trail(target=officer_id)} == {"POST /api/v1/officers", "POST /api/v1/officers/lookup"}
    paged = admin.get("/audit", params={"per_page": 2, "page": 2}).json()
    assert paged["page"] == 2 and len(paged["items"]) == 2 and paged["total"] > 4
    # never the ID number itself, anywhere in the audit
    everything = json.dumps(db_rows(suite.gateway_db, "SELECT * FROM audit_records"), default=str)
    assert valid_id_number(71) not in everything


# --- headers, CORS, OPTIONS, correlation ids -----------------------------------------------------------------
def _raw(suite, method, path, **kw):
    import requests

    session = requests.Session()
    session.trust_env = False
    return session.request(method, suite.root + path, timeout=10, **kw)


@pytest.mark.timeout(180)
def test_every_answer_carries_the_security_headers_and_options_is_answered(hardened_suite):
    suite = hardened_suite
    admin = suite.admin()
    answers = {
        "staff read": admin.get("/agencies"),
        "login": suite.anonymous().post("/auth/login", json={"username": "nobody", "password": "x"}),
        "no token": suite.anonymous().get("/agencies"),
        "unknown API path": _raw(suite, "GET", "/api/v1/no-such-thing"),
        "openapi": _raw(suite, "GET", "/openapi.json"),
        "unknown page": _raw(suite, "GET", "/no-such-page"),
    }
    for name, answer in answers.items():
        headers = answer.headers
        assert headers["Content-Security-Policy"].startswith("default-src 'none'; frame-ancestors 'none'"), name
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["Referrer-Policy"] == "no-referrer", name
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", name
        assert "Access-Control-Allow-Origin" not in headers, name  # no Origin sent
    for name in ("staff read", "login", "no token", "unknown API path"):
        assert answers[name].headers["Cache-Control"] == "no-store", name
    assert answers["unknown page"].status_code == 404 and answers["unknown page"].json()["error"] == "not_found"
    docs = _raw(suite, "GET", "/docs")
    policy = docs.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in policy and "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy

    for path, allowed in (
        ("/api/v1/agencies", {"GET", "HEAD", "POST", "OPTIONS"}),
        ("/api/v1/users/someone", {"PATCH", "OPTIONS"}),
        ("/openapi.json", {"GET", "HEAD", "OPTIONS"}),
    ):
        options = _raw(suite, "OPTIONS", path)
        assert options.status_code == 204, (path, options.text)
        assert set(options.headers["Allow"].split(", ")) == allowed, path
        assert options.headers["X-Content-Type-Options"] == "nosniff"
    missing = _raw(suite, "OPTIONS", "/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"  # JSON, never werkzeug's HTML


@pytest.mark.timeout(180)
def test_cors_answers_the_listed_origin_only(hardened_suite):
    suite = hardened_suite
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    listed = _raw(suite, "OPTIONS", "/api/v1/auth/login", headers={"Origin": "https://portal.example", **preflight})
    assert listed.status_code == 204
    assert listed.headers["Access-Control-Allow-Origin"] == "https://portal.example"
    assert "POST" in listed.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in listed.headers["Access-Control-Allow-Headers"]
    other = _raw(suite, "OPTIONS", "/api/v1/auth/login", headers={"Origin": "https://evil.example", **preflight})
    assert other.status_code == 204 and not any(k.startswith("Access-Control-") for k in other.headers)
    answer = _raw(suite, "GET", "/api/v1/agencies", headers={"Origin": "https://portal.example"})
    assert (
        answer.headers["Access-Control-Allow-Origin"] == "https://portal.example" and "Origin" in answer.headers["Vary"]
    )
    assert (
        "Access-Control-Allow-Origin"
        not in _raw(suite, "GET", "/api/v1/agencies", headers={"Origin": "https://evil.example"}).headers
    )


@pytest.mark.timeout(120)
def test_cors_is_off_by_default_and_hsts_only_behind_tls(suite):
    preflight = {"Origin": "https://portal.example", "Access-Control-Request-Method": "POST"}
    answer = _raw(suite, "OPTIONS", "/api/v1/auth/login", headers=preflight)
    assert answer.status_code == 204 and not any(k.startswith("Access-Control-") for k in answer.headers)
    assert "Strict-Transport-Security" not in answer.headers


@pytest.mark.timeout(120)
def test_a_safe_correlation_id_is_kept_anything_else_replaced(suite):
    kept = _raw(suite, "GET", "/api/v1/agencies", headers={"X-Correlation-ID": "console.req-42_a"})
    assert kept.headers["X-Correlation-ID"] == "console.req-42_a"
    for bad in ("x" * 65, "a b", "id\u00e9", "../../etc", "a;b"):
        replaced = _raw(suite, "GET", "/api/v1/agencies", headers={"X-Correlation-ID": bad.encode().decode("latin-1")})
        fresh = replaced.headers["X-Correlation-ID"]
        assert fresh != bad and len(fresh) == 32 and fresh.isalnum(), (bad, fresh)
