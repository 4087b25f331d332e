"""Outages (Incident rows) with the point they hit and how long they lasted."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlmodel import Session, col, or_, select

from inventory.models import ConnectionPoint, Incident

COLUMNS = ["point_id", "code", "name", "agent", "down_from", "up_at", "open", "duration_min"]


def incident_frame(
    session: Session, *, now: datetime, since: datetime | None = None
) -> pd.DataFrame:
    """Incidents open now or ended after `since`, newest first; open ones last until `now`."""
    statement = select(Incident, ConnectionPoint.code, ConnectionPoint.name).join(
        ConnectionPoint, col(ConnectionPoint.id) == col(Incident.point_id)
    )
    if since is not None:
        statement = statement.where(
            or_(col(Incident.up_at).is_(None), col(Incident.up_at) >= since)
        )
    rows = session.exec(statement.order_by(col(Incident.down_from).desc())).all()
    return pd.DataFrame(
        [
            (
                incident.point_id,
                code,
                name,
                incident.agent,
                incident.down_from,
                incident.up_at,
                incident.up_at is None,
                ((incident.up_at or now) - incident.down_from).total_seconds() / 60,
            )
            for incident, code, name in rows
        ],
        columns=COLUMNS,
    )
