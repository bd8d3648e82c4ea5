"""Sector guidance in supervision (issue 12, rule 11): a county department reads the supervision items of the
townships it guides — listed with its own, or one township named — and never changes them; other townships and other
departments stay out of sight. The read model follows personnel's guidance events; the last test takes them through
the real broker from the personnel service."""

from __future__ import annotations

from datetime import date

import pytest
from enforcement_testing import BUREAU, wait_until
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from enforcement_contracts.errors import Forbidden
from enforcement_kernel.db import Tx, kernel_metadata
from supervision_service import models as m
from supervision_service.operations import guidance, items
from supervision_service.operations.common import Settings

MARKET, FARM = "140928-scjgj", "140928-nyncj"
TOWN, VILLAGE = "140928-yancheng", "140928-qiansuo"
MARKET_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
FARM_ADMIN = {"username": "nyj-admin", "role": "agency_admin", "agency_code": FARM}
PAGE = {"page": 1, "per_page": 50}
TODAY = date(2025, 10, 20)


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    m.Base.metadata.create_all(engine)
    kernel_metadata.create_all(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def issue(session, agency: str) -> int:
    data = {"agency_code": agency, "kind": "report_request", "title": "报送", "body": "", "deadline_workdays": 5}
    item = items.issue_item(Tx(session, "supervision"), BUREAU, data, Settings(), lambda code: None, TODAY)
    session.commit()
    return item["item_id"]


def assign(session, guidance_id: str, agency: str, township: str, ended: bool = False) -> None:
    data = {
        "guidance_id": guidance_id,
        "agency_code": agency,
        "township_code": township,
        "domain": "market_supervision",
    }
    (guidance.apply_guidance_ended if ended else guidance.apply_guidance_assigned)(Tx(session, "supervision"), data)
    session.commit()


def listed(session, actor: dict, **query) -> set[str]:
    return {i["agency_code"] for i in items.list_items(session, actor, {**PAGE, **query})["items"]}


def test_a_guiding_department_reads_its_townships_items_and_only_those(session):
    own, town_item, village_item, farm_item = (issue(session, a) for a in (MARKET, TOWN, VILLAGE, FARM))
    assert listed(session, MARKET_ADMIN) == {MARKET}
    with pytest.raises(Forbidden):
        items.read_item(session, MARKET_ADMIN, town_item)

    assign(session, "g1", MARKET, TOWN)
    assert listed(session, MARKET_ADMIN) == {MARKET, TOWN}
    assert listed(session, MARKET_ADMIN, agency_code=TOWN) == {TOWN}
    assert items.read_item(session, MARKET_ADMIN, town_item)["agency_code"] == TOWN
    for hidden in (village_item, farm_item):  # not guided: still another agency's
        with pytest.raises(Forbidden):
            items.read_item(session, MARKET_ADMIN, hidden)
    with pytest.raises(Forbidden):
        items.list_items(session, MARKET_ADMIN, {**PAGE, "agency_code": VILLAGE})
    assert listed(session, FARM_ADMIN) == {FARM}  # another department gains nothing
    with pytest.raises(Forbidden):  # reading is all: the answer stays the township's own
        items.act_on_item(Tx(session, "supervision"), MARKET_ADMIN, town_item, "acknowledge", {}, Settings(), TODAY)
    assert items.read_item(session, MARKET_ADMIN, own)["agency_code"] == MARKET

    assign(session, "g1", MARKET, TOWN, ended=True)
    assert listed(session, MARKET_ADMIN) == {MARKET}
    with pytest.raises(Forbidden):
        items.read_item(session, MARKET_ADMIN, town_item)


def test_an_end_arriving_before_its_assignment_never_opens_the_items(session):
    town_item = issue(session, TOWN)
    assign(session, "g2", MARKET, TOWN, ended=True)
    assign(session, "g2", MARKET, TOWN)  # the late assignment keeps the relation ended
    with pytest.raises(Forbidden):
        items.read_item(session, MARKET_ADMIN, town_item)


def test_guidance_recorded_in_personnel_reaches_supervision_over_the_broker(personnel, supervision):
    item = supervision.call(
        "issue_item",
        BUREAU,
        {"agency_code": TOWN, "kind": "report_request", "title": "报送执法统计", "body": "", "deadline_workdays": 5},
    )
    with pytest.raises(Forbidden):
        supervision.call("get_item", MARKET_ADMIN, item["item_id"])
    personnel.call(
        "assign_guidance", BUREAU, {"agency_code": MARKET, "township_code": TOWN, "domain": "market_supervision"}
    )

    def readable():
        try:
            return supervision.call("get_item", MARKET_ADMIN, item["item_id"])
        except Forbidden:
            return None

    assert wait_until(readable, timeout=30, message="the guidance in supervision's read model")["agency_code"] == TOWN
