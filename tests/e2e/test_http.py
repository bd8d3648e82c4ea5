"""End to end over HTTP: the gateway and the personnel service as real processes on the real broker."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

import pytest
from enforcement_testing import RUN_DATE, db_count, db_counts, metric_value, publish_event, valid_id_number, wait_until
from openapi_spec_validator import validate

from enforcement_contracts.training import compliance as training_compliance
from enforcement_contracts.training import exams as training_exams
from enforcement_kernel.workdays import workdays_between

SCJ = "140928-scjgj"  # 县市场监管局
NRJ = "140928-nyncj"  # 县农业农村局
PASSWORD = "a-long-enough-password"


def workdays_ago(n: int, today: date | None = None) -> date:
    today = today or RUN_DATE
    day = today
    while workdays_between(day, today) < n:
        day -= timedelta(days=1)
    return day


def agency_admin(suite, admin, agency_code: str, username: str):
    response = admin.post(
        "/users", json={"username": username, "password": PASSWORD, "role": "agency_admin", "agency_code": agency_code}
    )
    assert response.status_code == 201, response.text
    return suite.login(username, PASSWORD)


def register(api, agency_code: str, seq: int, domains=("market_supervision",)):
    response = api.post(
        "/officers",
        json={
            "agency_code": agency_code,
            "name": f"执法员{seq}",
            "id_number": valid_id_number(seq),
            "domains": list(domains),
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def feed_training(amqp_uri, officer_id: str, agency_code: str, year: int, public_law=30.0, professional=30.0):
    """What the training service will publish: the year's hours and a passed qualification exam."""
    publish_event(
        amqp_uri,
        training_compliance.HOURS_UPDATED,
        {
            "officer_id": officer_id,
            "agency_code": agency_code,
            "year": year,
            "revision": 1,
            "hours_by_category": {"public_law": public_law, "professional": professional},
            "required_courses_done": True,
        },
    )
    publish_event(
        amqp_uri,
        training_exams.EXAM_PASSED,
        {
            "result_id": f"exam-{officer_id}",
            "officer_id": officer_id,
            "agency_code": agency_code,
            "exam_kind": "qualification",
            "score": 82,
            "pass_mark": 60,
            "sat_on": date(year, 3, 1).isoformat(),
        },
    )


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
@pytest.mark.timeout(180)
@pytest.mark.parametrize("suite", [None, "postgresql"], indirect=True, ids=["sqlite", "postgresql"])
def test_officer_lifecycle_over_http(suite, collect_events):
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-admin")
    # another government system subscribing to officers, certificates and promptness (seeded
    # agency.registered events are retried until some queue takes them, so "#" would see those too)
    outside = collect_events("personnel", "officer.*", "certificate.*", "promptness.*")
    id_number = valid_id_number(101)

    officer = scj.post(
        "/officers",
        json={"agency_code": SCJ, "name": "王五", "id_number": id_number, "domains": ["market_supervision"]},
    ).json()
    assert officer["id_number_masked"] == id_number[:6] + "********" + id_number[-4:]
    assert "id_number" not in officer

    # the agency applies (申领) for its officer; the issuing authority (the bureau) approves, which issues the card
    request = {"officer_id": officer["officer_id"], "domains": ["market_supervision"]}
    refused = scj.post("/certificate-applications", json=request)
    assert refused.status_code == 409
    assert any("qualification exam" in reason for reason in refused.json()["fields"]["officer_id"])

    feed_training(suite.amqp_uri, officer["officer_id"], SCJ, RUN_DATE.year)
    wait_until(
        lambda: scj.get(f"/officers/{officer['officer_id']}/eligibility").json()["eligible"],
        message="personnel's read model has the training facts",
    )
    assert scj.post("/certificates", json=request).status_code == 403  # an agency never issues its own
    filed = scj.post("/certificate-applications", json=request)
    assert filed.status_code == 201 and filed.json()["state"] == "pending", filed.text
    application = filed.json()["application_id"]
    assert scj.post(f"/certificate-applications/{application}/approval").status_code == 403
    approved = admin.post(f"/certificate-applications/{application}/approval")
    assert approved.status_code == 200 and approved.json()["state"] == "approved", approved.text
    number = approved.json()["certificate_number"]
    assert number.startswith(f"140928{RUN_DATE.year}")
    mine = scj.get("/certificate-applications", params={"officer_id": officer["officer_id"]}).json()
    assert [a["application_id"] for a in mine["items"]] == [application] and mine["total"] == 1
    assert scj.get("/certificate-applications", params={"officer_id": "nobody"}).json()["total"] == 0

    second = scj.post("/certificate-applications", json=request)
    assert second.status_code == 409 and "already" in second.json()["message"]

    public = suite.anonymous()
    code = scj.get(f"/certificates/{number}").json()["check_code"]  # printed on the card and in its QR link
    check = public.get(f"/public/certificates/{number}", params={"code": code}).json()
    assert check["valid"] is True and check["holder_name"] == "王五" and "id_number" not in json.dumps(check)
    # without the code (or with a wrong one) the check answers validity only: numbers cannot be walked for names
    for params in ({}, {"code": "WRONG234"}):
        assert public.get(f"/public/certificates/{number}", params=params).json() == {
            "number": number,
            "valid": True,
            "details": False,
        }

    departed_on = workdays_ago(8)
    departure = scj.post(
        f"/officers/{officer['officer_id']}/departure",
        json={"reason": "transfer", "departed_on": departed_on.isoformat()},
        headers={"X-Correlation-ID": "e2e-departure-1"},
    )
    assert departure.status_code == 201, departure.text
    assert departure.json()["certificate_cancelled"] is True
    assert departure.headers["X-Correlation-ID"] == "e2e-departure-1"

    check = public.get(f"/public/certificates/{number}", params={"code": code}).json()
    assert check["valid"] is False and check["status"] == "cancelled"

    # the outside subscriber got the story, with the request's correlation id and no ID number
    expected = {
        "personnel.officer.registered",
        "personnel.certificate.issued",
        "personnel.certificate.status_changed",
        "personnel.promptness.measured",
        "personnel.officer.departed",
    }
    wait_until(
        lambda: expected <= {e["type"] for e in outside.collect_for(0.2)},
        timeout=15,
        message="the departure's events reached the outside subscriber",
    )
    departed = outside.of_type("personnel.officer.departed")[0]
    assert departed["correlationid"] == "e2e-departure-1"
    assert departed["data"] == {
        "officer_id": officer["officer_id"],
        "agency_code": SCJ,
        "reason": "transfer",
        "departed_on": departed_on.isoformat(),
        "certificate_number": number,
        "certificate_cancelled": True,
    }
    measured = {e["data"]["kind"]: e["data"] for e in outside.of_type("personnel.promptness.measured")}
    assert measured["certificate_cancelled"]["workdays_taken"] == 8
    assert measured["certificate_cancelled"]["on_time"] is False
    decided = measured["certificate_application_decided"]  # the issuing authority's wait, decided the same day
    assert (decided["agency_code"], decided["workdays_taken"], decided["on_time"]) == ("140928-sfj", 0, True)
    assert id_number not in json.dumps(outside.received)

    # the promptness measurement on the service's /metrics, labelled by agency
    assert (
        suite.personnel.wait_metric(
            "enforcement_promptness_measurements_total",
            1,
            service="personnel",
            agency=SCJ,
            kind="certificate_cancelled",
            on_time="false",
        )
        == 1
    )
    rows = scj.get("/promptness").json()
    assert rows == [
        {
            "agency_code": SCJ,
            "kind": "certificate_cancelled",
            "measurements": 1,
            "on_time": 0,
            "on_time_ratio": 0.0,
            "mean_workdays": 8.0,
        }
    ]

    # gateway metrics name the route template, never the officer's id
    gateway_metrics = suite.gateway.metrics_text()
    assert (
        metric_value(
            gateway_metrics,
            "enforcement_calls_total",
            service="gateway",
            kind="http",
            entrypoint="POST /api/v1/officers/<officer_id>/departure",
            outcome="ok",
        )
        == 1
    )
    assert officer["officer_id"] not in gateway_metrics and id_number not in gateway_metrics

    # the audit trail: who did what, when, with which outcome
    audit = admin.get("/audit", params={"actor": "scj-admin"}).json()["items"]
    actions = [(a["action"], a["status"]) for a in audit]
    assert ("POST /api/v1/officers", 201) in actions
    assert ("POST /api/v1/certificate-applications", 409) in actions
    assert ("POST /api/v1/certificates", 403) in actions
    assert ("POST /api/v1/officers/<officer_id>/departure", 201) in actions
    assert ("POST /api/v1/auth/login", 200) in actions
    assert any(a["correlation_id"] == "e2e-departure-1" for a in audit)
    for log in (suite.personnel.log_text(), suite.gateway.log_text()):
        assert id_number not in log


# Every refusal of a family of routes against one running suite (starting one takes ~15 s): longer than 50 lines.
@pytest.mark.timeout(120)
def test_bad_input_is_a_clear_4xx_and_writes_nothing(suite):
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-admin")
    other = register(admin, NRJ, 201, domains=("agriculture",))
    register(admin, NRJ, 203, domains=("agriculture",))  # two: a list of them continues after a cursor
    before = db_counts(suite.personnel_db, "officers", "certificates", "departures", "outbox_events")

    def expect(response, status, field=None):
        assert response.status_code == status, response.text
        body = response.json()
        assert "Traceback" not in response.text and body["error"] and body["message"]
        if field:
            assert field in body["fields"], body
        return body

    good = {"agency_code": SCJ, "name": "赵六", "id_number": valid_id_number(202), "domains": ["market_supervision"]}
    expect(scj.post("/officers", data="{not json", headers={"Content-Type": "application/json"}), 400, "_body")
    expect(scj.post("/officers", data="[1, 2]", headers={"Content-Type": "application/json"}), 400, "_body")
    expect(scj.post("/officers", json={**good, "name": 123}), 400, "name")
    expect(scj.post("/officers", json={**good, "domains": "market_supervision"}), 400, "domains")
    expect(scj.post("/officers", json={**good, "nickname": "x"}), 400, "nickname")
    expect(scj.post("/officers", json={k: v for k, v in good.items() if k != "name"}), 400, "name")
    bad_digit = good["id_number"][:-1] + ("0" if good["id_number"][-1] != "0" else "1")
    assert (
        "check character"
        in expect(scj.post("/officers", json={**good, "id_number": bad_digit}), 400, "id_number")["fields"][
            "id_number"
        ][0]
    )
    expect(admin.post("/officers", json={**good, "agency_code": "140928-nowhere"}), 400, "agency_code")
    expect(
        scj.post(
            "/officers",
            data=json.dumps({**good, "position": "x" * 70000}),
            headers={"Content-Type": "application/json"},
        ),
        413,
        "_body",
    )
    expect(scj.post("/officers", data=json.dumps(good), headers={"Content-Type": "text/plain"}), 415, "_body")
    expect(scj.get("/officers", params={"per_page": "lots"}), 400, "per_page")
    expect(scj.get("/officers", params={"colour": "red"}), 400, "colour")
    # a list continued from a cursor: a malformed one, or one with a page number, is a 400 naming after (audit too)
    first = admin.get("/officers", params={"per_page": 1, "agency_code": NRJ}).json()
    assert first["total_exact"] is True and first["next"] and first["total"] == 2, first
    after = admin.get("/officers", params={"per_page": 1, "agency_code": NRJ, "after": first["next"]}).json()
    assert after["items"] and after["items"] != first["items"] and after["next"] is None
    expect(admin.get("/officers", params={"after": "not-a-cursor"}), 400, "after")
    expect(admin.get("/officers", params={"after": first["next"], "page": 2}), 400, "after")
    expect(admin.get("/audit", params={"after": first["next"]}), 400, "after")  # another list's cursor
    expect(
        scj.post(
            f"/officers/{other['officer_id']}/departure",
            json={"reason": "retirement", "departed_on": (RUN_DATE + timedelta(days=3)).isoformat()},
        ),
        403,
    )
    expect(
        admin.post(
            f"/officers/{other['officer_id']}/departure",
            json={"reason": "retirement", "departed_on": (RUN_DATE + timedelta(days=3)).isoformat()},
        ),
        400,
        "departed_on",
    )
    expect(
        admin.post(
            f"/officers/{other['officer_id']}/departure", json={"reason": "holiday", "departed_on": "2026-01-05"}
        ),
        400,
        "reason",
    )
    expect(
        admin.post("/certificates", json={"officer_id": other["officer_id"], "domains": ["agriculture"]}),
        409,
        "officer_id",
    )
    expect(admin.get("/officers/no-such-officer"), 404)

    # an agency administrator touching another agency: refused, on reads and writes alike
    expect(scj.post("/officers", json={**good, "agency_code": NRJ}), 403)
    expect(scj.get(f"/officers/{other['officer_id']}"), 403)
    expect(scj.patch(f"/officers/{other['officer_id']}", json={"position": "科长"}), 403)
    expect(scj.get("/officers", params={"agency_code": NRJ}), 403)
    assert all(o["agency_code"] == SCJ for o in scj.get("/officers").json()["items"])

    assert db_counts(suite.personnel_db, "officers", "certificates", "departures", "outbox_events") == before
    assert db_count(suite.personnel_db, "officers", "name = :n", n="赵六") == 0


@pytest.mark.timeout(120)
def test_authentication_roles_and_lockout(suite):
    admin = suite.admin()
    public = suite.anonymous()
    assert public.get("/agencies").status_code == 401
    assert (
        suite.anonymous().session.get(f"{suite.base}/agencies", headers={"Authorization": "Bearer forged"}).status_code
        == 401
    )
    assert public.get("/public/certificates/0000").status_code == 404  # public, no token needed

    officer = register(admin, SCJ, 301)
    created = admin.post(
        "/users",
        json={
            "username": "officer-301",
            "password": PASSWORD,
            "role": "officer",
            "agency_code": SCJ,
            "officer_id": officer["officer_id"],
        },
    )
    assert created.status_code == 201, created.text
    as_officer = suite.login("officer-301", PASSWORD)
    assert as_officer.get(f"/officers/{officer['officer_id']}").status_code == 200  # own record
    assert (
        as_officer.post(
            "/officers", json={"agency_code": SCJ, "name": "x", "id_number": valid_id_number(302)}
        ).status_code
        == 403
    )
    assert as_officer.get("/users").status_code == 403
    weak = admin.post("/users", json={"username": "weak", "password": "short", "role": "bureau"})
    assert weak.status_code == 400 and "password" in weak.json()["fields"]

    for _ in range(5):
        wrong = public.post("/auth/login", json={"username": "officer-301", "password": "wrong-password"})
        assert wrong.status_code == 401
    # throttled: even the right password gets the one refusal, and the tokens issued before it are revoked
    locked = public.post("/auth/login", json={"username": "officer-301", "password": PASSWORD})
    assert locked.status_code == 401 and locked.json()["message"] == "invalid credentials"
    assert as_officer.get(f"/officers/{officer['officer_id']}").status_code == 401
    failures = [
        a
        for a in admin.get("/audit", params={"actor": "officer-301"}).json()["items"]
        if a["action"] == "POST /api/v1/auth/login" and a["status"] == 401
    ]
    assert len(failures) == 6

    assert admin.post("/auth/logout").status_code == 200
    assert admin.get("/agencies").status_code == 401


@pytest.mark.timeout(120)
def test_gateway_answers_503_within_its_timeout_when_personnel_is_down(suite):
    admin = suite.admin()
    assert admin.get("/agencies").status_code == 200
    suite.personnel.stop()
    started = time.monotonic()
    response = admin.get("/agencies")
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "unavailable" and "personnel" in response.json()["message"]
    assert elapsed < 4.5, f"RPC_TIMEOUT is 2 s; the gateway took {elapsed:.1f} s"
    assert (
        suite.gateway.metric(
            "enforcement_calls_total",
            service="gateway",
            kind="http",
            entrypoint="GET /api/v1/agencies",
            outcome="unavailable",
        )
        == 1
    )
    # and it recovers once the service is back
    suite.personnel.start()
    assert admin.get("/agencies").status_code == 200


@pytest.mark.timeout(120)
def test_openapi_document_and_offline_docs_page(suite):
    public = suite.anonymous().session
    spec = public.get(f"{suite.root}/openapi.json", timeout=10).json()
    validate(spec)
    assert "/api/v1/officers/{officer_id}/departure" in spec["paths"]
    page = public.get(f"{suite.root}/docs", timeout=10)
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text
    asset = public.get(f"{suite.root}/docs/assets/swagger-ui-bundle.js", timeout=10)
    assert asset.status_code == 200 and len(asset.content) > 100_000
