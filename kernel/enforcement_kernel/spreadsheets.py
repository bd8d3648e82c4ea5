"""Reading a spreadsheet an outsider sent (.xlsx, openpyxl): the one reader every service's import uses.

It opens the workbook read-only (rows are streamed, never the whole sheet in memory), maps row 1 to field names
through each field's accepted header texts (English names or the Chinese labels county offices use; compared
case-insensitively, spaces ignored), skips blank lines, enforces the limits (rows, characters per cell) and collects
row errors as ``RowError(row, column, reason)`` with the row number the sheet shows (the header is row 1). A file
that cannot be read as a whole raises ``SpreadsheetError``.

An .xlsx is a zip archive an outsider built: before openpyxl sees it, ``check_archive`` refuses too many members,
members or a total whose declared unpacked size is over the limits, a compression ratio beyond a normal sheet's, and
unpacks every member once (streamed, nothing kept) counting the bytes it really yields, so a member that lies about
its size is stopped at the limit (``ArchiveRefused`` names the limit). The limits (``Limits``) are the service's
``SPREADSHEETS`` settings. Rows are streamed with caps on data rows, blank rows, columns and characters per cell;
every few hundred rows the reader lets other green threads run (health probes, heartbeats, SIGTERM).

What a row means is the service's business: it gets a ``SheetRow`` per data row and turns it into its own payload.

    COLUMNS = Columns({"officer_id": ("officer_id", "人员编号"), ...}, required=("officer_id",), max_length={...})
    for row in read_sheet(content, COLUMNS, max_rows=1000):
        officer_id = row.required_text("officer_id")  # "missing" / "longer than 40 characters" become row.errors
"""

from __future__ import annotations

import gc
import io
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, datetime

from .config import setting


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read (not an .xlsx, no sheet, no header, a missing column, too many rows)."""


class ArchiveRefused(SpreadsheetError):
    """The archive is over one of the ``Limits`` (``limit`` names the setting); nothing was parsed."""

    def __init__(self, message: str, limit: str):
        super().__init__(message)
        self.limit = limit


@dataclass(frozen=True)
class Limits:
    """What an uploaded .xlsx may be (the ``SPREADSHEETS`` settings). A 200,000-row attendance sheet written by
    openpyxl is 4.7 MB holding one 46 MB sheet part (ratio 9.7); Excel's own files are smaller."""

    max_file_bytes: int = 20 * 1024 * 1024  # the zip as sent (the gateway's GATEWAY.max_upload_bytes)
    max_members: int = 200  # files inside the zip (a workbook has about ten)
    max_member_bytes: int = 128 * 1024 * 1024  # one member unpacked (declared, then counted)
    max_total_bytes: int = 256 * 1024 * 1024  # every member unpacked (declared, then counted)
    max_ratio: int = 100  # unpacked / packed size of a member of at least ratio_from_bytes
    ratio_from_bytes: int = 1024 * 1024  # small parts (styles, themes) compress well and are cheap anyway
    max_cell_chars: int = 1000  # characters in one cell
    max_columns: int = 100  # columns read from each row (the header's width, at most this)
    max_blank_rows: int = 10000  # blank rows in a sheet (between blocks or after the last row) before it is refused

    @classmethod
    def from_config(cls, config: dict) -> Limits:
        """``SPREADSHEETS.<field>`` of a service's config; a missing one keeps its default."""
        values = {f.name: int(setting(config, f"SPREADSHEETS.{f.name}", f.default)) for f in fields(cls)}
        for name, value in values.items():
            if value < 1:
                raise ValueError(f"SPREADSHEETS.{name} must be positive")
        return cls(**values)


DEFAULT_LIMITS = Limits()
_CHUNK = 64 * 1024  # packed bytes fed to the decompressor at a time
_PAUSE_EVERY = 500  # rows read between two pauses for other green threads
_PAUSE_BYTES = 4 * 1024 * 1024  # bytes unpacked between two pauses


def cooperate() -> None:
    """Let other green threads run when the process uses eventlet (a service); nothing in a plain process (the CLI).

    Parsing is CPU work that never waits: without this a 200,000-row sheet holds eventlet's hub for a minute, and
    the health probe, the broker heartbeats and a SIGTERM all wait for it. Inside ``long_work`` it also hides what
    is alive from the garbage collector (below)."""
    if _long_work:
        gc.freeze()
    eventlet = sys.modules.get("eventlet")
    if eventlet is not None:
        eventlet.sleep(0)


def cooperate_while_writing(session):
    """The pause for a loop inside a write transaction: ``cooperate``, but nothing on SQLite. There the transaction
    holds the database's one write lock from its first write to the commit, and a green thread that tried to write
    meanwhile (the outbox relay) would wait in SQLite's busy handler, which blocks the whole process, this
    transaction included, until the busy timeout."""
    return cooperate if session.get_bind().dialect.name != "sqlite" else _no_pause


def _no_pause() -> None:
    pass


_long_work = 0


@contextmanager
def long_work():
    """Around work that keeps hundreds of thousands of objects alive (an import's rows): each full collection of
    Python's garbage collector scans every live object, a pause of up to a second (measured: 1.1 s with 200,000
    rows) that no ``cooperate`` can break. Inside, each ``cooperate`` moves the objects alive at that moment out of
    the collector's sight (``gc.freeze``, cheap); the last ``long_work`` to end gives them back. Only cyclic garbage
    waits meanwhile: reference counting frees everything else as usual."""
    global _long_work
    _long_work += 1
    try:
        yield
    finally:
        _long_work -= 1
        if not _long_work:
            gc.unfreeze()


def _size(count: int) -> str:
    """Bytes as people read them: 128 MiB, 20 MiB, 900 KiB."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size:
            return f"{count / size:.0f} {unit}" if count % size == 0 else f"{count / size:.1f} {unit}"
    return f"{count} bytes"


def check_archive(content: bytes, limits: Limits = DEFAULT_LIMITS, pause: Callable[[], None] = cooperate) -> None:
    """Refuse an archive that would unpack to more than ``limits`` allow, before anything parses it.

    First what the central directory declares (members, each member's and the total unpacked size, the ratio), then
    every member is unpacked once, streamed and thrown away, counting the bytes it really yields: a member that
    yields more than it declares is refused as soon as it does (Python's zipfile would cut it at its declared size
    and fail on the checksum; the limits must not depend on that). Raises ``ArchiveRefused`` (over a limit) or
    ``SpreadsheetError`` (not a zip)."""
    if len(content) > limits.max_file_bytes:
        raise ArchiveRefused(
            f"the file is larger than {_size(limits.max_file_bytes)} (max_file_bytes)", "max_file_bytes"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise SpreadsheetError(f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    _check_declared(members, limits)
    total = 0
    for member in members:
        total += _unpacked_size(content, member, limits, total, pause)


def _check_declared(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(members) > limits.max_members:
        raise ArchiveRefused(f"the archive holds more than {limits.max_members} files (max_members)", "max_members")
    total = 0
    for member in members:
        if member.file_size > limits.max_member_bytes:
            raise ArchiveRefused(
                f"{_name(member)} unpacks to more than {_size(limits.max_member_bytes)} (max_member_bytes)",
                "max_member_bytes",
            )
        if member.file_size >= limits.ratio_from_bytes and member.file_size > limits.max_ratio * max(
            member.compress_size, 1
        ):
            raise ArchiveRefused(
                f"{_name(member)} is compressed more than {limits.max_ratio} to 1 (max_ratio): "
                "a sheet of data does not pack that tightly",
                "max_ratio",
            )
        total += member.file_size
        if total > limits.max_total_bytes:
            raise ArchiveRefused(
                f"the archive unpacks to more than {_size(limits.max_total_bytes)} (max_total_bytes)",
                "max_total_bytes",
            )


def _name(member: zipfile.ZipInfo) -> str:
    """A member's name as a message may show it (an outsider chose it)."""
    return "".join(c for c in member.filename[:80] if c.isprintable()) or "a member"


def _unpacked_size(content: bytes, member: zipfile.ZipInfo, limits: Limits, before: int, pause) -> int:
    """The bytes ``member`` really unpacks to, refused as soon as they pass its declared size or a limit."""
    start = _data_offset(content, member)
    packed = memoryview(content)[start : start + member.compress_size]
    if member.compress_type == zipfile.ZIP_STORED:
        chunks: Iterator[bytes] = (bytes(packed[i : i + _CHUNK]) for i in range(0, len(packed), _CHUNK))
    elif member.compress_type == zipfile.ZIP_DEFLATED:
        chunks = _inflate(packed)
    else:
        raise SpreadsheetError(f"not a readable .xlsx workbook ({_name(member)} is not compressed with deflate)")
    allowed = min(member.file_size, limits.max_member_bytes, limits.max_total_bytes - before)
    count = paused_at = 0
    for chunk in chunks:
        count += len(chunk)
        if count > allowed:
            if count > member.file_size:
                raise ArchiveRefused(
                    f"{_name(member)} unpacks to more than the {member.file_size} bytes it declares "
                    "(a forged size, refused)",
                    "declared_size",
                )
            limit = "max_member_bytes" if allowed == limits.max_member_bytes else "max_total_bytes"
            raise ArchiveRefused(f"the archive unpacks to more than {_size(getattr(limits, limit))} ({limit})", limit)
        if count - paused_at >= _PAUSE_BYTES:
            paused_at = count
            pause()
    return count


def _inflate(packed: memoryview) -> Iterator[bytes]:
    """Raw deflate, at most 1 MiB of output per step whatever the input (a bomb never lands in memory at once)."""
    inflater = zlib.decompressobj(-15)
    try:
        for i in range(0, len(packed), _CHUNK):
            data = bytes(packed[i : i + _CHUNK])
            while data:
                yield inflater.decompress(data, 1024 * 1024)
                data = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error:
        raise SpreadsheetError("not a readable .xlsx workbook (a member is corrupt)") from None


def _data_offset(content: bytes, member: zipfile.ZipInfo) -> int:
    """Where a member's packed bytes start: after its local header (whose name and extra lengths may differ from
    the central directory's)."""
    header = content[member.header_offset : member.header_offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise SpreadsheetError("not a readable .xlsx workbook (BadZipFile)")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    return member.header_offset + 30 + name_length + extra_length


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
    limits: Limits = DEFAULT_LIMITS,
    pause: Callable[[], None] = cooperate,
) -> Iterator[SheetRow]:
    """Each non-blank data row of the first sheet, streamed (one row in memory at a time).

    Raises ``ArchiveRefused`` when the archive is over ``limits`` (checked before openpyxl opens it), and
    ``SpreadsheetError`` when the file is not an .xlsx, has no sheet or header row, lacks a required column, has more
    than ``max_rows`` data rows or ``limits.max_blank_rows`` blank ones, a cell longer than ``limits.max_cell_chars``,
    or cannot be read past some row. ``progress(rows_read, None)`` is called every 1,000 rows and at the end (the
    total is unknown: the sheet's own ``dimension`` is what an outsider wrote, so it is not used); ``pause()`` every
    few hundred rows lets other green threads run.
    """
    check_archive(content, limits, pause)
    try:
        book = _open_workbook(content, limits, pause)
    except SpreadsheetError:
        raise
    except Exception as exc:  # not a zip, missing parts, broken XML: openpyxl raises many types
        raise SpreadsheetError(f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        if not book.worksheets:
            raise SpreadsheetError("the workbook has no sheet")
        sheet = book.worksheets[0]
        header = _header(sheet, limits)
        mapping = columns.map_header(header)
        names = {index: name for name, index in mapping.items()}
        width = max(index for index, cell in enumerate(header) if not blank(cell)) + 1
        rows_iter = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
        count = blanks = 0
        for number, values in _numbered(rows_iter):
            if number % _PAUSE_EVERY == 0:
                pause()
            if all(blank(v) for v in values):
                blanks += 1  # blank lines between blocks are common in hand-made sheets; a million are an attack
                if blanks > limits.max_blank_rows:
                    raise SpreadsheetError(
                        f"row {number}: more than {limits.max_blank_rows} blank rows (max_blank_rows); "
                        "delete the empty rows below the data"
                    )
                continue
            if count >= max_rows:
                raise SpreadsheetError(f"row {number}: more than {max_rows} rows; split the file")
            _check_cells(number, values, names, limits)
            count += 1
            yield SheetRow(number, values, mapping, columns)
            if progress and count % 1000 == 0:
                progress(count, None)
        if progress:
            progress(count, None)
    finally:
        book.close()


def _open_workbook(content: bytes, limits: Limits, pause: Callable[[], None]):
    """openpyxl's read-only workbook with its first sheet only, reading through ``_MeteredZip``, and without the size
    scan: openpyxl sizes a read-only sheet from its ``<dimension>`` element and, when there is none (openpyxl's own
    write-only files have none), parses the whole sheet once to look for it, in one go, before the first row (7 s of
    a 200,000-row sheet with no pause). The declared dimension is not wanted anyway: A1:XFD1048576 costs an attacker
    30 bytes and would pad every row to 16,384 cells and the sheet to 1,048,576 rows."""
    reader = _reader_class()(io.BytesIO(content), read_only=True, data_only=True)
    reader.archive = _MeteredZip(io.BytesIO(content), limits, pause)
    reader.valid_files = reader.archive.namelist()
    reader.read()
    return reader.wb


_READER = None


def _reader_class():
    """The ``ExcelReader`` subclass (built on first use: openpyxl is imported only by services that read sheets)."""
    global _READER
    if _READER is None:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.worksheet._read_only import ReadOnlyWorksheet

        class UnsizedSheet(ReadOnlyWorksheet):
            def _get_size(self):  # no dimension: each row as long as its last cell, the sheet as long as its rows
                pass

        class FirstSheetReader(ExcelReader):
            def read_worksheets(self):
                for sheet, rel in self.parser.find_sheets():
                    if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                        self.wb._sheets.append(UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings))
                        return

        _READER = FirstSheetReader
    return _READER


class _MeteredZip(zipfile.ZipFile):
    """The archive as openpyxl reads it: every member stream counts what it yields against the member limit (the
    bytes were counted once before parsing; this keeps the parse itself bounded) and pauses every 256 KiB."""

    def __init__(self, file, limits: Limits, pause: Callable[[], None]):
        super().__init__(file)
        self.limits, self.pause = limits, pause

    def open(self, name, mode="r", pwd=None, **kwargs):
        stream = super().open(name, mode, pwd, **kwargs)
        return _MeteredStream(stream, self.limits.max_member_bytes, self.pause) if mode == "r" else stream


class _MeteredStream(io.RawIOBase):
    def __init__(self, stream, limit: int, pause: Callable[[], None]):
        self.stream, self.limit, self.pause = stream, limit, pause
        self.count = self.since_pause = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(min(len(buffer), _CHUNK))
        self.count += len(data)
        if self.count > self.limit:
            raise ArchiveRefused(
                f"the archive unpacks to more than {_size(self.limit)} (max_member_bytes)", "max_member_bytes"
            )
        self.since_pause += len(data)
        if self.since_pause >= 256 * 1024:
            self.since_pause = 0
            self.pause()
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.stream.close()
        super().close()


def _header(sheet, limits: Limits) -> tuple:
    """Row 1, at most ``limits.max_columns`` cells; an empty sheet or header is a ``SpreadsheetError``."""
    first = sheet.iter_rows(min_row=1, max_row=1, max_col=limits.max_columns, values_only=True)
    try:
        header = next(_numbered(first, start=0), (1, ()))[1]
    finally:
        first.close()
    if all(blank(cell) for cell in header):
        raise SpreadsheetError("the sheet is empty: row 1 must hold the column names")
    _check_cells(1, header, {}, limits)
    return header


def _check_cells(number: int, values: tuple, names: dict[int, str], limits: Limits) -> None:
    """A cell longer than ``limits.max_cell_chars`` refuses the file, naming its row and column."""
    for index, value in enumerate(values):
        if isinstance(value, str) and len(value) > limits.max_cell_chars:
            from openpyxl.utils import get_column_letter

            column = names.get(index) or get_column_letter(index + 1)
            raise SpreadsheetError(
                f"row {number}, column {column}: a cell longer than {limits.max_cell_chars} characters (max_cell_chars)"
            )


def _numbered(rows_iter, start: int = 1) -> Iterator[tuple[int, tuple]]:
    """(sheet row number, values) from row ``start + 1`` on; a corrupt sheet part that surfaces while streaming is
    a ``SpreadsheetError`` naming the last row read."""
    number = start
    while True:
        try:
            values = next(rows_iter)
        except StopIteration:
            return
        except Exception as exc:
            raise SpreadsheetError(f"the sheet cannot be read past row {number} ({type(exc).__name__})") from None
        number += 1
        yield number, values


def safe_cell(value, sheet=None):
    """A stored value as an export may write it: text loses the control characters XML cannot hold (openpyxl
    refuses them, which failed a whole export for one bad name); with the ``sheet``, text that starts with ``=`` is
    written as text, never as a formula (a name like ``=HYPERLINK(...)`` must not run in the reader's Excel);
    other values are unchanged."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if sheet is not None and value.startswith("="):
        from openpyxl.cell import Cell, WriteOnlyCell

        cell = (WriteOnlyCell if getattr(sheet.parent, "write_only", False) else Cell)(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def safe_row(values: Iterable, sheet=None) -> list:
    return [safe_cell(value, sheet) for value in values]


def write_table(title: str, headers: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    """A one-sheet workbook (streamed with ``write_only``, so large tables stay small in memory)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(safe_cell(title[:31]))
    sheet.append(safe_row(headers, sheet))
    for row in rows:
        sheet.append(safe_row(row, sheet))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
