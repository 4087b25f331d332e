"""Reading the aggregates of rounds past the raw retention (probes/retention.py).

A raw row is either still in probe_result or folded into exactly one hourly and one daily
row, never both; hourly rows are read from the hourly horizon on and daily rows before it.
So a window's figures are: raw rows in the window + these totals. At the window's start the
aggregates count by bucket: a bucket counts when it starts inside the window.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Table, and_, func, select
from sqlmodel import Session, col

from inventory.models import ConnectionPoint, ProbeDaily, ProbeHourly
from probes.retention import hourly_horizon


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
            statement = statement.where(col(ConnectionPoint.id).in_(list(point_ids)))
        for point_id, *sums in session.execute(statement):
            part = RolledUp(*(int(value or 0) for value in sums))
            found[point_id] = found[point_id] + part if point_id in found else part
    return found
