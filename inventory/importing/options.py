"""Choices a user makes for one import (the CLI's options, the dashboard's form)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class ImportOptions:
    sheet: str | None = None  # workbook sheet; the first when None
    dry_run: bool = False
    agency: str | None = None  # code or name given to rows whose agency is blank
    create_agencies: bool = False  # create agencies the file names but the database lacks
    unit: str | None = None  # unit (code or name) of created agencies, when rows give none
    period: str | None = None  # reporting period of a file without a period column
    today: date | None = None  # "now" for refusing future dates; tests pin it
    crl: Path | None = None  # certificates: a revocation list marking revoked serials
    era: int | None = None  # 2020 or 2025: the structure the file's units are in; detected if None
