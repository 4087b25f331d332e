"""Reading files: encodings, separators, workbooks, header rows and column aliases."""

from pathlib import Path

import pytest

from inventory.errors import IctrError
from inventory.importing.columns import COLUMNS, alias_index, match_header
from inventory.importing.readers import read_table
from tests.import_fixtures import to_cp1258, write_csv, write_xlsx

ROWS = [["Mã tài sản", "Đơn vị sử dụng", "Ghi chú"], ["HG-1", "UBND xã Lũng Cú", "Đồng Văn"]]


@pytest.mark.parametrize(
    "encoding, delimiter",
    [("utf-8", ","), ("utf-8-sig", ","), ("cp1258", ","), ("utf-8", ";"), ("cp1258", ";")],
)
def test_csv_encodings_and_separators(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = write_csv(tmp_path / "f.csv", ROWS, encoding=encoding, delimiter=delimiter)
    table = read_table(path)
    assert table.rows == ROWS  # NFC text whatever the encoding
    assert table.delimiter == delimiter
    assert table.encoding == encoding


def test_cp1258_files_really_hold_combining_marks(tmp_path: Path) -> None:
    raw = to_cp1258("Lũng Cú")
    assert raw.decode("cp1258") != "Lũng Cú"  # the codec gives base letter + tone mark
    path = tmp_path / "f.csv"
    path.write_bytes(to_cp1258("Mã tài sản,Ghi chú\r\nA1,Lũng Cú\r\n"))
    assert read_table(path).rows[1] == ["A1", "Lũng Cú"]


def test_row_numbers_are_those_excel_shows(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text('Mã tài sản,Ghi chú\n\nA1,"two\nlines"\nA2,x\n', encoding="utf-8")
    table = read_table(path)
    assert table.row_numbers == [1, 3, 4]
    assert table.rows[1] == ["A1", "two\nlines"]


def test_xlsx_first_sheet_or_named_sheet(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "f.xlsx",
        {"Máy tính": ROWS, "Khác": [["Mã tài sản"], ["OTHER-1"]]},
    )
    assert read_table(path).rows == ROWS
    assert read_table(path, "Khác").rows == [["Mã tài sản"], ["OTHER-1"]]
    with pytest.raises(IctrError, match="has no sheet 'Nope'; sheets: 'Máy tính', 'Khác'"):
        read_table(path, "Nope")


def test_other_formats_are_refused_clearly(tmp_path: Path) -> None:
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(IctrError, match="old Excel .xls format; save it as .xlsx or CSV"):
        read_table(old)
    with pytest.raises(IctrError, match="file not found"):
        read_table(tmp_path / "missing.csv")
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a workbook")
    with pytest.raises(IctrError, match="cannot open broken.xlsx as an Excel .xlsx workbook"):
        read_table(broken)


@pytest.mark.parametrize(
    "header, name",
    [
        ("Mã tài sản", "asset_tag"),
        ("MÃ TÀI SẢN", "asset_tag"),
        ("ma tai san", "asset_tag"),
        ("Số hiệu tài sản", "asset_tag"),
        ("Asset Tag", "asset_tag"),
        ("Mã tài sản (*)", "asset_tag"),
        ("Đơn vị sử dụng", "agency"),
        ("Cơ quan", "agency"),
        ("Agency", "agency"),
        ("Năm mua", "purchase_year"),
        ("Ngày mua", "purchase_date"),
        ("Purchase Date", "purchase_date"),
        ("Hệ điều hành", "os"),
        ("OS", "os"),
        ("Kết nối Internet", "internet"),
        ("Loại máy", "kind"),
        ("Nguyên giá (VNĐ)", "purchase_cost"),
        ("Giá mua", "purchase_cost"),
        ("RAM (GB)", "ram_gb"),
        ("Bộ vi xử lý", "cpu"),
        ("Tình trạng", "status"),
        ("Ghi chú", "notes"),
        ("Số serial", "serial"),
        ("Hãng sản xuất", "manufacturer"),
    ],
)
def test_computer_header_aliases(header: str, name: str) -> None:
    match = match_header("computers", ["Mã TS" if name != "asset_tag" else "x", header], 1)
    assert match.positions[name] == 1


def test_alias_tables_have_no_clashes() -> None:
    for entity, columns in COLUMNS.items():
        index = alias_index(columns)  # raises on an alias claimed twice
        assert {c.name for c in columns} <= set(index.values()), entity


def test_unknown_columns_are_reported_as_ignored() -> None:
    match = match_header("computers", ["STT", "Mã tài sản", "Phòng", ""], 1)
    assert match.ignored == ["STT", "Phòng"]


def test_missing_required_column_names_the_columns_found() -> None:
    with pytest.raises(IctrError) as exc:
        match_header("computers", ["STT", "Tên máy", "Phòng"], 3, source="may.csv")
    assert str(exc.value) == (
        "may.csv: required column asset_tag (Mã tài sản) is missing (header row 3); "
        "columns found: 'STT', 'Tên máy', 'Phòng'"
    )


def test_two_columns_for_one_field_are_refused() -> None:
    with pytest.raises(IctrError, match="columns 'Mã tài sản' and 'Asset Tag' both give asset_tag"):
        match_header("computers", ["Mã tài sản", "Asset Tag"], 1, source="f.csv")


def test_the_documentation_lists_every_alias() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "import.md").read_text()
    for entity, columns in COLUMNS.items():
        for column in columns:
            for alias in (column.label, *column.aliases):
                assert alias in doc, f"{entity}.{column.name}: {alias!r} missing in docs"
