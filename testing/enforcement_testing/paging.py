"""Reading a keyset-paged list in tests: by cursor and by page number, to compare the two."""

from __future__ import annotations

from collections.abc import Callable


def walk_by_cursor(read: Callable[[dict], dict], query: dict, per_page: int) -> list:
    """Every item of a list read ``per_page`` at a time, each page ``after`` the previous answer's ``next``
    (``read`` takes a query and answers the page). Checks each page's shape on the way."""
    items, answer = [], read({**query, "per_page": per_page})
    while True:
        assert set(answer) >= {"items", "total", "total_exact", "page", "per_page", "next"}, answer
        assert answer["page"] == 1 and answer["per_page"] == per_page and len(answer["items"]) <= per_page
        items += answer["items"]
        if answer["next"] is None:
            return items
        assert len(answer["items"]) == per_page  # a page with more to follow is full
        answer = read({**query, "per_page": per_page, "after": answer["next"]})


def walk_by_number(read: Callable[[dict], dict], query: dict, per_page: int) -> list:
    """Every item of a list read ``per_page`` at a time by page number (the console's way)."""
    items, number = [], 1
    while True:
        answer = read({**query, "page": number, "per_page": per_page})
        items += answer["items"]
        if len(items) >= answer["total"] or not answer["items"]:
            return items
        number += 1
