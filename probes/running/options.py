"""How a round is run: counts, spacing, timeouts, rate and limits, validated when built."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from inventory.errors import IctrError

# Methods a user may ask for on the command line. "auto" follows each point's own
# probe_method and checks the websites too; "tcp-connect" forces the unprivileged path even
# where raw sockets work; "http" checks the websites only (probes.probers.http).
METHOD_CHOICES = ("auto", "icmp", "tcp", "tcp-connect", "http")
POINT_METHODS = ("auto", "icmp", "tcp", "tcp-connect")
WEBSITE_METHODS = ("auto", "http")


@dataclass(frozen=True)
class ProbeOptions:
    count: int = 5  # probes per point and method (per port for TCP) in one round
    spacing_s: float = 0.5  # between two probes to the same point
    timeout_s: float = 1.0  # a probe not answered within this is lost
    pps: float = 100.0  # packets per second for the whole round (polite default)
    deadline_s: float = 120.0  # a round never runs longer than this
    max_targets: int = 4096  # refuse a round with more points than this
    method: str = "auto"
    agent: str = ""
    # Ports for the unprivileged fallback when a point has none configured; a refused
    # connection proves the point reachable as well as an accepted one.
    fallback_ports: tuple[int, ...] = (80,)
    down_after: int = 2  # consecutive failed rounds before a point is declared down
    # A website check (every redirect and the page) must end within this.
    http_timeout_s: float = 10.0
    # Roots trusted besides the system's for websites' certificates (ICTR_CA_BUNDLE).
    ca_bundle: Path | None = None
    points: tuple[str, ...] = field(default=())  # restrict to these point codes
    # Also probe these (units or codes) besides the agent's own points: a watched point's
    # rows carry this agent's name and never make the point down (probes/running/assignments.py).
    watch_districts: tuple[str, ...] = field(default=())
    watch_points: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not 1 <= self.count <= 1000:
            raise IctrError(f"count must be between 1 and 1000, got {self.count}")
        if not 0 <= self.spacing_s <= 60:
            raise IctrError(f"spacing must be between 0 and 60 seconds, got {self.spacing_s}")
        if not 0.01 <= self.timeout_s <= 30:
            raise IctrError(f"timeout must be between 0.01 and 30 seconds, got {self.timeout_s}")
        if not 1 <= self.pps <= 100_000:
            raise IctrError(f"pps must be between 1 and 100000, got {self.pps}")
        if not 0.1 <= self.http_timeout_s <= 120:
            raise IctrError(
                f"http timeout must be between 0.1 and 120 seconds, got {self.http_timeout_s}"
            )
        if self.deadline_s < self.timeout_s:
            raise IctrError(
                f"round deadline {self.deadline_s} s is shorter than the probe timeout "
                f"{self.timeout_s} s"
            )
        # Only a websites-only round is refused: in a mixed one the deadline cuts a long
        # check short like any probe (reported, not stored).
        if self.method == "http" and self.deadline_s < self.http_timeout_s:
            raise IctrError(
                f"round deadline {self.deadline_s} s is shorter than the http timeout "
                f"{self.http_timeout_s} s"
            )
        if not 1 <= self.max_targets <= 100_000:
            raise IctrError(f"max targets must be between 1 and 100000, got {self.max_targets}")
        if self.method not in METHOD_CHOICES:
            raise IctrError(
                f"unknown probe method {self.method!r}; choose one of {', '.join(METHOD_CHOICES)}"
            )
        if len(self.agent) > 64:
            raise IctrError(f"agent name {self.agent!r} is longer than 64 characters")
        if not self.fallback_ports or any(not 1 <= p <= 65535 for p in self.fallback_ports):
            raise IctrError(
                f"fallback ports must be 1-65535, got {','.join(map(str, self.fallback_ports))}"
            )
        if self.points and (self.watch_districts or self.watch_points):
            raise IctrError(
                "--points probes exactly the points given; it cannot be combined with "
                "--watch-districts or --watch-points"
            )
        if not 1 <= self.down_after <= 100:
            raise IctrError(f"down-after must be between 1 and 100 rounds, got {self.down_after}")
