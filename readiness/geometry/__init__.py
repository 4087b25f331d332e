"""District and commune shapes for the map: approximate ones derived from the unit list,
and official ones imported from boundary files. They live in the `unit_boundary` table."""

from readiness.geometry.boundaries_import import ImportReport, import_boundaries
from readiness.geometry.ensure import ApproximateRefresh, ensure_approximate_boundaries
from readiness.geometry.store import (
    APPROXIMATE_LABEL,
    level_feature_collection,
    level_frame,
    read_shapes,
)

__all__ = [
    "APPROXIMATE_LABEL",
    "ApproximateRefresh",
    "ImportReport",
    "ensure_approximate_boundaries",
    "import_boundaries",
    "level_feature_collection",
    "level_frame",
    "read_shapes",
]
