"""Lists whose cost grows with the page, not with the data: keyset pages and bounded counts.

A list is ordered by a few columns ending in a unique one (``order=[(column, descending), ...]``). The first page
and page-numbered pages are read with OFFSET (the console's pager); a page asked for ``after`` a cursor continues
right after the cursor's item by the keyset condition, so reading far into a list costs what the first page costs.
A cursor (``next`` in an answer) is the URL-safe base64 of compact JSON holding the last item's sort-key values and
a short check tied to the list and its order, so a cursor of another list, or one changed by hand, is refused with
a 400 naming ``after``. The total is counted up to ``COUNT_LIMIT`` (``total_exact`` false beyond it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import and_, func, or_, select

from enforcement_contracts.common import COUNT_LIMIT  # "more than 10,000" is all a reader needs; counting
from enforcement_contracts.errors import ValidationFailed  # further grows with the data

__all__ = ["COUNT_LIMIT", "Page", "keyset_page", "keyset_slice", "encode_cursor", "decode_cursor"]

BAD_CURSOR = "is not a cursor of this list (take it from a previous answer's next)"


@dataclass(frozen=True)
class Page:
    rows: list
    total: int
    total_exact: bool
    next: str | None


# ---- cursors (pure) -----------------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _check(tag: str, body: str) -> str:
    return hashlib.sha256(f"{tag}\n{body}".encode()).hexdigest()[:12]


def encode_cursor(tag: str, values: Sequence) -> str:
    """The cursor of an item whose sort-key values are ``values`` in the list ``tag`` (list name and order)."""
    body = json.dumps([_plain(v) for v in values], separators=(",", ":"), ensure_ascii=False)
    raw = json.dumps({"k": json.loads(body), "c": _check(tag, body)}, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _typed(value, kind: type):
    if value is None:
        raise ValueError("null key")
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(str(value))
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError("not a boolean")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("not an integer")
        return value
    if kind is str:
        if not isinstance(value, str):
            raise ValueError("not a string")
        return value
    return value


def decode_cursor(tag: str, cursor: str, kinds: Sequence[type]) -> list:
    """The sort-key values a cursor of the list ``tag`` holds, typed as ``kinds``; anything else (not base64, not
    JSON, another list's cursor, a changed value, the wrong number or type of values) is a 400 naming ``after``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw.decode())
        values = data["k"]
        body = json.dumps(values, separators=(",", ":"), ensure_ascii=False)
        if not isinstance(values, list) or len(values) != len(kinds) or data["c"] != _check(tag, body):
            raise ValueError("not this list's cursor")
        return [_typed(v, k) for v, k in zip(values, kinds, strict=True)]
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError, binascii.Error, InvalidOperation):
        raise ValidationFailed("invalid cursor", {"after": [BAD_CURSOR]}) from None


def list_tag(name: str, order: Sequence[tuple[Any, bool]]) -> str:
    """The name a list's cursors are tied to: the list and its order (a cursor outlives no change of order)."""
    return name + ":" + ",".join(f"{getattr(c, 'key', c)}{'-' if desc else '+'}" for c, desc in order)


# ---- the keyset condition -----------------------------------------------------------------------------------


def after_condition(order: Sequence[tuple[Any, bool]], values: Sequence):
    """Rows strictly after ``values`` in ``order`` (columns, each ascending or descending, the last one unique):
    ``c1 > v1 OR (c1 = v1 AND c2 > v2) OR ...`` with each comparison turned for a descending column, and the first
    column's bound (``c1 >= v1``) in front so the database reads an index range rather than filtering from the
    start (PostgreSQL does not turn the ORs into a range by itself)."""
    if len(order) != len(values):
        raise ValueError("one value per order column")
    branches = []
    for i, ((column, desc), value) in enumerate(zip(order, values, strict=True)):
        equal = [c == v for (c, _), v in zip(order[:i], values[:i], strict=True)]
        branches.append(and_(*equal, column < value if desc else column > value))
    first, desc = order[0]
    bound = first <= values[0] if desc else first >= values[0]
    return and_(bound, or_(*branches))


def order_by(order: Sequence[tuple[Any, bool]]) -> list:
    return [c.desc() if desc else c.asc() for c, desc in order]


def _kinds(order) -> list[type]:
    return [c.type.python_type for c, _ in order]


def check_query(query: dict) -> None:
    """``after`` continues a list from a cursor, so a page number other than 1 with it means nothing: a 400."""
    if query.get("after") is not None and query.get("page", 1) != 1:
        raise ValidationFailed("after and page", {"after": ["cannot be combined with a page other than 1"]})


def bounded_count(session, stmt, key=None) -> tuple[int, bool]:
    """How many rows ``stmt`` matches, counted up to ``COUNT_LIMIT`` (the count reads at most that many + 1). With
    ``key`` (the list's unique column) the count selects that column alone, so an index holding the filters and the
    key answers it without reading the rows (an index-only scan)."""
    if key is not None:
        stmt = stmt.with_only_columns(key, maintain_column_froms=True)
    limited = stmt.order_by(None).limit(COUNT_LIMIT + 1).subquery()
    n = session.execute(select(func.count()).select_from(limited)).scalar_one()
    return min(n, COUNT_LIMIT), n <= COUNT_LIMIT


def keyset_page(session, stmt, order: Sequence[tuple[Any, bool]], query: dict, name: str) -> Page:
    """One page of ``stmt`` (a select of one entity or of several columns, filtered, not yet ordered) in ``order``:
    ``query``'s ``after`` (a cursor) or else ``page``, ``per_page`` items. Rows come back as the entity (a select of
    one) or as tuples; ``next`` is the cursor of the page's last row when more rows follow."""
    check_query(query)
    tag = list_tag(name, order)
    per_page = query.get("per_page", 50)
    total, exact = bounded_count(session, stmt, order[-1][0])
    width = len(stmt.column_descriptions)  # an entity counts once (selected_columns lists its columns)
    keys = [c.label(f"_keyset_{i}") for i, (c, _) in enumerate(order)]
    rows_stmt = stmt.add_columns(*keys).order_by(*order_by(order)).limit(per_page + 1)
    if query.get("after") is not None:
        rows_stmt = rows_stmt.where(after_condition(order, decode_cursor(tag, query["after"], _kinds(order))))
    else:
        rows_stmt = rows_stmt.offset((query.get("page", 1) - 1) * per_page)
    found = session.execute(rows_stmt).all()
    more = len(found) > per_page
    found = found[:per_page]
    rows = [r[0] if width == 1 else tuple(r[:width]) for r in found]
    nxt = encode_cursor(tag, list(found[-1][width:])) if more and found else None
    return Page(rows, total, exact, nxt)


def keyset_slice(
    items: list,
    key: Callable[[Any], Sequence],
    descending: Sequence[bool],
    kinds: Sequence[type],
    query: dict,
    name: str,
) -> Page:
    """The same page over ``items`` already in memory and in order (a list filtered in Python): ``key`` gives an
    item's sort-key values, ``descending`` each key's direction and ``kinds`` their types (for the cursor)."""
    check_query(query)
    tag = name + ":" + ",".join(f"{i}{'-' if d else '+'}" for i, d in enumerate(descending))
    per_page = query.get("per_page", 50)
    if query.get("after") is not None:
        mark = decode_cursor(tag, query["after"], kinds)
        start = next((n for n, item in enumerate(items) if _after(key(item), mark, descending)), len(items))
    else:
        start = (query.get("page", 1) - 1) * per_page
    rows = items[start : start + per_page]
    more = start + per_page < len(items)
    nxt = encode_cursor(tag, list(key(rows[-1]))) if more and rows else None
    return Page(rows, min(len(items), COUNT_LIMIT), len(items) <= COUNT_LIMIT, nxt)


def _after(values: Sequence, mark: Sequence, descending: Sequence[bool]) -> bool:
    for v, m, desc in zip(values, mark, descending, strict=True):
        if v != m:
            return v < m if desc else v > m
    return False
