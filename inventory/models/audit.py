"""The audit trail: every write is one change set (who, when, which command and file, counts)
with, for each row it changed, the row's values before and after (inventory/audit.py writes
them, inventory/undo.py reads them back)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from inventory.models.types import UTCDateTime


class ChangeSet(SQLModel, table=True):
    """One write: an import, an edit, an undo, a boundary import, a demo reset, a prune."""

    __tablename__ = "change_set"
    __table_args__ = (Index("ix_change_set_actor", "actor"), Index("ix_change_set_at", "at"))

    id: int | None = Field(default=None, primary_key=True)
    actor: str = Field(max_length=200, description="A username, or cli:<OS user>")
    at: datetime = Field(sa_type=UTCDateTime, description="When it was committed (UTC)")
    command: str = Field(max_length=200, description="e.g. ictr import computers")
    file_name: str | None = Field(default=None, max_length=255)
    file_sha256: str | None = Field(default=None, min_length=64, max_length=64)
    counts: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False), description="Rows by table"
    )


class ChangeRow(SQLModel, table=True):
    """One row changed by a change set. `before` is None for an insert, `after` for a delete;
    an update keeps only the columns that changed."""

    __tablename__ = "change_row"
    __table_args__ = (
        Index("ix_change_row_table_row", "table_name", "row_id"),
        Index("ix_change_row_key", "key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    change_set_id: int = Field(foreign_key="change_set.id", index=True)
    table_name: str = Field(max_length=60)
    row_id: str = Field(max_length=200, description="The row's primary key, as text")
    key: str = Field(max_length=300, description="What people call the row: asset tag, code...")
    # None is SQL NULL (not JSON null), as `ictr db copy` writes it.
    before: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    after: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
