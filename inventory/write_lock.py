"""Writers of one kind, one at a time: a session whose transaction holds a lock from its first
statement, so a writer reads what the previous one committed instead of racing it.

Without it two imports of the same file both find a row missing, both insert it, and the
second dies on the unique key. With it the second waits, then finds every row there.

SQLite: `BEGIN IMMEDIATE` takes the database's one write lock at the start (waiting up to the
busy timeout, as every writer does). pysqlite would otherwise begin only at the first
INSERT, after the reads, so the connection is put in autocommit mode for the transaction
and the BEGIN is ours; its COMMIT/ROLLBACK still go through the driver, and the pool
restores the connection's mode when it is returned.

PostgreSQL: transaction-level advisory locks named after the kinds of writing, taken in one
order so that two writers needing two of them cannot deadlock; the server releases them at
COMMIT or ROLLBACK, or when the session dies.

Given a `Change`, the transaction is also recorded as one change set of the audit trail
(inventory/audit.py), committed with it: a writer that opens its transaction here is audited
without doing anything else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from inventory.audit import Change, begin
from inventory.db import explain_operational_error


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory lock functions (bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def locked_session(engine: Engine, *names: str, change: Change | None = None) -> Iterator[Session]:
    """A session whose transaction starts by taking the locks `names` and keeps them until the
    caller commits or rolls back (closing the session rolls back what was not committed).
    With `change`, what the transaction writes is recorded as that change set."""
    with Session(engine) as session:
        if engine.dialect.name == "sqlite":
            connection = session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except OperationalError as exc:  # still locked after the busy timeout
                raise explain_operational_error(exc, engine.url.render_as_string(False)) from None
        else:
            for name in sorted(set(names)):
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key(name)}
                )
        if change is not None:
            begin(session, change)
        yield session
