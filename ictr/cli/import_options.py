"""The options of `ictr import computers|agencies|points|services|certificates|successions`,
declared once;
defaults from `ImportOptions` (inventory/importing/options.py)."""

from __future__ import annotations

from pathlib import Path

import typer

from ictr.cli.shared_options import option, shared_options
from inventory.importing import ImportOptions

DEFAULTS = ImportOptions()

FILE = typer.Argument(..., help="CSV (UTF-8, UTF-8 with BOM or Windows-1258; ',' or ';') or .xlsx")
_SHEET = option(
    "sheet",
    str | None,
    typer.Option(DEFAULTS.sheet, "--sheet", help="Workbook sheet to read (default: the first)."),
)
_DRY_RUN = option(
    "dry_run",
    bool,
    typer.Option(
        DEFAULTS.dry_run, "--dry-run", help="Validate and show what would change; write nothing."
    ),
)
_AGENCY = option(
    "agency",
    str | None,
    typer.Option(
        DEFAULTS.agency,
        "--agency",
        help="Agency (code or name) for rows whose agency is empty or absent.",
    ),
)
_CREATE_AGENCIES = option(
    "create_agencies",
    bool,
    typer.Option(
        DEFAULTS.create_agencies,
        "--create-agencies",
        help="Create agencies the file names that do not exist yet.",
    ),
)
_UNIT_OF_CREATED = option(
    "unit",
    str | None,
    typer.Option(
        DEFAULTS.unit,
        "--unit",
        help="Unit (GSO code or name) of created agencies when a row has no unit column value.",
    ),
)
_UNIT_OF_NEW = option(
    "unit",
    str | None,
    typer.Option(
        DEFAULTS.unit,
        "--unit",
        help="Unit (GSO code or name) of new agencies whose row gives none.",
    ),
)

_AGENCY_OF_CERTIFICATES = option(
    "agency",
    str | None,
    typer.Option(
        DEFAULTS.agency,
        "--agency",
        help="Agency (code or name): of a list's rows whose agency is empty; of every "
        "certificate file read (their O/OU then ignored).",
    ),
)
_CRL = option(
    "crl",
    Path | None,
    typer.Option(
        DEFAULTS.crl,
        "--crl",
        help="Certificate revocation list (PEM or DER): its serials are marked revoked.",
    ),
)
_PERIOD = option(
    "period",
    str | None,
    typer.Option(
        DEFAULTS.period,
        "--period",
        help="Reporting period of rows whose period is empty or absent: a year (2020), a "
        "quarter (2026Q3, Q3/2026, Quý III/2026) or a month (2026-11, Tháng 11/2026).",
    ),
)
_ERA = option(
    "era",
    int | None,
    typer.Option(
        DEFAULTS.era,
        "--era",
        metavar="2020|2025",
        help="Structure the file's units are in: 2020 (province, district, commune) or 2025 "
        "(province, commune, since 1 July 2025). Default: the one every row fits; the "
        "configured province's when both fit.",
    ),
)

# Computers and points belong to an agency, which the options may name or create.
owned_rows_options = shared_options(
    [_SHEET, _DRY_RUN, _ERA, _AGENCY, _CREATE_AGENCIES, _UNIT_OF_CREATED], ImportOptions
)
agency_rows_options = shared_options([_SHEET, _DRY_RUN, _ERA, _UNIT_OF_NEW], ImportOptions)
# Service figures belong to an agency and a period.
service_rows_options = shared_options(
    [_SHEET, _DRY_RUN, _ERA, _PERIOD, _AGENCY, _CREATE_AGENCIES, _UNIT_OF_CREATED],
    ImportOptions,
)
certificate_options = shared_options(
    [_SHEET, _DRY_RUN, _AGENCY_OF_CERTIFICATES, _CRL], ImportOptions
)
# Successions name agencies of either era by code, or by name and unit.
succession_options = shared_options([_SHEET, _DRY_RUN], ImportOptions)
