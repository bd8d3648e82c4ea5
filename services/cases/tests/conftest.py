"""What the cases service's interface tests share: the personnel service beside it, certified officers, an item, a
case report.

In process (the default): ``cases_service`` and ``personnel_service`` run in this process (``run_service``), the
cases service on each backend of ``database_url`` and the personnel service on SQLite; ``desk`` calls their
entrypoints as the gateway would (``desk.cases.report_case(actor, payload)``). Cases asks personnel over the real
broker. Fault tests (restarts, a stopped personnel service) use ``process_desk``: the same helpers over real
processes and a standalone RPC proxy. Officers are certified the way the suite does it: registered with personnel,
training facts published as ``training.*`` events, then a certificate issued (dated early in 2024 so the 2024 cases
fall inside it).
"""

from __future__ import annotations

import functools
import uuid
from datetime import date

import pytest
from enforcement_testing import (
    BUREAU,
    MetricsReader,
    publish_event,
    valid_id_number,
    wait_until,
)

from enforcement_contracts.training import compliance as training_compliance
from enforcement_contracts.training import exams as training_exams

MARKET = "140928-scjgj"  # 县市场监管局
DOMAIN = "market_supervision"
CERT_ISSUED = date(2024, 1, 2)


class Calls:
    """``calls.report_case(actor, payload)`` runs that entrypoint of an in-process service (a real worker)."""

    def __init__(self, service):
        self._service = service

    def __getattr__(self, method: str):
        return functools.partial(self._service.call, method)


class Desk(MetricsReader):
    """The helpers every cases test uses, over either callers (in process, or a standalone proxy)."""

    def __init__(self, cases, personnel, amqp_uri: str, ops_url: str | None = None):
        self.cases = cases
        self.personnel = personnel
        self.amqp_uri = amqp_uri
        self.ops_url = ops_url

    def register_officer(self, seq: int, agency_code: str = MARKET) -> dict:
        return self.personnel.register_officer(
            BUREAU,
            {
                "agency_code": agency_code,
                "name": f"执法员{seq}",
                "id_number": valid_id_number(seq),
                "domains": [DOMAIN],
            },
        )

    def certify(self, officer: dict, issued_on: date = CERT_ISSUED) -> dict:
        """The year's training facts from the training service, then the certificate."""
        facts = {"officer_id": officer["officer_id"], "agency_code": officer["agency_code"]}
        publish_event(
            self.amqp_uri,
            training_compliance.HOURS_UPDATED,
            {
                **facts,
                "year": issued_on.year,
                "revision": 1,
                "hours_by_category": {"public_law": 30.0, "professional": 30.0},
                "required_courses_done": True,
            },
        )
        publish_event(
            self.amqp_uri,
            training_exams.EXAM_PASSED,
            {
                **facts,
                "result_id": uuid.uuid4().hex,
                "exam_kind": "qualification",
                "score": 80.0,
                "pass_mark": 60.0,
                "sat_on": issued_on,
            },
        )
        wait_until(
            lambda: self.personnel.eligibility(BUREAU, officer["officer_id"], issued_on.year)["eligible"],
            message="personnel has the training facts",
        )
        return self.personnel.issue_certificate(
            BUREAU, {"officer_id": officer["officer_id"], "domains": [DOMAIN], "issued_on": issued_on.isoformat()}
        )

    def certified_officers(self, first_seq: int, n: int, agency_code: str = MARKET) -> list[dict]:
        officers = [self.register_officer(first_seq + i, agency_code) for i in range(n)]
        for officer in officers:
            self.certify(officer)
        return officers

    def penalty_item(self, code: str = "SCJ-CF-001", actor: dict = BUREAU, **extra) -> dict:
        payload = {
            "agency_code": MARKET,
            "code": code,
            "type_code": "penalty",
            "name": "销售不符合食品安全标准的食品",
            "domain": DOMAIN,
            "legal_basis": "《中华人民共和国食品安全法》第一百二十四条",
            "effective_from": "2020-01-01",
            **extra,
        }
        return self.cases.create_item(actor, payload)

    @staticmethod
    def report(item: dict, officers: list[dict], number: str = "五市监罚〔2024〕1号", **extra) -> dict:
        return {
            "agency_code": MARKET,
            "case_number": number,
            "item_id": item["item_id"],
            "filed_on": "2024-07-03",
            "violation_on": "2024-06-20",
            "party": {"kind": "citizen", "name": "张三", "id_number": valid_id_number(900)},
            "officers": [{"officer_id": o["officer_id"]} for o in officers],
            **extra,
        }


@pytest.fixture
def personnel_service(run_service):
    return run_service("personnel")


@pytest.fixture
def cases_service(personnel_service, run_service, database_url, tmp_path):
    """The cases service in process on ``database_url``'s backend (SQLite: a copy of the migrated template). Personnel
    runs in the same process, so its answers wait for this process's turn: on a busy machine a 2-second timeout
    gave up on a live personnel (the tests of a personnel that is down run as processes, test_cases_faults)."""
    url = None if database_url.startswith("sqlite") else database_url
    documents = {"records": {"storage_dir": str(tmp_path / "cases-documents")}}  # the test's own file store
    return run_service("cases", database_url=url, settings={"RPC_TIMEOUT": 10, "CASES": documents})


@pytest.fixture
def desk(cases_service, personnel_service, amqp_uri):
    return Desk(Calls(cases_service), Calls(personnel_service), amqp_uri, cases_service.ops_url)


# --- as processes: for the tests that stop or restart a service ---------------------------------------------
@pytest.fixture
def personnel_process(tmp_path, amqp_uri, start_service):
    return start_service("personnel", f"sqlite:///{tmp_path}/personnel.db", amqp_uri)


@pytest.fixture
def process_desk(personnel_process, rpc, amqp_uri):
    return Desk(rpc.cases, rpc.personnel, amqp_uri)
