"""The personnel service over the real broker, as a real process, on SQLite and on PostgreSQL.

Every test starts ``enforcement-run personnel`` against a fresh database (migrated and seeded by
the operators' commands), calls it through a standalone nameko RPC proxy as the gateway does, and
watches its events from a plain kombu queue as any outside subscriber would. Training facts are
fed in as ``training.*`` events, the way the training service will publish them.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime

import pytest
from enforcement_testing import (
    BUREAU,
    db_counts,
    db_rows,
    publish_event,
    valid_id_number,
    wait_until,
    wrong_check_char,
)

from enforcement_contracts import training
from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement_kernel.workdays import add_workdays, workdays_between

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"  # 县市场监管局
TRANSPORT = "140928-jtysj"  # 县交通运输局
MARKET_DOMAIN = "market_supervision"

#: Tables a refused request must leave untouched.
WRITE_TABLES = ("officers", "certificates", "departures", "assessments", "outbox_events")


@pytest.fixture
def personnel(database_url, amqp_uri, start_service):
    return start_service("personnel", database_url, amqp_uri)


def officer_payload(seq: int, agency_code: str = MARKET, **extra) -> dict:
    payload = {
        "agency_code": agency_code,
        "name": f"测试执法员{seq}",
        "id_number": valid_id_number(seq),
        "position": "科员",
        "domains": [MARKET_DOMAIN, "food_safety"],
    }
    payload.update(extra)
    return payload


def feed_training_facts(
    amqp_uri: str, officer: dict, year: int, *, hours: float = 30, courses_done: bool = True, exam: bool = True
) -> None:
    """What the training service will publish once an officer has done the year's training and the exam."""
    publish_event(
        amqp_uri,
        training.HOURS_UPDATED,
        {
            "officer_id": officer["officer_id"],
            "agency_code": officer["agency_code"],
            "year": year,
            "revision": 1,
            "hours_by_category": {"public_law": float(hours), "professional": float(hours), "political": 4.0},
            "required_courses_done": courses_done,
        },
    )
    if exam:
        publish_event(
            amqp_uri,
            training.EXAM_PASSED,
            {
                "result_id": uuid.uuid4().hex,
                "officer_id": officer["officer_id"],
                "agency_code": officer["agency_code"],
                "exam_kind": "qualification",
                "score": 86.0,
                "pass_mark": 60.0,
                "sat_on": date.today(),
            },
        )


def wait_eligible(rpc, officer_id: str) -> dict:
    """Events are asynchronous: poll until the read model has both training facts (bounded)."""

    def eligible():
        result = rpc.personnel.eligibility(BUREAU, officer_id)
        return result if result["eligible"] else None

    return wait_until(eligible, timeout=15, message=f"officer {officer_id} eligible (read model caught up)")


def certified_officer(rpc, amqp_uri: str, seq: int, agency_code: str = MARKET) -> tuple[dict, dict]:
    officer = rpc.personnel.register_officer(BUREAU, officer_payload(seq, agency_code))
    feed_training_facts(amqp_uri, officer, date.today().year)
    wait_eligible(rpc, officer["officer_id"])
    cert = rpc.personnel.issue_certificate(BUREAU, {"officer_id": officer["officer_id"], "domains": [MARKET_DOMAIN]})
    return officer, cert


# --- personal data -------------------------------------------------------------------------------
def test_id_number_is_masked_encrypted_and_never_published_or_logged(personnel, rpc, collect_events, amqp_uri):
    events = collect_events("personnel", "officer.registered")
    clear = valid_id_number(1)

    officer = rpc.personnel.register_officer(BUREAU, officer_payload(1))

    assert officer["id_number_masked"] == clear[:6] + "*" * 8 + clear[-4:]
    assert "id_number" not in officer and clear not in json.dumps(officer)
    assert officer["agency_code"] == MARKET and officer["status"] == "active"

    # at rest: in no column of the officer's row, yet stored (encrypted) and findable by exact number
    rows = db_rows(personnel.database_url, "SELECT * FROM officers")
    assert len(rows) == 1
    for column, value in rows[0].items():
        assert clear not in str(value), f"clear ID number found in officers.{column}"
    from enforcement_kernel.config import load_config
    from personnel_service.operations import cipher_from_config
    from personnel_service.plugin import PLUGIN

    cipher = cipher_from_config(load_config("personnel", default_path=PLUGIN.config_path))
    assert cipher.decrypt(rows[0]["id_number_encrypted"]) == clear
    assert rpc.personnel.find_officer_by_id_number(BUREAU, clear)["officer_id"] == officer["officer_id"]

    # a second registration of the same person is refused without echoing the number
    with pytest.raises(Conflict) as refused:
        rpc.personnel.register_officer(BUREAU, officer_payload(1, name="重复"))
    assert clear not in str(refused.value) and clear not in json.dumps(refused.value.fields)

    # in no event: neither on the wire nor in the outbox that is the producer's event history
    [envelope] = events.wait_for(1)
    assert envelope["type"] == "personnel.officer.registered" and envelope["source"] == "personnel"
    assert envelope["data"]["officer_id"] == officer["officer_id"]
    assert clear not in json.dumps(envelope) and "id_number" not in envelope["data"]
    assert events.messages[0].properties.get("message_id") == envelope["id"]
    for row in db_rows(personnel.database_url, "SELECT event_type, body FROM outbox_events"):
        assert clear not in str(row["body"]), f"clear ID number in outbox row {row['event_type']}"

    # not in the operators' view either
    assert clear not in personnel.log_text()
    assert clear not in personnel.metrics_text()


# --- certificates ------------------------------------------------------------------------------
def test_certificate_requires_training_facts_and_then_is_issued_once(personnel, rpc, collect_events, amqp_uri):
    events = collect_events("personnel", "certificate.issued")
    officer = rpc.personnel.register_officer(BUREAU, officer_payload(2))
    oid = officer["officer_id"]
    request = {"officer_id": oid, "domains": [MARKET_DOMAIN]}

    with pytest.raises(Conflict) as refused:
        rpc.personnel.issue_certificate(BUREAU, request)
    reasons = refused.value.fields["officer_id"]
    assert any("public legal knowledge" in r for r in reasons), reasons
    assert any("professional" in r for r in reasons), reasons
    assert any("required course" in r for r in reasons), reasons
    assert any("exam" in r for r in reasons), reasons
    assert "not eligible" in str(refused.value)
    assert db_rows(personnel.database_url, "SELECT COUNT(*) AS n FROM certificates")[0]["n"] == 0

    today = date.today()
    feed_training_facts(amqp_uri, officer, today.year)
    eligibility = wait_eligible(rpc, oid)
    assert eligibility["reasons"] == []

    cert = rpc.personnel.issue_certificate(BUREAU, request)
    assert cert["status"] == "valid" and cert["officer_id"] == oid and cert["agency_code"] == MARKET
    assert cert["number"].startswith(f"140928{today.year}") and cert["issued_on"] == today.isoformat()
    assert cert["domains"] == [MARKET_DOMAIN]

    with pytest.raises(Conflict) as second:
        rpc.personnel.issue_certificate(BUREAU, request)
    assert second.value.fields == {"officer_id": ["already certified"]}
    assert len(db_rows(personnel.database_url, "SELECT number FROM certificates WHERE officer_id = :o", o=oid)) == 1

    check = rpc.personnel.check_certificate(cert["number"])
    assert check["valid"] is True and check["status"] == "valid"
    assert check["holder_name"] == officer["name"] and check["agency_name"] == "县市场监管局"
    assert "id_number" not in json.dumps(check)

    allowed = rpc.personnel.may_enforce({"officer_id": oid, "domain": MARKET_DOMAIN, "on_date": today.isoformat()})
    assert allowed["allowed"] is True and allowed["certificate_number"] == cert["number"]
    other = rpc.personnel.may_enforce({"officer_id": oid, "domain": "transport", "on_date": today.isoformat()})
    assert other["allowed"] is False and "transport" in other["reason"]

    [issued] = events.wait_for(1)
    assert issued["type"] == "personnel.certificate.issued"
    assert issued["data"]["certificate_number"] == cert["number"] and issued["subject"] == cert["number"]


# --- departures and promptness --------------------------------------------------------------------
def test_departure_cancels_certificate_and_measures_promptness(personnel, rpc, collect_events, amqp_uri):
    late_officer, late_cert = certified_officer(rpc, amqp_uri, 3)
    prompt_officer, prompt_cert = certified_officer(rpc, amqp_uri, 4)
    events = collect_events("personnel", "certificate.status_changed", "officer.departed", "promptness.measured")
    today = date.today()
    rpc.personnel.register_officer(BUREAU, officer_payload(30, TRANSPORT))  # in post, never certified
    before = {f["agency_code"]: f for f in rpc.personnel.agency_certification_facts(BUREAU, today.year)}
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

    late = rpc.personnel.record_departure(
        BUREAU, late_officer["officer_id"], {"reason": "transfer", "departed_on": departed_on.isoformat()}
    )
    assert late["certificate_cancelled"] is True and late["certificate_number"] == late_cert["number"]
    on_time = rpc.personnel.record_departure(
        BUREAU, prompt_officer["officer_id"], {"reason": "retirement", "departed_on": today.isoformat()}
    )
    assert on_time["certificate_cancelled"] is True

    cert = rpc.personnel.get_certificate(BUREAU, late_cert["number"])
    assert cert["status"] == "cancelled" and cert["cancelled_on"] == today.isoformat()
    assert rpc.personnel.check_certificate(late_cert["number"])["valid"] is False
    record = rpc.personnel.get_officer(BUREAU, late_officer["officer_id"])
    assert record["status"] == "departed" and record["departed_on"] == departed_on.isoformat()
    assert record["certificate_status"] == "cancelled"
    assert (
        rpc.personnel.may_enforce(
            {"officer_id": late_officer["officer_id"], "domain": MARKET_DOMAIN, "on_date": today.isoformat()}
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
    }  # dated by days
    prompt = by_subject[("personnel.promptness.measured", prompt_cert["number"])]["data"]
    assert prompt["workdays_taken"] == 0 and prompt["on_time"] is True

    name = "enforcement_promptness_measurements_total"
    labels = {"service": "personnel", "agency": MARKET, "kind": "certificate_cancelled"}
    assert personnel.metric(name, on_time="false", **labels) == 1
    assert personnel.metric(name, on_time="true", **labels) == 1

    table = rpc.personnel.promptness(BUREAU)
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

    # the supervision service's yearly facts: both left their post, both certificates were taken back
    after = {f["agency_code"]: f for f in rpc.personnel.agency_certification_facts(BUREAU, today.year)}
    assert after[MARKET] == {
        "agency_code": MARKET,
        "officers": 0,
        "certified": 0,
        "certificates_issued": 2,
        "certificates_cancelled": 2,
    }
    last_year = {f["agency_code"]: f for f in rpc.personnel.agency_certification_facts(BUREAU, today.year - 1)}
    assert last_year[MARKET]["officers"] == 0 and last_year[MARKET]["certificates_issued"] == 0
    with pytest.raises(Forbidden):  # the county-wide view is the bureau's
        rpc.personnel.agency_certification_facts(
            {"username": "a", "role": "agency_admin", "agency_code": MARKET}, today.year
        )
    with pytest.raises(ValidationFailed) as refused:
        rpc.personnel.agency_certification_facts(BUREAU, "last year")
    assert "year" in refused.value.fields


def test_a_past_year_s_certification_facts_read_each_certificate_s_state_as_it_was_then(personnel, rpc, amqp_uri):
    """Assessing last year after a suspension today: the certificate counted as valid on 31 December."""
    from enforcement_testing import db_connection
    from sqlalchemy import text

    _, suspended = certified_officer(rpc, amqp_uri, 40)
    certified_officer(rpc, amqp_uri, 41)
    last_year = date.today().year - 1
    with db_connection(personnel.database_url) as conn:  # registered and certified two years ago, as history says
        conn.execute(text("UPDATE officers SET created_at = :at"), {"at": datetime(last_year - 1, 3, 1)})
        conn.execute(text("UPDATE certificates SET issued_on = :on"), {"on": date(last_year - 1, 3, 1)})
        conn.execute(text("UPDATE certificate_history SET changed_on = :on"), {"on": date(last_year - 1, 3, 1)})
        conn.commit()
    rpc.personnel.change_certificate_status(
        BUREAU, suspended["number"], {"status": "suspended", "reason": "暂扣：调查中"}
    )

    def market(year):
        return {f["agency_code"]: f for f in rpc.personnel.agency_certification_facts(BUREAU, year)}[MARKET]

    assert (market(last_year)["officers"], market(last_year)["certified"]) == (2, 2)  # both valid on 31 December
    assert (market(last_year + 1)["officers"], market(last_year + 1)["certified"]) == (2, 1)  # one suspended now


# --- yearly assessment ---------------------------------------------------------------------------
def test_failing_assessment_suspends_the_certificate(personnel, rpc, collect_events, amqp_uri):
    officer, cert = certified_officer(rpc, amqp_uri, 5)
    events = collect_events("personnel", "certificate.status_changed", "assessment.recorded")
    today = date.today()

    result = rpc.personnel.record_assessment(
        BUREAU, officer["officer_id"], {"year": today.year, "grade": "incompetent"}
    )
    assert result["certificate_suspended"] is True and result["grade"] == "incompetent"

    assert rpc.personnel.get_certificate(BUREAU, cert["number"])["status"] == "suspended"
    check = rpc.personnel.check_certificate(cert["number"])
    assert check["valid"] is False and check["status"] == "suspended"
    verdict = rpc.personnel.may_enforce(
        {"officer_id": officer["officer_id"], "domain": MARKET_DOMAIN, "on_date": today.isoformat()}
    )
    assert verdict["allowed"] is False and "suspended" in verdict["reason"]

    received = events.wait_for(2)
    types = sorted(e["type"] for e in received)
    assert types == ["personnel.assessment.recorded", "personnel.certificate.status_changed"]
    changed = events.of_type("personnel.certificate.status_changed")[0]["data"]
    assert (changed["old_status"], changed["new_status"]) == ("valid", "suspended")

    with pytest.raises(Conflict):  # one assessment per officer and year
        rpc.personnel.record_assessment(BUREAU, officer["officer_id"], {"year": today.year, "grade": "competent"})


# --- who may see and change what -----------------------------------------------------------------
def test_agency_admin_cannot_touch_another_agencys_officers(personnel, rpc, collect_events):
    updates = collect_events("personnel", "officer.updated")
    officer = rpc.personnel.register_officer(BUREAU, officer_payload(6, TRANSPORT, domains=["transport"]))
    oid = officer["officer_id"]
    outsider = {"username": "admin-market", "role": "agency_admin", "agency_code": MARKET}
    before = db_counts(personnel.database_url, *WRITE_TABLES)
    today = date.today().isoformat()

    attempts = {
        "get_officer": lambda: rpc.personnel.get_officer(outsider, oid),
        "list_officers": lambda: rpc.personnel.list_officers(outsider, {"agency_code": TRANSPORT}),
        "update_officer": lambda: rpc.personnel.update_officer(outsider, oid, {"position": "局长"}),
        "record_departure": lambda: rpc.personnel.record_departure(
            outsider, oid, {"reason": "dismissal", "departed_on": today}
        ),
        "record_assessment": lambda: rpc.personnel.record_assessment(
            outsider, oid, {"year": 2024, "grade": "incompetent"}
        ),
        "register_officer": lambda: rpc.personnel.register_officer(outsider, officer_payload(7, TRANSPORT)),
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
    assert rpc.personnel.get_officer(insider, oid)["officer_id"] == oid
    listed = rpc.personnel.list_officers(outsider, {})  # an admin's list is scoped to its own agency
    assert listed["total"] == 0 and listed["items"] == []
    assert rpc.personnel.update_officer(insider, oid, {"position": "副科长"})["position"] == "副科长"
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
def test_bad_input_is_refused_field_by_field_and_writes_nothing(personnel, rpc):
    before = db_counts(personnel.database_url, *WRITE_TABLES)
    good = officer_payload(8)

    def refused(error_type, actor, payload):
        with pytest.raises(error_type) as caught:
            rpc.personnel.register_officer(actor, payload)
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
    assert "role" in bad_actor.fields
    not_an_object = refused(ValidationFailed, BUREAU, ["not", "an", "object"])
    assert "_schema" in not_an_object.fields

    with pytest.raises(ValidationFailed) as bad_query:
        rpc.personnel.may_enforce({"officer_id": "x", "domain": MARKET_DOMAIN, "on_date": "yesterday"})
    assert "on_date" in bad_query.value.fields
    with pytest.raises(NotFound):
        rpc.personnel.get_officer(BUREAU, uuid.uuid4().hex)

    assert db_counts(personnel.database_url, *WRITE_TABLES) == before

    # and the service is fine: the same payload, corrected, goes through
    assert rpc.personnel.register_officer(BUREAU, good)["status"] == "active"
    assert db_counts(personnel.database_url, "officers")["officers"] == before["officers"] + 1
