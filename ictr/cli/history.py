"""`ictr history` (who changed what, when) and `ictr undo ID` (put a change set back)."""

from __future__ import annotations

import enum
import json
from typing import Any

import typer

from inventory.actor import Actor
from inventory.change_history import (
    ChangeSetView,
    RowChange,
    change_set_rows,
    change_sets,
    find_change_set,
)
from inventory.db import get_engine, session_scope
from inventory.errors import IctrError
from inventory.migrate import require_current_schema
from inventory.settings import get_settings
from inventory.undo import find_conflicts, undo


class OutputFormat(enum.StrEnum):
    table = "table"
    json = "json"


def _counts(counts: dict[str, Any]) -> str:
    parts = []
    for name, value in counts.items():
        if isinstance(value, dict):
            parts.append(f"{name} " + " ".join(f"{k} {v}" for k, v in value.items()))
        else:
            parts.append(f"{name} {value}")
    return "; ".join(parts)


def _line(found: ChangeSetView) -> str:
    at = found.at.astimezone(get_settings().zone)
    file = f" {found.file}" if found.file else ""
    return (
        f"{found.id:>6}  {at:%Y-%m-%d %H:%M:%S}  {found.user:<20} {found.command}{file}"
        f"  [{_counts(found.counts)}]"
    )


def _row_line(row: RowChange) -> str:
    if row.before is None:
        return f"  + {row.table} {row.key}"
    if row.after is None:
        return f"  - {row.table} {row.key}"
    changes = ", ".join(f"{c}: {row.before.get(c)!r} -> {v!r}" for c, v in row.after.items())
    return f"  ~ {row.table} {row.key}: {changes}"


def history(
    table: str | None = typer.Option(
        None, "--table", help="Only change sets that changed this table (e.g. computer)."
    ),
    key: str | None = typer.Option(
        None, "--key", help="Only those that changed this row (asset tag, serial, code or id)."
    ),
    user: str | None = typer.Option(
        None, "--user", help="Only those of this user (a username, or cli:<OS user>)."
    ),
    change_set: int | None = typer.Option(
        None, "--change-set", help="List the rows this change set changed, before and after."
    ),
    limit: int = typer.Option(100, "--limit", min=1, help="At most this many, newest first."),
    output_format: OutputFormat = typer.Option(
        OutputFormat.table, "--format", help="table or json."
    ),
) -> None:
    """Who changed what and when: the change sets of the audit trail, newest first (times in
    the display time zone; UTC in JSON)."""
    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        if change_set is not None:
            one = find_change_set(session, change_set)
            if one is None:
                raise IctrError(f"no change set {change_set} (`ictr history` lists them)")
            sets, rows = [one], change_set_rows(session, one)
        else:
            sets = change_sets(session, table=table, key=key, user=user, limit=limit)
            rows = []
    if output_format is OutputFormat.json:
        records = [s.as_json() for s in sets]
        if change_set is not None:
            for record in records:
                record["rows"] = [
                    {"table": r.table, "key": r.key, "before": r.before, "after": r.after}
                    for r in rows
                ]
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if not sets:
        typer.echo("no change recorded" + (" for this filter" if table or key or user else ""))
        return
    for found in sets:
        typer.echo(_line(found))
    for row in rows:
        typer.echo(_row_line(row))


def undo_command(
    change_set_id: int = typer.Argument(..., help="The change set to undo (see ictr history)."),
    force: bool = typer.Option(
        False,
        "--force",
        help="Undo even when later change sets changed the same rows (they are listed first).",
    ),
) -> None:
    """Put back every row a change set changed, as it was before; the undo is a change set."""
    engine = get_engine()
    require_current_schema(engine)
    if force:
        found = find_conflicts(engine, change_set_id)
        if found:
            typer.echo(
                f"later change sets changed {len(found)} of these rows; undoing anyway:", err=True
            )
            for conflict in found:
                typer.echo(f"  {conflict.describe(get_settings().zone)}", err=True)
    report = undo(engine, change_set_id, actor=Actor.cli(), force=force)
    typer.echo(
        f"undid change set {report.undone}: {report.rows} rows put back "
        f"(recorded as change set {report.change_set_id})"
    )


def register(app: typer.Typer) -> None:
    app.command("history")(history)
    app.command("undo")(undo_command)
