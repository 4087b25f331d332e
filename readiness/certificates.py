"""Certificates due for renewal: those valid on a date that expire within some days of it.

The CLI (`ictr certificates expiring`) and the district page list them from here; the count
per unit is the indicator `certificates_expiring_90d` (readiness/indicators/base_counts.py,
with the same rule `valid_on`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import and_, select
from sqlmodel import Session, col

from inventory.models import Agency, Certificate
from inventory.models.certificates import valid_on
from readiness.indicators.base_counts import EXPIRY_WARNING_DAYS

COLUMNS = ["holder", "title", "agency", "agency_code", "unit_code", "serial", "expires_on"]

__all__ = ["COLUMNS", "EXPIRY_WARNING_DAYS", "expiring_certificates"]


def expiring_certificates(
    session: Session,
    *,
    at: date,
    days: int = EXPIRY_WARNING_DAYS,
    unit_codes: Collection[str] | None = None,
) -> pd.DataFrame:
    """Certificates valid on `at` that expire at the latest `days` after it, soonest first,
    with `days_left`; `unit_codes`: only those of agencies sitting in these units."""
    if days < 0:
        raise ValueError("days must not be negative")
    wanted = and_(valid_on(at), col(Certificate.expires_on) <= at + timedelta(days=days))
    if unit_codes is not None:
        wanted = and_(wanted, col(Agency.unit_code).in_(sorted(unit_codes)))
    rows = session.execute(
        select(
            col(Certificate.holder),
            col(Certificate.title),
            col(Agency.name),
            col(Agency.code),
            col(Agency.unit_code),
            col(Certificate.serial),
            col(Certificate.expires_on),
        )
        .join(Agency, col(Agency.id) == col(Certificate.agency_id))
        .where(wanted)
        .order_by(col(Certificate.expires_on), col(Agency.name), col(Certificate.holder))
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=COLUMNS)
    frame["days_left"] = [(d - at).days for d in frame["expires_on"]]
    return frame
