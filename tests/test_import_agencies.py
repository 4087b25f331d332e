"""Importing agencies: matched by code or by name, units by code or name."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from inventory.models import Agency, AgencyKind
from tests.import_fixtures import (
    do_import,
    hg_engine_fixture,  # noqa: F401  (the hg_engine fixture)
    table_counts,
    write_csv,
    write_xlsx,
)


def _agencies(engine: Engine) -> dict[str, Agency]:
    with Session(engine) as session:
        return {f"{a.unit_code}:{a.name}": a for a in session.exec(select(Agency)).all()}


def test_new_and_updated_agencies_from_vietnamese_xlsx(hg_engine: Engine, tmp_path: Path) -> None:
    rows = [
        ["Tên cơ quan", "Loại cơ quan", "Huyện/Thành phố", "Xã/Phường", "Số CBCCVC",
         "Số người ký số"],
        ["UBND xã Má Lé", "UBND xã", "Đồng Văn", "Má Lé", 22, 9],
        ["UBND xa Lung Cu", "", "", "", 25, ""],  # existing: officials updated
        ["Sở Tài chính", "sở/ban/ngành", "", "", 80, 30],  # no unit: an error
        ["UBND xã Tả Lủng", "", "Mèo Vạc", "Tả Lủng", 21, 7],  # the one in Mèo Vạc
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "cq.xlsx", {"Cơ quan": rows})
    report = do_import(hg_engine, "agencies", path)
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (4, "unit", "a new agency needs a unit (fill a unit column or --unit)")
    ]
    before = table_counts(hg_engine)
    report = do_import(hg_engine, "agencies", path, unit="Tỉnh Hà Giang")
    assert report.ok, report.lines()
    assert (report.counts.new, report.counts.updated, report.counts.unchanged) == (2, 2, 0)
    assert table_counts(hg_engine)["agency"] == before["agency"] + 2
    stored = _agencies(hg_engine)
    assert stored["00718:UBND xã Má Lé"].kind == AgencyKind.commune_committee
    assert stored["00718:UBND xã Má Lé"].signing_officials == 9
    lung_cu = stored["00715:UBND xã Lũng Cú"]  # spelling kept, count changed
    assert (lung_cu.officials, lung_cu.signing_officials, lung_cu.code) == (25, 8, "X00715")
    assert stored["02:Sở Tài chính"].kind == AgencyKind.provincial
    assert stored["00796:UBND xã Tả Lủng"].officials == 21
    assert stored["00742:UBND xã Tả Lủng"].officials == 18

    again = do_import(hg_engine, "agencies", path, unit="02")
    assert (again.counts.new, again.counts.updated, again.counts.unchanged) == (0, 0, 4)


def test_agency_rows_are_checked_against_each_other(hg_engine: Engine, tmp_path: Path) -> None:
    rows = [
        ["Mã cơ quan", "Tên cơ quan", "Mã ĐVHC", "Số CBCCVC", "Số người ký số"],
        ["STTTT", "", "", "10", "30"],
        ["NEW1", "Trường A", "00715", "5", "1"],
        ["NEW1", "Trường B", "00715", "5", "1"],
        ["", "UBND xã Tả Lủng", "", "", ""],
        ["NEW2", "Trường C", "99999", "", ""],
    ]
    report = do_import(hg_engine, "agencies", write_csv(tmp_path / "a.csv", rows))
    assert [(e.row, e.column, e.reason) for e in report.sorted_errors()] == [
        (2, "Số người ký số", "more people who sign than officials (10)"),
        (4, "Mã cơ quan", "code repeated (first on row 3)"),
        (
            5,
            "Tên cơ quan",
            "several agencies have this name (units 00742, 00796): give the unit or code",
        ),
        (6, "Mã ĐVHC", "no unit with this GSO code (run `ictr init` for the province?)"),
    ]
