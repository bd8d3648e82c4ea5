"""The overdue timer across a crash: the supervision service as a deployed process (``start_service``), killed with
SIGKILL while items fall due and started again; every open item is escalated once, none twice, none missed.

Personnel (the agency list the service checks an item's agency against) runs in this process; the supervision service
is a subprocess because the test kills it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from enforcement_testing import BUREAU, RUN_DATE, db_rows, drop_event_queues, wait_until

from enforcement_contracts.errors import Conflict, Forbidden

pytestmark = pytest.mark.timeout(240)

MARKET = "140928-scjgj"  # 县市场监管局
TRANSPORT = "140928-jtysj"  # 县交通运输局
MARKET_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
TRANSPORT_ADMIN = {"username": "jt-admin", "role": "agency_admin", "agency_code": TRANSPORT}
FAST_TIMERS = {"SUPERVISION_OVERDUE_CHECK_SECONDS": "1", "SUPERVISION_GAUGES_REFRESH_SECONDS": "1"}


@pytest.fixture
def supervision(personnel, database_url, amqp_uri, start_service):
    """The deployed process (this test kills it), its timers every second; ``personnel`` is the in-process one."""
    drop_event_queues(amqp_uri, "supervision")  # only this test's events, not what earlier tests left queued
    return start_service("supervision", database_url, amqp_uri, extra_env={**FAST_TIMERS, "RPC_TIMEOUT": "3"})


def backdate(url: str, item_ids: list[int], due_on: date) -> None:
    """Time passing: these items' deadlines are now in the past (the service reads only the database)."""
    from enforcement_testing import db_connection
    from sqlalchemy import text

    with db_connection(url) as conn:
        conn.execute(
            text(f"UPDATE supervision_items SET due_on = :due WHERE id IN ({','.join(map(str, item_ids))})"),
            {"due": due_on},
        )
        conn.commit()


def test_items_falling_due_across_a_kill_are_escalated_once_each(supervision, rpc, collect_events):
    # one scenario (50+ lines): the escalations before, across and after the kill are counted together
    escalations = collect_events("supervision", "item.overdue")
    ids = [
        rpc.supervision.issue_item(
            BUREAU, {"agency_code": agency, "kind": "report_request", "title": f"报送执法统计 {n}"}
        )["item_id"]
        for n, agency in enumerate([MARKET, TRANSPORT] * 15)
    ]
    answered = ids[0]
    rpc.supervision.acknowledge_item(MARKET_ADMIN, answered)
    rpc.supervision.answer_item(MARKET_ADMIN, answered, {"answer": "已报送"})
    yesterday = RUN_DATE - timedelta(days=1)
    first, second = ids[:12], ids[12:]
    backdate(supervision.database_url, first, yesterday)
    url = supervision.database_url
    overdue_rows = "SELECT COUNT(*) AS n FROM outbox_events WHERE event_type = 'supervision.item.overdue'"
    wait_until(lambda: db_rows(url, overdue_rows)[0]["n"] == 11, message="11 open items escalated (one was answered)")

    supervision.kill()  # SIGKILL: nothing runs on the way down
    backdate(url, second, yesterday)  # these fall due while the service is down
    supervision.start()
    wait_until(lambda: db_rows(url, overdue_rows)[0]["n"] == 29, timeout=30, message="every open item escalated")

    # delivery is at least once: an event published just before the kill may come again after the restart, with
    # the same id (its "sent" mark was lost), which subscribers drop; what must not happen is a second escalation
    # (another id) of an item, or a missing one
    def distinct_events(seconds: float) -> dict:
        return {e["id"]: e for e in escalations.collect_for(seconds)}

    wait_until(lambda: len(distinct_events(0.5)) >= 29, timeout=30, message="29 distinct escalations delivered")
    received = list(distinct_events(3).values())  # and nothing more
    assert sorted(e["data"]["item_id"] for e in received) == sorted(set(ids) - {answered})  # one id per item
    rows = db_rows(url, "SELECT id, overdue, overdue_on, escalated_due_on FROM supervision_items")
    assert all(bool(r["overdue"]) is (r["id"] != answered) for r in rows)
    assert supervision.wait_metric("enforcement_supervision_items_overdue", 15, agency=TRANSPORT) == 15
    assert supervision.metric("enforcement_supervision_items_overdue", agency=MARKET) == 14

    # a returned item gets a new deadline and can be escalated again, once
    item = ids[1]
    rpc.supervision.acknowledge_item(TRANSPORT_ADMIN, item)
    rpc.supervision.answer_item(TRANSPORT_ADMIN, item, {"answer": "已报送"})
    assert rpc.supervision.get_item(BUREAU, item)["answered_on_time"] is False  # answered after its deadline
    rpc.supervision.return_item(BUREAU, item, {"reason": "数据不全"})
    backdate(url, [item], yesterday - timedelta(days=1))  # a deadline other than the one escalated
    wait_until(lambda: db_rows(url, overdue_rows)[0]["n"] == 30, message="the returned item escalated again")

    # the bulletin of the period lists every item that fell overdue; published once
    bulletin_query = {"from": RUN_DATE.isoformat(), "to": RUN_DATE.isoformat()}
    entries = rpc.supervision.overdue_list(BUREAU, bulletin_query)
    assert len(entries["items"]) == 29 and entries["total"] == 29
    assert {e["agency_code"] for e in rpc.supervision.overdue_list(MARKET_ADMIN, bulletin_query)["items"]} == {MARKET}
    bulletin = rpc.supervision.publish_bulletin(BUREAU, {**bulletin_query, "title": "关于逾期未办结督办事项的通报"})
    assert len(bulletin["entries"]) == 29
    with pytest.raises(Conflict):
        rpc.supervision.publish_bulletin(BUREAU, {**bulletin_query, "title": "again"})
    with pytest.raises(Forbidden):
        rpc.supervision.publish_bulletin(MARKET_ADMIN, {**bulletin_query, "title": "x"})
