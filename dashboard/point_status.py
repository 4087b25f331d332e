"""A connection point's current status from its latest stored round.

The same words as the probes: up (everything answered), degraded (reachable, but a method
went unanswered or a configured port is closed: the round stored an error), down (nothing
answered). A point never probed, or whose latest round is older than `STALE_AFTER`, has
no data: an old "up" must not pass for a current one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

UP, DEGRADED, DOWN, NO_DATA = "up", "degraded", "down", "no_data"
STATUSES = (DOWN, DEGRADED, NO_DATA, UP)  # worst first, for the status board
STALE_AFTER = timedelta(hours=1)
STATUS_COLOURS = {UP: "#1a9850", DEGRADED: "#fd8d3c", DOWN: "#d7191c", NO_DATA: "#969696"}


@dataclass(frozen=True)
class RoundRow:
    """One stored method row of a round (a ProbeResult)."""

    method: str
    sent: int
    received: int
    rtt_median_ms: float | None
    error: str | None


def round_status(rows: Sequence[RoundRow]) -> str:
    if not rows:
        return NO_DATA
    if sum(r.received for r in rows) == 0:
        return DOWN
    if any(r.received == 0 or r.error for r in rows):
        return DEGRADED
    return UP


def current_status(last_round: datetime | None, rows: Sequence[RoundRow], now: datetime) -> str:
    if last_round is None or now - last_round > STALE_AFTER:
        return NO_DATA
    return round_status(rows)


def round_loss(rows: Sequence[RoundRow]) -> float | None:
    """Share of probes lost in the round (0..1), None when nothing was sent."""
    sent = sum(r.sent for r in rows)
    return None if sent == 0 else 1 - sum(r.received for r in rows) / sent


def round_rtt(rows: Sequence[RoundRow]) -> float | None:
    """ICMP's median RTT when there is one (the path, not a service), else the first."""
    measured = [r for r in rows if r.rtt_median_ms is not None]
    shown = next((r for r in measured if r.method == "icmp"), measured[0] if measured else None)
    return None if shown is None else shown.rtt_median_ms
