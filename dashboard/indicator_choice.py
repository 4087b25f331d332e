"""The indicator a map or table shows: its label and unit, and each unit's value and rank."""

from __future__ import annotations

import pandas as pd

from dashboard.i18n import indicator_label, tr
from dashboard.map_build import MapIndicator
from readiness.indicators.catalog import INDICATORS

INDEX = "index"
CHOICES = [INDEX, *INDICATORS]


def map_indicator(key: str, lang: str, compare: tuple[str, str] | None = None) -> MapIndicator:
    """The indicator `key`; with `compare` (the two dates as shown), its change between them."""
    label = indicator_label(key, lang)
    if compare is not None:
        label = tr("change_of", lang, label=label)
    if key == INDEX:
        return MapIndicator(INDEX, label, "index", True, compare)
    indicator = INDICATORS[key]
    return MapIndicator(key, label, indicator.unit, indicator.higher_is_better, compare)


def _has_data(table: pd.DataFrame, keys: list[str], suffixes: tuple[str, ...] = ("",)) -> pd.Series:
    """Per unit, whether any of these indicators is known: a ratio, or a count above zero
    (a unit with no agency or point of its own counts 0 connection points, a fact that says
    nothing about it)."""
    known = pd.Series(False, index=table.index)
    for key in keys:
        for suffix in suffixes:
            values = table[f"{key}{suffix}"].astype(float)
            if INDICATORS[key].unit == "count":
                known |= values.fillna(0) > 0
            else:
                known |= values.notna()
    return known


def indicator_values(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """code, name, value, rank (1 = best; the index keeps its own rank, ties share the
    best), has_data."""
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
            "has_data": _has_data(table, list(INDICATORS)),
        }
    )


def change_values(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """From `readiness.compare`'s table: code, name, value (the change), value_from,
    value_to, rank (1 = the best change), has_data (at either date)."""
    change = table[f"{key}_change"].astype(float)
    higher_is_better = True if key == INDEX else INDICATORS[key].higher_is_better
    return pd.DataFrame(
        {
            "code": table["code"],
            "name": table["name"],
            "value": change,
            "value_from": table[f"{key}_from"].astype(float),
            "value_to": table[f"{key}_to"].astype(float),
            "rank": change.rank(ascending=not higher_is_better, method="min").astype("Int64"),
            "has_data": _has_data(table, list(INDICATORS), ("_from", "_to")),
        }
    )
