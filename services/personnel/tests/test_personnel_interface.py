"""The personnel service's entrypoints in process (nameko's container and ``entrypoint_hook``), on SQLite and on
PostgreSQL, with the real broker.

Every test runs the service class in this process against a fresh database (migrated and seeded as the operators'
commands do), calls its entrypoints as a worker would, and watches its events from a plain kombu queue as any outside
subscriber would. Training facts are fed in as ``training.*`` events, the way the training service publishes them.
What the deployed process writes to its logs is checked in test_personnel_deployed.py.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta

import pytest
from enforcement_testing import (
    BUREAU,
    RUN_DATE,
    db_counts,
    db_rows,
    valid_id_number,
    wrong_check_char,
)

from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement_kernel.workdays import add_workdays, workdays_between

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"  # 县市场监管局
TRANSPORT = "140928-jtysj"  # 县交通运输局
MARKET_DOMAIN = "market_supervision"

#: Tables a refused request must leave untouched.
WRITE_TABLES = ("officers", "certificates", "departures", "assessments", "outbox_events")


# --- certificates ------------------------------------------------------------------------------
def test_certificate_requires_training_facts_and_then_is_issued_once(personnel, staff, collect_events):
    events = collect_events("personnel", "certificate.issued")
    officer = personnel.call("register_officer", BUREAU, staff.officer_payload(2))
    oid = officer["officer_id"]
    request = {"officer_id": oid, "domains": [MARKET_DOMAIN]}

    with pytest.raises(Conflict) as refused:
        personnel.call("issue_certificate", BUREAU, request)
    reasons = refused.value.fields["officer_id"]
    assert any("public legal knowledge" in r for r in reasons), reasons
    assert any("professional" in r for r in reasons), reasons
    assert any("required course" in r for r in reasons), reasons
    assert any("exam" in r for r in reasons), reasons
    assert "not eligible" in str(refused.value)
    assert db_rows(personnel.database_url, "SELECT COUNT(*) AS n FROM certificates")[0]["n"] == 0

    today = RUN_DATE
    staff.feed_training_facts(officer, today.year)
    eligibility = staff.wait_eligible(oid)
    assert eligibility["reasons"] == []

    cert = personnel.call("issue_certificate", BUREAU, request)
    assert cert["status"] == "valid" and cert["officer_id"] == oid and cert["agency_code"] == MARKET
    assert cert["number"].startswith(f"140928{today.year}") and cert["issued_on"] == today.isoformat()
    assert cert["domains"] == [MARKET_DOMAIN]

    with pytest.raises(Conflict) as second:
        personnel.call("issue_certificate", BUREAU, request)
    assert second.value.fields == {"officer_id": ["already certified"]}
    assert len(db_rows(personnel.database_url, "SELECT number FROM certificates WHERE officer_id = :o", o=oid)) == 1

    check = personnel.call("check_certificate", cert["number"], cert["check_code"])
    assert check["valid"] is True and check["status"] == "valid"
    assert check["holder_name"] == officer["name"] and check["agency_name"] == "县市场监管局"
    assert "id_number" not in json.dumps(check)

    allowed = personnel.call("may_enforce", {"officer_id": oid, "domain": MARKET_DOMAIN, "on_date": today.isoformat()})
    assert allowed["allowed"] is True and allowed["certificate_number"] == cert["number"]
    other = personnel.call("may_enforce", {"officer_id": oid, "domain": "transport", "on_date": today.isoformat()})
    assert other["allowed"] is False and "transport" in other["reason"]

    [issued] = events.wait_for(1)
    assert issued["type"] == "personnel.certificate.issued"
    assert issued["data"]["certificate_number"] == cert["number"] and issued["subject"] == cert["number"]


# --- departures and promptness --------------------------------------------------------------------
def test_departure_cancels_certificate_and_measures_promptness(personnel, staff, collect_events, metric):
    # one scenario kept whole (over 50 lines): two departures, their events, metrics, table and yearly facts build
    # on each other, and splitting it would repeat the certification of both officers
    late_officer, late_cert = staff.certified_officer(3)
    prompt_officer, prompt_cert = staff.certified_officer(4)
    events = collect_events("personnel", "certificate.status_changed", "officer.departed", "promptness.measured")
    today = RUN_DATE
    personnel.call("register_officer", BUREAU, staff.officer_payload(30, TRANSPORT))  # in post, never certified
    before = {f["agency_code"]: f for f in personnel.call("agency_certification_facts", BUREAU, today.year)}
    assert before[MARKET] == {
        "agency_code": MARKET,
        "officers": 2,
        "certified": 2,
        "certificates_issued": 2,
        "certificates_cancelled": 0,
    }
    assert (before[TRANSPORT]["officers"], before[TRANSPORT]["certified"]) == (1, 0)
    departed_on = add_workdays(today, -8)
    taken = workdays_between(departed_on, today)
    assert taken > 5, "the test needs a departure beyond the 5-working-day deadline"

    name = "enforcement_promptness_measurements_total"
    labels = {"service": "personnel", "agency": MARKET, "kind": "certificate_cancelled"}
    late_before, on_time_before = metric(name, on_time="false", **labels), metric(name, on_time="true", **labels)

    late = personnel.call(
        "record_departure",
        BUREAU,
        late_officer["officer_id"],
        {"reason": "transfer", "departed_on": departed_on.isoformat()},
    )
    assert late["certificate_cancelled"] is True and late["certificate_number"] == late_cert["number"]
    on_time = personnel.call(
        "record_departure",
        BUREAU,
        prompt_officer["officer_id"],
        {"reason": "retirement", "departed_on": today.isoformat()},
    )
    assert on_time["certificate_cancelled"] is True

    cert = personnel.call("get_certificate", BUREAU, late_cert["number"])
    assert cert["status"] == "cancelled" and cert["cancelled_on"] == today.isoformat()
    assert personnel.call("check_certificate", late_cert["number"])["valid"] is False
    record = personnel.call("get_officer", BUREAU, late_officer["officer_id"])
    assert record["status"] == "departed" and record["departed_on"] == departed_on.isoformat()
    assert record["certificate_status"] == "cancelled"
    assert (
        personnel.call(
            "may_enforce",
            {"officer_id": late_officer["officer_id"], "domain": MARKET_DOMAIN, "on_date": today.isoformat()},
        )["allowed"]
        is False
    )

    received = events.wait_for(6)
    by_subject = {(e["type"], e["subject"]): e for e in received}
    changed = by_subject[("personnel.certificate.status_changed", late_cert["number"])]["data"]
    assert (changed["old_status"], changed["new_status"]) == ("valid", "cancelled")
    departed = by_subject[("personnel.officer.departed", late_officer["officer_id"])]["data"]
    assert departed["certificate_cancelled"] is True and departed["departed_on"] == departed_on.isoformat()
    measured = by_subject[("personnel.promptness.measured", late_cert["number"])]["data"]
    assert measured == {
        "agency_code": MARKET,
        "kind": "certificate_cancelled",
        "reference": late_cert["number"],
        "started_on": departed_on.isoformat(),
        "ended_on": today.isoformat(),
        "workdays_taken": taken,
        "deadline_workdays": 5,
        "on_time": False,
        "seconds_taken": None,
        "deadline_unit": "workdays",
        "taken": float(taken),
        "deadline": 5.0,
    }  # dated by days, counted in working days
    prompt = by_subject[("personnel.promptness.measured", prompt_cert["number"])]["data"]
    assert prompt["workdays_taken"] == 0 and prompt["on_time"] is True

    # metrics are process-wide in process: each departure added one measurement to its label set
    assert metric(name, on_time="false", **labels) - late_before == 1
    assert metric(name, on_time="true", **labels) - on_time_before == 1

    table = personnel.call("promptness", BUREAU)
    assert table == [
        {
            "agency_code": MARKET,
            "kind": "certificate_cancelled",
            "measurements": 2,
            "on_time": 1,
            "on_time_ratio": 0.5,
            "mean_workdays": round(taken / 2, 2),
        }
    ]
    # the period is from/to (both days included)
    assert personnel.call("promptness", BUREAU, today.isoformat(), today.isoformat()) == table
    assert personnel.call("promptness", BUREAU, None, (today - timedelta(days=1)).isoformat()) == []
    with pytest.raises(ValidationFailed) as backwards:
        personnel.call("promptness", BUREAU, today.isoformat(), "2000-01-01")
    assert "to" in backwards.value.fields

    # the supervision service's yearly facts: both left their post, both certificates were taken back
    after = {f["agency_code"]: f for f in personnel.call("agency_certification_facts", BUREAU, today.year)}
    assert after[MARKET] == {
        "agency_code": MARKET,
        "officers": 0,
        "certified": 0,
        "certificates_issued": 2,
        "certificates_cancelled": 2,
    }
    last_year = {f["agency_code"]: f for f in personnel.call("agency_certification_facts", BUREAU, today.year - 1)}
    assert last_year[MARKET]["officers"] == 0 and last_year[MARKET]["certificates_issued"] == 0
    with pytest.raises(Forbidden):  # the county-wide view is the bureau's
        personnel.call(
            "agency_certification_facts", {"username": "a", "role": "agency_admin", "agency_code": MARKET}, today.year
        )
    with pytest.raises(ValidationFailed) as refused:
        personnel.call("agency_certification_facts", BUREAU, "last year")
    assert "year" in refused.value.fields


def test_a_past_year_s_certification_facts_read_each_certificate_s_state_as_it_was_then(personnel, staff):
    """Assessing last year after a suspension today: the certificate counted as valid on 31 December."""
    from enforcement_testing import db_connection
    from sqlalchemy import text

    _, suspended = staff.certified_officer(40)
    staff.certified_officer(41)
    last_year = RUN_DATE.year - 1
    with db_connection(personnel.database_url) as conn:  # registered and certified two years ago, as history says
        conn.execute(
            text("UPDATE officers SET created_at = :at, appointed_on = :on"),
            {"at": datetime(last_year - 1, 3, 1), "on": date(last_year - 1, 3, 1)},
        )
        conn.execute(text("UPDATE certificates SET issued_on = :on"), {"on": date(last_year - 1, 3, 1)})
        conn.execute(text("UPDATE certificate_history SET changed_on = :on"), {"on": date(last_year - 1, 3, 1)})
        conn.commit()
    personnel.call(
        "change_certificate_status", BUREAU, suspended["number"], {"status": "suspended", "reason": "暂扣：调查中"}
    )

    def market(year):
        return {f["agency_code"]: f for f in personnel.call("agency_certification_facts", BUREAU, year)}[MARKET]

    assert (market(last_year)["officers"], market(last_year)["certified"]) == (2, 2)  # both valid on 31 December
    assert (market(last_year + 1)["officers"], market(last_year + 1)["certified"]) == (2, 1)  # one suspended now


# --- yearly assessment ---------------------------------------------------------------------------
def test_failing_assessment_suspends_the_certificate(personnel, staff, collect_events):
    officer, cert = staff.certified_officer(5)
    events = collect_events("personnel", "certificate.status_changed", "assessment.recorded")
    today = RUN_DATE

    result = personnel.call(
        "record_assessment", BUREAU, officer["officer_id"], {"year": today.year, "grade": "incompetent"}
    )
    assert result["certificate_suspended"] is True and result["grade"] == "incompetent"

    assert personnel.call("get_certificate", BUREAU, cert["number"])["status"] == "suspended"
    check = personnel.call("check_certificate", cert["number"], cert["check_code"])
    assert check["valid"] is False and check["status"] == "suspended"
    verdict = personnel.call(
        "may_enforce", {"officer_id": officer["officer_id"], "domain": MARKET_DOMAIN, "on_date": today.isoformat()}
    )
    assert verdict["allowed"] is False and "suspended" in verdict["reason"]

    received = events.wait_for(2)
    types = sorted(e["type"] for e in received)
    assert types == ["personnel.assessment.recorded", "personnel.certificate.status_changed"]
    changed = events.of_type("personnel.certificate.status_changed")[0]["data"]
    assert (changed["old_status"], changed["new_status"]) == ("valid", "suspended")

    with pytest.raises(Conflict):  # one assessment per officer and year
        personnel.call("record_assessment", BUREAU, officer["officer_id"], {"year": today.year, "grade": "competent"})


# --- who may see and change what -----------------------------------------------------------------
def test_agency_admin_cannot_touch_another_agencys_officers(personnel, staff, collect_events):
    updates = collect_events("personnel", "officer.updated")
    officer = personnel.call("register_officer", BUREAU, staff.officer_payload(6, TRANSPORT, domains=["transport"]))
    oid = officer["officer_id"]
    outsider = {"username": "admin-market", "role": "agency_admin", "agency_code": MARKET}
    before = db_counts(personnel.database_url, *WRITE_TABLES)
    today = RUN_DATE.isoformat()

    attempts = {
        "get_officer": lambda: personnel.call("get_officer", outsider, oid),
        "list_officers": lambda: personnel.call("list_officers", outsider, {"agency_code": TRANSPORT}),
        "update_officer": lambda: personnel.call("update_officer", outsider, oid, {"position": "局长"}),
        "record_departure": lambda: personnel.call(
            "record_departure", outsider, oid, {"reason": "dismissal", "departed_on": today}
        ),
        "record_assessment": lambda: personnel.call(
            "record_assessment", outsider, oid, {"year": 2024, "grade": "incompetent"}
        ),
        "register_officer": lambda: personnel.call("register_officer", outsider, staff.officer_payload(7, TRANSPORT)),
    }
    for name, attempt in attempts.items():
        with pytest.raises(Forbidden):
            attempt()
            pytest.fail(f"{name} by another agency's admin was allowed")

    assert db_counts(personnel.database_url, *WRITE_TABLES) == before
    row = db_rows(personnel.database_url, "SELECT position, status FROM officers WHERE officer_id = :o", o=oid)[0]
    assert row == {"position": "科员", "status": "active"}

    # the same calls by the officer's own agency admin do go through (the refusals were about scope)
    insider = {"username": "admin-transport", "role": "agency_admin", "agency_code": TRANSPORT}
    assert personnel.call("get_officer", insider, oid)["officer_id"] == oid
    listed = personnel.call("list_officers", outsider, {})  # an admin's list is scoped to its own agency
    assert listed["total"] == 0 and listed["items"] == []
    assert personnel.call("update_officer", insider, oid, {"position": "副科长"})["position"] == "副科长"
    # one event, for the change that was made: what changed and the record as it now is, never the ID number
    [update] = updates.wait_for(1)
    assert {k: update["data"][k] for k in ("officer_id", "changed", "position", "domains")} == {
        "officer_id": oid,
        "changed": ["position"],
        "position": "副科长",
        "domains": ["transport"],
    }
    assert update["data"]["name"] == officer["name"] and valid_id_number(6) not in str(update)
    assert len(updates.collect_for(1.0)) == 1


# --- bad input over RPC --------------------------------------------------------------------------
def test_bad_input_is_refused_field_by_field_and_writes_nothing(personnel, staff):
    before = db_counts(personnel.database_url, *WRITE_TABLES)
    good = staff.officer_payload(8)

    def refused(error_type, actor, payload):
        with pytest.raises(error_type) as caught:
            personnel.call("register_officer", actor, payload)
        return caught.value

    unknown = refused(ValidationFailed, BUREAU, {**good, "nickname": "小王"})
    assert "nickname" in unknown.fields
    wrong_type = refused(ValidationFailed, BUREAU, {**good, "domains": "market_supervision", "is_police": "perhaps"})
    assert {"domains", "is_police"} <= set(wrong_type.fields)
    missing = refused(ValidationFailed, BUREAU, {k: v for k, v in good.items() if k != "name"})
    assert "name" in missing.fields
    bad_domain = refused(ValidationFailed, BUREAU, {**good, "domains": ["Market Supervision!"]})
    assert "domains" in bad_domain.fields

    check_digit = refused(ValidationFailed, BUREAU, {**good, "id_number": wrong_check_char(good["id_number"])})
    assert list(check_digit.fields) == ["id_number"]
    assert "check character" in check_digit.fields["id_number"][0]
    too_short = refused(ValidationFailed, BUREAU, {**good, "id_number": good["id_number"][:17]})
    assert "id_number" in too_short.fields

    no_agency = refused((ValidationFailed, NotFound), BUREAU, {**good, "agency_code": "140928-nosuch"})
    assert list(no_agency.fields) == ["agency_code"]

    bad_actor = refused(ValidationFailed, {"username": "x", "role": "root"}, good)
    assert "role" in bad_actor.fields["actor"]  # the kernel's @rpc names the caller, then its bad field
    not_an_object = refused(ValidationFailed, BUREAU, ["not", "an", "object"])
    assert "_schema" in not_an_object.fields

    with pytest.raises(ValidationFailed) as bad_query:
        personnel.call("may_enforce", {"officer_id": "x", "domain": MARKET_DOMAIN, "on_date": "yesterday"})
    assert "on_date" in bad_query.value.fields
    with pytest.raises(NotFound):
        personnel.call("get_officer", BUREAU, uuid.uuid4().hex)

    assert db_counts(personnel.database_url, *WRITE_TABLES) == before

    # and the service is fine: the same payload, corrected, goes through
    assert personnel.call("register_officer", BUREAU, good)["status"] == "active"
    assert db_counts(personnel.database_url, "officers")["officers"] == before["officers"] + 1
