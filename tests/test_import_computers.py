"""Importing computers: Vietnamese headers, all-or-nothing, idempotence, updates, CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.errors import IctrError
from inventory.importing.report import RowError
from inventory.models import ComputerKind, ComputerStatus
from tests.import_fixtures import (
    agency_id,
    computers,
    do_import,
    hg_engine_fixture,  # noqa: F401  (the hg_engine fixture)
    table_counts,
    write_csv,
    write_xlsx,
)

HEADER = [
    "STT",
    "Mã tài sản",
    "Loại máy",
    "Hãng sản xuất",
    "Hệ điều hành",
    "Ngày mua",
    "Nguyên giá",
    "Đơn vị sử dụng",
    "Kết nối Internet",
    "Tình trạng",
    "Ghi chú",
]
GOOD = [
    HEADER,
    [1, "HG-001", "Máy bàn", "Dell", "Windows 10", "15/03/2019", "15.500.000",
     "Sở Thông tin và Truyền thông", "Có", "Đang sử dụng", ""],
    [2, "HG-002", "máy xách tay", "HP", "Windows 7", "2012", "18.000.000",
     "so thong tin va truyen thong", "x", "hỏng", ""],
    [3, "HG-003", "PC", "Lenovo", "Windows XP", "", "12000000",
     "X00715", "0", "thanh lý", "Máy cũ"],
]  # fmt: skip


def _check_good_import(engine: Engine) -> None:
    stored = computers(engine)
    assert set(stored) == {"HG-001", "HG-002", "HG-003"}
    first, second, third = stored["HG-001"], stored["HG-002"], stored["HG-003"]
    assert (first.kind, first.purchase_year, first.purchase_date) == (
        ComputerKind.desktop,
        2019,
        date(2019, 3, 15),
    )
    assert first.purchase_cost == 15_500_000 and first.internet and first.os == "Windows 10"
    assert first.agency_id == agency_id(engine, "STTTT")
    # Year only: the year is known, the day is not.
    assert (second.kind, second.purchase_year, second.purchase_date) == (
        ComputerKind.laptop,
        2012,
        None,
    )
    assert second.status == ComputerStatus.broken and second.internet
    assert second.agency_id == agency_id(engine, "STTTT")  # name without diacritics
    # Unknown purchase: neither year nor date.
    assert (third.purchase_year, third.purchase_date) == (None, None)
    assert third.status == ComputerStatus.retired and not third.internet
    assert third.agency_id == agency_id(engine, "X00715")  # agency code in the name column
    assert third.notes == "Máy cũ" and first.notes is None


@pytest.mark.parametrize(
    "encoding, delimiter", [("utf-8-sig", ";"), ("cp1258", ","), ("utf-8", ",")]
)
def test_vietnamese_csv_imports(
    hg_engine: Engine, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    path = write_csv(tmp_path / "may.csv", GOOD, encoding=encoding, delimiter=delimiter)
    report = do_import(hg_engine, "computers", path)
    assert report.ok, report.lines()
    assert (report.counts.new, report.counts.updated, report.counts.unchanged) == (3, 0, 0)
    assert report.ignored == ["STT"]
    _check_good_import(hg_engine)


def test_vietnamese_xlsx_imports_with_title_rows_and_real_dates(
    hg_engine: Engine, tmp_path: Path
) -> None:
    rows = [list(r) for r in GOOD]
    rows[1][5] = date(2019, 3, 15)  # a real date cell
    rows[1][6] = 15_500_000  # a number cell
    rows[2][5] = 2012
    title = [["DANH SÁCH MÁY TÍNH NĂM 2026"], ["Đơn vị: Sở TT&TT Hà Giang"], []]
    path = write_xlsx(tmp_path / "may.xlsx", {"Trang tính 1": title + rows})
    report = do_import(hg_engine, "computers", path)
    assert report.ok, report.lines()
    assert report.header_row == 4
    _check_good_import(hg_engine)


def test_excel_serial_dates_in_csv(hg_engine: Engine, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "serial.csv",
        [["Mã tài sản", "Ngày mua", "Cơ quan"], ["S-1", "43539", "STTTT"]],
    )
    assert do_import(hg_engine, "computers", path).ok
    assert computers(hg_engine)["S-1"].purchase_date == date(2019, 3, 15)


def test_bad_rows_write_nothing_and_each_is_named(hg_engine: Engine, tmp_path: Path) -> None:
    rows = [list(r) for r in GOOD] + [
        [4, "HG-004", "máy tính bảng lớn", "Dell", "", "31/02/2020", "", "STTTT", "", "", ""],
        [5, "HG-005", "PC", "", "", "", "mười triệu", "Sở Không Có", "có lẽ", "", ""],
        [6, "HG-001", "PC", "", "", "", "", "STTTT", "", "mất", ""],
        [7, "", "PC", "", "", "", "", "STTTT", "", "", ""],
    ]
    path = write_csv(tmp_path / "bad.csv", rows, encoding="utf-8-sig")
    before = table_counts(hg_engine)
    report = do_import(hg_engine, "computers", path)
    assert not report.ok
    assert table_counts(hg_engine) == before  # nothing written, not even the good rows
    assert report.sorted_errors() == [
        RowError(5, "Loại máy", "máy tính bảng lớn",
                 "unknown kind (máy bàn/PC/desktop, máy xách tay/laptop, máy chủ/server)"),
        RowError(5, "Ngày mua", "31/02/2020", "no such date"),
        RowError(6, "Nguyên giá", "mười triệu", "not an amount"),
        RowError(6, "Đơn vị sử dụng", "Sở Không Có",
                 "unknown agency (import it first with `ictr import agencies`, "
                 "or use --create-agencies)"),
        RowError(6, "Kết nối Internet", "có lẽ", "not yes/no (Có/Không, x, 1/0, yes/no)"),
        RowError(7, "Mã tài sản", "HG-001", "asset tag repeated (first on row 2)"),
        RowError(7, "Tình trạng", "mất",
                 "unknown status (đang sử dụng, dự phòng, hỏng, thanh lý)"),
        RowError(8, "Mã tài sản", "", "asset tag is missing"),
    ]  # fmt: skip
    text = "\n".join(report.lines())
    assert "4 bad rows (8 problems); nothing was imported" in text
    assert "row 6, column 'Nguyên giá', value 'mười triệu': not an amount" in text


def test_reimport_changes_nothing_and_a_changed_row_updates(
    hg_engine: Engine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "may.csv", GOOD)
    assert do_import(hg_engine, "computers", path).counts.new == 3
    ids = {tag: c.id for tag, c in computers(hg_engine).items()}
    again = do_import(hg_engine, "computers", path)
    assert (again.counts.new, again.counts.updated, again.counts.unchanged) == (0, 0, 3)

    changed = [list(r) for r in GOOD]
    changed[2][9] = "Đang sử dụng"  # HG-002 repaired
    changed[2][5] = "01/06/2012"  # and its purchase day found
    path = write_csv(tmp_path / "may2.csv", changed)
    report = do_import(hg_engine, "computers", path)
    assert (report.counts.new, report.counts.updated, report.counts.unchanged) == (0, 1, 2)
    assert report.counts.changed_keys == ["HG-002"]
    stored = computers(hg_engine)
    assert {tag: c.id for tag, c in stored.items()} == ids  # same rows, nothing duplicated
    assert stored["HG-002"].status == ComputerStatus.in_use
    assert stored["HG-002"].purchase_date == date(2012, 6, 1)
    assert table_counts(hg_engine)["computer"] == 3


def test_partial_file_updates_only_its_columns(hg_engine: Engine, tmp_path: Path) -> None:
    do_import(hg_engine, "computers", write_csv(tmp_path / "may.csv", GOOD))
    path = write_csv(tmp_path / "status.csv", [["Mã tài sản", "Tình trạng"], ["HG-001", "hỏng"]])
    report = do_import(hg_engine, "computers", path)
    assert (report.counts.updated, report.counts.unchanged) == (1, 0)
    first = computers(hg_engine)["HG-001"]
    assert first.status == ComputerStatus.broken
    assert (first.os, first.purchase_cost, first.internet) == ("Windows 10", 15_500_000, True)


def test_empty_kind_status_and_agency_cells_keep_stored_values(
    hg_engine: Engine, tmp_path: Path
) -> None:
    do_import(hg_engine, "computers", write_csv(tmp_path / "may.csv", GOOD))
    blanked = [list(r) for r in GOOD]
    for row in blanked[1:]:
        row[2] = row[7] = row[9] = ""
    report = do_import(hg_engine, "computers", write_csv(tmp_path / "b.csv", blanked))
    assert (report.counts.updated, report.counts.unchanged) == (0, 3)


def test_year_column_and_date_column_together(hg_engine: Engine, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "y.csv",
        [
            ["Mã tài sản", "Năm mua", "Ngày mua", "Cơ quan"],
            ["Y-1", "2015", "", "STTTT"],
            ["Y-2", "2016", "03/04/2016", "STTTT"],
            ["Y-3", "2017", "03/04/2016", "STTTT"],
        ],
    )
    report = do_import(hg_engine, "computers", path)
    assert report.errors == [
        RowError(4, "Năm mua", "2017", "does not match the purchase date 2016-04-03")
    ]
    del_bad = path.read_text().splitlines()[:-1]
    path.write_text("\n".join(del_bad) + "\n")
    assert do_import(hg_engine, "computers", path).ok
    stored = computers(hg_engine)
    assert (stored["Y-1"].purchase_year, stored["Y-1"].purchase_date) == (2015, None)
    assert stored["Y-2"].purchase_date == date(2016, 4, 3)


def test_agency_option_fills_rows_without_agency(hg_engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [["Mã tài sản", "Loại máy"], ["A-1", "PC"], ["A-2", "PC"]])
    report = do_import(hg_engine, "computers", path)
    assert [e.reason for e in report.errors] == [
        "new computer without an agency: fill the agency column or give --agency"
    ] * 2
    assert do_import(hg_engine, "computers", path, agency="UBND huyen Dong Van").ok
    assert {c.agency_id for c in computers(hg_engine).values()} == {agency_id(hg_engine, "H026")}
    with pytest.raises(IctrError, match="--agency 'Sở Lạ': no agency with this code or name"):
        do_import(hg_engine, "computers", path, agency="Sở Lạ")


def test_ambiguous_agency_name_needs_unit_or_code(hg_engine: Engine, tmp_path: Path) -> None:
    rows = [
        ["Mã tài sản", "Cơ quan", "Huyện", "Xã"],
        ["T-1", "UBND xã Tả Lủng", "", ""],
        ["T-2", "UBND xã Tả Lủng", "Mèo Vạc", "Tả Lủng"],
        ["T-3", "UBND xa Ta Lung", "", "00742"],
    ]
    report = do_import(hg_engine, "computers", write_csv(tmp_path / "t.csv", rows))
    assert [(e.row, e.reason) for e in report.errors] == [
        (2, "several agencies have this name (X00742, X00796): give the agency code")
    ]
    del rows[1]
    assert do_import(hg_engine, "computers", write_csv(tmp_path / "t2.csv", rows)).ok
    stored = computers(hg_engine)
    assert stored["T-2"].agency_id == agency_id(hg_engine, "X00796")
    assert stored["T-3"].agency_id == agency_id(hg_engine, "X00742")


def test_create_agencies_uses_the_unit_column_or_unit_option(
    hg_engine: Engine, tmp_path: Path
) -> None:
    rows = [
        ["Mã tài sản", "Cơ quan", "Mã ĐVHC"],
        ["N-1", "Trường THCS Lũng Cú", "00715"],
        ["N-2", "Trường THCS Lũng Cú", "00715"],
        ["N-3", "Ban Quản lý dự án", ""],
    ]
    path = write_csv(tmp_path / "n.csv", rows)
    report = do_import(hg_engine, "computers", path, create_agencies=True)
    assert [(e.row, e.reason) for e in report.errors] == [
        (4, "unknown agency: to create it, give --unit or fill a unit column")
    ]
    before = table_counts(hg_engine)
    report = do_import(hg_engine, "computers", path, create_agencies=True, unit="02", dry_run=True)
    assert report.ok and report.counts.new == 3
    assert report.created_agencies == ["Trường THCS Lũng Cú (00715)", "Ban Quản lý dự án (02)"]
    assert table_counts(hg_engine) == before  # dry run
    report = do_import(hg_engine, "computers", path, create_agencies=True, unit="02")
    assert table_counts(hg_engine)["agency"] == before["agency"] + 2
    assert report.counts.new == 3


def test_cli_exit_codes_dry_run_and_summary(hg_engine: Engine, tmp_path: Path) -> None:
    runner = CliRunner()
    path = write_csv(tmp_path / "may.csv", GOOD)
    result = runner.invoke(app, ["import", "computers", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run, nothing written: would be new 3, updated 0, unchanged 0" in result.output
    assert table_counts(hg_engine)["computer"] == 0
    result = runner.invoke(app, ["import", "computers", str(path)])
    assert result.exit_code == 0, result.output
    assert "new 3, updated 0, unchanged 0" in result.output
    result = runner.invoke(app, ["import", "computers", str(path)])
    assert "new 0, updated 0, unchanged 3" in result.output

    bad = write_csv(tmp_path / "bad.csv", [["Mã tài sản", "Cơ quan"], ["Z-1", "Không Có"]])
    result = runner.invoke(app, ["import", "computers", str(bad)])
    assert result.exit_code == 2
    assert "row 2, column 'Cơ quan', value 'Không Có': unknown agency" in result.output
    assert result.stderr.startswith("error: bad.csv: row 2, column 'Cơ quan', value 'Không Có'")
    missing = write_csv(tmp_path / "m.csv", [["Tên máy", "Phòng"], ["a", "b"]])
    result = runner.invoke(app, ["import", "computers", str(missing)])
    assert result.exit_code == 2
    assert "required column asset_tag (Mã tài sản) is missing" in result.output


def test_a_failure_after_writing_rolls_everything_back(
    hg_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Agencies created and computers inserted, then a failure: nothing stays."""
    import inventory.importing.computers as module

    real = module.upsert_by_key

    def failing(*args: object, **kwargs: object) -> object:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, "upsert_by_key", failing)
    rows = [["Mã tài sản", "Cơ quan", "Mã ĐVHC"], ["F-1", "Trường Mới", "00715"]]
    before = table_counts(hg_engine)
    with pytest.raises(RuntimeError, match="disk full"):
        do_import(hg_engine, "computers", write_csv(tmp_path / "f.csv", rows), create_agencies=True)
    assert table_counts(hg_engine) == before


def test_a_process_killed_mid_import_leaves_the_database_as_it_was(
    hg_engine: Engine, tmp_path: Path, db_url: str
) -> None:
    """The import is killed (SIGKILL) after its rows are written but before the commit."""
    rows = [["Mã tài sản", "Cơ quan", "Loại máy"]]
    rows += [[f"K-{n:05d}", "STTTT", "PC"] for n in range(5000)]
    path = write_csv(tmp_path / "k.csv", rows)
    do_import(hg_engine, "computers", write_csv(tmp_path / "one.csv", GOOD[:2]))
    before = table_counts(hg_engine)
    hg_engine.dispose()
    script = textwrap.dedent(
        f"""
        import os, signal
        import inventory.importing.computers as module
        from pathlib import Path
        from inventory.db import get_engine
        from inventory.importing import ImportOptions, run_import

        real = module.upsert_by_key
        def killed(*args, **kwargs):
            counts = real(*args, **kwargs)
            print("written", counts.new, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        module.upsert_by_key = killed
        run_import(
            engine=get_engine({db_url!r}),
            entity="computers",
            path=Path({str(path)!r}),
            options=ImportOptions(),
        )
        """
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert "written 5000" in done.stdout
    assert table_counts(hg_engine) == before
    assert set(computers(hg_engine)) == {"HG-001"}
