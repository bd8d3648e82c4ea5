"""Supervision's use cases on a real (in-memory SQLite) database, without a broker: the overdue pass, one open item
per cause, the promptness table's SQL. The outbox rows stand for the events (the relay publishes them)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from enforcement_contracts.cases import promptness as cases_promptness
from enforcement_contracts.events import Envelope
from enforcement_kernel.db import OutboxRow, Tx, kernel_metadata
from supervision_service import models as m
from supervision_service import rules
from supervision_service.operations import automatic, items, promptness
from supervision_service.operations.common import Settings

BUREAU = {"username": "bureau", "role": "bureau", "agency_code": None, "officer_id": None}
SCJ, JTJ = "140928-scjgj", "140928-jtysj"
TODAY = date(2025, 10, 20)
SETTINGS = Settings()


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    m.Base.metadata.create_all(engine)
    kernel_metadata.create_all(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def tx_of(session) -> Tx:
    return Tx(session, "supervision")


def known(code):
    return None


def outbox(session, event_type: str) -> int:
    return session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.event_type == event_type))


def issue(session, agency=SCJ, on=TODAY - timedelta(days=40)) -> int:
    item = items.issue_item(
        tx_of(session),
        BUREAU,
        {"agency_code": agency, "kind": "report_request", "title": "报送", "body": "", "deadline_workdays": 5},
        SETTINGS,
        known,
        on,
    )
    return item["item_id"]


def test_the_overdue_pass_marks_each_item_once_and_again_only_for_a_new_deadline(session):
    late, answered, fresh = issue(session), issue(session), issue(session, on=TODAY)
    agency = {"username": "a", "role": "agency_admin", "agency_code": SCJ, "officer_id": None}
    on = TODAY - timedelta(days=39)
    items.act_on_item(tx_of(session), agency, answered, "acknowledge", {}, SETTINGS, on)
    items.act_on_item(tx_of(session), agency, answered, "answer", {"answer": "已报送"}, SETTINGS, on)

    assert items.mark_overdue(tx_of(session), TODAY) == [late]
    assert items.mark_overdue(tx_of(session), TODAY) == []  # a second pass (a restart, a replica) changes nothing
    assert outbox(session, "supervision.item.overdue") == 1
    assert session.get(m.SupervisionItem, fresh).overdue is False

    items.act_on_item(
        tx_of(session), BUREAU, answered, "return", {"reason": "不全", "deadline_workdays": 1}, SETTINGS, on
    )
    assert items.mark_overdue(tx_of(session), TODAY) == [answered]  # its new deadline passed too
    assert items.mark_overdue(tx_of(session), TODAY + timedelta(days=1)) == []
    assert outbox(session, "supervision.item.overdue") == 2


def test_a_cause_has_one_open_item_and_a_new_one_after_it_is_verified(session):
    envelope = Envelope(type="training.officer.short_at_year_end", source="training", data={}, schemaversion=1)

    def short(officer):
        automatic.on_officer_short(
            tx_of(session),
            envelope,
            {"officer_id": officer, "agency_code": JTJ, "year": 2024, "reasons": ["public_law: 10 hours short"]},
            SETTINGS,
            TODAY,
        )

    short("o-1")
    short("o-2")
    [item] = session.scalars(select(m.SupervisionItem)).all()
    assert item.occurrences == 2 and item.details["officers"] == ["o-1", "o-2"]
    assert outbox(session, "supervision.item.changed") == 1  # the recurrence
    item.state, item.open_key = m.VERIFIED, None
    short("o-3")
    assert session.scalar(select(func.count()).select_from(m.SupervisionItem)) == 2


def test_a_missed_deadline_opens_the_late_item_and_the_late_measurement_then_recurs_on_it(session):
    """cases.deadline.missed and the late promptness.measured that follows share one open key: one item."""

    # one scenario (50+ lines): the missed deadline, then each measurement, recur on the same open item
    def event(event_type):  # each event its own id
        return Envelope(type=f"cases.{event_type}", source="cases", data={}, schemaversion=1)

    data = cases_promptness.DEADLINE_MISSED.load(
        cases_promptness.DEADLINE_MISSED.dump(
            {
                "case_id": "c-1",
                "agency_code": SCJ,
                "kind": "case_decided",
                "started_on": date(2025, 6, 2),
                "due_on": date(2025, 8, 31),
                "detected_on": date(2025, 9, 1),
            }
        )
    )
    automatic.on_deadline_missed(tx_of(session), event("deadline.missed"), data, SETTINGS, date(2025, 9, 1))
    [item] = session.scalars(select(m.SupervisionItem)).all()
    assert (item.kind, item.origin, item.occurrences) == ("rectification", "cases.deadline.missed", 1)
    assert item.title == automatic.LATE_KINDS["case_decided"][1] and item.details["reference"] == "c-1"
    assert outbox(session, "supervision.item.issued") == 1

    automatic.on_promptness_measured(
        tx_of(session),
        event("promptness.measured"),
        {
            "agency_code": SCJ,
            "kind": "case_decided",
            "reference": "c-1",
            "started_on": date(2025, 6, 2),
            "ended_on": TODAY,
            "workdays_taken": 95,
            "deadline_workdays": 62,
            "on_time": False,
        },
        SETTINGS,
        TODAY,
    )
    assert session.scalar(select(func.count()).select_from(m.SupervisionItem)) == 1
    assert item.occurrences == 2 and item.details["workdays_taken"] == 95 and item.details["due_on"] == "2025-08-31"
    assert outbox(session, "supervision.item.changed") == 1

    # another case of the same agency is another cause; a kind supervision does not know (a newer producer's) counts
    # late but opens nothing
    automatic.on_deadline_missed(
        tx_of(session),
        event("deadline.missed"),
        {**data, "case_id": "c-2", "kind": "decision_published"},
        SETTINGS,
        TODAY,
    )
    automatic.on_deadline_missed(
        tx_of(session), event("deadline.missed"), {**data, "case_id": "c-3", "kind": "new_kind"}, SETTINGS, TODAY
    )
    assert sorted(session.scalars(select(m.SupervisionItem.open_key))) == [
        "cases.case_decided:c-1",
        "cases.decision_published:c-2",
    ]
    assert (
        session.scalar(select(m.PromptnessMeasurement.on_time).where(m.PromptnessMeasurement.kind == "new_kind"))
        is False
    )

    # a transfer leg is keyed by the transfer, as its measurement names it: two transfers of one case are two causes
    for transfer_id in ("t-1", "t-2"):
        automatic.on_deadline_missed(
            tx_of(session),
            event("deadline.missed"),
            {**data, "case_id": "c-4", "transfer_id": transfer_id, "kind": "transfer_handed_over"},
            SETTINGS,
            TODAY,
        )
    automatic.on_promptness_measured(
        tx_of(session),
        event("promptness.measured"),
        {
            "agency_code": SCJ,
            "kind": "transfer_handed_over",
            "reference": "t-1",
            "started_on": date(2025, 6, 2),
            "ended_on": TODAY,
            "workdays_taken": 3,
            "deadline_workdays": 1,
            "on_time": False,
        },
        SETTINGS,
        TODAY,
    )
    handed = {
        i.open_key: i
        for i in session.scalars(select(m.SupervisionItem).where(m.SupervisionItem.kind == "transfer_followup"))
    }
    assert sorted(handed) == ["cases.transfer_handed_over:t-1", "cases.transfer_handed_over:t-2"]
    assert handed["cases.transfer_handed_over:t-1"].occurrences == 2
    assert handed["cases.transfer_handed_over:t-2"].details == {
        "reference": "t-2",
        "case_id": "c-4",
        "transfer_id": "t-2",
        "started_on": "2025-06-02",
        "due_on": "2025-08-31",
        "detected_on": "2025-09-01",
        "deadline": None,
        "deadline_unit": "workdays",
    }
    assert "transfer t-2" in handed["cases.transfer_handed_over:t-2"].body


def test_the_promptness_table_groups_in_sql_and_skips_what_already_landed(session):
    rows = [
        (SCJ, "case_decided", 3, True),
        (SCJ, "case_decided", 9, False),
        (SCJ, "decision_published", 2, True),
        (JTJ, "case_decided", 4, True),
        (SCJ, "case_decided", 1, True),
    ]
    for n, (agency, kind, days, on_time) in enumerate(rows):
        promptness.land_measurement(
            tx_of(session),
            f"e{n}",
            "cases",
            {
                "agency_code": agency,
                "kind": kind,
                "reference": f"r{n}",
                "started_on": TODAY - timedelta(days=days),
                "ended_on": TODAY if n < 4 else TODAY.replace(year=2024),
                "workdays_taken": days,
                "deadline_workdays": 5,
                "on_time": on_time,
            },
        )
    assert promptness.land_measurement(tx_of(session), "e0", "cases", {}) is None  # the same event again
    session.flush()
    table = promptness.promptness_table(session, BUREAU, {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)})
    assert [
        (r["agency_code"], r["kind"], r["measurements"], r["on_time"], r["median_workdays"], r["max_workdays"])
        for r in table
    ] == [
        (JTJ, "all", 1, 1, 4.0, 4),
        (JTJ, "case_decided", 1, 1, 4.0, 4),
        (SCJ, "all", 3, 2, 3.0, 9),
        (SCJ, "case_decided", 2, 1, 6.0, 9),
        (SCJ, "decision_published", 1, 1, 2.0, 2),
    ]
    ratios, open_items, overdue = promptness.gauge_figures(session, TODAY)
    assert ratios[(SCJ, "all")] == pytest.approx(2 / 3) and ratios[(SCJ, "decision_published")] == 1.0


def test_a_measurement_timed_to_the_second_keeps_its_seconds_and_feeds_the_seconds_histogram(session):
    """A hand-over is counted in hours: the event's seconds_taken lands in the table and in
    enforcement_promptness_seconds once committed; a measurement dated by days has none and stays out of it."""

    def sample(suffix, kind, **extra):
        return (
            REGISTRY.get_sample_value(
                f"enforcement_promptness_seconds_{suffix}",
                {"service": "supervision", "agency": SCJ, "kind": kind, **extra},
            )
            or 0
        )

    before = (
        sample("count", "transfer_handed_over"),
        sample("sum", "transfer_handed_over"),
        sample("bucket", "transfer_handed_over", le="86400.0"),
    )
    handed = cases_promptness.PROMPTNESS_MEASURED.load(
        cases_promptness.PROMPTNESS_MEASURED.dump(
            {
                "agency_code": SCJ,
                "kind": "transfer_handed_over",
                "reference": "t-9",
                "started_on": TODAY,
                "ended_on": TODAY,
                "workdays_taken": 1,
                "deadline_workdays": 1,
                "on_time": False,
                "seconds_taken": 90000,
            }
        )
    )
    tx = tx_of(session)
    row = promptness.land_measurement(tx, "e-seconds", "cases", handed)
    dated = promptness.land_measurement(
        tx, "e-days", "cases", {**handed, "kind": "transfer_acknowledged", "seconds_taken": None}
    )
    assert (row.seconds, dated.seconds) == (90000, None)
    assert sample("count", "transfer_handed_over") == before[0]  # nothing counts before the commit
    for callback in tx.on_commit:
        callback()
    # 25 hours: counted, but not within the 24-hour bucket
    assert (
        sample("count", "transfer_handed_over"),
        sample("sum", "transfer_handed_over"),
        sample("bucket", "transfer_handed_over", le="86400.0"),
    ) == (before[0] + 1, before[1] + 90000, before[2])
    assert sample("count", "transfer_acknowledged") == 0


def _counted(kind: str, on_time: str) -> float:
    return (
        REGISTRY.get_sample_value(
            "enforcement_promptness_measurements_total",
            {"service": "supervision", "agency": SCJ, "kind": kind, "on_time": on_time},
        )
        or 0
    )


def _commit(tx) -> None:
    for callback in tx.on_commit:
        callback()
    tx.on_commit.clear()


# one scenario in order (the miss, its redelivery, the measurement, a late replay of the miss): over 50 lines
def test_a_missed_deadline_counts_late_once_and_its_measurement_replaces_the_late_row(session):
    """A miss lands a provisional late row and counts late at once; the measurement of the same obligation replaces
    it (one row, still late, in the year the miss was found) and adds its time taken but no second count."""
    missed = Envelope(type="personnel.deadline.missed", source="personnel", data={}, schemaversion=1)
    miss = {
        "agency_code": SCJ,
        "kind": "certificate_cancelled",
        "reference": "140928-2025-0007",
        "started_on": date(2025, 12, 22),
        "due_on": date(2025, 12, 29),
        "detected_on": date(2025, 12, 30),
        "deadline": 5.0,
        "deadline_unit": "workdays",
    }
    before = _counted("certificate_cancelled", "false"), _counted("certificate_cancelled", "true")
    tx = tx_of(session)
    automatic.on_deadline_missed(tx, missed, miss, SETTINGS, miss["detected_on"])
    _commit(tx)
    [row] = session.scalars(select(m.PromptnessMeasurement)).all()
    assert (row.missed_open, row.on_time, row.ended_on, row.year) == (True, False, date(2025, 12, 30), 2025)
    assert (row.workdays_taken, row.deadline_workdays) == (6, 5)
    [item] = session.scalars(select(m.SupervisionItem)).all()
    assert item.title == "执法证未及时注销" and item.details["deadline_unit"] == "workdays"
    assert "deadline 5 working days" in item.body
    assert _counted("certificate_cancelled", "false") == before[0] + 1
    ratios, _, _ = promptness.gauge_figures(session, date(2025, 12, 31))
    assert ratios[(SCJ, "all")] == 0.0

    # the same miss again (a redelivery under a new id, or the owner's replay): nothing lands, nothing counts
    again = Envelope(type="personnel.deadline.missed", source="personnel", data={}, schemaversion=1)
    automatic.on_deadline_missed(tx_of(session), again, miss, SETTINGS, miss["detected_on"])
    assert session.scalar(select(func.count()).select_from(m.PromptnessMeasurement)) == 1

    measured = Envelope(type="personnel.promptness.measured", source="personnel", data={}, schemaversion=1)
    tx = tx_of(session)
    automatic.on_promptness_measured(
        tx,
        measured,
        {
            "agency_code": SCJ,
            "kind": "certificate_cancelled",
            "reference": "140928-2025-0007",
            "started_on": date(2025, 12, 22),
            "ended_on": date(2026, 1, 6),
            "workdays_taken": 9,
            "deadline_workdays": 5,
            "on_time": False,
        },
        SETTINGS,
        date(2026, 1, 6),
    )
    _commit(tx)
    [row] = session.scalars(select(m.PromptnessMeasurement)).all()
    assert (row.event_id, row.missed_open, row.on_time) == (measured.id, False, False)
    assert (row.ended_on, row.workdays_taken, row.year) == (date(2026, 1, 6), 9, 2025)
    assert _counted("certificate_cancelled", "false") == before[0] + 1  # the obligation counted once
    assert _counted("certificate_cancelled", "true") == before[1]
    assert item.occurrences == 2 and item.details["taken"] == 9
    recurred = session.scalars(select(m.ItemHistory).where(m.ItemHistory.action == "recurred")).one()
    assert recurred.note == "140928-2025-0007: 9 working days against 5 working days (from 2025-12-22 to 2026-01-06)"

    # the miss redelivered after the measurement: still one row
    automatic.on_deadline_missed(tx_of(session), missed, miss, SETTINGS, miss["detected_on"])
    assert session.scalar(select(func.count()).select_from(m.PromptnessMeasurement)) == 1


def test_a_hand_over_reads_in_hours_on_its_item():
    data = {
        "reference": "t-5",
        "workdays_taken": 1,
        "deadline_workdays": 1,
        "deadline_unit": "hours",
        "taken": 30.5,
        "deadline": 24.0,
    }
    assert rules.lateness(data) == {"taken": 30.5, "deadline": 24.0, "deadline_unit": "hours"}
    assert rules.lateness({**data, "taken": None, "seconds_taken": 109800}) == rules.lateness(data)
    assert f"{rules.in_unit(30.5, 'hours')} against {rules.in_unit(24.0, 'hours')}" == "30.5 h against 24 h"
    # an older producer's measurement without units: working days
    assert rules.lateness({"workdays_taken": 3, "deadline_workdays": 2}) == {
        "taken": 3,
        "deadline": 2,
        "deadline_unit": "workdays",
    }
    assert rules.in_unit(31, "days") == "31 days"


# one scenario in order (registered, watched, decided late, watched again, concluded late): over 50 lines
def test_the_complaint_watch_announces_each_late_obligation_once_and_counts_it_late(session):
    from enforcement_kernel.crypto import PersonalDataCipher
    from supervision_service.operations import complaints, watches

    cipher = PersonalDataCipher("Zm9yLWRldmVsb3BtZW50LW9ubHktMzItYnl0ZXMtISE=", "k")
    received = date(2025, 9, 1)  # Monday: 5 working days end on 2025-09-08
    receipt = complaints.register_complaint(
        tx_of(session),
        {
            "agency_code": SCJ,
            "complainant_kind": "enterprise",
            "complainant_name": "五寨某公司",
            "contact": "13800000000",
            "summary": "重复检查",
        },
        SETTINGS,
        cipher,
        known,
        received,
    )
    complaint_id = receipt["complaint_id"]

    def watch(today):
        tx = tx_of(session)
        found = [watches.watch_complaints(tx, kind, SETTINGS, today)[0] for kind in watches.WATCHED_KINDS]
        _commit(tx)
        return found

    assert watch(date(2025, 9, 8)) == [0, 0]  # the last day in time
    assert watch(date(2025, 9, 9)) == [1, 0]
    assert watch(date(2025, 9, 10)) == [0, 0]  # once
    assert outbox(session, "supervision.deadline.missed") == 1
    [miss] = session.scalars(select(m.DeadlineMiss)).all()
    assert (miss.kind, miss.reference, miss.due_on, miss.deadline, miss.deadline_unit) == (
        "complaint_accepted",
        f"complaint {complaint_id}",
        date(2025, 9, 8),
        5.0,
        "workdays",
    )
    [item] = session.scalars(select(m.SupervisionItem)).all()
    assert (item.title, item.complaint_id, item.agency_code) == ("投诉举报未按时受理", complaint_id, SCJ)
    assert "五寨某公司" not in item.body and "13800000000" not in str(item.details)

    agency = {"username": "a", "role": "agency_admin", "agency_code": SCJ, "officer_id": None}
    accepted = date(2025, 9, 12)
    complaints.decide_complaint(
        tx_of(session), agency, complaint_id, {"accept": True, "reasons": "受理"}, SETTINGS, cipher, accepted
    )
    rows = session.scalars(select(m.PromptnessMeasurement)).all()
    assert [(r.kind, r.on_time, r.missed_open) for r in rows] == [("complaint_accepted", False, False)]
    assert item.occurrences == 2

    # 30 calendar days from acceptance: 2025-10-12 is the last day in time
    assert watch(date(2025, 10, 12)) == [0, 0]
    assert watch(date(2025, 10, 13)) == [0, 1]
    assert outbox(session, "supervision.deadline.missed") == 2
    concluded_item = session.scalars(
        select(m.SupervisionItem).where(m.SupervisionItem.title == "投诉举报未按时办结")
    ).one()
    assert concluded_item.details["deadline"] == 30.0 and concluded_item.details["deadline_unit"] == "days"
    complaints.conclude_complaint(
        tx_of(session),
        agency,
        complaint_id,
        {"outcome": "upheld", "conclusion": "属实"},
        SETTINGS,
        cipher,
        date(2025, 10, 20),
    )
    concluded = session.scalars(
        select(m.PromptnessMeasurement).where(m.PromptnessMeasurement.kind == "complaint_concluded")
    ).one()
    assert (concluded.on_time, concluded.missed_open, concluded.ended_on) == (False, False, date(2025, 10, 20))
    assert concluded_item.details["taken"] == 38 and concluded_item.occurrences == 2
    assert watch(date(2025, 10, 21)) == [0, 0]


def test_an_item_past_its_deadline_counts_late_until_its_answer_replaces_the_row(session):
    late = issue(session)
    assert items.mark_overdue(tx_of(session), TODAY) == [late]
    row = session.scalars(select(m.PromptnessMeasurement)).one()
    assert (row.kind, row.reference, row.on_time, row.missed_open) == (
        "supervision_item_answered",
        f"item {late}",
        False,
        True,
    )
    agency = {"username": "a", "role": "agency_admin", "agency_code": SCJ, "officer_id": None}
    items.act_on_item(tx_of(session), agency, late, "acknowledge", {}, SETTINGS, TODAY)
    items.act_on_item(tx_of(session), agency, late, "answer", {"answer": "已报送"}, SETTINGS, TODAY)
    row = session.scalars(select(m.PromptnessMeasurement)).one()
    assert (row.on_time, row.missed_open, row.ended_on) == (False, False, TODAY)


def test_the_filing_watch_announces_each_agency_without_its_yearly_report_once(session):
    from supervision_service import reports_models as rm
    from supervision_service.operations import watches

    due = date(2026, 1, 31)

    def watch(today):
        tx = tx_of(session)
        found = watches.watch_filings(tx, 2025, [SCJ, JTJ], due, SETTINGS, today)
        _commit(tx)
        return found

    session.add(
        rm.AnnualReportFiling(
            year=2025, scope=JTJ, filed_on=date(2026, 1, 20), due_on=due, on_time=True, filed_by="jt", report={}
        )
    )
    assert watch(due) == 0  # the due day itself is in time
    assert watch(date(2026, 2, 2)) == 1  # only the agency that has not filed
    assert watch(date(2026, 2, 3)) == 0
    [miss] = session.scalars(select(m.DeadlineMiss)).all()
    assert (miss.agency_code, miss.reference, miss.deadline, miss.deadline_unit) == (
        SCJ,
        f"annual-report-2025:{SCJ}",
        31.0,
        "days",
    )
    [item] = session.scalars(select(m.SupervisionItem)).all()
    assert (item.kind, item.title, item.agency_code) == ("report_request", "行政执法统计年报未按时报送", SCJ)
    assert "deadline 31 days" in item.body
    row = session.scalars(select(m.PromptnessMeasurement)).one()
    assert (row.kind, row.year, row.on_time, row.missed_open) == ("annual_report_filed", 2026, False, True)
    assert outbox(session, "supervision.deadline.missed") == 1
