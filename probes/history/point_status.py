"""A connection point's status: the one rule that `ictr probe run`, the dashboard (map,
status board) and the `points_up_pct` indicator all apply.

A round's status, from the rows it stored (one per method):

- `up`: every method answered and reported no problem (every configured port open);
- `degraded`: the point answers, but a method went unanswered or reported a problem
  (a configured port closed or silent, some probes unsendable);
- `down`: probes were sent and nothing answered at all;
- `skipped`: nothing was sent (a refused address, an unresolvable name): it says nothing
  about the point.

A point's current status at an instant is its latest round's, judged by the point's own
agent, unless that round is older than `STALE_AFTER` (`stale`: an old "up" must not pass
for a current one) or there is none (`no_data`). Only `up`, `degraded` and `down`
(`MEASURED`) say how the point is now.

The rule exists in two forms with the same branches in the same order: Python
(`round_status`, `current_status`), for rows already read, and SQL (`current_status_sql`),
for the indicators to judge every point in one statement. tests/test_point_status.py checks
that they agree on every boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnExpressionArgument, and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from inventory.models import ProbeResult

UP, DEGRADED, DOWN = "up", "degraded", "down"
SKIPPED = "skipped"
STALE = "stale"
NO_DATA = "no_data"
MEASURED = (UP, DEGRADED, DOWN)
STALE_AFTER = timedelta(hours=1)


class MethodRow(Protocol):
    """What the rule reads of one method's row in a round (a ProbeResult, a MethodResult)."""

    @property
    def sent(self) -> int: ...
    @property
    def received(self) -> int: ...
    @property
    def error(self) -> str | None: ...


def method_clean(row: MethodRow) -> bool:
    """The method answered and reported no problem."""
    return row.received > 0 and not row.error


def round_status(rows: Sequence[MethodRow]) -> str:
    """The status of one round of a point, from its rows (one per method)."""
    if not rows:
        return NO_DATA
    if sum(r.sent for r in rows) == 0:
        return SKIPPED
    if sum(r.received for r in rows) == 0:
        return DOWN
    if all(method_clean(r) for r in rows):
        return UP
    return DEGRADED


def fresh_since(now: datetime) -> datetime:
    """The oldest start of a round that still gives a point's current status at `now`."""
    return now - STALE_AFTER


def current_status(last_round: datetime | None, rows: Sequence[MethodRow], now: datetime) -> str:
    """The point's status at `now`: its latest round's (`rows`, started at `last_round`)."""
    if last_round is None:
        return NO_DATA
    if last_round < fresh_since(now):
        return STALE
    return round_status(rows)


def current_status_sql(
    point_id: ColumnExpressionArgument[Any], agent: ColumnExpressionArgument[Any], now: datetime
) -> ColumnElement[str]:
    """`current_status` in SQL, for the point whose id and own agent are columns of the
    enclosing query: its latest round started at or before `now`, judged as above.

    Per point, index seeks only: the latest instant (a correlated MAX over
    (point, agent, started_at)), then that round's rows.
    """
    latest = ProbeResult.__table__.alias("latest_round")  # type: ignore[attr-defined]
    last_round = (
        select(func.max(latest.c.started_at))
        .where(latest.c.point_id == point_id, latest.c.agent == agent, latest.c.started_at <= now)
        .correlate_except(latest)
        .scalar_subquery()
    )
    rows = ProbeResult.__table__.alias("round_rows")  # type: ignore[attr-defined]
    clean = and_(rows.c.received > 0, or_(rows.c.error.is_(None), rows.c.error == ""))
    status_of_round = (
        select(
            case(
                (func.count() == 0, NO_DATA),
                (func.sum(rows.c.sent) == 0, SKIPPED),
                (func.sum(rows.c.received) == 0, DOWN),
                (func.min(case((clean, 1), else_=0)) == 1, UP),
                else_=DEGRADED,
            )
        )
        .where(rows.c.point_id == point_id, rows.c.agent == agent, rows.c.started_at == last_round)
        .correlate_except(rows)
        .scalar_subquery()
    )
    return case(
        (last_round.is_(None), NO_DATA),
        (last_round < fresh_since(now), STALE),
        else_=status_of_round,
    )
