"""Shared fixtures of the supervision tests: personnel and supervision in process (nameko's container, real broker,
real database), a driver that certifies officers through personnel, and readers of /metrics."""

from __future__ import annotations

import time
import uuid

import pytest
from enforcement_testing import (
    BUREAU,
    RUN_DATE,
    drop_event_queues,
    http_get,
    metric_value,
    publish_event,
    valid_id_number,
    wait_until,
)

from enforcement_contracts.training import compliance as training_compliance
from enforcement_contracts.training import exams as training_exams

MARKET = "140928-scjgj"  # 县市场监管局
DOMAIN = "market_supervision"
#: the overdue check and the gauges every second (the packaged defaults are 60 and 30 seconds)
FAST_TIMERS = {"SUPERVISION": {"overdue_check_seconds": 1, "gauges_refresh_seconds": 1}}


class Metrics:
    """Samples of an in-process service's /metrics (process-wide in process: compare counters as deltas)."""

    def __init__(self, service):
        self.service = service

    def text(self) -> str:
        status, body = http_get(f"{self.service.ops_url}/metrics")
        assert status == 200, body[:500]
        return body

    def __call__(self, name: str, **labels) -> float:
        return metric_value(self.text(), name, **labels)

    def wait(self, name: str, expected: float, timeout: float = 15.0, **labels) -> float:
        """Poll until the sample reaches ``expected`` (bounded); returns the value seen."""
        deadline = time.monotonic() + timeout
        value = self(name, **labels)
        while value < expected and time.monotonic() < deadline:
            time.sleep(0.1)
            value = self(name, **labels)
        return value

    def ratio(self, agency: str, kind: str) -> float | None:
        """The on-time ratio gauge of an agency and kind; None while it is not shown."""
        for line in self.text().splitlines():
            if (
                line.startswith("enforcement_agency_on_time_ratio{")
                and f'agency="{agency}"' in line
                and f'kind="{kind}"' in line
            ):
                return float(line.rsplit(" ", 1)[1])
        return None


@pytest.fixture
def personnel(run_service):
    """The real personnel service in this process (SQLite): it answers the agency list and certifies officers."""
    return run_service("personnel")


@pytest.fixture
def supervision(personnel, database_url, amqp_uri, run_service):
    """The supervision service in this process, on each backend in turn, its timers every second."""
    drop_event_queues(amqp_uri, "supervision")  # only this test's events, not what earlier tests left queued
    return run_service("supervision", database_url, settings={**FAST_TIMERS, "RPC_TIMEOUT": 3})


@pytest.fixture
def metrics(supervision) -> Metrics:
    return Metrics(supervision)


@pytest.fixture
def certified_officer(personnel, amqp_uri):
    """``certified_officer(seq)`` -> (officer, certificate): an officer of the market bureau with the year's training
    facts (published as training announces them) and a certificate issued by personnel."""
    return lambda seq: _certified_officer(personnel, amqp_uri, seq)


def _certified_officer(personnel, amqp_uri: str, seq: int) -> tuple[dict, dict]:
    officer = personnel.call(
        "register_officer",
        BUREAU,
        {"agency_code": MARKET, "name": f"督察员{seq}", "id_number": valid_id_number(700 + seq), "domains": [DOMAIN]},
    )
    publish_event(
        amqp_uri,
        training_compliance.HOURS_UPDATED,
        {
            "officer_id": officer["officer_id"],
            "agency_code": MARKET,
            "year": RUN_DATE.year,
            "revision": 1,
            "hours_by_category": {"public_law": 30.0, "professional": 30.0},
            "required_courses_done": True,
        },
    )
    publish_event(
        amqp_uri,
        training_exams.EXAM_PASSED,
        {
            "result_id": uuid.uuid4().hex,
            "officer_id": officer["officer_id"],
            "agency_code": MARKET,
            "exam_kind": "qualification",
            "score": 80.0,
            "pass_mark": 60.0,
            "sat_on": RUN_DATE,
        },
    )
    wait_until(
        lambda: personnel.call("eligibility", BUREAU, officer["officer_id"])["eligible"],
        message="personnel has the training facts",
    )
    cert = personnel.call("issue_certificate", BUREAU, {"officer_id": officer["officer_id"], "domains": [DOMAIN]})
    return officer, cert
