"""Export computers to CSV or XLSX with the very columns the importer reads, so a file
exported and imported again changes nothing (and people can edit it in between)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from inventory.errors import IctrError
from inventory.importing.agency_match import AgencyMatcher
from inventory.importing.columns import COMPUTER_COLUMNS, Column
from inventory.importing.values import BadValue, computer_status
from inventory.models import AdminUnit, Agency, Computer, ComputerKind, ComputerStatus
from inventory.spreadsheet_text import XlsxTextError, csv_cell, xlsx_cells, xlsx_file

FORMATS = ("csv", "xlsx")

# Canonical names, in the order written; "agency"/"agency_code"/"unit" describe the owner.
EXPORT_COLUMNS = (
    "asset_tag",
    "serial",
    "kind",
    "manufacturer",
    "model",
    "cpu",
    "ram_gb",
    "os",
    "purchase_date",
    "purchase_cost",
    "agency_code",
    "agency",
    "unit",
    "internet",
    "status",
    "os_upgrade_blocker",
    "last_audit",
    "notes",
)
KIND_WORDS = {
    ComputerKind.desktop: "Máy bàn",
    ComputerKind.laptop: "Máy xách tay",
    ComputerKind.server: "Máy chủ",
    ComputerKind.other: "Khác",
}
STATUS_WORDS = {
    ComputerStatus.in_use: "Đang sử dụng",
    ComputerStatus.spare: "Dự phòng",
    ComputerStatus.broken: "Hỏng",
    ComputerStatus.retired: "Thanh lý",
}


def export_headers(
    columns: Sequence[Column], names: Sequence[str], language: str = "vi"
) -> list[str]:
    """The header of an export of `names`: the importer's Vietnamese labels (the default) or
    the canonical English names, both of which `columns` (the importer's table) reads back."""
    if language not in ("vi", "en"):
        raise IctrError(f"unknown header language {language!r}: choose vi or en")
    labels = {c.name: c.label for c in columns}
    return [labels[n] if language == "vi" else n for n in names]


def headers(language: str = "vi") -> list[str]:
    return export_headers(COMPUTER_COLUMNS, EXPORT_COLUMNS, language)


def export_format(path: Path, fmt: str | None) -> str:
    """`fmt`, else the file's extension, else csv; one of FORMATS."""
    fmt = fmt or (path.suffix.lower().lstrip(".") if path.suffix else "csv")
    if fmt not in FORMATS:
        raise IctrError(f"unknown export format {fmt!r}: choose csv or xlsx")
    return fmt


def select_computers(
    session: Session,
    *,
    district: str | None = None,
    agency: str | None = None,
    status: str | None = None,
) -> list[tuple[Computer, Agency]]:
    query = (
        select(Computer, Agency)
        .join(Agency, col(Agency.id) == col(Computer.agency_id))
        .join(AdminUnit, col(AdminUnit.code) == col(Agency.unit_code))
        .order_by(col(Computer.asset_tag))
    )
    if district:
        code = _district_code(session, district)
        query = query.where(or_(col(Agency.unit_code) == code, col(AdminUnit.parent_code) == code))
    if agency:
        try:
            found = AgencyMatcher.load(session).find(agency)
        except BadValue as exc:
            raise IctrError(f"--agency {agency!r}: {exc}") from None
        if found is None:
            raise IctrError(f"--agency {agency!r}: no agency with this code or name")
        query = query.where(col(Computer.agency_id) == found.id)
    if status:
        try:
            wanted = computer_status(status)
        except BadValue as exc:
            raise IctrError(f"--status {status!r}: {exc}") from None
        query = query.where(col(Computer.status) == wanted)
    return [(c, a) for c, a in session.exec(query).all()]


def _district_code(session: Session, district: str) -> str:
    from inventory.eras import ERA_2020
    from inventory.importing.unit_match import UnitMatcher
    from inventory.models import UnitLevel

    try:  # districts exist in the 2020 structure only, whatever the configured province
        return UnitMatcher.load(session).find(district, level=UnitLevel.district, era=ERA_2020)
    except BadValue as exc:
        raise IctrError(f"--district {district!r}: {exc}") from None


def _cells(computer: Computer, agency: Agency, *, for_xlsx: bool) -> list[Any]:
    bought: Any = None
    if computer.purchase_date is not None:
        bought = computer.purchase_date if for_xlsx else _dmy(computer.purchase_date)
    elif computer.purchase_year is not None:
        bought = computer.purchase_year if for_xlsx else str(computer.purchase_year)
    audit: Any = computer.last_audit
    if audit is not None and not for_xlsx:
        audit = _dmy(audit)
    values = {
        "asset_tag": computer.asset_tag,
        "serial": computer.serial,
        "kind": KIND_WORDS[ComputerKind(computer.kind)],
        "manufacturer": computer.manufacturer,
        "model": computer.model,
        "cpu": computer.cpu,
        "ram_gb": _number(computer.ram_gb, for_xlsx),
        "os": computer.os,
        "purchase_date": bought,
        "purchase_cost": _number(computer.purchase_cost, for_xlsx),
        "agency_code": agency.code,
        "agency": agency.name,
        "unit": agency.unit_code,
        "internet": "Có" if computer.internet else "Không",
        "status": STATUS_WORDS[ComputerStatus(computer.status)],
        "os_upgrade_blocker": computer.os_upgrade_blocker,
        "last_audit": audit,
        "notes": computer.notes,
    }
    return [values[n] for n in EXPORT_COLUMNS]


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _number(value: float | None, for_xlsx: bool) -> Any:
    if value is None:
        return None
    if value.is_integer():
        return int(value)
    if for_xlsx:
        return value
    text = repr(value)
    # The importer reads "1.234" as grouped thousands (Vietnamese habit); a fourth decimal
    # digit keeps such a value a decimal.
    if "." in text and len(text.split(".")[1]) == 3:
        text += "0"
    # A Decimal, not a str: written with exactly these digits, and still a number to the
    # CSV writer, which quotes only texts.
    return Decimal(text)


def write_csv(path: Path, header: Sequence[str], rows: list[list[Any]]) -> None:
    # UTF-8 with a byte-order mark: Excel then opens Vietnamese text correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([csv_cell(name) for name in header])
        writer.writerows([["" if v is None else csv_cell(v) for v in row] for row in rows])


def write_xlsx(
    path: Path,
    header: Sequence[str],
    rows: list[list[Any]],
    title: str,
    *,
    columns: Sequence[str],
    date_columns: Sequence[str] = (),
) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    with xlsx_file(path) as workbook:
        sheet = workbook.create_sheet(title)
        bold = Font(bold=True)
        head = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            head.append(cell)
        sheet.append(xlsx_cells(sheet, head))
        dated = {i for i, n in enumerate(columns) if n in date_columns}
        for row in rows:
            out: list[Any] = []
            for i, value in enumerate(row):
                if i in dated and isinstance(value, date):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "DD/MM/YYYY"
                    out.append(cell)
                else:
                    out.append(value)
            try:
                sheet.append(xlsx_cells(sheet, out))
            except XlsxTextError as exc:
                column = header[row.index(exc.text)]
                raise IctrError(
                    f"cannot write {path.name}: {row[0]}, column {column}: {exc}"
                ) from None


def write_table(
    path: Path,
    fmt: str,
    header: Sequence[str],
    rows: list[list[Any]],
    *,
    title: str,
    columns: Sequence[str],
    date_columns: Sequence[str] = (),
) -> None:
    """Write an export as CSV or as an XLSX sheet named `title`; a file that cannot be
    written is one error naming it."""
    try:
        if fmt == "xlsx":
            write_xlsx(path, header, rows, title, columns=columns, date_columns=date_columns)
        else:
            write_csv(path, header, rows)
    except OSError as exc:
        raise IctrError(f"cannot write {path}: {exc.strerror or exc}") from None


def export_computers(
    session: Session,
    path: Path,
    *,
    fmt: str | None = None,
    district: str | None = None,
    agency: str | None = None,
    status: str | None = None,
    language: str = "vi",
) -> int:
    """Write the selected computers to `path`; returns how many."""
    fmt = export_format(path, fmt)
    selected = select_computers(session, district=district, agency=agency, status=status)
    rows = [_cells(c, a, for_xlsx=fmt == "xlsx") for c, a in selected]
    write_table(
        path,
        fmt,
        headers(language),
        rows,
        title="Máy tính",
        columns=EXPORT_COLUMNS,
        date_columns=("purchase_date", "last_audit"),
    )
    return len(rows)
