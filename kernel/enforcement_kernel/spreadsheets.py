"""Reading a spreadsheet an outsider sent (.xlsx, openpyxl): the one reader every service's import uses.

It opens the workbook read-only (rows are streamed, never the whole sheet in memory), maps row 1 to field names
through each field's accepted header texts (English names or the Chinese labels county offices use; compared
case-insensitively, spaces ignored), skips blank lines, enforces the limits (rows, characters per cell) and collects
row errors as ``RowError(row, column, reason)`` with the row number the sheet shows (the header is row 1). A file
that cannot be read as a whole raises ``SpreadsheetError``. What a row means is the service's business: it gets a
``SheetRow`` per data row and turns it into its own payload.

    COLUMNS = Columns({"officer_id": ("officer_id", "人员编号"), ...}, required=("officer_id",), max_length={...})
    for row in read_sheet(content, COLUMNS, max_rows=1000):
        officer_id = row.required_text("officer_id")  # "missing" / "longer than 40 characters" become row.errors
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read (not an .xlsx, no sheet, no header, a missing column, too many rows)."""


@dataclass(frozen=True)
class RowError:
    row: int  # the sheet's row number (the header is row 1)
    column: str  # the field name (as the service's columns name it)
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


def normalise(text) -> str:
    """A header or flag as compared: no spaces, lower case."""
    return "".join(str(text).split()).lower() if text is not None else ""


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value) -> str | None:
    """A cell as stripped text; a whole number typed into a text column (an ID) loses its ``.0``; blank is None."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    stripped = str(value).strip()
    return stripped or None


def number(value) -> float:
    if isinstance(value, bool):
        raise ValueError("must be a number")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise ValueError(f"'{value}' is not a number") from None


def as_date(value, separators: str = "") -> date:
    """A date cell, or text as YYYY-MM-DD (each of ``separators`` also accepted in place of ``-``)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = str(value).strip()
    for separator in separators:
        raw = raw.replace(separator, "-")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class Columns:
    """The fields a sheet may hold: field -> accepted header texts; which are required; at most how many characters
    a field's cell may hold (longer is a row error, and the cell reads as absent)."""

    aliases: dict[str, tuple[str, ...]]
    required: tuple[str, ...] = ()
    max_length: dict[str, int] = field(default_factory=dict)

    def map_header(self, header: Iterable) -> dict[str, int]:
        """field -> column index, from row 1 (the first column naming a field wins)."""
        wanted = {normalise(alias): name for name, aliases in self.aliases.items() for alias in aliases}
        found: dict[str, int] = {}
        for index, cell in enumerate(header):
            name = wanted.get(normalise(cell))
            if name and name not in found:
                found[name] = index
        missing = [c for c in self.required if c not in found]
        if missing:
            raise SpreadsheetError(
                f"row 1 lacks the columns {', '.join(missing)} (it must name {', '.join(self.required)}); "
                f"missing: {', '.join(missing)}"
            )
        return found


@dataclass
class SheetRow:
    """One data row: its cells by field name, and the errors found reading it."""

    number: int
    values: tuple
    columns: dict[str, int]
    spec: Columns
    errors: list[RowError] = field(default_factory=list)

    def cell(self, name: str):
        index = self.columns.get(name)
        return self.values[index] if index is not None and index < len(self.values) else None

    def error(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.number, column, reason))

    def text(self, name: str) -> str | None:
        """The cell as text; longer than the field's limit is an error and reads as None."""
        value = text(self.cell(name))
        limit = self.spec.max_length.get(name)
        if value is not None and limit is not None and len(value) > limit:
            self.error(name, f"longer than {limit} characters")
            return None
        return value

    def required_text(self, name: str) -> str | None:
        """As ``text``; a blank cell is the error ``missing``."""
        if text(self.cell(name)) is None:
            self.error(name, "missing")
            return None
        return self.text(name)

    def convert(self, name: str, parse: Callable, *, required: bool = False):
        """``parse(cell)`` of a non-blank cell; a ``ValueError`` becomes this row's error; blank is None (or
        ``missing`` when required)."""
        raw = self.cell(name)
        if blank(raw):
            if required:
                self.error(name, "missing")
            return None
        try:
            return parse(raw)
        except ValueError as exc:
            self.error(name, str(exc))
            return None


def read_sheet(
    content: bytes,
    columns: Columns,
    max_rows: int,
    progress: Callable[[int, int | None], None] | None = None,
) -> Iterator[SheetRow]:
    """Each non-blank data row of the first sheet, streamed.

    Raises ``SpreadsheetError`` when the file is not an .xlsx, has no sheet or header row, lacks a required column,
    has more than ``max_rows`` rows or cannot be read past some row. ``progress(rows_read, total_or_None)`` is called
    every 1,000 rows and at the end.
    """
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # not a zip, missing parts, broken XML: openpyxl raises many types
        raise SpreadsheetError(f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        if not book.worksheets:
            raise SpreadsheetError("the workbook has no sheet")
        sheet = book.worksheets[0]
        total = (sheet.max_row - 1) if sheet.max_row else None
        rows_iter = sheet.iter_rows(values_only=True)
        try:
            header = next(rows_iter)
        except StopIteration:
            raise SpreadsheetError("the sheet is empty: row 1 must hold the column names") from None
        mapping = columns.map_header(header)
        count = 0
        for number, values in _numbered(rows_iter):
            if values is None or all(blank(v) for v in values):
                continue  # blank lines between blocks are common in hand-made sheets
            if count >= max_rows:
                raise SpreadsheetError(f"more than {max_rows} rows; split the file")
            count += 1
            yield SheetRow(number, values, mapping, columns)
            if progress and count % 1000 == 0:
                progress(count, total)
        if progress:
            progress(count, total)
    finally:
        book.close()


def _numbered(rows_iter) -> Iterator[tuple[int, tuple]]:
    """(sheet row number, values) from row 2 on; a corrupt sheet part that surfaces while streaming is a
    ``SpreadsheetError`` naming the last row read."""
    number = 1
    while True:
        try:
            values = next(rows_iter)
        except StopIteration:
            return
        except Exception as exc:
            raise SpreadsheetError(f"the sheet cannot be read past row {number} ({type(exc).__name__})") from None
        number += 1
        yield number, values


def write_table(title: str, headers: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    """A one-sheet workbook (streamed with ``write_only``, so large tables stay small in memory)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
