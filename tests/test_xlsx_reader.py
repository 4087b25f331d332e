"""Workbooks are read with calamine, and with openpyxl only where calamine would read them
differently: the cells the importer gets, Excel's row numbers and column letters, and the
hostile workbooks calamine alone would mishandle (a cell rectangle that aborts the process,
a zip unpacking to gigabytes, a DTD) all end as before."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.importing import readers
from inventory.importing.readers import read_table
from inventory.importing.workbook_scan import MAX_PARTS, MAX_XML_BYTES
from inventory.models import Computer
from tests.conftest import PROJECT_ROOT
from tests.hostile_files import (
    BILLION_LAUGHS,
    SHEET,
    VALID,
    database_dump,
    rewrite_member,
    xlsx_bytes,
)
from tests.import_fixtures import hg_engine_fixture  # noqa: F401

runner = CliRunner()


def invoke(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def refused(engine: Engine, path: Path, kind: str = "computers") -> str:
    """`ictr import KIND FILE` exits with 2, one stderr line naming the file, and the
    database as it was. Returns that line."""
    before = database_dump(engine)
    result = invoke("import", kind, str(path))
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and path.name in lines[0], lines
    assert database_dump(engine) == before
    return lines[0]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def stored(engine: Engine) -> dict[str, Computer]:
    with Session(engine) as session:
        return {c.asset_tag: c for c in session.exec(select(Computer))}


# -- where the rows are ---------------------------------------------------------------------


def province_list(path: Path, last_row: list[object]) -> Path:
    """A list as provinces keep them: column A empty, a title and a reference line above an
    empty row and the header in row 5, a blank row inside the data."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["C2"] = "DANH SÁCH MÁY TÍNH CỦA CÁC CƠ QUAN"
    sheet["C3"] = "(Kèm theo Công văn số 123/STTTT-CNTT ngày 05/3/2026)"
    header = ["Mã tài sản", "Loại máy", "Cơ quan", "Năm mua", "RAM (GB)"]
    for row_number, row in [
        (5, header),
        (6, ["HX-1", "Máy bàn", "STTTT", 2020, 8]),
        (7, ["HX-2", "Laptop", "H026", 2021, 16]),
        (9, last_row),
    ]:
        for offset, value in enumerate(row):
            sheet.cell(row=row_number, column=2 + offset, value=value)
    workbook.save(path)
    return path


def test_title_rows_and_an_empty_first_column_keep_excel_numbers(
    hg_engine: Engine, tmp_path: Path
) -> None:
    good = province_list(tmp_path / "good.xlsx", ["HX-3", "Máy chủ", "STTTT", 2019, 32])
    result = invoke("import", "computers", str(good))
    assert result.exit_code == 0, result.output
    assert "(header on row 5): 3 rows" in result.output
    assert set(stored(hg_engine)) == {"HX-1", "HX-2", "HX-3"}

    bad = province_list(tmp_path / "bad.xlsx", ["HX-4", "bàn là", "STTTT", 2019, 32, "", "x"])
    # Column A is empty in the whole sheet: the stray value is still in Excel's column H.
    assert refused(hg_engine, bad) == (
        "error: bad.xlsx [Sheet]: 1 bad rows (2 problems), first: row 9, column 'H', value 'x': "
        "a value in a column without a header: give the column a header or clear the cell; "
        "nothing was imported"
    )
    result = invoke("import", "computers", str(bad))
    assert "  row 9, column 'Loại máy', value 'bàn là': unknown kind" in result.stdout


def test_rows_start_where_excel_shows_them(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["D4"] = "Mã tài sản"
    sheet["E7"] = 5
    workbook.save(tmp_path / "f.xlsx")
    table = read_table(tmp_path / "f.xlsx")
    assert table.row_numbers == [4, 7]
    assert table.rows[0][:4] == [None, None, None, "Mã tài sản"]
    assert table.rows[1][4] == 5


# -- the cells the importer gets -------------------------------------------------------------


def test_cells_come_as_the_importer_expects(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        [
            15_000_000,
            1.5,
            date(2020, 1, 15),
            datetime(2020, 1, 15, 10, 30),
            time(10, 30),
            True,
            "Đồng Văn",  # NFD: a base letter and combining marks
            "=1+1",
            "=2+2",
            0.25,
            -3,
        ]
    )
    sheet["C1"].number_format = "dd/mm/yyyy"
    sheet["J1"].number_format = "0%"

    def cached(xml: bytes) -> bytes:  # Excel stores a formula's last value; openpyxl does not
        return xml.replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>").replace(
            b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>"
        )

    out = io.BytesIO()
    workbook.save(out)
    path = write(tmp_path / "f.xlsx", rewrite_member(out.getvalue(), SHEET, cached))
    [row] = read_table(path).rows
    assert row == [
        15_000_000,
        1.5,
        date(2020, 1, 15),
        datetime(2020, 1, 15, 10, 30),
        "10:30:00",
        True,
        "Đồng Văn",  # NFC
        2,
        None,  # a formula Excel never calculated: no value to read
        0.25,
        -3,
    ]
    assert [type(v) for v in row[:2]] == [int, float]
    assert type(row[2]) is date and row[6] == "Đồng Văn"


def test_error_cells_keep_their_text(hg_engine: Engine, tmp_path: Path) -> None:
    """calamine reads #N/A as an empty cell: such a sheet is read by openpyxl."""
    rows = [list(r) for r in VALID["computers"]]

    def errors(xml: bytes) -> bytes:
        return xml.replace(b'<c r="F2" t="n"><v>8</v>', b'<c r="F2" t="e"><v>#N/A</v>').replace(
            b'<c r="F3" t="n"><v>16</v>', b'<c r="F3" t="e"><f>1/0</f><v>#DIV/0!</v>'
        )

    path = write(tmp_path / "may.xlsx", rewrite_member(xlsx_bytes(rows), SHEET, errors))
    assert [r[5] for r in read_table(path).rows[1:]] == ["#N/A", "#DIV/0!"]
    line = refused(hg_engine, path)
    assert "first: row 2, column 'RAM (GB)', value '#N/A': " in line, line


def test_an_integer_beyond_a_double_keeps_every_digit(hg_engine: Engine, tmp_path: Path) -> None:
    """A serial typed as a number: calamine would round it to a double."""
    rows = [[*VALID["computers"][0], "Số serial"]]
    rows += [[*r, serial] for r, serial in zip(VALID["computers"][1:], [1, 2], strict=True)]

    def long_serial(xml: bytes) -> bytes:
        return xml.replace(b'<c r="H2" t="n"><v>1</v>', b'<c r="H2" t="n"><v>12345678901234567</v>')

    path = write(tmp_path / "may.xlsx", rewrite_member(xlsx_bytes(rows), SHEET, long_serial))
    result = invoke("import", "computers", str(path))
    assert result.exit_code == 0, result.output
    assert stored(hg_engine)["HF-1"].serial == "12345678901234567"


def test_dates_of_a_1904_workbook(hg_engine: Engine, tmp_path: Path) -> None:
    """Excel for Mac once counted days from 1904: the same serial is four years later."""
    workbook = openpyxl.Workbook()
    workbook.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Mã tài sản", "Loại máy", "Cơ quan", "Ngày mua"])
    sheet.append(["HM-1", "Máy bàn", "STTTT", date(2021, 3, 15)])
    sheet["D2"].number_format = "dd/mm/yyyy"
    workbook.save(tmp_path / "mac.xlsx")
    assert b"date1904" in zipfile.ZipFile(tmp_path / "mac.xlsx").read("xl/workbook.xml")
    result = invoke("import", "computers", str(tmp_path / "mac.xlsx"))
    assert result.exit_code == 0, result.output
    assert stored(hg_engine)["HM-1"].purchase_date == date(2021, 3, 15)


def test_a_named_sheet_or_the_list_of_sheets(hg_engine: Engine, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.title = "Ghi chú"
    first.append(["Bảng này không có dữ liệu"])
    data = workbook.create_sheet("Máy tính")
    for row in VALID["computers"]:
        data.append(row)
    workbook.save(tmp_path / "may.xlsx")
    result = invoke("import", "computers", str(tmp_path / "may.xlsx"), "--sheet", "Máy tính")
    assert result.exit_code == 0, result.output
    assert "computers from may.xlsx [Máy tính]" in result.output
    result = invoke("import", "computers", str(tmp_path / "may.xlsx"), "--sheet", "Nope")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: may.xlsx has no sheet 'Nope'; sheets: 'Ghi chú', 'Máy tính'"
    ]


def test_ordinary_workbooks_need_no_openpyxl(
    hg_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """calamine reads them all: with openpyxl unable to load anything, they still import,
    and a sheet with an error cell (openpyxl's to read) does not."""

    def no_openpyxl(*args: object, **kwargs: object) -> None:
        raise RuntimeError("openpyxl was asked to read the workbook")

    path = write(tmp_path / "may.xlsx", xlsx_bytes(VALID["computers"]))
    monkeypatch.setattr(openpyxl, "load_workbook", no_openpyxl)
    result = invoke("import", "computers", str(path))
    assert result.exit_code == 0, result.output
    assert "new 2, updated 0, unchanged 0" in result.output

    rows = [list(r) for r in VALID["computers"]]
    rows[1][5] = "#N/A"  # openpyxl writes it as an error cell
    line = refused(hg_engine, write(tmp_path / "loi.xlsx", xlsx_bytes(rows)))
    assert "openpyxl was asked to read the workbook" in line


# -- hostile workbooks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        b'<c r="XFD1048576" t="n"><v>5</v></c>',
        b'<c r="xfd1048576" t="n"><v>5</v></c>',  # calamine takes small letters too
        b'<c t="n" r="XFD1048576"><v>5</v></c>',
        b'<c r="H1048576" t="n"><v>5</v></c><c t="n"><v>6</v></c>',  # no reference
    ],
)
def test_cells_far_apart_do_not_abort_the_import(
    hg_engine: Engine, tmp_path: Path, cell: bytes
) -> None:
    """calamine holds a sheet as one rectangle: cells in A1 and XFD1048576 make it 17
    billion cells, and the failed allocation aborts the process. Run as a user would, in a
    process of its own, so that an abort fails this test instead of ending the test run."""

    def far(xml: bytes) -> bytes:
        return xml.replace(b"</sheetData>", b'<row r="1048576">' + cell + b"</row></sheetData>")

    path = write(tmp_path / "diem.xlsx", rewrite_member(xlsx_bytes(VALID["points"]), SHEET, far))
    before = database_dump(hg_engine)
    done = subprocess.run(
        [sys.executable, "-m", "ictr.cli", "import", "points", str(path)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    [line] = done.stderr.splitlines()
    assert line.startswith("error: diem.xlsx [Sheet1]: ") and "row 1048576, column '" in line
    assert "a value in a column without a header" in line
    assert database_dump(hg_engine) == before


def test_xml_unpacking_beyond_the_cap_is_refused(hg_engine: Engine, tmp_path: Path) -> None:
    """Two megabytes of zip that inflate to more than 500 MB of sheet."""
    workbook = xlsx_bytes(VALID["computers"])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for member in source.namelist():
            data = source.read(member)
            if member != SHEET:
                target.writestr(member, data)
                continue
            end = data.index(b"</worksheet>")
            with target.open(SHEET, "w", force_zip64=True) as sheet:
                sheet.write(data[:end])
                blank = b" " * 2**20
                for _ in range(MAX_XML_BYTES // len(blank) + 1):
                    sheet.write(blank)  # whitespace between elements: well-formed XML
                sheet.write(data[end:])
    path = write(tmp_path / "bom.xlsx", out.getvalue())
    assert path.stat().st_size < 3 * 2**20
    line = refused(hg_engine, path)
    assert line == (
        "error: bom.xlsx: the workbook unpacks to more than 500 MB (a zip bomb?); refused"
    )


def test_a_directory_claiming_small_sizes_does_not_lift_the_cap(
    hg_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sizes in a zip's directory are the writer's word: the scan inflates the data."""
    monkeypatch.setattr("inventory.importing.workbook_scan.MAX_XML_BYTES", 2**20)

    def padded(xml: bytes) -> bytes:
        end = xml.index(b"</worksheet>")
        return xml[:end] + b" " * 3 * 2**20 + xml[end:]

    data = bytearray(rewrite_member(xlsx_bytes(VALID["computers"]), SHEET, padded))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(SHEET)
    # The uncompressed size, in the local header (offset 22) and the central directory.
    data[info.header_offset + 22 : info.header_offset + 26] = (100).to_bytes(4, "little")
    directory = bytes(data).index(b"PK\x01\x02")
    while directory >= 0:
        name_length = int.from_bytes(data[directory + 28 : directory + 30], "little")
        if data[directory + 46 : directory + 46 + name_length] == SHEET.encode():
            data[directory + 24 : directory + 28] = (100).to_bytes(4, "little")
        directory = bytes(data).find(b"PK\x01\x02", directory + 4)
    path = write(tmp_path / "may.xlsx", bytes(data))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo(SHEET).file_size == 100
    line = refused(hg_engine, path)
    assert line == (
        "error: may.xlsx: the workbook unpacks to more than 1 MB (a zip bomb?); refused"
    )


def test_thousands_of_parts_are_refused(hg_engine: Engine, tmp_path: Path) -> None:
    out = io.BytesIO(xlsx_bytes(VALID["computers"]))
    with zipfile.ZipFile(out, "a") as archive:
        for n in range(MAX_PARTS):
            archive.writestr(f"xl/media/image{n}.png", b"")
    path = write(tmp_path / "may.xlsx", out.getvalue())
    parts = len(zipfile.ZipFile(path).namelist())
    assert parts > MAX_PARTS
    line = refused(hg_engine, path)
    assert line == (
        f"error: may.xlsx: the workbook has {parts:,} parts (a workbook has a few dozen); refused"
    )


@pytest.mark.parametrize("part", ["xl/styles.xml", "xl/workbook.xml", SHEET])
def test_entities_in_any_part_are_refused(hg_engine: Engine, tmp_path: Path, part: str) -> None:
    """calamine neither expands nor refuses entities; openpyxl's defusedxml refuses them."""

    def declare(xml: bytes) -> bytes:
        start = xml.index(b"<", xml.index(b"?>") + 2) if xml.startswith(b"<?xml") else 0
        doctype = BILLION_LAUGHS[BILLION_LAUGHS.index("<!DOCTYPE") : BILLION_LAUGHS.index("]>")]
        root = xml[start + 1 : xml.index(b" ", start)]
        return xml[:start] + doctype.replace("sst", root.decode()).encode() + b"]>" + xml[start:]

    data = rewrite_member(xlsx_bytes(VALID["computers"]), part, declare)
    line = refused(hg_engine, write(tmp_path / "may.xlsx", data))
    assert line.startswith("error: may.xlsx: the workbook's XML declares entities"), line


def test_a_shared_string_index_that_is_no_number(hg_engine: Engine, tmp_path: Path) -> None:
    """calamine would read the first string of the workbook in its place."""

    def damaged(xml: bytes) -> bytes:
        return xml.replace(b'<c r="G2" t="s"><v>', b'<c r="G2" t="s"><v>x', 1)

    data = rewrite_member(xlsx_bytes(VALID["computers"]), SHEET, damaged)
    line = refused(hg_engine, write(tmp_path / "may.xlsx", data))
    assert line.startswith(
        "error: may.xlsx [Sheet1], row 2: a cell cannot be read (invalid literal for int() "
        "with base 10: 'x"
    ), line


def test_the_scan_reads_the_sheet_it_is_asked_for(tmp_path: Path) -> None:
    """An error cell in another sheet does not send the workbook to openpyxl, and one in the
    chosen sheet does."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.append(["#N/A"])
    second = workbook.create_sheet("B")
    second.append(["x"])
    workbook.save(tmp_path / "f.xlsx")
    assert readers.calamine_obstacle(tmp_path / "f.xlsx", "B") is None
    assert readers.calamine_obstacle(tmp_path / "f.xlsx", None) == "error cells"
