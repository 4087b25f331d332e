"""Administrative units as the dashboard names and groups them."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, col, select

from inventory.models import AdminUnit, UnitLevel


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
    """The province's districts (code, name, short_name), by code."""
    rows = session.exec(
        select(AdminUnit.code, AdminUnit.name, AdminUnit.short_name)
        .where(AdminUnit.level == UnitLevel.district, AdminUnit.parent_code == province_code)
        .order_by(col(AdminUnit.code))
    ).all()
    return pd.DataFrame(rows, columns=["code", "name", "short_name"])
