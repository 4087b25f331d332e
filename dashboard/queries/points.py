"""Connection points with their current status, last check, loss, RTT and 24 h availability.

Only rows of a point's own agent count (another agent's view is for diagnosis), as in the
indicators. The latest round is read straight from the table; availability comes from the
probes (`probes.history.availability`), which also counts rounds already folded into aggregates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import and_, func, select
from sqlmodel import Session, col

from dashboard.point_status import shown_status
from dashboard.queries.units import unit_frame
from inventory.models import Agency, ConnectionPoint, ProbeResult
from probes.history.availability import availability
from probes.history.point_status import current_status

AVAILABILITY_WINDOW = timedelta(hours=24)
COLUMNS = [
    "id", "code", "name", "address", "unit_code", "unit_name", "district_code",
    "district_name", "agency_name", "latitude", "longitude", "agent", "provider",
    "bandwidth_mbps", "last_check", "status", "loss", "rtt_median_ms", "availability_24h",
    "rounds_24h",
]  # fmt: skip


@dataclass(frozen=True)
class RoundRow:
    """One stored method row of a round (a ProbeResult)."""

    method: str
    sent: int
    received: int
    rtt_median_ms: float | None
    error: str | None


def round_loss(rows: Sequence[RoundRow]) -> float | None:
    """Share of probes lost in the round (0..1), None when nothing was sent."""
    sent = sum(r.sent for r in rows)
    return None if sent == 0 else 1 - sum(r.received for r in rows) / sent


def round_rtt(rows: Sequence[RoundRow]) -> float | None:
    """ICMP's median RTT when there is one (the path, not a service), else the first."""
    measured = [r for r in rows if r.rtt_median_ms is not None]
    shown = next((r for r in measured if r.method == "icmp"), measured[0] if measured else None)
    return None if shown is None else shown.rtt_median_ms


_OWN = and_(
    col(ConnectionPoint.id) == col(ProbeResult.point_id),
    col(ConnectionPoint.agent) == col(ProbeResult.agent),
)


def _latest_rounds(session: Session) -> dict[int, tuple[datetime, list[RoundRow]]]:
    latest = (
        select(
            col(ProbeResult.point_id).label("pid"), func.max(col(ProbeResult.started_at)).label("t")
        )
        .join(ConnectionPoint, _OWN)
        .group_by(col(ProbeResult.point_id))
        .subquery()
    )
    statement = (
        select(
            col(ProbeResult.point_id),
            col(ProbeResult.started_at),
            col(ProbeResult.method),
            col(ProbeResult.sent),
            col(ProbeResult.received),
            col(ProbeResult.rtt_median_ms),
            col(ProbeResult.error),
        )
        .join(ConnectionPoint, _OWN)
        .join(
            latest,
            and_(
                latest.c.pid == col(ProbeResult.point_id), latest.c.t == col(ProbeResult.started_at)
            ),
        )
    )
    found: dict[int, tuple[datetime, list[RoundRow]]] = {}
    for point_id, started, method, sent, received, rtt, error in session.execute(statement):
        entry = found.setdefault(point_id, (started, []))
        entry[1].append(RoundRow(method, sent, received, rtt, error))
    return found


def availability_counts(
    session: Session, *, now: datetime, window: timedelta = AVAILABILITY_WINDOW
) -> dict[int, tuple[int, int]]:
    """point id -> (rounds, rounds with any reply) in the `window` before `now`, judged by
    each point's own agent; rounds past the raw retention count through their aggregates
    (the probes' own definition, the one the indicators use)."""
    found = availability(session, window=window, now=now)
    return {point_id: (a.rounds, a.up_rounds) for point_id, a in found.items()}


def point_views(session: Session, *, now: datetime, active_only: bool = True) -> pd.DataFrame:
    """One row per point (columns `COLUMNS`); loss and availability are shares 0..1."""
    statement = select(
        col(ConnectionPoint.id),
        col(ConnectionPoint.code),
        col(ConnectionPoint.name),
        col(ConnectionPoint.address),
        col(ConnectionPoint.unit_code),
        col(Agency.name),
        col(ConnectionPoint.latitude),
        col(ConnectionPoint.longitude),
        col(ConnectionPoint.agent),
        col(ConnectionPoint.provider),
        col(ConnectionPoint.bandwidth_mbps),
    ).outerjoin(Agency, col(Agency.id) == col(ConnectionPoint.agency_id))
    if active_only:
        statement = statement.where(col(ConnectionPoint.active))
    points = session.execute(statement.order_by(col(ConnectionPoint.code))).all()
    units = unit_frame(session)
    unit_names = dict(zip(units["code"], units["name"], strict=True))
    district_of = dict(zip(units["code"], units["district_code"], strict=True))
    latest = _latest_rounds(session)
    available = availability_counts(session, now=now)
    records = []
    for point_id, code, name, address, unit_code, agency_name, *rest in points:
        started, rows = latest.get(point_id, (None, []))
        rounds, up = available.get(point_id, (0, 0))
        district = district_of.get(unit_code)
        loss = round_loss(rows)
        records.append(
            (
                point_id, code, name, address, unit_code, unit_names.get(unit_code),
                district, unit_names.get(district) if district else None, agency_name, *rest,
                started, shown_status(current_status(started, rows, now)),
                float("nan") if loss is None else loss, round_rtt(rows),
                up / rounds if rounds else float("nan"), rounds,
            )
        )  # fmt: skip
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame["rtt_median_ms"] = frame["rtt_median_ms"].astype(float)
    return frame
