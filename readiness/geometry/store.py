"""Unit shapes in the database (`UnitBoundary`, GeoJSON text), and the map's view of them.

Geometry lives in the database so that every app server draws the same shapes; this module
is the only one that reads or writes those rows. The dashboard calls `level_frame` or
`level_feature_collection`.
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


def _level_rows(
    session: Session, level: UnitLevel, province_code: str | None
) -> list[tuple[AdminUnit, UnitBoundary]]:
    query = (
        select(AdminUnit, UnitBoundary)
        .join(UnitBoundary, col(UnitBoundary.unit_code) == col(AdminUnit.code))
        .where(AdminUnit.level == level)
        .order_by(col(AdminUnit.code))
    )
    if province_code is not None:
        if level == UnitLevel.province:
            query = query.where(AdminUnit.code == province_code)
        elif level == UnitLevel.district:
            query = query.where(AdminUnit.parent_code == province_code)
        else:
            district = aliased(AdminUnit)
            query = query.join(district, col(district.code) == col(AdminUnit.parent_code)).where(
                district.parent_code == province_code
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
    }


def level_frame(
    session: Session, level: UnitLevel | str, *, province_code: str | None = None
) -> gpd.GeoDataFrame:
    """One row per unit of `level` that has a shape: code, name, short_name, parent_code,
    approximate, source, updated_at (ISO, UTC), label, geometry (EPSG:4326).

    `label` is what a map legend or tooltip should show: "approximate boundaries" for
    derived shapes, the source file name for imported ones.
    """
    rows = _level_rows(session, UnitLevel(level), province_code)
    records = [_properties(unit, row) for unit, row in rows]
    geometries = [geometry_from_text(row.geojson) for _, row in rows]
    return gpd.GeoDataFrame(records, columns=list(PROPERTIES), geometry=geometries, crs="EPSG:4326")


def level_feature_collection(
    session: Session, level: UnitLevel | str, *, province_code: str | None = None
) -> dict[str, Any]:
    """The same as `level_frame`, as a GeoJSON FeatureCollection (a plain dict).

    Its top-level `approximate` is true when any shape in it is approximate.
    """
    rows = _level_rows(session, UnitLevel(level), province_code)
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
