"""How fresh a page is: its Last-Modified header, and the newest date written in it.

Vietnamese pages write dates day first (01/12/2026, 1-12-2026, 01.12.2026); machine-made
ones write ISO dates (2026-12-01). A date after the day of the check (a typo, an event
announced ahead) is not "the newest update", so it is left out.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

# Bytes patterns: the body is searched as read, whatever its encoding (dates are ASCII).
# Not inside a longer run of numbers (a version, a document number); a full stop after the
# date ends a sentence.
_DAY_FIRST = re.compile(rb"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?![\d/-]|\.\d)")
_ISO = re.compile(rb"(?<![\d/.-])(\d{4})-(\d{2})-(\d{2})(?![\d/-]|\.\d)")
_EARLIEST = date(1995, 1, 1)  # before any Vietnamese government website


def last_modified(header: str | None) -> datetime | None:
    """The Last-Modified header as an aware UTC datetime, or None when absent or unreadable."""
    if not header:
        return None
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # RFC 9110 dates are GMT
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _valid(year: int, month: int, day: int, latest: date) -> date | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if _EARLIEST <= found <= latest else None


def newest_date(body: bytes, today: date) -> date | None:
    """The newest day (dd/mm/yyyy or ISO yyyy-mm-dd) written in `body`, at most `today`+1
    (a server a few hours ahead of the prober's calendar day is still right)."""
    latest = today + timedelta(days=1)
    found: date | None = None
    for match in _DAY_FIRST.finditer(body):
        day, month, year = (int(g) for g in match.groups())
        candidate = _valid(year, month, day, latest)
        if candidate is not None and (found is None or candidate > found):
            found = candidate
    for match in _ISO.finditer(body):
        year, month, day = (int(g) for g in match.groups())
        candidate = _valid(year, month, day, latest)
        if candidate is not None and (found is None or candidate > found):
            found = candidate
    return found
