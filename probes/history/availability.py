"""Availability over a window, from the stored rounds: the share of a point's rounds in
which it answered anything (a round with several methods counts once). Whole hours already
summarised count through their hourly or daily aggregates, the rest through the raw rows
(probes/history/rollup_read.py).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from inventory.models import ConnectionPoint, ProbeResult
from probes.history.rollup_read import rolled_up, split_window

WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}


@dataclass(frozen=True)
class Availability:
    point_id: int
    rounds: int
    up_rounds: int

    @property
    def ratio(self) -> float | None:
        """Share of rounds up, or None when the point was not probed in the window."""
        return None if self.rounds == 0 else self.up_rounds / self.rounds


def _add(found: dict[int, Availability], point_id: int, rounds: int, up_rounds: int) -> None:
    before = found.get(point_id)
    if before is not None:
        rounds, up_rounds = rounds + before.rounds, up_rounds + before.up_rounds
    found[point_id] = Availability(point_id=point_id, rounds=rounds, up_rounds=up_rounds)


def _rounds_statement(
    in_range: ColumnElement[bool], agent: str | None, point_ids: Collection[int] | None
) -> Any:
    """Per point: rounds with something sent in the range, and those answered."""
    agent_match = (
        col(ProbeResult.agent) == col(ConnectionPoint.agent)
        if agent is None
        else col(ProbeResult.agent) == agent
    )
    # Driven by the points: each one is a range of the (point, agent, time) index.
    per_round: Any = (
        select(
            col(ConnectionPoint.id).label("point_id"),
            col(ProbeResult.started_at),
            func.max(ProbeResult.received).label("best"),
        )
        .join(
            ProbeResult,
            and_(col(ProbeResult.point_id) == col(ConnectionPoint.id), agent_match, in_range),
        )
        .group_by(col(ConnectionPoint.id), col(ProbeResult.started_at))
        .having(func.max(ProbeResult.sent) > 0)
    )
    if point_ids is not None:
        per_round = per_round.where(col(ConnectionPoint.id).in_(list(point_ids)))
    rounds = per_round.subquery()
    return select(
        rounds.c.point_id,
        func.count(),
        func.sum(case((rounds.c.best > 0, 1), else_=0)),
    ).group_by(rounds.c.point_id)


def availability(
    session: Session,
    *,
    window: timedelta,
    now: datetime,
    agent: str | None = None,
    point_ids: Collection[int] | None = None,
) -> dict[int, Availability]:
    """Per point: rounds in (now - window, now] and how many of them were up.

    `agent=None` counts each point's own agent (a point watched by another agent too is
    judged by its own); a name gives that agent's view, for diagnosis.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    since = now - window
    split = split_window(session, since, now)
    started = col(ProbeResult.started_at)
    ranges = [and_(started >= split.tail_from, started <= now)]
    if split.all_raw:
        ranges = [and_(started > since, started <= now)]
    elif split.head_until > since:
        ranges.append(and_(started > since, started < split.head_until))
    found: dict[int, Availability] = {}
    for in_range in ranges:
        for point_id, total, up in session.exec(
            _rounds_statement(in_range, agent, point_ids)
        ).all():
            _add(found, point_id, int(total), int(up or 0))
    if split.buckets_from < split.buckets_until:
        for point_id, old in rolled_up(
            session,
            since=split.buckets_from,
            until=split.buckets_until,
            agent=agent,
            point_ids=point_ids,
        ).items():
            _add(found, point_id, old.rounds, old.up_rounds)
    for point_id in point_ids or ():
        found.setdefault(point_id, Availability(point_id=point_id, rounds=0, up_rounds=0))
    return found
