"""Fold raw probe rows into hourly and daily aggregates, then delete them: one chunk (some
points, one UTC day) inside the caller's transaction.

The caller's transaction must see one snapshot for the whole chunk (SQLite: BEGIN
IMMEDIATE; PostgreSQL: REPEATABLE READ), so exactly the rows aggregated are deleted and a
round stored meanwhile by an agent is left for the next run.

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

from sqlalchemy import Connection, Table, delete, insert, select, text, update
from sqlmodel import col

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


def _raw_in_chunk(point_ids: Sequence[int], start: datetime, end: datetime) -> Any:
    return (
        col(ProbeResult.point_id).in_(list(point_ids)),
        col(ProbeResult.started_at) >= start,
        col(ProbeResult.started_at) < end,
    )


def _roll_up_in_python(
    connection: Connection, point_ids: Sequence[int], start: datetime, end: datetime
) -> ChunkReport:
    """SQLite: read the chunk's rows (a day of a province is tens of thousands) and fold."""
    report = ChunkReport()
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
        ).where(*_raw_in_chunk(point_ids, start, end))
    ).all()
    if not rows:
        return report
    for unit, table in BUCKETS.items():
        buckets = fold(rows, unit)
        existing = {
            (r.point_id, r.agent, r.period_start): dict(r._mapping)
            for r in connection.execute(
                select(table).where(
                    table.c.point_id.in_(list(point_ids)),
                    table.c.period_start >= start,
                    table.c.period_start < end,
                )
            )
        }
        fresh = []
        for key, values in buckets.items():
            if key in existing:
                old = existing[key]
                connection.execute(
                    update(table).where(table.c.id == old["id"]).values(**merge(old, values))
                )
            else:
                fresh.append(
                    {"point_id": key[0], "agent": key[1], "period_start": key[2], **values}
                )
        if fresh:
            connection.execute(insert(table), fresh)
        report.buckets[unit] = len(buckets)
    deleted = connection.execute(delete(raw).where(*_raw_in_chunk(point_ids, start, end)))
    report.raw_rows = deleted.rowcount
    if report.raw_rows != len(rows):  # the transaction's snapshot guarantees this
        raise RuntimeError(f"rolled up {len(rows)} rows but deleted {report.raw_rows}")
    return report


_PG_MERGE = ", ".join(
    [f"{name} = t.{name} + excluded.{name}" for name in COUNTS]
    + [
        "rtt_min_ms = LEAST(t.rtt_min_ms, excluded.rtt_min_ms)",
        "rtt_max_ms = GREATEST(t.rtt_max_ms, excluded.rtt_max_ms)",
    ]
    + [
        f"{name} = CASE WHEN t.rtt_count = 0 THEN excluded.{name} "
        f"WHEN excluded.rtt_count = 0 THEN t.{name} "
        f"ELSE (t.{name} * t.rtt_count + excluded.{name} * excluded.rtt_count) "
        f"/ (t.rtt_count + excluded.rtt_count) END"
        for name in ("rtt_median_ms", "rtt_p90_ms")
    ]
)

_PG_CHUNK = """
    SELECT point_id, agent, started_at, sent, received, rtt_min_ms, rtt_median_ms, rtt_max_ms
    FROM probe_result
    WHERE point_id = ANY(:ids) AND started_at >= :start AND started_at < :end
"""


def _pg_insert(table: str, unit: str) -> str:
    # xmax = 0 tells a new row from one merged by ON CONFLICT; both count as written.
    return f"""
        INSERT INTO {table} AS t (point_id, agent, period_start, {", ".join(COUNTS)},
            rtt_min_ms, rtt_median_ms, rtt_p90_ms, rtt_max_ms)
        SELECT point_id, agent, date_trunc('{unit}', started_at, 'UTC'),
            count(DISTINCT started_at) FILTER (WHERE sent > 0),
            count(DISTINCT started_at) FILTER (WHERE received > 0),
            count(*), count(*) FILTER (WHERE received > 0),
            sum(sent), sum(received), count(rtt_median_ms),
            min(rtt_min_ms),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY rtt_median_ms),
            percentile_cont(0.9) WITHIN GROUP (ORDER BY rtt_median_ms),
            max(rtt_max_ms)
        FROM ({_PG_CHUNK}) AS chunk
        GROUP BY 1, 2, 3
        ON CONFLICT (point_id, period_start, agent) DO UPDATE SET {_PG_MERGE}
    """


def _roll_up_in_postgres(
    connection: Connection, point_ids: Sequence[int], start: datetime, end: datetime
) -> ChunkReport:
    """PostgreSQL: the aggregation runs in the server; nothing travels to Python."""
    report = ChunkReport()
    params = {"ids": list(point_ids), "start": start, "end": end}
    for unit, table in BUCKETS.items():
        written = connection.execute(text(_pg_insert(table.name, unit)), params)
        report.buckets[unit] = written.rowcount
    deleted = connection.execute(
        text(
            "DELETE FROM probe_result "
            "WHERE point_id = ANY(:ids) AND started_at >= :start AND started_at < :end"
        ),
        params,
    )
    report.raw_rows = deleted.rowcount
    return report


def roll_up_chunk(
    connection: Connection, *, point_ids: Sequence[int], start: datetime, end: datetime
) -> ChunkReport:
    """Fold the raw rows of these points with start <= started_at < end (one UTC day at
    most, so each day bucket is complete) into both tables and delete them."""
    if end - start > timedelta(days=1) or bucket_start(start, "day") != start:
        raise ValueError("a chunk is at most one UTC day, starting at midnight")
    if connection.dialect.name == "postgresql":
        return _roll_up_in_postgres(connection, point_ids, start, end)
    return _roll_up_in_python(connection, point_ids, start, end)
