"""Undo a change set: put every row it changed back as it was, newest change first.

A row a later change set changed too is a conflict: undoing would throw that later change
away, so the undo is refused, naming the rows, unless forced. The undo is a change set of its
own (so it can be undone in turn), recorded by the same watch as every other write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, delete, insert, update
from sqlalchemy import select as sql_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel, col, select

from inventory.actor import Actor
from inventory.audit import Change, primary_key, restore, written_change_set
from inventory.errors import IctrError
from inventory.importing import ENTITIES
from inventory.models.audit import ChangeRow, ChangeSet
from inventory.settings import get_settings
from inventory.write_lock import locked_session

# The writers an undo must not overlap with: every import (it may touch any of their rows).
UNDO_LOCKS = tuple(f"ictr import {entity}" for entity in ENTITIES)
_LISTED = 20  # conflicts named one by one in the refusal


@dataclass(frozen=True)
class Conflict:
    table: str
    key: str
    change_set_id: int
    actor: str
    at: datetime

    def describe(self, zone: ZoneInfo) -> str:
        return (
            f"{self.table} {self.key} (change set {self.change_set_id}, {self.actor}, "
            f"{self.at.astimezone(zone):%Y-%m-%d %H:%M})"
        )


@dataclass
class UndoReport:
    undone: int  # the change set undone
    change_set_id: int  # the undo's own change set
    rows: int
    conflicts: list[Conflict]


def conflicts(session: Session, change_set_id: int) -> list[Conflict]:
    """Rows of the change set that a later change set changed too, oldest first."""
    mine = aliased(ChangeRow)
    later = aliased(ChangeRow)
    query = (
        sql_select(
            col(later.table_name),
            col(later.key),
            col(ChangeSet.id),
            col(ChangeSet.actor),
            col(ChangeSet.at),
        )
        .join(
            mine,
            (col(mine.table_name) == col(later.table_name))
            & (col(mine.row_id) == col(later.row_id)),
        )
        .join(ChangeSet, col(ChangeSet.id) == col(later.change_set_id))
        .where(col(mine.change_set_id) == change_set_id)
        .where(col(later.change_set_id) > change_set_id)
        .distinct()
        .order_by(col(ChangeSet.id), col(later.table_name), col(later.key))
    )
    return [
        Conflict(table=t, key=k, change_set_id=i, actor=a, at=at)
        for t, k, i, a, at in session.execute(query).all()
        if i is not None
    ]


def _change_set(session: Session, change_set_id: int) -> ChangeSet:
    found = session.get(ChangeSet, change_set_id)
    if found is None:
        raise IctrError(f"no change set {change_set_id} (`ictr history` lists them)")
    if found.counts.get("rows_recorded") is False:
        raise IctrError(
            f"change set {change_set_id} ({found.command}) recorded counts only, not rows: "
            "it cannot be undone"
        )
    return found


def find_conflicts(engine: Engine, change_set_id: int) -> list[Conflict]:
    """What `undo` would refuse for (after checking the change set exists)."""
    with Session(engine) as session:
        _change_set(session, change_set_id)
        return conflicts(session, change_set_id)


def refusal(change_set_id: int, found: list[Conflict]) -> str:
    zone = get_settings().zone
    named = "; ".join(c.describe(zone) for c in found[:_LISTED])
    more = f"; and {len(found) - _LISTED} more" if len(found) > _LISTED else ""
    return (
        f"change set {change_set_id} cannot be undone: later change sets changed the same "
        f"rows: {named}{more}. Give --force to undo it anyway (their later values are lost)"
    )


def undo(engine: Engine, change_set_id: int, *, actor: Actor, force: bool = False) -> UndoReport:
    """Restore every row of the change set as it was before it, in one transaction that is
    itself a change set. Refused (IctrError naming the rows) on a conflict unless `force`."""
    change = Change(
        actor=actor, command=f"ictr undo {change_set_id}", counts={"undoes": change_set_id}
    )
    with locked_session(engine, *UNDO_LOCKS, change=change) as session:
        _change_set(session, change_set_id)
        found = conflicts(session, change_set_id)
        if found and not force:
            raise IctrError(refusal(change_set_id, found))
        rows = session.exec(
            select(ChangeRow)
            .where(col(ChangeRow.change_set_id) == change_set_id)
            .order_by(col(ChangeRow.id).desc())
        ).all()
        for row in rows:
            _put_back(session, row)
        session.commit()
        written = written_change_set(session)
    assert written is not None
    return UndoReport(undone=change_set_id, change_set_id=written, rows=len(rows), conflicts=found)


def _put_back(session: Session, row: ChangeRow) -> None:
    table: Table = SQLModel.metadata.tables[row.table_name]
    pk = primary_key(table)
    pk_value = restore(pk, row.row_id)
    if row.before is None:  # inserted: remove it
        session.execute(delete(table).where(pk == pk_value))
    elif row.after is None:  # deleted: put it back, with its key
        session.execute(insert(table).values(_values(table, row.before)))
    else:  # updated: the columns it changed get their old values
        session.execute(update(table).where(pk == pk_value).values(_values(table, row.before)))


def _values(table: Table, stored: dict[str, Any]) -> dict[str, Any]:
    return {name: restore(table.c[name], value) for name, value in stored.items()}
