"""The plan as an Excel workbook: a summary sheet, then one sheet per year (Vietnamese)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inventory.lifecycle.plan import Plan, PlanItem
from inventory.lifecycle.plan_output import budget_note_vi
from inventory.spreadsheet_text import append_row, xlsx_file

KIND_VI = {"desktop": "Máy bàn", "laptop": "Máy xách tay", "server": "Máy chủ", "other": "Khác"}
YEAR_HEADERS = [
    "STT",
    "Hình thức",
    "Mã tài sản",
    "Cơ quan",
    "Mã cơ quan",
    "Huyện/Thành phố",
    "Loại máy",
    "Hệ điều hành",
    "Năm mua",
    "Lý do",
    "Kinh phí (VNĐ)",
    "Ghi chú",
]
SUMMARY_HEADERS = [
    "Năm",
    "Số máy thay thế",
    "Số máy mua mới",
    "Tổng số máy",
    "Kinh phí (VNĐ)",
    "Chuyển sang năm sau (máy)",
    "Chuyển sang năm sau (VNĐ)",
]


def _note(item: PlanItem) -> str:
    notes = []
    if item.overdue:
        notes.append("Quá hạn từ trước kỳ kế hoạch")
    if item.carried:
        notes.append(f"Chuyển từ năm {item.planned_for} (không đủ kinh phí)")
    return "; ".join(notes)


def write_plan_xlsx(plan: Plan, path: Path) -> None:
    with xlsx_file(path) as workbook:
        _fill(workbook, plan)


def _fill(workbook: Any, plan: Plan) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)

    def header(sheet: Any, names: list[str]) -> list[Any]:
        cells = []
        for name in names:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            cells.append(cell)
        return cells

    last = plan.start + plan.years - 1
    summary = workbook.create_sheet("Tổng hợp")
    append_row(
        summary, [WriteOnlyCell(summary, value=f"KẾ HOẠCH THAY THẾ MÁY TÍNH {plan.start}-{last}")]
    )
    area = "Huyện" if plan.grouping == "district" else "Xã/Phường"
    append_row(summary, ["Địa bàn", f"{area} {plan.district}" if plan.district else "Toàn tỉnh"])
    append_row(summary, ["Kinh phí tối đa mỗi năm (VNĐ)", plan.budget or "Không giới hạn"])
    append_row(summary, ["Cách phân bổ", budget_note_vi(plan)])
    append_row(summary, ["Số máy đang quản lý (trừ máy thanh lý)", plan.computers])
    append_row(summary, ["Số máy không rõ năm mua (tuổi máy không rõ)", plan.age_unknown])
    append_row(summary, ["Số máy cần nâng cấp HĐH (nâng cấp được)", plan.os_upgrade_needed])
    append_row(summary, [f"Số máy đến hạn sau {last}", plan.later])
    append_row(summary, [])
    append_row(summary, header(summary, SUMMARY_HEADERS))
    for y in plan.plan_years:
        append_row(
            summary,
            [
                y.year,
                y.totals.replace,
                y.totals.new,
                y.totals.count,
                y.totals.cost,
                len(y.moved_on),
                sum(i.cost for i in y.moved_on),
            ],
        )
    t = plan.total
    append_row(summary, ["Tổng", t.replace, t.new, t.count, t.cost])
    if plan.unfunded:
        append_row(
            summary,
            [
                f"Chưa bố trí được kinh phí sau năm {last}",
                len(plan.unfunded),
                sum(i.cost for i in plan.unfunded),
            ],
        )
    if plan.too_dear:
        append_row(
            summary,
            [
                "Vượt kinh phí cả năm (không thể bố trí)",
                len(plan.too_dear),
                sum(i.cost for i in plan.too_dear),
            ],
        )
    append_row(summary, [])
    years = [y.year for y in plan.plan_years]
    append_row(
        summary,
        header(
            summary,
            ["Mã", "Huyện/Thành phố" if plan.grouping == "district" else "Xã/Phường"]
            + [f"{y} ({w})" for y in years for w in ("số máy", "VNĐ")],
        ),
    )
    districts = sorted({code for y in plan.plan_years for code in y.by_district})
    for code in districts:
        row: list[Any] = [code, plan.district_names.get(code, code)]
        for y in plan.plan_years:
            d = y.by_district.get(code)
            row += [d.count if d else 0, d.cost if d else 0]
        append_row(summary, row)

    for y in plan.plan_years:
        sheet = workbook.create_sheet(f"Năm {y.year}")
        append_row(sheet, header(sheet, YEAR_HEADERS))
        for n, item in enumerate(y.items, start=1):
            append_row(
                sheet,
                [
                    n,
                    "Mua mới" if item.action == "new" else "Thay thế",
                    item.asset_tag,
                    item.agency.name,
                    item.agency.code,
                    plan.district_names.get(item.agency.district, item.agency.district),
                    KIND_VI[item.kind.value],
                    item.os,
                    item.purchase_year,
                    "; ".join(item.details),
                    item.cost,
                    _note(item),
                ],
            )
        append_row(
            sheet, ["Tổng", None, None, None, None, None, None, None, None, None, y.totals.cost]
        )
        if y.moved_on:
            append_row(
                sheet,
                [
                    f"Không đủ kinh phí: {len(y.moved_on)} máy "
                    f"({sum(i.cost for i in y.moved_on):,} VNĐ) chuyển sang năm {y.year + 1}"
                ],
            )
        append_row(sheet, [])
        append_row(
            sheet, header(sheet, ["Cơ quan", "Mã cơ quan", "Thay thế", "Mua mới", "Kinh phí (VNĐ)"])
        )
        agencies = {i.agency.id: i.agency for i in y.items}
        for agency in sorted(agencies.values(), key=lambda a: (a.district, a.name)):
            a = y.by_agency[agency.id]
            append_row(sheet, [agency.name, agency.code, a.replace, a.new, a.cost])
