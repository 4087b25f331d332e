"""Numbers as a reader expects them: 1.234,5 in Vietnamese, 1,234.5 in English.

Missing values are never shown as 0: they read "không có dữ liệu" / "no data".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

import pandas as pd
from pandas.io.formats.style import Styler

SEPARATORS = {"vi": (".", ","), "en": (",", ".")}  # (thousands, decimal)
NO_DATA = {"vi": "không có dữ liệu", "en": "no data"}
# Decimals and suffix per indicator unit (the units of readiness/indicators/catalog.py).
UNIT_FORMATS: dict[str, tuple[int, dict[str, str]]] = {
    "%": (1, {"vi": "%", "en": "%"}),
    "years": (1, {"vi": " năm", "en": " years"}),
    "ms": (1, {"vi": " ms", "en": " ms"}),
    "ratio": (2, {"vi": "", "en": ""}),
    "count": (0, {"vi": "", "en": ""}),
    "index": (3, {"vi": "", "en": ""}),
}


def is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_number(value: object, *, decimals: int = 0, lang: str = "vi") -> str:
    """1234.5 -> '1.234,5' (vi) or '1,234.5' (en); missing -> the language's 'no data'."""
    if is_missing(value):
        return NO_DATA[lang]
    number = float(value)  # type: ignore[arg-type]
    text = f"{number:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # -0,0 reads as an error
    thousands, decimal = SEPARATORS[lang]
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def format_value(value: object, unit: str, *, lang: str = "vi") -> str:
    """An indicator value with its unit: '91,1%', '4,2 năm', '12,5 ms', '1.234'."""
    if is_missing(value):
        return NO_DATA[lang]
    decimals, suffixes = UNIT_FORMATS.get(unit, (1, {"vi": "", "en": ""}))
    return format_number(value, decimals=decimals, lang=lang) + suffixes[lang]


def style_numbers(frame: pd.DataFrame, decimals: Mapping[str, int], *, lang: str) -> Styler:
    """A table whose numeric columns display in the language's format but still sort as
    numbers (Streamlit shows a Styler's display text and sorts on the values)."""
    thousands, decimal = SEPARATORS[lang]
    styler = frame.style
    for column, places in decimals.items():
        if column in frame.columns:
            styler = styler.format(
                precision=places,
                thousands=thousands,
                decimal=decimal,
                na_rep=NO_DATA[lang],
                subset=[column],
            )
    return styler


def format_day(day: date, *, lang: str = "vi") -> str:
    """31/12/2020 in Vietnamese, 2020-12-31 in English."""
    return day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()
