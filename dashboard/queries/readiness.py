"""The readiness table for the pages, or None while it cannot be computed yet.

`readiness_table` needs the lifecycle policy (service life per kind, supported OS), which
lands separately; until it does, pages show "no data yet" instead of failing.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlmodel import Session

from readiness.table import readiness_table

POLICY_MODULE = "readiness.lifecycle_view"


def readiness_or_none(session: Session, *, level: str, at: date) -> pd.DataFrame | None:
    try:
        return readiness_table(session, level=level, at=at)
    except ModuleNotFoundError as exc:
        if exc.name != POLICY_MODULE:
            raise
        return None
