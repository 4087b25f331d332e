"""A district's certificates due for renewal (those of its agencies and its communes')."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlmodel import Session

from dashboard.queries.units import unit_frame
from readiness.certificates import EXPIRY_WARNING_DAYS, expiring_certificates


def district_expiring(
    session: Session, district_code: str, *, at: date, days: int = EXPIRY_WARNING_DAYS
) -> pd.DataFrame:
    """Certificates valid on `at` expiring within `days`, soonest first: holder, title,
    agency, expires_on, days_left."""
    units = unit_frame(session)
    codes = units.loc[units["district_code"] == district_code, "code"].tolist()
    found = expiring_certificates(session, at=at, days=days, unit_codes=codes)
    return found[["holder", "title", "agency", "expires_on", "days_left"]]
