"""Imports started from the Data page: the uploaded bytes go through the same importer as
`ictr import` (all rows or none), and the report becomes a table of bad rows."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session

from dashboard.i18n import column_label
from inventory.access import require_admin
from inventory.actor import Actor
from inventory.importing import ImportOptions, ImportReport, run_import
from readiness.geometry import import_boundaries
from readiness.geometry.boundaries_import import ImportReport as BoundaryReport


def _safe_name(name: str) -> str:
    """The uploaded file's own name (reports cite it), without any folder part."""
    return Path(name).name or "upload"


def import_upload(
    engine: Engine, entity: str, *, name: str, data: bytes, options: ImportOptions, actor: Actor
) -> ImportReport:
    """Import as the signed-in `actor`: its role and scope are checked by the importer."""
    with tempfile.TemporaryDirectory(prefix="ictr-upload-") as folder:
        path = Path(folder) / _safe_name(name)
        path.write_bytes(data)
        return run_import(engine=engine, entity=entity, path=path, options=options, actor=actor)


def error_table(report: ImportReport, lang: str) -> pd.DataFrame:
    """One row per problem: Excel row, column, value and reason, sorted by row; as many as
    the report lists (the page says how many rows are bad in all)."""
    rows = [(e.row, e.column, e.value, e.reason) for e in report.listed_errors()]
    columns = [column_label(c, lang) for c in ("row", "column", "value", "reason")]
    return pd.DataFrame(rows, columns=columns)


def import_boundary_upload(
    session: Session, *, name: str, data: bytes, province_code: str, level: str, actor: Actor
) -> BoundaryReport:
    """Import one level's shapes in the caller's transaction (see `import_boundaries`).
    Shapes are the whole province's: only an admin replaces them."""
    require_admin(actor, "replace unit boundaries")
    with tempfile.TemporaryDirectory(prefix="ictr-boundaries-") as folder:
        path = Path(folder) / _safe_name(name)
        path.write_bytes(data)
        return import_boundaries(
            session, path, province_code=province_code, level=level, actor=actor
        )
