"""A cheap token that changes whenever anything is written to the database, to key the
page caches on: an import from the command line, a probe round stored by an agent or an
edit on the Data page shows on the next page run, not when a cache happens to expire.

- SQLite: `PRAGMA data_version`, read on a connection of its own kept for the purpose; the
  value changes when any other connection (of this process or another) commits.
- PostgreSQL: the current snapshot (`xmin:xmax:in-progress`). It moves when a transaction
  that writes starts or ends, anywhere on the server (so now and then for another
  database's writes too: a needless recomputation, never a stale page).
- Anything else: None, and the caches fall back on their time limit alone.

The token is read before the data, so a commit slipping in between is already in the
data cached under the older token: the next run sees a new token and recomputes.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref

from sqlalchemy import Engine

from inventory.db import SQLITE_BUSY_TIMEOUT_MS

_lock = threading.Lock()
# Engine -> the connection PRAGMA data_version runs on; closed with the engine's last use.
_watchers: weakref.WeakKeyDictionary[Engine, sqlite3.Connection] = weakref.WeakKeyDictionary()


def _sqlite_version(engine: Engine, database: str) -> str:
    with _lock:  # one connection, shared by every session's script thread
        connection = _watchers.get(engine)
        if connection is None:
            connection = sqlite3.connect(
                database,
                timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
                uri=database.startswith("file:"),
            )
            _watchers[engine] = connection
        (version,) = connection.execute("PRAGMA data_version").fetchone()
    return f"sqlite:{version}"


def _postgresql_version(engine: Engine) -> str:
    with engine.connect() as connection:
        snapshot = connection.exec_driver_sql("SELECT pg_current_snapshot()::text").scalar_one()
    return f"postgresql:{snapshot}"


def data_version(engine: Engine) -> str | None:
    """A token equal on two calls only if nothing was committed in between (None: unknown)."""
    backend, database = engine.dialect.name, engine.url.database
    if backend == "sqlite" and database and database != ":memory:":
        return _sqlite_version(engine, database)
    if backend == "postgresql":
        return _postgresql_version(engine)
    return None
