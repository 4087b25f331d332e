"""Incidents: a point is down after K consecutive failed rounds and up again after one
good round. A failed round is one in which nothing answered (every row received 0);
a round in which nothing was sent to the point (refused, unresolvable) does not count.

Only a point's own agent (connection_point.agent) opens and closes its incidents; the rows
of an agent that merely watches the point are kept for diagnosis and change nothing here.
An incident left open by a former own agent (the point was reassigned) ends at the new
own agent's first stored round.

Everything is derived from the stored rows, so a round replayed from the spool has the
same effect as one stored at once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from inventory.models import ConnectionPoint, Incident, ProbeResult


@dataclass
class IncidentChanges:
    opened: int = 0
    closed: int = 0


def round_outcomes(
    session: Session, *, agent: str, started_at: datetime, point_ids: Collection[int]
) -> dict[int, bool]:
    """point id -> True when the point answered anything in the round at `started_at`
    (points to which nothing was sent in that round are left out)."""
    if not point_ids:
        return {}
    statement = (
        select(ProbeResult.point_id, func.max(ProbeResult.received))
        .where(ProbeResult.agent == agent)
        .where(ProbeResult.started_at == started_at)
        .where(col(ProbeResult.point_id).in_(list(point_ids)))
        .group_by(col(ProbeResult.point_id))
        .having(func.max(ProbeResult.sent) > 0)
    )
    return {point_id: (best or 0) > 0 for point_id, best in session.exec(statement).all()}


def _recent_rounds(
    session: Session, *, point_id: int, agent: str, until: datetime, limit: int
) -> Sequence[tuple[datetime, int]]:
    """The last `limit` rounds of a point up to `until`: (started_at, best received)."""
    statement = (
        select(ProbeResult.started_at, func.max(ProbeResult.received))
        .where(ProbeResult.point_id == point_id)
        .where(ProbeResult.agent == agent)
        .where(ProbeResult.started_at <= until)
        .group_by(col(ProbeResult.started_at))
        .having(func.max(ProbeResult.sent) > 0)
        .order_by(col(ProbeResult.started_at).desc())
        .limit(limit)
    )
    return [(started, best or 0) for started, best in session.exec(statement).all()]


def update_incidents(
    session: Session,
    *,
    agent: str,
    started_at: datetime,
    point_ids: Collection[int],
    down_after: int,
) -> IncidentChanges:
    """Open or close incidents after the round at `started_at` has been stored."""
    changes = IncidentChanges()
    outcomes = round_outcomes(session, agent=agent, started_at=started_at, point_ids=point_ids)
    if outcomes:
        own = set(
            session.exec(
                select(ConnectionPoint.id)
                .where(col(ConnectionPoint.id).in_(list(outcomes)))
                .where(ConnectionPoint.agent == agent)
            ).all()
        )
        outcomes = {point: answered for point, answered in outcomes.items() if point in own}
    if not outcomes:
        return changes
    for stale in session.exec(
        select(Incident)
        .where(col(Incident.point_id).in_(list(outcomes)))
        .where(Incident.agent != agent)
        .where(col(Incident.up_at).is_(None))
    ).all():
        stale.up_at = max(started_at, stale.down_from)
        session.add(stale)
        changes.closed += 1
    open_incidents = {
        incident.point_id: incident
        for incident in session.exec(
            select(Incident)
            .where(Incident.agent == agent)
            .where(col(Incident.up_at).is_(None))
            .where(col(Incident.point_id).in_(list(outcomes)))
        ).all()
    }
    for point_id, answered in outcomes.items():
        incident = open_incidents.get(point_id)
        if answered:
            if incident is not None and started_at > incident.down_from:
                incident.up_at = started_at
                session.add(incident)
                changes.closed += 1
            continue
        if incident is not None:
            continue
        rounds = _recent_rounds(
            session, point_id=point_id, agent=agent, until=started_at, limit=down_after
        )
        if len(rounds) < down_after or any(best > 0 for _, best in rounds):
            continue
        down_from = rounds[-1][0]  # down since the first of the K failed rounds
        covered = session.exec(
            select(func.count())
            .select_from(Incident)
            .where(Incident.point_id == point_id)
            .where(Incident.agent == agent)
            .where(Incident.down_from <= started_at)
            .where(col(Incident.up_at) > down_from)
        ).one()
        if covered:
            continue  # an old round replayed again: that outage is already recorded
        session.add(Incident(point_id=point_id, agent=agent, down_from=down_from))
        changes.opened += 1
    session.flush()
    return changes


@dataclass
class IncidentView:
    code: str
    name: str
    agent: str
    down_from: datetime
    up_at: datetime | None
    duration: timedelta  # up to `now` for an incident still open


def list_incidents(
    session: Session, *, now: datetime, since: datetime | None = None, open_only: bool = False
) -> list[IncidentView]:
    """Incidents newest first, with their duration."""
    statement = select(Incident, ConnectionPoint.code, ConnectionPoint.name).join(
        ConnectionPoint, col(ConnectionPoint.id) == col(Incident.point_id)
    )
    if open_only:
        statement = statement.where(col(Incident.up_at).is_(None))
    if since is not None:
        statement = statement.where(
            (col(Incident.up_at).is_(None)) | (col(Incident.up_at) >= since)
        )
    statement = statement.order_by(col(Incident.down_from).desc())
    return [
        IncidentView(
            code=code,
            name=name,
            agent=incident.agent,
            down_from=incident.down_from,
            up_at=incident.up_at,
            duration=(incident.up_at or now) - incident.down_from,
        )
        for incident, code, name in session.exec(statement).all()
    ]
