"""One scheduler per database and agent.

SQLite: an exclusive lock on a file next to the database, held while the scheduler runs;
the kernel drops it when the process dies, so a crash never leaves a stale lock.

PostgreSQL: an advisory lock named after the agent, held by one idle session, so two
schedulers for the same agent on different machines cannot both run. The server drops it
when the session ends (process death, or a server restart: the scheduler then takes it
again, or stops if another scheduler got it first; see `check`).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from inventory.db import describe_url
from inventory.errors import IctrError
from inventory.private_files import private_folder, private_opener
from probes.history.pg_lock import AdvisoryLock
from probes.running.local_files import local_file


def lock_path(database_url: str, agent: str = "") -> Path:
    return local_file(database_url, "probe-scheduler", "lock", agent)


class SchedulerLock:
    def __init__(self, database_url: str, agent: str = "") -> None:
        self.path = lock_path(database_url, agent)
        self.where = describe_url(database_url)
        self.agent = agent
        self._fd: int | None = None

    def check(self) -> None:
        """A file lock cannot be lost while the process lives."""

    def acquire(self) -> None:
        private_folder(self.path.parent)
        fd = private_opener(self.path, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise IctrError(
                f"another probe scheduler (pid {holder}) already runs on database {self.where} "
                f"for agent {self.agent!r} (lock {self.path})"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> SchedulerLock:
        self.acquire()
        return self

    def __exit__(
        self,
        _exc_type: type[BaseException] | None,
        exc: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.release()


class PostgresSchedulerLock:
    def __init__(self, engine: Engine, agent: str = "") -> None:
        self.agent = agent
        self.where = describe_url(engine.url.render_as_string(hide_password=False))
        self._lock = AdvisoryLock(engine, f"ictr probe scheduler {agent}")

    def _refused(self) -> IctrError:
        pid = self._lock.holder_pid()
        holder = f"server pid {pid}" if pid is not None else "another session"
        return IctrError(
            f"another probe scheduler ({holder}) already runs on database {self.where} "
            f"for agent {self.agent!r} (PostgreSQL advisory lock)"
        )

    def acquire(self) -> None:
        if not self._lock.try_acquire():
            raise self._refused()

    def check(self) -> None:
        """Before each write: after a server restart the lock is gone with our session;
        take it again, or raise if another scheduler took it meanwhile. While the server
        cannot be reached nothing is decided (the round goes to the spool anyway)."""
        try:
            if self._lock.still_held() or self._lock.try_acquire():
                return
        except DBAPIError:
            return
        raise self._refused()

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> PostgresSchedulerLock:
        self.acquire()
        return self

    def __exit__(
        self,
        _exc_type: type[BaseException] | None,
        exc: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.release()


def scheduler_lock(
    engine: Engine, database_url: str, agent: str = ""
) -> SchedulerLock | PostgresSchedulerLock:
    """The right lock for the database: advisory on PostgreSQL, a file otherwise."""
    if engine.dialect.name == "postgresql":
        return PostgresSchedulerLock(engine, agent)
    return SchedulerLock(database_url, agent)
