"""Keep every unit of both eras drawable: derive approximate shapes where none is imported.

Called when the database is initialised, after the demo is loaded and after each import.
Imported shapes are never overwritten. Approximate 2020 communes are cut from the district
shape in use, so they nest in an imported district as well as in an approximate one; the
2025 communes are cut from the 2020 provinces' shapes as they then stand
(`approximate_2025.py`), so the 2020 era is drawn first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import shapely
from sqlmodel import Session

from inventory.admin_units import legacy_units
from inventory.errors import IctrError
from inventory.models import AdminUnit, UnitLevel
from inventory.models.types import utcnow
from readiness.geometry.approximate import (
    APPROXIMATE_SOURCE,
    approximate_shapes,
    cells_within,
    reference_plane,
)
from readiness.geometry.approximate_2025 import approximate_2025_communes
from readiness.geometry.polygonal import Areal, polygonal_part
from readiness.geometry.province_family import (
    former_provinces,
    predecessors,
    province_family,
    units_under,
)
from readiness.geometry.store import read_shapes, write_shapes


@dataclass
class ApproximateRefresh:
    """What `ensure_approximate_boundaries` wrote (rows changed) and kept (imported):
    `province`, `districts` and `communes` of the 2020 era, `provinces_2025` and
    `communes_2025` of the 2025 era."""

    province: int = 0
    districts: int = 0
    communes: int = 0
    provinces_2025: int = 0
    communes_2025: int = 0
    imported_kept: int = 0
    unplaced: tuple[str, ...] = ()

    @property
    def written(self) -> int:
        return (
            self.province
            + self.districts
            + self.communes
            + self.provinces_2025
            + self.communes_2025
        )


def province_units(session: Session, province_code: str) -> list[AdminUnit]:
    """The province, its districts and their communes (2020), or the province and its
    communes (2025), as stored by `ictr init`."""
    units = units_under(session, [province_code])
    if not any(u.level == UnitLevel.commune for u in units):
        raise IctrError(
            f"no communes of province {province_code} in the database: run `ictr init` first"
        )
    return units


def ensure_approximate_boundaries(
    session: Session, province_code: str, *, now: datetime | None = None
) -> ApproximateRefresh:
    """Write approximate shapes for every unit of the province, and of the provinces of the
    other era on its territory, that has no imported one."""
    now = now or utcnow()
    province_units(session, province_code)  # the configured province must be loaded
    family = province_family(session, province_code)
    refresh = ApproximateRefresh()
    for code in family.provinces_2020:
        units = units_under(session, [code])
        if any(u.level == UnitLevel.commune for u in units):
            _ensure_2020(session, code, units, refresh, now)
    for code in family.provinces_2025:
        _ensure_2025(session, code, refresh, now)
    return refresh


def _ensure_2020(
    session: Session,
    province_code: str,
    units: list[AdminUnit],
    refresh: ApproximateRefresh,
    now: datetime,
) -> None:
    derived = approximate_shapes(units)
    stored = read_shapes(session, [u.code for u in units])
    imported = {code: s for code, s in stored.items() if not s.approximate}
    districts = [u for u in units if u.level == UnitLevel.district]
    communes = [u for u in units if u.level == UnitLevel.commune]
    refresh.imported_kept += len(imported)
    refresh.unplaced += tuple(derived.unplaced)

    refresh.districts += write_shapes(
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
    refresh.communes += write_shapes(
        session,
        {c: s for c, s in commune_shapes.items() if c not in imported},
        approximate=True,
        source=APPROXIMATE_SOURCE,
        now=now,
    )
    refresh.province += _write_province(session, province_code, districts, derived.outline, now)


def _territories(session: Session, province_code: str) -> list[tuple[str, Areal]]:
    """The shapes of the 2020 provinces the 2025 province came from: as stored, imported
    ones first (the better guess where two overlap), then approximate, then by key; a
    predecessor not stored (a Hà Giang database holds no 2020 Tuyên Quang) by its
    approximate outline, drawn from the unit list and not stored."""
    formers = predecessors(province_code)
    stored = read_shapes(session, formers)
    shapes = {
        p: stored[p].geometry if p in stored else approximate_shapes(legacy_units(p)).outline
        for p in formers
    }
    rank = {
        p: 0 if p in stored and not stored[p].approximate else 1 if p in stored else 2
        for p in formers
    }
    return [(p, shapes[p]) for p in sorted(formers, key=lambda p: (rank[p], p))]


def _ensure_2025(
    session: Session, province_code: str, refresh: ApproximateRefresh, now: datetime
) -> None:
    units = units_under(session, [province_code])
    communes = [u for u in units if u.level == UnitLevel.commune]
    if not communes:
        return
    stored = read_shapes(session, [u.code for u in units])
    imported = {code: s for code, s in stored.items() if not s.approximate}
    refresh.imported_kept += len(imported)
    territories = _territories(session, province_code)
    # Imported communes keep their land: the approximate ones share what is left.
    taken = [s.geometry for code, s in imported.items() if code != province_code]
    if taken:
        cut = shapely.union_all(taken)
        territories = [(p, polygonal_part(shape.difference(cut))) for p, shape in territories]
    derived = approximate_2025_communes(
        [c for c in communes if c.code not in imported],
        territories,
        former_provinces(session, province_code),
    )
    refresh.unplaced += tuple(derived.unplaced)
    refresh.communes_2025 += write_shapes(
        session, derived.communes, approximate=True, source=APPROXIMATE_SOURCE, now=now
    )
    refresh.provinces_2025 += _write_union(session, province_code, [c.code for c in communes], now)


def _write_province(
    session: Session,
    province_code: str,
    districts: list[AdminUnit],
    approximate_outline: Areal,
    now: datetime,
) -> int:
    """A 2020 province is drawn as the union of its districts as they now stand."""
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
    return _write_union(session, province_code, [d.code for d in districts], now)


def _write_union(session: Session, code: str, part_codes: list[str], now: datetime) -> int:
    """The unit drawn as the union of its parts' shapes: imported (with their sources) when
    every part is imported, else approximate."""
    current = read_shapes(session, part_codes)
    if not current:
        return 0
    union = polygonal_part(shapely.union_all([s.geometry for s in current.values()]))
    complete = len(current) == len(part_codes) and not any(s.approximate for s in current.values())
    sources = sorted({s.source for s in current.values() if not s.approximate})
    return write_shapes(
        session,
        {code: union},
        approximate=not complete,
        source=", ".join(sources) if complete else APPROXIMATE_SOURCE,
        now=now,
    )
