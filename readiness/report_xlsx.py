"""The annual ICT readiness report the province sends up: a table per level, Vietnamese headers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from inventory.spreadsheet_text import append_row
from readiness.indicators import INDICATORS

SCORE_HEADERS = {
    "pillar_infrastructure": "Điểm hạ tầng kỹ thuật",
    "pillar_human_resources": "Điểm nhân lực",
    "pillar_services": "Điểm ứng dụng, dịch vụ",
    "index": "Chỉ số sẵn sàng",
    "rank": "Xếp hạng",
}
NO_DATA = "không có dữ liệu"


def write_report(
    path: Path,
    *,
    year: int,
    at: date,
    province_name: str,
    tables: dict[str, pd.DataFrame],
    synthetic: bool,
) -> None:
    """`tables` maps a sheet title (e.g. "Cấp huyện") to a readiness table of that level."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, table in tables.items():
        sheet = workbook.create_sheet(title)
        append_row(sheet, [f"Báo cáo mức độ sẵn sàng ứng dụng CNTT năm {year} — {province_name}"])
        append_row(
            sheet,
            [
                f"Số liệu tính đến ngày {at.strftime('%d/%m/%Y')}"
                + (" — DỮ LIỆU MÔ PHỎNG (synthetic), không phải số liệu thật" if synthetic else "")
            ],
        )
        sheet["A1"].font = Font(bold=True, size=13)
        headers = ["Mã ĐVHC", "Tên đơn vị"]
        columns = list(INDICATORS) + list(SCORE_HEADERS)
        headers += [
            INDICATORS[c].label_vi if c in INDICATORS else SCORE_HEADERS[c] for c in columns
        ]
        append_row(sheet, headers)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for record in table.to_dict("records"):
            row: list[object] = [record["code"], record["name"]]
            for column in columns:
                value = record.get(column)
                row.append(
                    NO_DATA
                    if value is None or pd.isna(value)
                    else int(value)
                    if column == "rank"
                    else round(float(value), 4)
                )
            append_row(sheet, row)
        sheet.freeze_panes = "C4"
        sheet.column_dimensions["B"].width = 28
        for index in range(3, len(headers) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 16
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
