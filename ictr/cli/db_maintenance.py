"""`ictr db prune` (retention of probe rounds) and `ictr db copy --to URL` (move a database,
e.g. SQLite to PostgreSQL). Both are added to the `db` group of ictr/cli/database.py."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime

import typer

from ictr.cli.database import db_app
from ictr.cli.retention_options import keep_hourly_option, keep_raw_option, retention
from inventory.db import describe_url, get_engine
from inventory.migrate import require_current_schema
from inventory.settings import get_settings


def prune(
    keep_raw: str | None = keep_raw_option(
        "Keep raw probe rounds this long (e.g. 90d, at least 8d); older ones are folded "
        "into daily aggregates (their hours are summarised first), then deleted."
    ),
    keep_hourly: str | None = keep_hourly_option(
        "Keep hourly aggregates this long; older ones remain as daily aggregates."
    ),
    chunk_points: int = typer.Option(
        500, "--chunk-points", min=1, help="Points per transaction (with one UTC day)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Apply the retention to probe rounds; safe while agents write, and idempotent."""
    from probes.history.retention import prune as run_prune

    windows = retention(keep_raw, keep_hourly)
    engine = get_engine()
    require_current_schema(engine)
    report = run_prune(engine, now=datetime.now(UTC), retention=windows, chunk_points=chunk_points)
    if as_json:
        figures = asdict(report)
        figures["raw_before"] = report.raw_before.isoformat()
        figures["hourly_before"] = report.hourly_before.isoformat()
        through = report.hourly_through
        figures["hourly_through"] = through.isoformat() if through else None
        typer.echo(json.dumps(figures, ensure_ascii=False))
        return
    if report.skipped:
        typer.echo(f"nothing done: {report.skipped}")
        return
    summarised = f"{report.hourly_through:%Y-%m-%d %H:%M}" if report.hourly_through else "-"
    typer.echo(
        f"hours summarised up to {summarised} (UTC): {report.hourly_written} hourly aggregates; "
        f"raw rounds before {report.raw_before:%Y-%m-%d}: {report.raw_rows} rows folded "
        f"into {report.daily_written} daily aggregates; "
        f"hourly aggregates before {report.hourly_before:%Y-%m-%d}: {report.hourly_dropped} "
        f"dropped; website checks before {report.raw_before:%Y-%m-%d}: "
        f"{report.website_checks_dropped} deleted; "
        f"{report.chunks} transactions, {report.seconds:.1f} s"
    )


def copy(
    to: str = typer.Option(
        ..., "--to", help="Target database URL, e.g. postgresql+psycopg://ictr@db-host/ictr."
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace the target's contents if it holds any row."
    ),
) -> None:
    """Copy this database (ICTR_DATABASE_URL) to another one, all or nothing."""
    from inventory.db_copy import copy_database

    source = get_engine()
    report = copy_database(
        source,
        to,
        force=force,
        progress=lambda table, rows: typer.echo(f"{table:20} {rows:>12} rows", err=True),
    )
    total = sum(report.rows.values())
    replaced = sum(report.replaced.values())
    typer.echo(
        f"copied {total} rows in {len(report.rows)} tables from "
        f"{describe_url(get_settings().database_url)} to {report.target} "
        f"in {report.seconds:.1f} s" + (f" (replacing {replaced} rows)" if replaced else "")
    )
    typer.echo("next: point ICTR_DATABASE_URL of every service (agents, dashboards) at the target")


def register(app: typer.Typer) -> None:
    db_app.command("prune")(prune)
    db_app.command("copy")(copy)
