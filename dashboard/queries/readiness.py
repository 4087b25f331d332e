"""The readiness table the pages show: the units of the deployment's province, ranked among
themselves (a database shared by several provinces holds the others too)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlmodel import Session

from inventory.models import AdminUnit
from inventory.settings import get_settings
from readiness.table import readiness_table


def province_readiness(session: Session, *, level: str, at: date) -> pd.DataFrame:
    """The table for `level` within the configured province (all units while that province
    is not loaded yet)."""
    province = get_settings().province_code
    within = province if session.get(AdminUnit, province) is not None else None
    return readiness_table(session, level=level, at=at, within=within)
