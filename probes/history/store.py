"""Writing a round to the database: its rows and the incidents they imply, in one
transaction. Writing the same round twice stores it once (the unique round key).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session

from inventory.db import SQLITE_BUSY_TIMEOUT_MS, describe_url
from inventory.errors import IctrError
from inventory.models import ProbeResult
from probes.history.hourly_summary import lock_for_store, merge_late_rows
from probes.history.incidents import update_incidents
from probes.history.website_history import insert_checks, update_website_incidents

log = logging.getLogger(__name__)


class DatabaseUnavailable(IctrError):
    """The database is locked or cannot be reached: keep the round for later."""


class RoundRejected(IctrError):
    """The database refuses the round's rows (e.g. a point was deleted meanwhile)."""


@dataclass
class StoreReport:
    inserted: int = 0
    duplicates: int = 0
    incidents_opened: int = 0
    incidents_closed: int = 0
    late: int = 0  # rows of hours already summarised, merged into them
    website_checks: int = 0  # website checks inserted (the rest were stored already)


def _insert_ignoring_duplicates(
    connection: Connection, records: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Insert rows, skipping those whose round key is stored; returns the records inserted."""
    table = ProbeResult.__table__  # type: ignore[attr-defined]
    dialect = connection.dialect.name
    if dialect == "sqlite":
        statement: Any = sqlite.insert(table).on_conflict_do_nothing()
    elif dialect == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing()
    else:  # the project runs on SQLite and PostgreSQL only; elsewhere a duplicate is an error
        statement = insert(table)
    if not records:
        return []
    # One batched statement ("insertmanyvalues"); RETURNING lists only the rows inserted.
    # A round's records differ by point and method.
    result = connection.execute(
        statement.returning(table.c.point_id, table.c.method), list(records)
    )
    inserted = {(point, str(method)) for point, method in result}
    return [r for r in records if (r["point_id"], str(r["method"])) in inserted]


@contextmanager
def _write_timeout(connection: Connection, seconds: float | None) -> Iterator[None]:
    """A shorter SQLite lock wait for this write (the engine default is 10 s)."""
    if seconds is None or connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql(f"PRAGMA busy_timeout={int(seconds * 1000)}")
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        connection.commit()


def store_records(
    engine: Engine,
    *,
    agent: str,
    started_at: datetime,
    records: Sequence[dict[str, Any]],
    down_after: int,
    write_timeout_s: float | None = None,
    website_records: Sequence[dict[str, Any]] = (),
) -> StoreReport:
    """Store one round's rows (its points' and websites') and update incidents, all or
    nothing."""
    report = StoreReport()
    where = describe_url(engine.url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection, _write_timeout(connection, write_timeout_s):
            with Session(bind=connection) as session:
                if connection.dialect.name == "sqlite":
                    # Take the write lock first, so a locked database fails before any work.
                    session.connection().exec_driver_sql("BEGIN IMMEDIATE")
                lock_for_store(session.connection())
                inserted = _insert_ignoring_duplicates(session.connection(), records)
                report.inserted = len(inserted)
                report.duplicates = len(records) - report.inserted
                report.late = merge_late_rows(session.connection(), inserted)
                changes = update_incidents(
                    session,
                    agent=agent,
                    started_at=started_at,
                    point_ids={r["point_id"] for r in inserted},
                    down_after=down_after,
                )
                report.incidents_opened, report.incidents_closed = changes.opened, changes.closed
                checked = insert_checks(session.connection(), website_records)
                report.website_checks = len(checked)
                web = update_website_incidents(
                    session, agent=agent, checked=set(checked), down_after=down_after
                )
                report.incidents_opened += web.opened
                report.incidents_closed += web.closed
                session.commit()
    except IntegrityError as exc:
        raise RoundRejected(
            f"database {where} refused the round of {started_at}: {exc.orig}"
        ) from exc
    except OperationalError as exc:
        raise DatabaseUnavailable(f"database {where} is unavailable: {exc.orig}") from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise DatabaseUnavailable(f"database {where} connection lost: {exc.orig}") from exc
        raise
    return report
