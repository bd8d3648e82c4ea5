"""A joint session's page (issue 13) rendered from canned gateway answers (no services): the co-organisers' 待确认 /
已确认, the co-organiser's admin offered the confirmation (and only they), the decision sent to the API; whom the
session is open to; the session form sends open_to / open_county_wide."""

from __future__ import annotations

import re

import pytest
from console_support import unit_settings
from enforcement_console import pages
from enforcement_console.app import create_app
from enforcement_console.gateway import ApiError, Gateway

MARKET, FARM, ROADS = "140928-scjgj", "140928-nyncj", "140928-jtysj"
SID = "s" * 32
PAGE = {"items": [], "total": 0, "page": 1, "per_page": 20}
SESSION = {
    "session_id": SID,
    "course_id": "c1",
    "course_title": "联合执法技能",
    "category_code": "professional",
    "kind": "training",
    "required": False,
    "held_on": "2026-03-03",
    "ends_on": "2026-03-03",
    "hours": 4.0,
    "delivery": "offline",
    "location": "",
    "organiser": {"kind": "joint", "agency_codes": [MARKET, FARM]},
    "open_to": [ROADS],
    "open_county_wide": False,
    "partners": [{"agency_code": FARM, "state": "pending", "decided_on": None}],
    "joint_state": "pending",
}
ANSWERS: dict = {}


class Answer:
    def __init__(self, body):
        self.body = body

    def json(self):
        return self.body


@pytest.fixture
def calls(monkeypatch):
    made = []
    pages._AGENCIES.clear()  # agency names are kept per process: read this test's
    ANSWERS.clear()
    ANSWERS.update(
        {
            f"/training/sessions/{SID}": SESSION,
            f"/training/sessions/{SID}/attendance": PAGE,
            "/training/categories": {**PAGE, "items": [{"code": "professional", "name": "业务知识和行政执法技能"}]},
            "/training/courses": {**PAGE, "items": [{"course_id": "c1", "title": "联合执法技能"}]},
            "/officers": PAGE,
            "/agencies": {
                **PAGE,
                "items": [
                    {"code": MARKET, "name": "县市场监管局"},
                    {"code": FARM, "name": "县农业农村局"},
                    {"code": ROADS, "name": "县交通运输局"},
                ],
            },
        }
    )

    def request(self, method, path, **kw):
        made.append((method, path, kw.get("json")))
        if method == "POST" and path == f"/training/sessions/{SID}/confirmation":
            return Answer({**SESSION, "joint_state": "confirmed"})
        if method == "POST" and path == "/training/sessions":
            return Answer({**SESSION, **kw["json"]})
        if path not in ANSWERS:
            raise ApiError(404, "not_found", f"no {path}")
        return Answer(ANSWERS[path])

    monkeypatch.setattr(Gateway, "request", request)
    return made


@pytest.fixture
def app(calls):
    return create_app(unit_settings())


def client_as(app, role: str, agency_code: str | None = None):
    client = app.test_client()
    with client.session_transaction() as session:
        session["token"] = "t"
        session["user"] = {"username": f"{role}-user", "role": role, "agency_code": agency_code}
        session["csrf"] = "csrf-token"
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_co_organiser_s_admin_sees_pending_and_confirms(app, calls):
    farm = client_as(app, "agency_admin", FARM)
    page = farm.get(f"/training/sessions/{SID}")
    text = text_of(page)
    assert page.status_code == 200 and "待确认" in text and "县农业农村局：待确认" in text
    assert "确认联合举办" in text and "不参加联合举办" in text
    assert "举办单位（联合举办单位确认后），以及县交通运输局的执法人员" in text
    done = farm.post(f"/training/sessions/{SID}/confirmation", data={"_csrf": "csrf-token", "decision": "confirmed"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/training/sessions/{SID}")
    assert ("POST", f"/training/sessions/{SID}/confirmation", {"decision": "confirmed"}) in calls


def test_the_lead_sees_the_state_but_no_confirmation_and_confirmed_reads_so(app, calls):
    text = text_of(client_as(app, "agency_admin", MARKET).get(f"/training/sessions/{SID}"))
    assert "待确认" in text and "确认联合举办" not in text
    ANSWERS[f"/training/sessions/{SID}"] = {
        **SESSION,
        "joint_state": "confirmed",
        "partners": [{"agency_code": FARM, "state": "confirmed", "decided_on": "2026-03-01"}],
        "open_to": [],
        "open_county_wide": True,
    }
    text = text_of(client_as(app, "agency_admin", FARM).get(f"/training/sessions/{SID}"))
    assert "已确认" in text and "2026年3月1日" in text and "确认联合举办" not in text and "全县各部门" in text


def test_the_session_form_sends_whom_the_session_is_open_to(app, calls):
    market = client_as(app, "agency_admin", MARKET)
    form = {
        "_csrf": "csrf-token",
        "course_id": "c1",
        "held_on": "2026-03-03",
        "hours": "4",
        "delivery": "offline",
        "organiser_kind": "agency",
        "open_to": [ROADS],
    }
    assert market.post("/training/sessions/new", data=form).status_code == 302
    sent = [body for method, path, body in calls if method == "POST" and path == "/training/sessions"][-1]
    assert sent["open_to"] == [ROADS] and "open_county_wide" not in sent
    assert market.post("/training/sessions/new", data={**form, "open_county_wide": "on"}).status_code == 302
    sent = [body for method, path, body in calls if method == "POST" and path == "/training/sessions"][-1]
    assert sent["open_county_wide"] is True and "open_to" not in sent
