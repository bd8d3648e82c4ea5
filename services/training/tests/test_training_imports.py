"""Attendance spreadsheets into the training service in process: a large sheet imports, bad rows import nothing and
are each reported, malformed files are refused, and the operators' import command (a process of its own)."""

from __future__ import annotations

import base64
import time
from datetime import timedelta

import pytest
from enforcement_testing import (
    BUREAU,
    db_count,
    db_counts,
)
from training_support import FARM, MARKET, MARKET_ADMIN, TODAY, WRITE_TABLES, bureau_session, register_officers, xlsx

from enforcement_contracts.errors import Conflict, ValidationFailed
from training_service.spreadsheets import TEMPLATE_HEADERS, write_table

pytestmark = pytest.mark.timeout(120)


# --- bulk import -------------------------------------------------------------------------------
def test_a_5000_row_spreadsheet_imports(training, cluster, amqp_uri, collect_events):
    events = collect_events("training", "hours.updated", "attendance.imported")
    officers = register_officers(amqp_uri, training.database_url, 100)
    sessions = [
        bureau_session(
            cluster, "public_law" if i % 2 else "professional", hours=2, held_on=TODAY - timedelta(days=i % 30)
        )
        for i in range(50)
    ]
    rows = [(o, s["session_id"], 1.5, None, "") for o in officers for s in sessions]
    assert len(rows) == 5000
    content = xlsx(rows)
    started = time.monotonic()
    result = cluster.training.import_attendance(BUREAU, content, "5000.xlsx")
    elapsed = time.monotonic() - started
    assert result["imported"] == 5000 and result["officers"] == 100 and result["import_id"]
    assert db_count(training.database_url, "attendance") == 5000
    assert db_count(training.database_url, "attendance", "import_id = :i", i=result["import_id"]) == 5000
    assert elapsed < 60, f"5,000 rows took {elapsed:.1f}s"
    table = cluster.training.compliance_table(BUREAU, {"agency_code": MARKET, "per_page": 500})
    assert table["total"] == 100
    assert {r["hours_by_category"]["public_law"] for r in table["items"]} == {37.5}
    assert {r["hours_by_category"]["professional"] for r in table["items"]} == {37.5}
    received = events.wait_for(101, timeout=60)
    [imported] = [e for e in received if e["type"] == "training.attendance.imported"]
    assert imported["data"]["rows"] == 5000 and {t["rows"] for t in imported["data"]["totals"]} == {2500}
    assert len({e["data"]["officer_id"] for e in received if e["type"] == "training.hours.updated"}) == 100
    with pytest.raises(Conflict) as again:  # the same file twice: refused, nothing doubled
        cluster.training.import_attendance(BUREAU, content, "5000.xlsx")
    assert "already imported" in str(again.value)
    with pytest.raises(ValidationFailed) as resaved:  # the same rows in another file: each reported as recorded already
        cluster.training.import_attendance(BUREAU, xlsx(rows[:3]))
    assert [p["reason"] for p in resaved.value.fields["rows"]] == [
        "already recorded for this officer; correct it instead"
    ] * 3
    assert db_count(training.database_url, "attendance") == 5000
    assert (
        training.metric("enforcement_training_recorded_seconds_total", service="training", agency=MARKET) == 7500 * 3600
    )


def test_three_bad_rows_import_nothing_and_are_each_reported(training, cluster, amqp_uri):
    officers = register_officers(amqp_uri, training.database_url, 5)
    session = bureau_session(cluster, hours=4, held_on=TODAY - timedelta(days=3), ends_on=TODAY)
    sessions = [session] + [bureau_session(cluster, hours=4) for _ in range(3)]
    rows = [(o, s["session_id"], 2, None, "") for o in officers for s in sessions]  # rows 2..21
    rows[3] = (officers[0], sessions[3]["session_id"], -1, None, "")  # row 5: negative hours
    rows[7] = ("no-such-officer", sessions[3]["session_id"], 2, None, "")  # row 9: unknown officer
    rows[12] = (
        officers[3],
        session["session_id"],
        2,
        (TODAY + timedelta(days=30)).isoformat(),
        "",
    )  # row 14: future (a month ahead: runs cross midnight)
    before = db_counts(training.database_url, *WRITE_TABLES)
    with pytest.raises(ValidationFailed) as refused:
        cluster.training.import_attendance(BUREAU, xlsx(rows), "three-bad.xlsx")
    reported = refused.value.fields["rows"]
    # nameko sends an error's arguments as strings (the gateway turns row numbers back into numbers)
    assert [(int(p["row"]), p["column"]) for p in reported] == [(5, "hours"), (9, "officer_id"), (14, "attended_on")], (
        reported
    )
    assert "more than 0" in reported[0]["reason"] and "unknown officer" in reported[1]["reason"]
    assert "future" in reported[2]["reason"]
    assert "3 bad row(s) of 20" in refused.value.message and "nothing was imported" in refused.value.message
    assert db_counts(training.database_url, *WRITE_TABLES) == before

    # fixed, the same rows go through
    rows[3], rows[7], rows[12] = (
        (rows[3][0], rows[3][1], 2, None, ""),
        (officers[1], sessions[3]["session_id"], 2, None, ""),
        (officers[3], session["session_id"], 2, None, ""),
    )
    assert cluster.training.import_attendance(BUREAU, xlsx(rows))["imported"] == 20
    assert db_count(training.database_url, "attendance") == 20


def test_malformed_spreadsheets_and_other_agencies_rows_are_refused(training, cluster, amqp_uri):
    [mine] = register_officers(amqp_uri, training.database_url, 1, MARKET)
    [theirs] = register_officers(amqp_uri, training.database_url, 1, FARM)
    session = bureau_session(cluster, hours=4)
    before = db_counts(training.database_url, *WRITE_TABLES)

    def refused(content_b64, actor=BUREAU):
        with pytest.raises(ValidationFailed) as caught:
            cluster.training.import_attendance(actor, content_b64)
        return caught.value

    assert (
        "not a readable .xlsx" in refused(base64.b64encode(b"officer_id,session_id,hours\n").decode()).fields["file"][0]
    )
    assert "base64" in refused("***").fields["file"][0]
    no_hours = base64.b64encode(
        write_table("x", ["officer_id", "session_id"], [(mine, session["session_id"])])
    ).decode()
    assert "missing: hours" in refused(no_hours).fields["file"][0]
    assert "no rows" in refused(xlsx([])).fields["file"][0]
    mixed = refused(
        xlsx([(mine, session["session_id"], 2, None, ""), (theirs, session["session_id"], 2, None, "")]), MARKET_ADMIN
    )
    assert mixed.fields["rows"] == [{"row": "3", "column": "officer_id", "reason": "an officer of another agency"}]
    assert db_counts(training.database_url, *WRITE_TABLES) == before
    # Chinese headers as county offices write them are accepted
    chinese = base64.b64encode(
        write_table("签到", ["人员编号", "场次编号", "学时"], [(mine, session["session_id"], 4)])
    ).decode()
    assert cluster.training.import_attendance(MARKET_ADMIN, chinese)["imported"] == 1


def test_the_import_command_imports_all_or_nothing_with_a_progress_bar(
    training, cluster, amqp_uri, tmp_path, collect_events
):
    import subprocess

    from enforcement_testing import BIN_DIR, REPO_ROOT

    events = collect_events("training", "attendance.imported")
    officers = register_officers(amqp_uri, training.database_url, 4)
    sessions = [bureau_session(cluster, hours=4) for _ in range(5)]
    rows = [(o, s["session_id"], 4, None, "") for o in officers for s in sessions]
    env = {**training.env, "COLUMNS": "120"}

    def run(path):
        return subprocess.run(
            [str(BIN_DIR / "enforcement-training-import"), str(path)],
            env=env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        write_table("attendance", TEMPLATE_HEADERS, [*rows[:6], (officers[0], "nope", 4, None, ""), *rows[6:]])
    )
    refused = run(bad)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "nothing was imported" in refused.stderr and "unknown session nope" in refused.stderr
    assert db_count(training.database_url, "attendance") == 0

    good = tmp_path / "good.xlsx"
    good.write_bytes(write_table("attendance", TEMPLATE_HEADERS, rows))
    done = run(good)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "20 rows imported for 4 officers" in done.stdout
    assert "reading and checking rows" in done.stderr  # the progress bar
    assert db_count(training.database_url, "attendance") == 20
    # the running service's relay publishes what the command wrote to the outbox
    [imported] = events.wait_for(1)
    assert imported["data"]["rows"] == 20
