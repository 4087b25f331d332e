"""The one function the CLI and the dashboard call: indicators, pillars, index and rank."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlmodel import Session

from inventory.eras import era_at
from readiness.index import IndexConfig, load_config
from readiness.index.composite import composite_index
from readiness.indicators import INDICATORS
from readiness.indicators.by_unit import Figures, aggregate_units, long_table
from readiness.lifecycle_view import AgePolicy, age_policy_from_lifecycle


def unit_figures(
    session: Session,
    *,
    level: str,
    at: date,
    policy: AgePolicy | None,
    within: str | None,
    onto: date | None = None,
) -> Figures:
    policy = policy or age_policy_from_lifecycle()
    return aggregate_units(
        session,
        level=level,
        at=at,
        life_years=policy.life_years,
        os_supported=policy.os_supported,
        within=within,
        onto=onto,
    )


def readiness_long(
    session: Session,
    *,
    level: str,
    at: date,
    policy: AgePolicy | None = None,
    within: str | None = None,
) -> pd.DataFrame:
    """The tidy table: one row per unit and indicator, with numerator and denominator.

    The units are those of the structure valid on `at` (2020's up to 2025-06-30, 2025's
    after). `within`: a unit code (e.g. province "02"); only the units of `level` under it, or
    it (a unit of the other era stands for the unit holding its territory on `at`).
    """
    return long_table(unit_figures(session, level=level, at=at, policy=policy, within=within))


def readiness_table(
    session: Session,
    *,
    level: str = "district",
    at: date,
    config: IndexConfig | None = None,
    policy: AgePolicy | None = None,
    within: str | None = None,
) -> pd.DataFrame:
    """One row per unit: code, name, every indicator (NaN = no data), pillars, index, rank.

    The units are those of the structure valid on `at`: `level="district"` after 2025-06-30
    is refused (`IctrError`), the districts having been dissolved. `within`: a unit code; only
    the units of `level` under it (or it), normalised and ranked among themselves.
    """
    figures = unit_figures(session, level=level, at=at, policy=policy, within=within)
    return wide_table(figures, config)


def wide_table(figures: Figures, config: IndexConfig | None = None) -> pd.DataFrame:
    """`Figures` as one row per unit: units, indicators, pillars, index and rank."""
    values = pd.DataFrame(figures.value, columns=list(INDICATORS))
    wide = pd.concat([figures.units, values], axis=1)
    scores = composite_index(values, config or load_config())
    return pd.concat([wide, scores], axis=1)


def default_level(at: date) -> str:
    """The level just below the province on `at`: districts in 2020, communes from 2025-07-01."""
    levels = [str(getattr(lv, "value", lv)) for lv in era_at(at).levels]
    return levels[1]
