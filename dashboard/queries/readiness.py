"""The readiness table the pages show: the units of the deployment's province, ranked among
themselves (a database shared by several provinces holds the others too); None while the
lifecycle policy module is missing (pages then say the indicators cannot be computed)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlmodel import Session

from inventory.models import AdminUnit
from inventory.settings import get_settings
from readiness.table import readiness_table

POLICY_MODULE = "readiness.lifecycle_view"


def readiness_or_none(session: Session, *, level: str, at: date) -> pd.DataFrame | None:
    """The table for `level` within the configured province (all units while that province
    is not loaded yet)."""
    province = get_settings().province_code
    within = province if session.get(AdminUnit, province) is not None else None
    try:
        return readiness_table(session, level=level, at=at, within=within)
    except ModuleNotFoundError as exc:
        if exc.name != POLICY_MODULE:
            raise
        return None
