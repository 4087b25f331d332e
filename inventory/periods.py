"""Reporting periods: a year ("2026"), a quarter ("2026Q4") or a month ("2026-11").

`canonical_period` reads the ways Vietnamese reports write them ("Quý III/2026", "Q3/2026",
"Tháng 11/2026", "11/2026", ...) into that stored form; `period_bounds` gives its first
and last day. Service figures are stored under the stored form only, so a period compares
equal however it was written.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from inventory.text_keys import fold

_STORED = {
    "year": re.compile(r"^(\d{4})$"),
    "quarter": re.compile(r"^(\d{4})Q([1-4])$"),
    "month": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
}
PERIOD_HELP = (
    "a year (2026), a quarter (2026Q3, Q3/2026, Quý III/2026) or a month (2026-11, Tháng 11/2026)"
)

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
# Matched against `fold`ed text: lower case, no diacritics, punctuation as single spaces
# ("Quý III/2026" is "quy iii 2026", "2026-11" is "2026 11").
_YEAR_WORD = r"(?:nam )?"
_WRITTEN = [
    ("year", re.compile(rf"^{_YEAR_WORD}(\d{{4}})$")),
    ("quarter", re.compile(r"^(\d{4}) ?q ?([1-4])$")),
    ("quarter", re.compile(rf"^(?:quy|q) ?(iv|iii|ii|i|[1-4]) {_YEAR_WORD}(\d{{4}})$")),
    ("month", re.compile(r"^(\d{4}) (\d{1,2})$")),
    ("month", re.compile(rf"^(?:thang |t ?)?(\d{{1,2}}) {_YEAR_WORD}(\d{{4}})$")),
]


class PeriodError(ValueError):
    """Text that names no period; the message says what is accepted."""


def canonical_period(value: object) -> str:
    """The stored form of a period written in any accepted way.

    An Excel date cell on the first of a month is that month: Excel turns "11/2026" typed
    into a cell into 1 November 2026.
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        if value.day != 1:
            raise PeriodError(f"a date, not a period: write {PERIOD_HELP}")
        return _checked(f"{value.year}-{value.month:02d}")
    if isinstance(value, float):
        if not value.is_integer():
            raise PeriodError(f"not a period: write {PERIOD_HELP}")
        value = int(value)
    text = fold(str(value))
    for kind, pattern in _WRITTEN:
        if match := pattern.match(text):
            first, *rest = match.groups()
            if kind == "year":
                return _checked(first)
            second = rest[0]
            year, number = (first, second) if len(first) == 4 else (second, first)
            if kind == "quarter":
                return _checked(f"{year}Q{_ROMAN.get(number) or int(number)}")
            if not 1 <= int(number) <= 12:
                raise PeriodError(f"no month {int(number)}: write {PERIOD_HELP}")
            return _checked(f"{year}-{int(number):02d}")
    raise PeriodError(f"not a period: write {PERIOD_HELP}")


def _checked(stored: str) -> str:
    if not 1990 <= int(stored[:4]) <= 2100:
        raise PeriodError(f"year {stored[:4]} outside 1990..2100")
    return stored


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of a period in its stored form."""
    text = period.strip().upper()
    if m := _STORED["year"].match(text):
        year = int(m[1])
        return date(year, 1, 1), date(year, 12, 31)
    if m := _STORED["quarter"].match(text):
        year, quarter = int(m[1]), int(m[2])
        first_month = 3 * quarter - 2
        last_month = first_month + 2
        return date(year, first_month, 1), date(
            year, last_month, calendar.monthrange(year, last_month)[1]
        )
    if m := _STORED["month"].match(text):
        year, month = int(m[1]), int(m[2])
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    raise PeriodError(f"period {period!r}: write {PERIOD_HELP}")
