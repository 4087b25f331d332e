"""How the dashboard shows a point's status: four words, four colours. The rule that decides
the status is the probes' (`probes.history.point_status`).

A point never probed, one whose latest round is stale, and one whose latest round sent
nothing (a refused address) all show as "no data": none says how the point is now.
"""

from __future__ import annotations

from probes.history.point_status import DEGRADED, DOWN, NO_DATA, SKIPPED, STALE, UP

STATUSES = (DOWN, DEGRADED, NO_DATA, UP)  # worst first, for the status board
STATUS_COLOURS = {UP: "#1a9850", DEGRADED: "#fd8d3c", DOWN: "#d7191c", NO_DATA: "#969696"}
_SHOWN_AS = {SKIPPED: NO_DATA, STALE: NO_DATA}


def shown_status(status: str) -> str:
    """The status as the dashboard shows it (one of `STATUSES`)."""
    return _SHOWN_AS.get(status, status)
