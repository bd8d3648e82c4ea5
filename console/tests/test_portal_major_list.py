"""The portal's major-decision lists (重大执法决定法制审核目录清单, issue 13: published on purpose) rendered from canned
gateway answers (no services): each kind of entry in words, the agency filter passed on, the portal's menu."""

from __future__ import annotations

import re

import pytest
from console_support import unit_settings
from enforcement_console.app import create_app
from enforcement_console.gateway import ApiError, Gateway

MARKET = "140928-scjgj"
ENTRIES = [
    {"rule_id": 1, "item_id": "i1", "item_code": "SCJ-CF-101", "item_name": "销售过期食品"},
    {"rule_id": 2, "penalty_kind": "revoke_licence"},
    {"rule_id": 3, "fine_from": 50000.0, "note": "对个人一万元以上另行列明"},
    {"rule_id": 4, "type_code": "coercion"},
    {"rule_id": 5, "circumstance": "severe"},
]
EMPTY = {"item_id": None, "item_code": None, "item_name": None, "penalty_kind": None, "fine_from": None}
EMPTY |= {"type_code": None, "circumstance": None, "note": ""}
ANSWERS = {
    "/public/agencies": [{"code": MARKET, "name": "县市场监管局"}],
    "/public/major-decision-list": {
        "items": [{**EMPTY, "agency_code": MARKET, "agency_name": "县市场监管局", **e} for e in ENTRIES],
        "total": 5,
        "page": 1,
        "per_page": 20,
    },
}


class Answer:
    def __init__(self, body):
        self.body = body

    def json(self):
        return self.body


@pytest.fixture
def calls(monkeypatch):
    made = []

    def request(self, method, path, **kw):
        made.append((method, path, kw.get("params")))
        if path not in ANSWERS:
            raise ApiError(404, "not_found", f"no {path}")
        return Answer(ANSWERS[path])

    monkeypatch.setattr(Gateway, "request", request)
    return made


@pytest.fixture
def app(calls):
    return create_app(unit_settings())


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_every_kind_of_entry_reads_in_words_and_the_filter_is_passed_on(app, calls):
    page = app.test_client().get(f"/public/major-decision-list?agency_code={MARKET}")
    assert page.status_code == 200
    text = text_of(page)
    assert "重大执法决定法制审核目录清单" in text and "共 5 项" in text
    assert "执法事项： 销售过期食品" in text or "执法事项：销售过期食品" in text
    assert "处罚种类：吊销许可证件" in text and "罚款 50,000.00 元及以上" in text
    assert "全部行政强制决定" in text and "适用“严重”裁量档次的决定" in text and "对个人一万元以上另行列明" in text
    assert ("GET", "/public/major-decision-list", {"agency_code": MARKET, "page": 1, "per_page": 20}) in calls


def test_the_portal_menu_links_the_list(app):
    home = app.test_client().get("/public/major-decision-list").get_data(as_text=True)
    assert 'href="/public/major-decision-list"' in home
