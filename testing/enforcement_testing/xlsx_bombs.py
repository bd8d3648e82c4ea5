"""Hostile .xlsx files for the upload tests and the import benchmark, built with ``zipfile`` from a real workbook.

``blank_rows_bomb(300)``: a sheet of 330 MB of blank rows packed into about 330 KB; ``huge_cell(140)``: one cell of
140 MiB; ``declare_size(content, SHEET, 4096)``: the archive with a member whose central directory lies about its
size; ``with_sheet(xml)``: any sheet part in an otherwise normal workbook.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable

SHEET = "xl/worksheets/sheet1.xml"
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
TAIL = b"</sheetData></worksheet>"


def inline_row(number: int, *values) -> bytes:
    """A row of inline-string and number cells (None leaves a cell out)."""
    cells = []
    for index, value in enumerate(values):
        ref = f"{chr(ord('A') + index)}{number}"
        if isinstance(value, int | float) and not isinstance(value, bool):
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        elif value is not None:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'.encode()


def sheet_xml(header: Iterable[str], *rows: bytes, dimension: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return HEAD + dim + b"<sheetData>" + inline_row(1, *header) + b"".join(rows) + TAIL


def with_sheet(
    sheet: bytes | None = None, *, chunks: Iterable[bytes] | None = None, extra: dict | None = None
) -> bytes:
    """A real workbook (openpyxl's) whose sheet part is ``sheet`` or ``chunks`` streamed into the zip (so hundreds of
    MB never sit in memory), plus ``extra`` members."""
    from openpyxl import Workbook

    book, buffer = Workbook(write_only=True), io.BytesIO()
    book.create_sheet("sheet").append(["x"])
    book.save(buffer)
    original = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in original.infolist():
            if member.filename != SHEET:
                archive.writestr(member, original.read(member))
        if chunks is None:
            archive.writestr(SHEET, sheet)
        else:
            with archive.open(SHEET, "w") as target:
                for chunk in chunks:
                    target.write(chunk)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def blank_rows_bomb(megabytes: int, header: Iterable[str] = ("officer_id", "session_id", "hours")) -> bytes:
    """A sheet that unpacks to about ``megabytes`` × 1.1 MB of blank rows (``<row></row>`` again and again)."""
    run = b"<row></row>" * 100_000
    return with_sheet(chunks=[HEAD + b"<sheetData>" + inline_row(1, *header), *([run] * megabytes), TAIL])


def huge_cell(mebibytes: int, header: Iterable[str] = ("officer_id", "session_id", "hours")) -> bytes:
    """One cell of ``mebibytes`` MiB of text in row 2."""
    start = HEAD + b"<sheetData>" + inline_row(1, *header) + b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
    return with_sheet(chunks=[start, *([b"x" * (1 << 20)] * mebibytes), b"</t></is></c></row>" + TAIL])


def declare_size(content: bytes, name: str, size: int) -> bytes:
    """The archive with ``name``'s uncompressed size in the central directory (and local header) set to ``size``."""
    data = bytearray(content)
    member = zipfile.ZipFile(io.BytesIO(content)).getinfo(name)
    end = data.rfind(b"PK\x05\x06")
    offset = struct.unpack("<I", data[end + 16 : end + 20])[0]
    while data[offset : offset + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack("<HHH", data[offset + 28 : offset + 34])
        if data[offset + 46 : offset + 46 + name_length].decode() == name:
            data[offset + 24 : offset + 28] = struct.pack("<I", size)
        offset += 46 + name_length + extra_length + comment_length
    if not member.flag_bits & 0x08:  # no data descriptor: the local header carries the size too
        data[member.header_offset + 22 : member.header_offset + 26] = struct.pack("<I", size)
    return bytes(data)
