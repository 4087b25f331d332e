"""Website checks older than the raw retention (`--keep-raw`, default 90 days) are deleted:
they have no aggregates (availability over 7 and 30 days reads the checks themselves). One
UTC day per transaction, oldest first, so a prune stopped half-way leaves whole days behind
it. Incidents are kept: they name the website, not a check.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, func, select

from inventory.models import WebsiteCheck

DAY = timedelta(days=1)
CHECKS = WebsiteCheck.__table__  # type: ignore[attr-defined]


def oldest_check(connection: Connection) -> datetime | None:
    """The oldest check's time (a scan of the (website, time) index)."""
    value = connection.execute(select(func.min(CHECKS.c.checked_at))).scalar()
    if value is None:
        return None
    if isinstance(value, str):  # SQLite may hand an aggregate back as text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def drop_checks(connection: Connection, *, start: datetime, end: datetime) -> int:
    """Delete the checks made in [start, end)."""
    deleted = connection.execute(
        delete(CHECKS).where(CHECKS.c.checked_at >= start, CHECKS.c.checked_at < end)
    )
    return int(deleted.rowcount)
