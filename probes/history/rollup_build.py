"""Fold raw probe rows into hourly or daily aggregates (`aggregate`), and fold a chunk
(some points, one UTC day) into the daily table then delete it (`roll_up_chunk`), inside the
caller's transaction.

For a chunk, the caller's transaction must see one snapshot (SQLite: BEGIN IMMEDIATE;
PostgreSQL: REPEATABLE READ), so exactly the rows aggregated are deleted and a round stored
meanwhile by an agent is left for the next run.

A bucket that already exists (rows of an old round arriving after its hour was rolled up,
e.g. from a long-offline agent's spool) is merged: counts add, min/max combine, the median
and 90th percentile become the RTT-count-weighted mean of the two (an approximation; the
exact value needs the raw rows, which are gone).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, and_, case, delete, func, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite

from inventory.models import ProbeDaily, ProbeHourly, ProbeResult

HOURLY: Table = ProbeHourly.__table__  # type: ignore[attr-defined]
DAILY: Table = ProbeDaily.__table__  # type: ignore[attr-defined]
BUCKETS: dict[str, Table] = {"hour": HOURLY, "day": DAILY}

COUNTS = ("rounds", "up_rounds", "results", "good_results", "sent", "received", "rtt_count")


@dataclass
class ChunkReport:
    raw_rows: int = 0  # raw rows folded in and deleted
    buckets: dict[str, int] = field(default_factory=lambda: {"hour": 0, "day": 0})


def bucket_start(moment: datetime, unit: str) -> datetime:
    """The start of the hour or UTC day holding `moment` (an aware UTC datetime)."""
    hour = moment.replace(minute=0, second=0, microsecond=0)
    return hour if unit == "hour" else hour.replace(hour=0)


def quantile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class _Bucket:
    sent_rounds: set[datetime] = field(default_factory=set)
    up_rounds: set[datetime] = field(default_factory=set)
    results: int = 0
    good_results: int = 0
    sent: int = 0
    received: int = 0
    rtts: list[float] = field(default_factory=list)
    rtt_min: float | None = None
    rtt_max: float | None = None

    def add(self, row: Any) -> None:
        self.results += 1
        self.sent += row.sent
        self.received += row.received
        if row.sent > 0:
            self.sent_rounds.add(row.started_at)
        if row.received > 0:
            self.good_results += 1
            self.up_rounds.add(row.started_at)
        if row.rtt_median_ms is not None:
            self.rtts.append(row.rtt_median_ms)
        if row.rtt_min_ms is not None:
            self.rtt_min = (
                row.rtt_min_ms if self.rtt_min is None else min(self.rtt_min, row.rtt_min_ms)
            )
        if row.rtt_max_ms is not None:
            self.rtt_max = (
                row.rtt_max_ms if self.rtt_max is None else max(self.rtt_max, row.rtt_max_ms)
            )

    def values(self) -> dict[str, Any]:
        ordered = sorted(self.rtts)
        return {
            "rounds": len(self.sent_rounds),
            "up_rounds": len(self.up_rounds),
            "results": self.results,
            "good_results": self.good_results,
            "sent": self.sent,
            "received": self.received,
            "rtt_count": len(ordered),
            "rtt_min_ms": self.rtt_min,
            "rtt_median_ms": quantile(ordered, 0.5) if ordered else None,
            "rtt_p90_ms": quantile(ordered, 0.9) if ordered else None,
            "rtt_max_ms": self.rtt_max,
        }


def fold(rows: Sequence[Any], unit: str) -> dict[tuple[int, str, datetime], dict[str, Any]]:
    """Raw rows (point_id, agent, started_at, sent, received, rtt_*) -> the aggregate of
    each (point, agent, hour or day)."""
    buckets: dict[tuple[int, str, datetime], _Bucket] = {}
    for row in rows:
        key = (row.point_id, row.agent, bucket_start(row.started_at, unit))
        buckets.setdefault(key, _Bucket()).add(row)
    return {key: bucket.values() for key, bucket in buckets.items()}


def _weighted(a: float | None, na: int, b: float | None, nb: int) -> float | None:
    if a is None or na == 0:
        return b
    if b is None or nb == 0:
        return a
    return (a * na + b * nb) / (na + nb)


def merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Two aggregates of the same bucket as one (see the module docstring)."""
    merged = {name: old[name] + new[name] for name in COUNTS}
    mins = [v for v in (old["rtt_min_ms"], new["rtt_min_ms"]) if v is not None]
    maxes = [v for v in (old["rtt_max_ms"], new["rtt_max_ms"]) if v is not None]
    merged["rtt_min_ms"] = min(mins) if mins else None
    merged["rtt_max_ms"] = max(maxes) if maxes else None
    for name in ("rtt_median_ms", "rtt_p90_ms"):
        merged[name] = _weighted(old[name], old["rtt_count"], new[name], new["rtt_count"])
    return merged


def _merging(statement: Any, table: Table) -> Any:
    """`statement` (an INSERT into the hourly or daily table), merging each row into its
    bucket's row when one exists: `merge`, in SQL, safe against a concurrent writer."""
    new = statement.excluded

    def weighted(name: str) -> Any:
        old_n, new_n = table.c.rtt_count, new.rtt_count
        return case(
            (old_n == 0, new[name]),
            (new_n == 0, table.c[name]),
            else_=(table.c[name] * old_n + new[name] * new_n) / (old_n + new_n),
        )

    def extreme(name: str, newer_wins: Any) -> Any:
        return case(
            (table.c[name].is_(None), new[name]),
            (and_(new[name].is_not(None), newer_wins), new[name]),
            else_=table.c[name],
        )

    merged: dict[str, Any] = {name: table.c[name] + new[name] for name in COUNTS}
    merged["rtt_min_ms"] = extreme("rtt_min_ms", new.rtt_min_ms < table.c.rtt_min_ms)
    merged["rtt_max_ms"] = extreme("rtt_max_ms", new.rtt_max_ms > table.c.rtt_max_ms)
    merged["rtt_median_ms"] = weighted("rtt_median_ms")
    merged["rtt_p90_ms"] = weighted("rtt_p90_ms")
    return statement.on_conflict_do_update(
        index_elements=["point_id", "period_start", "agent"], set_=merged
    )


def upsert_buckets(
    connection: Connection, table: Table, buckets: dict[tuple[int, str, datetime], dict[str, Any]]
) -> None:
    """Write aggregates, merging each into its bucket's row when one exists."""
    if not buckets:
        return
    builder: Any = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = _merging(builder(table), table)
    rows = [
        {"point_id": point, "agent": agent, "period_start": start, **values}
        for (point, agent, start), values in buckets.items()
    ]
    for first in range(0, len(rows), 5000):
        connection.execute(statement, rows[first : first + 5000])


def _raw_where(start: datetime, end: datetime, point_ids: Sequence[int] | None) -> list[Any]:
    raw = ProbeResult.__table__  # type: ignore[attr-defined]
    where = [raw.c.started_at >= start, raw.c.started_at < end]
    if point_ids is not None:
        where.append(raw.c.point_id.in_(list(point_ids)))
    return where


def _pg_aggregate(table: Table, unit: str, where: list[Any]) -> Any:
    """PostgreSQL: INSERT ... SELECT ... GROUP BY, merged as `upsert_buckets` merges: the
    aggregation runs in the server; nothing travels to Python."""
    raw = ProbeResult.__table__  # type: ignore[attr-defined]
    started, rtt = raw.c.started_at, raw.c.rtt_median_ms
    # Literal SQL, not bound values: the GROUP BY must repeat the very same expression.
    bucket = func.date_trunc(literal_column(f"'{unit}'"), started, literal_column("'UTC'"))
    aggregated = (
        select(
            raw.c.point_id,
            raw.c.agent,
            bucket,
            func.count(started.distinct()).filter(raw.c.sent > 0),
            func.count(started.distinct()).filter(raw.c.received > 0),
            func.count(),
            func.count().filter(raw.c.received > 0),
            func.sum(raw.c.sent),
            func.sum(raw.c.received),
            func.count(rtt),
            func.min(raw.c.rtt_min_ms),
            func.percentile_cont(0.5).within_group(rtt),
            func.percentile_cont(0.9).within_group(rtt),
            func.max(raw.c.rtt_max_ms),
        )
        .where(*where)
        .group_by(raw.c.point_id, raw.c.agent, bucket)
    )
    columns = ["point_id", "agent", "period_start", *COUNTS]
    columns += ["rtt_min_ms", "rtt_median_ms", "rtt_p90_ms", "rtt_max_ms"]
    return _merging(postgresql.insert(table).from_select(columns, aggregated), table)


def aggregate(
    connection: Connection,
    *,
    unit: str,
    start: datetime,
    end: datetime,
    point_ids: Sequence[int] | None = None,
) -> tuple[int | None, int]:
    """Fold the raw rows with start <= started_at < end (of these points, or all) into the
    hourly or daily table, merging with buckets already there. Returns (raw rows read, or
    None when the server did it all; buckets written)."""
    table = BUCKETS[unit]
    where = _raw_where(start, end, point_ids)
    if connection.dialect.name == "postgresql":
        # An INSERT's row count is only kept when asked for.
        statement = _pg_aggregate(table, unit, where).execution_options(preserve_rowcount=True)
        return None, connection.execute(statement).rowcount
    raw = ProbeResult.__table__  # type: ignore[attr-defined]
    rows = connection.execute(
        select(
            raw.c.point_id,
            raw.c.agent,
            raw.c.started_at,
            raw.c.sent,
            raw.c.received,
            raw.c.rtt_min_ms,
            raw.c.rtt_median_ms,
            raw.c.rtt_max_ms,
        ).where(*where)
    ).all()
    buckets = fold(rows, unit)
    upsert_buckets(connection, table, buckets)
    return len(rows), len(buckets)


def roll_up_chunk(
    connection: Connection, *, point_ids: Sequence[int], start: datetime, end: datetime
) -> ChunkReport:
    """Fold the raw rows of these points with start <= started_at < end (one UTC day at
    most, so each day bucket is complete) into the daily table and delete them. Their hours
    are already in the hourly table (probes/history/hourly_summary.py: the caller checks)."""
    if end - start > timedelta(days=1) or bucket_start(start, "day") != start:
        raise ValueError("a chunk is at most one UTC day, starting at midnight")
    report = ChunkReport()
    read, report.buckets["day"] = aggregate(
        connection, unit="day", start=start, end=end, point_ids=point_ids
    )
    raw = ProbeResult.__table__  # type: ignore[attr-defined]
    report.raw_rows = connection.execute(
        delete(raw).where(*_raw_where(start, end, point_ids))
    ).rowcount
    if read is not None and report.raw_rows != read:  # the transaction's snapshot ensures it
        raise RuntimeError(f"rolled up {read} rows but deleted {report.raw_rows}")
    return report
