"""The withdrawal watch (撤回公示, art. 48) as real processes with the real broker: a published decision revoked and
not withdrawn within 3 working days is announced once as ``cases.deadline.missed`` (kind publication_withdrawn); the
supervision service opens one item for it, counts it late in its promptness table and on /metrics and the agency's
on-time ratio falls below 1; the late withdrawal recorded afterwards replaces the provisional late row instead of
adding one; a restart announces nothing again. The decision left the public list the moment it was revoked.

The deadline watch runs at start (then hourly): the data is reported first, then a restart looks at it, so no watch
runs between the separate calls that report, publish and revoke one decision.
"""

from __future__ import annotations

import json

import pytest
from enforcement_testing import BUREAU, RUN_DATE, db_count, drop_event_queues, wait_until

from enforcement_contracts.errors import NotFound

pytestmark = pytest.mark.timeout(180)

MARKET = "140928-scjgj"  # 县市场监管局
SCJ_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
LATE = {"service": "supervision", "agency": MARKET, "kind": "publication_withdrawn", "on_time": "false"}


@pytest.fixture
def cases(personnel_process, database_url, amqp_uri, start_service):
    return start_service("cases", database_url, amqp_uri, extra_env={"RPC_TIMEOUT": "2"})


def _table(rpc) -> dict[str, dict]:
    """The agency's rows of supervision's promptness table since 2024, by kind ('all': every kind)."""
    rows = rpc.supervision.promptness_table(
        BUREAU, {"from": "2024-01-01", "to": RUN_DATE.isoformat(), "agency_code": MARKET}
    )
    return {row["kind"]: row for row in rows}


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
def test_a_revoked_decision_not_withdrawn_in_time_is_announced_once_and_counts_late(
    cases, tmp_path, rpc, process_desk, amqp_uri, start_service, collect_events
):
    drop_event_queues(amqp_uri, "supervision")
    supervision = start_service(
        "supervision",
        f"sqlite:///{tmp_path}/supervision.db",
        amqp_uri,
        extra_env={"RPC_TIMEOUT": "3", "SUPERVISION_GAUGES_REFRESH_SECONDS": "1"},
    )
    missed = collect_events("cases", "deadline.missed")
    officers = process_desk.certified_officers(71, 2)
    item = process_desk.penalty_item()
    # decided Friday 2024-07-19, published on time, revoked on reconsideration Monday 2024-08-05: 3 working days
    # (Aug 6, 7, 8) to withdraw the publication, never recorded
    case = process_desk.cases.report_case(
        SCJ_ADMIN,
        process_desk.report(
            item,
            officers,
            "五市监罚〔2024〕31号",
            notice_on="2024-07-10",
            decision={"decided_on": "2024-07-19", "penalty": {"kinds": ["warning"]}},
        ),
    )
    case_id = case["case_id"]
    process_desk.cases.publish_decision(SCJ_ADMIN, case_id, {"published_on": "2024-07-22"})
    assert process_desk.cases.public_decision(case_id)["case_id"] == case_id
    process_desk.cases.revoke_decision(
        SCJ_ADMIN, case_id, {"changed_on": "2024-08-05", "reason": "行政复议决定撤销", "ground": "reconsideration"}
    )
    # gone from the public list at once, the withdrawal not yet recorded
    assert process_desk.cases.public_decisions({"agency_code": MARKET})["total"] == 0
    with pytest.raises(NotFound) as revoked:
        process_desk.cases.public_decision(case_id)
    assert revoked.value.fields == {"case_id": ["revoked"]}

    assert cases.stop() == 0
    cases.start()
    [announced] = missed.wait_for(1, timeout=30)
    data = announced["data"]
    assert (data["kind"], data["case_id"], data["transfer_id"], data["reference"], data["agency_code"]) == (
        "publication_withdrawn",
        case_id,
        None,
        case_id,
        MARKET,
    )
    assert (data["started_on"], data["due_on"], data["deadline"], data["deadline_unit"]) == (
        "2024-08-05",
        "2024-08-08",
        3,
        "workdays",
    )
    assert data["detected_on"] == RUN_DATE.isoformat() and announced["subject"] == case_id
    assert "张三" not in json.dumps(announced)
    assert db_count(cases.database_url, "deadline_misses", "kind = 'publication_withdrawn'") == 1

    # supervision: one item addressed to the agency, the miss late in the promptness table and on /metrics
    def item_opened():
        found = rpc.supervision.list_items(BUREAU, {"kind": "rectification", "agency_code": MARKET})["items"]
        return [i for i in found if i["details"].get("reference") == case_id] or None

    [opened] = wait_until(item_opened, timeout=30, message="the follow-up item")
    assert opened["origin"] == "cases.deadline.missed" and opened["state"] == "issued"
    assert opened["title"] == "变更或撤销的决定未按时撤回公示"
    table = wait_until(
        lambda: (t := _table(rpc)).get("publication_withdrawn") and t, timeout=30, message="the late row"
    )
    assert (table["publication_withdrawn"]["measurements"], table["publication_withdrawn"]["on_time"]) == (1, 0)
    assert table["decision_published"]["on_time"] == 1  # published in time: measured on time
    assert table["all"]["on_time_ratio"] < 1
    assert supervision.wait_metric("enforcement_promptness_measurements_total", 1, **LATE) == 1
    [ratio] = wait_until(
        lambda: [g] if (g := _gauge(supervision, MARKET, "all")) is not None else None,
        timeout=30,
        message="the agency's on-time ratio gauge",
    )
    assert ratio < 1  # this year's: the late withdrawal is the agency's only obligation ended this year

    # withdrawn at last (late): the measurement replaces the provisional row, the item recurs, nothing counts twice
    process_desk.cases.withdraw_publication(SCJ_ADMIN, case_id, {"withdrawn_on": "2024-08-20"})
    wait_until(
        lambda: rpc.supervision.get_item(BUREAU, opened["item_id"])["occurrences"] == 2,
        timeout=30,
        message="the late withdrawal recorded on the item",
    )
    row = _table(rpc)["publication_withdrawn"]
    assert (row["measurements"], row["on_time"]) == (1, 0)
    assert supervision.metric("enforcement_promptness_measurements_total", **LATE) == 1

    assert cases.stop() == 0
    cases.start()
    assert len(missed.collect_for(3.0)) == 1, "a restart announced the same miss again"
    assert db_count(cases.database_url, "deadline_misses") == 1
    assert len(item_opened()) == 1
    assert supervision.running


def _gauge(service, agency: str, kind: str) -> float | None:
    """The supervision service's on-time ratio gauge of an agency and kind; None while it is not shown."""
    for line in service.metrics_text().splitlines():
        if line.startswith("enforcement_agency_on_time_ratio{") and f'agency="{agency}"' in line:
            if f'kind="{kind}"' in line:
                return float(line.rsplit(" ", 1)[1])
    return None
