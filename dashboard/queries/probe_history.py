"""One point's rounds over a window, for the Smokeping-style latency and loss chart."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session, col

from inventory.models import ConnectionPoint, ProbeResult

COLUMNS = ["started_at", "method", "sent", "received", "loss", "rtt_min_ms",
           "rtt_median_ms", "rtt_max_ms", "error"]  # fmt: skip


def point_history(
    session: Session, *, point_id: int, since: datetime, until: datetime
) -> pd.DataFrame:
    """Rows of the point's own agent, oldest first; `loss` is a share 0..1 (NaN if none sent)."""
    point = session.get(ConnectionPoint, point_id)
    if point is None:
        return pd.DataFrame(columns=COLUMNS)
    rows = session.execute(
        select(
            col(ProbeResult.started_at),
            col(ProbeResult.method),
            col(ProbeResult.sent),
            col(ProbeResult.received),
            col(ProbeResult.rtt_min_ms),
            col(ProbeResult.rtt_median_ms),
            col(ProbeResult.rtt_max_ms),
            col(ProbeResult.error),
        )
        .where(col(ProbeResult.point_id) == point_id, col(ProbeResult.agent) == point.agent)
        .where(col(ProbeResult.started_at) >= since, col(ProbeResult.started_at) <= until)
        .order_by(col(ProbeResult.started_at), col(ProbeResult.method))
    ).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "started_at",
            "method",
            "sent",
            "received",
            "rtt_min_ms",
            "rtt_median_ms",
            "rtt_max_ms",
            "error",
        ],  # fmt: skip
    )
    sent = frame["sent"].astype(float)
    frame["loss"] = (1 - frame["received"] / sent.where(sent > 0)).astype(float)
    for column in ("rtt_min_ms", "rtt_median_ms", "rtt_max_ms"):
        frame[column] = frame[column].astype(float)
    return frame[COLUMNS]


def median_history(
    session: Session, *, point_ids: list[int], since: datetime, until: datetime
) -> pd.DataFrame:
    """Per point and round, the median RTT (ICMP's when the round has it): point_id,
    started_at, rtt_median_ms; rounds without a reply are left out."""
    if not point_ids:
        return pd.DataFrame(columns=["point_id", "started_at", "rtt_median_ms"])
    rows = session.execute(
        select(
            col(ProbeResult.point_id),
            col(ProbeResult.started_at),
            col(ProbeResult.method),
            col(ProbeResult.rtt_median_ms),
        )
        .join(
            ConnectionPoint,
            (col(ConnectionPoint.id) == col(ProbeResult.point_id))
            & (col(ConnectionPoint.agent) == col(ProbeResult.agent)),
        )
        .where(col(ProbeResult.point_id).in_(point_ids))
        .where(col(ProbeResult.started_at) >= since, col(ProbeResult.started_at) <= until)
        .where(col(ProbeResult.rtt_median_ms).is_not(None))
    ).all()
    frame = pd.DataFrame(rows, columns=["point_id", "started_at", "method", "rtt_median_ms"])
    frame["icmp_first"] = frame["method"] != "icmp"
    frame = frame.sort_values(["point_id", "started_at", "icmp_first"])
    frame = frame.drop_duplicates(["point_id", "started_at"])
    frame["rtt_median_ms"] = frame["rtt_median_ms"].astype(float)
    return frame[["point_id", "started_at", "rtt_median_ms"]].reset_index(drop=True)
