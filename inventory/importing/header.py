"""Find the header row (titles may sit above it) and map its columns."""

from __future__ import annotations

from dataclasses import dataclass

from inventory.errors import IctrError
from inventory.importing import snipeit
from inventory.importing.columns import (
    COLUMNS,
    HeaderMatch,
    alias_index,
    count_known,
    match_header,
)
from inventory.importing.fields import Fields, is_blank
from inventory.importing.readers import HEADER_SEARCH_ROWS, Table
from inventory.importing.report import shown


@dataclass
class Located:
    match: HeaderMatch
    data_start: int  # index in table.rows of the first data row
    snipeit: bool


def locate_header(table: Table, entity: str) -> Located:
    """The first of the leading rows naming at least two known columns is the header;
    failing that, the first row (and the missing-column error shows what it holds)."""
    index = alias_index(COLUMNS[entity])
    position = 0
    for i, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        headers = [shown(c).strip() for c in row]
        if count_known(headers, index) >= 2 or snipeit.is_snipeit(headers):
            position = i
            break
    headers = [shown(c).strip() for c in table.rows[position]] if table.rows else []
    is_snipe = entity == "computers" and snipeit.is_snipeit(headers)
    row_number = table.row_numbers[position] if table.rows else 1
    match = match_header(
        entity,
        headers,
        row_number,
        fixed=snipeit.COLUMNS if is_snipe else None,
        source=table.source,
    )
    if position + 1 >= len(table.rows):
        raise IctrError(f"{table.source}: no data rows below the header (row {row_number})")
    return Located(match, position + 1, is_snipe)


def report_cells_without_header(fields: Fields) -> None:
    """A filled cell under a blank header, or right of the last header, is an error: its
    value would otherwise be dropped without a word."""
    headers = fields.match.headers
    blank = [position for position, header in enumerate(headers) if not header]
    for index, row in enumerate(fields.rows):
        # Only the blank headers' cells and those right of the header need a look.
        for position in [p for p in blank if p < len(row)] + list(range(len(headers), len(row))):
            if not is_blank(row[position]):
                fields.fail(
                    index,
                    column_letter(position),
                    row[position],
                    "a value in a column without a header: give the column a header or "
                    "clear the cell",
                )


def column_letter(position: int) -> str:
    """The letter Excel shows above the column at 0-based `position` (A, Z, AA...).
    openpyxl's get_column_letter stops at XFD; a CSV row can be longer."""
    letters = ""
    number = position + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
