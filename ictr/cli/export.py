"""`ictr export computers|services|certificates`: the inventory as CSV or XLSX, in the
importer's own columns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer
from sqlmodel import Session

from inventory.db import get_engine, session_scope
from inventory.export import export_computers
from inventory.migrate import require_current_schema

export_app = typer.Typer(
    help="Export the inventory to CSV or Excel (re-importable as is).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


OUTPUT = typer.Option(..., "-o", "--output", help="File to write (.csv or .xlsx).")
FORMAT = typer.Option(None, "--format", help="csv or xlsx (default: from the file name, else csv).")
HEADERS = typer.Option(
    "vi", "--headers", help="Header language: vi (Vietnamese labels) or en (canonical)."
)


def _export(what: str, output: Path, write: Callable[[Session], int]) -> None:
    """Run one export in a session of the current schema and say how many rows it wrote."""
    engine = get_engine()
    require_current_schema(engine)
    with session_scope(engine) as session:
        count = write(session)
    typer.echo(f"{count} {what} written to {output}")


def computers(
    output: Path = OUTPUT,
    fmt: str | None = FORMAT,
    district: str | None = typer.Option(
        None, "--district", help="Only this district (GSO code or name), communes included."
    ),
    agency: str | None = typer.Option(None, "--agency", help="Only this agency (code or name)."),
    status: str | None = typer.Option(
        None, "--status", help="Only this status (in_use, spare, broken, retired, or Vietnamese)."
    ),
    language: str = HEADERS,
) -> None:
    """Export computers with the columns `ictr import computers` accepts."""
    _export(
        "computers",
        output,
        lambda session: export_computers(
            session,
            output,
            fmt=fmt,
            district=district,
            agency=agency,
            status=status,
            language=language,
        ),
    )


def services(output: Path = OUTPUT, fmt: str | None = FORMAT, language: str = HEADERS) -> None:
    """Export the service figures (per agency and period) with the columns
    `ictr import services` accepts."""
    from inventory.export_services import export_services

    _export(
        "service figures",
        output,
        lambda session: export_services(session, output, fmt=fmt, language=language),
    )


def certificates(output: Path = OUTPUT, fmt: str | None = FORMAT, language: str = HEADERS) -> None:
    """Export certificates with the columns `ictr import certificates` accepts."""
    from inventory.export_certificates import export_certificates

    _export(
        "certificates",
        output,
        lambda session: export_certificates(session, output, fmt=fmt, language=language),
    )


def register(app: typer.Typer) -> None:
    export_app.command("computers")(computers)
    export_app.command("services")(services)
    export_app.command("certificates")(certificates)
    app.add_typer(export_app, name="export")
