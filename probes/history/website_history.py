"""Websites' checks, written and read back.

Writing (inside the round's transaction, probes.history.store): the checks, a replayed one
stored once (the unique check key), then the incidents they imply: a website is down after
K consecutive checks by its own agent that did not reach it (`up` false), and up again at
its first check that did. Reading: each website's latest check, and the share of checks up
over a window.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, func, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from inventory.models import Website, WebsiteCheck, WebsiteIncident


def insert_checks(connection: Connection, records: Sequence[dict[str, Any]]) -> list[int]:
    """Insert checks, skipping those already stored; returns the website ids inserted."""
    if not records:
        return []
    table = WebsiteCheck.__table__  # type: ignore[attr-defined]
    dialect = connection.dialect.name
    if dialect == "sqlite":
        statement: Any = sqlite.insert(table).on_conflict_do_nothing()
    elif dialect == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing()
    else:  # the project runs on SQLite and PostgreSQL only
        statement = insert(table)
    result = connection.execute(statement.returning(table.c.website_id), list(records))
    return [website_id for (website_id,) in result]


@dataclass
class WebsiteIncidentChanges:
    opened: int = 0
    closed: int = 0


def update_website_incidents(
    session: Session,
    *,
    agent: str,
    checked: Collection[int],
    down_after: int,
) -> WebsiteIncidentChanges:
    """Open or close incidents of the websites in `checked` after their checks were stored."""
    changes = WebsiteIncidentChanges()
    if not checked:
        return changes
    own = set(
        session.exec(
            select(Website.id)
            .where(col(Website.id).in_(list(checked)))
            .where(Website.agent == agent)
        ).all()
    )
    open_incidents = {
        i.website_id: i
        for i in session.exec(
            select(WebsiteIncident)
            .where(col(WebsiteIncident.website_id).in_(list(own)))
            .where(col(WebsiteIncident.up_at).is_(None))
        ).all()
    }
    for website_id in sorted(i for i in own if i is not None):
        recent = session.exec(
            select(WebsiteCheck.checked_at, WebsiteCheck.up)
            .where(WebsiteCheck.website_id == website_id)
            .where(WebsiteCheck.agent == agent)
            .order_by(col(WebsiteCheck.checked_at).desc())
            .limit(down_after)
        ).all()
        if not recent:
            continue
        latest_at, latest_up = recent[0]
        incident = open_incidents.get(website_id)
        if latest_up:
            if incident is not None and latest_at > incident.down_from:
                incident.up_at = latest_at
                session.add(incident)
                changes.closed += 1
            continue
        if incident is not None or len(recent) < down_after or any(up for _, up in recent):
            continue
        session.add(WebsiteIncident(website_id=website_id, agent=agent, down_from=recent[-1][0]))
        changes.opened += 1
    session.flush()
    return changes


def latest_checks(session: Session, website_ids: Collection[int]) -> dict[int, WebsiteCheck]:
    """Each website's newest check by its own agent."""
    if not website_ids:
        return {}
    newest = (
        select(
            WebsiteCheck.website_id,
            func.max(WebsiteCheck.checked_at).label("at"),
        )
        .join(Website, col(Website.id) == col(WebsiteCheck.website_id))
        .where(col(WebsiteCheck.agent) == col(Website.agent))
        .where(col(WebsiteCheck.website_id).in_(list(website_ids)))
        .group_by(col(WebsiteCheck.website_id))
        .subquery()
    )
    rows = session.exec(
        select(WebsiteCheck)
        .join(Website, col(Website.id) == col(WebsiteCheck.website_id))
        .join(
            newest,
            (newest.c.website_id == col(WebsiteCheck.website_id))
            & (newest.c.at == col(WebsiteCheck.checked_at)),
        )
        .where(col(WebsiteCheck.agent) == col(Website.agent))
    ).all()
    return {row.website_id: row for row in rows}


@dataclass(frozen=True)
class WebsiteAvailability:
    checks: int
    up: int

    @property
    def ratio(self) -> float | None:
        return None if self.checks == 0 else self.up / self.checks


def website_availability(
    session: Session, *, website_ids: Collection[int], window: timedelta, now: datetime
) -> dict[int, WebsiteAvailability]:
    """Share of each website's checks (by its own agent) in the window that reached it."""
    if not website_ids:
        return {}
    rows = session.exec(
        select(
            WebsiteCheck.website_id,
            func.count(),
            func.sum(case((col(WebsiteCheck.up), 1), else_=0)),
        )
        .join(Website, col(Website.id) == col(WebsiteCheck.website_id))
        .where(col(WebsiteCheck.agent) == col(Website.agent))
        .where(col(WebsiteCheck.website_id).in_(list(website_ids)))
        .where(col(WebsiteCheck.checked_at) > now - window)
        .where(col(WebsiteCheck.checked_at) <= now)
        .group_by(col(WebsiteCheck.website_id))
    ).all()
    found = {wid: WebsiteAvailability(int(n), int(up or 0)) for wid, n, up in rows}
    return {wid: found.get(wid, WebsiteAvailability(0, 0)) for wid in website_ids}
