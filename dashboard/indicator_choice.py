"""The indicator a map or table shows: its label and unit, and each unit's value and rank."""

from __future__ import annotations

import pandas as pd

from dashboard.i18n import indicator_label
from dashboard.map_build import MapIndicator
from readiness.indicators.catalog import INDICATORS

INDEX = "index"
CHOICES = [INDEX, *INDICATORS]


def map_indicator(key: str, lang: str) -> MapIndicator:
    if key == INDEX:
        return MapIndicator(INDEX, indicator_label(INDEX, lang), "index", True)
    indicator = INDICATORS[key]
    return MapIndicator(key, indicator_label(key, lang), indicator.unit, indicator.higher_is_better)


def indicator_values(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """code, value, rank (1 = best; the index keeps its own rank, ties share the best)."""
    values = table[key].astype(float)
    if key == INDEX:
        rank = table["rank"]
    else:
        rank = values.rank(ascending=not INDICATORS[key].higher_is_better, method="min")
    return pd.DataFrame(
        {
            "code": table["code"],
            "name": table["name"],
            "value": values,
            "rank": rank.astype("Int64"),
        }
    )
