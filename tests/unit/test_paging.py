"""Keyset pages, pure parts: cursors (encode, decode, refuse), the keyset condition's SQL, the in-memory slice, and
the ``after`` rule of the list queries (``CursorPageQuery``) and the page answer (``page_of``)."""

from __future__ import annotations

import base64
import json
from datetime import date

import pytest
from marshmallow import ValidationError, fields
from sqlalchemy import Column, Date, Integer, MetaData, String, Table
from sqlalchemy.dialects import postgresql, sqlite

from enforcement_contracts.common import COUNT_LIMIT, CursorPageQuery, StrictSchema, page, page_of
from enforcement_contracts.errors import ValidationFailed
from enforcement_kernel import paging

T = Table("t", MetaData(), Column("filed_on", Date), Column("number", String), Column("id", Integer))
ORDER = [(T.c.filed_on, True), (T.c.number, False), (T.c.id, False)]
TAG = paging.list_tag("cases", ORDER)
KINDS = [date, str, int]


def test_a_cursor_round_trips_its_typed_values_and_is_url_safe():
    cursor = paging.encode_cursor(TAG, [date(2026, 3, 1), "临2026-001/x+y", 7])
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert paging.decode_cursor(TAG, cursor, KINDS) == [date(2026, 3, 1), "临2026-001/x+y", 7]


def _refused(cursor, tag=TAG, kinds=KINDS):
    with pytest.raises(ValidationFailed) as caught:
        paging.decode_cursor(tag, cursor, kinds)
    assert list(caught.value.fields) == ["after"] and caught.value.status == 400


def _forged(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not base64 at all!",
        "AAAA",  # base64 of bytes that are not UTF-8 JSON
        base64.urlsafe_b64encode(b"[1,2,3]").decode(),  # JSON, not a cursor
        _forged({"k": ["2026-03-01", "A", 7]}),  # no check
        _forged({"k": "2026-03-01", "c": "x"}),
    ],
)
def test_a_malformed_cursor_is_a_400_naming_after(cursor):
    _refused(cursor)


def test_a_changed_cursor_or_another_lists_cursor_is_refused():
    good = json.loads(base64.urlsafe_b64decode(paging.encode_cursor(TAG, [date(2026, 3, 1), "A", 7]) + "=="))
    _refused(_forged({**good, "k": ["2026-03-02", "A", 7]}))  # a value changed by hand
    _refused(paging.encode_cursor("officers:name+,officer_id+", [date(2026, 3, 1), "A", 7]))
    _refused(paging.encode_cursor(paging.list_tag("cases", ORDER[:2]), [date(2026, 3, 1), "A"]), kinds=KINDS)


@pytest.mark.parametrize("values", [["2026-13-01", "A", 7], ["2026-03-01", "A", "7"], ["2026-03-01", None, 7]])
def test_a_cursor_whose_values_have_the_wrong_type_is_refused(values):
    body = json.dumps(values, separators=(",", ":"))
    _refused(_forged({"k": values, "c": paging._check(TAG, body)}))


def _sql(condition, dialect) -> str:
    return str(condition.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def test_the_keyset_condition_turns_each_comparison_for_its_direction_and_bounds_the_first_column():
    condition = paging.after_condition(ORDER, [date(2026, 3, 1), "A", 7])
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        sql = " ".join(_sql(condition, dialect).split())
        assert sql == (
            "t.filed_on <= '2026-03-01' AND (t.filed_on < '2026-03-01'"
            " OR t.filed_on = '2026-03-01' AND t.number > 'A'"
            " OR t.filed_on = '2026-03-01' AND t.number = 'A' AND t.id > 7)"
        )
    one = " ".join(_sql(paging.after_condition([(T.c.id, True)], [42]), sqlite.dialect()).split())
    assert one == "t.id <= 42 AND t.id < 42"


ITEMS = [(date(2026, 3, d), n, i) for i, (d, n) in enumerate([(5, "A"), (5, "B"), (4, "A"), (4, "A"), (1, "C")])]
ITEMS.sort(key=lambda t: (-t[0].toordinal(), t[1], t[2]))


def _walk(per_page):
    seen, query = [], {"page": 1, "per_page": per_page}
    while True:
        found = paging.keyset_slice(ITEMS, lambda t: t, [True, False, False], KINDS, query, "mine")
        assert found.total == len(ITEMS) and found.total_exact
        seen += found.rows
        if found.next is None:
            return seen
        query = {"page": 1, "per_page": per_page, "after": found.next}


@pytest.mark.parametrize("per_page", [1, 2, 4, 5, 50])
def test_walking_an_in_memory_list_by_cursor_reads_each_item_once_in_order(per_page):
    assert _walk(per_page) == ITEMS


def test_page_numbers_still_work_and_next_is_null_on_the_last_page():
    second = paging.keyset_slice(ITEMS, lambda t: t, [True, False, False], KINDS, {"page": 2, "per_page": 2}, "m")
    assert second.rows == ITEMS[2:4] and second.next is not None
    last = paging.keyset_slice(ITEMS, lambda t: t, [True, False, False], KINDS, {"page": 3, "per_page": 2}, "m")
    assert last.rows == ITEMS[4:] and last.next is None


def test_after_with_a_page_other_than_1_is_refused_by_the_helper_and_the_query_schema():
    with pytest.raises(ValidationFailed) as caught:
        paging.check_query({"page": 2, "per_page": 5, "after": "x"})
    assert list(caught.value.fields) == ["after"]
    with pytest.raises(ValidationError) as invalid:
        CursorPageQuery().load({"page": "2", "after": "abc"})
    assert list(invalid.value.messages) == ["after"]
    assert CursorPageQuery().load({"after": "abc"}) == {"page": 1, "per_page": 50, "after": "abc"}
    with pytest.raises(ValidationError) as empty:
        CursorPageQuery().load({"after": ""})
    assert list(empty.value.messages) == ["after"]


class Thing(StrictSchema):
    name = fields.String()


def test_the_page_answer_says_whether_the_total_is_exact_and_where_to_continue():
    assert page(Thing, [{"name": "a"}], 1, {}) == {
        "items": [{"name": "a"}],
        "total": 1,
        "total_exact": True,
        "page": 1,
        "per_page": 50,
        "next": None,
    }
    bounded = page(Thing, [], COUNT_LIMIT, {"after": "c", "per_page": 10}, total_exact=False, next="n")
    assert bounded["total_exact"] is False and bounded["next"] == "n" and bounded["total"] == 10_000
    declared = page_of(Thing)().fields
    assert declared["next"].required and declared["next"].allow_none and declared["total_exact"].required
