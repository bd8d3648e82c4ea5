"""The cases import reads its .xlsx through the kernel's checked reader, with the limits of its own settings."""

from __future__ import annotations

import pytest
from enforcement_testing.xlsx_bombs import SHEET, blank_rows_bomb, huge_cell

from cases_service import spreadsheets
from enforcement_kernel.config import load_config
from enforcement_kernel.spreadsheets import DEFAULT_LIMITS, ArchiveRefused, Limits

HEADER = ("case_number", "item_code", "filed_on", "party_kind", "party_name", "officer_ids")


def test_a_bomb_is_refused_naming_the_limit_before_any_row_is_read():
    with pytest.raises(ArchiveRefused) as caught:
        spreadsheets.read_cases(blank_rows_bomb(100, HEADER), 5000)
    assert caught.value.limit == "max_ratio" and str(caught.value).startswith(f"{SHEET} is compressed more than 100")
    with pytest.raises(ArchiveRefused, match=r"unpacks to more than 1 MiB \(max_member_bytes\)"):
        spreadsheets.read_cases(huge_cell(2, HEADER), 5000, Limits(max_member_bytes=1024 * 1024))


def test_the_service_reads_its_limits_from_spreadsheets_settings(tmp_path):
    from cases_service.plugin import PLUGIN

    assert Limits.from_config(load_config("cases", default_path=PLUGIN.config_path)) == DEFAULT_LIMITS
    custom = tmp_path / "cases.yml"
    custom.write_text("SPREADSHEETS:\n  max_cell_chars: 200\n", encoding="utf-8")
    assert Limits.from_config(load_config("cases", path=custom)).max_cell_chars == 200
