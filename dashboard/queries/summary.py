"""The headline figures of the province summary strip, and the name of the province a
date's structure has on the configured territory."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, func, or_, select

from inventory.eras import era_at
from inventory.lifecycle.in_service import in_service_on
from inventory.models import AdminUnit, Agency, Computer, UnitLevel
from readiness.geometry.store import provinces_of_era


def province_names(session: Session, province_code: str, at: date) -> list[str]:
    """The province(s) of `at`'s structure on the configured province's territory: Hà
    Giang at a 2020 date, Tuyên Quang at a 2026 one (for 02); both 2020 provinces at a
    2020 date (for 08@2025). Empty while no province is loaded."""
    codes = provinces_of_era(session, province_code, era_at(at).year)
    rows = session.exec(
        select(AdminUnit.name).where(col(AdminUnit.code).in_(codes)).order_by(col(AdminUnit.code))
    ).all()
    return list(rows)


def headline_counts(session: Session, province_code: str, at: date) -> dict[str, int]:
    """On `at`: units of the level below the province in that day's structure (districts
    in 2020, communes from 2025-07-01), agencies existing that day and their officials, and
    computers in service (whole database)."""
    era = era_at(at)
    provinces = provinces_of_era(session, province_code, era.year)
    below_province = UnitLevel(era.levels[1])
    units = session.exec(
        select(func.count())
        .select_from(AdminUnit)
        .where(AdminUnit.level == below_province, col(AdminUnit.parent_code).in_(provinces))
    ).one()
    existing = (
        or_(col(Agency.valid_from).is_(None), col(Agency.valid_from) <= at),
        or_(col(Agency.valid_to).is_(None), col(Agency.valid_to) >= at),
    )
    agencies, officials = session.exec(
        select(func.count(), func.coalesce(func.sum(Agency.officials), 0)).where(*existing)
    ).one()
    computers = session.exec(
        select(func.count()).select_from(Computer).where(in_service_on(at))
    ).one()
    return {
        "units": int(units),
        "agencies": int(agencies),
        "officials": int(officials),
        "computers_in_use": int(computers),
    }
