"""Export the service figures with the very columns `ictr import services` reads, so a file
exported and imported again changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from inventory.export import export_format, export_headers, write_table
from inventory.importing.columns import SERVICE_COLUMNS
from inventory.models import Agency, ServiceFigure
from inventory.models.services import SERVICE_COUNTS

EXPORT_COLUMNS = ("agency_code", "agency", "unit", "period", *SERVICE_COUNTS)


def headers(language: str = "vi") -> list[str]:
    return export_headers(SERVICE_COLUMNS, EXPORT_COLUMNS, language)


def export_services(
    session: Session, path: Path, *, fmt: str | None = None, language: str = "vi"
) -> int:
    """Write every figure of an agency, by agency and period, to `path`; returns how many.
    The period is written in its stored form (2020, 2026Q3, 2026-11), as text."""
    fmt = export_format(path, fmt)
    selected = session.exec(
        select(ServiceFigure, Agency)
        .join(Agency, col(Agency.id) == col(ServiceFigure.agency_id))
        .order_by(col(Agency.unit_code), col(Agency.name), col(ServiceFigure.period))
    ).all()
    rows: list[list[Any]] = [
        [
            agency.code,
            agency.name,
            agency.unit_code,
            figure.period,
            *(getattr(figure, name) for name in SERVICE_COUNTS),
        ]
        for figure, agency in selected
    ]
    write_table(path, fmt, headers(language), rows, title="Dịch vụ công", columns=EXPORT_COLUMNS)
    return len(rows)
