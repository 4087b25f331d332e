"""Export the service figures with the very columns `ictr import services` reads, so a file
exported and imported again changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from inventory.errors import IctrError
from inventory.export import FORMATS, write_csv, write_xlsx
from inventory.importing.columns import SERVICE_COLUMNS, SERVICE_COUNTS
from inventory.models import Agency, ServiceFigure

EXPORT_COLUMNS = ("agency_code", "agency", "unit", "period", *SERVICE_COUNTS)


def headers(language: str = "vi") -> list[str]:
    """Vietnamese labels (the default) or the canonical English names."""
    if language not in ("vi", "en"):
        raise IctrError(f"unknown header language {language!r}: choose vi or en")
    labels = {c.name: c.label for c in SERVICE_COLUMNS}
    return [labels[n] if language == "vi" else n for n in EXPORT_COLUMNS]


def export_services(
    session: Session, path: Path, *, fmt: str | None = None, language: str = "vi"
) -> int:
    """Write every figure of an agency, by agency and period, to `path`; returns how many.
    The period is written in its stored form (2020, 2026Q3, 2026-11), as text."""
    fmt = fmt or (path.suffix.lower().lstrip(".") if path.suffix else "csv")
    if fmt not in FORMATS:
        raise IctrError(f"unknown export format {fmt!r}: choose csv or xlsx")
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
    try:
        if fmt == "xlsx":
            write_xlsx(path, headers(language), rows, "Dịch vụ công")
        else:
            write_csv(path, headers(language), rows)
    except OSError as exc:
        raise IctrError(f"cannot write {path}: {exc.strerror or exc}") from None
    return len(rows)
