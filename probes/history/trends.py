"""A point's history as a series of hours or days, Smokeping-style: rounds, availability,
loss and RTT quantiles per bucket, from the hourly and daily aggregates where hours are
summarised and from the raw rounds elsewhere (probes/history/rollup_read.py), so a trend can reach
back a year.

Hours from raw rows are folded exactly as the retention folds them. A day assembled from
hourly aggregates combines their medians and 90th percentiles by RTT-count-weighted mean
(as a late round merged into an aggregate); days past the hourly horizon are the daily
aggregates themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from inventory.errors import IctrError
from inventory.models import ConnectionPoint, ProbeResult
from probes.history.retention import hourly_horizon
from probes.history.rollup_build import DAILY, HOURLY, bucket_start, fold, merge
from probes.history.rollup_read import split_window

RESOLUTIONS = ("hour", "day")


@dataclass(frozen=True)
class TrendPoint:
    start: datetime
    resolution: str  # "hour" or "day"
    rounds: int
    up_rounds: int
    sent: int
    received: int
    rtt_min_ms: float | None
    rtt_median_ms: float | None
    rtt_p90_ms: float | None
    rtt_max_ms: float | None

    @property
    def availability(self) -> float | None:
        return None if self.rounds == 0 else self.up_rounds / self.rounds

    @property
    def loss(self) -> float | None:
        return None if self.sent == 0 else 1 - self.received / self.sent


def point_trend(
    session: Session,
    *,
    point_id: int,
    since: datetime,
    until: datetime,
    by: str = "hour",
    agent: str | None = None,
) -> list[TrendPoint]:
    """Buckets starting in [since, until), oldest first; `agent=None`: the point's own."""
    if by not in RESOLUTIONS:
        raise IctrError(f"unknown resolution {by!r}: use hour or day")
    if agent is None:
        point = session.get(ConnectionPoint, point_id)
        if point is None:
            raise IctrError(f"no connection point with id {point_id}")
        agent = point.agent
    buckets: dict[datetime, tuple[str, dict[str, Any]]] = {}

    def add(start: datetime, resolution: str, values: dict[str, Any]) -> None:
        if start in buckets:
            values = merge(buckets[start][1], values)
        buckets[start] = (resolution, values)

    raw = ProbeResult.__table__  # type: ignore[attr-defined]
    split = split_window(session, since, until)
    ranges = [(since, until)]
    if not split.all_raw:
        ranges = [(since, split.head_until), (split.tail_from, until)]
    rows = [
        row
        for start, end in ranges
        for row in session.execute(
            select(raw).where(
                raw.c.point_id == point_id,
                raw.c.agent == agent,
                raw.c.started_at >= start,
                raw.c.started_at < end,
            )
        )
    ]
    for (_point, _agent, start), values in fold(rows, by).items():
        add(start, by, values)
    horizon = hourly_horizon(session)
    for table, resolution in ((HOURLY, "hour"), (DAILY, "day")):
        statement = select(table).where(
            table.c.point_id == point_id,
            table.c.agent == agent,
            table.c.period_start >= split.buckets_from,
            table.c.period_start < split.buckets_until,
        )
        if horizon is not None:
            statement = statement.where(
                table.c.period_start >= horizon
                if resolution == "hour"
                else table.c.period_start < horizon
            )
        elif resolution == "day":
            continue  # every day still has its hours
        for row in session.execute(statement.order_by(col(table.c.period_start))):
            values = dict(row._mapping)
            # Finer buckets than asked are gathered; coarser ones stand as they are.
            start = bucket_start(row.period_start, by) if resolution == "hour" else row.period_start
            add(start, resolution if by == "hour" else "day", values)
    return [
        TrendPoint(
            start=start,
            resolution=resolution,
            rounds=values["rounds"],
            up_rounds=values["up_rounds"],
            sent=values["sent"],
            received=values["received"],
            rtt_min_ms=values["rtt_min_ms"],
            rtt_median_ms=values["rtt_median_ms"],
            rtt_p90_ms=values["rtt_p90_ms"],
            rtt_max_ms=values["rtt_max_ms"],
        )
        for start, (resolution, values) in sorted(buckets.items())
    ]
