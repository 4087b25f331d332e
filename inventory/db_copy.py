"""Copy a whole database to another one (`ictr db copy --to URL`), typically the embedded
SQLite file to PostgreSQL when a deployment outgrows one machine.

All or nothing: on the target, the schema (Alembic migrations, up to the source's
revision), the rows and the sequence resets happen in ONE transaction; PostgreSQL's DDL is
transactional, so a failure leaves the target as it was. The source is read in one
transaction too, so the copy is a consistent snapshot even while probe agents write.
Rows stream table by table in foreign-key order (parents before children, also within a
table that refers to itself), through PostgreSQL's COPY when the target is PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from alembic import command
from sqlalchemy import JSON, Connection, Engine, Table, func, insert, select, text
from sqlmodel import SQLModel

import inventory.models  # noqa: F401  (registers the tables)
from inventory.db import describe_url, get_engine
from inventory.errors import IctrError
from inventory.migrate import alembic_config, current_revision, head_revision

log = logging.getLogger(__name__)

BATCH_ROWS = 5000


@dataclass
class CopyReport:
    source: str
    target: str
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied
    replaced: dict[str, int] = field(default_factory=dict)  # table -> rows deleted (--force)
    seconds: float = 0.0


def copy_tables() -> list[Table]:
    """Every table of the schema, parents before children."""
    return list(SQLModel.metadata.sorted_tables)


def _self_reference(table: Table) -> tuple[str, str] | None:
    """(child column, parent column) when the table refers to itself."""
    for fk in table.foreign_keys:
        if fk.column.table is table:
            return fk.parent.name, fk.column.name
    return None


def _parents_first(rows: list[Any], child: str, parent: str) -> list[Any]:
    """Order rows so that each comes after the row it refers to."""
    by_key = {getattr(r, parent): r for r in rows}
    done: set[Any] = set()
    ordered: list[Any] = []
    for row in rows:
        chain = []
        current = row
        while current is not None and getattr(current, parent) not in done:
            chain.append(current)
            done.add(getattr(current, parent))
            reference = getattr(current, child)
            current = by_key.get(reference) if reference is not None else None
        ordered.extend(reversed(chain))
    return ordered


def _source_rows(connection: Connection, table: Table) -> Iterable[Any]:
    statement = select(table).order_by(*table.primary_key.columns)
    reference = _self_reference(table)
    if reference is not None:  # a tree (administrative units): small, sorted in memory
        return _parents_first(list(connection.execute(statement)), *reference)
    return connection.execution_options(yield_per=BATCH_ROWS).execute(statement)


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _copy_postgres(connection: Connection, table: Table, rows: Iterable[Any]) -> int:
    """COPY FROM STDIN, each value prepared by its column type as an INSERT would."""
    dialect = connection.dialect
    columns = list(table.columns)
    # JSON (the audit trail's counts and values) as its text: psycopg adapts a dict only as
    # a parameter, not in COPY's rows.
    processors = [
        json.dumps if isinstance(c.type, JSON) else c.type.bind_processor(dialect) for c in columns
    ]
    names = ", ".join(dialect.identifier_preparer.quote(c.name) for c in columns)
    quoted = dialect.identifier_preparer.format_table(table)
    raw = connection.connection.driver_connection
    assert raw is not None
    count = 0
    with raw.cursor() as cursor, cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [
                    value if process is None or value is None else process(value)
                    for value, process in zip(row, processors, strict=True)
                ]
            )
            count += 1
    return count


def _copy_inserts(connection: Connection, table: Table, rows: Iterable[Any]) -> int:
    count = 0
    for batch in _batches(rows, BATCH_ROWS):
        connection.execute(insert(table), [dict(r._mapping) for r in batch])
        count += len(batch)
    return count


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """Next ids follow the copied ones (PostgreSQL sequences do not see COPYed ids)."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar()
            if sequence is None:
                continue
            quoted_table = connection.dialect.identifier_preparer.format_table(table)
            quoted_column = connection.dialect.identifier_preparer.quote(column.name)
            connection.execute(
                text(
                    f"SELECT setval(:sequence, COALESCE(MAX({quoted_column}), 1), "
                    f"MAX({quoted_column}) IS NOT NULL) FROM {quoted_table}"
                ),
                {"sequence": sequence},
            )


def _upgrade_in(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def copy_database(
    source: Engine,
    target_url: str,
    *,
    force: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> CopyReport:
    """Copy every row of `source` to the database at `target_url`; see the module docstring.

    Refuses a target holding any row unless `force`, which replaces its contents.
    """
    source_where = describe_url(source.url.render_as_string(hide_password=False))
    target_where = describe_url(target_url)
    target = get_engine(target_url)
    if source.url == target.url:
        raise IctrError(f"source and target are the same database ({target_where})")
    revision = current_revision(source)
    if revision is None:
        raise IctrError(f"source database {source_where} is not initialised: nothing to copy")
    if revision != head_revision():
        raise IctrError(
            f"source database {source_where} is at revision {revision}, not "
            f"{head_revision()}: run `ictr db upgrade` on it first"
        )
    report = CopyReport(source=source_where, target=target_where)
    began = time.monotonic()
    tables = copy_tables()
    read_options: dict[str, Any] = (
        {"isolation_level": "REPEATABLE READ"} if source.dialect.name == "postgresql" else {}
    )
    with (
        source.connect().execution_options(**read_options) as reader,
        target.connect() as writer,
    ):
        with reader.begin(), writer.begin():
            if reader.dialect.name == "sqlite":
                # pysqlite opens no transaction for reads: without this each table would be
                # read from its own snapshot while agents write.
                reader.exec_driver_sql("BEGIN")
            if writer.dialect.name == "sqlite":
                writer.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            _upgrade_in(writer, revision)
            present = {
                t.name: int(writer.execute(select(func.count()).select_from(t)).scalar_one())
                for t in tables
            }
            filled = {name: n for name, n in present.items() if n}
            if filled and not force:
                shown = ", ".join(f"{name} ({n} rows)" for name, n in filled.items())
                raise IctrError(
                    f"target database {target_where} is not empty: {shown}; "
                    "use --force to replace its contents"
                )
            for table in reversed(tables):
                if filled.get(table.name):
                    writer.execute(table.delete())
                    report.replaced[table.name] = filled[table.name]
            copier = _copy_postgres if writer.dialect.name == "postgresql" else _copy_inserts
            for table in tables:
                report.rows[table.name] = copier(writer, table, _source_rows(reader, table))
                log.info("copied %s: %d rows", table.name, report.rows[table.name])
                if progress is not None:
                    progress(table.name, report.rows[table.name])
            if writer.dialect.name == "postgresql":
                _reset_sequences(writer, tables)
    report.seconds = time.monotonic() - began
    return report
