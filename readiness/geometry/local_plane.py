"""A flat, locally true-to-scale plane for computing shapes from longitude/latitude.

Voronoi cells and ellipses must be computed where a degree of longitude and a degree of
latitude are the same length; at Hà Giang's latitude a degree of longitude is only 0.92 of a
degree of latitude. Scaling longitude by cos(latitude) is enough over one province, and the
exact inverse keeps the vertices that neighbouring shapes share identical after the way back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

G = TypeVar("G", bound=BaseGeometry)

# Stored coordinates keep 6 decimals: about 0.1 m, far below what the map can show.
DEGREE_DECIMALS = 6


@dataclass(frozen=True)
class LocalPlane:
    """x = longitude × cos(reference latitude), y = latitude: both in degrees of latitude."""

    reference_latitude: float

    @property
    def x_scale(self) -> float:
        return math.cos(math.radians(self.reference_latitude))

    def to_plane(self, geometry: G) -> G:
        scale = np.array([self.x_scale, 1.0])
        return shapely.transform(geometry, lambda xy: xy * scale)

    def to_degrees(self, geometry: G) -> G:
        scale = np.array([self.x_scale, 1.0])
        return shapely.transform(geometry, lambda xy: np.round(xy / scale, DEGREE_DECIMALS))
