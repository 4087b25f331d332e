"""Voronoi cells of seed points, clipped to a region: shapes that tile the region exactly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point

from readiness.geometry.polygonal import Areal, polygonal_part

# Seeds closer than this (degrees of latitude, about 1 cm) count as one place.
SAME_PLACE = 1e-7
# How far apart, as a fraction of SEED_NUDGE_STEP, seeds published at one place are spread.
SEED_NUDGE_STEP = 1e-5


@dataclass(frozen=True)
class Seed:
    """A point in the local plane whose cell goes to `owner` (a unit code)."""

    owner: str
    point: Point


def _spread_duplicates(seeds: Sequence[Seed]) -> list[Seed]:
    """Voronoi needs distinct points: units published at one place are moved about a metre
    apart, around a small circle, in the order given (so the result is reproducible)."""
    seen: dict[tuple[int, int], int] = {}
    spread: list[Seed] = []
    for seed in seeds:
        key = (round(seed.point.x / SAME_PLACE), round(seed.point.y / SAME_PLACE))
        count = seen.get(key, 0)
        seen[key] = count + 1
        if count == 0:
            spread.append(seed)
            continue
        angle = count * 2.399963  # the golden angle: successive seeds never line up
        moved = Point(
            seed.point.x + SEED_NUDGE_STEP * np.cos(angle),
            seed.point.y + SEED_NUDGE_STEP * np.sin(angle),
        )
        spread.append(Seed(seed.owner, moved))
    return spread


def voronoi_cells(region: Areal, seeds: Sequence[Seed]) -> dict[str, Areal]:
    """Each owner's share of `region`: the union of its seeds' Voronoi cells within it.

    The cells tile `region` with no gap or overlap. An owner whose cells all fall outside
    the region is left out.
    """
    if not seeds:
        return {}
    distinct = _spread_duplicates(seeds)
    if len(distinct) == 1:
        return {distinct[0].owner: region}
    diagram = shapely.voronoi_polygons(
        MultiPoint([s.point for s in distinct]), extend_to=region, ordered=True
    )
    clipped = shapely.intersection(np.asarray(diagram.geoms), region)
    pieces: dict[str, list] = defaultdict(list)
    for seed, cell in zip(distinct, clipped, strict=True):
        cell = polygonal_part(cell)
        if not cell.is_empty:
            pieces[seed.owner].append(cell)
    return {
        owner: polygonal_part(shapely.coverage_union_all(parts)) for owner, parts in pieces.items()
    }
