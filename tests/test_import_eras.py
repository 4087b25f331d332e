"""Imports read a file's units in one era, 2020 or 2025, through `ictr import`.

Real units from vietnamadminunits (the hg_engine database holds 2020 Hà Giang and today's
Tuyên Quang): commune code 00745 is Phố Cáo (Đồng Văn district) in 2020 and Phố Bảng in
2025; 00694 is Nguyễn Trãi ward in 2020 and Hà Giang 1 ward in 2025.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from ictr.cli.main import app
from inventory.models import Agency, AgencyKind, ConnectionPoint, ServiceFigure
from inventory.settings import get_settings
from tests.hostile_files import database_dump
from tests.import_fixtures import (
    hg_engine_fixture,  # noqa: F401  (the hg_engine fixture)
    write_csv,
    write_xlsx,
)

runner = CliRunner()


def invoke(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def refused(engine: Engine, path: Path, *args: str) -> str:
    """`ictr import ... FILE` refused: exit 2, one line naming the file, nothing written."""
    before = database_dump(engine)
    result = invoke("import", *args, str(path))
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path.name}"), result.stderr
    assert database_dump(engine) == before
    return lines[0]


def units_of(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        return {a.name: a.unit_code for a in session.exec(select(Agency)).all()}


def test_a_2025_file_imports_with_2025_unit_keys(hg_engine: Engine, tmp_path: Path) -> None:
    rows = [
        ["Tên cơ quan", "Mã ĐVHC", "Số CBCCVC"],
        ["UBND phường Hà Giang 1", "Phường Hà Giang 1", 30],  # a 2025 name only
        ["UBND xã Phố Bảng", "00745", 21],  # a code of both eras
        ["Sở Khoa học và Công nghệ", "08", 90],  # 08: Tuyên Quang in both eras
    ]
    path = write_xlsx(tmp_path / "co-quan-2025.xlsx", {"Cơ quan": rows})
    result = invoke("import", "agencies", str(path))
    assert result.exit_code == 0, result.output
    assert (
        "units: 2025 structure (province, commune; from 01/07/2025), by detection: row 2 "
        "names a unit of this era only"
    ) in result.stdout.splitlines()
    stored = units_of(hg_engine)
    assert stored["UBND phường Hà Giang 1"] == "00694@2025"
    assert stored["UBND xã Phố Bảng"] == "00745@2025"
    assert stored["Sở Khoa học và Công nghệ"] == "08@2025"
    again = invoke("import", "agencies", str(path))
    assert again.stdout.splitlines()[-1] == "new 0, updated 0, unchanged 3"


@pytest.mark.parametrize(
    "configured, options, unit, how",
    [
        ("02", [], "00745", "the configured province's era (the file's units fit both)"),
        ("08@2025", [], "00745@2025", "the configured province's era (the file's units fit both)"),
        ("02", ["--era", "2025"], "00745@2025", "--era 2025"),
        ("08@2025", ["--era", "2020"], "00745", "--era 2020"),
    ],
)
def test_a_colliding_code_imports_in_the_era_chosen(
    hg_engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    configured: str,
    options: list[str],
    unit: str,
    how: str,
) -> None:
    monkeypatch.setenv("ICTR_PROVINCE_CODE", configured)
    get_settings.cache_clear()
    path = write_csv(
        tmp_path / "a.csv", [["Tên cơ quan", "Mã ĐVHC"], ["Trường Tiểu học Phố", "745"]]
    )
    result = invoke("import", "agencies", str(path), *options)
    assert result.exit_code == 0, result.output
    assert any(line.startswith("units: ") and line.endswith(f"by {how}") for line in
               result.stdout.splitlines()), result.stdout  # fmt: skip
    assert units_of(hg_engine)["Trường Tiểu học Phố"] == unit


def test_points_and_created_agencies_of_a_2025_commune(hg_engine: Engine, tmp_path: Path) -> None:
    rows = [
        ["Mã điểm", "Tên điểm", "Cơ quan", "Xã/Phường", "Địa chỉ IP"],
        ["P-HG1", "UBND phường Hà Giang 1", "UBND phường Hà Giang 1", "Hà Giang 1", "127.8.0.1"],
        ["P-LC", "UBND xã Lũng Cú", "UBND xã Lũng Cú (mới)", "00715", "127.8.0.2"],
    ]
    path = write_csv(tmp_path / "diem.csv", rows)
    result = invoke("import", "points", str(path), "--create-agencies")
    assert result.exit_code == 0, result.output
    with Session(hg_engine) as session:
        points = {p.code: p for p in session.exec(select(ConnectionPoint)).all()}
        agencies = {a.id: a for a in session.exec(select(Agency)).all()}
    assert points["P-HG1"].unit_code == "00694@2025"
    assert points["P-LC"].unit_code == "00715@2025"  # Lũng Cú kept its code: read as 2025
    assert agencies[points["P-HG1"].agency_id].unit_code == "00694@2025"
    assert agencies[points["P-LC"].agency_id].unit_code == "00715@2025"


def test_unit_option_of_created_agencies_decides_the_era(hg_engine: Engine, tmp_path: Path) -> None:
    rows = [["Mã tài sản", "Cơ quan"], ["MT-1", "Trung tâm Phục vụ hành chính công phường"]]
    path = write_csv(tmp_path / "may.csv", rows)
    result = invoke(
        "import", "computers", str(path), "--create-agencies", "--unit", "Phường Hà Giang 2"
    )
    assert result.exit_code == 0, result.output
    assert "by detection: --unit names a unit of this era only" in result.stdout
    assert units_of(hg_engine)["Trung tâm Phục vụ hành chính công phường"] == "00691@2025"


def test_stored_keys_name_their_own_era_in_a_detected_file(
    hg_engine: Engine, tmp_path: Path
) -> None:
    """What `ictr export` writes for a database holding both eras: plain 2020 keys and
    2025 keys with their @2025. Each names its unit exactly, so the file imports, each row
    in its own era (00691 is Phường Trần Phú in 2020, 00691@2025 Phường Hà Giang 2)."""
    rows = [
        ["Tên cơ quan", "Mã ĐVHC"],
        ["Trường Trần Phú", "00691"],
        ["Trường Hà Giang 2", "00691@2025"],
        ["Phòng Văn hoá Đồng Văn", "026"],
    ]
    result = invoke("import", "agencies", str(write_csv(tmp_path / "a.csv", rows)))
    assert result.exit_code == 0, result.output
    stored = units_of(hg_engine)
    assert stored["Trường Trần Phú"] == "00691"
    assert stored["Trường Hà Giang 2"] == "00691@2025"
    assert stored["Phòng Văn hoá Đồng Văn"] == "026"


def test_a_file_mixing_eras_is_refused_at_the_row_that_breaks(
    hg_engine: Engine, tmp_path: Path
) -> None:
    rows = [
        ["Tên cơ quan", "Huyện", "Xã"],
        ["Trường A", "", "Lũng Cú"],  # fits both eras: decides nothing
        ["Trường B", "Đồng Văn", "Phố Cáo"],  # a district: 2020 only
        ["Trường C", "", "Phường Hà Giang 1"],  # 2025 only
    ]
    line = refused(hg_engine, write_csv(tmp_path / "tron.csv", rows), "agencies")
    assert line == (
        "error: tron.csv: row 4, column 'Xã', value 'Phường Hà Giang 1': a unit of the 2025 "
        "structure, but the file is read in the 2020 structure (detection: row 3 names a unit "
        "of this era only): one file, one era (split it, or give --era); nothing was imported"
    )


@pytest.mark.parametrize(
    "rows, era, expected",
    [
        (
            [["Tên cơ quan", "Huyện", "Xã"], ["Trường A", "Đồng Văn", "Lũng Cú"]],
            "2025",
            "row 2, column 'Huyện', value 'Đồng Văn': there are no districts in the 2025 "
            "structure (two-level local government since 1 July 2025): leave this column empty",
        ),
        (
            [["Tên cơ quan", "Mã ĐVHC"], ["Trường A", "Phường Nguyễn Trãi"]],
            "2025",
            "row 2, column 'Mã ĐVHC', value 'Phường Nguyễn Trãi': a unit of the 2020 structure, "
            "but the file is read in the 2025 structure (--era 2025): one file, one era (split "
            "it, or give --era)",
        ),
        (
            [["Tên cơ quan", "Mã ĐVHC"], ["Trường A", "00694@2025"]],
            "2020",
            "row 2, column 'Mã ĐVHC', value '00694@2025': a unit of the 2025 structure, but the "
            "file is read in the 2020 structure (--era 2020): one file, one era (split it, or "
            "give --era)",
        ),
        (
            [["Tên cơ quan", "Mã ĐVHC"], ["Trường A", "0694@2026"]],
            "2020",
            "row 2, column 'Mã ĐVHC', value '0694@2026': not a unit code (a GSO code, or one "
            "followed by @2025)",
        ),
    ],
)
def test_units_outside_the_era_are_refused_naming_row_column_value(
    hg_engine: Engine, tmp_path: Path, rows: list[list[str]], era: str, expected: str
) -> None:
    line = refused(hg_engine, write_csv(tmp_path / "a.csv", rows), "agencies", "--era", era)
    assert line == f"error: a.csv: {expected}; nothing was imported"


def test_an_unknown_era_is_one_line(hg_engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [["Tên cơ quan", "Mã ĐVHC"], ["Trường A", "02"]])
    before = database_dump(hg_engine)
    result = invoke("import", "agencies", str(path), "--era", "2021")
    assert result.exit_code == 2
    assert result.stderr == "error: --era 2021: unknown administrative era 2021: use 2020 or 2025\n"
    assert database_dump(hg_engine) == before


def test_a_file_without_units_names_no_era(hg_engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [["Mã cơ quan", "Số CBCCVC"], ["STTTT", "41"]])
    result = invoke("import", "agencies", str(path))
    assert result.exit_code == 0, result.output
    assert not any(line.startswith("units:") for line in result.stdout.splitlines())


@pytest.mark.parametrize("options, holder", [([], "X00715"), (["--era", "2025"], "X00715-2025")])
def test_service_figures_of_a_name_held_in_both_eras(
    hg_engine: Engine, tmp_path: Path, options: list[str], holder: str
) -> None:
    """UBND xã Lũng Cú exists in 2020 (00715) and in 2025 (00715@2025): the commune column,
    read in the era chosen, says which agency a report row is for."""
    with Session(hg_engine) as session:
        session.add(Agency(code="X00715-2025", name="UBND xã Lũng Cú", unit_code="00715@2025",
                           kind=AgencyKind.commune_committee))  # fmt: skip
        session.commit()
    rows = [
        ["Tên cơ quan", "Xã/Phường", "Kỳ báo cáo", "Số TTHC", "Mức độ 4", "Số hồ sơ tiếp nhận"],
        ["UBND xã Lũng Cú", "Lũng Cú", "2026Q1", 120, 30, 45],
    ]
    path = write_csv(tmp_path / "dvc.csv", rows)
    result = invoke("import", "services", str(path), *options)
    assert result.exit_code == 0, result.output
    with Session(hg_engine) as session:
        stored = session.exec(select(ServiceFigure)).one()
        agency = session.get(Agency, stored.agency_id)
    assert agency is not None and agency.code == holder
    assert (stored.unit_code, stored.procedures, stored.procedures_level4) == (
        agency.unit_code,
        120,
        30,
    )
