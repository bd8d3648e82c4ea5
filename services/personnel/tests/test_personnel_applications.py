"""Certificate applications (申领) and personnel's deadline watch, in process with the real broker, on SQLite and
PostgreSQL: the agency applies, the issuing authority (the bureau) approves, which issues the certificate, or refuses
with reasons; an agency never issues its own officers' certificates; the wait is the authority's promptness figure.
The watch announces a certificate not taken back after a departure and an application left undecided, once each.
"""

from __future__ import annotations

import pytest
from enforcement_testing import BUREAU, RUN_DATE, db_connection, db_counts, db_rows
from sqlalchemy import text

from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement_kernel.workdays import add_workdays, workdays_between

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"  # 县市场监管局
TRANSPORT = "140928-jtysj"  # 县交通运输局
AUTHORITY = "140928-sfj"  # 县司法局, issuing for the county government (the default setting)
MARKET_DOMAIN = "market_supervision"
MARKET_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
TRANSPORT_ADMIN = {"username": "jt-admin", "role": "agency_admin", "agency_code": TRANSPORT}
WRITES = ("certificates", "certificate_applications", "promptness_measurements", "outbox_events")
LATE = "enforcement_promptness_measurements_total"


def eligible_officer(personnel, staff, seq: int) -> dict:
    officer = personnel.call("register_officer", BUREAU, staff.officer_payload(seq))
    staff.feed_training_facts(officer, RUN_DATE.year)
    staff.wait_eligible(officer["officer_id"])
    return officer


# One scenario told in order (filing, refusals of what an agency may not do, approval, its events): over 50 lines.
def test_the_agency_applies_and_the_bureau_approves_which_issues_the_certificate(personnel, staff, collect_events):
    events = collect_events("personnel", "certificate.issued", "promptness.measured")
    officer = eligible_officer(personnel, staff, 201)
    oid, today = officer["officer_id"], RUN_DATE
    request = {"officer_id": oid, "domains": [MARKET_DOMAIN]}

    filed = personnel.call("file_certificate_application", MARKET_ADMIN, request)
    assert {k: filed[k] for k in ("officer_id", "officer_name", "agency_code", "domains", "state", "filed_by")} == {
        "officer_id": oid,
        "officer_name": officer["name"],
        "agency_code": MARKET,
        "domains": [MARKET_DOMAIN],
        "state": "pending",
        "filed_by": "scj-admin",
    }
    assert filed["filed_on"] == today.isoformat() and filed["due_on"] == add_workdays(today, 20).isoformat()
    assert filed["overdue"] is False and filed["deadline_workdays"] == 20 and filed["certificate_number"] is None
    assert filed["issuing_authority"] == "五寨县人民政府（县司法局承办）"
    app_id = filed["application_id"]

    with pytest.raises(Conflict) as twice:
        personnel.call("file_certificate_application", MARKET_ADMIN, request)
    assert twice.value.fields == {"officer_id": ["an application is already pending"]}

    # the agency can neither decide its own application nor issue directly; another agency cannot even read it
    before = db_counts(personnel.database_url, *WRITES)
    for attempt in (
        lambda: personnel.call("approve_certificate_application", MARKET_ADMIN, app_id),
        lambda: personnel.call("refuse_certificate_application", MARKET_ADMIN, app_id, {"reason": "自行退回"}),
        lambda: personnel.call("issue_certificate", MARKET_ADMIN, request),
        lambda: personnel.call("get_certificate_application", TRANSPORT_ADMIN, app_id),
        lambda: personnel.call("list_certificate_applications", TRANSPORT_ADMIN, {"agency_code": MARKET}),
        lambda: personnel.call("list_certificate_applications", {"username": "o", "role": "officer"}, {}),
    ):
        with pytest.raises(Forbidden):
            attempt()
    assert db_counts(personnel.database_url, *WRITES) == before
    assert personnel.call("list_certificate_applications", TRANSPORT_ADMIN, {})["total"] == 0
    assert [
        a["application_id"] for a in personnel.call("list_certificate_applications", MARKET_ADMIN, {})["items"]
    ] == [app_id]

    approved = personnel.call("approve_certificate_application", BUREAU, app_id)
    assert approved["state"] == "approved" and approved["decided_on"] == today.isoformat()
    assert approved["decided_by"] == BUREAU["username"] and approved["overdue"] is False
    cert = personnel.call("get_certificate", MARKET_ADMIN, approved["certificate_number"])
    assert (cert["status"], cert["officer_id"], cert["agency_code"]) == ("valid", oid, MARKET)
    assert cert["number"].startswith(f"140928{today.year}") and cert["domains"] == [MARKET_DOMAIN]
    assert cert["history"][0]["actor"] == BUREAU["username"]
    with pytest.raises(Conflict) as decided:
        personnel.call("refuse_certificate_application", BUREAU, app_id, {"reason": "重复处理"})
    assert decided.value.fields == {"application_id": ["already approved"]}
    assert personnel.call("get_certificate_application", MARKET_ADMIN, app_id)["state"] == "approved"

    received = {e["type"]: e for e in events.wait_for(2)}
    assert received["personnel.certificate.issued"]["subject"] == cert["number"]
    measured = received["personnel.promptness.measured"]
    assert measured["subject"] == app_id
    assert {k: v for k, v in measured["data"].items() if k not in ("started_on", "ended_on")} == {
        "agency_code": AUTHORITY,
        "kind": "certificate_application_decided",
        "reference": app_id,
        "workdays_taken": 0,
        "deadline_workdays": 20,
        "on_time": True,
        "seconds_taken": None,
        "deadline_unit": "workdays",
        "taken": 0.0,
        "deadline": 20.0,
    }
    table = {(r["agency_code"], r["kind"]): r for r in personnel.call("promptness", BUREAU)}
    assert table[(AUTHORITY, "certificate_application_decided")]["on_time_ratio"] == 1.0


def test_a_refusal_needs_its_reasons_and_an_ineligible_officer_cannot_be_applied_for(personnel, staff):
    officer = eligible_officer(personnel, staff, 202)
    request = {"officer_id": officer["officer_id"], "domains": [MARKET_DOMAIN]}
    app_id = personnel.call("file_certificate_application", MARKET_ADMIN, request)["application_id"]

    for payload, field in (({}, "reason"), ({"reason": "否"}, "reason"), ({"reason": "x", "note": "y"}, "note")):
        with pytest.raises(ValidationFailed) as bad:
            personnel.call("refuse_certificate_application", BUREAU, app_id, payload)
        assert field in bad.value.fields
    assert personnel.call("get_certificate_application", BUREAU, app_id)["state"] == "pending"
    with pytest.raises(NotFound):
        personnel.call("approve_certificate_application", BUREAU, "no-such-application")

    refused = personnel.call("refuse_certificate_application", BUREAU, app_id, {"reason": "申领材料不全，请补正"})
    assert (refused["state"], refused["refusal_reason"], refused["certificate_number"]) == (
        "refused",
        "申领材料不全，请补正",
        None,
    )
    # refused, the agency may apply again; the bureau's queue lists the pending one first
    again = personnel.call("file_certificate_application", MARKET_ADMIN, request)
    queue = personnel.call("list_certificate_applications", BUREAU, {"agency_code": MARKET})["items"]
    assert [a["application_id"] for a in queue] == [again["application_id"], app_id]
    pending = personnel.call("list_certificate_applications", BUREAU, {"state": "pending"})
    assert pending["total"] == 1 and pending["items"][0]["application_id"] == again["application_id"]
    with pytest.raises(ValidationFailed) as bad_state:
        personnel.call("list_certificate_applications", BUREAU, {"state": "lost"})
    assert "state" in bad_state.value.fields

    untrained = personnel.call("register_officer", BUREAU, staff.officer_payload(203))
    before = db_counts(personnel.database_url, *WRITES)
    with pytest.raises(Conflict) as ineligible:
        personnel.call(
            "file_certificate_application",
            MARKET_ADMIN,
            {"officer_id": untrained["officer_id"], "domains": [MARKET_DOMAIN]},
        )
    assert "not eligible" in str(ineligible.value) and "officer_id" in ineligible.value.fields
    with pytest.raises(ValidationFailed) as outside:
        personnel.call("file_certificate_application", MARKET_ADMIN, {**request, "domains": ["transport"]})
    assert "domains" in outside.value.fields
    assert db_counts(personnel.database_url, *WRITES) == before


# One scenario told in order (a departure left open, the watch, the late cancellation): over 50 lines.
def test_the_watch_announces_a_card_not_taken_back_once_and_the_late_cancellation_is_not_counted_twice(
    personnel, staff, collect_events, metric
):
    officer, cert = staff.certified_officer(204)
    events = collect_events("personnel", "deadline.missed", "promptness.measured")
    today = RUN_DATE
    departed_on = add_workdays(today, -8)
    assert workdays_between(departed_on, today) > 5, "the test needs a departure beyond the 5 working days"
    labels = {"service": "personnel", "agency": MARKET, "kind": "certificate_cancelled"}
    late_before = metric(LATE, on_time="false", **labels)

    departure = personnel.call(
        "record_departure",
        MARKET_ADMIN,
        officer["officer_id"],
        {"reason": "transfer", "departed_on": departed_on.isoformat(), "cancel_certificate": False},
    )
    assert departure["certificate_cancelled"] is False
    # the public check no longer says valid, though the card is not taken back yet
    check = personnel.call("check_certificate", cert["number"], cert["check_code"])
    assert (check["valid"], check["status"], check["reason_code"]) == (False, "valid", "holder_departed")
    assert check["reason"] == f"holder left the enforcement post on {departed_on.isoformat()}"
    assert check["holder_departed_on"] == departed_on.isoformat()

    personnel.call("watch_deadlines")
    personnel.call("watch_deadlines")
    [missed] = events.wait_for(1)
    assert missed["type"] == "personnel.deadline.missed" and missed["subject"] == cert["number"]
    assert missed["data"] == {
        "agency_code": MARKET,
        "kind": "certificate_cancelled",
        "reference": cert["number"],
        "started_on": departed_on.isoformat(),
        "due_on": add_workdays(departed_on, 5).isoformat(),
        "detected_on": today.isoformat(),
        "deadline": 5.0,
        "deadline_unit": "workdays",
    }
    assert officer["name"] not in str(missed)
    assert metric(LATE, on_time="false", **labels) - late_before == 1
    assert len(db_rows(personnel.database_url, "SELECT id FROM deadline_misses")) == 1

    # taken back at last: measured late, but the late count is not added a second time
    personnel.call("change_certificate_status", MARKET_ADMIN, cert["number"], {"status": "cancelled", "reason": "收回"})
    measured = [e for e in events.wait_for(2) if e["type"] == "personnel.promptness.measured"]
    assert [m["data"]["on_time"] for m in measured] == [False]
    assert measured[0]["data"]["workdays_taken"] == workdays_between(departed_on, today)
    assert metric(LATE, on_time="false", **labels) - late_before == 1
    personnel.call("watch_deadlines")
    assert len(events.collect_for(1.0)) == 2, "nothing more to announce"


def test_the_watch_announces_an_application_left_undecided_once_against_the_issuing_authority(
    personnel, staff, collect_events
):
    officer = eligible_officer(personnel, staff, 205)
    events = collect_events("personnel", "deadline.missed")
    request = {"officer_id": officer["officer_id"], "domains": [MARKET_DOMAIN]}
    app_id = personnel.call("file_certificate_application", MARKET_ADMIN, request)["application_id"]
    personnel.call("watch_deadlines")  # 20 working days are not over
    filed_on = add_workdays(RUN_DATE, -23)
    assert workdays_between(filed_on, RUN_DATE) > 20, "the test needs a filing beyond the 20 working days"
    with db_connection(personnel.database_url) as conn:  # filed a month ago, as history says
        conn.execute(text("UPDATE certificate_applications SET filed_on = :on"), {"on": filed_on})
        conn.commit()
    assert personnel.call("get_certificate_application", MARKET_ADMIN, app_id)["overdue"] is True

    personnel.call("watch_deadlines")
    personnel.call("watch_deadlines")
    [missed] = events.wait_for(1)
    data = missed["data"]
    assert (data["agency_code"], data["kind"], data["reference"]) == (
        AUTHORITY,
        "certificate_application_decided",
        app_id,
    )
    assert (data["started_on"], data["due_on"]) == (filed_on.isoformat(), add_workdays(filed_on, 20).isoformat())
    assert (data["deadline"], data["deadline_unit"]) == (20.0, "workdays")
    assert len(events.collect_for(1.0)) == 1
