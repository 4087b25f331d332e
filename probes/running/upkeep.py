"""What a scheduler does besides probing, between and during its rounds.

- After every round: the Prometheus metrics (probes.running.metrics), when served.
- After a round is stored, once per hour, the hours that ended are summarised into the
  hourly aggregates (probes.history.hourly_summary), so the 7- and 30-day figures stay cheap.
- Once a day (by default) the retention runs in a background thread between and during
  rounds (probes.history.retention: short transactions, one chunk at a time); a stop request
  ends it after its current chunk.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from probes.history.hourly_summary import GRACE, summarise
from probes.history.retention import PruneReport, Retention, prune
from probes.history.rollup_build import bucket_start
from probes.running.metrics import ProbeMetrics
from probes.running.results import RoundResult
from probes.running.spool import Spool

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrunePlan:
    """Run the retention every `every_s` seconds (the first time right after the first round)."""

    retention: Retention
    every_s: float = 86400.0
    retry_s: float = 3600.0  # after a failed run


class Upkeep:
    def __init__(
        self,
        engine: Engine,
        *,
        metrics: ProbeMetrics | None = None,
        prune_plan: PrunePlan | None = None,
    ) -> None:
        self.engine = engine
        self.metrics = metrics
        self.prune_plan = prune_plan
        self.prunes: list[PruneReport] = []
        self._prune_task: asyncio.Task[None] | None = None
        self._prune_stop = threading.Event()
        self._summary_stop = threading.Event()
        self._summarised_to: datetime | None = None
        self._next_prune = 0.0  # monotonic time; 0 = after the first round

    def after_round(self, result: RoundResult, *, stored: bool, spool: Spool) -> None:
        """Right after a round was recorded (stored, or kept in `spool`), in its thread."""
        if self.metrics is not None:
            self.metrics.update(result, spooled=spool.pending())
        if stored:
            self._summarise_if_due()

    def stop_summary(self) -> None:
        """A stop was requested: a summary under way ends after its current step."""
        self._summary_stop.set()

    def _summarise_if_due(self) -> None:
        """Summarise the hours that ended since the last time (once per hour; a failure is
        retried after the next round: the figures stay right meanwhile, only slower)."""
        target = bucket_start(datetime.now(UTC) - GRACE, "hour")
        if self._summarised_to is not None and self._summarised_to >= target:
            return
        try:
            report = summarise(self.engine, stop=self._summary_stop)
        except Exception as exc:
            log.warning("hourly aggregates not brought up to date (next round retries): %s", exc)
            return
        if not report.stopped:
            self._summarised_to = report.through

    def maybe_prune(self) -> None:
        """Start the retention in a thread when it is due and not already running."""
        if self.prune_plan is None or time.monotonic() < self._next_prune:
            return
        if self._prune_task is not None and not self._prune_task.done():
            return
        self._next_prune = time.monotonic() + self.prune_plan.every_s
        self._prune_task = asyncio.create_task(asyncio.to_thread(self._prune))

    def _prune(self) -> None:
        assert self.prune_plan is not None
        try:
            report = prune(self.engine, retention=self.prune_plan.retention, stop=self._prune_stop)
        except Exception:
            log.exception("retention failed; trying again in %.0f s", self.prune_plan.retry_s)
            self._next_prune = time.monotonic() + self.prune_plan.retry_s
            return
        self.prunes.append(report)
        log.info(
            "retention: %d raw rows folded, %d hourly rows dropped, %.1f s%s",
            report.raw_rows,
            report.hourly_dropped,
            report.seconds,
            f" ({report.skipped})" if report.skipped else "",
        )

    async def finish(self) -> None:
        """The scheduler stops: a retention under way ends after its current chunk."""
        if self._prune_task is None:
            return
        self._prune_stop.set()
        await self._prune_task
