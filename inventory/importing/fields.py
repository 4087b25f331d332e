"""Column-at-a-time parsing of the data rows, recording every bad cell in the report.

Parsing by column lets each distinct value be parsed once: inventories repeat the same
agency, kind, status and date many times.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from inventory.importing.columns import HeaderMatch
from inventory.importing.readers import Cell
from inventory.importing.report import ImportReport
from inventory.importing.values import BadValue


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


def is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_value(value: Any, parser: Callable[[Any], Any]) -> Any:
    """One value as a column's cell is read: None when blank, else what `parser` makes of it
    (it raises BadValue with the reason). For writers of one record (record edits)."""
    return None if is_blank(value) else parser(value)


class Fields:
    def __init__(
        self,
        rows: list[list[Cell]],
        numbers: list[int],
        match: HeaderMatch,
        report: ImportReport,
    ) -> None:
        self.rows = rows
        self.numbers = numbers
        self.match = match
        self.report = report
        self.bad: set[int] = set()  # indexes of rows with at least one problem

    def __len__(self) -> int:
        return len(self.rows)

    def has(self, name: str) -> bool:
        return self.match.has(name)

    def raw(self, name: str) -> list[Cell]:
        if name not in self.match.positions:
            return [None] * len(self.rows)
        position = self.match.positions[name]
        return [row[position] if position < len(row) else None for row in self.rows]

    def parse(self, name: str, parser: Callable[[Any], Any]) -> list[Any]:
        """Parsed values of column `name`: None where blank or absent, INVALID where bad."""
        if name not in self.match.positions:
            return [None] * len(self.rows)
        cache: dict[Any, Any] = {}
        reasons: dict[Any, str] = {}
        out: list[Any] = []
        for index, value in enumerate(self.raw(name)):
            if is_blank(value):
                out.append(None)
                continue
            key = (type(value), value)
            if key not in cache:
                try:
                    cache[key] = read_value(value, parser)
                except BadValue as exc:
                    cache[key] = INVALID
                    reasons[key] = str(exc)
            parsed = cache[key]
            if parsed is INVALID:
                self.fail(index, name, value, reasons[key])
            out.append(parsed)
        return out

    def fail(self, index: int, name: str | None, value: object, reason: str) -> None:
        header = self.match.header_of(name) if name and self.match.has(name) else (name or "")
        self.report.error(self.numbers[index], header, value, reason)
        self.bad.add(index)
