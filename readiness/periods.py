"""Reporting periods for the indicators: a year ("2026"), a quarter ("2026Q4") or a month
("2026-11"); their spellings and bounds are defined once, in `inventory.periods`."""

from __future__ import annotations

from datetime import date

from inventory.errors import IctrError
from inventory.periods import PeriodError
from inventory.periods import period_bounds as _bounds


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of the period."""
    try:
        return _bounds(period)
    except PeriodError as exc:
        raise IctrError(str(exc)) from None


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def period_date(period: str, today: date) -> date:
    """The date whose figures stand for the period: its last day, or today if it is not over."""
    start, end = period_bounds(period)
    if start > today:
        raise IctrError(f"period {period} has not started yet (today is {today.isoformat()})")
    return min(end, today)
