"""Text written to a spreadsheet stays text: no value from the database or a file becomes a
formula in anything we export (CSV or XLSX), and our importer reads every text back exactly.

What counts as formula-like (OWASP's "CSV injection" list, plus the full-width forms, which
some spreadsheets also take as a formula start): a text whose first
character is `=` `+` `-` `@`, a tab or a carriage return, or `＝` `＋` `－` `＠`; leading
spaces do not hide it (" =1" counts), since some programs trim cells before looking.

- XLSX: every text is written as a string cell. openpyxl would make any text beginning with
  "=" a formula and "#N/A" an error cell; forcing the type defeats exactly that. Formula-like
  texts also carry Excel's quote prefix, so that editing such a cell keeps it text.
- CSV: a formula-like text is written with one leading apostrophe (`=1` as `'=1`), which
  spreadsheets take as "this is text". So is a text that is apostrophes followed by a
  formula-like text (`'=1` as `''=1`): the importer can then remove exactly one apostrophe.
- Import (CSV only): a cell of one apostrophe followed by what the export would have quoted
  loses that apostrophe; every other cell is read as it is (`'abc` stays `'abc`).

So `from_csv_text(csv_text(t)) == t` for every text t. Numbers are never touched: only `str`
values get the treatment, so -5 stays a number while the text "-2+3" is quoted.

An XLSX file cannot hold most ASCII control characters (U+0000-U+001F but tab, line feed and
carriage return); a text with one is refused with `XlsxTextError` instead of being changed.
CSV holds any text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inventory.errors import IctrError

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
TEXT_MARK = "'"
# What XML 1.0 (and so an .xlsx file) cannot hold; openpyxl refuses the same characters.
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class XlsxTextError(IctrError):
    """A text an .xlsx file cannot hold."""

    def __init__(self, text: str, char: str) -> None:
        super().__init__(
            f"{text!r} holds the control character U+{ord(char):04X}, which an .xlsx file "
            "cannot hold: correct the value, or export as CSV"
        )
        self.text = text


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read `text` as a formula."""
    return text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS)


def _needs_mark(text: str) -> bool:
    # '=1 must be quoted too: else the importer, which removes one mark before a
    # formula-like text, would read it back as =1.
    return is_formula_like(text.lstrip(TEXT_MARK))


def csv_text(text: str) -> str:
    """`text` as a CSV cell that no spreadsheet evaluates."""
    return TEXT_MARK + text if _needs_mark(text) else text


def csv_cell(value: object) -> object:
    """A value for csv.writer: texts made safe by `csv_text`, anything else as it is."""
    return csv_text(value) if isinstance(value, str) else value


def from_csv_text(cell: str) -> str:
    """Undo `csv_text`: the text a CSV cell holds."""
    if cell.startswith(TEXT_MARK) and _needs_mark(cell[1:]):
        return cell[1:]
    return cell


def frame_to_csv(frame: pd.DataFrame) -> str:
    """`frame` as CSV text (no index), its texts made safe by `csv_text`."""
    # CRLF line ends, as RFC 4180 has them: the csv module quotes a cell holding any
    # character of the line end, so a lone carriage return inside a text stays in its cell
    # (with pandas' default "\n", it would end the row for Excel).
    return frame.map(csv_cell).to_csv(index=False, lineterminator="\r\n")


def xlsx_cells(sheet: Any, values: Iterable[object]) -> list[object]:
    """A row for `sheet.append` in which every text is a string cell (never a formula).

    Cells already made (e.g. bold headers, dated cells) are kept, their text forced likewise;
    other values (numbers, dates, None) pass as they are.
    """
    from openpyxl.cell import Cell, WriteOnlyCell

    row: list[object] = []
    for value in values:
        if isinstance(value, str):
            if bad := _NOT_IN_XLSX.search(value):
                raise XlsxTextError(value, bad.group())
            value = WriteOnlyCell(sheet, value=value)
        if isinstance(value, Cell) and isinstance(value.value, str):
            value.data_type = "s"
            if is_formula_like(value.value):
                value.quotePrefix = True
        row.append(value)
    return row


def append_row(sheet: Any, values: Iterable[object]) -> None:
    """`sheet.append(values)` with every text written as text (see `xlsx_cells`)."""
    sheet.append(xlsx_cells(sheet, values))


@contextmanager
def xlsx_file(path: Path) -> Iterator[Workbook]:
    """A write-only workbook, saved to `path` when the block ends; when the block fails
    (a text an .xlsx cannot hold), nothing is written and the error is one line."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    try:
        yield workbook
    except BaseException as exc:
        # Finish each sheet's temporary file now: an abandoned row writer would otherwise
        # print a traceback when Python collects it.
        for sheet in workbook.worksheets:
            if not sheet.closed:
                with suppress(Exception):  # the error being raised is the one to report
                    sheet.close()
        if isinstance(exc, XlsxTextError):
            raise IctrError(f"cannot write {path.name}: {exc}") from None
        raise
    try:
        workbook.save(path)
    except OSError as exc:
        raise IctrError(f"cannot write {path}: {exc.strerror or exc}") from None
