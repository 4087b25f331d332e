"""Approximate shapes of the 2025 communes, inside the territory of the 2020 provinces they
came from.

The 2025 unit list (`vietnamadminunits`) publishes a point and an area for every commune,
but no bounding box, so the 2020 method's outline cannot be rebuilt from it. The territory
did not change on 1 July 2025, though: a merged province covers exactly the 2020 provinces
it came from, whose shapes we have (imported, or approximate). So:

1. each 2020 predecessor's region is its shape, less the regions before it (imported
   shapes first), so the regions tile the territory even where two approximate outlines
   overlap;
2. each 2025 commune belongs to the predecessor province most of its 2020 communes were in
   (the correspondence; in 2025 no commune straddles two former provinces), or, if that is
   not known, to the region nearest its point;
3. each region is cut into the Voronoi cells of its communes' points.

So the communes on former Hà Giang land tile Hà Giang's 2020 outline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from inventory.models import AdminUnit
from readiness.geometry.approximate import cleaned, commune_seeds, reference_plane
from readiness.geometry.polygonal import Areal, polygonal_part
from readiness.geometry.voronoi_cells import Seed, voronoi_cells


@dataclass
class Approximate2025:
    """Commune shapes in longitude/latitude, keyed by unit key."""

    communes: dict[str, Areal]
    # Communes published without a point, or whose cell fell outside their region: no shape.
    unplaced: list[str] = field(default_factory=list)


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

    regions: dict[str, Areal] = {}
    covered: Areal | None = None
    for key, shape in territories:
        region = plane.to_plane(shape)
        if covered is not None:
            region = polygonal_part(region.difference(covered))
        regions[key] = region
        covered = region if covered is None else polygonal_part(covered.union(region))
    if not regions:
        raise ValueError("no 2020 territory: cannot place the 2025 communes")

    groups: dict[str, list[Seed]] = defaultdict(list)
    for code, seed in seeds.items():
        former = origin.get(code)
        if former not in regions:
            former = min(regions, key=lambda k: regions[k].distance(seed.point))
        groups[former].append(seed)

    for former, group in groups.items():
        region = regions[former]
        if region.is_empty:
            continue
        cells = voronoi_cells(region, group)
        result.communes.update({code: cleaned(plane.to_degrees(c)) for code, c in cells.items()})
    result.unplaced += sorted(
        c.code for c in communes if c.code in seeds and c.code not in result.communes
    )
    return result
