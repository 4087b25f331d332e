"""Approximate district and commune shapes, derived from the commune list alone.

The project may not ship third-party boundary files, so a fresh install draws shapes built
from what the unit list (`vietnamadminunits`, legacy dataset) publishes for every commune:
a point and a bounding box. The method:

1. the province outline is the union of the ellipses inscribed in the communes' boxes
   (`outline.py`);
2. every commune gets the Voronoi cell of its point, clipped to that outline;
3. a district is the union of its communes' cells.

The cells tile the outline, so districts tile it too, and every commune contains its own
point. Should a district's published point (its seat) fall outside its shape, the point
is added as an extra seed owned by the district's nearest commune and the cells are drawn
again (repeatedly, should that push another seat out), so every seat ends up inside.
Everything here is labelled approximate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Point

from inventory.models import AdminUnit, UnitLevel
from readiness.geometry.local_plane import LocalPlane
from readiness.geometry.outline import Extent, outline_from_extents, typical_half_size
from readiness.geometry.polygonal import Areal, polygonal_part
from readiness.geometry.voronoi_cells import Seed, voronoi_cells

APPROXIMATE_SOURCE = "approximate"


@dataclass
class ApproximateShapes:
    """Shapes in longitude/latitude (EPSG:4326), keyed by unit code."""

    outline: Areal
    districts: dict[str, Areal]
    communes: dict[str, Areal]
    # Communes published with neither a point nor a box: they get no shape.
    unplaced: list[str] = field(default_factory=list)
    # Districts whose seat had to be added as an extra seed.
    seats_added: list[str] = field(default_factory=list)


def _box(unit: AdminUnit) -> tuple[float, float, float, float] | None:
    """The published bounding box as (west, south, east, north), if complete."""
    west, south, east, north = unit.bbox_west, unit.bbox_south, unit.bbox_east, unit.bbox_north
    if west is None or south is None or east is None or north is None:
        return None
    return west, south, east, north


def _point(unit: AdminUnit) -> tuple[float, float] | None:
    """The published point, or else the centre of the published box."""
    if unit.longitude is not None and unit.latitude is not None:
        return unit.longitude, unit.latitude
    if (box := _box(unit)) is None:
        return None
    west, south, east, north = box
    return (west + east) / 2, (south + north) / 2


def _extent(unit: AdminUnit, plane: LocalPlane) -> Extent | None:
    if (box := _box(unit)) is None:
        return None
    west, south, east, north = box
    scale = plane.x_scale
    return Extent(
        centre_x=(west + east) / 2 * scale,
        centre_y=(south + north) / 2,
        half_width=(east - west) / 2 * scale,
        half_height=(north - south) / 2,
    )


def reference_plane(units: Iterable[AdminUnit]) -> LocalPlane:
    """The local plane centred on the units' mean latitude."""
    latitudes = [p[1] for u in units if (p := _point(u)) is not None]
    if not latitudes:
        raise ValueError("no unit has a position: cannot place any shape")
    return LocalPlane(float(np.mean(latitudes)))


def commune_seeds(communes: Sequence[AdminUnit], plane: LocalPlane) -> list[Seed]:
    return [
        Seed(c.code, plane.to_plane(Point(*p))) for c in communes if (p := _point(c)) is not None
    ]


def cells_within(
    region: Areal, communes: Sequence[AdminUnit], plane: LocalPlane
) -> dict[str, Areal]:
    """Commune shapes tiling one region (e.g. an imported district), in degrees."""
    cells = voronoi_cells(plane.to_plane(region), commune_seeds(communes, plane))
    return {code: cleaned(plane.to_degrees(cell)) for code, cell in cells.items()}


def cleaned(shape: Areal) -> Areal:
    """The shape, valid."""
    # Rounding to stored precision can, rarely, pinch a ring; keep the result valid.
    if shape.is_valid:
        return shape
    return polygonal_part(shapely.make_valid(shape))


def _seat_seeds(
    districts: Sequence[AdminUnit],
    communes_of: Mapping[str, Sequence[AdminUnit]],
    seeds: Mapping[str, Seed],
    plane: LocalPlane,
) -> dict[str, Seed]:
    """For each district, its seat as a seed owned by its nearest commune."""
    out: dict[str, Seed] = {}
    for district in districts:
        position = _point(district)
        mine = [seeds[c.code] for c in communes_of.get(district.code, []) if c.code in seeds]
        if position is None or not mine:
            continue
        seat = plane.to_plane(Point(*position))
        nearest = min(mine, key=lambda s: s.point.distance(seat))
        out[district.code] = Seed(nearest.owner, seat)
    return out


def approximate_shapes(units: Sequence[AdminUnit]) -> ApproximateShapes:
    """Outline, districts and communes of one province from its unit list."""
    districts = [u for u in units if u.level == UnitLevel.district]
    communes = [u for u in units if u.level == UnitLevel.commune]
    if not communes:
        raise ValueError("no communes: cannot derive approximate shapes")
    plane = reference_plane(communes)
    seeds = {s.owner: s for s in commune_seeds(communes, plane)}
    unplaced = [c.code for c in communes if c.code not in seeds]
    if not seeds:
        raise ValueError("no commune has a position: cannot derive approximate shapes")

    published = {c.code: e for c in communes if (e := _extent(c, plane)) is not None}
    half = typical_half_size(list(published.values()), [s.point for s in seeds.values()])
    extents = [
        published.get(code, Extent(s.point.x, s.point.y, half, half)) for code, s in seeds.items()
    ]

    communes_of: dict[str, list[AdminUnit]] = defaultdict(list)
    for c in communes:
        if c.parent_code is not None:
            communes_of[c.parent_code].append(c)
    seat_seeds = _seat_seeds(districts, communes_of, seeds, plane)
    outline = outline_from_extents(
        extents, [s.point for s in seeds.values()] + [s.point for s in seat_seeds.values()]
    )

    # Each added seat is a seed, hence inside its district from then on; adding one can push
    # another district's seat out, so repeat (at most once per district).
    added: list[str] = []
    cells = voronoi_cells(outline, list(seeds.values()))
    while missing := [
        code
        for code, seat in seat_seeds.items()
        if code not in added
        and not any(
            cells[c.code].contains(seat.point) for c in communes_of[code] if c.code in cells
        )
    ]:
        added += missing
        cells = voronoi_cells(outline, list(seeds.values()) + [seat_seeds[code] for code in added])

    district_cells = {
        d.code: polygonal_part(
            shapely.coverage_union_all(
                [cells[c.code] for c in communes_of[d.code] if c.code in cells]
            )
        )
        for d in districts
        if any(c.code in cells for c in communes_of[d.code])
    }
    return ApproximateShapes(
        outline=cleaned(
            plane.to_degrees(polygonal_part(shapely.coverage_union_all(list(cells.values()))))
        ),
        districts={
            code: cleaned(plane.to_degrees(shape)) for code, shape in district_cells.items()
        },
        communes={code: cleaned(plane.to_degrees(shape)) for code, shape in cells.items()},
        unplaced=unplaced,
        seats_added=added,
    )
