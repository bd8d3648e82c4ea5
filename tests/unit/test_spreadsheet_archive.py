"""The kernel's .xlsx reader against crafted archives: every limit refuses before openpyxl parses, and names itself.

The archives are built here with ``zipfile`` from a real workbook (openpyxl's), its sheet part replaced: a sheet of
blank rows packed 1,000 to 1, a member whose central directory lies about its size, a huge cell, too many members.
Small ``Limits`` keep the files small; the service's own test sends a full-size bomb over HTTP.
"""

from __future__ import annotations

import gc
import io
import zipfile

import pytest
from enforcement_testing.xlsx_bombs import (
    SHEET,
    blank_rows_bomb,
    declare_size,
    huge_cell,
    inline_row,
    sheet_xml,
    with_sheet,
)

from enforcement_kernel.spreadsheets import (
    DEFAULT_LIMITS,
    ArchiveRefused,
    Columns,
    Limits,
    SpreadsheetError,
    check_archive,
    cooperate,
    long_work,
    read_sheet,
    write_table,
)

COLUMNS = Columns({"officer_id": ("officer_id",), "hours": ("hours",), "note": ("note",)}, required=("officer_id",))
HEADER = ("officer_id", "hours", "note")


def workbook(rows=(("o1", 2, "ok"),)) -> bytes:
    return write_table("sheet", HEADER, rows)


def data_row(number: int, officer: str = "o1", note: str | None = None) -> bytes:
    return inline_row(number, officer, 2, note)


def sheet(*rows: bytes, dimension: str = "") -> bytes:
    return sheet_xml(HEADER, *rows, dimension=dimension)


def refusal(content: bytes, limits: Limits = DEFAULT_LIMITS, max_rows: int = 100) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as caught:
        list(read_sheet(content, COLUMNS, max_rows, limits=limits))
    return caught.value


def test_a_normal_workbook_passes_and_reads():
    content = workbook([("o1", 2, "签到"), ("o2", 3.5, None)])
    check_archive(content)
    rows = list(read_sheet(content, COLUMNS, 10))
    assert [(r.number, r.cell("officer_id"), r.cell("hours"), r.cell("note")) for r in rows] == [
        (2, "o1", 2, "签到"),
        (3, "o2", 3.5, None),
    ]


def test_blank_rows_bombs_are_refused_by_their_declared_size_or_ratio_before_parsing():
    bomb = blank_rows_bomb(300)  # 330 MB of blank rows
    assert len(bomb) < 2 * 1024 * 1024
    error = refusal(bomb)
    assert isinstance(error, ArchiveRefused) and error.limit == "max_member_bytes"
    assert str(error) == f"{SHEET} unpacks to more than 128 MiB (max_member_bytes)"
    error = refusal(blank_rows_bomb(100))  # 110 MB: under the size limit, packed 1,000 to 1
    assert isinstance(error, ArchiveRefused) and error.limit == "max_ratio"
    assert str(error).startswith(f"{SHEET} is compressed more than 100 to 1 (max_ratio)")


def test_a_member_over_its_declared_size_is_stopped_while_unpacking():
    bomb = blank_rows_bomb(50)
    lying = declare_size(bomb, SHEET, 4096)  # a small, believable size: the declared checks pass
    assert zipfile.ZipFile(io.BytesIO(lying)).getinfo(SHEET).file_size == 4096
    error = refusal(lying)
    assert isinstance(error, ArchiveRefused) and error.limit == "declared_size"
    assert str(error) == f"{SHEET} unpacks to more than the 4096 bytes it declares (a forged size, refused)"


def test_declared_sizes_over_the_limits_are_refused_without_unpacking():
    content = with_sheet(sheet(data_row(2)))
    big = declare_size(content, SHEET, 200 * 1024 * 1024)
    error = refusal(big, Limits(max_ratio=10**9))
    assert error.limit == "max_member_bytes" and "unpacks to more than 128 MiB (max_member_bytes)" in str(error)
    limits = Limits(max_member_bytes=20_000, max_total_bytes=30_000, max_ratio=10**9)
    parts = {f"xl/media/part{i}.xml": b"<a/>" * 2250 for i in range(3)}  # 9,000 bytes each: under the member limit
    error = refusal(with_sheet(sheet(data_row(2)), extra=parts), limits)
    assert error.limit == "max_total_bytes" and str(error) == (
        "the archive unpacks to more than 29.3 KiB (max_total_bytes)"
    )


def test_actual_bytes_are_counted_against_the_limits_too():
    """A member under every declared limit whose real content is over one: counted while unpacking."""
    content = with_sheet(sheet(*(data_row(n) for n in range(2, 200))))
    size = zipfile.ZipFile(io.BytesIO(content)).getinfo(SHEET).file_size
    limits = Limits(max_member_bytes=size - 1, max_ratio=10**9)
    assert refusal(declare_size(content, SHEET, size - 100), limits).limit == "declared_size"
    error = refusal(content, Limits(max_member_bytes=size + 10, max_total_bytes=size, max_ratio=10**9))
    assert error.limit == "max_total_bytes"


def test_too_many_members_and_too_large_a_file():
    parts = {f"xl/media/image{i}.png": b"x" for i in range(30)}
    error = refusal(with_sheet(sheet(data_row(2)), extra=parts), Limits(max_members=20))
    assert error.limit == "max_members" and str(error) == "the archive holds more than 20 files (max_members)"
    error = refusal(workbook(), Limits(max_file_bytes=1000))
    assert error.limit == "max_file_bytes" and str(error) == "the file is larger than 1000 bytes (max_file_bytes)"


def test_not_a_zip_is_not_readable():
    error = refusal(b"PK\x03\x04 this is not really a workbook")
    assert not isinstance(error, ArchiveRefused) and str(error).startswith("not a readable .xlsx workbook")


def test_a_huge_cell_is_refused_by_the_member_limit_and_a_long_one_by_the_cell_limit():
    huge = huge_cell(140, HEADER)
    assert len(huge) < 1024 * 1024
    error = refusal(huge, Limits(max_ratio=10**9))  # past the ratio check: the size check is what stops it
    assert error.limit == "max_member_bytes"
    long_cell = with_sheet(sheet(data_row(2), data_row(3, note="长" * 1001)))
    error = refusal(long_cell)
    assert str(error) == "row 3, column note: a cell longer than 1000 characters (max_cell_chars)"
    assert len(list(read_sheet(long_cell, COLUMNS, 10, limits=Limits(max_cell_chars=1001)))) == 2


def test_rows_over_the_cap_are_refused_naming_the_row_and_the_limit():
    content = workbook([(f"o{i}", 1, None) for i in range(6)])
    assert len(list(read_sheet(content, COLUMNS, 6))) == 6
    assert str(refusal(content, max_rows=5)) == "row 7: more than 5 rows; split the file"


def test_blank_rows_are_free_up_to_a_limit_and_a_claimed_million_rows_costs_nothing():
    gap = [f'<row r="{n}"/>'.encode() for n in range(3, 50)]
    content = with_sheet(sheet(data_row(2), *gap, data_row(50)))
    assert [r.number for r in read_sheet(content, COLUMNS, 10)] == [2, 50]
    error = refusal(content, Limits(max_blank_rows=20))
    assert str(error) == "row 23: more than 20 blank rows (max_blank_rows); delete the empty rows below the data"
    # the dimension an outsider wrote is ignored: no padding to 16,384 columns or 1,048,576 rows
    claimed = with_sheet(sheet(data_row(2), data_row(3), dimension="A1:XFD1048576"))
    rows = list(read_sheet(claimed, COLUMNS, 10))
    assert [len(r.values) for r in rows] == [3, 3]
    # a last row at 1,048,576 would make openpyxl fill every row before it: stopped at the blank-rows limit
    far = with_sheet(sheet(data_row(2), data_row(1048576)))
    assert str(refusal(far, Limits(max_blank_rows=1000))).startswith("row 1003: more than 1000 blank rows")


def test_a_cell_far_to_the_right_does_not_widen_the_rows():
    wide = with_sheet(sheet(*(data_row(n)[:-6] + f'<c r="XFD{n}"><v>1</v></c></row>'.encode() for n in range(2, 5))))
    assert [len(r.values) for r in read_sheet(wide, COLUMNS, 10)] == [3, 3, 3]


def test_limits_come_from_the_spreadsheets_settings():
    limits = Limits.from_config({"SPREADSHEETS": {"max_cell_chars": 200, "max_member_bytes": 1024}})
    assert limits.max_cell_chars == 200 and limits.max_member_bytes == 1024
    assert limits.max_ratio == DEFAULT_LIMITS.max_ratio
    with pytest.raises(ValueError, match="SPREADSHEETS.max_ratio must be positive"):
        Limits.from_config({"SPREADSHEETS": {"max_ratio": 0}})


def test_reading_pauses_for_other_green_threads():
    pauses = []
    content = workbook([(f"o{i}", 1, None) for i in range(1200)])
    rows = list(read_sheet(content, COLUMNS, 2000, pause=lambda: pauses.append(1)))
    assert len(rows) == 1200 and len(pauses) >= 2


def test_long_work_hides_live_objects_from_the_collector_and_gives_them_back():
    with long_work():
        kept = [[i] for i in range(1000)]  # tracked objects, alive at the pause
        cooperate()
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0
