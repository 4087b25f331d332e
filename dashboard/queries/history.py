"""The audit trail as the pages show it: change sets, the rows of one, a computer's history.

Times are turned to the display zone here; values stay data (the page shows them in tables,
never as Markdown or HTML)."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlmodel import Session, select

from inventory.change_history import (
    ChangeSetView,
    RowChange,
    change_set_rows,
    change_sets,
    changed_tables,
    find_change_set,
    row_history,
)
from inventory.models import Computer

# `changed_tables` is the trail's own: the Data page's table filter offers those.
__all__ = ["change_rows_frame", "change_set_frame", "changed_tables", "computer_history_frame"]

SET_COLUMNS = ["change_set", "at", "user", "command", "file", "counts"]
ROW_COLUMNS = ["table", "key", "action", "changes"]
COMPUTER_COLUMNS = ["change_set", "at", "user", "command", "action", "changes"]


def _counts(counts: dict[str, Any]) -> str:
    return json.dumps(counts, ensure_ascii=False, sort_keys=True)


def _at(view: ChangeSetView, zone: ZoneInfo) -> str:
    return f"{view.at.astimezone(zone):%Y-%m-%d %H:%M:%S}"


def changes_text(row: RowChange) -> str:
    """The values a change wrote: `column: before → after`, one per column."""
    if row.after is None:
        return ""
    before = row.before or {}
    return "; ".join(
        f"{c}: {before.get(c)} → {v}" if row.before is not None else f"{c}: {v}"
        for c, v in row.after.items()
    )


def change_set_frame(
    session: Session,
    *,
    zone: ZoneInfo,
    table: str | None = None,
    key: str | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    found = change_sets(session, table=table, key=key, limit=limit)
    return pd.DataFrame(
        [(v.id, _at(v, zone), v.user, v.command, v.file or "", _counts(v.counts)) for v in found],
        columns=SET_COLUMNS,
    )


def change_rows_frame(session: Session, change_set_id: int) -> pd.DataFrame:
    view = find_change_set(session, change_set_id)
    rows = change_set_rows(session, view) if view is not None else []
    return pd.DataFrame(
        [(r.table, r.key, r.action, changes_text(r)) for r in rows], columns=ROW_COLUMNS
    )


def computer_history_frame(session: Session, asset_tag: str, *, zone: ZoneInfo) -> pd.DataFrame:
    """Every change of one computer, newest first (like Snipe-IT's asset history)."""
    computer_id = session.exec(select(Computer.id).where(Computer.asset_tag == asset_tag)).first()
    rows = row_history(session, "computer", computer_id) if computer_id is not None else []
    return pd.DataFrame(
        [
            (
                r.change_set.id,
                _at(r.change_set, zone),
                r.change_set.user,
                r.change_set.command,
                r.action,
                changes_text(r),
            )
            for r in rows
        ],
        columns=COMPUTER_COLUMNS,
    )
