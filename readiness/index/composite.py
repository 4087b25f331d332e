"""Pillar scores, the composite index and rank, from a wide table of indicator values."""

from __future__ import annotations

import pandas as pd

from readiness.index.config import IndexConfig
from readiness.index.normalise import minmax, normalise
from readiness.indicators.catalog import INDICATORS


def _weighted_mean(scores: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Mean over the columns that have a value; no column with a value gives no data."""
    present = scores.notna()
    total_weight = present.mul(weights, axis=1).sum(axis=1)
    summed = scores.fillna(0).mul(weights, axis=1).sum(axis=1)
    return (summed / total_weight).where(total_weight > 0)


def composite_index(values: pd.DataFrame, config: IndexConfig) -> pd.DataFrame:
    """Columns `pillar_<name>`, `index` (0..1, no data where a pillar has none) and `rank`.

    `values` has one row per unit and one column per indicator key.
    """
    out = pd.DataFrame(index=values.index)
    for pillar, _ in config.pillars.items():
        specs = [
            s
            for s in config.indicators.values()
            if INDICATORS[s.key].pillar == pillar and s.weight > 0 and s.key in values
        ]
        direct = [s for s in specs if s.method != "zscore"]
        scores = pd.DataFrame(
            {
                s.key: normalise(values[s.key], s, INDICATORS[s.key].higher_is_better)
                for s in direct
            },
            index=values.index,
        )
        weights = pd.Series({s.key: s.weight for s in direct}, dtype=float)
        zscored = [s for s in specs if s.method == "zscore"]
        if zscored:  # EGDI style: mean of z-scores first, then min-max of that composite
            z = pd.DataFrame(
                {
                    s.key: normalise(values[s.key], s, INDICATORS[s.key].higher_is_better)
                    for s in zscored
                },
                index=values.index,
            )
            z_weights = pd.Series({s.key: s.weight for s in zscored}, dtype=float)
            scores["_zscore"] = minmax(_weighted_mean(z, z_weights), True)
            weights["_zscore"] = z_weights.sum()
        out[f"pillar_{pillar}"] = _weighted_mean(scores, weights) if len(weights) else float("nan")
    pillar_columns = [f"pillar_{p}" for p, w in config.pillars.items() if w > 0]
    pillar_weights = pd.Series({f"pillar_{p}": w for p, w in config.pillars.items() if w > 0})
    complete = out[pillar_columns].notna().all(axis=1)
    index = out[pillar_columns].mul(pillar_weights, axis=1).sum(axis=1) / pillar_weights.sum()
    out["index"] = index.where(complete)
    out["rank"] = out["index"].rank(ascending=False, method="min").astype("Int64")
    return out
