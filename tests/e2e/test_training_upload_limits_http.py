"""Hostile spreadsheets sent to the attendance import over HTTP (gateway and training as real processes).

Each bomb is about 1 MB or less and would unpack to hundreds of MB: the service refuses it with a 400 whose ``file``
message names the limit, nothing is written, and the service is still ready; a normal sheet still imports.
"""

from __future__ import annotations

import pytest
from enforcement_testing import db_counts
from enforcement_testing.xlsx_bombs import (
    SHEET,
    blank_rows_bomb,
    declare_size,
    huge_cell,
    inline_row,
    sheet_xml,
    with_sheet,
)
from test_http import SCJ, agency_admin, register
from test_training_http import TRAINING_TABLES, agencies_known, course, known_to_training, session_of, upload

from training_service.spreadsheets import TEMPLATE_HEADERS, write_table

HEADER = ("officer_id", "session_id", "hours")


# One running suite for every bomb (starting one takes ~15 s): longer than 50 lines on purpose.
@pytest.mark.timeout(240)
def test_zip_bombs_are_refused_naming_the_limit_and_the_service_stays_ready(training_suite):
    suite = training_suite
    admin = suite.admin()
    scj = agency_admin(suite, admin, SCJ, "scj-uploads")
    agencies_known(suite)
    officer = register(scj, SCJ, 801)["officer_id"]
    known_to_training(admin, officer)
    held = session_of(admin, course(admin, "public_law", "行政处罚法"), 4)
    before = db_counts(suite.training_db, *TRAINING_TABLES)

    def refused(content: bytes, limit: str) -> str:
        assert len(content) < 2 * 1024 * 1024  # the bombs are small files
        response = upload(scj, content, filename="bomb.xlsx")
        assert response.status_code == 400, response.text
        message = response.json()["fields"]["file"][0]
        assert f"({limit})" in message and message in response.json()["message"]
        assert db_counts(suite.training_db, *TRAINING_TABLES) == before
        status, body = suite.training.health("ready")
        assert status == 200, body
        return message

    blank_rows = blank_rows_bomb(300, HEADER)  # 330 MB of blank rows in about 330 KB
    assert refused(blank_rows, "max_member_bytes") == f"{SHEET} unpacks to more than 128 MiB (max_member_bytes)"
    assert refused(blank_rows_bomb(100, HEADER), "max_ratio").startswith(f"{SHEET} is compressed more than 100 to 1")
    # the same bomb declaring 4 KB: passes the declared checks, stopped after 4 KB of unpacking
    assert refused(declare_size(blank_rows, SHEET, 4096), "a forged size, refused") == (
        f"{SHEET} unpacks to more than the 4096 bytes it declares (a forged size, refused)"
    )
    assert refused(huge_cell(1024, HEADER), "max_member_bytes")  # one 1 GiB cell, about 1 MB packed
    long_cell = with_sheet(sheet_xml(HEADER, inline_row(2, officer, held["session_id"], 2), inline_row(3, "x" * 1001)))
    assert refused(long_cell, "max_cell_chars") == (
        "row 3, column officer_id: a cell longer than 1000 characters (max_cell_chars)"
    )
    gap = inline_row(2, officer, held["session_id"], 2) + inline_row(1048576, officer, held["session_id"], 2)
    assert refused(with_sheet(sheet_xml(HEADER, gap)), "max_blank_rows").startswith(
        "row 10003: more than 10000 blank rows"
    )

    too_big = upload(scj, b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024))  # the gateway's GATEWAY.max_upload_bytes
    assert too_big.status_code == 413, too_big.text
    assert db_counts(suite.training_db, *TRAINING_TABLES) == before

    # a sheet claiming 1,048,576 rows and 16,384 columns, with one real row, is read as the one row it holds
    claimed = with_sheet(sheet_xml(HEADER, inline_row(2, officer, held["session_id"], 2), dimension="A1:XFD1048576"))
    dry = upload(scj, claimed, dry_run="true")
    assert dry.status_code == 201 and dry.json()["rows"] == 1, dry.text
    done = upload(scj, write_table("签到表", TEMPLATE_HEADERS, [(officer, held["session_id"], 3.5, None, "")]))
    assert done.status_code == 201 and done.json()["imported"] == 1, done.text
