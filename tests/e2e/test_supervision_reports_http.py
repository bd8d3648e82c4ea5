"""End to end: the bureau issues a notice, the agency answers late, the bureau verifies; the yearly assessment (over
HTTP) and the statistics report (JSON and .xlsx over HTTP) reflect it. The facts come from the real personnel,
training and cases services over RPC. Bad input is a 400 naming the field and writes nothing; roles are enforced.

The lateness is made by moving the item's deadline into the past in its database, as the supervision integration tests
do (the service reads only its database, so this is what time passing looks like to it).
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import requests
from enforcement_testing import (
    RUN_DATE,
    db_connection,
    db_count,
    db_counts,
    drop_event_queues,
    free_port,
    valid_id_number,
    wait_until,
)
from openpyxl import load_workbook
from sqlalchemy import text

from enforcement_gateway.conformance import answer_problems
from enforcement_kernel.workdays import add_workdays

SCJ = "140928-scjgj"  # 县市场监管局
NRJ = "140928-nyncj"  # 县农业农村局
PASSWORD = "a-long-enough-password"
BUREAU = {"username": "admin", "role": "bureau", "agency_code": None, "officer_id": None}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Api:
    """Every answer is checked against the gateway's /openapi.json (as the shared client does)."""

    def __init__(self, base: str, token: str):
        self.base, self.session = base, requests.Session()
        self.session.trust_env = False  # no proxy for loopback
        self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path, **kw):
        return checked(self.session.get(self.base + path, timeout=20, **kw))

    def post(self, path, **kw):
        return checked(self.session.post(self.base + path, timeout=20, **kw))


def checked(response: requests.Response) -> requests.Response:
    problems = answer_problems(response)
    if problems:
        pytest.fail("answer not as documented in /openapi.json:\n" + "\n".join(problems[:20]), pytrace=False)
    return response


@dataclass
class ReportsSuite:
    base: str
    supervision_db: str
    training: object
    supervision: object
    passwords: dict = dataclasses.field(default_factory=dict)  # (username, given) -> changed at the first login

    def login(self, username: str, password: str) -> Api:
        """Logged in; a first login changes the password to ``password + "-new"`` (remembered for this test)."""
        given, password = password, self.passwords.get((username, password), password)
        response = requests.post(
            f"{self.base}/auth/login", json={"username": username, "password": password}, timeout=10
        )
        assert response.status_code == 200, response.text
        api = Api(self.base, response.json()["token"])
        if response.json().get("must_change_password"):
            new = {"current_password": password, "new_password": password + "-new"}
            assert api.post("/auth/password", json=new).status_code == 200
            self.passwords[(username, given)] = password + "-new"
        return api


@pytest.fixture
def reports_suite(start_service, amqp_uri, tmp_path):
    """training, personnel, cases, supervision and the gateway, on SQLite: every source of the yearly facts."""
    url = {
        name: f"sqlite:///{tmp_path}/{name}.db" for name in ("training", "personnel", "cases", "supervision", "gateway")
    }
    drop_event_queues(amqp_uri, "training")  # first: its queues must exist before personnel announces officers
    training = start_service("training", url["training"], amqp_uri)
    start_service("personnel", url["personnel"], amqp_uri)
    start_service("cases", url["cases"], amqp_uri, extra_env={"RPC_TIMEOUT": "3"})
    drop_event_queues(amqp_uri, "supervision")
    supervision = start_service("supervision", url["supervision"], amqp_uri, extra_env={"RPC_TIMEOUT": "5"})
    web = free_port()
    start_service(
        "gateway", url["gateway"], amqp_uri, extra_env={"WEB_SERVER_ADDRESS": f"127.0.0.1:{web}", "RPC_TIMEOUT": "10"}
    )
    return ReportsSuite(f"http://127.0.0.1:{web}/api/v1", url["supervision"], training, supervision)


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
@pytest.mark.timeout(300)
def test_a_late_answer_shows_in_the_assessment_and_the_xlsx_report(reports_suite, rpc):
    suite = reports_suite
    bureau = suite.login("admin", "change-me-now")
    created = bureau.post(
        "/users", json={"username": "scj-admin", "password": PASSWORD, "role": "agency_admin", "agency_code": SCJ}
    )
    assert created.status_code == 201, created.text
    scj = suite.login("scj-admin", PASSWORD)
    officer = bureau.post(
        "/officers",
        json={
            "agency_code": SCJ,
            "name": "执法员甲",
            "id_number": valid_id_number(901),
            "domains": ["market_supervision"],
        },
    )
    assert officer.status_code == 201, officer.text
    year = RUN_DATE.year

    # the bureau issues a notice; it falls due before the agency answers; the bureau verifies the late answer
    item = bureau.post(
        "/supervision/items",
        json={"agency_code": SCJ, "kind": "rectification", "title": "整改通知：执法公示不及时", "deadline_workdays": 5},
    )
    assert item.status_code == 201, item.text
    item = item.json()
    today = RUN_DATE
    with db_connection(suite.supervision_db) as conn:
        conn.execute(
            text("UPDATE supervision_items SET issued_on = :issued, due_on = :due WHERE id = :id"),
            {
                "issued": max(date(year, 1, 1), today - timedelta(days=20)),
                "due": max(date(year, 1, 1), add_workdays(today, -2)),
                "id": item["item_id"],
            },
        )
        conn.commit()
    assert scj.post(f"/supervision/items/{item['item_id']}/acknowledge", json={}).status_code == 200
    answered = scj.post(f"/supervision/items/{item['item_id']}/answer", json={"answer": "已整改，补录公示"})
    assert answered.status_code == 200 and answered.json()["answered_on_time"] is False, answered.text
    verified = bureau.post(f"/supervision/items/{item['item_id']}/verify", json={})
    assert verified.status_code == 200 and verified.json()["state"] == "verified", verified.text

    # bad input: a 400 naming the field, nothing written; roles
    before = db_counts(suite.supervision_db, "satisfaction_surveys", "assessment_runs")
    survey = {
        "agency_code": SCJ,
        "year": year,
        "score": 82.5,
        "respondents": 120,
        "surveyor": "山西某调查公司",
        "surveyed_on": today.isoformat(),
    }
    too_high = bureau.post("/supervision/satisfaction-surveys", json={**survey, "score": 120})
    assert too_high.status_code == 400 and "score" in too_high.json()["fields"]
    future = bureau.post("/supervision/satisfaction-surveys", json={**survey, "surveyed_on": f"{year + 1}-01-15"})
    assert future.status_code == 400 and "surveyed_on" in future.json()["fields"]
    unknown = bureau.post("/supervision/satisfaction-surveys", json={**survey, "agency_code": "140928-nosuch"})
    assert unknown.status_code == 400 and "agency_code" in unknown.json()["fields"]
    bad_year = bureau.post("/supervision/assessments", json={"year": "this year"})
    assert bad_year.status_code == 400 and "year" in bad_year.json()["fields"]
    assert scj.post("/supervision/assessments", json={"year": year}).status_code == 403
    assert scj.post("/supervision/satisfaction-surveys", json=survey).status_code == 403
    assert db_counts(suite.supervision_db, "satisfaction_surveys", "assessment_runs") == before
    recorded = bureau.post("/supervision/satisfaction-surveys", json=survey)
    assert recorded.status_code == 201 and recorded.json()["score"] == 82.5
    surveys = scj.get("/supervision/satisfaction-surveys", params={"year": year}).json()
    assert [s["agency_code"] for s in surveys["items"]] == [SCJ] and surveys["total"] == 1

    wait_until(
        lambda: any(
            a["agency_code"] == SCJ and a["officers"] == 1
            for a in rpc.training.compliance_summary(BUREAU, year)["agencies"]
        ),
        message="the training service knows the officer (officer.registered)",
    )

    # the assessment: the late answer costs the overdue-items and promptness points; an agency with nothing to
    # measure has no score (无数据) and no rank, instead of full points above the one that has a record
    run = bureau.post("/supervision/assessments", json={"year": year})
    assert run.status_code == 201, run.text
    run = run.json()
    assert sum(run["weights"].values()) == 100
    by_agency = {s["agency_code"]: s for s in run["ranking"]}
    assert SCJ in by_agency and "140928-sfj" not in by_agency  # the bureau supervises, it is not assessed
    assert {a["agency_code"] for a in run["not_assessed"]} == {"140928-czj", "140928-fgw"}  # no enforcement duties
    scores = {i["code"]: i for i in by_agency[SCJ]["indicators"]}
    assert scores["overdue_items"]["points"] == 0 and scores["overdue_items"]["detail"].startswith("1 overdue of 1")
    assert scores["promptness"]["points"] == 0 and scores["promptness"]["detail"].startswith("0 on time of 1")
    assert scores["certification"]["points"] == 0  # one officer in post, no certificate
    assert scores["training"]["points"] == 0  # in post, not trained this year
    assert not scores["case_review"]["has_data"] and scores["case_review"]["points"] is None  # nothing reviewed
    assert by_agency[SCJ]["weight_with_data"] == 10 + 15 + 15 + 15 and by_agency[SCJ]["total"] == 0
    assert by_agency[SCJ]["rank"] == 1 and run["ranking"][0]["agency_code"] == SCJ
    assert (by_agency[NRJ]["no_data"], by_agency[NRJ]["total"], by_agency[NRJ]["rank"]) == (True, None, None)
    latest = bureau.get(f"/supervision/assessments/{year}")
    assert latest.status_code == 200 and latest.json()["run_id"] == run["run_id"]
    assert db_count(suite.supervision_db, "assessment_runs") == 1

    # the statistics report: the county's to the bureau, the agency's own to its admin, as JSON and .xlsx
    county = bureau.get("/supervision/annual-reports", params={"year": year})
    assert county.status_code == 200, county.text
    county = county.json()
    assert county["scope"] == "county" and county["due_on"] == f"{year + 1}-01-31"
    sections = {s["code"]: s for s in county["sections"]}
    [scj_items] = [r for r in sections["supervision"]["rows"] if r["agency_code"] == SCJ]
    assert (scj_items["items"], scj_items["items_overdue"]) == (1, 1)
    assert sections["supervision"]["total"]["items_overdue"] == 1
    assert sections["certificates"]["total"]["officers"] == 1
    own = scj.get("/supervision/annual-reports", params={"year": year}).json()
    assert own["scope"] == SCJ and all(r["agency_code"] == SCJ for s in own["sections"] for r in s["rows"])
    assert scj.get("/supervision/annual-reports", params={"year": year, "agency_code": NRJ}).status_code == 403

    export = scj.get("/supervision/annual-reports/export", params={"year": year})
    assert export.status_code == 200 and export.headers["Content-Type"].startswith(XLSX)
    book = load_workbook(io.BytesIO(export.content))
    assert len(book.sheetnames) == 1 + len(county["sections"])
    rows = list(book["执法监督 supervision items"].iter_rows(values_only=True))
    assert rows[1][:4] == (SCJ, "县市场监管局", 1, 1) and rows[-1][0] == "合计 total"
    assert f"annual-report-{year}-{SCJ}.xlsx" in export.headers["Content-Disposition"]

    # a source of facts down: 503, and no assessment computed from half the facts
    suite.training.stop()
    down = bureau.post("/supervision/assessments", json={"year": year})
    assert down.status_code == 503 and "training" in down.json()["message"], down.text
    assert db_count(suite.supervision_db, "assessment_runs") == 1


def on_supervision_date(suite: ReportsSuite, day: str) -> None:
    """Restart the supervision service on the county clock's ``day`` (CLOCK_TODAY): the filing's date is its own."""
    assert suite.supervision.stop() == 0
    suite.supervision.env["CLOCK_TODAY"] = day
    suite.supervision.start()


# One scenario told in order (each step needs the one before), so longer than 50 lines on purpose.
@pytest.mark.timeout(300)
def test_the_yearly_report_is_filed_once_frozen_and_measured_against_31_january(reports_suite, collect_events):
    suite = reports_suite
    filed_events = collect_events("supervision", "annual_report.filed")
    bureau = suite.login("admin", "change-me-now")
    assert (
        bureau.post(
            "/users", json={"username": "scj-admin", "password": PASSWORD, "role": "agency_admin", "agency_code": SCJ}
        ).status_code
        == 201
    )
    scj = suite.login("scj-admin", PASSWORD)

    on_supervision_date(suite, "2026-01-20")
    # bad input: a 400 naming the field, nothing written; a year not over yet; another agency's report
    for body, field in (
        ({"year": "last"}, "year"),
        ({"year": 2025, "colour": "red"}, "colour"),
        ({"year": 2026}, "year"),
        ({"year": 2025, "agency_code": "no such"}, "agency_code"),
    ):
        refused = scj.post("/supervision/annual-reports/filings", json=body)
        assert refused.status_code == 400 and field in refused.json()["fields"], (body, refused.text)
    assert scj.post("/supervision/annual-reports/filings", json={"year": 2025, "agency_code": NRJ}).status_code == 403
    assert db_count(suite.supervision_db, "annual_report_filings") == 0

    filed = scj.post("/supervision/annual-reports/filings", json={"year": 2025})
    assert filed.status_code == 201, filed.text
    filed = filed.json()
    assert (filed["scope"], filed["filed_on"], filed["due_on"], filed["on_time"], filed["filed_by"]) == (
        SCJ,
        "2026-01-20",
        "2026-01-31",
        True,
        "scj-admin",
    )
    assert (filed["report"]["year"], filed["report"]["scope"], filed["report"]["generated_on"]) == (
        2025,
        SCJ,
        "2026-01-20",
    )
    again = scj.post("/supervision/annual-reports/filings", json={"year": 2025})
    assert again.status_code == 409 and "already filed" in again.text

    listed = bureau.get("/supervision/annual-reports/filings", params={"year": 2025})
    assert listed.status_code == 200, listed.text
    listed = listed.json()
    rows = {r["scope"]: r for r in listed["filings"]}
    assert listed["due_on"] == "2026-01-31" and list(rows)[0] == "county"
    assert (rows[SCJ]["filed"], rows[SCJ]["on_time"], rows[SCJ]["filing_id"]) == (True, True, filed["filing_id"])
    assert (rows[NRJ]["filed"], rows[NRJ]["overdue"], rows["county"]["overdue"]) == (False, False, False)
    own = scj.get("/supervision/annual-reports/filings", params={"year": 2025}).json()["filings"]
    assert [r["scope"] for r in own] == [SCJ]

    # three days after the due date: the county is overdue; the bureau files an agency's report on its behalf, late
    on_supervision_date(suite, "2026-02-03")
    rows = {
        r["scope"]: r
        for r in bureau.get("/supervision/annual-reports/filings", params={"year": 2025}).json()["filings"]
    }
    assert rows["county"]["overdue"] is True and rows[NRJ]["overdue"] is True and rows[SCJ]["overdue"] is False
    late = bureau.post("/supervision/annual-reports/filings", json={"year": 2025, "agency_code": NRJ})
    assert late.status_code == 201 and late.json()["on_time"] is False, late.text
    county = bureau.post("/supervision/annual-reports/filings", json={"year": 2025})
    assert county.status_code == 201 and county.json()["scope"] == "county", county.text
    assert scj.get(f"/supervision/annual-reports/filings/{county.json()['filing_id']}").status_code == 403
    mine = scj.get(f"/supervision/annual-reports/filings/{filed['filing_id']}")
    assert mine.status_code == 200 and mine.json()["report"] == filed["report"]

    # each agency's filing is one promptness measurement (the county's is the bureau's own, not measured)
    table = bureau.get("/supervision/promptness", params={"from": "2026-01-01", "to": "2026-12-31"}).json()
    kinds = {(r["agency_code"], r["measurements"], r["on_time"]) for r in table if r["kind"] == "annual_report_filed"}
    assert kinds == {(SCJ, 1, 1), (NRJ, 1, 0)}
    events = filed_events.wait_for(3)
    assert sorted((e["data"]["scope"], e["data"]["on_time"]) for e in events) == [
        (NRJ, False),
        (SCJ, True),
        ("county", False),
    ]
    assert [e["data"]["agency_code"] for e in events if e["data"]["scope"] == "county"] == [None]
