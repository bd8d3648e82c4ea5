"""A page of cases costs a handful of queries, not ten per case (issue 14, point 4): ``list_cases`` reads each kind of
child (suspensions, extensions, legal reviews, item types and names, publications, the changes of published
decisions, documents and recordings) once for the whole page, so a page of 5 and a page of 50 issue the same number
of SQL statements (counted with SQLAlchemy's ``before_cursor_execute`` on an engine of the test's own, on SQLite and
PostgreSQL), and each row is what reading that case alone answers.

The cases are held to the records rules (``required_from`` before their filing, penalty cases needing recordings) so
that the documents and recordings are read too; the newest ones are suspended, decided, published and revoked so
that both pages hold every kind of child."""

from __future__ import annotations

from datetime import date

import pytest
from enforcement_testing import RUN_DATE
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from cases_service.operations import cases as case_ops
from cases_service.operations.common import Settings

pytestmark = pytest.mark.timeout(300)

MARKET = "140928-scjgj"  # 县市场监管局
SCJ_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
RECORDS = {"required_from": "2024-01-01", "recording_required_for": {"types": ["penalty"]}}


@pytest.fixture
def cases_service(personnel_service, run_service, database_url, tmp_path):
    """The conftest's in-process cases service, its cases held to the records rules from 2024 on."""
    url = None if database_url.startswith("sqlite") else database_url
    records = {**RECORDS, "storage_dir": str(tmp_path / "cases-documents")}
    return run_service("cases", database_url=url, settings={"RPC_TIMEOUT": 10, "CASES": {"records": records}})


def _fifty_cases(desk) -> None:
    """50 cases filed a day apart; the six newest with suspensions, decisions, a publication and a revocation."""
    officers = desk.certified_officers(71, 2)
    item = desk.penalty_item()
    cases = []
    for n in range(50):
        filed = date(2024, 7, 3).toordinal() + n
        report = desk.report(
            item,
            officers,
            f"五市监罚〔2024〕{100 + n}号",
            filed_on=date.fromordinal(filed).isoformat(),
            notice_on="2024-08-26",
        )
        cases.append(desk.cases.report_case(SCJ_ADMIN, report)["case_id"])
    suspension = {"suspended_on": "2024-08-25", "resumed_on": "2024-09-04", "reason": "等待检验结果"}
    desk.cases.update_case(SCJ_ADMIN, cases[-1], {"suspensions": [suspension]})
    warning = {"penalty": {"kinds": ["warning"]}, "summary": "警告"}
    for case_id in cases[-5:-1]:
        desk.cases.decide_case(SCJ_ADMIN, case_id, {"decided_on": "2024-09-10", **warning})
    desk.cases.update_case(SCJ_ADMIN, cases[-2], {"served_on": "2024-09-12"})
    for case_id in cases[-4:-2]:
        desk.cases.publish_decision(SCJ_ADMIN, case_id, {"published_on": "2024-09-13"})
    desk.cases.revoke_decision(
        SCJ_ADMIN, cases[-4], {"changed_on": "2024-09-27", "reason": "复议撤销", "ground": "agency"}
    )


def test_a_page_of_fifty_cases_issues_as_many_statements_as_a_page_of_five(desk, cases_service):
    _fifty_cases(desk)
    settings = Settings.from_config(cases_service.config)
    engine = create_engine(cases_service.database_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        counts, pages = {}, {}
        for per_page in (5, 50):
            with Session(engine) as session:
                statements.clear()
                pages[per_page] = case_ops.list_cases(session, SCJ_ADMIN, {"per_page": per_page}, settings, RUN_DATE)
                counts[per_page] = len(statements)
            with Session(engine) as session:  # the same rows, each case read alone
                alone = [
                    case_ops.case_dict(session, case_ops.get_case(session, row["case_id"]), settings, RUN_DATE)
                    for row in pages[per_page]["items"]
                ]
            assert pages[per_page]["items"] == alone
    finally:
        engine.dispose()

    assert len(pages[50]["items"]) == 50 and len(pages[5]["items"]) == 5
    assert counts[50] == counts[5] <= 16, statements
    newest = pages[5]["items"]
    assert newest[0]["suspensions"] and newest[0]["records"]["completeness_enforced"] is True
    assert {d["kind"] for d in newest[3]["deadlines"]} >= {"published", "withdrawn"}
    assert newest[3]["publication_withdrawn_on"] is None and newest[2]["published_on"] == "2024-09-13"
    assert all(row["records"]["recording_required"] for row in newest)
    # the service's own answers, list and single reads through its entrypoints, are the same rows
    assert desk.cases.list_cases(SCJ_ADMIN, {"per_page": 50})["items"] == pages[50]["items"]
    assert [desk.cases.get_case(SCJ_ADMIN, row["case_id"]) for row in newest] == newest
