"""Corrections (错案纠正) and accountability records (过错责任追究) in process, on SQLite and PostgreSQL, with the
personnel service beside it: a failing case file opens both; each is assigned, decided and closed by whoever the
rules allow (another agency does not find them), each step measured against its deadline; a step left undone past
its deadline is announced once by the deadline watch (here a second start of the service on a later day); the
gauges and the yearly facts count them."""

from __future__ import annotations

from datetime import date

import pytest
from enforcement_testing import BUREAU, wait_until

from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.timeout(180)

MARKET = "140928-scjgj"  # 县市场监管局
OTHER = "140928-nyncj"  # 县农业农村局
SCJ_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
NRJ_ADMIN = {"username": "nrj-admin", "role": "agency_admin", "agency_code": OTHER}
SYSTEM = {"username": "supervision", "role": "system"}
T0 = date(2026, 3, 2)  # a Monday: the failing score, and the records opened
EXEMPTION = {
    "kind": "due_diligence",
    "ground": "party_concealment",
    "text": "当事人隐瞒进货来源，执法人员已尽审慎审查义务",
}


@pytest.fixture
def cases_service(personnel_service, run_service, database_url):
    """The cases service in process with the county's date at T0 (replaces the conftest's, so ``desk`` uses it)."""
    url = None if database_url.startswith("sqlite") else database_url
    return run_service("cases", database_url=url, settings={"RPC_TIMEOUT": 10}, today=T0)


def _failing_file(desk, cases, officers: list[dict], reviewer: dict) -> dict:
    """A closed case of the market agency, drawn and scored failing: returns the scored file."""
    item = desk.penalty_item()
    report = desk.report(
        item,
        officers,
        filed_on="2024-03-04",
        violation_on="2024-03-01",
        notice_on="2024-03-20",
        served_on="2024-04-02",
        closed_on="2024-04-30",
        decision={"decided_on": "2024-04-01", "penalty": {"kinds": ["warning"]}},
    )
    cases.report_case(SCJ_ADMIN, report)
    planned = cases.plan_review_batch(
        BUREAU, {"agency_code": MARKET, "closed_from": "2024-01-01", "closed_to": "2024-12-31", "size": 1}
    )
    batch = cases.execute_review_batch(BUREAU, planned["batch_id"])
    file_id = batch["files"][0]["file_id"]
    cases.assign_reviewers(
        BUREAU, batch["batch_id"], {"assignments": [{"file_id": file_id, "reviewer_id": reviewer["officer_id"]}]}
    )
    return cases.score_review_file(BUREAU, file_id, {"scored_on": T0.isoformat(), "basic_failures": ["evidence"]})


def _records(desk, first_seq: int) -> tuple[dict, dict, list[dict]]:
    officers = desk.certified_officers(first_seq, 2)
    reviewer = desk.register_officer(first_seq + 10, OTHER)
    failed = _failing_file(desk, desk.cases, officers, reviewer)
    assert failed["grade"] == "fail"
    found = {r["kind"]: r for r in desk.cases.list_followups(BUREAU, {})["items"]}
    return found["correction"], found["accountability"], officers


def _followup_misses(received: list[dict]) -> list[dict]:
    return [e for e in received if e["data"]["kind"].startswith("followup_")]


def _promptness(desk) -> dict:
    return {r["kind"]: r for r in desk.cases.promptness(BUREAU, {"agency_code": MARKET}) if "followup" in r["kind"]}


# One life cycle told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_a_correction_and_an_accountability_record_are_assigned_decided_and_closed(desk, collect_events):
    events = collect_events("cases", "correction.*", "accountability.*")
    correction, accountability, officers = _records(desk, 81)
    cases = desk.cases
    assert (correction["state"], correction["opened_on"], correction["due_on"]) == (
        "opened",
        "2026-03-02",
        "2026-03-09",
    )
    assert sorted(accountability["officer_ids"]) == sorted(o["officer_id"] for o in officers)
    rid, aid = correction["record_id"], accountability["record_id"]
    gauge = "enforcement_review_followups"
    assert desk.metric(gauge, agency=MARKET, kind="correction", state="opened") == 1  # counted when the score commits

    # the case's agency reads its own; another agency finds nothing (not even that they exist)
    assert cases.list_followups(SCJ_ADMIN, {"kind": "correction"})["total"] == 1
    assert cases.list_followups(NRJ_ADMIN, {})["total"] == 0
    with pytest.raises(Forbidden):
        cases.list_followups(NRJ_ADMIN, {"agency_code": MARKET})
    for who, call in ((NRJ_ADMIN, "get_followup"), (BUREAU, "get_followup")):
        with pytest.raises(NotFound):
            getattr(cases, call)(who, rid if who is NRJ_ADMIN else 10**9)
    with pytest.raises(NotFound):
        cases.assign_followup(NRJ_ADMIN, rid, {"assigned_on": "2026-03-02", "assignee": "综合执法科"})

    # steps in order only: a 409 naming the state
    with pytest.raises(Conflict) as early:
        cases.decide_followup(SCJ_ADMIN, rid, {"decided_on": "2026-03-02", "measure": "revoked"})
    assert early.value.fields == {"state": ["is opened"]}
    with pytest.raises(ValidationFailed) as before:
        cases.assign_followup(SCJ_ADMIN, rid, {"assigned_on": "2026-02-27", "assignee": "综合执法科"})
    assert list(before.value.fields) == ["assigned_on"]
    assigned = cases.assign_followup(
        SCJ_ADMIN, rid, {"assigned_on": "2026-03-02", "assignee": "综合执法科 李科长", "note": "限期纠正"}
    )
    assert (assigned["state"], assigned["assigned_by"], assigned["due_on"]) == ("assigned", "scj-admin", "2026-05-01")
    with pytest.raises(Conflict):
        cases.assign_followup(SCJ_ADMIN, rid, {"assigned_on": "2026-03-02", "assignee": "again"})
    # an agency does not judge its own officers: accountability is the bureau's
    with pytest.raises(Forbidden):
        cases.assign_followup(SCJ_ADMIN, aid, {"assigned_on": "2026-03-02", "assignee": "县纪委监委派驻纪检组"})
    cases.assign_followup(
        BUREAU,
        aid,
        {"assigned_on": "2026-03-02", "assignee": "县司法局执法监督科", "assignee_agency_code": "140928-sfj"},
    )

    with pytest.raises(ValidationFailed) as no_measure:
        cases.decide_followup(SCJ_ADMIN, rid, {"decided_on": "2026-03-02"})
    assert list(no_measure.value.fields) == ["measure"]
    with pytest.raises(ValidationFailed) as bad_code:
        cases.decide_followup(SCJ_ADMIN, rid, {"decided_on": "2026-03-02", "measure": "forgotten"})
    assert "measure" in bad_code.value.fields
    decided = cases.decide_followup(SCJ_ADMIN, rid, {"decided_on": "2026-03-02", "measure": "changed"})
    assert (decided["state"], decided["measure"], decided["due_on"]) == ("decided", "changed", "2026-03-16")

    first, second = (o["officer_id"] for o in officers)
    with pytest.raises(ValidationFailed) as one_missing:
        cases.decide_followup(
            BUREAU, aid, {"decided_on": "2026-03-02", "officers": [{"officer_id": first, "outcome": "admonishment"}]}
        )
    assert one_missing.value.fields["officers"] == [f"officers concerned not decided: {second}"]
    decided = cases.decide_followup(
        BUREAU,
        aid,
        {
            "decided_on": "2026-03-02",
            "officers": [
                {"officer_id": first, "outcome": "written_self_examination"},
                {"officer_id": second, "exemption": EXEMPTION},
            ],
        },
    )
    assert decided["exemptions"] == 1 and decided["officers"][1]["exemption"] == EXEMPTION
    closed = cases.close_followup(SCJ_ADMIN, rid, {"closed_on": "2026-03-02", "note": "已重新作出决定"})
    assert (closed["state"], closed["closed_by"], closed["due_on"], closed["overdue"]) == (
        "closed",
        "scj-admin",
        None,
        False,
    )
    assert closed["notes"] == {"assigned": "限期纠正", "closed": "已重新作出决定"}
    with pytest.raises(Conflict) as again:
        cases.close_followup(SCJ_ADMIN, rid, {"closed_on": "2026-03-02"})
    assert again.value.fields == {"state": ["is closed"]}

    measured = _promptness(desk)
    assert (measured["followup_assigned"]["measurements"], measured["followup_assigned"]["on_time"]) == (2, 2)
    assert measured["followup_decided"]["measurements"] == 2 and measured["followup_closed"]["measurements"] == 1
    by_state = cases.list_followups(BUREAU, {"state": "decided"})["items"]
    assert [r["record_id"] for r in by_state] == [aid]
    facts = {f["agency_code"]: f for f in cases.agency_case_facts(SYSTEM, 2026)}[MARKET]["followups"]
    assert facts["correction"] == {"opened": 1, "closed": 1, "overdue": 0, "exemptions": 0}
    assert facts["accountability"] == {"opened": 1, "closed": 0, "overdue": 0, "exemptions": 1}

    assert desk.metric(gauge, agency=MARKET, kind="correction", state="closed") == 1
    assert desk.metric(gauge, agency=MARKET, kind="accountability", state="decided") == 1
    assert desk.metric(gauge, agency=MARKET, kind="accountability", state="opened") == 0
    assert desk.metric("enforcement_review_followups_overdue", agency=MARKET, kind="correction") == 0
    received = events.wait_for(7)  # the two opened, then five steps
    assert sorted(e["type"] for e in received if not e["type"].endswith("opened")) == [
        "cases.accountability.assigned",
        "cases.accountability.decided",
        "cases.correction.assigned",
        "cases.correction.closed",
        "cases.correction.decided",
    ]
    decided_event = [e for e in received if e["type"] == "cases.accountability.decided"][0]["data"]
    assert decided_event["outcomes"] == {first: "written_self_examination", second: "exemption:party_concealment"}
    assert "text" not in str(decided_event) and "县司法局" not in str(received)  # ids and codes only


def test_a_step_left_undone_past_its_deadline_is_announced_once_and_measured_late(
    desk, cases_service, run_service, collect_events
):
    missed = collect_events("cases", "deadline.missed")
    correction, accountability, _ = _records(desk, 91)
    assert desk.cases.list_followups(BUREAU, {"overdue": True})["total"] == 0
    cases_service.stop()
    # 16 March: the fifth working day after 2 March was the 9th; the watch runs at start
    later = run_service(
        "cases", database_url=cases_service.database_url, settings={"RPC_TIMEOUT": 10}, today=date(2026, 3, 16)
    )
    # the case's own late publication is announced too (its decision was never published): not counted here
    wait_until(lambda: len(_followup_misses(missed.collect_for(0.2))) >= 2, message="both records announced")
    found = _followup_misses(missed.received)
    assert sorted(e["data"]["reference"] for e in found) == sorted(
        [f"correction-{correction['record_id']}", f"accountability-{accountability['record_id']}"]
    )
    assert {(e["data"]["kind"], e["data"]["due_on"], e["data"]["deadline_unit"]) for e in found} == {
        ("followup_assigned", "2026-03-09", "workdays")
    }
    overdue = later.call("list_followups", BUREAU, {"overdue": True, "per_page": 1})
    assert overdue["total"] == 2 and overdue["next"] and overdue["items"][0]["overdue"] is True
    rest = later.call("list_followups", BUREAU, {"overdue": True, "per_page": 1, "after": overdue["next"]})
    assert {overdue["items"][0]["record_id"], rest["items"][0]["record_id"]} == {
        correction["record_id"],
        accountability["record_id"],
    }
    wait_until(
        lambda: later.metric("enforcement_review_followups_overdue", agency=MARKET, kind="correction") == 1,
        message="the overdue gauge counts the late correction",
    )
    # every agency personnel lists has its series, at 0 where it has no record
    assert later.metric("enforcement_review_followups", agency="140928-gaj", kind="accountability", state="opened") == 0
    facts = {f["agency_code"]: f for f in later.call("agency_case_facts", SYSTEM, 2026)}[MARKET]["followups"]
    assert facts["correction"]["overdue"] == 1 and facts["accountability"]["overdue"] == 1

    done = later.call(
        "assign_followup", BUREAU, correction["record_id"], {"assigned_on": "2026-03-16", "assignee": "法制科"}
    )
    assert done["overdue"] is False
    late = {r["kind"]: r for r in later.call("promptness", BUREAU, {"agency_code": MARKET})}["followup_assigned"]
    assert (late["measurements"], late["on_time"], late["mean_workdays"]) == (1, 0, 10.0)
    later.stop()
    # a second start on the same day announces nothing again
    again = run_service(
        "cases", database_url=cases_service.database_url, settings={"RPC_TIMEOUT": 10}, today=date(2026, 3, 16)
    )
    wait_until(lambda: again.metric("enforcement_review_followups_overdue", agency=MARKET, kind="correction") == 0)
    assert len(_followup_misses(missed.collect_for(2))) == 2
