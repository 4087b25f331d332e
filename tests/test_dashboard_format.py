"""Numbers the Vietnamese way (1.234,5), English the English way, and every text in both."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pandas as pd
import pytest

from dashboard.computer_filter import filter_computers
from dashboard.i18n import TEXTS, column_label, indicator_label, tr
from dashboard.number_format import format_number, format_value, style_numbers
from readiness.indicators.catalog import INDICATORS

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard"


@pytest.mark.parametrize(
    ("value", "decimals", "vi", "en"),
    [
        (1234.5, 1, "1.234,5", "1,234.5"),
        (1234567, 0, "1.234.567", "1,234,567"),
        (0.4444, 3, "0,444", "0.444"),
        (-0.01, 1, "0,0", "0.0"),  # no "-0,0"
        (-1234.56, 2, "-1.234,56", "-1,234.56"),
        (104.06, 1, "104,1", "104.1"),
    ],
)
def test_format_number(value: float, decimals: int, vi: str, en: str) -> None:
    assert format_number(value, decimals=decimals, lang="vi") == vi
    assert format_number(value, decimals=decimals, lang="en") == en


@pytest.mark.parametrize("missing", [None, math.nan, pd.NA, pd.NaT])
def test_missing_is_never_zero(missing: object) -> None:
    assert format_number(missing, lang="vi") == "không có dữ liệu"
    assert format_value(missing, "%", lang="en") == "no data"


def test_format_value_units() -> None:
    assert format_value(91.137, "%", lang="vi") == "91,1%"
    assert format_value(4.25, "years", lang="vi") == "4,2 năm"
    assert format_value(4.25, "years", lang="en") == "4.2 years"
    assert format_value(12.345, "ms", lang="vi") == "12,3 ms"
    assert format_value(1.2345, "ratio", lang="vi") == "1,23"
    assert format_value(9045, "count", lang="vi") == "9.045"


def test_tables_display_vietnamese_numbers_but_keep_values() -> None:
    frame = pd.DataFrame({"Máy tính": [1234.0, 5.0], "Tỷ lệ": [91.137, math.nan]})
    styler = style_numbers(frame, {"Máy tính": 0, "Tỷ lệ": 1}, lang="vi")
    html = styler.to_html()
    assert "1.234" in html and "91,1" in html and "không có dữ liệu" in html
    assert styler.data["Máy tính"].tolist() == [1234.0, 5.0]  # still numbers: sorts right


def test_every_text_has_both_languages() -> None:
    for key, (vi, en) in TEXTS.items():
        assert vi.strip() and en.strip(), key
        assert vi != en or key in {"editor"}, key


def _text_keys_used() -> set[str]:
    """Keys passed literally to tr(key, ...) or t(key, ...) anywhere in the dashboard."""
    used = set()
    for path in DASHBOARD.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name | ast.Attribute)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("t", "tr")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                used.add(node.args[0].value)
    return used


def test_every_text_the_pages_ask_for_exists() -> None:
    used = _text_keys_used()
    assert len(used) > 50
    assert used - set(TEXTS) == set()
    assert tr("rank_of", "vi", rank=2, total=11) == "2/11"
    assert tr("rank_of", "en", rank=2, total=11) == "2 of 11"


def test_indicator_and_column_labels_follow_the_catalogue() -> None:
    for key, indicator in INDICATORS.items():
        assert indicator_label(key, "vi") == indicator.label_vi
        assert indicator_label(key, "en") == indicator.label_en
    assert column_label("asset_tag", "vi") == "Mã tài sản"
    assert column_label("not_a_column", "en") == "not_a_column"


def test_search_ignores_case_and_diacritics() -> None:
    frame = pd.DataFrame(
        {
            "asset_tag": ["HG-001", "HG-002", "HG-003"],
            "agency_name": ["UBND xã Lũng Cú", "Sở Tài chính", "UBND huyện Đồng Văn"],
            "manufacturer": ["Dell", "HP", None],
            "model": ["OptiPlex 3080", "ProDesk", "Vostro"],
            "os": ["Windows 10", "Windows 7", "Windows 11"],
            "unit_name": ["Xã Lũng Cú", "Phường Quang Trung", "Huyện Đồng Văn"],
            "notes": [None, None, None],
            "district_code": ["026", "024", "026"],
            "status": ["in_use", "broken", "in_use"],
            "kind": ["desktop", "desktop", "laptop"],
        }
    )
    assert filter_computers(frame, search="lung cu")["asset_tag"].tolist() == ["HG-001"]
    assert filter_computers(frame, search="ĐỒNG  văn")["asset_tag"].tolist() == ["HG-003"]
    assert filter_computers(frame, search="windows 1")["asset_tag"].tolist() == ["HG-001", "HG-003"]
    assert filter_computers(frame, search="dell 3080")["asset_tag"].tolist() == ["HG-001"]
    assert filter_computers(frame, district="026", kinds=["laptop"])["asset_tag"].tolist() == [
        "HG-003"
    ]
    assert filter_computers(frame, statuses=["broken"])["asset_tag"].tolist() == ["HG-002"]
    assert len(filter_computers(frame, search="không có")) == 0
