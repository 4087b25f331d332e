"""Exported computers re-import unchanged; filters select what they say."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.errors import IctrError
from inventory.export import export_computers, headers
from inventory.models import Agency, Computer, ComputerStatus
from tests.import_fixtures import computers, do_import, table_counts


def _snapshot(engine: Engine) -> dict[str, dict[str, object]]:
    return {tag: c.model_dump() for tag, c in computers(engine).items()}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(demo_engine: Engine, tmp_path: Path, fmt: str) -> None:
    before = _snapshot(demo_engine)
    counts_before = table_counts(demo_engine)
    path = tmp_path / f"may.{fmt}"
    with Session(demo_engine) as session:
        written = export_computers(session, path)
    assert written == len(before) > 9000
    # The demo's audits run to its last day, 30 November 2026.
    report = do_import(demo_engine, "computers", path, today=date(2026, 12, 1))
    assert report.ok, report.lines()[:20]
    assert report.ignored == []
    assert (report.counts.new, report.counts.updated) == (0, 0)
    assert report.counts.unchanged == written
    assert _snapshot(demo_engine) == before
    assert table_counts(demo_engine) == counts_before


def test_a_demo_machine_known_only_to_the_year_exports_as_the_year(
    demo_engine: Engine, tmp_path: Path
) -> None:
    with Session(demo_engine) as session:
        year_only = session.exec(
            select(Computer).where(
                Computer.purchase_date == None,  # noqa: E711
                Computer.purchase_year != None,  # noqa: E711
            )
        ).first()
    assert year_only is not None
    path = tmp_path / "may.csv"
    with Session(demo_engine) as session:
        export_computers(session, path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = {r["Mã tài sản"]: r for r in csv.DictReader(handle)}
    assert rows[year_only.asset_tag]["Ngày mua"] == str(year_only.purchase_year)
    assert list(rows[year_only.asset_tag]) == headers()


def test_filters_by_district_agency_and_status(demo_engine: Engine, tmp_path: Path) -> None:
    with Session(demo_engine) as session:
        expected_district = session.exec(
            select(func.count())
            .select_from(Computer)
            .join(Agency)
            .where(Agency.unit_code.in_(["026", *_communes_of(session, "026")]))  # type: ignore[attr-defined]
        ).one()
        lung_cu = session.exec(select(Agency).where(Agency.unit_code == "00715")).one()
        expected_broken = session.exec(
            select(func.count())
            .select_from(Computer)
            .where(Computer.agency_id == lung_cu.id, Computer.status == ComputerStatus.broken)
        ).one()
        n = export_computers(session, tmp_path / "dv.xlsx", district="Đồng Văn")
        assert n == expected_district > 0
        n = export_computers(session, tmp_path / "lc.csv", agency="HG-X00715", status="hỏng")
        assert n == expected_broken
        with pytest.raises(IctrError, match="--status 'mất'"):
            export_computers(session, tmp_path / "x.csv", status="mất")
        with pytest.raises(IctrError, match="unknown export format 'pdf'"):
            export_computers(session, tmp_path / "x.pdf")
    sheet = openpyxl.load_workbook(tmp_path / "dv.xlsx", read_only=True).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == headers()


def _communes_of(session: Session, district: str) -> list[str]:
    from inventory.models import AdminUnit

    return list(session.exec(select(AdminUnit.code).where(AdminUnit.parent_code == district)))


def test_cli_export(demo_engine: Engine, tmp_path: Path) -> None:
    out = tmp_path / "hong.csv"
    result = CliRunner().invoke(
        app, ["export", "computers", "--status", "broken", "-o", str(out), "--headers", "en"]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {r["status"] for r in rows} == {"Hỏng"}
    assert result.output.strip() == f"{len(rows)} computers written to {out}"
