"""Shared fixtures of the personnel tests: the service (in process, or as a deployed process) and a driver that
registers officers, feeds the training facts the training service would announce and certifies officers."""

from __future__ import annotations

import uuid

import pytest
from enforcement_testing import BUREAU, RUN_DATE, http_get, metric_value, publish_event, valid_id_number, wait_until

from enforcement_contracts.training import compliance as training_compliance
from enforcement_contracts.training import exams as training_exams

MARKET = "140928-scjgj"  # 县市场监管局
MARKET_DOMAIN = "market_supervision"


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


class PersonnelDriver:
    """Calls the personnel service through ``call(method, *args)`` (in process or over RPC)."""

    def __init__(self, call, amqp_uri: str):
        self.call = call
        self.amqp_uri = amqp_uri

    officer_payload = staticmethod(officer_payload)

    def feed_training_facts(
        self, officer: dict, year: int, *, hours: float = 30, courses_done: bool = True, exam: bool = True
    ) -> None:
        """What the training service publishes once an officer has done the year's training and the exam."""
        hours_by_category = {"public_law": float(hours), "professional": float(hours), "political": 4.0}
        publish_event(
            self.amqp_uri,
            training_compliance.HOURS_UPDATED,
            {
                "officer_id": officer["officer_id"],
                "agency_code": officer["agency_code"],
                "year": year,
                "revision": 1,
                "hours_by_category": hours_by_category,
                "required_courses_done": courses_done,
            },
        )
        if exam:
            publish_event(
                self.amqp_uri,
                training_exams.EXAM_PASSED,
                {
                    "result_id": uuid.uuid4().hex,
                    "officer_id": officer["officer_id"],
                    "agency_code": officer["agency_code"],
                    "exam_kind": "qualification",
                    "score": 86.0,
                    "pass_mark": 60.0,
                    "sat_on": RUN_DATE,
                },
            )

    def wait_eligible(self, officer_id: str) -> dict:
        """Events are asynchronous: poll until the read model has both training facts (bounded)."""

        def eligible():
            result = self.call("eligibility", BUREAU, officer_id)
            return result if result["eligible"] else None

        return wait_until(eligible, timeout=15, interval=0.02, message=f"officer {officer_id} eligible (read model)")

    def certified_officer(self, seq: int, agency_code: str = MARKET) -> tuple[dict, dict]:
        officer = self.call("register_officer", BUREAU, officer_payload(seq, agency_code))
        self.feed_training_facts(officer, RUN_DATE.year)
        self.wait_eligible(officer["officer_id"])
        request = {"officer_id": officer["officer_id"], "domains": [MARKET_DOMAIN]}
        return officer, self.call("issue_certificate", BUREAU, request)


@pytest.fixture
def personnel(database_url, run_service):
    """The personnel service in this process (nameko's container), on each backend in turn (SQLite: a copy of the
    session's migrated and seeded file, PostgreSQL: a fresh database migrated and seeded)."""
    return run_service("personnel", None if database_url.startswith("sqlite") else database_url)


@pytest.fixture
def staff(personnel, amqp_uri) -> PersonnelDriver:
    return PersonnelDriver(personnel.call, amqp_uri)


@pytest.fixture
def metric(personnel):
    """``metric(name, **labels)``: a sample from the in-process service's /metrics (process-wide: compare deltas)."""

    def read(name: str, **labels) -> float:
        status, body = http_get(f"{personnel.ops_url}/metrics")
        assert status == 200, body[:500]
        return metric_value(body, name, **labels)

    return read


@pytest.fixture(name="officer_payload")
def officer_payload_fixture():
    """``officer_payload(seq, agency_code=MARKET, **extra)``: a valid registration (ID number unique per seq)."""
    return officer_payload
