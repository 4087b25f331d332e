"""One probe packet (an attempt) to a target, the round state probers report to, and the
prober protocol.

Every probe type has the same shape: the runner creates it with the round context,
opens it, hands it attempts to send (already paced and timed by the runner), and the
prober reports each answer through ``RoundContext.resolve``. Each probe type also says
which ports its probes go to (``Prober.ports``).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import ClassVar, Protocol

# What became of an attempt. Only "reply", "open" and "closed" prove the point reachable.
REPLY = "reply"  # ICMP echo reply
OPEN = "open"  # SYN-ACK, or a completed connect
CLOSED = "closed"  # RST, or connection refused: the host answered, the port is closed
UNREACHABLE = "unreachable"  # an ICMP error came back instead of an answer
LOST = "lost"  # nothing within the timeout
FAILED = "failed"  # could not be sent
ANSWERED = frozenset({REPLY, OPEN, CLOSED})

# Where one probe goes: a port (None for ICMP), and whether it is a configured service port
# (then a closed port counts against the point's status).
Destination = tuple[int | None, bool]


@dataclass(frozen=True, slots=True)
class Target:
    """One point of a round, with what to send it (or why nothing is sent)."""

    point_id: int
    code: str
    name: str
    address: str  # as configured
    ip: str | None  # resolved address actually probed; None when refused or unresolvable
    family: int
    methods: tuple[str, ...]
    ports: tuple[int, ...]  # configured service ports
    problem: str | None = None  # why nothing is sent to this point


@dataclass(slots=True, eq=False)
class Attempt:
    target: Target
    method: str
    port: int | None
    due: float  # seconds after the round starts
    service: bool = False  # a configured port: closed counts against the point's status
    sent_ns: int = 0  # wall clock (ns) when sent; 0 = never sent
    rtt_ns: int | None = None
    outcome: str = ""  # "" while pending
    detail: str = ""  # e.g. the ICMP error or the send error


class RoundContext:
    """Shared by the probers of one round: timing, the timeout, and completion."""

    def __init__(self, *, timeout_s: float, cookie: bytes) -> None:
        self.timeout_ns = int(timeout_s * 1e9)
        self.cookie = cookie  # 8 random bytes: replies to another prober's packets are ignored
        self.loop = asyncio.get_running_loop()
        self._pending = 0
        self._sending = True
        self.done = asyncio.Event()

    def sent(self, attempt: Attempt, sent_ns: int | None = None) -> None:
        attempt.sent_ns = sent_ns if sent_ns is not None else time.time_ns()
        self._pending += 1

    def failed(self, attempt: Attempt, detail: str) -> None:
        """The attempt could not be sent at all (it is not counted as sent)."""
        attempt.outcome, attempt.detail = FAILED, detail

    def resolve(self, attempt: Attempt, received_ns: int, outcome: str, detail: str = "") -> None:
        if attempt.outcome or not attempt.sent_ns:
            return  # a duplicate, or an answer to a packet never sent
        rtt = received_ns - attempt.sent_ns
        if rtt > self.timeout_ns:
            attempt.outcome = LOST  # too late counts as lost, as with fping -t
        else:
            attempt.outcome, attempt.rtt_ns, attempt.detail = outcome, max(rtt, 0), detail
        self._pending -= 1
        self._check_done()

    def sending_finished(self) -> None:
        self._sending = False
        self._check_done()

    def _check_done(self) -> None:
        if not self._sending and self._pending <= 0:
            self.done.set()


class Prober(Protocol):
    """The one signature every probe type shares (see probes.probers.registry.PROBERS)."""

    method: ClassVar[str]

    def __init__(self, ctx: RoundContext) -> None: ...

    @staticmethod
    def ports(configured: tuple[int, ...], fallback: tuple[int, ...]) -> list[Destination]:
        """Where each probe to a point goes, from its configured ports and the round's
        fallback ports (see ProbeOptions.fallback_ports)."""

    def open(self, families: set[int]) -> None:
        """Open sockets; raises PermissionError without raw-socket rights."""

    def send(self, attempt: Attempt) -> None:
        """Send one attempt now; may raise BlockingIOError (the runner retries)."""

    def close(self) -> None: ...
