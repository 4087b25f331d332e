"""Reporting periods: a year ("2026"), a quarter ("2026Q4") or a month ("2026-11")."""

from __future__ import annotations

import calendar
import re
from datetime import date

from inventory.errors import IctrError

_PATTERNS = {
    "year": re.compile(r"^(\d{4})$"),
    "quarter": re.compile(r"^(\d{4})Q([1-4])$"),
    "month": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
}


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of the period."""
    text = period.strip().upper()
    if m := _PATTERNS["year"].match(text):
        year = int(m[1])
        return date(year, 1, 1), date(year, 12, 31)
    if m := _PATTERNS["quarter"].match(text):
        year, quarter = int(m[1]), int(m[2])
        first_month = 3 * quarter - 2
        last_month = first_month + 2
        return date(year, first_month, 1), date(
            year, last_month, calendar.monthrange(year, last_month)[1]
        )
    if m := _PATTERNS["month"].match(text):
        year, month = int(m[1]), int(m[2])
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    raise IctrError(
        f"period {period!r}: write a year (2026), a quarter (2026Q4) or a month (2026-11)"
    )


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def period_date(period: str, today: date) -> date:
    """The date whose figures stand for the period: its last day, or today if it is not over."""
    start, end = period_bounds(period)
    if start > today:
        raise IctrError(f"period {period} has not started yet (today is {today.isoformat()})")
    return min(end, today)
