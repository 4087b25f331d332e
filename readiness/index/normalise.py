"""Normalisation of one indicator across the units compared, to 0..1 where 1 is best.

Elementwise work in numpy: a table has a few dozen values, so pandas' per-call overhead
would cost more than the arithmetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from readiness.index.config import IndicatorWeight


def goalpost(values: pd.Series, target: float, higher_is_better: bool) -> pd.Series:
    v = values.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if higher_is_better:
            score = np.minimum(v / target, 1.0)  # NaN (no data) stays NaN
        else:
            # Lower is better: at or below the target scores 1; twice the target scores 0.5.
            score = np.where(v > 0, np.minimum(target / v, 1.0), 1.0)
            score[np.isnan(v)] = np.nan
    return pd.Series(score, index=values.index)


def minmax(values: pd.Series, higher_is_better: bool) -> pd.Series:
    v = values.to_numpy(dtype=float)
    present = v[~np.isnan(v)]
    if not len(present) or present.min() == present.max():
        return pd.Series(np.where(np.isnan(v), np.nan, 1.0), index=values.index)
    low, high = present.min(), present.max()
    scaled = (v - low) / (high - low)
    return pd.Series(scaled if higher_is_better else 1.0 - scaled, index=values.index)


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
