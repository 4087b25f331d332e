"""What a round found: one summary per point and method (a future ProbeResult row),
Smokeping-style statistics, and each point's status in the round (`probes.history.point_status`).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from probes.history.point_status import round_status
from probes.history.website_status import website_status
from probes.probers.attempt import ANSWERED, CLOSED, FAILED, OPEN, UNREACHABLE, Attempt, Target
from probes.probers.http import WebsiteResult


@dataclass
class MethodResult:
    point_id: int
    code: str
    name: str
    address: str
    method: str
    sent: int
    received: int
    rtt_min_ms: float | None = None
    rtt_median_ms: float | None = None
    rtt_max_ms: float | None = None
    rtt_stddev_ms: float | None = None
    error: str | None = None
    success: bool = False  # as blackbox_exporter's probe_success
    closed_ports: tuple[int, ...] = ()
    duration_s: float = 0.0  # first probe sent to last answer or timeout (not stored)

    @property
    def loss(self) -> float | None:
        return None if self.sent == 0 else 1 - self.received / self.sent


@dataclass
class PointStatus:
    point_id: int
    code: str
    name: str
    status: str
    loss: float | None
    rtt_median_ms: float | None
    methods: list[MethodResult] = field(default_factory=list)

    @property
    def note(self) -> str:
        return "; ".join(f"{m.method}: {m.error}" for m in self.methods if m.error)


@dataclass
class RoundResult:
    agent: str
    started_at: datetime
    finished_at: datetime
    rows: list[MethodResult]
    fallback: bool = False  # probed with TCP connect for want of raw sockets
    deadline_reached: bool = False
    websites: list[WebsiteResult] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    def points(self) -> list[PointStatus]:
        by_point: dict[int, list[MethodResult]] = {}
        for row in self.rows:
            by_point.setdefault(row.point_id, []).append(row)
        return [point_status(rows) for rows in by_point.values()]

    def records(self) -> list[dict[str, Any]]:
        """The ProbeResult rows of this round, as column values."""
        return [
            {
                "point_id": r.point_id,
                "agent": self.agent,
                "method": r.method,
                "started_at": self.started_at,
                "sent": r.sent,
                "received": r.received,
                "rtt_min_ms": r.rtt_min_ms,
                "rtt_median_ms": r.rtt_median_ms,
                "rtt_max_ms": r.rtt_max_ms,
                "rtt_stddev_ms": r.rtt_stddev_ms,
                "error": r.error[:500] if r.error else None,
            }
            for r in self.rows
        ]

    def website_records(self) -> list[dict[str, Any]]:
        """The WebsiteCheck rows of this round (checks not made are not stored)."""
        return [w.record(self.agent) for w in self.websites if w.sent]

    def to_json(self) -> dict[str, Any]:
        return {
            "agent": self.agent,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "duration_s": round(self.duration_s, 3),
            "fallback": self.fallback,
            "deadline_reached": self.deadline_reached,
            "points": [
                {
                    "code": p.code,
                    "name": p.name,
                    "status": p.status,
                    "loss": None if p.loss is None else round(p.loss, 4),
                    "rtt_median_ms": p.rtt_median_ms,
                    "methods": [
                        {k: v for k, v in asdict(m).items() if k not in ("code", "name")}
                        for m in p.methods
                    ],
                }
                for p in self.points()
            ],
            "websites": [{**w.to_json(), "status": website_status(w)} for w in self.websites],
        }


def rtt_stats(rtts_ms: Sequence[float]) -> dict[str, float | None]:
    if not rtts_ms:
        return {
            "rtt_min_ms": None,
            "rtt_median_ms": None,
            "rtt_max_ms": None,
            "rtt_stddev_ms": None,
        }
    mean = sum(rtts_ms) / len(rtts_ms)
    return {
        "rtt_min_ms": round(min(rtts_ms), 3),
        "rtt_median_ms": round(statistics.median(rtts_ms), 3),
        "rtt_max_ms": round(max(rtts_ms), 3),
        # Population deviation in plain floats (statistics.pstdev is exact and slow).
        "rtt_stddev_ms": round(math.sqrt(sum((x - mean) ** 2 for x in rtts_ms) / len(rtts_ms)), 3),
    }


def summarise(
    target: Target,
    method: str,
    attempts: Iterable[Attempt],
    note: str = "",
    *,
    timeout_s: float = 0,
) -> MethodResult:
    """Fold the attempts of one point and method into one row."""
    attempts = list(attempts)
    sent = [a for a in attempts if a.sent_ns]
    duration = 0.0
    if sent:
        ends = [
            a.sent_ns + (a.rtt_ns if a.rtt_ns is not None else int(timeout_s * 1e9)) for a in sent
        ]
        duration = (max(ends) - min(a.sent_ns for a in sent)) / 1e9
    answered = [a for a in sent if a.outcome in ANSWERED]
    rtts = [a.rtt_ns / 1e6 for a in answered if a.rtt_ns is not None]
    problems: list[str] = []
    if target.problem:
        problems.append(target.problem)
    closed = sorted({a.port for a in answered if a.outcome == CLOSED and a.service and a.port})
    service_ports = sorted({a.port for a in attempts if a.service and a.port})
    open_ports = {a.port for a in answered if a.outcome == OPEN}
    silent = sorted(p for p in service_ports if p not in open_ports and p not in closed)
    if closed:
        problems.append("closed port " + ",".join(map(str, closed)))
    if silent and answered:
        problems.append("no answer on port " + ",".join(map(str, silent)))
    errors = sorted({a.detail for a in attempts if a.outcome in (UNREACHABLE, FAILED) and a.detail})
    problems.extend(errors)
    if sent and not answered and not errors:
        problems.append("no answer")
    if note:
        problems.append(note)
    if service_ports:
        success = all(p in open_ports for p in service_ports)
    else:
        success = bool(answered)
    return MethodResult(
        point_id=target.point_id,
        code=target.code,
        name=target.name,
        address=target.address,
        method=method,
        sent=len(sent),
        received=len(answered),
        error="; ".join(problems) or None,
        success=success and target.problem is None,
        closed_ports=tuple(closed),
        duration_s=round(duration, 6),
        **rtt_stats(rtts),
    )


def point_status(rows: Sequence[MethodResult]) -> PointStatus:
    sent = sum(r.sent for r in rows)
    received = sum(r.received for r in rows)
    # The median RTT shown is ICMP's when there is one: it is the path, not a service.
    shown = next((r for r in rows if r.method == "icmp"), rows[0])
    return PointStatus(
        point_id=rows[0].point_id,
        code=rows[0].code,
        name=rows[0].name,
        status=round_status(rows),
        loss=None if sent == 0 else 1 - received / sent,
        rtt_median_ms=shown.rtt_median_ms,
        methods=list(rows),
    )
