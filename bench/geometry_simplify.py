"""Benchmark: simplifying a dense district file for the web, coverage-aware vs per shape.

The districts of ../shared/data/ha-giang-districts-2020.geojson (GPL-3.0, read in place and
never copied) are densified to a vertex every 5 m, as a surveyed file would be, and then
simplified by 10 m two ways, in the same run and on the same shapes:

- ours: `simplify_for_web` (GEOS coverage simplification, shared borders simplified once);
- baseline: shapely `simplify(preserve_topology=True)` on each shape on its own.

Printed: median time, vertices kept, the area where neighbours now overlap and the length of
border where they no longer meet (gaps or overlaps: what a map shows as slivers). Also the
time to derive the approximate shapes.

    .venv/bin/python bench/geometry_simplify.py [--runs 5] [--spacing 5] [--tolerance 10]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from inventory.admin_units import legacy_units
from readiness.geometry.approximate import approximate_shapes
from readiness.geometry.web_simplify import simplify_for_web

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "ha-giang-districts-2020.geojson"
UTM_48N = "EPSG:32648"


def median_seconds(run: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def misfit(shapes: list) -> tuple[float, float]:
    """(overlap area in m², length in m of borders where neighbours no longer meet)."""
    metric = np.asarray(gpd.GeoSeries(shapes, crs="EPSG:4326").to_crs(UTM_48N).values)
    overlap = sum(p.area for p in metric) - shapely.union_all(metric).area
    mismatched = float(shapely.length(shapely.coverage_invalid_edges(metric)).sum())
    return overlap, mismatched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--spacing", type=float, default=5.0, help="metres between vertices")
    parser.add_argument("--tolerance", type=float, default=10.0, help="metres")
    args = parser.parse_args()

    real = gpd.read_file(REAL)
    dense_m = shapely.segmentize(real.to_crs(UTM_48N).geometry.values, args.spacing)
    dense = gpd.GeoSeries(dense_m, crs=UTM_48N).to_crs("EPSG:4326")
    shapes = {code: geom for code, geom in zip(real["code"], dense, strict=True)}
    vertices = int(shapely.get_num_coordinates(dense.values).sum())
    print(f"{len(shapes)} districts, {vertices:,} vertices, tolerance {args.tolerance:g} m")

    ours_s, ours = median_seconds(lambda: simplify_for_web(shapes, args.tolerance), args.runs)

    def baseline() -> list:
        metric = dense.to_crs(UTM_48N).values
        simple = shapely.simplify(np.asarray(metric), args.tolerance, preserve_topology=True)
        return list(gpd.GeoSeries(simple, crs=UTM_48N).to_crs("EPSG:4326"))

    base_s, base = median_seconds(baseline, args.runs)
    ours_shapes = list(ours.shapes.values())  # type: ignore[attr-defined]
    for label, seconds, result in (
        ("coverage (ours)", ours_s, ours_shapes),
        ("per shape (baseline)", base_s, base),
    ):
        kept = int(sum(shapely.get_num_coordinates(g) for g in result))  # type: ignore[union-attr]
        overlaps, mismatched = misfit(result)  # type: ignore[arg-type]
        print(
            f"{label:22} median {seconds * 1000:7.0f} ms  vertices {kept:7,}  "
            f"overlaps {overlaps:8,.0f} m²  borders not meeting {mismatched / 1000:6.1f} km"
        )
    print(f"time ratio ours/baseline: {ours_s / base_s:.2f}")

    units = legacy_units("02")
    approx_s, _ = median_seconds(lambda: approximate_shapes(units), args.runs)
    print(f"approximate shapes of 11 districts and 193 communes: median {approx_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
