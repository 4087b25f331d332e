"""Normalisation of one indicator across the units compared, to 0..1 where 1 is best."""

from __future__ import annotations

import pandas as pd

from readiness.index.config import IndicatorWeight


def goalpost(values: pd.Series, target: float, higher_is_better: bool) -> pd.Series:
    if higher_is_better:
        return (values / target).clip(upper=1.0)
    # Lower is better: at or below the target scores 1; twice the target scores 0.5.
    return (
        (target / values.where(values > 0))
        .clip(upper=1.0)
        .where(values > 0, 1.0)
        .where(values.notna())
    )


def minmax(values: pd.Series, higher_is_better: bool) -> pd.Series:
    low, high = values.min(), values.max()
    if pd.isna(low) or high == low:
        return values.where(values.isna(), 1.0)
    scaled = (values - low) / (high - low)
    return scaled if higher_is_better else 1.0 - scaled


def zscore(values: pd.Series, higher_is_better: bool) -> pd.Series:
    std = values.std(ddof=0)
    if pd.isna(std) or std == 0:
        return values.where(values.isna(), 0.0)
    z = (values - values.mean()) / std
    return z if higher_is_better else -z


def normalise(values: pd.Series, spec: IndicatorWeight, higher_is_better: bool) -> pd.Series:
    if spec.method == "goalpost":
        assert spec.target is not None
        return goalpost(values, spec.target, higher_is_better)
    if spec.method == "minmax":
        return minmax(values, higher_is_better)
    return zscore(values, higher_is_better)
