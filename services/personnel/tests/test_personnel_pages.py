"""The personnel lists answer a page ``{items, total, page, per_page}`` read with ``page``/``per_page``
(in process, SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from enforcement_testing import BUREAU

from enforcement_contracts.errors import ValidationFailed

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"  # 县市场监管局


def test_agencies_are_read_a_page_at_a_time(personnel, staff):
    staff.call("register_officer", BUREAU, staff.officer_payload(71))
    everything = personnel.call("list_agencies", BUREAU, {"per_page": 500})
    codes = [a["code"] for a in everything["items"]]
    assert everything["total"] == len(codes) >= 2 and codes == sorted(codes)
    assert everything["page"] == 1 and everything["per_page"] == 500

    second = personnel.call("list_agencies", BUREAU, {"page": 2, "per_page": 1})
    assert second["total"] == everything["total"] and second["page"] == 2 and second["per_page"] == 1
    assert second["items"] == [everything["items"][1]]
    # the officer count is the agency's own whatever the page
    market = personnel.call("list_agencies", BUREAU, {"page": codes.index(MARKET) + 1, "per_page": 1})["items"]
    assert market[0]["code"] == MARKET and market[0]["officer_count"] == 1

    default = personnel.call("list_agencies", BUREAU)
    assert default["page"] == 1 and default["per_page"] == 50 and default["total"] == everything["total"]
    beyond = personnel.call("list_agencies", BUREAU, {"page": 1000, "per_page": 500})
    assert beyond["items"] == [] and beyond["total"] == everything["total"]


def test_legal_reviewers_are_read_a_page_at_a_time(personnel):
    for name in ("律师乙", "律师甲", "律师丙"):
        personnel.call(
            "register_legal_reviewer",
            BUREAU,
            {"agency_code": MARKET, "name": name, "kind": "public_lawyer", "has_legal_qualification": False},
        )
    everything = personnel.call("list_legal_reviewers", BUREAU, MARKET, {"per_page": 500})
    assert everything["total"] == 3 and len(everything["items"]) == 3
    names = [r["name"] for r in everything["items"]]
    assert names == sorted(names)
    second = personnel.call("list_legal_reviewers", BUREAU, MARKET, {"page": 2, "per_page": 1})
    assert second == {
        "items": [everything["items"][1]],
        "total": 3,
        "page": 2,
        "per_page": 1,
        "total_exact": True,
        "next": None,
    }
    assert personnel.call("list_legal_reviewers", BUREAU, None, {"page": 2, "per_page": 1})["total"] == 3


@pytest.mark.parametrize("query", [{"per_page": 501}, {"page": 0}, {"size": 5}])
def test_a_bad_page_is_refused_naming_the_field(personnel, query):
    with pytest.raises(ValidationFailed) as refused:
        personnel.call("list_agencies", BUREAU, query)
    assert set(refused.value.fields) == set(query)
