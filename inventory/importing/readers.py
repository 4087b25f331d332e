"""Read a spreadsheet file (CSV or .xlsx) into rows of cells, keeping Excel's row numbers.

CSV files come in UTF-8 (with or without a byte-order mark) or, from older Vietnamese
software, Windows-1258. Python's cp1258 codec yields base letters plus combining tone marks,
so all text is normalised to NFC: "Đồng Văn" from any of them compares equal.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from inventory.errors import IctrError
from inventory.spreadsheet_text import from_csv_text

Cell = str | int | float | date | datetime | None

# How many leading rows may sit above the header (titles such as "DANH SÁCH MÁY TÍNH ...").
HEADER_SEARCH_ROWS = 20


@dataclass
class Table:
    """Rows as read, each with the row number Excel shows for it (1-based)."""

    source: str  # file name, plus the sheet for workbooks
    rows: list[list[Cell]]
    row_numbers: list[int]
    encoding: str = ""
    delimiter: str = ""


def _nfc(value: str) -> str:
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (BOM or not), else Windows-1258."""
    if data.startswith(b"\xef\xbb\xbf"):
        return unicodedata.normalize("NFC", data[3:].decode("utf-8")), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        return unicodedata.normalize("NFC", data.decode("utf-16")), "utf-16"
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        return unicodedata.normalize("NFC", data.decode("cp1258")), "cp1258"


def sniff_delimiter(text: str) -> str:
    """The separator of the first non-empty line: ',' ';' or tab, whichever occurs most
    outside quotes (Excel in Vietnamese locales writes ';')."""
    for line in text.splitlines():
        if line.strip():
            counts = {d: 0 for d in (",", ";", "\t")}
            quoted = False
            for ch in line:
                if ch == '"':
                    quoted = not quoted
                elif not quoted and ch in counts:
                    counts[ch] += 1
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def read_csv(path: Path) -> Table:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IctrError(f"cannot read {path}: {exc.strerror or exc}") from None
    text, encoding = decode_csv_bytes(data)
    delimiter = sniff_delimiter(text)
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    try:
        # Excel shows one record per row, even when a quoted cell spans several lines.
        for number, record in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            if any(cell.strip() for cell in record):
                # Our export marks formula-like text with a leading "'": read it back as is.
                rows.append([from_csv_text(cell) for cell in record])
                numbers.append(number)
    except csv.Error as exc:
        raise IctrError(f"{path.name}: not a readable CSV file ({exc})") from None
    return Table(path.name, rows, numbers, encoding=encoding, delimiter=delimiter)


def read_xlsx(path: Path, sheet: str | None = None) -> Table:
    from zipfile import BadZipFile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
        raise IctrError(f"cannot open {path.name} as an Excel .xlsx workbook: {exc}") from None
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            names = ", ".join(repr(n) for n in workbook.sheetnames)
            raise IctrError(f"{path.name} has no sheet {sheet!r}; sheets: {names}")
        rows: list[list[Cell]] = []
        numbers: list[int] = []
        clean: Callable[[object], Cell] = _xlsx_cell
        # Read-only sheets yield every row from 1, empty ones as all-None tuples.
        for number, values in enumerate(worksheet.iter_rows(values_only=True), 1):
            if any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                rows.append([clean(v) for v in values])
                numbers.append(number)
        return Table(f"{path.name} [{worksheet.title}]", rows, numbers)
    finally:
        workbook.close()


def _xlsx_cell(value: object) -> Cell:
    if value is None or isinstance(value, int | float | date | datetime):
        return value
    return _nfc(str(value))


def read_table(path: Path, sheet: str | None = None) -> Table:
    """Read FILE by its extension: .csv/.txt/.tsv as CSV, .xlsx/.xlsm as a workbook."""
    if not path.exists():
        raise IctrError(f"file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet)
    if suffix == ".xls":
        raise IctrError(f"{path.name}: old Excel .xls format; save it as .xlsx or CSV first")
    if sheet is not None:
        raise IctrError(f"--sheet applies to .xlsx workbooks, not {path.name}")
    return read_csv(path)
