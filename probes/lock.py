"""One scheduler per database and agent: an exclusive lock on a file, held while it runs.

The kernel drops the lock when the process dies, so a crash never leaves a stale lock.
The lock file sits next to a SQLite database (any process on this machine using that
file sees it); for a server database it is in the per-user data folder, so it
guards one machine: give schedulers on different machines different agent names.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path
from types import TracebackType

import platformdirs
from sqlalchemy import make_url

from inventory.db import describe_url
from inventory.errors import IctrError


def lock_path(database_url: str, agent: str = "") -> Path:
    suffix = f"-{agent}" if agent else ""
    url = make_url(database_url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and database != ":memory:":
        db_file = Path(database)
        return db_file.with_name(f"{db_file.name}.probe-scheduler{suffix}.lock")
    digest = hashlib.sha256(describe_url(database_url).encode()).hexdigest()[:12]
    folder = Path(platformdirs.user_data_dir("ictr", appauthor=False))
    return folder / f"probe-scheduler-{digest}{suffix}.lock"


class SchedulerLock:
    def __init__(self, database_url: str, agent: str = "") -> None:
        self.path = lock_path(database_url, agent)
        self.where = describe_url(database_url)
        self.agent = agent
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
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
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
