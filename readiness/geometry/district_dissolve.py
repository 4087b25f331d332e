"""2020 districts rebuilt from imported commune shapes (dissolve by district).

A province that imports an official commune file has, in it, its districts too: each is the
union of its communes. Only districts whose every commune is imported are rebuilt; the
others keep the shape they had. A rebuilt district is imported, with the commune files'
names as its source, and replaces any earlier district shape (the communes are the finer
and newer source).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import shapely
from sqlmodel import Session

from inventory.models import UnitLevel
from readiness.geometry.polygonal import polygonal_part
from readiness.geometry.province_family import units_under
from readiness.geometry.store import read_shapes, write_shapes


def districts_from_communes(
    session: Session, provinces: Sequence[str], *, now: datetime
) -> list[str]:
    """Rebuild the districts of these 2020 provinces that are fully covered by imported
    communes; returns their keys (those whose stored shape changed)."""
    units = units_under(session, provinces)
    communes_of: dict[str, list[str]] = {}
    for unit in units:
        if unit.level == UnitLevel.commune and unit.parent_code is not None:
            communes_of.setdefault(unit.parent_code, []).append(unit.code)
    shapes = read_shapes(session, [u.code for u in units if u.level == UnitLevel.commune])
    rebuilt: list[str] = []
    for district in sorted(communes_of):
        parts = [shapes.get(code) for code in communes_of[district]]
        if not all(p is not None and not p.approximate for p in parts):
            continue
        union = polygonal_part(shapely.union_all([p.geometry for p in parts if p is not None]))
        source = ", ".join(sorted({p.source for p in parts if p is not None}))
        if write_shapes(session, {district: union}, approximate=False, source=source, now=now):
            rebuilt.append(district)
    return rebuilt
