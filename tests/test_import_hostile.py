"""Hostile files end in one clear error, never a traceback: `ictr import` exits with 2, says
on one stderr line which file and what is wrong (row, column and value for a bad cell), and
the database is exactly as before. The same for `ictr boundaries import` and the Data page."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from ictr.cli.main import app
from inventory.importing.report import MAX_LISTED_ERRORS
from tests.conftest import PROJECT_ROOT
from tests.dashboard_fixtures import EDITOR_PASSWORD, editor_password  # noqa: F401
from tests.hostile_files import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    KEYS,
    SHARED_STRINGS,
    TEXT_COLUMN,
    UNDEFINED_ENTITY,
    VALID,
    csv_bytes,
    database_dump,
    rewrite_member,
    with_number_cell,
    xlsx_bytes,
)
from tests.import_fixtures import hg_engine_fixture, to_cp1258  # noqa: F401
from tests.page_text import markdown_shown

KINDS = ["computers", "agencies", "points"]
runner = CliRunner()


def invoke(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def refused(engine: Engine, path: Path, *args: str) -> str:
    """Run `ictr <args> FILE`; assert exit code 2, one stderr line naming the file, and an
    unchanged database. Returns that line."""
    before = database_dump(engine)
    result = invoke(*args, str(path))
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and path.name in lines[0], lines[0]
    assert database_dump(engine) == before
    return lines[0]


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def with_cell(kind: str, column: int, value: object, row: int = 1) -> list[list[object]]:
    rows = [list(r) for r in VALID[kind]]
    rows[row][column] = value
    return rows


# -- the valid files the hostile ones are made from -----------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_valid_files_import(hg_engine: Engine, tmp_path: Path, kind: str, suffix: str) -> None:
    data = csv_bytes(VALID[kind]) if suffix == ".csv" else xlsx_bytes(VALID[kind])
    path = write(tmp_path / f"{kind}{suffix}", data)
    result = invoke("import", kind, str(path))
    assert result.exit_code == 0, result.output
    assert f"new {len(KEYS[kind])}, updated 0, unchanged 0" in result.output


# -- text that cannot be decoded ----------------------------------------------------------------


@pytest.mark.parametrize("byte", [b"\x81", b"\x8d", b"\x8e", b"\x90", b"\x9e"])
def test_bytes_that_windows_1258_leaves_undefined(
    hg_engine: Engine, tmp_path: Path, byte: bytes
) -> None:
    """Not UTF-8 (so read as Windows-1258), and a byte Windows-1258 has no character for."""
    text = csv_bytes(VALID["computers"]).replace("Đồng Văn", "Đồng Văn X")
    data = to_cp1258(text).replace(b" X", b" " + byte)
    line = refused(hg_engine, write(tmp_path / "may.csv", data), "import", "computers")
    position = data.index(byte)
    assert line == (
        f"error: may.csv: line 3: byte 0x{byte[0]:02X} (at byte {position}) is neither UTF-8 "
        'nor Windows-1258 text: save the file as "CSV UTF-8"'
    )


@pytest.mark.parametrize(
    "cut, reason",
    [
        (lambda data: data[:-1], "truncated data at byte"),  # an odd number of bytes
        (
            lambda data: data + "\ud83d".encode("utf-16-le", "surrogatepass"),
            "the file is cut short",
        ),
        (lambda data: data[:40] + b"\x00\xdc" + data[40:], "illegal encoding at byte 40)"),
    ],
)
def test_broken_utf16(hg_engine: Engine, tmp_path: Path, cut: object, reason: str) -> None:
    data = b"\xff\xfe" + csv_bytes(VALID["agencies"]).encode("utf-16-le")
    broken = cut(data)  # type: ignore[operator]
    line = refused(hg_engine, write(tmp_path / "co-quan.csv", broken), "import", "agencies")
    assert line.startswith("error: co-quan.csv: not valid UTF-16 text (")
    assert reason in line


# -- numbers no column can hold -------------------------------------------------------------


@pytest.mark.parametrize(
    "name, raw, shown",
    [
        ("co-quan.csv", None, "99999999999999999999"),
        ("co-quan.xlsx", "99999999999999999999", "99999999999999999999"),  # a number cell
        ("co-quan.xlsx", "1e+20", "100000000000000000000"),  # as Excel stores it: a double
    ],
)
def test_a_twenty_digit_head_count(
    hg_engine: Engine, tmp_path: Path, name: str, raw: str | None, shown: str
) -> None:
    """Once an OverflowError from SQLite; PostgreSQL's INTEGER stops at 2,147,483,647."""
    if raw is None:
        data: str | bytes = csv_bytes(with_cell("agencies", 3, 99999999999999999999))
    else:
        data = with_number_cell(xlsx_bytes(VALID["agencies"]), "D2", raw)
    line = refused(hg_engine, write(tmp_path / name, data), "import", "agencies")
    source = name if raw is None else f"{name} [Sheet1]"
    assert line == (
        f"error: {source}: row 2, column 'Số CBCCVC', value '{shown}': larger than 1,000,000; "
        "nothing was imported"
    )


@pytest.mark.parametrize(
    "kind, column, value, shown, reason",
    [
        ("agencies", 4, 2**31, "2147483648", "larger than 1,000,000"),
        ("computers", 4, 10**15, "1000000000000000", "larger than 1,000,000,000,000"),
        ("computers", 4, "9" * 400, "9" * 199 + "…", "infinite (too large for any column)"),
        ("computers", 5, 10**6, "1000000", "larger than 65,536"),
        ("computers", 5, "1" * 400 + " GB", "1" * 199 + "…", "infinite (too large for any"),
        ("points", 6, 10**7, "10000000", "larger than 1,000,000"),
        ("points", 4, "1e400", "1e400", "infinite (too large for any column)"),
        ("points", 4, "nan", "nan", "not a number (NaN)"),
        ("points", 5, "-inf", "-inf", "infinite (too large for any column)"),
    ],
)
def test_numbers_beyond_the_column(
    hg_engine: Engine,
    tmp_path: Path,
    kind: str,
    column: int,
    value: object,
    shown: str,
    reason: str,
) -> None:
    path = write(tmp_path / "f.csv", csv_bytes(with_cell(kind, column, value, row=2)))
    line = refused(hg_engine, path, "import", kind)
    header = VALID[kind][0][column]
    assert line.startswith(f"error: f.csv: row 3, column '{header}', value '{shown}': {reason}")


@pytest.mark.parametrize("port", ["80;²", "4" * 5000, ";".join(str(p) for p in range(1000, 1050))])
def test_ports_that_are_no_numbers_or_too_many(
    hg_engine: Engine, tmp_path: Path, port: str
) -> None:
    rows = [[*VALID["points"][0], "Cổng TCP"], *[[*r, "80"] for r in VALID["points"][1:]]]
    rows[1][-1] = port
    line = refused(hg_engine, write(tmp_path / "p.csv", csv_bytes(rows)), "import", "points")
    assert "row 2, column 'Cổng TCP'" in line
    assert "is not a TCP port" in line or "more than fit in 200 characters" in line


@pytest.mark.parametrize("raw", ["NaN", "inf", "-Infinity", "1e99999x"])
def test_xlsx_number_cells_that_are_no_numbers(hg_engine: Engine, tmp_path: Path, raw: str) -> None:
    """openpyxl's int() fails on the cell: the row after the last one read is named."""
    data = with_number_cell(xlsx_bytes(VALID["computers"]), "E3", raw)
    line = refused(hg_engine, write(tmp_path / "may.xlsx", data), "import", "computers")
    assert line.startswith("error: may.xlsx [Sheet1], row 3: a cell cannot be read (")
    assert repr(raw) in line


@pytest.mark.parametrize("raw", ["1E+400", "-1E+400", "1.5e309"])
def test_xlsx_number_cells_beyond_a_double(hg_engine: Engine, tmp_path: Path, raw: str) -> None:
    data = with_number_cell(xlsx_bytes(VALID["computers"]), "E3", raw)
    line = refused(hg_engine, write(tmp_path / "may.xlsx", data), "import", "computers")
    assert line.startswith("error: may.xlsx [Sheet1]: row 3, column 'Nguyên giá (VND)', value '"), (
        line
    )
    assert "infinite (too large for any column); nothing was imported" in line


def test_a_date_cell_beyond_any_date(hg_engine: Engine, tmp_path: Path) -> None:
    """openpyxl makes the cell "#VALUE!" and warns: the warning goes into the report."""
    rows = [[*VALID["computers"][0], "Ngày mua"]]
    rows += [[*row, date(row[3], 1, 15)] for row in VALID["computers"][1:]]
    data = with_number_cell(xlsx_bytes(rows), "H2", "1e10")  # a serial day in 27,000,000 AD
    before = database_dump(hg_engine)
    result = invoke("import", "computers", str(write(tmp_path / "may.xlsx", data)))
    assert result.exit_code == 2
    assert (
        "warning: Cell H2 is marked as a date but the serial value 10000000000.0 is outside "
        "the limits for dates. The cell will be treated as an error."
    ) in result.stdout.splitlines()
    assert result.stderr.splitlines() == [
        "error: may.xlsx [Sheet1]: row 2, column 'Ngày mua', value '#VALUE!': not a date "
        "(expected dd/mm/yyyy, yyyy-mm-dd or a year); nothing was imported"
    ]
    assert database_dump(hg_engine) == before


# -- text no database should store ----------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_nul_bytes_in_text(hg_engine: Engine, tmp_path: Path, kind: str) -> None:
    """SQLite would store it; PostgreSQL refuses it in text columns."""
    rows = with_cell(kind, TEXT_COLUMN[kind], "Phòng\x00máy")
    line = refused(hg_engine, write(tmp_path / "f.csv", csv_bytes(rows)), "import", kind)
    header = VALID[kind][0][TEXT_COLUMN[kind]]
    assert line == (
        f"error: f.csv: row 2, column '{header}', value 'Phòng\\x00máy': contains a NUL "
        "character (byte 0); nothing was imported"
    )


def test_a_created_agency_is_held_to_the_agency_limits(hg_engine: Engine, tmp_path: Path) -> None:
    """PostgreSQL enforces Agency.name's 200 characters; SQLite would store anything."""
    rows = with_cell("computers", 2, "Ban " + "x" * 300)
    path = write(tmp_path / "may.csv", csv_bytes(rows))
    line = refused(hg_engine, path, "import", "computers", "--create-agencies", "--unit", "02")
    assert "row 2, column 'Cơ quan', value 'Ban xxx" in line
    assert line.endswith("longer than 200 characters; nothing was imported")


# -- cells that would be dropped without a word ---------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_value_right_of_the_header(hg_engine: Engine, tmp_path: Path, kind: str) -> None:
    rows = [list(r) for r in VALID[kind]]
    rows[2] += ["", "lạc chỗ"]
    letter = "ABCDEFGHIJ"[len(VALID[kind][0]) + 1]
    line = refused(hg_engine, write(tmp_path / "f.csv", csv_bytes(rows)), "import", kind)
    assert line == (
        f"error: f.csv: row 3, column '{letter}', value 'lạc chỗ': a value in a column without "
        "a header: give the column a header or clear the cell; nothing was imported"
    )


def test_a_value_under_a_blank_header(hg_engine: Engine, tmp_path: Path) -> None:
    rows = [list(r) for r in VALID["computers"]]
    rows[0][1] = None  # "Loại máy" left blank above its values
    path = write(tmp_path / "may.xlsx", xlsx_bytes(rows))
    line = refused(hg_engine, path, "import", "computers")
    assert line == (
        "error: may.xlsx [Sheet1]: 2 bad rows (2 problems), first: row 2, column 'B', value "
        "'Máy bàn': a value in a column without a header: give the column a header or clear "
        "the cell; nothing was imported"
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_header_without_data_rows(
    hg_engine: Engine, tmp_path: Path, kind: str, suffix: str
) -> None:
    rows = [["DANH SÁCH"], VALID[kind][0]]
    data = csv_bytes(rows) if suffix == ".csv" else xlsx_bytes(rows)
    path = write(tmp_path / f"f{suffix}", data)
    line = refused(hg_engine, path, "import", kind)
    sheet = " [Sheet1]" if suffix == ".xlsx" else ""
    assert line == f"error: f{suffix}{sheet}: no data rows below the header (row 2)"


# -- workbooks with dangerous or damaged XML ------------------------------------------------


@pytest.mark.parametrize(
    "xml, message",
    [
        (
            UNDEFINED_ENTITY,
            "error: may.xlsx: damaged XML inside the workbook (undefined entity: line 2, column",
        ),
        (
            BILLION_LAUGHS,
            "error: may.xlsx: the workbook's XML declares entities, which Excel never writes; "
            "refused (EntitiesForbidden)",
        ),
        (
            EXTERNAL_ENTITY,
            "error: may.xlsx: the workbook's XML declares entities, which Excel never writes; "
            "refused (EntitiesForbidden)",
        ),
        ("<sst><si><t>Mã tài", "error: may.xlsx: damaged XML inside the workbook (no element"),
        ("", "error: may.xlsx: damaged XML inside the workbook (no element found"),
    ],
)
def test_shared_strings_with_bad_xml(
    hg_engine: Engine, tmp_path: Path, xml: str, message: str
) -> None:
    data = rewrite_member(xlsx_bytes(VALID["computers"]), SHARED_STRINGS, lambda _: xml.encode())
    line = refused(hg_engine, write(tmp_path / "may.xlsx", data), "import", "computers")
    assert line.startswith(message), line


def test_entities_in_the_sheet_itself(hg_engine: Engine, tmp_path: Path) -> None:
    """The sheet is parsed while its rows are read, after the workbook opened."""

    def change(xml: bytes) -> bytes:
        return b'<!DOCTYPE worksheet [<!ENTITY a "aaaa">]>' + xml

    data = rewrite_member(xlsx_bytes(VALID["computers"]), "xl/worksheets/sheet1.xml", change)
    line = refused(hg_engine, write(tmp_path / "may.xlsx", data), "import", "computers")
    assert line.startswith("error: may.xlsx: the workbook's XML declares entities"), line


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9, 0.999])
def test_a_truncated_workbook(hg_engine: Engine, tmp_path: Path, keep: float) -> None:
    data = xlsx_bytes(VALID["points"])
    path = write(tmp_path / "diem.xlsx", data[: int(len(data) * keep)])
    line = refused(hg_engine, path, "import", "points")
    assert line.startswith(
        "error: cannot open diem.xlsx as an Excel .xlsx workbook: a damaged or truncated file ("
    ) or line.startswith("error: diem.xlsx: "), line


def test_a_workbook_without_its_shared_strings(hg_engine: Engine, tmp_path: Path) -> None:
    data = rewrite_member(xlsx_bytes(VALID["points"]), SHARED_STRINGS, None)
    line = refused(hg_engine, write(tmp_path / "diem.xlsx", data), "import", "points")
    assert "sharedStrings.xml" in line


def test_a_sheet_claiming_a_million_rows_and_every_column(
    hg_engine: Engine, tmp_path: Path
) -> None:
    """A dimension of A1:XFD1048576 once meant 17 billion empty cells to look at."""

    def change(xml: bytes) -> bytes:
        start = xml.index(b"<dimension ref=")
        end = xml.index(b"/>", start)
        return xml[:start] + b'<dimension ref="A1:XFD1048576"' + xml[end:]

    data = rewrite_member(xlsx_bytes(VALID["points"]), "xl/worksheets/sheet1.xml", change)
    result = invoke("import", "points", str(write(tmp_path / "diem.xlsx", data)))
    assert result.exit_code == 0, result.output
    assert "new 2, updated 0, unchanged 0" in result.output


# -- the report of a broken sheet stays readable --------------------------------------------


def test_the_bad_row_report_is_capped(hg_engine: Engine, tmp_path: Path) -> None:
    header = VALID["computers"][0]
    rows = [header] + [[f"B-{n}", "bàn là"] + [None] * (len(header) - 2) for n in range(2500)]
    before = database_dump(hg_engine)
    result = invoke("import", "computers", str(write(tmp_path / "may.csv", csv_bytes(rows))))
    assert result.exit_code == 2
    problems = [line for line in result.stdout.splitlines() if line.startswith("  row ")]
    assert len(problems) == MAX_LISTED_ERRORS
    assert problems[0].startswith("  row 2, column 'Loại máy', value 'bàn là': unknown kind")
    assert problems[-1].startswith(f"  row {MAX_LISTED_ERRORS + 1}, ")
    assert "  ... and 1,500 more problems" in result.stdout
    assert "2500 bad rows (2500 problems); nothing was imported:" in result.stdout
    assert result.stderr.splitlines() == [
        "error: may.csv: 2500 bad rows (2500 problems), first: row 2, column 'Loại máy', "
        "value 'bàn là': unknown kind (máy bàn/PC/desktop, máy xách tay/laptop, máy chủ/server);"
        " nothing was imported"
    ]
    assert len(result.output) < 200_000
    assert database_dump(hg_engine) == before


def test_a_header_of_thousands_of_unknown_columns(hg_engine: Engine, tmp_path: Path) -> None:
    header = [f"Cột {n} " + "x" * 100 for n in range(5000)]
    path = write(tmp_path / "rac.csv", csv_bytes([header, ["1"] * 5000]))
    line = refused(hg_engine, path, "import", "points")
    assert line.startswith(
        "error: rac.csv: required column code (Mã điểm) is missing (header row 1); "
        "columns found: 'Cột 0 xxx"
    )
    assert line.endswith("xxx…' and 4970 more")
    assert len(line) < 3000


def test_a_file_name_with_a_line_break_still_gives_one_line(
    hg_engine: Engine, tmp_path: Path
) -> None:
    path = write(tmp_path / "may\ntính.csv", to_cp1258(csv_bytes(VALID["computers"])) + b"\x81")
    result = invoke("import", "computers", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: may tính.csv: line 4: byte 0x81 (at byte {path.stat().st_size - 1}) is neither "
        'UTF-8 nor Windows-1258 text: save the file as "CSV UTF-8"'
    ]


def test_a_huge_cell_is_quoted_short(hg_engine: Engine, tmp_path: Path) -> None:
    rows = with_cell("computers", 1, "máy " * 20_000)
    line = refused(hg_engine, write(tmp_path / "may.csv", csv_bytes(rows)), "import", "computers")
    assert len(line) < 500
    assert "value 'máy máy" in line and "…'" in line


# -- boundaries ---------------------------------------------------------------------------------


def _district_file(geometry: object) -> str:
    feature = {"type": "Feature", "properties": {"ma_huyen": "026"}, "geometry": geometry}
    return json.dumps({"type": "FeatureCollection", "features": [feature]})


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("cut.geojson", _district_file(None)[:60], "cannot read as a vector file"),
        (
            "far.geojson",
            _district_file(
                {
                    "type": "Polygon",
                    "coordinates": [[[105, 23], [1e300, 23], [105, 23.1], [105, 23]]],
                }
            ),
            "feature 1 has coordinates that are not longitude/latitude",
        ),
        (
            "nan.geojson",
            _district_file(None).replace(
                "null",
                '{"type": "Polygon", "coordinates": '
                "[[[105, 23], [NaN, 23], [105, 23.1], [105, 23]]]}",
            ),
            "feature 1 has coordinates that are not longitude/latitude",
        ),
        ("laughs.kml", BILLION_LAUGHS.replace("sst", "kml"), "cannot read as a vector file"),
        ("noise.zip", bytes(range(256)) * 8, "cannot read as a vector file"),
        ("noise.shp", bytes(range(255, -1, -1)) * 8, "cannot read as a vector file"),
    ],
)
def test_hostile_boundary_files(
    hg_engine: Engine, tmp_path: Path, name: str, data: str | bytes, message: str
) -> None:
    line = refused(hg_engine, write(tmp_path / name, data), "boundaries", "import")
    assert message in line


# -- the Data page ------------------------------------------------------------------------------


SPREADSHEETS = (0, "data_import")  # the Data page's uploader and button for each kind of file
BOUNDARIES = (1, "data_boundary_import")


@pytest.mark.usefixtures("editor_password")
@pytest.mark.parametrize(
    "target, name, data, message",
    [
        (
            SPREADSHEETS,
            "may.xlsx",
            rewrite_member(
                xlsx_bytes(VALID["computers"]), SHARED_STRINGS, lambda _: BILLION_LAUGHS.encode()
            ),
            "declares entities",
        ),
        (
            SPREADSHEETS,
            "may.csv",
            b"\xff\xfe" + csv_bytes(VALID["computers"]).encode("utf-16-le")[:-1],
            "not valid UTF-16 text",
        ),
        (
            SPREADSHEETS,
            "may.csv",
            to_cp1258(csv_bytes(VALID["computers"])) + b"\x81",
            "neither UTF-8 nor Windows-1258",
        ),
        (
            BOUNDARIES,
            "huyen.geojson",
            _district_file(
                {
                    "type": "Polygon",
                    "coordinates": [[[105, 23], [1e300, 23], [105, 23.1], [105, 23]]],
                }
            ),
            "feature 1 has coordinates that are not longitude/latitude",
        ),
        (
            BOUNDARIES,
            "huyen.kml",
            BILLION_LAUGHS.replace("sst", "kml"),
            "cannot read as a vector file",
        ),
    ],
)
def test_the_data_page_shows_an_error_not_an_exception(
    hg_engine: Engine, target: tuple[int, str], name: str, data: str | bytes, message: str
) -> None:
    uploader, button = target
    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    app.switch_page("dashboard/pages/data.py")
    app.run()
    app.text_input(key="editor_password").set_value(EDITOR_PASSWORD)
    app.get("form_submit_button")[0].click().run()
    before = database_dump(hg_engine)
    raw = data.encode() if isinstance(data, str) else data
    app.get("file_uploader")[uploader].set_value((name, raw, "application/octet-stream"))
    app.run()
    app.button(key=button).click().run()
    assert not app.exception, [e.message for e in app.exception]
    # The page escapes Markdown in messages: compare what a person reads.
    errors = [markdown_shown(e.value)[0] for e in app.error]
    assert len(errors) == 1 and name in errors[0] and message in errors[0], errors
    assert database_dump(hg_engine) == before
