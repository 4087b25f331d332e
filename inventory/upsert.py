"""Insert-or-update rows by a natural key, so loading the same data twice changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session, SQLModel

from inventory.audit import record_updates


@dataclass
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_keys: list[Any] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


def upsert_by_key(
    session: Session,
    model: type[SQLModel],
    key: str | tuple[str, ...],
    rows: Iterable[Mapping[str, Any]],
) -> UpsertCounts:
    """Match `rows` to stored rows on column(s) `key`; insert new ones, update changed ones.

    Rows are plain mappings of column values (already validated). Columns a row does not
    mention are left as they are. Work is done in bulk statements inside the caller's
    transaction, so the caller decides whether it all commits.
    """
    table = model.__table__  # type: ignore[attr-defined]
    rows = list(rows)
    if not rows:
        return UpsertCounts()
    key_cols = (key,) if isinstance(key, str) else key

    def key_of(row: Mapping[str, Any]) -> Any:
        return row[key] if isinstance(key, str) else tuple(row[k] for k in key_cols)

    columns = sorted({c for r in rows for c in r} | set(key_cols))
    pk = next(iter(table.primary_key.columns)).name
    selected = select(table.c[pk], *[table.c[c] for c in columns if c != pk])
    stored: dict[Any, dict[str, Any]] = {}
    if isinstance(key, str):
        keys = [r[key] for r in rows]
        for start in range(0, len(keys), 900):  # stay under SQLite's bound-parameter limit
            result = session.execute(selected.where(table.c[key].in_(keys[start : start + 900])))
            stored.update((rec[key], dict(rec)) for rec in result.mappings())
    else:  # composite keys are used for small tables only: read them whole
        stored.update(
            (key_of(dict(rec)), dict(rec)) for rec in session.execute(selected).mappings()
        )
    counts = UpsertCounts()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    audited: list[tuple[Any, dict[str, Any], Mapping[str, Any], dict[str, Any]]] = []
    for row in rows:
        current = stored.get(key_of(row))
        if current is None:
            inserts.append(dict(row))
            counts.new += 1
            counts.changed_keys.append(key_of(row))
        elif any(current.get(c) != v for c, v in row.items() if c != pk):
            updates.append({**row, "_pk": current[pk]})
            audited.append((current[pk], current, row, {**current, **row}))
            counts.updated += 1
            counts.changed_keys.append(key_of(row))
        else:
            counts.unchanged += 1
    if inserts:
        session.execute(insert(table), inserts)
    if updates:
        # Bind names may not equal column names in an UPDATE ... SET, hence the prefix.
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for u in updates:
            cols = tuple(sorted(c for c in u if c not in ("_pk", pk)))
            by_columns.setdefault(cols, []).append(
                {f"v_{c}": u[c] for c in cols} | {"_pk": u["_pk"]}
            )
        for cols, group in by_columns.items():
            stmt = (
                update(table)
                .where(table.c[pk] == bindparam("_pk"))
                .values({c: bindparam(f"v_{c}") for c in cols})
            )
            session.connection().execute(stmt, group)
        record_updates(session, table, audited)
    session.flush()
    return counts
