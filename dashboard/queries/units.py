"""Administrative units as the dashboard names and groups them."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, col, select

from inventory.eras import ERA_2020
from inventory.models import AdminUnit, UnitLevel
from readiness.geometry.store import provinces_of_era


def unit_frame(session: Session) -> pd.DataFrame:
    """Every unit: code, name, short_name, level, parent_code, district_code (the district
    it lies in, or itself for a district; empty for the province)."""
    units = session.exec(select(AdminUnit).order_by(col(AdminUnit.code))).all()
    by_code = {u.code: u for u in units}

    def district_of(unit: AdminUnit) -> str | None:
        current: AdminUnit | None = unit
        while current is not None and current.level != UnitLevel.district:
            current = by_code.get(current.parent_code) if current.parent_code else None
        return current.code if current is not None else None

    return pd.DataFrame(
        [
            (u.code, u.name, u.short_name, str(u.level), u.parent_code, district_of(u))
            for u in units
        ],
        columns=["code", "name", "short_name", "level", "parent_code", "district_code"],
    )


def districts(session: Session, province_code: str) -> pd.DataFrame:
    """The districts (code, name, short_name) of the 2020 province(s) on the configured
    province's territory (itself, or 02 and 08 for today's 08@2025), by code."""
    provinces = provinces_of_era(session, province_code, ERA_2020.year)
    rows = session.exec(
        select(AdminUnit.code, AdminUnit.name, AdminUnit.short_name)
        .where(AdminUnit.level == UnitLevel.district, col(AdminUnit.parent_code).in_(provinces))
        .order_by(col(AdminUnit.code))
    ).all()
    return pd.DataFrame(rows, columns=["code", "name", "short_name"])
