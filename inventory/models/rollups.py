"""Probe rounds past the raw retention, kept as hourly and daily aggregates (RRD-style).

`ictr db prune` folds raw `probe_result` rows older than the retention window into one row
per point, agent and hour, and one per point, agent and UTC day, then deletes the raw rows.
Raw rows and aggregates never cover the same round, so a window's figures are the raw rows
in it plus the aggregates in it (see probes/history/rollup_read.py). Hourly rows are dropped after
their own retention; the daily rows stay.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from inventory.models.types import UTCDateTime


class ProbeRollupBase(SQLModel):
    point_id: int = Field(foreign_key="connection_point.id")
    agent: str = Field(default="", max_length=64)
    period_start: datetime = Field(sa_type=UTCDateTime, description="Start of the hour or day")
    # Rounds in which something was sent to the point, and those in which it answered
    # (a round probed with several methods counts once): availability.
    rounds: int = 0
    up_rounds: int = 0
    # probe_result rows folded in (one per round and method) and those with a reply:
    # what the readiness indicators count.
    results: int = 0
    good_results: int = 0
    sent: int = Field(default=0, sa_type=BigInteger)
    received: int = Field(default=0, sa_type=BigInteger)
    # Over the rows' median RTTs: how many, their median and 90th percentile (linear
    # interpolation, as PostgreSQL's percentile_cont); min and max of the rows' min and max.
    rtt_count: int = 0
    rtt_min_ms: float | None = None
    rtt_median_ms: float | None = None
    rtt_p90_ms: float | None = None
    rtt_max_ms: float | None = None


def _table_args(table: str) -> tuple[UniqueConstraint | CheckConstraint, ...]:
    return (
        # The key is also the index for "this point over this time range" (agent last: a
        # point has one or two agents, and pruning ranges over time without naming them).
        UniqueConstraint("point_id", "period_start", "agent", name=f"uq_{table}_key"),
        CheckConstraint(
            "up_rounds >= 0 AND up_rounds <= rounds AND good_results <= results "
            "AND received <= sent AND rtt_count <= results",
            name="counts",
        ),
    )


def _id_column() -> Column:
    return Column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )


class ProbeHourly(ProbeRollupBase, table=True):
    """One point's rounds of one hour (by started_at, UTC), for one agent."""

    __tablename__ = "probe_hourly"
    __table_args__ = _table_args("probe_hourly")

    id: int | None = Field(default=None, sa_column=_id_column())


class ProbeDaily(ProbeRollupBase, table=True):
    """One point's rounds of one UTC day, for one agent."""

    __tablename__ = "probe_daily"
    __table_args__ = _table_args("probe_daily")

    id: int | None = Field(default=None, sa_column=_id_column())
