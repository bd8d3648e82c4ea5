"""Certificate renewal over HTTP: only inside the renewal window and after a renewal exam passed in it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from enforcement_testing import RUN_DATE, publish_event, wait_until
from test_http import SCJ, feed_training, register

from enforcement_contracts.training import exams as training_exams


@pytest.mark.timeout(120)
def test_renewal_needs_the_window_and_a_renewal_exam(suite):
    admin = suite.admin()
    today = RUN_DATE
    issued_on = date(today.year - 5, today.month, 1) + timedelta(days=40)  # expires in about 40 days
    officer = register(admin, SCJ, 401)
    feed_training(suite.amqp_uri, officer["officer_id"], SCJ, issued_on.year)
    wait_until(
        lambda: admin.get(f"/officers/{officer['officer_id']}/eligibility", params={"year": issued_on.year}).json()[
            "eligible"
        ],
        message="training facts arrived",
    )
    cert = admin.post(
        "/certificates",
        json={
            "officer_id": officer["officer_id"],
            "domains": ["market_supervision"],
            "issued_on": issued_on.isoformat(),
        },
    )
    assert cert.status_code == 201, cert.text
    cert = cert.json()
    assert date.fromisoformat(cert["renewal_window_opens"]) <= today <= date.fromisoformat(cert["expires_on"])

    refused = admin.post(f"/certificates/{cert['number']}/renewal")
    assert refused.status_code == 409 and "renewal exam" in refused.json()["message"]

    publish_event(
        suite.amqp_uri,
        training_exams.EXAM_PASSED,
        {
            "result_id": f"renewal-{officer['officer_id']}",
            "officer_id": officer["officer_id"],
            "agency_code": SCJ,
            "exam_kind": "renewal",
            "score": 75,
            "pass_mark": 60,
            "sat_on": today.isoformat(),
        },
    )

    def renewed():
        response = admin.post(f"/certificates/{cert['number']}/renewal")
        return response.json() if response.status_code == 200 else None

    after = wait_until(renewed, message="renewal accepted once the exam result arrived")
    old_expiry = date.fromisoformat(cert["expires_on"])
    assert date.fromisoformat(after["expires_on"]) == old_expiry.replace(year=old_expiry.year + 5)
    again = admin.post(f"/certificates/{cert['number']}/renewal")
    assert again.status_code == 409 and "renewal window" in again.json()["message"]


@pytest.mark.timeout(120)
def test_expired_certificate_is_announced_once_by_the_timer(suite, collect_events):
    admin = suite.admin()
    today = RUN_DATE
    issued_on = date(today.year - 5, today.month, 1) - timedelta(days=20)  # expired about three weeks ago
    officer = register(admin, SCJ, 402)
    feed_training(suite.amqp_uri, officer["officer_id"], SCJ, issued_on.year)
    wait_until(
        lambda: admin.get(f"/officers/{officer['officer_id']}/eligibility", params={"year": issued_on.year}).json()[
            "eligible"
        ],
        message="training facts arrived",
    )
    cert = admin.post(
        "/certificates",
        json={
            "officer_id": officer["officer_id"],
            "domains": ["market_supervision"],
            "issued_on": issued_on.isoformat(),
        },
    ).json()
    check = suite.anonymous().get(f"/public/certificates/{cert['number']}", params={"code": cert["check_code"]}).json()
    assert check["valid"] is False and check["status"] == "expired"

    outside = collect_events("personnel", "certificate.expired")
    for _ in range(2):  # the timer runs at every start; the second start must not announce it again
        suite.personnel.stop()
        suite.personnel.start()
    events = outside.collect_for(3)
    assert [e["data"]["certificate_number"] for e in events] == [cert["number"]]
    assert events[0]["data"]["expired_on"] == (date.fromisoformat(cert["expires_on"]) + timedelta(days=1)).isoformat()
    assert (
        suite.personnel.metric(
            "enforcement_calls_total",
            service="personnel",
            kind="timer",
            entrypoint="announce_expired_certificates",
            outcome="ok",
        )
        >= 1
    )
