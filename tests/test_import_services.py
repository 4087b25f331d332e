"""`ictr import services`: the one-stop-shop system's periodic report, per agency and period,
through the command line as a user runs it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.models import ServiceFigure
from tests.dashboard_fixtures import editor_password  # noqa: F401  (fixture)
from tests.import_fixtures import (
    agency_id,
    hg_engine_fixture,  # noqa: F401  (the hg_engine fixture)
    write_csv,
    write_xlsx,
)

runner = CliRunner()

TITLE = [
    ["UBND TỈNH HÀ GIANG"],
    ["BÁO CÁO TÌNH HÌNH TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH"],
    ["(Kèm theo Báo cáo số 123/BC-VP ngày 05/10/2026)"],
    [],
]
HEADER_2020 = [
    "STT", "Tên cơ quan", "Kỳ báo cáo", "Tổng số TTHC", "Mức độ 3", "Mức độ 4",
    "Số TTHC cắt giảm thời gian trên 30%", "Số hồ sơ tiếp nhận", "Tiếp nhận trực tuyến",
    "Giải quyết trước hạn và đúng hạn",
]  # fmt: skip


def invoke(*args: str | Path):
    return runner.invoke(app, ["import", "services", *map(str, args)])


def figures(engine: Engine) -> dict[tuple[int | None, str], tuple[int, ...]]:
    with Session(engine) as session:
        return {
            (f.agency_id, f.period): (
                f.procedures,
                f.procedures_level3,
                f.procedures_level4,
                f.procedures_cut_30,
                f.dossiers_received,
                f.dossiers_online,
                f.dossiers_on_time,
            )
            for f in session.exec(select(ServiceFigure)).all()
        }


def test_xlsx_report_with_title_rows_quarter_spellings_and_a_total_row(
    hg_engine: Engine, tmp_path: Path
) -> None:
    rows = TITLE + [
        HEADER_2020,
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)", "(10)"],
        [1, "Sở Thông tin và Truyền thông", "Quý III/2026", 120, 30, 20, 40, 1000, 300, 950],
        [2, "UBND huyện Đồng Văn", "Q3/2026", 300, 60, 45, 90, "2.000", 500, 1800],
        [3, "ubnd xa lung cu", "2026Q3", 110, 20, 10, 30, 150, 20, 140],
        ["", "Tổng cộng", "", 530, 110, 75, 160, 3150, 820, 2890],
    ]
    path = write_xlsx(tmp_path / "bc.xlsx", {"Báo cáo": rows})
    result = invoke(path)
    assert result.exit_code == 0, result.output
    assert "header on row 5" in result.output
    assert "services from bc.xlsx [Báo cáo] (header on row 5): 5 rows" in result.output
    assert "new 3, updated 0, unchanged 0" in result.output
    stored = figures(hg_engine)
    assert stored == {
        (agency_id(hg_engine, "STTTT"), "2026Q3"): (120, 30, 20, 40, 1000, 300, 950),
        (agency_id(hg_engine, "H026"), "2026Q3"): (300, 60, 45, 90, 2000, 500, 1800),
        (agency_id(hg_engine, "X00715"), "2026Q3"): (110, 20, 10, 30, 150, 20, 140),
    }
    # The same file again changes nothing.
    again = invoke(path)
    assert again.exit_code == 0, again.output
    assert "new 0, updated 0, unchanged 3" in again.output
    assert figures(hg_engine) == stored


def test_decree_42_scheme_from_csv_with_period_option_and_month_spellings(
    hg_engine: Engine, tmp_path: Path
) -> None:
    header = [
        "Mã cơ quan", "Số TTHC", "DVC trực tuyến toàn trình", "DVC trực tuyến một phần",
        "Số hồ sơ tiếp nhận", "Hồ sơ nộp trực tuyến", "Đúng hạn",
    ]  # fmt: skip
    rows = [header, ["STTTT", 100, 40, 25, 500, 400, 480], ["H026", 280, 50, 70, 900, 300, 850]]
    path = write_csv(tmp_path / "nd42.csv", rows, delimiter=";")
    result = invoke(path, "--period", "Tháng 11/2026")
    assert result.exit_code == 0, result.output
    stttt = agency_id(hg_engine, "STTTT")
    # Full online (toàn trình) is level 4, partial (một phần) level 3.
    assert figures(hg_engine)[(stttt, "2026-11")] == (100, 25, 40, 0, 500, 400, 480)

    monthly = write_xlsx(
        tmp_path / "thang.xlsx",
        {
            "S": [
                ["Cơ quan", "Kỳ", "Toàn trình", "Một phần", "Tổng số TTHC"],
                ["Sở Thông tin và Truyền thông", "11/2026", 40, 25, 100],
                ["Sở Thông tin và Truyền thông", "2026-10", 35, 20, 100],
                ["Sở Thông tin và Truyền thông", datetime(2026, 9, 1), 30, 20, 100],
            ]
        },
    )
    result = invoke(monthly)
    assert result.exit_code == 0, result.output
    assert "new 2, updated 0, unchanged 1" in result.output
    assert {p for a, p in figures(hg_engine) if a == stttt} == {"2026-09", "2026-10", "2026-11"}


def test_period_column_wins_and_blank_cells_take_the_period_option(
    hg_engine: Engine, tmp_path: Path
) -> None:
    rows = [
        ["Mã cơ quan", "Kỳ báo cáo", "Số TTHC", "Mức độ 3"],
        ["STTTT", "Năm 2025", 100, 10],
        ["H026", "", 200, 20],
    ]
    result = invoke(write_csv(tmp_path / "a.csv", rows), "--period", "2026Q1")
    assert result.exit_code == 0, result.output
    assert set(figures(hg_engine)) == {
        (agency_id(hg_engine, "STTTT"), "2025"),
        (agency_id(hg_engine, "H026"), "2026Q1"),
    }


@pytest.mark.parametrize(
    "rows, row, column, value, reason",
    [
        (
            [["STTTT", "2025", 100, -5, 10, 50, 10, 10]],
            7, "Mức độ 3", "-5", "negative",
        ),
        (
            [["STTTT", "2025", 100, 5, 10, 50, 60, 10]],
            7, "Tiếp nhận trực tuyến", "60", "60 is more than the dossiers received (50)",
        ),
        (
            [["STTTT", "2025", 100, 5, 10, 50, 10, 51]],
            7, "Đúng hạn", "51", "51 is more than the dossiers received (50)",
        ),
        (
            [["STTTT", "2025", 100, 60, 50, 50, 10, 10]],
            7, "Mức độ 4", "50",
            "level 3 (60) + level 4 (50) = 110 is more than the procedures offered (100)",
        ),
        (
            [["STTTT", "Quý 5/2025", 100, 5, 10, 50, 10, 10]],
            7, "Kỳ báo cáo", "Quý 5/2025", "not a period: write a year (2026), a quarter "
            "(2026Q3, Q3/2026, Quý III/2026) or a month (2026-11, Tháng 11/2026)",
        ),
        (
            [["STTTT", "2025", 100, 5, 10, 50, 10, 10], ["H026", "2025", 200, 5, 10, 50, 10, 10],
             ["Tổng cộng", "", 310, 11, 21, 110, 21, 25]],
            9, "Đúng hạn", "25", "total row: the rows above add up to 21, not 25",
        ),
        (
            [["STTTT", "2025", 100, 5, 10, 50, 10, 10], ["STTTT", "Năm 2025", 1, 0, 0, 0, 0, 0]],
            8, "Cơ quan", "STTTT", "this agency's figures for 2025 are already on row 7",
        ),
        (
            [["Sở Không Có", "2025", 100, 5, 10, 50, 10, 10]],
            7, "Cơ quan", "Sở Không Có",
            "unknown agency (import it first with `ictr import agencies`, "
            "or use --create-agencies)",
        ),
    ],
)  # fmt: skip
def test_bad_reports_are_refused_whole_naming_row_column_and_value(
    hg_engine: Engine, tmp_path: Path, rows, row, column, value, reason
) -> None:
    header = ["Cơ quan", "Kỳ báo cáo", "Số TTHC", "Mức độ 3", "Mức độ 4", "Hồ sơ tiếp nhận",
              "Tiếp nhận trực tuyến", "Đúng hạn"]  # fmt: skip
    good = ["H026", "2024", 10, 1, 1, 10, 1, 1]  # a good row first: it is not written either
    path = write_xlsx(tmp_path / "bad.xlsx", {"S": TITLE + [header, good] + rows}, start_row=1)
    result = invoke(path)
    assert result.exit_code == 2, result.output
    expected = f"row {row}, column {column!r}, value {value!r}: {reason}; nothing was imported"
    assert expected in result.output
    assert "Traceback" not in result.output
    assert figures(hg_engine) == {}


def test_a_subtotal_and_a_grand_total_both_add_up(hg_engine: Engine, tmp_path: Path) -> None:
    rows = [
        ["Cơ quan", "Số TTHC", "Hồ sơ tiếp nhận"],
        [1, 2, 3],  # the column numbers
        ["STTTT", 100, 50],
        ["Cộng", 100, 50],  # the provincial departments
        ["H026", 200, 70],
        ["X00715", 50, 10],
        ["Cộng:", 250, 80],  # the district
        ["TỔNG CỘNG TOÀN TỈNH", 350, 130],
    ]
    result = invoke(write_csv(tmp_path / "t.csv", rows), "--period", "2025")
    assert result.exit_code == 0, result.output
    assert len(figures(hg_engine)) == 3


def test_no_period_column_nor_option_is_one_clear_error(hg_engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [["Cơ quan", "Số TTHC"], ["STTTT", 100]])
    result = invoke(path)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "error: p.csv: no period: the file has no period column (Kỳ báo cáo) and no --period "
        "was given (e.g. --period 2026Q3)"
    )
    result = invoke(path, "--period", "Quý bốn")
    assert result.exit_code == 2
    assert "--period 'Quý bốn': not a period" in result.output
    assert figures(hg_engine) == {}


def test_dry_run_writes_nothing(hg_engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", [["Cơ quan", "Kỳ", "Số TTHC"], ["STTTT", "2025", 10]])
    result = invoke(path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run, nothing written: would be new 1" in result.output
    assert figures(hg_engine) == {}


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_export_then_import_changes_nothing(
    hg_engine: Engine, tmp_path: Path, suffix: str, language: str
) -> None:
    rows = [
        ["Mã cơ quan", "Cơ quan", "Kỳ báo cáo", "Số TTHC", "Toàn trình", "Một phần",
         "Cắt giảm trên 30%", "Hồ sơ tiếp nhận", "Hồ sơ trực tuyến", "Đúng hạn"],
        ["STTTT", "", "2025", 100, 40, 25, 30, 500, 400, 480],
        ["STTTT", "", "Quý I/2026", 100, 45, 25, 31, 120, 100, 119],
        ["", "UBND xã Tả Lủng", "Tháng 3/2026", 110, 5, 10, 0, 12, 1, 12],
    ]  # fmt: skip
    imported = invoke(write_csv(tmp_path / "in.csv", rows), "--unit", "00742")
    assert imported.exit_code != 0  # two communes are called Tả Lủng: give the unit column
    rows[0].append("Mã ĐVHC")
    for row, unit in zip(rows[1:], ["", "", "00796"], strict=True):
        row.append(unit)
    imported = invoke(write_csv(tmp_path / "in.csv", rows))
    assert imported.exit_code == 0, imported.output
    before = figures(hg_engine)
    assert len(before) == 3

    out = tmp_path / f"dvc.{suffix}"
    exported = runner.invoke(app, ["export", "services", "-o", str(out), "--headers", language])
    assert exported.exit_code == 0, exported.output
    assert "3 service figures written" in exported.output
    again = invoke(out)
    assert again.exit_code == 0, again.output
    assert "new 0, updated 0, unchanged 3" in again.output
    assert figures(hg_engine) == before


@pytest.mark.usefixtures("editor_password")
def test_the_data_page_imports_a_service_report_with_its_period(
    hg_engine: Engine, tmp_path: Path
) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT_ROOT
    from tests.dashboard_fixtures import EDITOR_PASSWORD

    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    app.switch_page("dashboard/pages/data.py")
    app.run()
    app.text_input(key="editor_password").set_value(EDITOR_PASSWORD)
    app.get("form_submit_button")[0].click().run()
    app.selectbox(key="data_entity").set_value("services").run()
    data = write_csv(
        tmp_path / "bc.csv", [["Mã cơ quan", "Số TTHC", "Toàn trình"], ["STTTT", 80, 20]]
    ).read_bytes()
    app.get("file_uploader")[0].set_value(("bc.csv", data, "text/csv"))
    app.run()
    app.button(key="data_import").click().run()
    assert not app.exception, [e.message for e in app.exception]
    assert any("period" in e.value for e in app.error), [e.value for e in app.error]
    assert figures(hg_engine) == {}

    app.text_input(key="data_period").set_value("Quý II/2026").run()
    app.button(key="data_import").click().run()
    assert any("Đã nhập: 1 mới" in s.value for s in app.success), [e.value for e in app.error]
    stttt = agency_id(hg_engine, "STTTT")
    assert figures(hg_engine) == {(stttt, "2026Q2"): (80, 0, 20, 0, 0, 0, 0)}


@pytest.mark.usefixtures("editor_password")
def test_the_data_page_imports_successions_and_websites(hg_engine: Engine, tmp_path: Path) -> None:
    """The two kinds added with the eras and the websites are on the Data page too, through
    the same importer as the CLI."""
    from sqlmodel import Session, select
    from streamlit.testing.v1 import AppTest

    from inventory.models import Agency, AgencySuccession, Website
    from tests.conftest import PROJECT_ROOT
    from tests.dashboard_fixtures import EDITOR_PASSWORD

    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    app.switch_page("dashboard/pages/data.py")
    app.run()
    app.text_input(key="editor_password").set_value(EDITOR_PASSWORD)
    app.get("form_submit_button")[0].click().run()
    with Session(hg_engine) as session:
        codes = [a.code for a in session.exec(select(Agency)).all() if a.code]
    old, new = sorted(codes)[:2]
    files = {
        "successions": (
            "ke-thua.csv",
            [["Mã cơ quan cũ", "Mã cơ quan kế thừa", "Ngày kế thừa"], [old, new, "01/03/2025"]],
        ),
        "websites": (
            "web.csv",
            [["Mã cơ quan", "Địa chỉ website", "Loại"], [new, "https://127.0.0.9/", "agency site"]],
        ),
    }
    for entity, (name, rows) in files.items():
        app.selectbox(key="data_entity").set_value(entity).run()
        data = write_csv(tmp_path / name, rows).read_bytes()
        app.get("file_uploader")[0].set_value((name, data, "text/csv"))
        app.run()
        app.button(key="data_import").click().run()
        assert not app.exception, [e.message for e in app.exception]
        assert any("Đã nhập: 1 mới" in s.value for s in app.success), [e.value for e in app.error]
    with Session(hg_engine) as session:
        (succession,) = session.exec(select(AgencySuccession)).all()
        (site,) = session.exec(select(Website)).all()
        by_code = {a.code: a.id for a in session.exec(select(Agency)).all()}
    assert (succession.agency_id, succession.successor_id) == (by_code[old], by_code[new])
    assert (site.agency_id, site.url) == (by_code[new], "https://127.0.0.9/")
