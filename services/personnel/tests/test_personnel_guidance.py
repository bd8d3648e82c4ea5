"""Sector guidance (issue 12, rule 11) and officers' in-post dates, in the personnel service in process (SQLite and
PostgreSQL): the bureau records which county department guides which township in which domain, everyone on the staff
reads the list, each change is announced once; a bad request names its field and writes nothing. An officer is in
post from the appointment date (the day of registration when not given, never in the future), announced with it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from enforcement_testing import BUREAU, RUN_DATE, db_counts, db_rows, valid_id_number

from enforcement_contracts.errors import Conflict, Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.timeout(120)

MARKET, TOWN, VILLAGE, FARM = "140928-scjgj", "140928-yancheng", "140928-qiansuo", "140928-nyncj"
MARKET_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
TOWN_ADMIN = {"username": "ycz-admin", "role": "agency_admin", "agency_code": TOWN}


def events(url: str, event_type: str) -> list[dict]:
    rows = db_rows(url, "SELECT body FROM outbox_events WHERE event_type = :t ORDER BY id", t=event_type)
    return [r["body"] if isinstance(r["body"], dict) else json.loads(r["body"]) for r in rows]


def test_the_bureau_records_and_ends_guidance_and_each_change_is_announced(personnel):
    today = RUN_DATE
    guidance = personnel.call(
        "assign_guidance", BUREAU, {"agency_code": MARKET, "township_code": TOWN, "domain": "market_supervision"}
    )
    assert guidance["active"] is True and guidance["since"] == today.isoformat() and guidance["ended_on"] is None
    assert (guidance["agency_name"], guidance["township_name"]) == ("县市场监管局", "砚城镇")
    personnel.call(
        "assign_guidance",
        BUREAU,
        {"agency_code": MARKET, "township_code": VILLAGE, "domain": "market_supervision", "since": "2025-01-01"},
    )
    personnel.call("assign_guidance", BUREAU, {"agency_code": FARM, "township_code": TOWN, "domain": "agriculture"})
    listed = personnel.call("list_guidance", TOWN_ADMIN, {"agency_code": MARKET})
    assert listed["total"] == 2 and {g["township_code"] for g in listed["items"]} == {TOWN, VILLAGE}
    assert personnel.call("list_guidance", MARKET_ADMIN, {"township_code": TOWN})["total"] == 2

    ended = personnel.call("end_guidance", BUREAU, guidance["guidance_id"], {})
    assert ended["active"] is False and ended["ended_on"] == today.isoformat()
    assert personnel.call("list_guidance", BUREAU, {"agency_code": MARKET, "active": True})["total"] == 1
    assert personnel.call("list_guidance", BUREAU, {"agency_code": MARKET, "active": False})["total"] == 1
    with pytest.raises(Conflict):
        personnel.call("end_guidance", BUREAU, guidance["guidance_id"], {})
    with pytest.raises(NotFound):
        personnel.call("end_guidance", BUREAU, "nothing", {})
    # ended, the same relation may be recorded again
    again = personnel.call(
        "assign_guidance", BUREAU, {"agency_code": MARKET, "township_code": TOWN, "domain": "market_supervision"}
    )
    assert again["guidance_id"] != guidance["guidance_id"]

    assigned = events(personnel.database_url, "personnel.guidance.assigned")
    assert len(assigned) == 4
    assert assigned[0]["data"] == {
        "guidance_id": guidance["guidance_id"],
        "agency_code": MARKET,
        "township_code": TOWN,
        "domain": "market_supervision",
        "since": today.isoformat(),
    }
    [end] = events(personnel.database_url, "personnel.guidance.ended")
    assert end["data"]["guidance_id"] == guidance["guidance_id"] and end["data"]["ended_on"] == today.isoformat()


def test_refused_guidance_names_the_field_and_writes_nothing(personnel):
    good = {"agency_code": MARKET, "township_code": TOWN, "domain": "market_supervision"}
    personnel.call("assign_guidance", BUREAU, good)
    before = db_counts(personnel.database_url, "sector_guidance", "outbox_events")
    cases = [
        (Forbidden, MARKET_ADMIN, {**good, "township_code": VILLAGE}, None),  # bureau only
        (ValidationFailed, BUREAU, {**good, "agency_code": TOWN, "township_code": VILLAGE}, "agency_code"),
        (ValidationFailed, BUREAU, {**good, "township_code": FARM}, "township_code"),
        (ValidationFailed, BUREAU, {**good, "township_code": "140928-nowhere"}, "township_code"),
        (ValidationFailed, BUREAU, {**good, "domain": "Market Supervision"}, "domain"),
        (
            ValidationFailed,
            BUREAU,
            {**good, "township_code": VILLAGE, "since": str(RUN_DATE + timedelta(1))},
            "since",
        ),
        (Conflict, BUREAU, good, "domain"),  # already in force
    ]
    for error, actor, payload, field in cases:
        with pytest.raises(error) as caught:
            personnel.call("assign_guidance", actor, payload)
        if field:
            assert field in caught.value.fields, (payload, caught.value.fields)
    with pytest.raises(Forbidden):
        personnel.call("list_guidance", {"username": "anon", "role": "public"}, {})
    assert db_counts(personnel.database_url, "sector_guidance", "outbox_events") == before


def test_an_officer_is_in_post_from_the_appointment_date(personnel):
    today = RUN_DATE
    payload = {"agency_code": MARKET, "name": "任职", "id_number": valid_id_number(951)}
    with pytest.raises(ValidationFailed) as caught:
        personnel.call("register_officer", BUREAU, {**payload, "appointed_on": str(today + timedelta(days=1))})
    assert list(caught.value.fields) == ["appointed_on"]
    registered = personnel.call("register_officer", BUREAU, payload)
    assert registered["appointed_on"] == today.isoformat()  # the day of registration
    earlier = personnel.call(
        "register_officer",
        BUREAU,
        {"agency_code": MARKET, "name": "老将", "id_number": valid_id_number(952), "appointed_on": "2019-09-01"},
    )
    assert earlier["appointed_on"] == "2019-09-01"
    announced = {
        e["data"]["officer_id"]: e["data"] for e in events(personnel.database_url, "personnel.officer.registered")
    }
    assert announced[earlier["officer_id"]]["appointed_on"] == "2019-09-01"
    corrected = personnel.call("update_officer", BUREAU, registered["officer_id"], {"appointed_on": "2024-03-01"})
    assert corrected["appointed_on"] == "2024-03-01"
    [update] = [
        e["data"]
        for e in events(personnel.database_url, "personnel.officer.updated")
        if e["data"]["officer_id"] == registered["officer_id"]
    ]
    assert update["changed"] == ["appointed_on"] and update["appointed_on"] == "2024-03-01"
    with pytest.raises(ValidationFailed) as caught:
        personnel.call("update_officer", BUREAU, registered["officer_id"], {"appointed_on": str(today + timedelta(1))})
    assert list(caught.value.fields) == ["appointed_on"]
