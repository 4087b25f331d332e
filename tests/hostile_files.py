"""Hostile files for the import tests: valid spreadsheets of each kind, and ways to break them
(wrong encodings, damaged zips, dangerous XML, values no column can hold). A fingerprint of
the whole database shows that a refused file changed nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

import openpyxl
from sqlalchemy import Engine, select
from sqlmodel import SQLModel

import inventory.models  # noqa: F401 (registers every table in the metadata)

# Valid files of each kind for the database of `hg_engine` (Hà Giang's units, five agencies).
VALID: dict[str, list[list[Any]]] = {
    "computers": [
        ["Mã tài sản", "Loại máy", "Cơ quan", "Năm mua", "Nguyên giá (VND)", "RAM (GB)", "Ghi chú"],
        ["HF-1", "Máy bàn", "STTTT", 2020, 15000000, 8, "Phòng máy chủ"],
        ["HF-2", "Laptop", "H026", 2021, 21000000, 16, "Đồng Văn"],
    ],
    "agencies": [
        ["Mã cơ quan", "Tên cơ quan", "Mã ĐVHC", "Số CBCCVC", "Số người ký số"],
        ["HFA1", "Trường THCS Lũng Cú", "00715", 31, 5],
        ["HFA2", "Trung tâm Y tế huyện Đồng Văn", "026", 87, 9],
    ],
    "points": [
        ["Mã điểm", "Tên điểm", "Cơ quan", "Địa chỉ IP", "Vĩ độ", "Kinh độ", "Băng thông (Mbps)"],
        ["HFP1", "Điểm Sở Thông tin", "STTTT", "127.0.0.9", 22.8231, 104.9836, 100],
        ["HFP2", "Điểm UBND huyện Đồng Văn", "H026", "127.0.0.10", 23.2755, 105.3609, 40],
    ],
}
# Per kind: the position of a number column and of a text column in VALID's rows.
NUMBER_COLUMN = {"computers": 4, "agencies": 3, "points": 6}
TEXT_COLUMN = {"computers": 6, "agencies": 1, "points": 1}
# The keys of VALID's rows, as the database stores them (for "imported exactly these").
KEYS = {kind: {str(row[0]) for row in rows[1:]} for kind, rows in VALID.items()}

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS = "xl/sharedStrings.xml"
SHEET = "xl/worksheets/sheet1.xml"

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE sst [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + f']>\n<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)
UNDEFINED_ENTITY = (
    f'<?xml version="1.0"?>\n<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1">'
    "<si><t>&nbsp;Mã tài sản</t></si></sst>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&x;</t></si></sst>'
)


def csv_bytes(rows: Sequence[Sequence[Any]], *, delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def xlsx_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    """A workbook as Excel writes it: numbers in number cells, text in the shared strings."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return with_shared_strings(out.getvalue())


def with_shared_strings(workbook: bytes) -> bytes:
    """The workbook with its text in xl/sharedStrings.xml, as Excel writes it (openpyxl
    writes each text inline in the sheet)."""
    strings: list[bytes] = []

    def shared(match: re.Match[bytes]) -> bytes:
        strings.append(match.group(2))
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), len(strings) - 1)

    def sheet(xml: bytes) -> bytes:
        inline = rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>'
        return re.sub(inline, shared, xml)

    def table(_: bytes) -> bytes:
        items = b"".join(b"<si><t>" + text + b"</t></si>" for text in strings)
        head = f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN_NS}">'
        return head.encode() + items + b"</sst>"

    def content_types(xml: bytes) -> bytes:
        return xml.replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )

    workbook = rewrite_member(workbook, SHEET, sheet)
    workbook = rewrite_member(workbook, "[Content_Types].xml", content_types)
    return rewrite_member(workbook, SHARED_STRINGS, table, add=True)


def rewrite_member(
    workbook: bytes, name: str, change: Callable[[bytes], bytes] | None, *, add: bool = False
) -> bytes:
    """The workbook with one zip member changed (or removed, when `change` is None; or
    added, with `add`)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        names = source.namelist()
        assert (name in names) != add, (name, names)
        for member in names:
            data = source.read(member)
            if member == name:
                if change is None:
                    continue
                data = change(data)
            target.writestr(member, data)
        if add and change is not None:
            target.writestr(name, change(b""))
    return out.getvalue()


def with_number_cell(workbook: bytes, cell: str, raw: str) -> bytes:
    """Write `raw` as the text of number cell `cell` (e.g. "NaN", "1E+400", 5,000 digits):
    what another program than Excel could write."""

    def change(xml: bytes) -> bytes:
        pattern = rb'(<c r="%s"[^>]*><v>)[^<]*(</v>)' % cell.encode()
        changed, count = re.subn(pattern, lambda m: m.group(1) + raw.encode() + m.group(2), xml)
        assert count == 1, cell
        return changed

    return rewrite_member(workbook, SHEET, change)


# Per kind: the first data row's number cell, as Excel names it.
NUMBER_CELL = {kind: "ABCDEFG"[column] + "2" for kind, column in NUMBER_COLUMN.items()}


def database_dump(engine: Engine) -> dict[str, str]:
    """Every table's row count and a hash of its rows: equal dumps, equal databases."""
    out: dict[str, str] = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]
            out[table.name] = f"{len(rows)} rows, {digest}"
    return out
