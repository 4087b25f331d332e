"""The website checks of a round: run beside the packet probes, under the round's rate limit
(one token per check) and deadline, at most `CONCURRENCY` at a time.

A check the deadline cut short, or never started, is reported with the reason and not
stored: it says nothing about the website.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from inventory.probe_address import IPAddress
from probes.probers.http import WebsiteResult, WebsiteTarget
from probes.probers.registry import CHECKERS
from probes.running.options import ProbeOptions
from probes.running.ratelimit import TokenBucket

# Checks in flight at once. Each holds a socket (two for https: the plain-HTTP question
# runs alongside); more than this gains nothing on one core and risks the file limit.
CONCURRENCY = 128


class WebsiteRound:
    def __init__(
        self,
        targets: Sequence[WebsiteTarget],
        options: ProbeOptions,
        bucket: TokenBucket,
        forbidden: Mapping[IPAddress, str],
    ) -> None:
        self.targets = list(targets)
        self.options = options
        self.bucket = bucket
        self.forbidden = forbidden
        self.done: dict[int, WebsiteResult] = {}

    async def run(self) -> None:
        """Check every target; cancelled at the deadline, keeping the checks already done."""
        if not self.targets:
            return
        prober = CHECKERS["http"](
            timeout_s=self.options.http_timeout_s,
            ca_bundle=self.options.ca_bundle,
            forbidden=self.forbidden,
        )
        prober.open()
        slots = asyncio.Semaphore(CONCURRENCY)

        async def one(target: WebsiteTarget) -> None:
            async with slots:
                if target.problem is None and not self.bucket.try_take():
                    await self.bucket.take()
                self.done[target.website_id] = await prober.check(target)

        try:
            await asyncio.gather(*(one(t) for t in self.targets))
        finally:
            await asyncio.shield(prober.close())

    def results(self, note: str) -> list[WebsiteResult]:
        """Every target's result, in order; `note` says why a missing one has none."""
        out = []
        for target in self.targets:
            found = self.done.get(target.website_id)
            if found is None:
                found = WebsiteResult(
                    website_id=target.website_id,
                    agency=target.agency,
                    url=target.url,
                    checked_at=datetime.now(UTC),
                    sent=False,
                    error=note,
                )
            out.append(found)
        return out
