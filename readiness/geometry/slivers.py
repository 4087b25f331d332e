"""Slivers: specks of area that a map would not show but that betray a file's flaws.

Three kinds are reported, never silently dropped: tiny parts of a unit's shape, overlaps
between neighbouring units, and small gaps enclosed by the units but covered by none.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.strtree import STRtree

from readiness.geometry.polygonal import Areal, polygonal_part

# A part or gap below this area (1 ha) is a sliver, not a place.
SLIVER_M2 = 10_000.0
# Overlaps below this are rounding noise, not worth a line in the report.
OVERLAP_NOISE_M2 = 1.0


def _hectares(area_m2: float) -> str:
    return f"{area_m2 / 10_000:.2f} ha" if area_m2 >= 100 else f"{area_m2:.0f} m²"


def find_slivers(shapes: Mapping[str, Areal], names: Mapping[str, str]) -> list[str]:
    """One line per sliver found among the shapes (longitude/latitude, keyed by code)."""
    if not shapes:
        return []
    degrees = gpd.GeoSeries(list(shapes.values()), index=list(shapes), crs="EPSG:4326")
    crs = degrees.estimate_utm_crs()
    metric = {str(code): polygonal_part(g) for code, g in degrees.to_crs(crs).items()}
    lines: list[str] = []
    for code, shape in metric.items():
        parts = shape.geoms if isinstance(shape, MultiPolygon) else [shape]
        if len(parts) < 2:
            continue
        for part in parts:
            if part.area < SLIVER_M2:
                lines.append(
                    f"{code} {names.get(code, '')}: a separate part of {_hectares(part.area)}"
                    " (kept)"
                )
    codes = list(metric)
    geometries = [metric[c] for c in codes]
    tree = STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i >= j:
            continue
        overlap = shapely.intersection(geometries[i], geometries[j]).area
        if overlap > OVERLAP_NOISE_M2:
            lines.append(
                f"{codes[i]} {names.get(codes[i], '')} and {codes[j]} {names.get(codes[j], '')}"
                f" overlap by {_hectares(overlap)}"
            )
    union = polygonal_part(shapely.union_all(geometries))
    outer = union.geoms if isinstance(union, MultiPolygon) else [union]
    for polygon in outer:
        for ring in polygon.interiors:
            hole = Polygon(ring)
            if hole.area < SLIVER_M2:
                where = gpd.GeoSeries([hole.representative_point()], crs=crs).to_crs(4326)
                lines.append(
                    f"a gap of {_hectares(hole.area)} between units near "
                    f"{where.iloc[0].y:.5f}, {where.iloc[0].x:.5f}"
                )
    return lines
