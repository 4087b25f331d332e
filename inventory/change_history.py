"""Reading the audit trail back: change sets (filtered by table, row key, user) and the rows
they changed, for `ictr history` and the dashboard's History sections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from inventory.models.audit import ChangeRow, ChangeSet


@dataclass(frozen=True)
class ChangeSetView:
    id: int
    user: str
    at: datetime  # UTC
    command: str
    file: str | None
    sha256: str | None
    counts: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user,
            "at": self.at.isoformat(),
            "command": self.command,
            "file": self.file,
            "sha256": self.sha256,
            "counts": self.counts,
        }


@dataclass(frozen=True)
class RowChange:
    change_set: ChangeSetView
    table: str
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def action(self) -> str:
        if self.before is None:
            return "inserted"
        return "deleted" if self.after is None else "updated"


def _view(found: ChangeSet) -> ChangeSetView:
    assert found.id is not None
    return ChangeSetView(
        id=found.id,
        user=found.actor,
        at=found.at,
        command=found.command,
        file=found.file_name,
        sha256=found.file_sha256,
        counts=dict(found.counts),
    )


def change_sets(
    session: Session,
    *,
    table: str | None = None,
    key: str | None = None,
    user: str | None = None,
    limit: int | None = None,
) -> list[ChangeSetView]:
    """Change sets, newest first; with `table` and/or `key`, those that changed such a row
    (`key` is what people call the row, e.g. an asset tag, or its primary key)."""
    query = select(ChangeSet)
    if user is not None:
        query = query.where(col(ChangeSet.actor) == user)
    if table is not None or key is not None:
        rows = select(ChangeRow.change_set_id)
        if table is not None:
            rows = rows.where(col(ChangeRow.table_name) == table)
        if key is not None:
            rows = rows.where(or_(col(ChangeRow.key) == key, col(ChangeRow.row_id) == key))
        query = query.where(col(ChangeSet.id).in_(rows))
    query = query.order_by(col(ChangeSet.id).desc())
    if limit is not None:
        query = query.limit(limit)
    return [_view(found) for found in session.exec(query).all()]


def changed_tables(session: Session) -> list[str]:
    """The tables the trail holds changes of, by name."""
    query = select(ChangeRow.table_name).distinct().order_by(col(ChangeRow.table_name))
    return list(session.exec(query).all())


def row_history(session: Session, table: str, row_id: Any) -> list[RowChange]:
    """Every change of one row (by its primary key), newest first."""
    query = (
        select(ChangeRow, ChangeSet)
        .join(ChangeSet, col(ChangeSet.id) == col(ChangeRow.change_set_id))
        .where(col(ChangeRow.table_name) == table, col(ChangeRow.row_id) == str(row_id))
        .order_by(col(ChangeRow.id).desc())
    )
    return [
        RowChange(_view(found), row.table_name, row.key, row.before, row.after)
        for row, found in session.exec(query).all()
    ]


def find_change_set(session: Session, change_set_id: int) -> ChangeSetView | None:
    found = session.get(ChangeSet, change_set_id)
    return _view(found) if found is not None else None


def change_set_rows(session: Session, view: ChangeSetView) -> list[RowChange]:
    """The rows one change set changed, in the order it changed them."""
    rows = session.exec(
        select(ChangeRow).where(col(ChangeRow.change_set_id) == view.id).order_by(col(ChangeRow.id))
    ).all()
    return [RowChange(view, r.table_name, r.key, r.before, r.after) for r in rows]
