"""`ictr import computers|agencies|points|services|certificates|successions|websites FILE`:
load
spreadsheets (and certificate files), all rows or none."""

from __future__ import annotations

from pathlib import Path

import typer

from ictr.cli.import_options import (
    FILE,
    agency_rows_options,
    certificate_options,
    owned_rows_options,
    service_rows_options,
    succession_options,
)
from inventory.db import get_engine
from inventory.errors import IctrError
from inventory.importing import ImportOptions, ImportReport, run_import
from inventory.migrate import require_current_schema

import_app = typer.Typer(
    help="Import agencies, computers, connection points, service reports, certificates or "
    "agency successions or websites from CSV or Excel (.xlsx) files (certificates also from "
    "their own files).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _run(entity: str, file: Path, options: ImportOptions) -> None:
    """The report on stdout; a refused file ends, like every user mistake, in one line on
    stderr naming the file and the (first) problem, and exit code 2."""
    engine = get_engine()
    require_current_schema(engine)
    report: ImportReport = run_import(engine=engine, entity=entity, path=file, options=options)
    for line in report.lines():
        typer.echo(line)
    if not report.ok:
        raise IctrError(report.failure())


@owned_rows_options
def computers(file: Path = FILE, *, options: ImportOptions) -> None:
    """Import computers (matched by asset tag); Snipe-IT asset files are recognised."""
    _run("computers", file, options)


@agency_rows_options
def agencies(file: Path = FILE, *, options: ImportOptions) -> None:
    """Import agencies (matched by code, else by name within their unit)."""
    _run("agencies", file, options)


@owned_rows_options
def points(file: Path = FILE, *, options: ImportOptions) -> None:
    """Import connection points of the data network (matched by point code)."""
    _run("points", file, options)


@service_rows_options
def services(file: Path = FILE, *, options: ImportOptions) -> None:
    """Import the one-stop-shop system's report of online public services and dossiers,
    per agency and period (matched by agency and period; total rows checked, not stored).
    Full online (toàn trình) is stored as level 4, partial online (một phần) as level 3."""
    _run("services", file, options)


@certificate_options
def certificates(
    file: Path = typer.Argument(
        ...,
        help="A list (CSV or .xlsx), a certificate file (.cer, .crt, .pem, .der, .p7b), "
        "or a folder or .zip of certificate files.",
    ),
    *,
    options: ImportOptions,
) -> None:
    """Import digital certificates (matched by serial) from lists or certificate files."""
    _run("certificates", file, options)


@succession_options
def successions(file: Path = FILE, *, options: ImportOptions) -> None:
    """Import which agency succeeded which, from which day (old agency, successor, date; each
    by code, or by name and unit). The old agency ends the day before; its computers, points
    and certificates count for the successor from that day, its history stays with it."""
    _run("successions", file, options)


@owned_rows_options
def websites(file: Path = FILE, *, options: ImportOptions) -> None:
    """Import websites and e-service portals to check (matched by agency and address): the
    agency, the http(s) address and its kind (portal, agency site, commune site,
    public-service portal)."""
    _run("websites", file, options)


def register(app: typer.Typer) -> None:
    import_app.command("computers")(computers)
    import_app.command("agencies")(agencies)
    import_app.command("points")(points)
    import_app.command("services")(services)
    import_app.command("certificates")(certificates)
    import_app.command("successions")(successions)
    import_app.command("websites")(websites)
    app.add_typer(import_app, name="import")
