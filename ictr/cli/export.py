"""`ictr export computers|services|certificates`: the inventory as CSV or XLSX, in the
importer's own columns."""

from __future__ import annotations

from pathlib import Path

import typer

from inventory.db import get_engine, session_scope
from inventory.export import export_computers
from inventory.migrate import require_current_schema

export_app = typer.Typer(
    help="Export the inventory to CSV or Excel (re-importable as is).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def computers(
    output: Path = typer.Option(..., "-o", "--output", help="File to write (.csv or .xlsx)."),
    fmt: str | None = typer.Option(
        None, "--format", help="csv or xlsx (default: from the file name, else csv)."
    ),
    district: str | None = typer.Option(
        None, "--district", help="Only this district (GSO code or name), communes included."
    ),
    agency: str | None = typer.Option(None, "--agency", help="Only this agency (code or name)."),
    status: str | None = typer.Option(
        None, "--status", help="Only this status (in_use, spare, broken, retired, or Vietnamese)."
    ),
    language: str = typer.Option(
        "vi", "--headers", help="Header language: vi (Vietnamese labels) or en (canonical)."
    ),
) -> None:
    """Export computers with the columns `ictr import computers` accepts."""
    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        count = export_computers(
            session,
            output,
            fmt=fmt,
            district=district,
            agency=agency,
            status=status,
            language=language,
        )
    typer.echo(f"{count} computers written to {output}")


def services(
    output: Path = typer.Option(..., "-o", "--output", help="File to write (.csv or .xlsx)."),
    fmt: str | None = typer.Option(
        None, "--format", help="csv or xlsx (default: from the file name, else csv)."
    ),
    language: str = typer.Option(
        "vi", "--headers", help="Header language: vi (Vietnamese labels) or en (canonical)."
    ),
) -> None:
    """Export the service figures (per agency and period) with the columns
    `ictr import services` accepts."""
    from inventory.export_services import export_services

    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        count = export_services(session, output, fmt=fmt, language=language)
    typer.echo(f"{count} service figures written to {output}")


def certificates(
    output: Path = typer.Option(..., "-o", "--output", help="File to write (.csv or .xlsx)."),
    fmt: str | None = typer.Option(
        None, "--format", help="csv or xlsx (default: from the file name, else csv)."
    ),
    language: str = typer.Option(
        "vi", "--headers", help="Header language: vi (Vietnamese labels) or en (canonical)."
    ),
) -> None:
    """Export certificates with the columns `ictr import certificates` accepts."""
    from inventory.export_certificates import export_certificates

    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        count = export_certificates(session, output, fmt=fmt, language=language)
    typer.echo(f"{count} certificates written to {output}")


def register(app: typer.Typer) -> None:
    export_app.command("computers")(computers)
    export_app.command("services")(services)
    export_app.command("certificates")(certificates)
    app.add_typer(export_app, name="export")
