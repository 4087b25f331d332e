"""Approximate shapes of the 2025 communes, inside the territory of the 2020 provinces they
came from.

The 2025 unit list (`vietnamadminunits`) publishes a point and an area for every commune,
but no bounding box, so the 2020 method's outline cannot be rebuilt from it. The territory
did not change on 1 July 2025, though: a merged province covers exactly the 2020 provinces
it came from, whose shapes we already have (imported, or approximate). So:

1. each 2020 predecessor's region is its shape, less the regions before it (imported
   shapes first, then by code), so the regions tile the territory even where two
   approximate outlines overlap;
2. each 2025 commune belongs to the predecessor province most of its 2020 communes were in
   (the correspondence; in 2025 no commune straddles two former provinces);
3. each region is cut into the Voronoi cells of its communes' points.

So the communes on former Hà Giang land tile Hà Giang's 2020 outline. A commune whose
predecessors are not stored (a 2020 province not loaded) is drawn in a stand-in region: the
union of discs of its published area around its point, less the known territory.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Point

from inventory.models import AdminUnit
from readiness.geometry.approximate import commune_seeds, reference_plane
from readiness.geometry.local_plane import LocalPlane
from readiness.geometry.outline import SEED_MARGIN
from readiness.geometry.polygonal import Areal, polygonal_part
from readiness.geometry.voronoi_cells import voronoi_cells

# Kilometres in a degree of latitude (mean Earth radius 6,371 km).
KM_PER_DEGREE = 6371.0 * math.pi / 180


@dataclass
class Approximate2025:
    """Commune shapes in longitude/latitude, keyed by unit key."""

    communes: dict[str, Areal]
    # Communes published without a point: no shape.
    unplaced: list[str] = field(default_factory=list)
    # Communes drawn in the stand-in region, their predecessors being unknown here.
    without_predecessors: list[str] = field(default_factory=list)


def _disc_region(communes: Sequence[AdminUnit], plane: LocalPlane) -> Areal:
    """Discs of each commune's published area (or the median one) around its point."""
    areas = [c.area_km2 for c in communes if c.area_km2]
    fallback = float(np.median(areas)) if areas else 0.0
    discs = []
    for c in communes:
        if c.longitude is None or c.latitude is None:
            continue
        radius = math.sqrt((c.area_km2 or fallback) / math.pi) / KM_PER_DEGREE
        centre = plane.to_plane(Point(c.longitude, c.latitude))
        discs.append(centre.buffer(max(radius, SEED_MARGIN), quad_segs=8))
    return polygonal_part(shapely.union_all(discs))


def _clean(shape: Areal) -> Areal:
    if shape.is_valid:
        return shape
    return polygonal_part(shapely.make_valid(shape))


def approximate_2025_communes(
    communes: Sequence[AdminUnit],
    territories: Sequence[tuple[str, Areal]],
    origin: Mapping[str, str],
) -> Approximate2025:
    """Shapes of `communes` (2025) tiling `territories` (2020 province key and shape, in
    priority order); `origin` maps a commune's key to its predecessor province's key."""
    if not communes:
        return Approximate2025(communes={})
    plane = reference_plane(communes)
    seeds = {s.owner: s for s in commune_seeds(communes, plane)}
    result = Approximate2025(
        communes={}, unplaced=[c.code for c in communes if c.code not in seeds]
    )

    groups: dict[str | None, list] = defaultdict(list)
    known = {key for key, _ in territories}
    for c in communes:
        if c.code in seeds:
            province = origin.get(c.code)
            groups[province if province in known else None].append(seeds[c.code])

    regions: dict[str | None, Areal] = {}
    covered: Areal | None = None
    for key, shape in territories:
        region = plane.to_plane(shape)
        if covered is not None:
            region = polygonal_part(region.difference(covered))
        regions[key] = region
        covered = (
            region if covered is None else polygonal_part(shapely.union_all([covered, region]))
        )
    if groups.get(None):
        stray = {s.owner for s in groups[None]}
        result.without_predecessors = sorted(stray)
        region = _disc_region([c for c in communes if c.code in stray], plane)
        regions[None] = polygonal_part(region.difference(covered)) if covered else region

    for former, group in groups.items():
        region = regions[former]
        if region.is_empty:
            continue
        cells = voronoi_cells(region, group)
        result.communes.update({code: _clean(plane.to_degrees(c)) for code, c in cells.items()})
    result.unplaced += sorted(
        c.code for c in communes if c.code in seeds and c.code not in result.communes
    )
    return result
