"""The cases service's lists answer a page ({items, total, total_exact, page, per_page, next}) in process, on SQLite
and PostgreSQL: enforcement types, dormant items, an item's benchmarks, the lenient lists, the major-decision list and
the review checklists (page=2 of per_page=1 is the second item; ``total`` counts every match), and the cases, also
read after a cursor."""

from __future__ import annotations

from datetime import date

import pytest
from enforcement_testing import BUREAU, db_count
from enforcement_testing.paging import walk_by_cursor, walk_by_number

from enforcement_contracts.errors import ValidationFailed

pytestmark = pytest.mark.timeout(120)

MARKET = "140928-scjgj"  # 县市场监管局
SCJ_ADMIN = {"username": "scj-admin", "role": "agency_admin", "agency_code": MARKET}
SECOND = {"page": 2, "per_page": 1}


def test_types_and_checklists_are_read_a_page_at_a_time(desk, cases_service):
    types = desk.cases.list_item_types()
    assert types["total"] == db_count(cases_service.database_url, "item_types") >= 2
    assert (types["page"], types["per_page"]) == (1, 50)
    second = desk.cases.list_item_types(SECOND)
    assert second["items"] == [types["items"][1]] and second["total"] == types["total"]
    assert (second["page"], second["per_page"]) == (2, 1)

    first = desk.cases.list_checklists()
    assert first["total"] == len(first["items"]) >= 1
    desk.cases.create_checklist(BUREAU, {"effective_from": "2099-01-01", "items": first["items"][-1]["items"]})
    every = desk.cases.list_checklists()
    assert every["total"] == first["total"] + 1 == len(every["items"])
    checklists = desk.cases.list_checklists(SECOND)
    assert checklists["items"] == [every["items"][1]] and checklists["total"] == every["total"]


# One scenario told in order (each list needs two entries filed first), so longer than 50 lines on purpose.
def test_catalogue_lists_are_read_a_page_at_a_time(desk, cases_service):
    item = desk.penalty_item()
    other = desk.penalty_item(code="SCJ-CF-002", name="经营超过保质期的食品")
    old = [
        desk.penalty_item(code=f"SCJ-CF-07{n}", name=f"多年未发生的事项{n}", effective_from="2015-01-01")
        for n in (1, 2)
    ]

    as_of = {"as_of": "2024-06-01"}  # the 2015 items have been in the catalogue 5 years by then, the 2020 ones not
    dormant = desk.cases.dormant_items(SCJ_ADMIN, {**as_of, **SECOND})
    assert [d["item_id"] for d in dormant["items"]] == [old[1]["item_id"]] and dormant["total"] == 2
    assert len(desk.cases.dormant_items(SCJ_ADMIN, as_of)["items"]) == 2

    for version, effective_from in ((1, "2024-01-01"), (2, "2024-02-01")):
        desk.cases.set_benchmark(
            SCJ_ADMIN,
            item["item_id"],
            {
                "effective_from": effective_from,
                "tiers": [{"tier": "minor", "label": f"轻微{version}", "penalty_kinds": ["warning"]}],
            },
        )
    benchmarks = desk.cases.list_benchmarks(item["item_id"], SECOND)
    assert [b["version"] for b in benchmarks["items"]] == [2] and benchmarks["total"] == 2
    assert [b["version"] for b in desk.cases.list_benchmarks(item["item_id"])["items"]] == [1, 2]

    for kind in ("lighter", "first_violation_exempt"):
        desk.cases.add_lenient_entry(
            SCJ_ADMIN,
            {"list_kind": kind, "item_id": item["item_id"], "conditions": "情节轻微", "effective_from": "2024-01-01"},
        )
    lenient = desk.cases.list_lenient({"agency_code": MARKET, **SECOND})
    assert [e["list_kind"] for e in lenient["items"]] == ["lighter"] and lenient["total"] == 2
    only_lighter = desk.cases.list_lenient({"list_kind": "lighter"})
    assert only_lighter["total"] == 1 and len(only_lighter["items"]) == 1

    rules = [
        desk.cases.add_major_rule(SCJ_ADMIN, {"agency_code": MARKET, "item_id": i["item_id"], "note": "需法制审核"})
        for i in (item, other)
    ]
    major = desk.cases.list_major_rules(SCJ_ADMIN, MARKET, SECOND)
    assert [r["rule_id"] for r in major["items"]] == [rules[1]["rule_id"]] and major["total"] == 2
    assert desk.cases.list_major_rules(SCJ_ADMIN, "140928-jtysj")["total"] == 0
    assert len(desk.cases.list_major_rules(SCJ_ADMIN)["items"]) == 2


def test_cases_continue_after_a_cursor_as_page_numbers_do(desk):
    item = desk.penalty_item()
    a, b, c = desk.certified_officers(61, 3)
    # filed on equal days (the number, then the id, tells them apart); a is on every case, c on every other one
    days = ["2024-07-03", "2024-07-03", "2024-07-01", "2024-07-03", "2024-06-28", "2024-07-01"]
    for n, day in enumerate(days, start=1):
        team = [a, c if n % 2 else b]
        desk.cases.report_case(SCJ_ADMIN, desk.report(item, team, f"五市监罚〔2024〕{10 - n}号", filed_on=day))
    read = lambda query, actor=SCJ_ADMIN: desk.cases.list_cases(actor, query)  # noqa: E731
    by_number = walk_by_number(read, {}, 4)
    assert [(x["filed_on"], x["case_number"]) for x in by_number] == sorted(
        [(x["filed_on"], x["case_number"]) for x in by_number],
        key=lambda k: (-date.fromisoformat(k[0]).toordinal(), k[1]),
    )
    assert len(by_number) == 6 and walk_by_cursor(read, {}, 4) == by_number
    for per_page in (1, 2, 5):
        assert walk_by_cursor(read, {}, per_page) == by_number
    assert walk_by_cursor(read, {"to": "2024-07-01"}, 1) == [x for x in by_number if x["filed_on"] <= "2024-07-01"]

    # an officer reads the cases they are on, by cursor too
    officer_c = {"username": "c", "role": "officer", "agency_code": MARKET, "officer_id": c["officer_id"]}
    theirs = [x for x in by_number if c["officer_id"] in {o["officer_id"] for o in x["officers"]}]
    assert len(theirs) == 3 and walk_by_cursor(lambda q: read(q, officer_c), {}, 2) == theirs
    assert read({"per_page": 2}, officer_c)["total"] == 3

    first = read({"per_page": 2})
    assert (first["total"], first["total_exact"], first["page"]) == (6, True, 1) and first["next"]
    for query in ({"after": first["next"], "page": 3}, {"after": first["next"] + "x"}, {"after": "e30"}):
        with pytest.raises(ValidationFailed) as refused:
            read(query)
        assert set(refused.value.fields) == {"after"}
