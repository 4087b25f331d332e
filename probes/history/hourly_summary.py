"""Hourly aggregates kept up to date while the raw rounds are still kept, RRD-style.

Every complete hour before a watermark (`probe_hourly_through` in `meta`) has its row in
`probe_hourly`, raw rounds or not. Readers (probes/history/rollup_read.py `window_split`) take the
hours before the watermark from the aggregates and only the rounds after it from
`probe_result`: a 30-day window reads 720 rows per point instead of 8,640. The raw rows stay
for what needs each round (median RTT, latest status, diagnosis) until the retention folds
them into the daily table (probes/history/retention.py).

`summarise` moves the watermark up to the last complete hour (less a grace for rounds still
being stored); the scheduler calls it after every round, `ictr db prune` first of all.
A round stored later for an hour before the watermark (an agent's spool replayed after an
outage) is merged into its hour in the same transaction that stores it (`merge_late_rows`).

Writers and the summariser never race: on SQLite both hold the write lock; on PostgreSQL the
summariser holds an exclusive transaction-level advisory lock and every store a shared one,
taken before it inserts, so the summariser waits for stores in flight and then, reading
committed rows statement by statement, sees all of them, while a store that starts meanwhile
waits and then reads the new watermark.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, text, update
from sqlmodel import Session

from inventory.models import Meta
from inventory.write_lock import advisory_key
from probes.history.oldest_row import oldest_instant
from probes.history.rollup_build import HOURLY, aggregate, bucket_start, fold, upsert_buckets

log = logging.getLogger(__name__)

WATERMARK_KEY = "probe_hourly_through"
LOCK_KEY = advisory_key("ictr probe_hourly watermark")
# A round is stored when it ends (a few seconds, at most its deadline, after it starts):
# an hour is summarised this long after it ends, so its rounds are almost always in.
GRACE = timedelta(minutes=10)
# At most this much is summarised per transaction (a backlog goes in several).
STEP = timedelta(days=1)
META = Meta.__table__  # type: ignore[attr-defined]


@dataclass
class SummaryReport:
    through: datetime | None = None  # the watermark afterwards
    raw_rows: int | None = 0  # rows read (None: PostgreSQL aggregated them in the server)
    buckets: int = 0  # hourly rows written or merged
    steps: int = 0
    seconds: float = 0.0
    stopped: bool = False


def watermark(connection: Connection | Session) -> datetime | None:
    """Every hour before this instant is in probe_hourly; None: no hour is (yet)."""
    value = connection.execute(select(META.c.value).where(META.c.key == WATERMARK_KEY)).scalar()
    return datetime.fromisoformat(value) if value is not None else None


def _set_watermark(connection: Connection, to: datetime, *, first: bool) -> None:
    if first:
        connection.execute(insert(META).values(key=WATERMARK_KEY, value=to.isoformat()))
    else:
        connection.execute(
            update(META).where(META.c.key == WATERMARK_KEY).values(value=to.isoformat())
        )


def _lock(connection: Connection, *, shared: bool) -> None:
    """Hold the summary lock until the transaction ends (PostgreSQL; SQLite's write lock
    already serialises writers)."""
    if connection.dialect.name == "postgresql":
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        connection.execute(text(f"SELECT {function}(:key)"), {"key": LOCK_KEY})


def _oldest_raw(connection: Connection) -> datetime | None:
    with Session(bind=connection) as session:
        return oldest_instant(session, "started_at")


def _step(
    connection: Connection, target: datetime
) -> tuple[datetime, tuple[int | None, int] | None]:
    """Summarise the next span (at most STEP) before `target`. Returns the watermark
    afterwards and (raw rows read, buckets written), or None when nothing was left."""
    _lock(connection, shared=False)
    through = watermark(connection)
    start = through
    if start is None:
        oldest = _oldest_raw(connection)
        start = bucket_start(oldest, "hour") if oldest is not None else target
    if start >= target:
        if through is None:
            _set_watermark(connection, target, first=True)
            return target, None
        return through, None
    end = min(target, start + STEP)
    work = aggregate(connection, unit="hour", start=start, end=end)
    _set_watermark(connection, end, first=through is None)
    return end, work


def summarise(
    engine: Engine,
    *,
    now: datetime | None = None,
    grace: timedelta = GRACE,
    stop: threading.Event | None = None,
) -> SummaryReport:
    """Move the watermark up to the last hour that ended `grace` ago; see the module doc."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    target = bucket_start(now - grace, "hour")
    report = SummaryReport()
    began = time.monotonic()
    while True:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, first
            report.through, work = _step(connection, target)
            connection.commit()
        if work is None:
            break
        read, buckets = work
        report.steps += 1
        report.buckets += buckets
        if read is None or report.raw_rows is None:
            report.raw_rows = None
        else:
            report.raw_rows += read
        if stop is not None and stop.is_set():
            report.stopped = True
            break
    report.seconds = time.monotonic() - began
    if report.steps:
        log.info("hourly aggregates up to %s (%d rows)", report.through, report.buckets)
    return report


def lock_for_store(connection: Connection) -> None:
    """Before a store inserts rounds: no summary may run until its transaction ends."""
    _lock(connection, shared=True)


def merge_late_rows(connection: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Merge just-stored rows of hours before the watermark into their hourly rows (in the
    storing transaction, after `lock_for_store`). Returns how many rows that was."""
    through = watermark(connection)
    if through is None:
        return 0
    late = [SimpleNamespace(**row) for row in rows if row["started_at"] < through]
    upsert_buckets(connection, HOURLY, fold(late, "hour"))
    return len(late)
