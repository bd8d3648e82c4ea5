"""The personnel lists answer a page ``{items, total, total_exact, page, per_page, next}`` read with
``page``/``per_page``, the officers also ``after`` a cursor (in process, SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from enforcement_testing import BUREAU
from enforcement_testing.paging import walk_by_cursor, walk_by_number

from enforcement_contracts.errors import ValidationFailed
from enforcement_kernel import paging

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


def test_officers_continue_after_a_cursor_as_page_numbers_do(personnel, staff):
    # equal names: the officer id tells them apart in the order and in the cursor
    for seq, name in ((81, "王五"), (82, "张三"), (83, "张三"), (84, "李四"), (85, "张三")):
        staff.call("register_officer", BUREAU, staff.officer_payload(seq, name=name))
    read = lambda query: personnel.call("list_officers", BUREAU, {"agency_code": MARKET, **query})  # noqa: E731
    by_number = walk_by_number(read, {}, 2)
    assert [o["name"] for o in by_number] == sorted(o["name"] for o in by_number) and len(by_number) == 5
    assert walk_by_cursor(read, {}, 2) == by_number
    assert walk_by_cursor(read, {"name": "张三"}, 1) == [o for o in by_number if o["name"] == "张三"]
    first = read({"per_page": 2})
    assert (first["total"], first["total_exact"]) == (5, True) and first["next"]

    other_list = paging.encode_cursor("complaints:id-", [5])
    for query in ({"after": first["next"], "page": 2}, {"after": "not-a-cursor"}, {"after": other_list}):
        with pytest.raises(ValidationFailed) as refused:
            read(query)
        assert set(refused.value.fields) == {"after"}
