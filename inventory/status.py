"""Counts that tell an operator what a database holds.

The keys kept from before there were two eras (provinces, districts, communes) count the
units of the configured province's era; `era` names it, and `other_eras` gives, per other
era, the units loaded with it (predecessors or successor) and the agencies in them.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from inventory.demo import is_demo
from inventory.eras import ERAS, Era
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


def era_counts(session: Session, era: Era) -> dict[str, int]:
    """Units of `era` by level (only the levels it has), all its units, and its agencies."""
    levels = dict(
        session.exec(
            select(AdminUnit.level, func.count())
            .where(AdminUnit.era == era.year)
            .group_by(AdminUnit.level)
        ).all()
    )
    agencies = session.exec(
        select(func.count())
        .select_from(Agency)
        .join(AdminUnit, col(AdminUnit.code) == col(Agency.unit_code))
        .where(AdminUnit.era == era.year)
    ).one()
    counts = {f"{level}s": int(levels.get(UnitLevel(level), 0)) for level in era.levels}
    return {"units": sum(counts.values()), **counts, "agencies": int(agencies)}


def database_status(session: Session) -> dict[str, Any]:
    def count(model: Any) -> int:
        return int(session.exec(select(func.count()).select_from(model)).one())

    # The unit counts are the configured province's era's, as before there were two eras.
    era = get_settings().province_era
    units = era_counts(session, era)
    officials = session.exec(select(func.coalesce(func.sum(Agency.officials), 0))).one()
    return {
        "era": era.year,
        "provinces": units["provinces"],
        "districts": units.get("districts", 0),
        "communes": units["communes"],
        "agencies": count(Agency),
        "officials": int(officials),
        "computers": count(Computer),
        "points": count(ConnectionPoint),
        "certificates": count(Certificate),
        "probe_rounds": count(ProbeResult),
        "synthetic_demo": is_demo(session),
        "other_eras": {str(e.year): era_counts(session, e) for e in ERAS if e != era},
    }
