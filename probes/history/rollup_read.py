"""Reading a window of rounds from the aggregates and the raw rows without counting any
round twice (probes/history/hourly_summary.py, probes/history/retention.py).

Every hour before the watermark is in probe_hourly (its raw rows may still be kept, or
folded into probe_daily and gone); hourly rows are read from the hourly horizon on and daily
rows before it. So a window is split (`split_window`): its whole hours before the watermark
come from the aggregates, the rest (the part-hour at its start, and everything from the
watermark or the window's last hour on) from the raw rows. Without a watermark (nothing
summarised yet) the raw rows and the aggregates never overlap: a window is all its raw rows
plus the aggregates that start inside it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import Table, and_, func, select
from sqlmodel import Session, col

from inventory.models import ConnectionPoint, ProbeDaily, ProbeHourly
from probes.history.hourly_summary import watermark
from probes.history.retention import hourly_horizon
from probes.history.rollup_build import bucket_start


@dataclass(frozen=True)
class RolledUp:
    """One point's aggregated rounds in a window (see inventory/models/rollups.py)."""

    rounds: int = 0
    up_rounds: int = 0
    results: int = 0
    good_results: int = 0
    sent: int = 0
    received: int = 0
    rtt_count: int = 0

    def __add__(self, other: RolledUp) -> RolledUp:
        return RolledUp(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(RolledUp)))


@dataclass(frozen=True)
class WindowSplit:
    """Read the raw rows in [since, head_until) and [tail_from, until] (with the caller's own
    bounds at `since` and `until`), plus the aggregates of buckets starting in
    [buckets_from, buckets_until)."""

    head_until: datetime
    tail_from: datetime
    buckets_from: datetime
    buckets_until: datetime

    @property
    def all_raw(self) -> bool:
        """No hour of the window is read from the aggregates in place of its raw rows."""
        return self.head_until >= self.tail_from


def split_window(session: Session, since: datetime, until: datetime) -> WindowSplit:
    """How to read the window from `since` to `until` (see the module docstring)."""
    through = watermark(session)
    if through is None:  # every raw row, plus the aggregates of rounds folded (none overlap)
        return WindowSplit(until, until, since, until)
    first_hour = bucket_start(since, "hour")
    if first_hour < since:
        first_hour += timedelta(hours=1)
    last = min(through, bucket_start(until, "hour"))
    if first_hour >= last:  # no whole hour before the watermark: every raw row
        return WindowSplit(until, until, until, until)
    return WindowSplit(first_hour, last, first_hour, last)


HOURLY: Table = ProbeHourly.__table__  # type: ignore[attr-defined]
DAILY: Table = ProbeDaily.__table__  # type: ignore[attr-defined]


def _spans(
    session: Session, since: datetime, until: datetime
) -> list[tuple[Table, datetime, datetime]]:
    """Which table covers which part of [since, until)."""
    horizon = hourly_horizon(session)
    if horizon is None or horizon <= since:
        return [(HOURLY, since, until)]
    if horizon >= until:
        return [(DAILY, since, until)]
    return [(DAILY, since, horizon), (HOURLY, horizon, until)]


def rolled_up(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    agent: str | None = None,
    point_ids: Collection[int] | None = None,
) -> dict[int, RolledUp]:
    """Per point, the aggregated rounds of buckets starting in [since, until).

    `agent=None` reads each point's own agent (what counts for status and indicators);
    a name reads that agent's view. Driven by the points, so each one is an index range
    on (point, period_start).
    """
    found: dict[int, RolledUp] = {}
    names = [f.name for f in fields(RolledUp)]
    for table, start, end in _spans(session, since, until):
        agent_match = (
            table.c.agent == col(ConnectionPoint.agent) if agent is None else table.c.agent == agent
        )
        statement = (
            select(col(ConnectionPoint.id), *[func.sum(table.c[name]) for name in names])
            .join(
                table,
                and_(
                    table.c.point_id == col(ConnectionPoint.id),
                    agent_match,
                    table.c.period_start >= start,
                    table.c.period_start < end,
                ),
            )
            .group_by(col(ConnectionPoint.id))
        )
        if point_ids is not None:
            # On the aggregates' own column too: PostgreSQL then reads those points' ranges
            # of the (point, period) key instead of scanning the whole table.
            ids = list(point_ids)
            statement = statement.where(col(ConnectionPoint.id).in_(ids), table.c.point_id.in_(ids))
        for point_id, *sums in session.execute(statement):
            part = RolledUp(*(int(value or 0) for value in sums))
            found[point_id] = found[point_id] + part if point_id in found else part
    return found
