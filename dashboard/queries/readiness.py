"""The readiness table the pages show: the units of the deployment's province, ranked among
themselves (a database shared by several provinces holds the others too)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlmodel import Session

from inventory.models import AdminUnit
from inventory.settings import get_settings
from readiness.table import readiness_table


def province_within(session: Session) -> str | None:
    """The configured province's unit key, or None (all units) while it is not loaded yet.
    At a date of the other era it stands for the province(s) holding its territory then."""
    province = get_settings().province_code
    return province if session.get(AdminUnit, province) is not None else None


def province_readiness(session: Session, *, level: str, at: date) -> pd.DataFrame:
    """The table for `level` at `at` (the structure valid that day) within the configured
    province."""
    return readiness_table(session, level=level, at=at, within=province_within(session))
