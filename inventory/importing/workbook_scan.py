"""Look inside an .xlsx zip before a reader parses it: refuse what no workbook is (thousands
of parts, unpacking to more than 500 MB), and say whether calamine may read the sheet.

calamine (Rust) reads a sheet about ten times faster than openpyxl (docs/import.md, Speed),
but it keeps the whole sheet in one rectangle of cells (32 bytes each, empty or not) and
says less than openpyxl about odd cells. The scan finds, in one streaming pass over the
sheet's XML, what calamine would read differently from openpyxl, and names it; the reader
then uses openpyxl for that workbook:

- no `[Content_Types].xml`: openpyxl refuses such a package, calamine reads it;
- a DTD (`<!DOCTYPE`, `<!ENTITY`) in any part: calamine ignores it, openpyxl parses through
  defusedxml and refuses entity declarations, as before;
- error cells (`#N/A`, `#DIV/0!`): calamine reads them as empty cells;
- number cells whose text is no finite double (`NaN`, `1E+400`) or an integer beyond 15
  digits (calamine rounds it), shared-string indexes that are no number (calamine reads
  string 0), booleans other than 0/1, ISO-date cells;
- date-formatted numbers outside the dates Python holds (calamine returns the bare number
  or midnight where openpyxl warns and reads `#VALUE!`);
- cells whose position the scan cannot bound cheaply (no `r` attribute first, comments or
  CDATA among the cells) or whose rectangle would exceed MAX_CELLS: calamine would allocate
  it whole, and a sheet with one cell in A1 and one in XFD1048576 aborts the process.

The sizes a zip's directory claims are the writer's word: members are inflated here from
their compressed bytes, so the 500 MB cap holds whatever the directory says. Whatever
calamine itself fails on, the reader also hands to openpyxl, which reads it or names the row
or XML line at fault.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from zipfile import ZIP_DEFLATED, ZIP_STORED, BadZipFile, ZipFile, ZipInfo

from defusedxml import ElementTree

from inventory.errors import IctrError

# A workbook has a few dozen parts; each one costs a directory entry to look at.
MAX_PARTS = 10_000
# What all parts together may unpack to: a 100,000-row sheet is about 80 MB of XML.
MAX_XML_BYTES = 500 * 2**20
# The largest rectangle of cells calamine may be given (32 bytes each, 830 MB): references
# up to row 999,999 and column Z. A sheet that may be larger is read by openpyxl, row by row.
MAX_CELLS = 26_000_000
CHUNK = 8 * 2**20

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELATIONS = "xl/_rels/workbook.xml.rels"
STYLES = "xl/styles.xml"
DOC_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# Excel's built-in number formats that show dates or times (ids 27-36 and 50-58 are East
# Asian date formats; counting them as dates can only send a workbook to openpyxl).
BUILTIN_DATE_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
# Day 2,958,466 is 10000-01-01: Python's dates stop the day before.
DATE_SERIAL_LIMIT = 2_958_466
DAYS_1900_TO_1904 = 1462

# A value that is not plain digits and dots, or has 7 digits or more: the only ones that can
# be out-of-range dates, unreadable numbers or no shared-string index.
_ODD_VALUE = re.compile(rb"<v>([^<]*?[^0-9.<][^<]*|[0-9]{7}[^<]*)</v>")
_ATTRIBUTE = re.compile(rb"""\s(t|s)\s*=\s*["']([^"']*)["']""")
_PLAIN_NUMBER = re.compile(rb"-?[0-9]+")
# Capital letters folded to "A", digits to "0", quotes to '"': `<c r="XFD1048576"` becomes
# `<c r="AAA0000000"`, whose lengths bound the cell rectangle calamine allocates.
_FOLD = bytes.maketrans(b"BCDEFGHIJKLMNOPQRSTUVWXYZ123456789'", b"A" * 25 + b"0" * 9 + b'"')


@dataclass
class _SheetFindings:
    obstacle: str | None = None
    cells: int = 0  # `<c` tags (an upper bound)
    capital_r: int = 0  # `<c r="` and a capital: the reference first, as every writer puts it
    letters: int = 0  # the most letters of a cell reference
    digits: int = 0  # the most digits before a quote (row references, and a few others)
    max_column: int = 0  # exactly, when references have two letters or more

    def note(self, reason: str) -> None:
        self.obstacle = self.obstacle or reason


def calamine_obstacle(path: Path, sheet: str | None) -> str | None:
    """Why calamine may not read `sheet` (the first worksheet when None) of the workbook at
    `path`, or None when it may. Raises IctrError for a zip no reader should unpack, and
    BadZipFile or zlib.error for a damaged one."""
    with path.open("rb") as handle, ZipFile(handle) as archive:
        members = archive.infolist()
        if len(members) > MAX_PARTS:
            raise IctrError(
                f"{path.name}: the workbook has {len(members):,} parts (a workbook has a few "
                f"dozen); refused"
            )
        budget = _Budget(path.name)
        # Every part, not only those named .xml: a reader may find its XML under any name.
        parts = {m.filename: m for m in members}
        if any(m.compress_type not in (ZIP_STORED, ZIP_DEFLATED) for m in parts.values()):
            # openpyxl reads through zipfile, which stops at the sizes the directory claims.
            budget.spend(sum(m.file_size for m in parts.values()))
            return "a part compressed otherwise than Excel does"
        xml = {
            name: _read_part(handle, parts[name], budget)
            for name in (WORKBOOK, WORKBOOK_RELATIONS, STYLES)
            if name in parts
        }
        obstacle = next((f"{n} has a DTD" for n, x in xml.items() if _declares_dtd([x])), None)
        if "[Content_Types].xml" not in parts:
            obstacle = obstacle or "no [Content_Types].xml (openpyxl refuses such a package)"
        sheet_part, date1904, reason = _locate_sheet(xml, parts, sheet)
        obstacle = obstacle or reason
        date_styles = _date_styles(xml[STYLES]) if STYLES in xml and not obstacle else set()
        for name, member in parts.items():
            # Every part is inflated, whatever was found before: the cap holds for all.
            if name == sheet_part:
                found = _scan_sheet(handle, member, budget, date_styles, date1904)
            elif name not in xml and _declares_dtd(_inflate(handle, member, budget)):
                found = f"{name} has a DTD"
            else:
                continue
            obstacle = obstacle or found
        return obstacle


class _Budget:
    """The bytes all parts may still unpack to."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.left = MAX_XML_BYTES

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise IctrError(
                f"{self.name}: the workbook unpacks to more than "
                f"{MAX_XML_BYTES // 2**20} MB (a zip bomb?); refused"
            )


def _inflate(handle: BinaryIO, member: ZipInfo, budget: _Budget) -> Iterator[bytes]:
    """The member's bytes in chunks, inflated from its compressed data (zipfile would stop at
    the size the directory claims; calamine's zip reader inflates to the stream's end)."""
    handle.seek(member.header_offset)
    local = handle.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise BadZipFile(f"bad local header for {member.filename!r}")
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    handle.seek(member.header_offset + 30 + name_length + extra_length)
    left = member.compress_size
    inflater = zlib.decompressobj(-15) if member.compress_type == ZIP_DEFLATED else None
    while left > 0:
        raw = handle.read(min(CHUNK, left))
        if not raw:
            raise BadZipFile(f"{member.filename!r} is cut short")
        left -= len(raw)
        if inflater is None:
            budget.spend(len(raw))
            yield raw
            continue
        data = inflater.decompress(raw, CHUNK)
        while data:
            budget.spend(len(data))
            yield data
            if inflater.eof or not inflater.unconsumed_tail:
                break
            data = inflater.decompress(inflater.unconsumed_tail, CHUNK)
        if inflater.eof:
            break
    if inflater is not None:
        data = inflater.flush()
        budget.spend(len(data))
        if data:
            yield data


def _read_part(handle: BinaryIO, member: ZipInfo, budget: _Budget) -> bytes:
    return b"".join(_inflate(handle, member, budget))


def _declares_dtd(chunks: Iterable[bytes]) -> bool:
    found = False
    tail = b""
    for chunk in chunks:
        window = tail + chunk
        found = found or b"<!DOCTYPE" in window or b"<!ENTITY" in window
        tail = chunk[-8:]
    return found


def _locate_sheet(
    xml: dict[str, bytes], parts: dict[str, ZipInfo], sheet: str | None
) -> tuple[str | None, bool, str | None]:
    """The zip path of the sheet to read, whether dates count from 1904, and why calamine may
    not read it (None: it may)."""
    if WORKBOOK not in xml or WORKBOOK_RELATIONS not in xml:
        return None, False, "no xl/workbook.xml or its relationships"
    try:
        book = ElementTree.fromstring(xml[WORKBOOK])
        rels = ElementTree.fromstring(xml[WORKBOOK_RELATIONS])
    except Exception:  # noqa: BLE001 - openpyxl will name what is wrong
        return None, False, "unreadable workbook XML"
    properties = book.find(f"{MAIN}workbookPr")
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    targets = {
        r.get("Id"): (r.get("Target") or "", r.get("Type") or "")
        for r in rels.iter(f"{RELATIONSHIPS}Relationship")
    }
    for entry in book.iter(f"{MAIN}sheet"):
        target, kind = targets.get(entry.get(DOC_RELATIONSHIP), ("", ""))
        if not kind.endswith("/worksheet"):
            continue
        if sheet is None or entry.get("name") == sheet:
            if target.startswith("/"):
                part = target.lstrip("/")
            else:
                part = posixpath.normpath(posixpath.join("xl", target))
            if part not in parts:
                return None, date1904, f"no part {part}"
            return part, date1904, None
    return None, date1904, "sheet not found"


def _date_styles(xml: bytes) -> set[bytes]:
    """The style indexes (as the sheet writes them, `s="3"`) whose number format is a date."""
    from openpyxl.styles.numbers import is_date_format

    try:
        root = ElementTree.fromstring(xml)
    except Exception:  # noqa: BLE001 - openpyxl will name what is wrong
        return set()
    custom = {f.get("numFmtId"): f.get("formatCode") or "" for f in root.iter(f"{MAIN}numFmt")}
    found: set[bytes] = set()
    cell_formats = root.find(f"{MAIN}cellXfs")
    for index, xf in enumerate(cell_formats if cell_formats is not None else []):
        number_format = xf.get("numFmtId") or "0"
        is_date = (
            is_date_format(custom[number_format])
            if number_format in custom
            else number_format.isdigit() and int(number_format) in BUILTIN_DATE_IDS
        )
        if is_date:
            found.add(str(index).encode())
    return found


def _scan_sheet(
    handle: BinaryIO,
    member: ZipInfo,
    budget: _Budget,
    date_styles: set[bytes],
    date1904: bool,
) -> str | None:
    chunks = _inflate(handle, member, budget)
    try:
        return _scan_chunks(chunks, date_styles, date1904)
    finally:
        for _ in chunks:  # the rest still counts against the cap
            pass


def _scan_chunks(chunks: Iterator[bytes], date_styles: set[bytes], date1904: bool) -> str | None:
    findings = _SheetFindings()
    limit = DATE_SERIAL_LIMIT - (DAYS_1900_TO_1904 if date1904 else 0)
    carry = b""
    inside = False  # within <sheetData>
    for chunk in chunks:
        data = carry + chunk
        # Cut after the last closed cell, else before the last tag: no tag is split.
        cut = data.rfind(b"</c>")
        cut = cut + 4 if cut >= 0 else data.rfind(b"<")
        cut = len(data) if cut < 0 else cut
        piece, carry = data[:cut], data[cut:]
        if len(carry) > CHUNK:
            return "an element longer than 8 MB"  # no cell is; carrying it on would crawl
        if b"!" in piece and b"<!" in piece:  # "!" alone is found ten times faster
            if b"<!DOCTYPE" in piece or b"<!ENTITY" in piece:
                return "the sheet's XML has a DTD"
            return "comments or CDATA in the sheet"  # they could hide or fake cell tags
        piece, inside = _sheet_data(piece, inside)
        if piece:
            _scan_piece(piece, findings, date_styles, limit)
        if findings.obstacle:
            return findings.obstacle
    if carry.strip():
        if b"<!" in carry:
            return "the sheet's XML has a DTD, comments or CDATA"
        piece, inside = _sheet_data(carry, inside)
        _scan_piece(piece, findings, date_styles, limit)
    if findings.obstacle:
        return findings.obstacle
    if findings.cells != findings.capital_r:
        return "cells whose reference is not their first attribute in capitals"
    if findings.letters > 3 or findings.digits > 7:
        return "cell references beyond Excel's sheet"
    columns = 26 if findings.letters <= 1 else findings.max_column
    area = (10**findings.digits - 1) * columns
    if area > MAX_CELLS:
        return f"up to {area:,} cells"
    return None


def _sheet_data(piece: bytes, inside: bool) -> tuple[bytes, bool]:
    """The part of `piece` between <sheetData> and </sheetData> (whole-column validations
    and selections outside it name rows up to 1,048,576 without making cells)."""
    start = 0
    if not inside:
        at = piece.find(b"<sheetData")
        if at < 0:
            return b"", False
        start = at
    end = piece.find(b"</sheetData>", start)
    if end >= 0:
        return piece[start:end], False
    return piece[start:], True


def _scan_piece(
    piece: bytes, findings: _SheetFindings, date_styles: set[bytes], limit: int
) -> None:
    if b"?" in piece and b"<?" in piece:
        findings.note("processing instructions among the cells")
        return
    # Text and attribute values cannot hold "<": every "<c" starts a tag. Rich-text runs'
    # <color>, <condense>, <charset> start so too.
    tags = piece.count(b"<c")
    folded = piece.translate(_FOLD)
    capital_r = folded.count(b'<c r="A')
    if tags != capital_r:
        tags -= piece.count(b"<co") + piece.count(b"<ch")
    findings.cells += tags
    findings.capital_r += capital_r
    # A run of n+1 letters (digits) contains one of n: the lengths only grow.
    while findings.letters < 4 and b'<c r="' + b"A" * (findings.letters + 1) in folded:
        findings.letters += 1
    while findings.digits < 8 and b"0" * (findings.digits + 1) + b'"' in folded:
        findings.digits += 1
    if findings.letters >= 2:
        pattern = rb'<c r="([A-Z]{%d})[0-9]' % findings.letters
        for reference in set(re.findall(pattern, piece)):
            findings.max_column = max(findings.max_column, _column_number(reference))
    for match in _ODD_VALUE.finditer(piece):
        reason = _odd_value(piece, match, date_styles, limit)
        if reason:
            findings.note(reason)
            return


def _column_number(reference: bytes) -> int:
    number = 0
    for letter in reference.upper():
        if not 65 <= letter <= 90:
            break
        number = number * 26 + letter - 64
    return number


def _odd_value(piece: bytes, match: re.Match[bytes], date_styles: set[bytes], limit: int) -> str:
    """Why calamine would read this <v> differently from openpyxl, or ""."""
    value = match.group(1)
    start = piece.rfind(b"<c", 0, match.start())
    if start < 0:
        return "a value outside a cell"
    attributes = dict(_ATTRIBUTE.findall(piece[start : piece.find(b">", start)]))
    kind = attributes.get(b"t", b"n")
    if kind in (b"str", b"inlineStr"):
        return ""
    if kind == b"s":
        return "" if value.isdigit() else f"shared-string index {value[:20]!r}"
    if kind == b"e":
        return "error cells"
    if kind == b"b":
        return "" if value in (b"0", b"1") else f"boolean {value[:20]!r}"
    if kind != b"n":
        return f"cells of type {kind[:20]!r}"
    try:
        number = float(value)
    except ValueError:
        return f"number cell {value[:20]!r}"
    if number != number or number in (float("inf"), float("-inf")):
        return f"number cell {value[:20]!r}"
    if _PLAIN_NUMBER.fullmatch(value) and len(value.lstrip(b"-")) > 15:
        return f"number cell {value[:20]!r} beyond a double's precision"
    if attributes.get(b"s", b"0") in date_styles and not 0 <= number < limit:
        return f"date cell {value[:20]!r} beyond any date"
    return ""
