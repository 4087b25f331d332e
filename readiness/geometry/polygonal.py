"""Keeping only the area of a geometry: repair, and drop the lines and points repair can leave."""

from __future__ import annotations

from typing import TypeAlias

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

Areal: TypeAlias = Polygon | MultiPolygon


def polygonal_part(geometry: BaseGeometry) -> Areal:
    """The polygons of a geometry (of a collection too), as one Polygon or MultiPolygon."""
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    parts: list[Polygon] = []
    for part in shapely.get_parts(geometry):
        if isinstance(part, Polygon):
            parts.append(part)
        elif isinstance(part, MultiPolygon):
            parts.extend(part.geoms)
        elif part.geom_type == "GeometryCollection":
            inner = polygonal_part(part)
            parts.extend(inner.geoms if isinstance(inner, MultiPolygon) else [inner])
    parts = [p for p in parts if not p.is_empty]
    if len(parts) == 1:
        return parts[0]
    return MultiPolygon(parts)


def repaired(geometry: BaseGeometry) -> tuple[Areal, bool]:
    """A valid 2-D polygonal geometry, and whether anything had to be repaired.

    `make_valid` with the "structure" method reads rings as area boundaries, so a
    self-intersecting ring (a bow tie) keeps both lobes instead of cancelling them.
    """
    flat = shapely.force_2d(geometry)
    if flat.is_valid:
        return polygonal_part(flat), False
    fixed = shapely.make_valid(flat, method="structure", keep_collapsed=False)
    return polygonal_part(fixed), True
