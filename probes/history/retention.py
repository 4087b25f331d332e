"""Retention: raw rounds older than a window (default 90 days) are folded into daily
aggregates and deleted; their hours are in the hourly aggregates already (kept continuously
by probes/history/hourly_summary.py, which runs first). Hourly aggregates older than their
own window (default 365 days) are deleted, the daily ones kept (`ictr db prune`, and the
scheduler once a day).

Safe while agents write: each chunk (up to `chunk_points` points, one UTC day) is one short
transaction that sees one snapshot, so it deletes exactly the rows it aggregated; a round
an agent stores meanwhile is left for the next run. Stopping between chunks, or a crash,
leaves a consistent database, and running it again picks up where it stopped (idempotent:
rows already folded are gone). On PostgreSQL an advisory lock lets one prune run at a time;
on SQLite each chunk takes the write lock.

Website checks older than the raw window are deleted (they have no aggregates:
probes/history/website_retention.py).

Readers combine the three tables (probes/history/rollup_read.py): raw rows after the hourly
watermark, hourly rows before it from the hourly horizon on, daily rows before the horizon.
The horizon (in the `meta` table) moves forward before the hourly rows behind it are
deleted, so a reader never misses or double-counts.

The audit trail gets one change set per prune, by counts only (millions of probe rows are
not worth a before/after each): every chunk adds its counts to it in the chunk's own
transaction (`audit.CountsLedger`). Prune never touches the audit tables.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col

from inventory.actor import Actor
from inventory.audit import Change, CountsLedger
from inventory.errors import IctrError
from inventory.models import ConnectionPoint, Meta
from probes.history.hourly_summary import summarise
from probes.history.oldest_row import oldest_instant
from probes.history.pg_lock import AdvisoryLock
from probes.history.rollup_build import HOURLY, bucket_start, roll_up_chunk
from probes.history.website_retention import drop_checks, oldest_check

log = logging.getLogger(__name__)

HOURLY_HORIZON_KEY = "probe_hourly_from"
MIN_KEEP_RAW = timedelta(days=8)
DAY = timedelta(days=1)
T = TypeVar("T")


@dataclass(frozen=True)
class Retention:
    keep_raw: timedelta = timedelta(days=90)
    keep_hourly: timedelta = timedelta(days=365)

    def __post_init__(self) -> None:
        if self.keep_raw < MIN_KEEP_RAW:
            raise IctrError(
                f"raw rounds must be kept at least {MIN_KEEP_RAW.days} days (the 7-day median "
                f"RTT and each point's latest status read them), got {_days(self.keep_raw)}"
            )
        if self.keep_hourly < self.keep_raw:
            raise IctrError(
                f"hourly aggregates ({_days(self.keep_hourly)}) must be kept at least as long "
                f"as raw rounds ({_days(self.keep_raw)})"
            )


def _days(span: timedelta) -> str:
    return f"{span / DAY:g} days"


@dataclass
class PruneReport:
    raw_before: datetime  # raw rounds before this instant were folded
    hourly_before: datetime  # hourly aggregates before this instant were dropped
    raw_rows: int = 0
    hourly_written: int = 0  # hours summarised (raw rows kept) or merged
    hourly_through: datetime | None = None  # every hour before this is in probe_hourly
    daily_written: int = 0
    hourly_dropped: int = 0
    chunks: int = 0
    seconds: float = 0.0
    stopped: bool = False  # asked to stop before the end; run again to finish
    skipped: str = ""  # why nothing was done
    days: list[str] = field(default_factory=list)  # UTC days whose raw rows were folded
    website_checks_dropped: int = 0  # website checks older than raw_before, deleted


def _point_blocks(session: Session, size: int) -> list[list[int]]:
    ids = [
        int(i) for i in session.execute(select(col(ConnectionPoint.id)).order_by("id")).scalars()
    ]
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def hourly_horizon(session: Session) -> datetime | None:
    """Hourly aggregates before this instant are gone: read daily ones there."""
    meta = session.get(Meta, HOURLY_HORIZON_KEY)
    return datetime.fromisoformat(meta.value) if meta is not None else None


def _chunk_transaction(engine: Engine) -> Connection:
    """A connection whose transaction sees one snapshot and holds writers off as needed."""
    if engine.dialect.name == "postgresql":
        return engine.connect().execution_options(isolation_level="REPEATABLE READ")
    return engine.connect()


def _in_transaction(
    engine: Engine,
    what: str,
    work: Callable[..., T],
    *,
    ledger: CountsLedger,
    counted: Callable[[T], dict[str, dict[str, int]]],
    **kwargs: Any,
) -> T:
    """Run `work(connection, **kwargs)` in a transaction of its own, with its counts
    (`counted(result)`) added to the ledger's change set; retry a serialization failure
    (PostgreSQL) a few times."""
    for attempt in range(3):
        with _chunk_transaction(engine) as connection:
            try:
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, first
                result = work(connection, **kwargs)
                ledger.add(connection, counted(result))
                connection.commit()
                ledger.committed()
                return result
            except OperationalError as exc:
                connection.rollback()
                if getattr(exc.orig, "sqlstate", None) in ("40001", "40P01") and attempt < 2:
                    log.info("%s: %s; retrying", what, exc.orig)
                    continue
                raise
    raise AssertionError("unreachable")


def _drop_hourly(
    connection: Connection, *, point_ids: Sequence[int], start: datetime, end: datetime
) -> int:
    deleted = connection.execute(
        delete(HOURLY).where(
            HOURLY.c.point_id.in_(list(point_ids)),
            HOURLY.c.period_start >= start,
            HOURLY.c.period_start < end,
        )
    )
    return deleted.rowcount


def _move_horizon(connection: Connection, *, to: datetime) -> None:
    meta = Meta.__table__  # type: ignore[attr-defined]
    current = connection.execute(
        select(meta.c.value).where(meta.c.key == HOURLY_HORIZON_KEY)
    ).scalar()
    if current is None:
        connection.execute(insert(meta).values(key=HOURLY_HORIZON_KEY, value=to.isoformat()))
    elif datetime.fromisoformat(current) < to:
        connection.execute(
            update(meta).where(meta.c.key == HOURLY_HORIZON_KEY).values(value=to.isoformat())
        )


def prune(
    engine: Engine,
    *,
    now: datetime | None = None,
    retention: Retention | None = None,
    chunk_points: int = 500,
    stop: threading.Event | None = None,
    actor: Actor | None = None,
) -> PruneReport:
    """Fold and delete what the retention says; see the module docstring. `actor` is who
    runs it for the audit trail (None: the command line, `ictr db prune` or the scheduler)."""
    retention = retention or Retention()
    now = (now or datetime.now(UTC)).astimezone(UTC)  # days are UTC days
    report = PruneReport(
        raw_before=bucket_start(now - retention.keep_raw, "day"),
        hourly_before=bucket_start(now - retention.keep_hourly, "day"),
    )
    lock = AdvisoryLock(engine, "ictr db prune") if engine.dialect.name == "postgresql" else None
    if lock is not None and not lock.try_acquire():
        report.skipped = "another prune is running on this database"
        return report
    began = time.monotonic()
    ledger = CountsLedger(Change(actor=actor or Actor.cli(), command="ictr db prune"))
    try:
        _prune(engine, report, now, chunk_points, stop, ledger)
    finally:
        if lock is not None:
            lock.release()
        report.seconds = time.monotonic() - began
    return report


def _drop_website_checks(
    engine: Engine, report: PruneReport, stop: threading.Event | None, ledger: CountsLedger
) -> bool:
    """Website checks older than the raw retention, a day at a time (probes.history.
    website_retention); False when asked to stop."""
    with engine.connect() as connection:
        oldest = oldest_check(connection)
    if oldest is None:
        return True
    day = bucket_start(oldest, "day")
    while day < report.raw_before:
        if stop is not None and stop.is_set():
            report.stopped = True
            return False
        report.website_checks_dropped += _in_transaction(
            engine,
            f"deleting website checks of {day:%Y-%m-%d}",
            drop_checks,
            ledger=ledger,
            counted=lambda n: {"website_check": {"deleted": n}},
            start=day,
            end=min(day + DAY, report.raw_before),
        )
        report.chunks += 1
        day += DAY
    return True


def _prune(
    engine: Engine,
    report: PruneReport,
    now: datetime,
    chunk_points: int,
    stop: threading.Event | None,
    ledger: CountsLedger,
) -> None:
    if not _drop_website_checks(engine, report, stop, ledger):
        return
    # Every hour is in probe_hourly before its raw rows go: summarise first, then fold the
    # days behind both the retention and the watermark into the daily table.
    summary = summarise(engine, now=now, stop=stop)
    report.hourly_written = summary.buckets
    report.hourly_through = summary.through
    if summary.stopped or summary.through is None:
        report.stopped = summary.stopped
        return
    fold_before = min(report.raw_before, bucket_start(summary.through, "day"))
    with Session(engine) as session:
        blocks = _point_blocks(session, chunk_points)
        oldest_raw = oldest_instant(session, "started_at")
    day = bucket_start(oldest_raw, "day") if oldest_raw else fold_before
    while day < fold_before:
        for block in blocks:
            if stop is not None and stop.is_set():
                report.stopped = True
                return
            chunk = _in_transaction(
                engine,
                f"rolling up {day:%Y-%m-%d}",
                roll_up_chunk,
                ledger=ledger,
                counted=lambda c: {
                    "probe_result": {"deleted": c.raw_rows},
                    "probe_daily": {"written": c.buckets["day"]},
                },
                point_ids=block,
                start=day,
                end=day + DAY,
            )
            report.chunks += 1
            report.raw_rows += chunk.raw_rows
            report.daily_written += chunk.buckets["day"]
            if chunk.raw_rows and (not report.days or report.days[-1] != f"{day:%Y-%m-%d}"):
                report.days.append(f"{day:%Y-%m-%d}")
        log.info("raw rounds of %s folded into daily aggregates", f"{day:%Y-%m-%d}")
        day += DAY
    with Session(engine) as session:
        oldest_hourly = oldest_instant(session, "period_start")
    if oldest_hourly is None or oldest_hourly >= report.hourly_before:
        return
    _in_transaction(
        engine,
        "moving the hourly horizon",
        _move_horizon,
        ledger=ledger,
        counted=lambda _: {},
        to=report.hourly_before,
    )
    day = bucket_start(oldest_hourly, "day")
    while day < report.hourly_before:
        for block in blocks:
            if stop is not None and stop.is_set():
                report.stopped = True
                return
            report.hourly_dropped += _in_transaction(
                engine,
                f"dropping hourly aggregates of {day:%Y-%m-%d}",
                _drop_hourly,
                ledger=ledger,
                counted=lambda n: {"probe_hourly": {"deleted": n}},
                point_ids=block,
                start=day,
                end=day + DAY,
            )
            report.chunks += 1
        day += DAY
