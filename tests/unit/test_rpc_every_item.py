"""``enforcement_kernel.rpc.every_item``: reads every page of a paged list RPC (pure: a fake fetch)."""

from enforcement_kernel.rpc import every_item


def _pages(rows, calls):
    def fetch(query):
        calls.append(dict(query))
        start = (query["page"] - 1) * query["per_page"]
        return {
            "items": rows[start : start + query["per_page"]],
            "total": len(rows),
            "page": query["page"],
            "per_page": query["per_page"],
        }

    return fetch


def test_every_item_reads_pages_until_the_total():
    rows, calls = list(range(7)), []
    assert every_item(_pages(rows, calls), per_page=3) == rows
    assert calls == [{"page": 1, "per_page": 3}, {"page": 2, "per_page": 3}, {"page": 3, "per_page": 3}]


def test_every_item_stops_after_one_call_when_the_first_page_holds_all():
    calls = []
    assert every_item(_pages([1, 2], calls)) == [1, 2]
    assert calls == [{"page": 1, "per_page": 500}]


def test_every_item_of_an_empty_list_is_one_call():
    calls = []
    assert every_item(_pages([], calls)) == []
    assert len(calls) == 1


def test_every_item_exact_multiple_does_not_ask_for_an_empty_page():
    rows, calls = list(range(4)), []
    assert every_item(_pages(rows, calls), per_page=2) == rows
    assert len(calls) == 2


def test_every_item_stops_on_an_empty_page_even_if_the_total_grew():
    answers = iter([{"items": [1], "total": 3}, {"items": [], "total": 3}])
    assert every_item(lambda query: next(answers), per_page=1) == [1]


def test_every_item_follows_a_keyset_lists_cursor_past_its_counts_bound():
    # a keyset list: total stops at its bound (here 4 of 7 rows), next continues after the page's last row
    rows, calls = list(range(7)), []

    def fetch(query):
        calls.append(dict(query))
        start = int(query["after"]) + 1 if "after" in query else (query["page"] - 1) * query["per_page"]
        page = rows[start : start + query["per_page"]]
        more = start + query["per_page"] < len(rows)
        return {"items": page, "total": 4, "total_exact": False, "next": str(page[-1]) if more else None}

    assert every_item(fetch, per_page=3) == rows
    assert calls == [
        {"page": 1, "per_page": 3},
        {"page": 1, "per_page": 3, "after": "2"},
        {"page": 1, "per_page": 3, "after": "5"},
    ]
