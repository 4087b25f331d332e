"""The one function the CLI and the dashboard call: indicators, pillars, index and rank."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlmodel import Session

from readiness.index import IndexConfig, load_config
from readiness.index.composite import composite_index
from readiness.indicators import INDICATORS
from readiness.indicators.by_unit import Figures, aggregate_units, long_table
from readiness.lifecycle_view import AgePolicy, age_policy_from_lifecycle


def _figures(
    session: Session, *, level: str, at: date, policy: AgePolicy | None, within: str | None
) -> Figures:
    policy = policy or age_policy_from_lifecycle()
    return aggregate_units(
        session,
        level=level,
        at=at,
        life_years=policy.life_years,
        os_supported=policy.os_supported,
        within=within,
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

    `within`: a unit code (e.g. province "02"); only the units of `level` under it, or it.
    """
    return long_table(_figures(session, level=level, at=at, policy=policy, within=within))


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

    `within`: a unit code; only the units of `level` under it (or it), normalised and ranked
    among themselves.
    """
    figures = _figures(session, level=level, at=at, policy=policy, within=within)
    values = pd.DataFrame(figures.value, columns=list(INDICATORS))
    wide = pd.concat([figures.units, values], axis=1)
    scores = composite_index(values, config or load_config())
    return pd.concat([wide, scores], axis=1)
