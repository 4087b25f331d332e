"""TCP connect: the unprivileged fallback (no root, no CAP_NET_RAW).

A completed connection means the port is open; a refusal means the host answered
with an RST: reachable, port closed. The connection is closed at once.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import time
from typing import ClassVar

from probes.probers.attempt import (
    CLOSED,
    LOST,
    OPEN,
    UNREACHABLE,
    Attempt,
    Destination,
    RoundContext,
)

_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN}


class TcpConnectProber:
    method: ClassVar[str] = "tcp-connect"

    def __init__(self, ctx: RoundContext) -> None:
        self.ctx = ctx
        self._tasks: set[asyncio.Task[None]] = set()

    @staticmethod
    def ports(configured: tuple[int, ...], fallback: tuple[int, ...]) -> list[Destination]:
        """The configured ports as services; without any, the fallback ports, which only
        show the point reachable (a refused connection proves that as well as an accepted
        one), so a closed one is no problem."""
        return [(p, True) for p in configured] or [(p, False) for p in fallback]

    def open(self, families: set[int]) -> None:
        """Nothing to open: each attempt has its own socket."""

    def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()

    def send(self, attempt: Attempt) -> None:
        target = attempt.target
        assert target.ip is not None and attempt.port is not None
        try:
            sock = socket.socket(target.family, socket.SOCK_STREAM)
        except OSError as exc:
            if exc.errno in (errno.EMFILE, errno.ENFILE):
                raise BlockingIOError(exc.errno, "too many open files; retry") from exc
            self.ctx.failed(attempt, f"socket failed: {exc.strerror or exc}")
            return
        sock.setblocking(False)
        self.ctx.sent(attempt)
        task = self.ctx.loop.create_task(self._connect(sock, attempt))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _connect(self, sock: socket.socket, attempt: Attempt) -> None:
        assert attempt.target.ip is not None
        try:
            async with asyncio.timeout(self.ctx.timeout_ns / 1e9):
                await self.ctx.loop.sock_connect(sock, (attempt.target.ip, attempt.port))
            self.ctx.resolve(attempt, time.time_ns(), OPEN)
        except ConnectionRefusedError:
            self.ctx.resolve(attempt, time.time_ns(), CLOSED)
        except TimeoutError:
            self.ctx.resolve(attempt, attempt.sent_ns + self.ctx.timeout_ns + 1, LOST)
        except OSError as exc:
            if exc.errno in _UNREACHABLE:
                self.ctx.resolve(attempt, time.time_ns(), UNREACHABLE, exc.strerror or str(exc))
            else:
                self.ctx.resolve(attempt, time.time_ns(), UNREACHABLE, f"connect failed: {exc}")
        finally:
            sock.close()
