"""Rounds on a fixed cadence until stopped.

- A round that overruns the interval makes the next one start late (at once), never
  two at once; missed slots are not made up.
- One scheduler per database and agent (probes.running.lock): a file lock for SQLite, an
  advisory lock for PostgreSQL, checked before each write; losing it to another scheduler
  (after a server restart) stops this one with an error.
- SIGTERM/SIGINT: a round in flight is abandoned and nothing of it is written; a
  write in progress finishes (it is one transaction), then the scheduler exits.
- A database that is locked or down: rounds go to the spool and are written later
  (probes.running.recording).
- Between and during rounds, its upkeep (probes.running.upkeep): metrics, the hourly
  summary, the retention.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from inventory.errors import IctrError
from probes.history.point_status import DOWN
from probes.history.website_status import website_status
from probes.probers.attempt import Target
from probes.probers.http import WebsiteTarget
from probes.running.lock import scheduler_lock
from probes.running.metrics import ProbeMetrics
from probes.running.options import ProbeOptions
from probes.running.recording import record
from probes.running.results import RoundResult
from probes.running.runner import load_targets, load_websites, run_round
from probes.running.spool import Spool
from probes.running.upkeep import PrunePlan, Upkeep

log = logging.getLogger(__name__)


def parse_interval(text: str) -> float:
    """'30s', '5m', '1h' or plain seconds -> seconds."""
    cleaned = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600}
    number, unit = (cleaned[:-1], cleaned[-1]) if cleaned[-1:] in units else (cleaned, "s")
    try:
        seconds = float(number) * units[unit]
    except ValueError:
        raise IctrError(f"bad interval {text!r}: expected e.g. 30s, 5m or 1h") from None
    if not 0 < seconds <= 86400:
        raise IctrError(f"interval {text!r} must be more than 0 and at most 24h")
    return seconds


@dataclass
class RoundLog:
    """What the scheduler did in one round (returned for tests and tooling)."""

    started_at: datetime
    finished_at: datetime
    late_s: float  # how long after its slot the round started
    stored: bool
    points: int
    down: int  # points and websites down


class LockLost(IctrError):
    """Another scheduler took this agent's lock: this one must stop."""


class Scheduler:
    def __init__(
        self,
        engine: Engine,
        options: ProbeOptions,
        *,
        interval_s: float,
        spool: Spool,
        database_url: str,
        metrics: ProbeMetrics | None = None,
        write_timeout_s: float | None = None,
        max_rounds: int | None = None,
        prune_plan: PrunePlan | None = None,
    ) -> None:
        self.engine = engine
        self.options = options
        self.interval_s = interval_s
        self.spool = spool
        self.write_timeout_s = write_timeout_s
        self.max_rounds = max_rounds
        self.lock = scheduler_lock(engine, database_url, options.agent)
        self.upkeep = Upkeep(engine, metrics=metrics, prune_plan=prune_plan)
        self.rounds: list[RoundLog] = []
        self._stop: asyncio.Event | None = None
        self._targets: list[Target] | None = None
        self._websites: list[WebsiteTarget] = []
        self._raw = True

    def request_stop(self, signum: int | None = None) -> None:
        if signum is not None:
            log.info("received %s: stopping", signal.Signals(signum).name)
        self.upkeep.stop_summary()
        if self._stop is not None:
            self._stop.set()

    def run(self) -> list[RoundLog]:
        with self.lock:
            return asyncio.run(self._main())

    async def _main(self) -> list[RoundLog]:
        self._stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.request_stop, signum)
        try:
            await self._loop()
        finally:
            await self.upkeep.finish()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
        return self.rounds

    async def _wait_stop(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True when a stop was requested meanwhile."""
        assert self._stop is not None
        try:
            await asyncio.wait_for(self._stop.wait(), max(0.0, seconds))
        except TimeoutError:
            return False
        return True

    async def _loop(self) -> None:
        assert self._stop is not None
        slot = time.monotonic()
        while not self._stop.is_set():
            if await self._wait_stop(slot - time.monotonic()):
                break
            now = time.monotonic()
            late = max(0.0, now - slot)
            if late > 1.0:
                log.warning("round starts %.1f s late: the previous round overran", late)
            slot = max(slot, now)  # after an overrun the cadence restarts: no catching up
            try:
                done = await self._one_round(late)
            except LockLost:
                raise
            except Exception:  # an unattended service keeps going; the next slot retries
                log.exception("round failed; trying again at the next slot")
                done = True
            if not done:
                break  # stopped mid-round
            self.upkeep.maybe_prune()
            if self.max_rounds is not None and len(self.rounds) >= self.max_rounds:
                break
            slot += self.interval_s

    async def _load(self) -> list[Target]:
        try:
            targets, raw = await asyncio.to_thread(load_targets, self.engine, self.options)
            websites = await asyncio.to_thread(load_websites, self.engine, self.options)
        except IctrError as exc:
            if self._targets is None:
                raise
            log.warning("%s; probing the points and websites of the previous round", exc)
            return self._targets
        self._targets, self._raw, self._websites = targets, raw, websites
        return targets

    async def _one_round(self, late: float) -> bool:
        """Probe and record one round; False when stopped before it was recorded."""
        assert self._stop is not None
        targets = await self._load()
        log.info("round started: %d points, %d websites", len(targets), len(self._websites))
        probing = asyncio.create_task(
            run_round(targets, self.options, fallback=not self._raw, websites=self._websites)
        )
        stopping = asyncio.create_task(self._stop.wait())
        await asyncio.wait({probing, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not probing.done():
            probing.cancel()
            try:
                await probing
            except asyncio.CancelledError:
                pass
            log.info("stopped mid-round: the unfinished round is discarded, nothing written")
            return False
        stopping.cancel()
        result = probing.result()
        # Shielded: a stop during the write waits for it (one transaction, never half).
        outcome = await asyncio.shield(asyncio.to_thread(self._record, result))
        points = result.points()
        down = sum(1 for p in points if p.status == DOWN) + sum(
            1 for w in result.websites if website_status(w) == DOWN
        )
        self.rounds.append(
            RoundLog(
                started_at=result.started_at,
                finished_at=result.finished_at,
                late_s=late,
                stored=outcome,
                points=len(points),
                down=down,
            )
        )
        log.info(
            "round finished in %.1f s: %d points, %d down, %s",
            result.duration_s,
            len(points),
            down,
            "stored" if outcome else "spooled",
        )
        return True

    def _record(self, result: RoundResult) -> bool:
        try:
            self.lock.check()
        except IctrError as exc:
            # The round is still a true measurement: keep it, then stop.
            record(self.engine, result, self.spool, down_after=self.options.down_after)
            raise LockLost(f"{exc}; this scheduler stops") from None
        outcome = record(
            self.engine,
            result,
            self.spool,
            down_after=self.options.down_after,
            write_timeout_s=self.write_timeout_s,
        )
        self.upkeep.after_round(result, stored=outcome.stored, spool=self.spool)
        return outcome.stored
