"""The audit trail's one mechanism: a write opened with a `Change` (through
`write_lock.locked_session`, or `begin` on any session) is recorded as one change set, with
every row it inserted, updated or deleted, in the same transaction as the write.

Nothing here needs a writer's help beyond saying who it is and what it runs. The session is
watched instead:

- ORM writes (objects added, changed, deleted): `before_flush` reads the rows as stored,
  `after_flush` as written;
- Core statements through `session.execute` (`insert(table)`, `update(...)`, `delete(...)`):
  `do_orm_execute` reads the rows an UPDATE or DELETE will touch before it runs, and makes
  an INSERT return the rows it wrote;
- `inventory/upsert.py` knows the stored values of the rows it updates already and hands
  them to `record_updates` rather than have them read twice.

At commit (`before_commit`) the change set and its rows are written on the same connection,
so the write and its record commit together or not at all. A rollback (a dry run, a bad
file) discards both. Statements sent to `session.connection()` directly bypass the watch:
writers of audited data go through the session.

A writer that commits in many transactions on purpose (`ictr db prune`) records counts only,
through a `CountsLedger`, which adds each transaction's counts in that same transaction.
"""

from __future__ import annotations

import enum
import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Table,
    TypeDecorator,
    UniqueConstraint,
    event,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.sql.dml import Delete, Insert, Update

from inventory.actor import Actor
from inventory.models.audit import ChangeRow, ChangeSet
from inventory.models.types import utcnow

CHANGE_SET = ChangeSet.__table__  # type: ignore[attr-defined]
CHANGE_ROW = ChangeRow.__table__  # type: ignore[attr-defined]
AUDIT_TABLES = frozenset({CHANGE_SET.name, CHANGE_ROW.name})
# Reference data copied from the vietnamadminunits package (`ictr init`, or `ictr demo` on an
# empty database): not anybody's change, reloaded as published, never imported or edited.
REFERENCE_TABLES = frozenset({"admin_unit", "unit_correspondence"})
_INFO_KEY = "ictr_change"
_WRITTEN_KEY = "ictr_change_set_id"
_CHUNK = 900  # SQLite's bound-parameter limit, with room to spare


@dataclass(frozen=True)
class Change:
    """What a write says about itself: who runs it, the command, the file it reads, and any
    figures of its own (rows unchanged, for example) to keep beside the counted rows."""

    actor: Actor
    command: str
    file: Path | None = None
    counts: Mapping[str, Any] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file; of a folder, of its files' relative names and hashes."""
    digest = hashlib.sha256()
    if path.is_dir():
        for item in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(f"{item.relative_to(path).as_posix()}\0{file_sha256(item)}\n".encode())
        return digest.hexdigest()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class _Recorder:
    change: Change
    file_name: str | None
    file_sha256: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    stored: dict[tuple[str, Any], dict[str, Any]] = field(default_factory=dict)  # before a flush
    figures: dict[str, Any] = field(default_factory=dict)

    def add(
        self,
        table: Table,
        pk: Any,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        key: str | None = None,
    ) -> None:
        if before is not None and after is not None:  # an update keeps what changed
            changed = [c for c in after if before.get(c) != after[c]]
            if not changed:
                return
            before = {c: before.get(c) for c in changed}
            after = {c: after[c] for c in changed}
        self.rows.append(
            {
                "table_name": table.name,
                "row_id": str(pk),
                "key": (key or str(pk))[:300],
                "before": before,
                "after": after,
            }
        )


def begin(session: Session, change: Change) -> None:
    """Record the session's current transaction as one change set, written at its commit."""
    if _INFO_KEY in session.info:
        raise RuntimeError("this session already records a change set")
    file = change.file
    session.info[_INFO_KEY] = _Recorder(
        change=change,
        file_name=file.name if file is not None else None,
        file_sha256=file_sha256(file) if file is not None and file.exists() else None,
    )


def note(session: Session, **figures: Any) -> None:
    """Keep the writer's own figures (rows read, unchanged...) in the change set's counts."""
    recorder = _recorder(session)
    if recorder is not None:
        recorder.figures.update(figures)


def written_change_set(session: Session) -> int | None:
    """The id of the change set the session's last commit wrote."""
    return session.info.get(_WRITTEN_KEY)


def _recorder(session: Session) -> _Recorder | None:
    return session.info.get(_INFO_KEY)


# --- values: stored as JSON, restored by column type -------------------------------------


_AS_IS = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """A stored value as JSON can hold it (and compare it)."""
    if type(value) in _AS_IS:  # most values: the quick way out
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def restore(column: Column[Any], value: Any) -> Any:
    """A value from the trail as the column takes it."""
    if value is None:
        return None
    column_type = column.type
    if isinstance(column_type, TypeDecorator):  # e.g. UTCDateTime: the type it stores as
        column_type = column_type.impl_instance
    try:
        kind = column_type.python_type
    except NotImplementedError:
        return value
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    if kind is bytes:
        return bytes.fromhex(value)
    if kind is int and isinstance(value, str):
        return int(value)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    return value


def _plain_row(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(name): plain(value) for name, value in row.items()}


def primary_key(table: Table) -> Column[Any]:
    columns = list(table.primary_key.columns)
    if len(columns) != 1:
        raise NotImplementedError(f"{table.name}: the audit trail needs a one-column key")
    return columns[0]


@functools.cache
def _key_columns(table: Table) -> list[tuple[str, ...]]:
    """The unique keys people use for a row, one-column ones first (asset tag, serial, code)."""
    keys = [
        tuple(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    keys += [tuple(c.name for c in index.columns) for index in table.indexes if index.unique]
    return sorted(set(keys), key=lambda k: (len(k), k))


def row_key(table: Table, values: Mapping[str, Any]) -> str | None:
    """What people call the row: the first unique key whose values it has."""
    for columns in _key_columns(table):
        parts = [values.get(c) for c in columns]
        if all(p is not None for p in parts):
            return "/".join(str(plain(p)) for p in parts)
    return None


def _audited(table: Any) -> bool:
    return (
        isinstance(table, Table)
        and table.name not in AUDIT_TABLES
        and table.name not in REFERENCE_TABLES
    )


def _read_rows(session: Session, table: Table, pks: Sequence[Any]) -> dict[Any, dict[str, Any]]:
    """Stored rows by primary key, read on the session's connection (no autoflush)."""
    pk = primary_key(table)
    out: dict[Any, dict[str, Any]] = {}
    connection = session.connection()
    for start in range(0, len(pks), _CHUNK):
        chunk = list(pks[start : start + _CHUNK])
        for row in connection.execute(select(table).where(pk.in_(chunk))).mappings():
            out[row[pk.name]] = _plain_row(row)
    return out


# --- ORM writes ---------------------------------------------------------------------------


def _objects_by_table(objects: Iterable[Any]) -> dict[Table, list[Any]]:
    out: dict[Table, list[Any]] = {}
    for obj in objects:
        mapper = inspect(obj).mapper
        table = mapper.local_table
        if _audited(table):
            # Not `identity`: a new object gets it only after `after_flush`.
            pk = mapper.primary_key_from_instance(obj)[0]
            if pk is not None:
                out.setdefault(table, []).append(pk)
    return out


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    recorder = _recorder(session)
    if recorder is None:
        return
    touched = _objects_by_table([*session.dirty, *session.deleted])
    for table, pks in touched.items():
        for pk, row in _read_rows(session, table, pks).items():
            recorder.stored[(table.name, pk)] = row


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    recorder = _recorder(session)
    if recorder is None:
        return
    deleted = {id(obj) for obj in session.deleted}
    written = _objects_by_table(o for o in [*session.new, *session.dirty] if id(o) not in deleted)
    for table, pks in written.items():
        rows = _read_rows(session, table, pks)
        for pk in pks:
            before = recorder.stored.pop((table.name, pk), None)
            after = rows.get(pk)
            if after is not None:
                recorder.add(table, pk, before, after, row_key(table, after))
    for table, pks in _objects_by_table(session.deleted).items():
        for pk in pks:
            before = recorder.stored.pop((table.name, pk), None)
            if before is not None:
                recorder.add(table, pk, before, None, row_key(table, before))
    recorder.stored.clear()


# --- Core statements through the session -------------------------------------------------


@event.listens_for(Session, "do_orm_execute")
def _core_write(state: ORMExecuteState) -> Any:
    recorder = _recorder(state.session)
    statement = state.statement
    if recorder is None or not isinstance(statement, Insert | Update | Delete):
        return None
    table = statement.table
    if not _audited(table):
        return None
    assert isinstance(table, Table)
    if isinstance(statement, Insert):
        return _insert(state, recorder, statement, table)
    return _update_or_delete(state, recorder, statement, table)


def _insert(state: ORMExecuteState, recorder: _Recorder, statement: Insert, table: Table) -> Any:
    if statement._returning:  # the writer asked for its own columns: not rewritten
        raise NotImplementedError(f"{table.name}: an audited INSERT cannot have RETURNING")
    # In any order: each row is recorded with its own key. (Asking for the parameters' order
    # makes SQLite insert one row per statement.)
    returning = statement.returning(*table.columns)
    frozen = state.invoke_statement(statement=returning).freeze()
    pk = primary_key(table)
    for row in frozen().mappings():
        after = _plain_row(row)
        recorder.add(table, row[pk.name], None, after, row_key(table, after))
    return frozen()


def _update_or_delete(
    state: ORMExecuteState, recorder: _Recorder, statement: Update | Delete, table: Table
) -> Any:
    pk = primary_key(table)
    where = statement.whereclause
    parameter_sets: list[Mapping[str, Any]]
    if state.is_executemany:
        parameter_sets = list(state.parameters or [])  # type: ignore[arg-type]
    else:
        parameter_sets = [state.parameters or {}]  # type: ignore[list-item]
    connection = state.session.connection()
    before: dict[Any, dict[str, Any]] = {}
    for parameters in parameter_sets:
        query = select(table)
        if where is not None:
            query = query.where(where)
        elif state.is_executemany:  # a bulk UPDATE by primary key
            query = query.where(pk == parameters[pk.name])
        for found in connection.execute(query, dict(parameters)).mappings():
            before.setdefault(found[pk.name], _plain_row(found))
    result = state.invoke_statement()
    if isinstance(statement, Delete):
        for key, row in before.items():
            recorder.add(table, key, row, None, row_key(table, row))
    else:
        after = _read_rows(state.session, table, list(before))
        for key, row in before.items():
            if key in after:
                recorder.add(table, key, row, after[key], row_key(table, after[key]))
    return result


def record_updates(
    session: Session,
    table: Table,
    changes: Iterable[tuple[Any, Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]]],
) -> None:
    """Rows a writer updated itself, knowing their stored values: (primary key, before,
    after, key columns' values) each. Nothing happens outside a recorded transaction."""
    recorder = _recorder(session)
    if recorder is None or not _audited(table):
        return
    for pk, before, after, keys in changes:
        recorder.add(table, plain(pk), _plain_row(before), _plain_row(after), row_key(table, keys))


# --- the change set, written at commit -----------------------------------------------------


def _counts(recorder: _Recorder) -> dict[str, Any]:
    counts: dict[str, Any] = {}
    for row in recorder.rows:
        what = (
            "inserted"
            if row["before"] is None
            else "deleted"
            if row["after"] is None
            else "updated"
        )
        per_table = counts.setdefault(row["table_name"], {})
        per_table[what] = per_table.get(what, 0) + 1
    return {**dict(recorder.change.counts), **recorder.figures, **counts}


def _insert_change_set(connection: Connection, change: Change, **values: Any) -> int:
    return int(
        connection.execute(
            insert(CHANGE_SET)
            .values(
                actor=change.actor.name[:200], at=utcnow(), command=change.command[:200], **values
            )
            .returning(CHANGE_SET.c.id)
        ).scalar_one()
    )


@event.listens_for(Session, "before_commit")
def _write_change_set(session: Session) -> None:
    recorder = _recorder(session)
    if recorder is None:
        return
    session.flush()  # the last ORM changes, recorded by after_flush
    session.info.pop(_INFO_KEY)
    connection = session.connection()
    change_set_id = _insert_change_set(
        connection,
        recorder.change,
        file_name=recorder.file_name,
        file_sha256=recorder.file_sha256,
        counts=_counts(recorder),
    )
    session.info[_WRITTEN_KEY] = change_set_id
    rows = recorder.rows
    for row in rows:
        row["change_set_id"] = change_set_id
    for start in range(0, len(rows), _CHUNK):
        connection.execute(insert(CHANGE_ROW), rows[start : start + _CHUNK])


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_INFO_KEY, None)


class CountsLedger:
    """One change set for a writer that commits many transactions (`ictr db prune`): each
    transaction adds its counts ({table: {what: n}}) to it before committing, so the counts are
    what was committed. Its rows are not recorded (`rows_recorded` false): it cannot be undone.
    """

    def __init__(self, change: Change) -> None:
        self.change = change
        self.id: int | None = None
        self.counts: dict[str, dict[str, int]] = {}
        self._pending: tuple[int | None, dict[str, dict[str, int]]] = (None, {})

    def add(self, connection: Connection, counts: Mapping[str, Mapping[str, int]]) -> None:
        """Add `counts` in the connection's open transaction; call `committed` after COMMIT."""
        totals = {table: dict(done) for table, done in self.counts.items()}
        for table, adding in counts.items():
            for what, n in adding.items():
                if n:
                    totals.setdefault(table, {})
                    totals[table][what] = totals[table].get(what, 0) + n
        if totals == self.counts:  # nothing changed in this transaction
            self._pending = (self.id, self.counts)
            return
        figures: dict[str, Any] = {**self.change.counts, **totals, "rows_recorded": False}
        if self.id is None:
            change_set_id = _insert_change_set(connection, self.change, counts=figures)
        else:
            change_set_id = self.id
            connection.execute(
                update(CHANGE_SET).where(CHANGE_SET.c.id == self.id).values(counts=figures)
            )
        self._pending = (change_set_id, totals)

    def committed(self) -> None:
        self.id, self.counts = self._pending
