"""Keep every unit of the province drawable: derive approximate shapes where none is imported.

Called when the database is initialised, after the demo is loaded and after each import.
Imported shapes are never overwritten. Approximate communes are cut from the district
shape in use, so they nest in an imported district as well as in an approximate one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import shapely
from sqlmodel import Session, col, or_, select

from inventory.errors import IctrError
from inventory.models import AdminUnit, UnitLevel
from inventory.models.types import utcnow
from readiness.geometry.approximate import (
    APPROXIMATE_SOURCE,
    approximate_shapes,
    cells_within,
    reference_plane,
)
from readiness.geometry.polygonal import Areal, polygonal_part
from readiness.geometry.store import read_shapes, write_shapes


@dataclass
class ApproximateRefresh:
    """What `ensure_approximate_boundaries` wrote (rows changed) and kept (imported)."""

    province: int = 0
    districts: int = 0
    communes: int = 0
    imported_kept: int = 0
    unplaced: tuple[str, ...] = ()

    @property
    def written(self) -> int:
        return self.province + self.districts + self.communes


def province_units(session: Session, province_code: str) -> list[AdminUnit]:
    """The province, its districts and their communes, as stored by `ictr init`."""
    districts = select(AdminUnit.code).where(AdminUnit.parent_code == province_code)
    units = list(
        session.exec(
            select(AdminUnit)
            .where(
                or_(
                    AdminUnit.code == province_code,
                    AdminUnit.parent_code == province_code,
                    col(AdminUnit.parent_code).in_(districts),
                )
            )
            .order_by(col(AdminUnit.code))
        )
    )
    if not any(u.level == UnitLevel.commune for u in units):
        raise IctrError(
            f"no communes of province {province_code} in the database: run `ictr init` first"
        )
    return units


def ensure_approximate_boundaries(
    session: Session, province_code: str, *, now: datetime | None = None
) -> ApproximateRefresh:
    """Write approximate shapes for every unit of the province that has no imported one."""
    now = now or utcnow()
    units = province_units(session, province_code)
    derived = approximate_shapes(units)
    stored = read_shapes(session, [u.code for u in units])
    imported = {code: s for code, s in stored.items() if not s.approximate}
    districts = [u for u in units if u.level == UnitLevel.district]
    communes = [u for u in units if u.level == UnitLevel.commune]
    refresh = ApproximateRefresh(imported_kept=len(imported), unplaced=tuple(derived.unplaced))

    refresh.districts = write_shapes(
        session,
        {c: s for c, s in derived.districts.items() if c not in imported},
        approximate=True,
        source=APPROXIMATE_SOURCE,
        now=now,
    )

    plane = reference_plane(communes)
    commune_shapes: dict[str, Areal] = {}
    for district in districts:
        mine = [c for c in communes if c.parent_code == district.code]
        if district.code in imported:
            commune_shapes.update(cells_within(imported[district.code].geometry, mine, plane))
        else:
            commune_shapes.update(
                {c.code: derived.communes[c.code] for c in mine if c.code in derived.communes}
            )
    refresh.communes = write_shapes(
        session,
        {c: s for c, s in commune_shapes.items() if c not in imported},
        approximate=True,
        source=APPROXIMATE_SOURCE,
        now=now,
    )

    refresh.province = _write_province(session, province_code, districts, derived.outline, now)
    return refresh


def _write_province(
    session: Session,
    province_code: str,
    districts: list[AdminUnit],
    approximate_outline: Areal,
    now: datetime,
) -> int:
    """The province is drawn as the union of its districts as they now stand."""
    current = read_shapes(session, [d.code for d in districts])
    if not current:
        return 0
    if all(s.approximate for s in current.values()):
        return write_shapes(
            session,
            {province_code: approximate_outline},
            approximate=True,
            source=APPROXIMATE_SOURCE,
            now=now,
        )
    union = polygonal_part(shapely.union_all([s.geometry for s in current.values()]))
    complete = len(current) == len(districts) and not any(s.approximate for s in current.values())
    sources = sorted({s.source for s in current.values() if not s.approximate})
    return write_shapes(
        session,
        {province_code: union},
        approximate=not complete,
        source=", ".join(sources) if complete else APPROXIMATE_SOURCE,
        now=now,
    )
