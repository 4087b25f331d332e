"""A token bucket that keeps a whole round under a packets-per-second limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class TokenBucket:
    """`take()` returns when one more packet may go out.

    The bucket holds at most ~20 ms worth of tokens, so a round sends in small
    concurrent bursts yet never exceeds `rate` on average over any longer span.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        self.rate = rate
        self.burst = burst if burst is not None else max(1, int(rate / 50))
        self._clock = clock
        self._tokens = 1.0  # start nearly empty: no burst right at the start of a round
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def try_take(self) -> bool:
        self._refill()
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def wait_time(self) -> float:
        """Seconds until a token is available (sleeping a little longer saves wake-ups)."""
        self._refill()
        missing = max(0.0, 1.0 - self._tokens) / self.rate
        return max(missing, min(0.005, (self.burst - 1) / self.rate))

    async def take(self) -> None:
        while not self.try_take():
            await asyncio.sleep(self.wait_time())
