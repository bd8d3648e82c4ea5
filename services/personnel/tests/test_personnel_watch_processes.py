"""Personnel's deadline watch as real processes (``enforcement-run``) with the supervision service beside it, over
the real broker, on SQLite and PostgreSQL: a departed officer's certificate never taken back, and a certificate
application the issuing authority never decided, are each announced once (``personnel.deadline.missed``), open one
supervision item each, count late in supervision's promptness table, on /metrics and in the agency's on-time ratio,
and are not announced again after a restart.

The county's day is pinned (``CLOCK_TODAY``): the departure and the filing happen on a day some 30 working days
before the run's date; personnel is then started again on the run's date, as a county would find it a month later.
"""

from __future__ import annotations

import json
import uuid

import pytest
from enforcement_testing import BUREAU, RUN_DATE, db_count, drop_event_queues, publish_event, wait_until

from enforcement_contracts.training import compliance as training_compliance
from enforcement_contracts.training import exams as training_exams
from enforcement_kernel.workdays import add_workdays

pytestmark = pytest.mark.timeout(180)

MARKET = "140928-scjgj"  # 县市场监管局
AUTHORITY = "140928-sfj"  # the issuing authority's code (the default setting)
DOMAIN = "market_supervision"
MARKET_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
EARLY = add_workdays(RUN_DATE, -30)  # the departure and the filing; both deadlines have long passed by RUN_DATE
LATE_COUNT = "enforcement_promptness_measurements_total"


def eligible_officer(rpc, amqp_uri: str, seq: int) -> dict:
    """Registered, with the training facts of EARLY's year as the training service announces them."""
    from enforcement_testing import valid_id_number

    officer = rpc.personnel.register_officer(
        BUREAU, {"agency_code": MARKET, "name": f"执法员{seq}", "id_number": valid_id_number(seq), "domains": [DOMAIN]}
    )
    facts = {"officer_id": officer["officer_id"], "agency_code": MARKET}
    hours = {"public_law": 30.0, "professional": 30.0}
    publish_event(
        amqp_uri,
        training_compliance.HOURS_UPDATED,
        {**facts, "year": EARLY.year, "revision": 1, "hours_by_category": hours, "required_courses_done": True},
    )
    publish_event(
        amqp_uri,
        training_exams.EXAM_PASSED,
        {
            **facts,
            "result_id": uuid.uuid4().hex,
            "exam_kind": "qualification",
            "score": 80.0,
            "pass_mark": 60.0,
            "sat_on": EARLY,
        },
    )
    wait_until(
        lambda: rpc.personnel.eligibility(BUREAU, officer["officer_id"], EARLY.year)["eligible"],
        message="personnel has the training facts",
    )
    return officer


@pytest.fixture
def supervision(tmp_path, amqp_uri, start_service):
    drop_event_queues(amqp_uri, "supervision")  # only this test's events
    return start_service(
        "supervision",
        f"sqlite:///{tmp_path}/supervision.db",
        amqp_uri,
        extra_env={"RPC_TIMEOUT": "3", "SUPERVISION_GAUGES_REFRESH_SECONDS": "1"},
    )


@pytest.fixture
def watched_personnel(supervision, database_url, amqp_uri, start_service):
    """Personnel with its deadline watch every second instead of hourly, on the day of the departure and filing."""
    return start_service(
        "personnel",
        database_url,
        amqp_uri,
        extra_env={"PERSONNEL_DEADLINE_WATCH_SECONDS": "1", "CLOCK_TODAY": EARLY.isoformat()},
    )


def on_time_ratio(service, agency: str) -> float | None:
    for line in service.metrics_text().splitlines():
        if (
            line.startswith("enforcement_agency_on_time_ratio{")
            and f'agency="{agency}"' in line
            and 'kind="all"' in line
        ):
            return float(line.rsplit(" ", 1)[1])
    return None


# One scenario told in order (the day of the departure and filing, a month later, a restart, the card taken back at
# last): each step needs the one before, so longer than 50 lines on purpose.
def test_a_card_not_taken_back_and_an_undecided_application_are_announced_once_and_followed_up(
    watched_personnel, supervision, rpc, amqp_uri, collect_events
):
    personnel = watched_personnel
    events = collect_events("personnel", "deadline.missed")
    departed = eligible_officer(rpc, amqp_uri, 301)
    cert = rpc.personnel.issue_certificate(BUREAU, {"officer_id": departed["officer_id"], "domains": [DOMAIN]})
    rpc.personnel.record_departure(
        MARKET_ADMIN,
        departed["officer_id"],
        {"reason": "transfer", "departed_on": EARLY.isoformat(), "cancel_certificate": False},
    )
    applicant = eligible_officer(rpc, amqp_uri, 302)
    app_id = rpc.personnel.file_certificate_application(
        MARKET_ADMIN, {"officer_id": applicant["officer_id"], "domains": [DOMAIN]}
    )["application_id"]
    assert events.collect_for(2.5) == [], "on the day itself nothing is late"

    # a month later
    assert personnel.stop() == 0
    personnel.env["CLOCK_TODAY"] = RUN_DATE.isoformat()
    personnel.start()
    received = {e["data"]["kind"]: e for e in events.wait_for(2, timeout=30)}
    assert sorted(received) == ["certificate_application_decided", "certificate_cancelled"]
    cancelled, decided = received["certificate_cancelled"], received["certificate_application_decided"]
    assert cancelled["subject"] == cert["number"] and decided["subject"] == app_id
    assert cancelled["data"] == {
        "agency_code": MARKET,
        "kind": "certificate_cancelled",
        "reference": cert["number"],
        "started_on": EARLY.isoformat(),
        "due_on": add_workdays(EARLY, 5).isoformat(),
        "detected_on": RUN_DATE.isoformat(),
        "deadline": 5.0,
        "deadline_unit": "workdays",
    }
    assert (decided["data"]["agency_code"], decided["data"]["reference"], decided["data"]["due_on"]) == (
        AUTHORITY,
        app_id,
        add_workdays(EARLY, 20).isoformat(),
    )
    assert departed["name"] not in json.dumps(list(received.values()))

    # supervision: one item each, addressed to the agency that owes it, and the late counts
    def items(agency):
        found = rpc.supervision.list_items(BUREAU, {"agency_code": agency})["items"]
        return found or None

    [card_item] = wait_until(lambda: items(MARKET), timeout=30, message="the certificate's follow-up item")
    [app_item] = wait_until(lambda: items(AUTHORITY), timeout=30, message="the application's follow-up item")
    assert (card_item["title"], card_item["origin"], card_item["details"]["reference"]) == (
        "执法证未及时注销",
        "personnel.deadline.missed",
        cert["number"],
    )
    assert (app_item["title"], app_item["details"]["reference"]) == ("执法证申领未按时审核", app_id)
    period = {"from": EARLY.isoformat(), "to": RUN_DATE.isoformat(), "agency_code": MARKET}
    rows = {r["kind"]: r for r in rpc.supervision.promptness_table(BUREAU, period)}
    assert (rows["certificate_cancelled"]["measurements"], rows["certificate_cancelled"]["on_time"]) == (1, 0)
    assert rows["all"]["on_time_ratio"] == 0.0
    late = {"agency": MARKET, "kind": "certificate_cancelled", "on_time": "false"}
    assert supervision.wait_metric(LATE_COUNT, 1, service="supervision", **late) == 1
    assert personnel.metric(LATE_COUNT, service="personnel", **late) == 1
    [ratio] = wait_until(
        lambda: [r for r in [on_time_ratio(supervision, MARKET)] if r is not None], timeout=15, message="the gauge"
    )
    assert ratio < 1

    # a restart announces nothing again
    assert personnel.stop() == 0
    personnel.start()
    assert len(events.collect_for(3.0)) == 2, "a restart announced the same misses again"
    assert db_count(personnel.database_url, "deadline_misses") == 2
    assert db_count(personnel.database_url, "outbox_events", "event_type = 'personnel.deadline.missed'") == 2

    # taken back at last: measured late, the same item recurs, the late row is replaced (not a second one)
    rpc.personnel.change_certificate_status(MARKET_ADMIN, cert["number"], {"status": "cancelled", "reason": "已收回"})
    wait_until(
        lambda: rpc.supervision.get_item(BUREAU, card_item["item_id"])["occurrences"] == 2,
        timeout=30,
        message="the late cancellation recorded on the item",
    )
    rows = {r["kind"]: r for r in rpc.supervision.promptness_table(BUREAU, period)}
    assert (rows["certificate_cancelled"]["measurements"], rows["certificate_cancelled"]["on_time"]) == (1, 0)
    assert supervision.metric(LATE_COUNT, service="supervision", **late) == 1
    assert len(rpc.supervision.list_items(BUREAU, {"agency_code": MARKET})["items"]) == 1
