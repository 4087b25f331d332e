"""`ictr import computers|agencies|points FILE`: load spreadsheets, all rows or none."""

from __future__ import annotations

from pathlib import Path

import typer

from inventory.db import get_engine
from inventory.errors import IctrError
from inventory.importing import ImportOptions, ImportReport, run_import
from inventory.migrate import require_current_schema

import_app = typer.Typer(
    help="Import agencies, computers or connection points from CSV or Excel (.xlsx) files.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

FILE = typer.Argument(..., help="CSV (UTF-8, UTF-8 with BOM or Windows-1258; ',' or ';') or .xlsx")
SHEET = typer.Option(None, "--sheet", help="Workbook sheet to read (default: the first).")
DRY_RUN = typer.Option(
    False, "--dry-run", help="Validate and show what would change; write nothing."
)
AGENCY = typer.Option(
    None, "--agency", help="Agency (code or name) for rows whose agency is empty or absent."
)
CREATE = typer.Option(
    False, "--create-agencies", help="Create agencies the file names that do not exist yet."
)
UNIT = typer.Option(
    None,
    "--unit",
    help="Unit (GSO code or name) of created agencies when a row has no unit column value.",
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


def computers(
    file: Path = FILE,
    sheet: str | None = SHEET,
    dry_run: bool = DRY_RUN,
    agency: str | None = AGENCY,
    create_agencies: bool = CREATE,
    unit: str | None = UNIT,
) -> None:
    """Import computers (matched by asset tag); Snipe-IT asset files are recognised."""
    _run(
        "computers",
        file,
        ImportOptions(
            sheet=sheet,
            dry_run=dry_run,
            agency=agency,
            create_agencies=create_agencies,
            unit=unit,
        ),
    )


def agencies(
    file: Path = FILE,
    sheet: str | None = SHEET,
    dry_run: bool = DRY_RUN,
    unit: str | None = typer.Option(
        None, "--unit", help="Unit (GSO code or name) of new agencies whose row gives none."
    ),
) -> None:
    """Import agencies (matched by code, else by name within their unit)."""
    _run("agencies", file, ImportOptions(sheet=sheet, dry_run=dry_run, unit=unit))


def points(
    file: Path = FILE,
    sheet: str | None = SHEET,
    dry_run: bool = DRY_RUN,
    agency: str | None = AGENCY,
    create_agencies: bool = CREATE,
    unit: str | None = UNIT,
) -> None:
    """Import connection points of the data network (matched by point code)."""
    _run(
        "points",
        file,
        ImportOptions(
            sheet=sheet,
            dry_run=dry_run,
            agency=agency,
            create_agencies=create_agencies,
            unit=unit,
        ),
    )


def register(app: typer.Typer) -> None:
    import_app.command("computers")(computers)
    import_app.command("agencies")(agencies)
    import_app.command("points")(points)
    app.add_typer(import_app, name="import")
