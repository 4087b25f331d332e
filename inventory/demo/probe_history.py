"""30 days of synthetic probe rounds for the demo's points, ending at its last round.

One ICMP round every ROUND_MINUTES, as the default agent stores them: RTTs longer and losses
more frequent the remoter the point (its agency's readiness), busier in office hours. Every
round gets at least one answer, so the history opens no incident (incidents are derived by
the probes from live rounds, never written here). The rows are part of the synthetic
dataset (`meta` dataset marker) and the span is recorded under HISTORY_KEY.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select
from sqlmodel import Session, col

from inventory.demo import targets
from inventory.models import Meta, ProbeResult
from inventory.upsert import UpsertCounts

# Live rounds come every 5 minutes; hourly ones keep the demo quick to load (52,560 rows,
# half a second) and still fill every window the indicators and the dashboard read
# (24 hours, 7 and 30 days).
ROUND_MINUTES = 60
DAYS = 30
ECHOES = 5  # per round, as `ictr probe run` sends by default
HISTORY_KEY = "demo_probe_history"
OFFICE_HOURS = range(7, 17)  # local time
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def round_times() -> list[datetime]:
    step = timedelta(minutes=ROUND_MINUTES)
    count = DAYS * 24 * 60 // ROUND_MINUTES
    return [targets.LAST_ROUND - step * n for n in reversed(range(count))]


def _rows(point_ids: dict[str, int], readiness: dict[str, float]) -> list[dict[str, Any]]:
    rng = random.Random(targets.SEED_2026 + 1)
    rows: list[dict[str, Any]] = []
    times = [(at, 1.25 if at.astimezone(LOCAL).hour in OFFICE_HOURS else 1.0)
             for at in round_times()]  # fmt: skip
    for code in sorted(point_ids):
        r = readiness[code]
        base = 2.0 + 38.0 * (1.0 - r) ** 1.5  # ms: the provincial city's points are near
        # Chance that a round loses one echo (never all: no incident is made up).
        lossy = 0.005 + 0.12 * (1.0 - r)
        point_id = point_ids[code]
        for at, busy in times:
            median = base * busy * (0.9 + 0.4 * rng.random())
            rows.append(
                dict(
                    point_id=point_id,
                    agent="",
                    method="icmp",
                    started_at=at,
                    sent=ECHOES,
                    received=ECHOES - 1 if rng.random() < lossy else ECHOES,
                    rtt_min_ms=round(median * 0.85, 3),
                    rtt_median_ms=round(median, 3),
                    rtt_max_ms=round(median * (1.1 + 0.7 * rng.random()), 3),
                    rtt_stddev_ms=round(median * 0.08, 3),
                    error=None,
                )
            )
    return rows


def load_history(
    session: Session, point_ids: dict[str, int], readiness: dict[str, float]
) -> UpsertCounts:
    """Write the rounds unless they are all there already (running the demo twice changes
    nothing); a partial history is replaced whole."""
    times = round_times()
    expected = len(times) * len(point_ids)
    in_span = (
        col(ProbeResult.point_id).in_(sorted(point_ids.values())),
        col(ProbeResult.agent) == "",
        col(ProbeResult.started_at) >= times[0],
        col(ProbeResult.started_at) <= times[-1],
    )
    stored = session.execute(select(func.count()).select_from(ProbeResult).where(*in_span))
    found = stored.scalar_one()
    if found == expected:
        return UpsertCounts(unchanged=expected)
    if found:
        session.execute(delete(ProbeResult).where(*in_span))
    rows = _rows(point_ids, readiness)
    table = ProbeResult.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), 20_000):
        session.execute(insert(table), rows[start : start + 20_000])
    span = f"{times[0].isoformat()}/{times[-1].isoformat()}"
    meta = session.get(Meta, HISTORY_KEY)
    if meta is None:
        session.add(Meta(key=HISTORY_KEY, value=span))
    else:
        meta.value = span
    return UpsertCounts(new=len(rows))
