"""A PostgreSQL session-level advisory lock, named by a string: exclusive across every
machine using the database, held by one idle connection (never inside a transaction, so it
blocks no reader or writer), and gone when that connection dies.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from inventory.write_lock import advisory_key

log = logging.getLogger(__name__)


class AdvisoryLock:
    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self.key = advisory_key(name)
        self._connection: Connection | None = None

    def try_acquire(self) -> bool:
        """Take the lock if free; False when another session holds it."""
        if self._connection is not None:
            return True
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            ).scalar()
        except BaseException:
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def holder_pid(self) -> int | None:
        """The server process id of the session holding the lock, if any (for messages)."""
        with self.engine.connect() as connection:
            return connection.execute(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND classid = ((:key >> 32) & 4294967295)::oid "
                    "AND objid = (:key & 4294967295)::oid "
                    "AND objsubid = 1"
                ),
                {"key": self.key},
            ).scalar()

    def still_held(self) -> bool:
        """True while our session lives (and so holds the lock); False once it is gone,
        e.g. after a server restart. Raises when the server cannot be reached to tell."""
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
            return True
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            log.warning("the session holding lock %r is gone: %s", self.name, exc.orig)
            self._drop()
            return False

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()
                self._connection.close()
            except DBAPIError:
                pass
            self._connection = None

    def release(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            self._connection.close()
        except DBAPIError:  # the session is gone, and the lock with it
            self._drop()
        self._connection = None
