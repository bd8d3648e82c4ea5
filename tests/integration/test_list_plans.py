"""The growing lists' pages are index range scans on PostgreSQL (issue 14): each list function runs against its
service's migrated schema, and every statement it sends (the bounded count, the first page, a page after a cursor)
is EXPLAINed. The page reads the index in the list's order behind the filters (no Sort node), and the count reads an
index too. Each list's table holds 20,000 rows (analysed) spread over 20 agencies and a few states, so the planner
chooses as it would on real data."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from enforcement_testing import BUREAU, fresh_postgres_database
from sqlalchemy import JSON, String, create_engine, event, text
from sqlalchemy.orm import Session

from cases_service.models import Case
from cases_service.operations import cases
from cases_service.operations.common import Settings
from enforcement_gateway.models import AuditRecord
from enforcement_gateway.routes.auth import audit_trail
from enforcement_gateway.routing import BUREAU as BUREAU_ONLY
from enforcement_gateway.routing import Call, Route
from enforcement_gateway.schemas import AuditQuery
from enforcement_kernel import paging
from enforcement_kernel.migrations import upgrade
from enforcement_kernel.service import installed_plugins
from personnel_service.models import Officer
from personnel_service.operations import officers
from supervision_service.models import Complaint, SupervisionItem
from supervision_service.operations import complaints, items

pytestmark = pytest.mark.timeout(300)

MARKET = "140928-scjgj"


ROWS = 20000
AGENCIES = [MARKET, *(f"140928-a{n:02d}" for n in range(19))]
STATES = {"status": ["active", "departed", "decided", "filed", "closed"], "state": ["issued", "answered", "closed"]}
WORDS = {"username": ["admin", *(f"user{n}" for n in range(19))], "action": [f"POST /x/{n}" for n in range(19)]}
WORDS["action"].append("POST /api/v1/officers")


def _value(column, i: int):
    """A plausible value of ``column`` for row ``i``: filters spread over a few values, keys unique."""
    if column.name == "agency_code":
        return AGENCIES[i % len(AGENCIES)]
    if column.name in STATES and isinstance(column.type, String):
        return STATES[column.name][i % len(STATES[column.name])]
    if column.name in WORDS:
        return WORDS[column.name][i % len(WORDS[column.name])]
    if column.name == "overdue":
        return i % 20 == 0
    if column.name == "name":
        return f"姓名{i % 5000:04d}"
    kind = column.type.python_type if not isinstance(column.type, JSON) else list
    if kind is int:
        return i if column.primary_key else 2026
    if kind is bool:
        return False
    if kind is datetime:
        return datetime(2026, 1, 1) - timedelta(minutes=i)
    if kind is date:
        return date(2026, 1, 1) - timedelta(days=i % 1500)
    if kind is list:
        return []
    if kind is Decimal:
        return Decimal(0)
    return f"{i:032d}" if column.primary_key else f"v{i}"


def _fill(engine, table, rows: int = ROWS) -> None:
    columns = [c for c in table.columns if not c.nullable or c.name in ("username",)]
    with engine.begin() as conn:
        conn.execute(text("SET session_replication_role = replica"))  # no foreign keys: only this table is filled
        conn.execute(table.insert(), [{c.name: _value(c, i) for c in columns} for i in range(1, rows + 1)])
        conn.execute(text(f"ANALYZE {table.name}"))


@pytest.fixture(scope="module")
def personnel_db():
    with migrated("personnel", Officer.__table__) as engine:
        yield engine


@pytest.fixture(scope="module")
def cases_db():
    with migrated("cases", Case.__table__) as engine:
        yield engine


@pytest.fixture(scope="module")
def supervision_db():
    with migrated("supervision", SupervisionItem.__table__, Complaint.__table__) as engine:
        yield engine


@pytest.fixture(scope="module")
def gateway_db():
    with migrated("gateway", AuditRecord.__table__) as engine:
        yield engine


@contextmanager
def migrated(service: str, *tables):
    """The service's schema on a fresh PostgreSQL database, ``tables`` filled with ``ROWS`` rows each."""
    with fresh_postgres_database() as url:
        upgrade(installed_plugins()[service].migrations, url)
        engine = create_engine(url)
        try:
            for table in tables:
                _fill(engine, table)
            yield engine
        finally:
            engine.dispose()


class Enough(Exception):
    """Raised once the list has sent its page query: what it does with the rows (synthetic here) is not looked at."""


def plans(engine, read) -> list[tuple[str, str]]:
    """(statement, plan) of the SELECTs ``read(session)`` sends up to its page query, EXPLAINed with sorting
    discouraged (``enable_sort`` off): on a few hundred matching rows the planner may rightly prefer to sort them,
    the question here is whether an index serves the list's order, so that a page never sorts what grows."""
    sent = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))
            if "LIMIT" in statement and "count(" not in statement:
                raise Enough

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with Session(engine) as session, pytest.raises(Exception) as stopped:
            read(session)
        assert (
            stopped.errisinstance(Enough)
            or isinstance(stopped.value.__cause__, Enough)
            or "Enough" in repr(stopped.value)
        ), stopped.value
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    with engine.connect() as conn:
        conn.execute(text("SET enable_sort = off"))
        return [
            (statement, "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters)))
            for statement, parameters in sent
        ]


def cursor(name: str, order: str, values: list) -> str:
    return paging.encode_cursor(f"{name}:{order}", values)


def check(found, *indexes: str) -> None:
    """The page reads one of ``indexes`` in order (an index range scan, no Sort); the count stops at its bound. A
    list newest first may read its primary key backwards and filter: ids follow the heap's order, so the planner
    may find that cheaper than the filter's index for a filter most rows match."""
    pages = [(s, p) for s, p in found if "LIMIT" in s and "count(" not in s]
    counts = [(s, p) for s, p in found if "count(" in s]
    assert pages and counts, found
    for statement, plan in pages:
        either = "|".join(indexes)
        assert re.search(rf"Index (Only )?Scan (Backward )?using ({either}) ", plan), (statement, plan)
        assert "Sort" not in plan, (statement, plan)
    for statement, plan in counts:
        assert "Limit" in plan, (statement, plan)


OFFICER_AFTER = cursor("officers", "name+,officer_id+", ["姓名2500", f"{2500:032d}"])


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ({}, "ix_officers_list"),
        ({"agency_code": MARKET}, "ix_officers_agency_list"),
        ({"status": "active"}, "ix_officers_status_list"),
        ({"agency_code": MARKET, "status": "active"}, "ix_officers_agency_status_list"),
    ],
)
def test_officers(query, index, personnel_db):
    for extra in ({"page": 1}, {"page": 3}, {"after": OFFICER_AFTER}):
        q = {"per_page": 50, **extra, **query}
        check(plans(personnel_db, lambda s, q=q: officers.list_officers(s, BUREAU, q)), index)


CASE_AFTER = cursor("cases", "filed_on-,case_number+,case_id+", ["2025-03-01", "v700", f"{700:032d}"])


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ({}, "ix_cases_list"),
        ({"agency_code": MARKET}, "ix_cases_agency_list"),
        ({"status": "decided"}, "ix_cases_status_list"),
        ({"agency_code": MARKET, "status": "decided"}, "ix_cases_agency_status_list"),
        ({"agency_code": MARKET, "date_from": date(2026, 1, 1), "date_to": date(2026, 6, 30)}, "ix_cases_agency_list"),
    ],
)
def test_cases(query, index, cases_db):
    settings = Settings.from_config({})
    for extra in ({"page": 1}, {"after": CASE_AFTER}):
        q = {"per_page": 50, **extra, **query}
        check(plans(cases_db, lambda s, q=q: cases.list_cases(s, BUREAU, q, settings, date(2026, 3, 1))), index)


@pytest.mark.parametrize(
    ("query", "items_index", "complaints_index"),
    [
        ({}, "supervision_items_pkey", "complaints_pkey"),
        ({"agency_code": MARKET}, "ix_items_agency_list", "ix_complaints_agency_list"),
        ({"state": "issued"}, "ix_items_state_list", "ix_complaints_state_list"),
        ({"agency_code": MARKET, "state": "issued"}, "ix_items_agency_state_list", "ix_complaints_agency_state_list"),
        ({"overdue": True}, "ix_items_overdue_list", None),  # the county dashboard's
    ],
)
def test_supervision_items_and_complaints(query, items_index, complaints_index, supervision_db):
    for extra in ({"page": 1}, {"after": cursor("supervision_items", "id-", [1000])}):
        q = {"per_page": 50, **extra, **query}
        found = plans(supervision_db, lambda s, q=q: items.list_items(s, BUREAU, q))
        check(found, items_index, "supervision_items_pkey")
    for extra in ({"page": 1}, {"after": cursor("complaints", "id-", [1000])}) if complaints_index else ():
        q = {"per_page": 50, **extra, **query}
        found = plans(supervision_db, lambda s, q=q: complaints.list_complaints(s, BUREAU, q, None))
        check(found, complaints_index, "complaints_pkey")


class SessionDb:
    """The gateway's database as the audit route reads it, over one session."""

    def __init__(self, session):
        self.session = session

    @contextmanager
    def read(self):
        yield self.session


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ({}, "audit_records_pkey"),
        ({"actor": "admin"}, "ix_audit_records_username_list"),
        ({"action": "POST /api/v1/officers"}, "ix_audit_records_action_list"),
    ],
)
def test_the_audit_trail(query, index, gateway_db):
    route = Route("GET", "/audit", audit_trail, BUREAU_ONLY, "Read the audit trail", "auth", query=AuditQuery)

    def read(session, extra):
        q = AuditQuery().load({**query, **extra})
        route.handler(Call(route, {"role": "bureau"}, {}, None, q, None, None, db=SessionDb(session)))

    for extra in ({}, {"after": cursor("audit", "id-", [1000])}):
        check(plans(gateway_db, lambda s, extra=extra: read(s, extra)), index, "audit_records_pkey")
