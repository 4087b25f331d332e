"""Counts that tell an operator what a database holds."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, func, select

from inventory.demo import is_demo
from inventory.eras import split_unit_key
from inventory.models import (
    AdminUnit,
    Agency,
    Certificate,
    Computer,
    ConnectionPoint,
    ProbeResult,
    UnitLevel,
)
from inventory.settings import get_settings


def database_status(session: Session) -> dict[str, Any]:
    def count(model: Any) -> int:
        return int(session.exec(select(func.count()).select_from(model)).one())

    # The unit counts are the configured province's era's, as before there were two eras.
    era = split_unit_key(get_settings().province_code)[0].year
    levels = dict(
        session.exec(
            select(AdminUnit.level, func.count())
            .where(AdminUnit.era == era)
            .group_by(AdminUnit.level)
        ).all()
    )
    officials = session.exec(select(func.coalesce(func.sum(Agency.officials), 0))).one()
    return {
        "provinces": int(levels.get(UnitLevel.province, 0)),
        "districts": int(levels.get(UnitLevel.district, 0)),
        "communes": int(levels.get(UnitLevel.commune, 0)),
        "agencies": count(Agency),
        "officials": int(officials),
        "computers": count(Computer),
        "points": count(ConnectionPoint),
        "certificates": count(Certificate),
        "probe_rounds": count(ProbeResult),
        "synthetic_demo": is_demo(session),
    }
