"""The oldest instant stored in probe_result (started_at) or probe_hourly (period_start)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from inventory.models import ConnectionPoint, ProbeHourly, ProbeResult


def oldest_instant(session: Session, column: str) -> datetime | None:
    """The oldest instant in probe_result (started_at) or probe_hourly (period_start).

    One index seek per point, (point, time) being the tables' index, instead of a scan.
    """
    if column == "started_at":
        inner = select(func.min(col(ProbeResult.started_at))).where(
            col(ProbeResult.point_id) == col(ConnectionPoint.id)
        )
    else:
        inner = select(func.min(col(ProbeHourly.period_start))).where(
            col(ProbeHourly.point_id) == col(ConnectionPoint.id)
        )
    per_point = (
        select(inner.correlate(ConnectionPoint).scalar_subquery().label("oldest"))
        .select_from(ConnectionPoint)
        .subquery()
    )
    value = session.execute(select(func.min(per_point.c.oldest))).scalar()
    if value is None:
        return None
    # A MIN over a subquery loses the column type: SQLite hands back text, naive.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
