"""Which agent probes which point.

Each point has ONE own agent (`connection_point.agent`, empty = the default agent): its
rounds decide the point's incidents, status and indicators. `ictr probe assign` sets it for
whole districts or for listed points. Any other agent may also watch a point (`ictr probe
schedule --watch-districts/--watch-points`): its rows are stored under its own name, for
diagnosis ("is it the point, or the district's link?"), and never make the point down.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from inventory.errors import IctrError
from inventory.models import AdminUnit, ConnectionPoint, ProbeResult


def units_within(session: Session, codes: Sequence[str]) -> set[str]:
    """The given unit codes (province, district or commune) and every unit below them."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not wanted:
        return set()
    known = set(
        session.execute(select(col(AdminUnit.code)).where(col(AdminUnit.code).in_(wanted)))
        .scalars()
        .all()
    )
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise IctrError(f"unknown administrative unit code(s): {', '.join(unknown)}")
    children: dict[str, list[str]] = {}
    for code, parent in session.execute(select(col(AdminUnit.code), col(AdminUnit.parent_code))):
        if parent:
            children.setdefault(parent, []).append(code)
    found, stack = set(wanted), list(wanted)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def points_by_code(session: Session, codes: Iterable[str]) -> list[ConnectionPoint]:
    """Points in the order given; an unknown code is an error naming it."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not wanted:
        return []
    rows = session.exec(select(ConnectionPoint).where(col(ConnectionPoint.code).in_(wanted))).all()
    found = {p.code: p for p in rows}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise IctrError(f"unknown connection point code(s): {', '.join(unknown)}")
    return [found[c] for c in wanted]


def points_in_units(session: Session, codes: Sequence[str]) -> list[ConnectionPoint]:
    """Every point (active or not) located in these units or below them."""
    units = units_within(session, codes)
    if not units:
        return []
    return list(
        session.exec(
            select(ConnectionPoint)
            .where(col(ConnectionPoint.unit_code).in_(sorted(units)))
            .order_by(col(ConnectionPoint.code))
        ).all()
    )


@dataclass
class AssignReport:
    changed: list[str]  # point codes now owned by the agent
    unchanged: int  # points that already were


def assign(
    session: Session, *, agent: str, districts: Sequence[str] = (), points: Sequence[str] = ()
) -> AssignReport:
    """Make `agent` the own agent of every point in `districts` and of `points`."""
    if len(agent) > 64:
        raise IctrError(f"agent name {agent!r} is longer than 64 characters")
    chosen = {p.code: p for p in points_in_units(session, districts)}
    chosen.update((p.code, p) for p in points_by_code(session, points))
    if not chosen:
        raise IctrError("nothing to assign: give --districts and/or --points")
    changed = sorted(code for code, p in chosen.items() if p.agent != agent)
    if changed:
        session.execute(
            update(ConnectionPoint)
            .where(col(ConnectionPoint.code).in_(changed))
            .values(agent=agent)
        )
    return AssignReport(changed=changed, unchanged=len(chosen) - len(changed))


@dataclass
class AgentView:
    agent: str
    own_points: int  # active points the agent is responsible for
    rows_24h: int  # rows it stored in the last 24 h (own and watched points)
    watched_points_24h: int  # points not its own it stored rows for in the last 24 h
    last_round: datetime | None


def agents_overview(session: Session, *, now: datetime) -> list[AgentView]:
    """Every agent that owns a point or stored a row in the last 24 hours."""
    since = now - timedelta(hours=24)
    own = dict(
        session.execute(
            select(col(ConnectionPoint.agent), func.count())
            .where(col(ConnectionPoint.active))
            .group_by(col(ConnectionPoint.agent))
        ).all()
    )
    owner = dict(session.execute(select(col(ConnectionPoint.id), col(ConnectionPoint.agent))).all())
    recent = session.execute(
        select(
            col(ProbeResult.agent),
            col(ProbeResult.point_id),
            func.count(),
            func.max(col(ProbeResult.started_at)),
        )
        .join(ConnectionPoint, col(ConnectionPoint.id) == col(ProbeResult.point_id))
        .where(col(ProbeResult.started_at) > since, col(ProbeResult.started_at) <= now)
        .group_by(col(ProbeResult.agent), col(ProbeResult.point_id))
    ).all()
    views: dict[str, AgentView] = {
        name: AgentView(name, int(count), 0, 0, None) for name, count in own.items()
    }
    for name, point_id, rows, last in recent:
        view = views.setdefault(name, AgentView(name, 0, 0, 0, None))
        view.rows_24h += int(rows)
        if owner.get(point_id) != name:
            view.watched_points_24h += 1
        if view.last_round is None or last > view.last_round:
            view.last_round = last
    return sorted(views.values(), key=lambda v: v.agent)
