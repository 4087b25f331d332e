"""Read a spreadsheet file (CSV or .xlsx) into rows of cells, keeping Excel's row numbers.

CSV files come in UTF-8 (with or without a byte-order mark) or, from older Vietnamese
software, Windows-1258. Python's cp1258 codec yields base letters plus combining tone marks,
so all text is normalised to NFC: "Đồng Văn" from any of them compares equal.

Whatever a damaged file makes a decoder, the zip reader or an XML parser raise ends here as
one `IctrError` naming the file: this module is the boundary where files are read.
"""

from __future__ import annotations

import csv
import io
import logging
import unicodedata
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zipfile import BadZipFile, LargeZipFile

from defusedxml import DefusedXmlException

from inventory.errors import IctrError
from inventory.importing.workbook_scan import calamine_obstacle
from inventory.spreadsheet_text import from_csv_text

logger = logging.getLogger(__name__)

Cell = str | int | float | date | datetime | None

# How many leading rows may sit above the header (titles such as "DANH SÁCH MÁY TÍNH ...").
HEADER_SEARCH_ROWS = 20
# How many of the workbook reader's warnings a report repeats (one per bad date cell...).
MAX_READER_NOTES = 20


@dataclass
class Table:
    """Rows as read, each with the row number Excel shows for it (1-based)."""

    source: str  # file name, plus the sheet for workbooks
    rows: list[list[Cell]]
    row_numbers: list[int]
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)  # what the reader warned about


def _nfc(value: str) -> str:
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (BOM or not), else Windows-1258.

    Raises UnicodeDecodeError when the bytes are neither: cp1258 leaves 0x81, 0x8A, 0x8D-0x90,
    0x9A and 0x9D-0x9E undefined, and UTF-16 may be cut in the middle of a character."""
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
    try:
        text, encoding = decode_csv_bytes(data)
    except UnicodeDecodeError as exc:
        raise IctrError(f"{path.name}: {_undecodable(data, exc)}") from None
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
        raise IctrError(f"{path.name}: not a readable CSV file ({_brief(exc)})") from None
    return Table(path.name, rows, numbers, encoding=encoding, delimiter=delimiter)


def _undecodable(data: bytes, exc: UnicodeDecodeError) -> str:
    if exc.encoding.startswith("utf-16"):
        cut = exc.end >= len(data)  # Python says "truncated data" or "unexpected end of data"
        return (
            f"not valid UTF-16 text ({exc.reason} at byte {exc.start}"
            f'{", the file is cut short" if cut else ""}): save it again as "CSV UTF-8"'
        )
    line = data.count(b"\n", 0, exc.start) + 1
    return (
        f"line {line}: byte 0x{data[exc.start]:02X} (at byte {exc.start}) is neither UTF-8 nor "
        'Windows-1258 text: save the file as "CSV UTF-8"'
    )


def _brief(exc: BaseException) -> str:
    """A library's message on one line, short enough for a report."""
    words = " ".join(str(exc).split()) or type(exc).__name__
    return words if len(words) <= 200 else words[:199] + "…"


def read_xlsx(path: Path, sheet: str | None = None) -> Table:
    """Read a workbook's sheet with calamine; with openpyxl where the scan of the zip finds
    what calamine reads differently (see workbook_scan) or calamine fails (openpyxl then
    names the row, or the XML line and column, where calamine says only what went wrong)."""
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        obstacle = calamine_obstacle(path, sheet)
        table = _read_with_calamine(path, sheet) if obstacle is None else None
        if table is None:
            logger.debug("reading %s with openpyxl: %s", path, obstacle or "calamine failed")
            table = _read_workbook(path, sheet)
        return table
    except (InvalidFileException, BadZipFile, LargeZipFile, zlib.error, EOFError) as exc:
        raise IctrError(
            f"cannot open {path.name} as an Excel .xlsx workbook: a damaged or truncated "
            f"file ({_brief(exc)})"
        ) from None
    except ValueError as exc:
        # openpyxl wraps what goes wrong while loading in a ValueError naming the temporary
        # path and "could not read strings" (say): the cause is the useful part.
        raise IctrError(_bad_workbook(path, exc.__cause__ or exc)) from None
    except SyntaxError as exc:  # expat's ParseError and lxml's errors are SyntaxErrors
        raise IctrError(_bad_workbook(path, exc)) from None


def _read_with_calamine(path: Path, sheet: str | None) -> Table | None:
    """The sheet's rows, or None when calamine cannot read the file."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        workbook = CalamineWorkbook.from_path(path)
    except Exception:  # noqa: BLE001 - whatever it is, openpyxl reads or names it
        logger.debug("calamine cannot open %s", path, exc_info=True)
        return None
    with workbook:
        worksheets = [m.name for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        if not worksheets:
            raise IctrError(f"{path.name} has no worksheet")
        if sheet is None:
            sheet = worksheets[0]
        elif sheet not in worksheets:
            names = ", ".join(repr(n) for n in workbook.sheet_names)
            raise IctrError(f"{path.name} has no sheet {sheet!r}; sheets: {names}")
        try:
            data = workbook.get_sheet_by_name(sheet)
            values = data.to_python(skip_empty_area=True)
        except Exception:  # noqa: BLE001 - a bad cell (a date beyond Python's), say
            logger.debug("calamine cannot read %s [%s]", path, sheet, exc_info=True)
            return None
        start = data.start
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    if start is not None:
        # calamine's rows begin at the first used row and column: Excel's numbers count from
        # A1, and the columns left of the first used one are kept as empty cells.
        first_row, first_column = start
        padding: list[Cell] = [None] * first_column
        for number, row in enumerate(values, first_row + 1):
            if any(type(v) is not str or v.strip() for v in row):
                cells = [_calamine_cell(v) for v in row]
                rows.append(padding + cells if first_column else cells)
                numbers.append(number)
    return Table(f"{path.name} [{sheet}]", rows, numbers)


def _calamine_cell(value: object) -> Cell:
    """A cell as openpyxl gives it (the rest of the importer was written against it): empty
    cells None, whole numbers int (Excel stores every number as a double and writes whole
    ones without a fraction), times and durations as text."""
    if isinstance(value, str):
        return _nfc(value) if value else None
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, int | date):  # also bool and datetime
        return value
    return str(value)  # datetime.time, datetime.timedelta


def _bad_workbook(path: Path, cause: BaseException) -> str:
    if isinstance(cause, DefusedXmlException):
        # openpyxl parses through defusedxml (a dependency for this reason): entity
        # declarations are refused before anything expands ("billion laughs").
        return (
            f"{path.name}: the workbook's XML declares entities, which Excel never writes; "
            f"refused ({type(cause).__name__})"
        )
    if isinstance(cause, SyntaxError):
        return f"{path.name}: damaged XML inside the workbook ({_brief(cause)})"
    return f"{path.name}: not a readable .xlsx workbook ({_brief(cause)})"


def _read_workbook(path: Path, sheet: str | None) -> Table:
    # openpyxl warns through Python's warnings ("Cell E2 is marked as a date but the serial
    # value ... is outside the limits"): they belong in the report, not on stderr.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = _read_sheet(path, sheet)
    messages = list(dict.fromkeys(" ".join(str(w.message).split()) for w in caught))
    table.notes = messages[:MAX_READER_NOTES]
    if len(messages) > MAX_READER_NOTES:
        table.notes.append(f"... and {len(messages) - MAX_READER_NOTES} more such warnings")
    return table


def _read_sheet(path: Path, sheet: str | None) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, KeyError) as exc:
        raise IctrError(f"cannot open {path.name} as an Excel .xlsx workbook: {exc}") from None
    try:
        if not workbook.worksheets:
            raise IctrError(f"{path.name} has no worksheet")
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            names = ", ".join(repr(n) for n in workbook.sheetnames)
            raise IctrError(f"{path.name} has no sheet {sheet!r}; sheets: {names}")
        source = f"{path.name} [{worksheet.title}]"
        # The declared size can be anything: A1:XFD1048576 would pad every row to 16,384
        # cells and add a million empty rows. Read the cells the sheet really holds.
        worksheet.reset_dimensions()
        rows: list[list[Cell]] = []
        numbers: list[int] = []
        clean: Callable[[object], Cell] = _xlsx_cell
        number = 0
        try:
            # Read-only sheets yield every row from 1, empty ones as empty tuples.
            for number, values in enumerate(worksheet.iter_rows(values_only=True), 1):
                if any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                    rows.append([clean(v) for v in values])
                    numbers.append(number)
        except DefusedXmlException:
            raise
        except (ValueError, OverflowError, TypeError) as exc:
            # A number cell holding "NaN" or "inf" (openpyxl's int() fails), say. The sheet
            # is parsed row by row, so the row after the last one read holds the cell.
            raise IctrError(
                f"{source}, row {number + 1}: a cell cannot be read ({_brief(exc)})"
            ) from None
        return Table(source, rows, numbers)
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
    if suffix == ".xls":
        raise IctrError(f"{path.name}: old Excel .xls format; save it as .xlsx or CSV first")
    if sheet is not None and suffix not in (".xlsx", ".xlsm"):
        raise IctrError(f"--sheet applies to .xlsx workbooks, not {path.name}")
    try:
        return read_xlsx(path, sheet) if suffix in (".xlsx", ".xlsm") else read_csv(path)
    except IctrError:
        raise
    except Exception as exc:
        # Whatever else a damaged file makes a library raise is a problem with that file.
        # Only reading is wrapped: errors while writing to the database stay visible as bugs.
        logger.debug("reading %s failed", path, exc_info=True)
        raise IctrError(
            f"{path.name}: cannot read the file ({type(exc).__name__}: {_brief(exc)})"
        ) from None
