"""Fewer vertices for the web map, without opening gaps between neighbours.

Official files trace borders to the metre; a browser drawing 200 communes needs far less.
Coverage simplification (GEOS, Visvalingam–Whyatt) simplifies each shared border once for
both sides, so neighbours still meet exactly. It works in metres, in the UTM zone of the
shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from readiness.geometry.local_plane import DEGREE_DECIMALS
from readiness.geometry.polygonal import Areal, polygonal_part, repaired
from readiness.geometry.store import vertex_count

DEFAULT_TOLERANCE_M = 10.0


@dataclass(frozen=True)
class Simplified:
    shapes: dict[str, Areal]
    vertices_before: int
    vertices_after: int
    note: str | None = None


def _rounded(shape: Areal) -> Areal:
    rounded = shapely.transform(shape, lambda xy: np.round(xy, DEGREE_DECIMALS))
    return repaired(rounded)[0]


def simplify_for_web(shapes: Mapping[str, Areal], tolerance_m: float) -> Simplified:
    """The shapes simplified by about `tolerance_m` metres (0 keeps every vertex), with
    coordinates rounded to the stored precision (about 0.1 m)."""
    before = vertex_count(shapes.values())
    if tolerance_m <= 0 or not shapes:
        kept = {code: _rounded(s) for code, s in shapes.items()}
        return Simplified(kept, before, vertex_count(kept.values()))
    degrees = gpd.GeoSeries(list(shapes.values()), index=list(shapes), crs="EPSG:4326")
    crs = degrees.estimate_utm_crs()
    metric = degrees.to_crs(crs).values
    note = None
    if shapely.coverage_is_valid(np.asarray(metric)):
        simple = shapely.coverage_simplify(np.asarray(metric), tolerance_m)
    else:
        # Neighbours already overlap or miss each other: simplify each on its own, gently,
        # rather than let coverage simplification produce invalid shapes.
        simple = shapely.simplify(np.asarray(metric), tolerance_m / 2, preserve_topology=True)
        note = (
            "the shapes do not fit edge to edge (overlaps or unmatched vertices), so each "
            f"was simplified on its own by {tolerance_m / 2:g} m; small gaps may show"
        )
    back = gpd.GeoSeries(simple, index=list(shapes), crs=crs).to_crs("EPSG:4326")
    result = {str(code): _rounded(polygonal_part(g)) for code, g in back.items()}
    return Simplified(result, before, vertex_count(result.values()), note)
