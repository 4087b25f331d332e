"""The headline figures of the province summary strip."""

from __future__ import annotations

from sqlmodel import Session, func, select

from inventory.models import AdminUnit, Agency, Computer, ComputerStatus, UnitLevel


def headline_counts(session: Session, province_code: str) -> dict[str, int]:
    """Districts of the province, agencies, officials and computers in use (whole database)."""
    districts = session.exec(
        select(func.count())
        .select_from(AdminUnit)
        .where(AdminUnit.level == UnitLevel.district, AdminUnit.parent_code == province_code)
    ).one()
    agencies = session.exec(select(func.count()).select_from(Agency)).one()
    officials = session.exec(select(func.coalesce(func.sum(Agency.officials), 0))).one()
    computers = session.exec(
        select(func.count()).select_from(Computer).where(Computer.status == ComputerStatus.in_use)
    ).one()
    return {
        "districts": int(districts),
        "agencies": int(agencies),
        "officials": int(officials),
        "computers_in_use": int(computers),
    }
