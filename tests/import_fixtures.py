"""Fixtures for the import/export/plan tests: a database with Hà Giang's units and a few
agencies, and writers for CSV (any encoding, any separator) and XLSX files."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from inventory.admin_units import load_units
from inventory.db import session_scope
from inventory.importing import ImportOptions, ImportReport, run_import
from inventory.models import Agency, AgencyKind, Computer

TODAY = date(2026, 6, 1)

AGENCIES = [
    dict(
        code="STTTT",
        name="Sở Thông tin và Truyền thông",
        kind=AgencyKind.provincial,
        unit_code="02",
        officials=40,
        signing_officials=20,
    ),
    dict(
        code="X00715",
        name="UBND xã Lũng Cú",
        kind=AgencyKind.commune_committee,
        unit_code="00715",
        officials=20,
        signing_officials=8,
    ),
    dict(
        code="H026",
        name="UBND huyện Đồng Văn",
        kind=AgencyKind.district_committee,
        unit_code="026",
        officials=150,
        signing_officials=60,
    ),
    dict(
        code="X00742",
        name="UBND xã Tả Lủng",
        kind=AgencyKind.commune_committee,
        unit_code="00742",
        officials=18,
        signing_officials=5,
    ),
    dict(
        code="X00796",
        name="UBND xã Tả Lủng",
        kind=AgencyKind.commune_committee,
        unit_code="00796",
        officials=19,
        signing_officials=6,
    ),
]


@pytest.fixture(name="hg_engine")
def hg_engine_fixture(engine: Engine) -> Engine:
    """Hà Giang's units and five agencies (two communes both named Tả Lủng)."""
    with session_scope(engine) as session:
        load_units(session, province_code="02")
        for a in AGENCIES:
            session.add(Agency(**a))
    return engine


def agency_id(engine: Engine, code: str) -> int:
    with Session(engine) as session:
        found = session.exec(select(Agency.id).where(Agency.code == code)).one()
        assert found is not None
        return found


def to_cp1258(text: str) -> bytes:
    """Encode like legacy Vietnamese software: a tone mark the code page lacks on a letter is
    written as the bare letter followed by the combining tone mark."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in parts if c in tones)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out += (base + tone).encode("cp1258")
    return bytes(out)


def write_csv(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    if encoding == "cp1258":
        path.write_bytes(to_cp1258(text))
    else:
        path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(
    path: Path, sheets: dict[str, Sequence[Sequence[Any]]], *, start_row: int = 1
) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for r, row in enumerate(rows, start=start_row):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    sheet.cell(row=r, column=c, value=value)
    workbook.save(path)
    return path


def do_import(engine: Engine, entity: str, path: Path, **options: Any) -> ImportReport:
    options.setdefault("today", TODAY)
    return run_import(engine=engine, entity=entity, path=path, options=ImportOptions(**options))


def computers(engine: Engine) -> dict[str, Computer]:
    with Session(engine) as session:
        return {c.asset_tag: c for c in session.exec(select(Computer)).all()}


def table_counts(engine: Engine) -> dict[str, int]:
    from sqlalchemy import text

    with engine.connect() as connection:
        return {
            t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("agency", "computer", "connection_point")
        }
