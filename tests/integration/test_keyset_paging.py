"""Keyset pages on real SQLite and PostgreSQL (``enforcement_kernel.paging.keyset_page``): walking a list by cursor
reads every row once in the same order as page numbers do, across ties and mixed directions; the count stops at its
bound; a bad cursor is a 400 naming ``after``; a cursor page is an index range scan on PostgreSQL."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from enforcement_testing import fresh_postgres_database
from sqlalchemy import Date, Index, Integer, String, create_engine, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from enforcement_contracts.errors import ValidationFailed
from enforcement_kernel import paging


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "paged"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(10))
    filed_on: Mapped[date] = mapped_column(Date)
    number: Mapped[str] = mapped_column(String(20))
    # as the services declare theirs: the order's directions in the index, so a page needs no sort
    __table_args__ = (Index("ix_paged_agency_filed", "agency_code", filed_on.desc(), "number", "id"),)


ORDER = [(Row.filed_on, True), (Row.number, False), (Row.id, False)]
DAY = date(2026, 1, 1)


@contextmanager
def database(kind, tmp_path, rows=60):
    with fresh_postgres_database() if kind == "postgresql" else _sqlite(tmp_path) as url:
        engine = create_engine(url)
        try:
            Base.metadata.create_all(engine)
            with Session(engine) as session:
                # few days and few numbers: many ties on the first keys, the id tells them apart
                session.add_all(
                    Row(id=i, agency_code="ab"[i % 2], filed_on=DAY - timedelta(days=i % 7), number=f"N{i % 3}")
                    for i in range(1, rows + 1)
                )
                session.commit()
                yield session
        finally:
            engine.dispose()


@contextmanager
def _sqlite(tmp_path):
    yield f"sqlite:///{tmp_path / 'paged.db'}"


def _expected(session, stmt):
    return session.execute(stmt.order_by(*paging.order_by(ORDER))).scalars().all()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_walking_by_cursor_reads_every_row_once_in_page_order(kind, tmp_path):
    with database(kind, tmp_path) as session:
        for stmt in (select(Row), select(Row).where(Row.agency_code == "a")):
            expected = _expected(session, stmt)
            for per_page in (1, 7, 30, len(expected), 100):
                seen, query = [], {"page": 1, "per_page": per_page}
                while True:
                    found = paging.keyset_page(session, stmt, ORDER, query, "paged")
                    assert (found.total, found.total_exact) == (len(expected), True)
                    assert len(found.rows) <= per_page
                    seen += found.rows
                    if found.next is None:
                        break
                    query = {"page": 1, "per_page": per_page, "after": found.next}
                assert [r.id for r in seen] == [r.id for r in expected]
            numbered = paging.keyset_page(session, stmt, ORDER, {"page": 2, "per_page": 7}, "paged")
            assert [r.id for r in numbered.rows] == [r.id for r in expected[7:14]]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_select_of_columns_comes_back_as_tuples_without_the_keys(kind, tmp_path):
    with database(kind, tmp_path) as session:
        found = paging.keyset_page(session, select(Row.id, Row.agency_code), ORDER, {"per_page": 3}, "cols")
        assert [len(r) for r in found.rows] == [2, 2, 2] and found.next is not None
        after = paging.keyset_page(session, select(Row.id, Row.agency_code), ORDER, {"after": found.next}, "cols")
        assert after.rows[0][0] not in {r[0] for r in found.rows}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_count_stops_at_its_bound(kind, tmp_path, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 25)
    with database(kind, tmp_path) as session:
        over = paging.keyset_page(session, select(Row), ORDER, {"per_page": 10}, "paged")
        assert (over.total, over.total_exact, len(over.rows)) == (25, False, 10)
        under = paging.keyset_page(session, select(Row).where(Row.agency_code == "a"), ORDER, {}, "paged")
        assert (under.total, under.total_exact) == (25, False)  # 30 match
        few = paging.keyset_page(session, select(Row).where(Row.id <= 25), ORDER, {}, "paged")
        assert (few.total, few.total_exact, few.next) == (25, True, None)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_bad_cursor_or_another_lists_cursor_is_a_400_naming_after(kind, tmp_path):
    with database(kind, tmp_path) as session:
        first = paging.keyset_page(session, select(Row), ORDER, {"per_page": 5}, "paged")
        for query in (
            {"after": "garbage"},
            {"after": first.next[:-2]},
            {"after": first.next, "page": 2},
        ):
            with pytest.raises(ValidationFailed) as caught:
                paging.keyset_page(session, select(Row), ORDER, query, "paged")
            assert list(caught.value.fields) == ["after"]
        with pytest.raises(ValidationFailed):
            paging.keyset_page(session, select(Row), ORDER, {"after": first.next}, "another list")


def test_a_cursor_page_is_an_index_range_scan_on_postgresql(tmp_path):
    with database("postgresql", tmp_path, rows=20000) as session:
        session.execute(text("ANALYZE paged"))
        stmt = select(Row).where(Row.agency_code == "a")
        first = paging.keyset_page(session, stmt, ORDER, {"per_page": 20}, "paged")
        values = paging.decode_cursor(paging.list_tag("paged", ORDER), first.next, [date, str, int])
        page = stmt.where(paging.after_condition(ORDER, values)).order_by(*paging.order_by(ORDER)).limit(21)
        compiled = page.compile(session.bind, compile_kwargs={"literal_binds": True})
        plan = "\n".join(r[0] for r in session.execute(text(f"EXPLAIN {compiled}")))
    assert "Index Only Scan using ix_paged_agency_filed" in plan and "Sort" not in plan, plan
    assert "Index Cond" in plan and "filed_on <=" in plan, plan
