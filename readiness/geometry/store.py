"""Unit shapes in the database (`UnitBoundary`, GeoJSON text), and the map's view of them.

Geometry lives in the database so that every app server draws the same shapes; this module
is the only one that reads or writes those rows. The dashboard calls `level_frame` or
`level_feature_collection`, for one province (a unit key) and, if need be, one era.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import mapping, shape
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from inventory.models import AdminUnit, UnitBoundary, UnitLevel
from inventory.models.types import utcnow
from readiness.geometry.polygonal import Areal, polygonal_part
from readiness.geometry.province_family import province_family

# How the map and the data label shapes we derived rather than imported.
APPROXIMATE_LABEL = "Ranh giới gần đúng (approximate boundaries)"
SOURCE_MAX_LENGTH = 255
# The properties of every shape handed to the map, in this order.
PROPERTIES = (
    "code",
    "name",
    "short_name",
    "parent_code",
    "approximate",
    "source",
    "updated_at",
    "label",
    "era",
    "gso_code",
)


@dataclass(frozen=True)
class StoredShape:
    code: str
    geometry: Areal
    approximate: bool
    source: str
    updated_at: datetime


def geometry_to_text(geometry: Areal) -> str:
    """Compact GeoJSON; coordinates are written as they are (rounded before, if at all)."""
    return json.dumps(mapping(geometry), separators=(",", ":"))


def geometry_from_text(text: str) -> Areal:
    return polygonal_part(shape(json.loads(text)))


def read_shapes(session: Session, codes: Iterable[str] | None = None) -> dict[str, StoredShape]:
    """Stored shapes by unit code (all of them, or those of `codes`)."""
    query = select(UnitBoundary)
    if codes is not None:
        query = query.where(col(UnitBoundary.unit_code).in_(list(codes)))
    return {
        row.unit_code: StoredShape(
            code=row.unit_code,
            geometry=geometry_from_text(row.geojson),
            approximate=row.approximate,
            source=row.source,
            updated_at=row.updated_at,
        )
        for row in session.exec(query)
    }


def write_shapes(
    session: Session,
    shapes: Mapping[str, Areal],
    *,
    approximate: bool,
    source: str,
    now: datetime | None = None,
) -> int:
    """Insert or replace the shapes of these units; returns how many rows changed.

    A row whose geometry, flag and source are already the same is left alone, so its
    date keeps saying when the shape last changed.
    """
    now = now or utcnow()
    source = source[:SOURCE_MAX_LENGTH]
    existing = {
        row.unit_code: row
        for row in session.exec(
            select(UnitBoundary).where(col(UnitBoundary.unit_code).in_(list(shapes)))
        )
    }
    changed = 0
    for code, geometry in shapes.items():
        text = geometry_to_text(geometry)
        row = existing.get(code)
        if row is None:
            row = UnitBoundary(unit_code=code, geojson=text, approximate=approximate, source=source)
        elif (row.geojson, row.approximate, row.source) == (text, approximate, source):
            continue
        row.geojson, row.approximate, row.source, row.updated_at = text, approximate, source, now
        session.add(row)
        changed += 1
    session.flush()
    return changed


def provinces_of_era(session: Session, province_code: str, era: int | None) -> list[str]:
    """The provinces whose units stand for `province_code` in `era`: itself in its own era
    (or when no era is asked), else the provinces of that era on its territory (02 in 2025:
    08@2025; 08@2025 in 2020: 02 and 08)."""
    own = session.get(AdminUnit, province_code)
    if era is None or (own is not None and own.era == era):
        return [province_code]
    return list(province_family(session, province_code).of_era(era))


def _level_rows(
    session: Session, level: UnitLevel, province_code: str | None, era: int | None
) -> list[tuple[AdminUnit, UnitBoundary]]:
    query = (
        select(AdminUnit, UnitBoundary)
        .join(UnitBoundary, col(UnitBoundary.unit_code) == col(AdminUnit.code))
        .where(AdminUnit.level == level)
        .order_by(col(AdminUnit.code))
    )
    if era is not None:
        query = query.where(AdminUnit.era == era)
    if province_code is not None:
        provinces = provinces_of_era(session, province_code, era)
        if level == UnitLevel.province:
            query = query.where(col(AdminUnit.code).in_(provinces))
        else:
            # A 2025 commune's parent is its province, a 2020 commune's its district.
            district = aliased(AdminUnit)
            query = query.outerjoin(
                district, col(district.code) == col(AdminUnit.parent_code)
            ).where(
                col(AdminUnit.parent_code).in_(provinces) | col(district.parent_code).in_(provinces)
            )
    return list(session.exec(query).all())


def _properties(unit: AdminUnit, row: UnitBoundary) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "parent_code": unit.parent_code,
        "approximate": row.approximate,
        "source": row.source,
        "updated_at": row.updated_at.isoformat(),
        "label": APPROXIMATE_LABEL if row.approximate else row.source,
        "era": unit.era,
        "gso_code": unit.gso_code,
    }


def level_frame(
    session: Session,
    level: UnitLevel | str,
    *,
    province_code: str | None = None,
    era: int | None = None,
) -> gpd.GeoDataFrame:
    """One row per unit of `level` that has a shape: code (the unit key), name, short_name,
    parent_code, approximate, source, updated_at (ISO, UTC), label, era, gso_code, geometry
    (EPSG:4326).

    Units of `province_code` (a unit key; all provinces if None), or, given `era`, of the
    provinces of that era on its territory (`provinces_of_era`): the communes of 08@2025
    are `level_frame(s, "commune", province_code="08@2025")`, the 2020 districts on its
    land `level_frame(s, "district", province_code="08@2025", era=2020)`.

    `label` is what a map legend or tooltip should show: "approximate boundaries" for
    derived shapes, the source file name for imported ones.
    """
    rows = _level_rows(session, UnitLevel(level), province_code, era)
    records = [_properties(unit, row) for unit, row in rows]
    geometries = [geometry_from_text(row.geojson) for _, row in rows]
    return gpd.GeoDataFrame(records, columns=list(PROPERTIES), geometry=geometries, crs="EPSG:4326")


def level_feature_collection(
    session: Session,
    level: UnitLevel | str,
    *,
    province_code: str | None = None,
    era: int | None = None,
) -> dict[str, Any]:
    """The same as `level_frame`, as a GeoJSON FeatureCollection (a plain dict).

    Its top-level `approximate` is true when any shape in it is approximate.
    """
    rows = _level_rows(session, UnitLevel(level), province_code, era)
    features = [
        {
            "type": "Feature",
            "id": unit.code,
            "properties": _properties(unit, row),
            "geometry": json.loads(row.geojson),
        }
        for unit, row in rows
    ]
    return {
        "type": "FeatureCollection",
        "approximate": any(row.approximate for _, row in rows),
        "features": features,
    }


def vertex_count(geometries: Iterable[Areal]) -> int:
    return sum(int(shapely.get_num_coordinates(g)) for g in geometries)
